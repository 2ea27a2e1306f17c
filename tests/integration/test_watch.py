# SPDX-License-Identifier: GPL-3.0-or-later
"""The live index: inotify keeps the store equal to the library over a real
mount, with real file operations and no control/rescan writes. After each
operation the store's set of file paths must become exactly what
`find ROOT -type f` shows, within a bounded wait. test_watch_limits.py
holds the watcher at its limits and what it reports."""

import os
import shutil
import subprocess
import time

import mutagen.flac
import pytest
from mutagen.id3 import ID3, TIT2

from conftest import make_flac, wait_for
from thread_waits import wait_threads_waiting
from watch_common import (CONVERGE_S, NOT_YET, DEBOUNCE, db_files, db_tracks,
                          alive, wait_converged, scan_rows, scans_total,
                          counts, write_conf)
from watch_common import album_template, outside  # noqa: F401 (for pytest)
from watch_common import watched  # noqa: F401 (for pytest)


def test_fixture_starts_converged(watched, library):
    have = wait_converged(watched, library)
    assert len(have) == 10


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
    created = watched.json("metrics/watch.json")["events"]["create"]
    with open(str(target), "wb") as f:
        f.write(data[:len(data) // 2])
        f.flush()
        # with the file open for writing, its creation seen by the watcher
        # and, what it made of it over (a debounce waited, a scan asked),
        # the watcher waiting for its next event
        wait_for(lambda: watched.json("metrics/watch.json")["events"][
            "create"], CONVERGE_S, "the creation seen", mount=watched,
            until=lambda n: n > created)
        wait_threads_waiting(watched, "mm-watch")
        watched.wait_no_scan()
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
