# SPDX-License-Identifier: GPL-3.0-or-later
"""The live index: inotify keeps the store equal to the library over a real
mount, with real file operations and no control/rescan writes. After each
operation the store's set of file paths must become exactly what
`find ROOT -type f` shows, within a bounded wait."""

import contextlib
import csv
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse

import mutagen.flac
import pytest
from mutagen.id3 import ID3, TIT2

from conftest import (BINARY, REPO, SLOW, is_mounted, log_tail, make_flac,
                      make_mp3, stopped, unmount, wait_for)

CONVERGE_S = 15          # generous: the machine is shared and noisy
# What reading the store or a file of the mount may raise while the daemon
# changes them: "not yet" to a wait.
NOT_YET = (OSError, ValueError, KeyError, TypeError, sqlite3.Error)
DEBOUNCE = "100ms"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?"
                     r"(Z|[+-]\d\d:\d\d)$")
EVENT_KINDS = ["create", "close_write", "delete", "moved_from", "moved_to",
               "delete_self", "move_self", "attrib", "overflow"]
HEALTH_LIMIT = re.compile(r"^warn: inotify watch limit reached, (\d+) "
                          r"directories polled every (\S+)$", re.M)


# ---------------------------------------------------------------- helpers

def as_bytes(value):
    return value if isinstance(value, bytes) else os.fsencode(value)


def connect_ro(mount):
    uri = "file:%s?mode=ro" % urllib.parse.quote(mount.db)
    return sqlite3.connect(uri, uri=True, timeout=10)


def root_id(db, root):
    want = {os.fsencode(str(root)), os.fsencode(os.path.realpath(str(root)))}
    rows = db.execute("SELECT id, path FROM roots").fetchall()
    for rid, path in rows:
        if as_bytes(path) in want:
            return rid
    raise AssertionError("root %s not in the roots table: %r" % (root, rows))


def db_files(mount, root):
    """{relative path (bytes): {id, size, mtime_ns, inode}} of the store."""
    db = connect_ro(mount)
    try:
        rid = root_id(db, root)
        return {as_bytes(p): {"id": i, "size": s, "mtime_ns": m, "inode": n}
                for i, p, s, m, n in db.execute(
                    "SELECT id, path, size, mtime_ns, inode FROM file_paths"
                    " WHERE root_id = ?", (rid,))}
    finally:
        db.close()


def db_tracks(mount, root):
    """{relative path (bytes): (track id, title, file id)}."""
    db = connect_ro(mount)
    try:
        rid = root_id(db, root)
        return {as_bytes(p): (t, title, f) for p, t, title, f in db.execute(
            "SELECT f.path, t.id, t.title, f.id FROM tracks t"
            " JOIN file_paths f ON f.id = t.file_id WHERE f.root_id = ?",
            (rid,))}
    finally:
        db.close()


def fs_files(root):
    """What `find ROOT -type f` shows, as relative paths (bytes)."""
    rootb = os.fsencode(str(root))
    out = set()
    for dirpath, _, names in os.walk(rootb):
        for name in names:
            p = os.path.join(dirpath, name)
            try:
                st = os.lstat(p)
            except FileNotFoundError:
                continue
            if stat.S_ISREG(st.st_mode):
                out.add(os.path.relpath(p, rootb))
    return out


def fs_dirs(root):
    """Every directory under root, root included."""
    return sum(1 for _ in os.walk(str(root)))


def alive(mount):
    assert mount.proc.poll() is None, "mediamon exited:\n" + mount.diag()
    assert is_mounted(mount.path)


def wait_converged(mount, root, timeout=CONVERGE_S):
    """Wait until the store's file paths under root are exactly the
    regular files under root; returns the store's {path: row}."""
    def look():
        want = fs_files(root)
        have = db_files(mount, root)
        missing, extra = sorted(want - set(have)), sorted(set(have) - want)
        return {"missing from the store (%d)" % len(missing): missing[:20],
                "extra in the store (%d)" % len(extra): extra[:20]}, have
    return wait_for(look, timeout, "store equal to the files under %s"
                    % root, until=lambda v: not any(v[0].values()),
                    mount=mount, ignore=(sqlite3.Error,))[1]


def scan_rows(mount):
    return list(csv.DictReader(io.StringIO(
        mount.read("metrics/scan.csv").decode())))


def scans_total(mount):
    return mount.json("metrics/scan.json")["totals"]["scans"]


def counts(mount):
    return mount.json("status/summary.json")["counts"]


def write_conf(tmp_path, root, debounce=DEBOUNCE, poll="2s", name="w.conf",
               music=""):
    conf = tmp_path / name
    conf.write_text("[music]\nroot = %s\n%s[general]\nwatch_debounce = %s\n"
                    "poll_interval = %s\n" % (root, music, debounce, poll))
    return conf


# --------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def album_template(tmp_path_factory):
    """An album made outside any root: two FLAC, one MP3, one text file."""
    src = tmp_path_factory.mktemp("album") / "Gamma"
    make_flac(str(src / "Fourth" / "01.flac"), "Fourth 1", "Gamma",
              "Fourth", 1, 400)
    make_flac(str(src / "Fourth" / "02.flac"), "Fourth 2", "Gamma",
              "Fourth", 2, 450)
    make_mp3(str(src / "Fourth" / "03.mp3"), "Fourth 3", "Gamma",
             "Fourth", 3, 500)
    (src / "Fourth" / "info.txt").write_text("about the album\n")
    return src


