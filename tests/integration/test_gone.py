# SPDX-License-Identifier: GPL-3.0-or-later
"""A file that leaves is kept for a while (issue 45): a deleted track
leaves the views and counts at once, but its track id and analysis are
kept for [general] keep_gone; put back at the same place, or moved out of
the root and back in elsewhere, it takes them back without a new
analysis. With keep_gone = 0 nothing is kept; after the grace the
maintenance's prune drops what was."""

import os
import shutil
import sqlite3
import subprocess

import pytest

from conftest import BINARY, run, start, unmount, wait_for
from test_analysis import analysis, melody, wait_analysed


@pytest.fixture(scope="module")
def tunes(tmp_path_factory):
    """Two eight-second melodies as WAV: long enough to be analysed, and
    unlike enough not to match."""
    d = tmp_path_factory.mktemp("tunes")
    w = [str(d / "a.wav"), str(d / "b.wav")]
    melody(w[0], 1, seconds=8)
    melody(w[1], 2, wave="square", seconds=8)
    return w


def make_track(path, title, wav):
    """A tagged FLAC of wav."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    run("flac", "-s", "-f", "-o", path, wav)
    run("metaflac", "--set-tag=TITLE=" + title, "--set-tag=ARTIST=Gone",
        "--set-tag=ALBUM=Away", path)


def query(m, sql):
    db = sqlite3.connect("file:%s?mode=ro" % m.db, uri=True)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def tracks(m):
    """Each track's file name, with its track id and its analysis
    (state and time), as the store holds them."""
    return {name.decode() if isinstance(name, bytes) else name:
            (tid, state, at) for name, tid, state, at in query(
                m, "SELECT f.name, t.id, a.state, a.analysed_at FROM files f"
                " JOIN tracks t ON t.file_id = f.id"
                " LEFT JOIN analysis a ON a.track_id = t.id")}


def set_first_seen(m, name, at):
    """Date the file name's first_seen back to at (seconds), so that a
    new row (first_seen now) cannot pass for the kept one."""
    db = sqlite3.connect(m.db, timeout=60)
    try:
        with db:
            db.execute("UPDATE files SET first_seen = ? WHERE"
                       " CAST(name AS TEXT) = ?", (at, name))
    finally:
        db.close()


def first_seen(m, name):
    return query(m, "SELECT first_seen FROM files WHERE CAST(name AS TEXT)"
                 " = '%s'" % name)[0][0]


def kept(m):
    return query(m, "SELECT count(*) FROM gone")[0][0]


def gone_long_ago(m, table="gone"):
    """Date what table keeps of the gone back by two hours, past a grace
    of an hour: the grace over, whatever the clock did meanwhile."""
    db = sqlite3.connect(m.db, timeout=60)
    try:
        with db:
            db.execute("UPDATE %s SET gone_at = gone_at - 7200" % table)
    finally:
        db.close()


def shown(m):
    got = set()
    for top, _, names in os.walk(m.file("library/music")):
        got.update(names)
    return got


def summary_tracks(m):
    return m.json("status/summary.json")["counts"]["tracks"]


@pytest.fixture
def library(tmp_path, tunes):
    root = tmp_path / "music"
    make_track(str(root / "Away" / "one.flac"), "One", tunes[0])
    make_track(str(root / "Away" / "two.flac"), "Two", tunes[1])
    # the same recording again: a match of one.flac
    make_track(str(root / "Copy" / "copy.flac"), "Copy", tunes[0])
    return root


def daemon(tmp_path, root, keep):
    conf = tmp_path / "gone.conf"
    conf.write_text("[general]\nwatch_debounce = 100ms\nkeep_gone = %s\n"
                    "[music]\nroot = %s\n" % (keep, root))
    m = start(tmp_path, "config=" + str(conf))
    try:
        wait_analysed(m)
        assert [v[1] for v in tracks(m).values()] == ["ok"] * 3
    except BaseException:
        unmount(m.path, m.proc)
        raise
    return m


def test_deleted_track_hidden_then_back_at_its_place(tmp_path, library):
    m = daemon(tmp_path, library, "30d")
    try:
        before = tracks(m)
        keys = query(m, "SELECT count(*) FROM analysis_keys")[0][0]
        matches = query(m, "SELECT * FROM analysis_matches")
        duplicates = m.read("status/duplicates")
        assert matches and str(library / "Away" / "one.flac") in \
            duplicates.decode()
        done = analysis(m)["done"]
        assert "One.flac" in shown(m) and summary_tracks(m) == 3
        set_first_seen(m, "one.flac", 1000000000)
        aside = str(tmp_path / "one.aside")
        shutil.copy2(str(library / "Away" / "one.flac"), aside)
        os.unlink(str(library / "Away" / "one.flac"))
        m.rescan()
        # gone from every view and count at once, kept out of sight
        assert "One.flac" not in shown(m) and "Two.flac" in shown(m)
        assert summary_tracks(m) == 2
        assert sorted(tracks(m)) == ["copy.flac", "two.flac"]
        assert query(m, "SELECT count(*) FROM analysis")[0][0] == 2
        assert "one.flac" not in m.read("status/duplicates").decode()
        assert kept(m) == 1
        # back at the same place, restored as backups do, with its time
        # (another inode)
        shutil.copy2(aside, str(library / "Away" / "one.flac"))
        m.rescan()
        assert tracks(m) == before
        # and with the time the index first met it
        assert first_seen(m, "one.flac") == 1000000000
        assert query(m, "SELECT count(*) FROM analysis_keys")[0][0] == keys
        assert query(m, "SELECT * FROM analysis_matches") == matches
        assert m.read("status/duplicates") == duplicates
        assert "One.flac" in shown(m) and summary_tracks(m) == 3
        assert kept(m) == 0
        a = wait_analysed(m)
        assert a["done"] == done and a["queued"] == 0
        with open(m.proc.log_path, errors="replace") as f:
            assert "came back with its analysis" in f.read()
    finally:
        unmount(m.path, m.proc)


def test_other_bytes_at_its_place_are_a_new_track(tmp_path, library):
    """A file replaced by other bytes (another size or time) at the place
    of one that left is a new track, analysed anew: the kept analysis is
    of other audio, and it stays kept."""
    m = daemon(tmp_path, library, "30d")
    try:
        before = tracks(m)
        one = library / "Away" / "one.flac"
        data = one.read_bytes()
        one.unlink()
        m.rescan()
        assert kept(m) == 1
        one.write_bytes(data + b"\0" * 512)
        m.rescan()
        assert tracks(m)["one.flac"][0] != before["one.flac"][0]
        assert kept(m) == 1
        wait_analysed(m)
        assert tracks(m)["one.flac"][1] is not None
    finally:
        unmount(m.path, m.proc)


def test_moved_out_and_back_elsewhere_after_a_restart(tmp_path, library):
    m = daemon(tmp_path, library, "30d")
    try:
        before = tracks(m)
        outside = str(tmp_path / "outside.flac")
        os.rename(str(library / "Away" / "two.flac"), outside)
        m.rescan()
        assert "Two.flac" not in shown(m) and summary_tracks(m) == 2
        # what is kept outlives a restart
        unmount(m.path, m.proc)
        m = start(tmp_path, "config=" + str(tmp_path / "gone.conf"))
        os.makedirs(str(library / "Elsewhere"))
        os.rename(outside, str(library / "Elsewhere" / "renamed.flac"))
        m.rescan()
        after = tracks(m)
        assert after["renamed.flac"] == before["two.flac"]
        assert after["one.flac"] == before["one.flac"]
        # nothing analysed since the restart (done counts this run's)
        assert wait_analysed(m)["done"] == 0
        assert kept(m) == 0
    finally:
        unmount(m.path, m.proc)


def test_keep_gone_zero_deletes_at_once(tmp_path, library):
    m = daemon(tmp_path, library, "0")
    try:
        before = tracks(m)
        done = analysis(m)["done"]
        aside = str(tmp_path / "one.aside")
        shutil.copy(str(library / "Away" / "one.flac"), aside)
        os.unlink(str(library / "Away" / "one.flac"))
        m.rescan()
        assert summary_tracks(m) == 2 and kept(m) == 0
        shutil.copy(aside, str(library / "Away" / "one.flac"))
        m.rescan()
        # a new track: analysed again
        a = wait_for(lambda: analysis(m), 90, "one.flac analysed again",
                     until=lambda a: a["done"] == done + 1 and
                     a["queued"] == 0 and a["busy"] == 0, mount=m,
                     interval=0.1)
        assert a["done"] == done + 1
        assert tracks(m)["one.flac"][2] != before["one.flac"][2]
    finally:
        unmount(m.path, m.proc)


def test_pruned_after_the_grace(tmp_path, library):
    m = daemon(tmp_path, library, "1h")
    try:
        done = analysis(m)["done"]
        aside = str(tmp_path / "one.aside")
        shutil.copy(str(library / "Away" / "one.flac"), aside)
        os.unlink(str(library / "Away" / "one.flac"))
        m.rescan()
        assert kept(m) == 1
        # past the grace, the prune drops it
        gone_long_ago(m)
        m.write("control/maintenance", "prune")
        wait_for(lambda: kept(m), 15, "the gone track pruned",
                 until=lambda n: n == 0, mount=m)
        shutil.copy(aside, str(library / "Away" / "one.flac"))
        m.rescan()
        wait_for(lambda: analysis(m), 90, "one.flac analysed again",
                 until=lambda a: a["done"] == done + 1 and
                 a["queued"] == 0 and a["busy"] == 0, mount=m,
                 interval=0.1)
    finally:
        unmount(m.path, m.proc)


@pytest.mark.parametrize("value", ["-1", "soon", "3x", ""])
def test_bad_keep_gone_refused(tmp_path, value):
    conf = tmp_path / "bad.conf"
    conf.write_text("[general]\nkeep_gone = %s\n[music]\nroot = %s\n"
                    % (value, tmp_path))
    out = subprocess.run([BINARY, "--check-config", "-o",
                          "config=" + str(conf)], capture_output=True,
                         timeout=15)
    assert out.returncode == 1, out
    assert b"for keep_gone in [general]" in out.stderr, out.stderr


@pytest.mark.parametrize("value,shown", [("0", "0s"), ("2s", "2s"),
                                         ("30d", "30d")])
def test_good_keep_gone_accepted(tmp_path, value, shown):
    conf = tmp_path / "good.conf"
    conf.write_text("[general]\nkeep_gone = %s\n[music]\nroot = %s\n"
                    % (value, tmp_path))
    out = subprocess.run([BINARY, "--check-config", "-o",
                          "config=" + str(conf)], capture_output=True,
                         timeout=15)
    assert out.returncode == 0, out
    assert ("\nkeep_gone = %s\n" % shown).encode() in out.stdout, out.stdout


def make_flood(folder, n):
    os.makedirs(folder, exist_ok=True)
    for i in range(n):
        with open(os.path.join(folder, "%06d.mp3" % i), "wb"):
            pass


@pytest.mark.parametrize("size,deadline", [
    (10000, 300),
    # the case: `make flood` (tests/integration/conftest.py)
    pytest.param(200000, 840, marks=pytest.mark.flood)])
def test_flood_of_gone_files_holds_no_one(tmp_path, tunes, size, deadline):
    """One user's flood of empty .mp3 files, indexed and removed, leaves
    size rows in gone; another user's track added then is indexed and
    analysed (each new file is matched against gone by two indexed
    lookups, not a scan of every row: test_gone.c). The deadlines are
    what a loaded machine needs, not a measure of speed."""
    root = tmp_path / "music"
    flood = str(root / "mallory" / "flood")
    make_track(str(root / "alice" / "old.flac"), "Old", tunes[0])
    conf = tmp_path / "gone.conf"
    conf.write_text("[general]\nwatch_debounce = 100ms\nkeep_gone = 30d\n"
                    "[music]\nroot = %s\n" % root)
    m = start(tmp_path, "config=" + str(conf))
    try:
        wait_analysed(m, timeout=120)
        make_flood(flood, size)
        m.rescan(timeout=deadline)
        wait_for(lambda: summary_tracks(m), deadline, "the flood indexed",
                 until=lambda n: n == size + 1, mount=m, interval=0.5)
        shutil.rmtree(flood)
        # most of the root gone at once: kept until confirmed (the root
        # guard), which a watch scan may have met before this one
        m.rescan("confirm-removal", timeout=deadline)
        wait_for(lambda: kept(m), deadline, "the flood kept in gone",
                 until=lambda n: n == size, mount=m, interval=0.5)
        make_track(str(root / "alice" / "new.flac"), "New", tunes[1])
        m.rescan(timeout=deadline)
        wait_for(lambda: tracks(m).get("new.flac"), deadline,
                 "the other user's new track analysed",
                 until=lambda t: t is not None and t[1] == "ok", mount=m,
                 interval=0.2)
        assert summary_tracks(m) == 2
    finally:
        unmount(m.path, m.proc)