@pytest.fixture
def outside(tmp_path):
    """A directory beside the root, on the same filesystem."""
    d = tmp_path / "outside"
    d.mkdir()
    return d


@pytest.fixture
def watched(make_mount, library, tmp_path):
    """A mount of the library with a 100 ms debounce and a 2 s poll."""
    m = make_mount("config=" + str(write_conf(tmp_path, library)))
    m.root = str(library)
    return m


def test_fixture_starts_converged(watched, library):
    have = wait_converged(watched, library)
    assert len(have) == 10


# ------------------------------------------------------------------ tests

def test_add_album(watched, library, album_template):
    before = counts(watched)
    shutil.copytree(str(album_template), str(library / "Gamma"))
    have = wait_converged(watched, library)
    assert b"Gamma/Fourth/03.mp3" in have and len(have) == 14
    c = wait_for(lambda: counts(watched), CONVERGE_S,
                 "counts with the new album", until=lambda c: c["files"] == 14,
                 mount=watched, ignore=NOT_YET)
    assert c["tracks"] == before["tracks"] + 3 == 12
    assert (c["albums"], c["artists"]) == (before["albums"] + 1,
                                          before["artists"] + 1)
    titles = {t[1] for t in db_tracks(watched, library).values()}
    assert {"Fourth 1", "Fourth 2", "Fourth 3"} <= titles
    rows = wait_for(lambda: [r for r in scan_rows(watched)
                             if r["trigger"] == "watch"], CONVERGE_S,
                    "scan with trigger watch", mount=watched, ignore=NOT_YET)
    assert all(r["trigger"] in ("startup", "watch")
               for r in scan_rows(watched))
    assert sum(int(r["files_new"]) for r in rows) >= 4
    alive(watched)


def test_tag_change_in_place(watched, library):
    flac = library / "Alpha" / "First" / "01.flac"
    mp3 = library / "Alpha" / "Second" / "01.mp3"
    before = db_tracks(watched, library)
    f = mutagen.flac.FLAC(str(flac))
    f["title"] = "New"
    f.save()
    tag = ID3(str(mp3))
    tag.setall("TIT2", [TIT2(encoding=3, text="New MP3")])
    tag.save()
    for path, title in [(b"Alpha/First/01.flac", "New"),
                        (b"Alpha/Second/01.mp3", "New MP3")]:
        row = wait_for(lambda: db_tracks(watched, library).get(path),
                       CONVERGE_S, "title %r for %r" % (title, path),
                       until=lambda r: r and r[1] == title, mount=watched,
                       ignore=NOT_YET)
        assert row[0] == before[path][0], "track id changed"
        assert row[2] == before[path][2], "file id changed"
    have = wait_converged(watched, library)
    for path in [flac, mp3]:
        st = os.stat(str(path))
        rel = os.fsencode(os.path.relpath(str(path), str(library)))
        row = wait_for(lambda: db_files(watched, library)[rel], CONVERGE_S,
                       "size/mtime of %s" % rel,
                       until=lambda r: r["size"] == st.st_size and
                       r["mtime_ns"] == st.st_mtime_ns, mount=watched,
                       ignore=NOT_YET)
        assert row["inode"] == st.st_ino
    assert len(have) == 10
    titles = {t[1] for t in db_tracks(watched, library).values()}
    assert "First 1" not in titles and "Second 1" not in titles
    alive(watched)


def test_delete_file(watched, library):
    os.unlink(str(library / "Alpha" / "Second" / "03.mp3"))
    os.unlink(str(library / "Beta" / "Third" / "notes.txt"))
    have = wait_converged(watched, library)
    assert len(have) == 8
    tracks = db_tracks(watched, library)
    assert b"Alpha/Second/03.mp3" not in tracks
    assert "Second 3" not in {t[1] for t in tracks.values()}
    wait_for(lambda: counts(watched)["tracks"], CONVERGE_S, "8 tracks",
             until=lambda n: n == 8, mount=watched, ignore=NOT_YET)
    alive(watched)


def test_symlinks(make_mount, library, outside, tmp_path):
    """A symlink to a file outside the root, which this root follows, is
    indexed when created (it is complete at creation), a change to the
    link itself (IN_ATTRIB on the symlink) is looked at again, and
    removing it removes the track. (Links that lead outside a root which
    does not follow them: test_access.py.)"""
    watched = make_mount("config=" + str(write_conf(
        tmp_path, library, music="follow_outside_symlinks = yes\n")))
    target = os.path.join(str(outside), "linked.flac")
    make_flac(target, "Linked", "Delta", "Links", 1)
    link = library / "Beta" / "linked.flac"
    os.symlink(target, str(link))
    wait_for(lambda: b"Beta/linked.flac" in db_tracks(watched, library),
             CONVERGE_S, "the symlink indexed", mount=watched,
             ignore=NOT_YET)
    assert db_tracks(watched, library)[b"Beta/linked.flac"][1] == "Linked"

    before = watched.json("metrics/watch.json")["events"]["attrib"]
    scans = watched.json("metrics/scan.json")["totals"]["scans"]
    subprocess.run(["touch", "-h", "-d", "2001-01-01", str(link)],
                   check=True)
    wait_for(lambda: (watched.json("metrics/watch.json")["events"]
                      ["attrib"], watched.json("metrics/scan.json")
                      ["totals"]["scans"]), CONVERGE_S,
             "attrib event and scan after touch -h",
             until=lambda v: v[0] > before and v[1] > scans, mount=watched,
             ignore=NOT_YET)

    os.unlink(str(link))
    wait_for(lambda: b"Beta/linked.flac" not in db_tracks(watched, library),
             CONVERGE_S, "the symlink's track removed", mount=watched,
             ignore=NOT_YET)
    wait_converged(watched, library)
    alive(watched)


def test_rename_file(watched, library):
    before = db_tracks(watched, library)[b"Alpha/First/02.flac"]
    os.rename(str(library / "Alpha" / "First" / "02.flac"),
              str(library / "Alpha" / "First" / "02 - renamed.flac"))
    have = wait_converged(watched, library)
    assert b"Alpha/First/02.flac" not in have
    row = have[b"Alpha/First/02 - renamed.flac"]
    assert row["inode"] == os.stat(
        str(library / "Alpha" / "First" / "02 - renamed.flac")).st_ino
    after = db_tracks(watched, library)[b"Alpha/First/02 - renamed.flac"]
    assert after == before, "track id, title or file id changed"
    alive(watched)



def test_rename_and_move_directories(watched, library, template_library):
    def ids():
        return {t[1]: t[0] for t in db_tracks(watched, library).values()}
    before = ids()
    assert len(before) == 9

    # rename in place
    os.rename(str(library / "Alpha" / "First"),
              str(library / "Alpha" / "First (Deluxe)"))
    have = wait_converged(watched, library)
    assert b"Alpha/First (Deluxe)/01.flac" in have
    assert ids() == before, "track ids changed by a directory rename\n" + \
        watched.diag()

    # move to another parent
    os.rename(str(library / "Beta" / "Third"), str(library / "Alpha" /
                                                    "Third"))
    have = wait_converged(watched, library)
    assert b"Alpha/Third/notes.txt" in have
    assert ids() == before, "track ids changed by a directory move\n" + \
        watched.diag()

    # move a directory that holds directories into another one
    os.rename(str(library / "Alpha"), str(library / "Beta" / "Alpha"))
    have = wait_converged(watched, library)
    assert b"Beta/Alpha/Second/01.mp3" in have
    assert b"Beta/Alpha/Third/01.flac" in have
    assert ids() == before, "track ids changed by moving a parent\n" + \
        watched.diag()

    # the moved directories' watches still work, under their new paths
    src = str(template_library / "Alpha" / "First" / "01.flac")
    for rel in ["Beta/Alpha/First (Deluxe)/new1.flac",
                "Beta/Alpha/Third/new2.flac",
                "Beta/Alpha/Second/new3.txt"]:
        shutil.copyfile(src, str(library / rel))
    have = wait_converged(watched, library)
    assert b"Beta/Alpha/Third/new2.flac" in have and len(have) == 13
    tracks = db_tracks(watched, library)
    assert b"Beta/Alpha/First (Deluxe)/new1.flac" in tracks
    assert {t[1]: t[0] for p, t in tracks.items()
            if b"/new" not in p} == before
    alive(watched)


BATCH = 10000


@pytest.mark.parametrize("case", ["back", "ahead"])
def test_folder_moved_while_the_scan_walks(make_mount, library, tmp_path,
                                           outside, case):
    """A folder moves while a scan walks, kept busy by a folder of new
    files (Batch): with one scan thread the walk goes Alpha, Batch, Beta.

    back: the scan found Third moved (Beta/Third to Alpha/Third), and it
    moves back: the scan meets its files again under Beta. It neither
    adds them as new tracks nor keeps Beta as the store has it (which
    lost its files for good); the next scan takes the rows back to Beta.

    ahead: Third moves from Beta, not walked yet, to Alpha, walked: the
    scan meets it nowhere, and keeps its rows for the next scan (the one
    the move starts), which takes them to Alpha."""
    conf = tmp_path / "one.conf"
    conf.write_text("[music]\nroot = %s\n[general]\nthreads = 1\n"
                    "watch_debounce = %s\n" % (library, DEBOUNCE))
    m = make_mount("config=" + str(conf))
    wait_converged(m, library)

    def ids():
        return {t[1]: t[0] for p, t in db_tracks(m, library).items()
                if not p.startswith(b"Batch")}
    before = ids()
    assert len(before) == 9
    # its tag and first frames: enough to be read as a track
    mp3 = (library / "Alpha" / "Second" / "01.mp3").read_bytes()[:4096]
    beta, alpha = library / "Beta" / "Third", library / "Alpha" / "Third"

    def settle(where):
        wait_for(lambda: m.json("metrics/scan.json")["running"] is None,
                 CONVERGE_S, "the scan done", mount=m, ignore=NOT_YET)
        if where.exists():
            os.rename(str(where), str(beta))
        wait_converged(m, library)

    def caught_walking_batch(attempt):
        """Move a new Batch in (and Third into Alpha, for back), and
        Third once the scan is seen in Batch; False when it was not."""
        batch = outside / ("Batch%d" % attempt)
        for i in range(BATCH):
            if not i % 100:  # the progress moves after each folder
                sub = batch / ("%03d" % (i // 100))
                sub.mkdir(parents=True)
            (sub / ("%05d.mp3" % i)).write_bytes(mp3)
        # Alpha's six files, Third's four and the Batches before
        walked_before = 10 + attempt * BATCH
        scans = scans_total(m)
        os.rename(str(batch), str(library / batch.name))
        if case == "back":
            os.rename(str(beta), str(alpha))
        else:  # a scan of the whole root, not of Batch alone
            m.write("control/rescan", "1\n")
        # looked at as often as it can be: the scan takes a fraction of
        # a second, its progress moves every 20 ms at most
        deadline = time.monotonic() + CONVERGE_S
        while time.monotonic() < deadline:
            running = m.json("metrics/scan.json")["running"]
            done = running["progress"]["done"] if running else 0
            if walked_before < done < walked_before + BATCH // 2:
                if case == "back":
                    os.rename(str(alpha), str(beta))
                else:
                    os.rename(str(beta), str(alpha))
                return True
            if done >= walked_before + BATCH // 2 or \
                    (not running and scans_total(m) > scans):
                settle(alpha)  # seen too late: Beta may be walked
                return False
        raise AssertionError("no scan after the moves\n" + m.diag())

    attempts = 0
    while not caught_walking_batch(attempts):
        attempts += 1
        assert attempts < 3, "the scan was never seen in Batch\n" + \
            m.diag()
    walked = 10 + (attempts + 1) * BATCH
    settle(library / "nowhere")
    seen = [int(r["files_seen"]) for r in scan_rows(m)]
    if case == "back":
        assert any(n > walked for n in seen), \
            "no scan met Third twice:\n" + m.diag()
    else:
        assert walked - 4 in seen, "no scan missed Third:\n" + m.diag()
    assert ids() == before, \
        "track ids changed by a folder moved during the scan\n" + m.diag()
    alive(m)


def test_move_into_a_new_directory(watched, library, template_library):
    """`mkdir Various && mv Alpha Various/` as a shell runs it: the
    moved-to event falls in a directory that has no watch yet."""
    def ids():
        return {t[1]: t[0] for t in db_tracks(watched, library).values()}
    before = ids()
    subprocess.run(["sh", "-c", "cd '%s' && mkdir Various && "
                    "mv Alpha Various/" % library], check=True)
    have = wait_converged(watched, library)
    assert b"Various/Alpha/Second/01.mp3" in have and len(have) == 10
    assert ids() == before, \
        "track ids changed by moving into a new folder\n" + watched.diag()
    shutil.copyfile(str(template_library / "Alpha" / "First" / "01.flac"),
                    str(library / "Various" / "Alpha" / "First" / "n.flac"))
    have = wait_converged(watched, library)
    assert b"Various/Alpha/First/n.flac" in have
    alive(watched)


def test_move_in_and_out_of_the_root(watched, library, outside,
                                     album_template):
    shutil.copytree(str(album_template), str(outside / "Gamma"))
    os.rename(str(outside / "Gamma"), str(library / "Gamma"))
    have = wait_converged(watched, library)
    assert b"Gamma/Fourth/02.flac" in have and len(have) == 14

    os.rename(str(library / "Beta"), str(outside / "Beta"))
    have = wait_converged(watched, library)
    assert not any(p.startswith(b"Beta/") for p in have)
    assert "Third 1" not in {t[1] for t in db_tracks(
        watched, library).values()}

    # changes in the moved-out tree must not reach the store; a file made
    # in the root afterwards is the barrier that shows they were handled
    shutil.copyfile(str(outside / "Beta" / "Third" / "01.flac"),
                    str(outside / "Beta" / "Third" / "04.flac"))
    os.mkdir(str(outside / "Beta" / "Later"))
    (outside / "Beta" / "Later" / "x.txt").write_text("x\n")
    (library / "barrier.txt").write_text("b\n")
    have = wait_converged(watched, library)
    assert b"barrier.txt" in have

    # and moved back in, it is a new subtree again
    os.rename(str(outside / "Beta"), str(library / "Beta"))
    have = wait_converged(watched, library)
    assert b"Beta/Third/04.flac" in have and b"Beta/Later/x.txt" in have
    alive(watched)


def test_deep_subtree_in_one_go(watched, library, outside,
                                template_library):
    src = outside / "Deep"
    d = src
    for level in range(8):
        d = d / ("level%d" % level)
        d.mkdir(parents=True)
        shutil.copyfile(str(template_library / "Alpha" / "First" /
                            "01.flac"), str(d / "track.flac"))
        (d / ("f%d.txt" % level)).write_text("%d\n" % level)
    subprocess.run(["cp", "-r", str(src), str(library / "Deep")], check=True)
    have = wait_converged(watched, library)
    assert sum(1 for p in have if p.startswith(b"Deep/")) == 16

    # mkdir -p and a file at the bottom, as fast as a shell does it
    subprocess.run(["sh", "-c", "mkdir -p '%s/Shell/a/b/c/d/e' && "
                    "echo hi > '%s/Shell/a/b/c/d/e/f.txt' && "
                    "echo hi > '%s/Shell/a/top.txt'" % ((library,) * 3)],
                   check=True)
    have = wait_converged(watched, library)
    assert b"Shell/a/b/c/d/e/f.txt" in have and b"Shell/a/top.txt" in have
    alive(watched)


def test_slow_writer(watched, library, template_library):
    data = (template_library / "Beta" / "Third" / "02.flac").read_bytes()
    target = library / "Beta" / "Third" / "slow.flac"
    rel = b"Beta/Third/slow.flac"
    with open(str(target), "wb") as f:
        f.write(data[:len(data) // 2])
        f.flush()
        # longer than the debounce (100 ms), with the file open for writing
        time.sleep(0.6)
        seen_partial = rel in db_files(watched, library)
        f.write(data[len(data) // 2:])
    st = os.stat(str(target))
    assert st.st_size == len(data)
    row = wait_for(lambda: db_files(watched, library).get(rel), CONVERGE_S,
                   "final size of slow.flac (seen partial: %s)" %
                   seen_partial, until=lambda r: r and
                   r["size"] == st.st_size and
                   r["mtime_ns"] == st.st_mtime_ns, mount=watched,
                   ignore=NOT_YET)
    assert row["inode"] == st.st_ino
    track = wait_for(lambda: db_tracks(watched, library).get(rel),
                     CONVERGE_S, "tags of the whole slow.flac",
                     until=lambda t: t and t[1] == "Third 2", mount=watched,
                     ignore=NOT_YET)
    assert track
    wait_converged(watched, library)
    alive(watched)


def test_own_reads_cause_no_scans(watched, library):
    doc = watched.wait_quiet(timeout=CONVERGE_S)
    before = doc["totals"]["scans"]
    events_before = watched.json("metrics/watch.json")["events"]

    # a full re-read opens every file; that must not look like a change
    watched.rescan("full")

    # the positive control: a change that is not the daemon's own. inotify
    # reports events in order, so once its scan has run, every event the
    # startup scan and the re-read caused has been counted and scanned
    (library / "Alpha" / "mine.txt").write_text("mine\n")
    wait_for(lambda: (scans_total(watched), scan_rows(watched)[-1]),
             CONVERGE_S, "the scan of mine.txt", mount=watched,
             until=lambda v: v[0] >= before + 2 and
             v[1]["trigger"] == "watch")
    doc = watched.json("metrics/scan.json")
    assert doc["totals"]["scans"] == before + 2, watched.diag()
    assert [r["trigger"] for r in scan_rows(watched)] == ["startup",
                                                          "control",
                                                          "watch"]
    events = watched.json("metrics/watch.json")["events"]
    assert events["close_write"] == events_before["close_write"] + 1
    assert events["attrib"] == events_before["attrib"]
    alive(watched)


@contextlib.contextmanager
def small_inotify_queue(events=64):
    """The inotify queue of a daemon that makes its instance in the block
    holds `events` events (the test is skipped when the limit cannot be
    lowered); wait in the block until it holds a watch."""
    sysctl = "/proc/sys/fs/inotify/max_queued_events"
    with open(sysctl) as f:
        old = f.read().strip()
    try:
        with open(sysctl, "w") as f:
            f.write(str(events))
    except OSError as e:
        pytest.skip("cannot lower %s: %s" % (sysctl, e))
    try:
        yield
    finally:
        with open(sysctl, "w") as f:
            f.write(old)


# lowers the machine's inotify queue limit (small_inotify_queue)
@pytest.mark.serial
def test_queue_overflow(make_mount, library, tmp_path):
    with small_inotify_queue():
        m = make_mount("config=" + str(write_conf(tmp_path, library)),
                       wait=False)
        # the limit is taken when the daemon makes its inotify instance;
        # once it holds a watch, that has happened
        wait_for(lambda: m.json("metrics/watch.json")["watches"] > 0,
                 CONVERGE_S, "first watch", mount=m, ignore=NOT_YET)
    m.wait_idle()
    wait_converged(m, library)
    overflows_before = m.json("metrics/watch.json")["overflows"]

    # Keep the daemon from reading while the burst happens, so that the
    # 64-event queue surely overflows (a fast reader could keep up).
    first = library / "Alpha" / "First"
    with stopped(m.proc):
        for i in range(500):
            with open(str(first / ("burst%03d.txt" % i)), "wb") as f:
                f.write(b"%d\n" % i)
        os.unlink(str(first / "03.flac"))
        os.unlink(str(library / "Beta" / "Third" / "notes.txt"))
    have = wait_converged(m, library, timeout=30)
    assert len(have) == 508
    w = wait_for(lambda: m.json("metrics/watch.json"), CONVERGE_S,
                 "overflow counted", until=lambda w:
                 w["events"]["overflow"] >= 1 and
                 w["overflows"] > overflows_before, mount=m, ignore=NOT_YET)
    assert w["overflows"] >= 1
    s = m.json("status/summary.json")["watcher"]
    assert s["overflows"] >= 1
    # the root whose queue overflowed, whole (its own queue: the only
    # root here), not every root
    rows = wait_for(lambda: [r for r in scan_rows(m)
                             if r["trigger"] == "watch" and
                             int(r["files_seen"]) >= 508], CONVERGE_S,
                    "overflow rescan of the root (trigger watch)", mount=m,
                    ignore=NOT_YET)
    assert all(r["scope"] != "all" for r in rows), rows
    assert rows
    assert "overflow" in log_tail(m.proc, 500).lower(), "overflow not logged"
    wait_for(lambda: counts(m)["tracks"], CONVERGE_S, "8 tracks",
             until=lambda n: n == 8, mount=m, ignore=NOT_YET)
    alive(m)


INNER = textwrap.dedent(r'''
    import csv, io, json, os, sqlite3, subprocess, sys, time, traceback
    binary, conf, mnt, db, root, deep_file, src, logpath = sys.argv[1:9]
    sys.path.insert(0, sys.argv[9])
    from conftest import wait_for
    res = {"stage": "start"}

    def mounted():
        with open("/proc/self/mounts") as f:
            return any(line.split()[1] == mnt for line in f)

    def rd(rel):
        with open(os.path.join(mnt, rel), "rb") as f:
            return f.read()

    def in_db(rel):
        try:
            c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
            try:
                return c.execute("SELECT count(*) FROM file_paths"
                                 " WHERE path = ?",
                                 (rel.encode(),)).fetchone()[0] > 0
            finally:
                c.close()
        except sqlite3.Error:
            return False

    proc = None
    try:
        with open("/proc/sys/user/max_inotify_watches", "w") as f:
            f.write("3")
        with open("/proc/sys/user/max_inotify_watches") as f:
            res["limit"] = f.read().strip()
        log = open(logpath, "wb")
        proc = subprocess.Popen([binary, "-f", "-o", "config=" + conf,
                                 "-o", "db=" + db, mnt],
                                stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: mounted() or proc.poll() is not None, 15,
                 "mount, nor the daemon's exit", interval=0.02)
        if not mounted():
            raise RuntimeError("mount did not come up")
        res["stage"] = "mounted"
        wait_for(lambda: json.loads(rd("metrics/scan.json")), 30,
                 "first scan finished", until=lambda doc:
                 doc["running"] is None and doc["last"])
        res["stage"] = "scanned"
        res["health"] = wait_for(lambda: rd("status/health").decode(), 10,
                                 "warning in status/health",
                                 until=lambda h: h.startswith("warn"))
        res["summary"] = json.loads(rd("status/summary.json"))
        res["watch"] = json.loads(rd("metrics/watch.json"))
        res["stage"] = "read"
        with open(src, "rb") as f:
            data = f.read()
        with open(deep_file, "wb") as f:
            f.write(data)
        rel = os.path.relpath(deep_file, root)
        t0 = time.time()
        try:
            res["found"] = wait_for(lambda: in_db(rel), 10,
                                    "new file in the store", interval=0.1)
        except AssertionError:
            res["found"] = False     # the test says so, with what follows
        res["found_after_s"] = round(time.time() - t0, 2)
        # the file is in the index before its scan's row is finished
        try:
            res["scans"] = wait_for(lambda: list(csv.DictReader(io.StringIO(
                rd("metrics/scan.csv").decode()))), 10,
                "scan with trigger schedule that found a file",
                until=lambda rows: any(r["trigger"] == "schedule" and
                                       int(r["files_new"]) for r in rows),
                interval=0.1)
        except AssertionError:
            res["scans"] = list(csv.DictReader(io.StringIO(
                rd("metrics/scan.csv").decode())))
        res["health_after"] = rd("status/health").decode()
        res["watch_after"] = json.loads(rd("metrics/watch.json"))
        res["alive"] = proc.poll() is None
        res["stage"] = "done"
    except Exception:
        res["error"] = traceback.format_exc()
    finally:
        if proc is not None:
            if mounted():
                subprocess.run(["fusermount3", "-u", mnt])
            if mounted():
                subprocess.run(["umount", mnt])
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                subprocess.run(["umount", "-l", mnt])
            res["exit_code"] = proc.returncode
        res["unmounted"] = not mounted()
        try:
            with open(logpath, errors="replace") as f:
                res["log"] = f.read()[-4000:]
        except OSError:
            pass
        print("RESULT " + json.dumps(res), flush=True)
''')


def test_watch_limit_falls_back_to_polling(tmp_path, template_library):
    probe = subprocess.run(["unshare", "-U", "-r", "-m", "--propagation",
                            "private", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("no user namespaces: %s" % probe.stderr.decode())
    root = tmp_path / "music"
    deep = root
    for name in "abcdef":
        deep = deep / name
        deep.mkdir(parents=True)
        (deep / ("%s.txt" % name)).write_text(name + "\n")
    shutil.copyfile(str(template_library / "Alpha" / "First" / "01.flac"),
                    str(root / "a" / "01.flac"))
    assert fs_dirs(root) >= 7
    conf = write_conf(tmp_path, root, poll="1s")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = tmp_path / "inner.py"
    script.write_text(INNER)
    src = str(template_library / "Beta" / "Third" / "01.flac")
    deep_file = str(deep / "new.flac")
    cmd = ["unshare", "-U", "-r", "-m", "--propagation", "private",
           sys.executable if sys.executable else "/usr/bin/python3",
           str(script), BINARY, str(conf), str(mnt),
           str(tmp_path / "state.db"), str(root), deep_file, src,
           str(tmp_path / "mediamon.log"),
           os.path.join(REPO, "tests", "integration")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=120 * SLOW)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError("namespace script hung: %s %s" % (out, err))
    lines = [l for l in out.decode().splitlines() if l.startswith("RESULT ")]
    assert lines, "no result: %s\n%s" % (out.decode(), err.decode())
    res = json.loads(lines[-1][len("RESULT "):])
    info = json.dumps({k: v for k, v in res.items() if k != "log"},
                      indent=1) + "\n" + res.get("log", "")
    assert "error" not in res and res["stage"] == "done", info
    assert res["limit"] == "3", info

    m = HEALTH_LIMIT.search(res["health"])
    assert m, info
    assert "warn: inotify watch limit reached, " in res["health"], info
    assert "directories polled every 1s" in res["health"], info
    polled = int(m.group(1))
    w = res["summary"]["watcher"]
    assert w["enabled"] is True and w["fallback"] is True, info
    assert w["polled_dirs"] > 0 and w["polled_dirs"] == polled, info
    assert 0 < w["watches"] <= 3, info
    assert res["watch"]["polled_dirs"] == polled, info
    assert res["watch"]["poll_interval_s"] == 1, info
    assert res["found"], info
    assert any(r["trigger"] == "schedule" and int(r["files_new"]) >= 1
               for r in res["scans"]), info
    assert res["alive"] and res["exit_code"] == 0, info
    assert res["unmounted"], info
    assert not is_mounted(mnt)


def test_vanishing_directories_do_not_stop_the_watcher(watched, library,
                                                       template_library):
    src = str(template_library / "Alpha" / "First" / "01.flac")
    for i in range(300):
        d = str(library / ("churn%d" % (i % 7)))
        os.mkdir(d)
        if i % 3 == 0:
            os.mkdir(d + "/sub")
            with open(d + "/sub/x.txt", "wb") as f:
                f.write(b"x")
            os.unlink(d + "/sub/x.txt")
            os.rmdir(d + "/sub")
        os.rmdir(d)
        if i == 150:
            shutil.copyfile(src, str(library / "Beta" / "Third" /
                                     "05.flac"))
    have = wait_converged(watched, library)
    assert b"Beta/Third/05.flac" in have and len(have) == 11
    alive(watched)

    # still watching afterwards
    shutil.copyfile(src, str(library / "Alpha" / "after.flac"))
    have = wait_converged(watched, library)
    assert b"Alpha/after.flac" in have

    # and the watches of the removed directories were let go
    ndirs = fs_dirs(library)
    w = wait_for(lambda: watched.json("metrics/watch.json"), CONVERGE_S,
                 "watch count near %d directories" % ndirs,
                 until=lambda w: ndirs <= w["watches"] <= ndirs + 5,
                 mount=watched, ignore=NOT_YET)
    assert w["polled_dirs"] == 0
    alive(watched)


def check_watch_json(w):
    for key in ["watches", "polled_dirs", "debounce_ms", "poll_interval_s",
                "overflows", "storms", "batches", "paths_submitted"]:
        assert type(w[key]) is int and w[key] >= 0, key
    assert type(w["enabled"]) is bool
    assert set(EVENT_KINDS + ["total"]) <= set(w["events"])
    for kind in EVENT_KINDS + ["total"]:
        assert type(w["events"][kind]) is int and w["events"][kind] >= 0, kind
    assert w["events"]["total"] >= sum(w["events"][k] for k in EVENT_KINDS
                                       if k != "overflow")
    lat = w["latency_ms"]
    assert type(lat["samples"]) is int and lat["samples"] >= 0
    for key in ["p50", "p95", "max"]:
        if not lat["samples"]:
            assert lat[key] is None, key
        else:
            assert type(lat[key]) in (int, float) and lat[key] >= 0, key
    assert w["last_event_at"] is None or RFC3339.match(w["last_event_at"])


def check_summary_watcher(s):
    assert set(s) >= {"enabled", "watches", "overflows", "polled_dirs",
                      "events", "last_event_at", "fallback"}
    assert type(s["enabled"]) is bool and type(s["fallback"]) is bool
    for key in ["watches", "overflows", "polled_dirs", "events"]:
        assert type(s[key]) is int and s[key] >= 0, key
    assert s["fallback"] == (s["polled_dirs"] > 0)
    assert s["last_event_at"] is None or RFC3339.match(s["last_event_at"])


def test_watch_json_and_summary(watched, library):
    assert "watch.json" in os.listdir(watched.file("metrics"))
    assert os.stat(watched.file("metrics/watch.json")).st_mode & 0o777 == \
        0o444
    w = watched.json("metrics/watch.json")
    check_watch_json(w)
    assert w["enabled"] is True
    assert w["debounce_ms"] == 100 and w["poll_interval_s"] == 2
    assert w["watches"] >= fs_dirs(library) == 6
    assert w["polled_dirs"] == 0 and w["overflows"] == 0
    assert w["last_event_at"] is None and w["events"]["total"] == 0
    s = watched.json("status/summary.json")["watcher"]
    check_summary_watcher(s)
    assert s["enabled"] is True and s["fallback"] is False
    assert s["watches"] == w["watches"] and s["polled_dirs"] == 0
    assert s["last_event_at"] is None
    assert watched.read("status/health") == b"ok\n"

    # some changes of every common kind
    shutil.copyfile(str(library / "Alpha" / "First" / "01.flac"),
                    str(library / "Alpha" / "First" / "copy.flac"))
    os.unlink(str(library / "Alpha" / "Second" / "02.mp3"))
    os.rename(str(library / "Beta" / "Third" / "01.flac"),
              str(library / "Beta" / "Third" / "one.flac"))
    os.mkdir(str(library / "Newdir"))
    wait_converged(watched, library)
    wait_for(lambda: watched.json("metrics/watch.json")["watches"] >= 7,
             CONVERGE_S, "watch on Newdir", mount=watched, ignore=NOT_YET)
    os.rename(str(library / "Newdir"), str(library / "Renamed"))
    (library / "Renamed" / "in.txt").write_text("in\n")
    wait_converged(watched, library)
    os.unlink(str(library / "Renamed" / "in.txt"))
    os.rmdir(str(library / "Renamed"))
    wait_converged(watched, library)

    w = wait_for(lambda: watched.json("metrics/watch.json"), CONVERGE_S,
                 "latency samples and delete_self",
                 until=lambda w: w["latency_ms"]["samples"] > 0 and
                 w["events"]["delete_self"] >= 1, mount=watched,
                 ignore=NOT_YET)
    check_watch_json(w)
    ev = w["events"]
    for kind in ["create", "close_write", "delete", "moved_from",
                 "moved_to", "delete_self", "move_self"]:
        assert ev[kind] >= 1, (kind, ev)
    assert ev["overflow"] == 0 and w["overflows"] == 0
    assert ev["total"] >= 7
    assert w["batches"] >= 1 and w["paths_submitted"] >= 1
    lat = w["latency_ms"]
    assert lat["p50"] <= lat["p95"] <= lat["max"], lat
    assert RFC3339.match(w["last_event_at"]), w["last_event_at"]
    watched.wait_quiet(timeout=CONVERGE_S)

    # once quiet, the summary agrees with watch.json
    s = watched.json("status/summary.json")["watcher"]
    w = watched.json("metrics/watch.json")
    check_summary_watcher(s)
    assert s["events"] == w["events"]["total"], (s, w)
    assert s["last_event_at"] == w["last_event_at"]
    assert s["overflows"] == w["overflows"] == 0
    assert s["watches"] == w["watches"] >= fs_dirs(library)
    alive(watched)


def test_defaults(mount, library):
    """No [general] watch keys: 200 ms debounce, 5 min poll, and the
    watcher on."""
    w = mount.json("metrics/watch.json")
    check_watch_json(w)
    assert w["enabled"] is True
    assert w["debounce_ms"] == 200 and w["poll_interval_s"] == 300
    (library / "Alpha" / "late.txt").write_text("late\n")
    have = wait_converged(mount, library)
    assert b"Alpha/late.txt" in have
    alive(mount)



# Root bypasses file permissions through two capabilities; without them a
# folder owned by another user with mode 0700 is as unreadable to the
# daemon as lost+found is to a normal user, and it still mounts as root.
NO_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search",
          "--inh-caps", "-dac_override,-dac_read_search", "--"]


def test_unreadable_directory(make_mount, library, tmp_path):
    """A folder the daemon may not read is counted, warned about once in
    the log, keeps what the store knew, folders below it included, and
    never stops the watcher; a folder beside it whose name begins with
    its name is not below it, and goes when it goes."""
    locked = library / "Locked"
    make_flac(str(locked / "01.flac"), "Hidden", "Gamma", "Locked", 1)
    make_flac(str(locked / "Deeper" / "02.flac"), "Deep", "Gamma",
              "Locked", 2)
    beside = library / "Locked 2"
    make_flac(str(beside / "03.flac"), "Beside", "Gamma", "Locked 2", 3)
    conf = write_conf(tmp_path, library)
    m = make_mount("config=" + str(conf), wrapper=NO_DAC)
    assert m.json("status/summary.json")["counts"]["tracks"] == 12

    os.chown(str(locked), 65534, 65534)
    os.chmod(str(locked), 0o700)
    try:
        for _ in range(2):
            last = m.rescan("1")
            assert last["success"] and last["io_errors"] == 1
            assert last["files_deleted"] == 0
        # what the store knew under the folder is kept
        assert m.json("status/summary.json")["counts"]["tracks"] == 12
        assert b"could not read 1 files or directories" in m.read(
            "status/health")
        log = m.read("log").decode()
        assert log.count("cannot read directory %s" % locked) == 1, log

        shutil.rmtree(str(beside))
        # the watcher may take it out before the rescan, which then has
        # nothing left to delete
        last = m.rescan("1")
        assert last["success"] and last["files_deleted"] in (0, 1)
        assert m.json("status/summary.json")["counts"]["tracks"] == 11

        make_flac(str(library / "Alpha" / "First" / "04.flac"), "First 4",
                  "Alpha", "First", 4)
        wait_for(lambda: m.json("status/summary.json")["counts"]["tracks"],
                 CONVERGE_S, "12 tracks", until=lambda n: n == 12, mount=m)
    finally:
        os.chmod(str(locked), 0o755)


def test_max_watches_caps_the_watches(tmp_path, template_library,
                                      make_mount):
    """The daemon's watches come from its user's quota, shared with the
    other services of that user: [general] max_watches = 3 watches three
    folders of seven and no more, the others are rescanned every
    poll_interval (a track copied into the deepest is found), each once
    however often rescans meet it and no more once it is gone, and
    health warns. The kernel's own limit is far above 3 here."""
    root = tmp_path / "music"
    deep = root
    for name in "abcdef":
        deep = deep / name
        deep.mkdir(parents=True)
    shutil.copyfile(str(template_library / "Alpha" / "First" / "01.flac"),
                    str(root / "a" / "01.flac"))
    conf = tmp_path / "w.conf"
    conf.write_text("[music]\nroot = %s\n[general]\nwatch_debounce = %s\n"
                    "poll_interval = 1s\nmax_watches = 3\n"
                    % (root, DEBOUNCE))
    m = make_mount("config=" + str(conf))
    health = wait_for(lambda: m.read("status/health").decode(), CONVERGE_S,
                      "the watch limit in status/health", mount=m,
                      until=HEALTH_LIMIT.search)
    assert "directories polled every 1s" in health, health
    w = m.json("status/summary.json")["watcher"]
    assert w["watches"] == 3 and w["polled_dirs"] == 4, w
    shutil.copyfile(str(template_library / "Beta" / "Third" / "01.flac"),
                    str(deep / "new.flac"))
    wait_for(lambda: os.listdir(m.file("library/music/artists")),
             CONVERGE_S, "the track of a polled folder", mount=m,
             until=lambda names: "Beta" in names)
    # rescans meet the polled folders again: each is polled once
    for _ in range(2):
        m.rescan("1")
        w = m.json("status/summary.json")["watcher"]
        assert w["watches"] == 3 and w["polled_dirs"] == 4, w
    # a polled folder that goes is polled no more
    os.unlink(str(deep / "new.flac"))
    os.rmdir(str(deep))
    wait_for(lambda: m.json("status/summary.json")["watcher"], CONVERGE_S,
             "the folder gone from the polled ones", mount=m,
             until=lambda w: w["polled_dirs"] == 3)
