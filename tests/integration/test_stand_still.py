# SPDX-License-Identifier: GPL-3.0-or-later
"""Generated trees that stand still (issue 63): a generated file's mtime
is when its content last changed, not when it is asked, so the real tar
of playlists/, status/, library/ and opds/ exits 0 twice in a row (no
"file changed as we read it"), a second rsync -a of playlists/ copies
no file, and a page read out of an archive keeps its time; a playlist
whose content changes (a new track) shows a later time and its new size
(a playlist's size is kept from its last rendering while the store does
not change), and the next rsync copies it. The folders of fixed names
(the root, status/, opds/ ...) keep their time across a restart, clean
or after a SIGKILL, and take a new one when the names they list are not
those the store kept. The folders of names the store gives (the views,
manga/ and its series, opds/series) keep their time across a rescan
that finds nothing new and across a restart, and take a new one when a
name under them comes or changes: a view's folder when a name of its
own does (test_view_times.py)."""

import os
import sqlite3
import subprocess
import time
import zipfile

import pytest

from clients import need
from conftest import start, unmount, wait_for
from test_analysis import melody, to_flac, wait_analysed
from test_opds import IMAGE, links
from test_playlists import library, sounds  # noqa: F401 (a fixture)


def volumes(root):
    """Two series of cbz volumes with pages."""
    for series in ("Saga", "Blue Lock"):
        os.makedirs(root / series)
        for v in (1, 2):
            with zipfile.ZipFile(root / series / ("%s v%02d.cbz" % (
                    series, v)), "w") as z:
                for p in (1, 2):
                    z.writestr("p%d.jpg" % p, b"\xff\xd8 page %d %d" % (v, p))


def a_second_later():
    """Wait until the clock has passed the next whole second: a time
    taken from the clock at each stat (the fault this file tests) then
    differs from the one before."""
    start = int(time.time())
    wait_for(lambda: time.time(), 10, "the next second",
             until=lambda now: now >= start + 1.05)


def catalog_settled(m, timeout):
    """Wait for both series in the catalog, then for the store to settle."""
    wait_for(lambda: sorted(os.listdir(m.file("opds/series"))), timeout,
             "the series in the catalog", mount=m,
             until=lambda n: n == ["Blue Lock.xml", "Saga.xml"])
    settled(m)


def settled(m):
    """Wait until the store stands still: no scan, and the mtime of a
    playlists folder (which moves when its names do, as the analysis
    finds tracks) the same for a second. What tar and rsync read must not
    change under them for reasons of its own."""
    m.wait_quiet()
    last = {}

    def still():
        t = os.stat(m.file("playlists/similar")).st_mtime_ns
        now = time.monotonic()
        if last.get("t") != t:
            last.update(t=t, since=now)
        return now - last["since"] >= 1.0
    wait_for(still, 120, "the store to stand still", mount=m)


def tar(m, out):
    r = subprocess.run([need("tar"), "-cf", str(out), "playlists", "status",
                        "library", "opds"], cwd=m.path, capture_output=True,
                       text=True, timeout=300)
    return r.returncode, r.stderr


def rsync(m, dest):
    """The names of the files a rsync -a of playlists/ copied."""
    r = subprocess.run([need("rsync"), "-a", "--out-format=%n",
                        m.file("playlists") + "/", str(dest) + "/"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return [n for n in r.stdout.splitlines() if n and not n.endswith("/")]


@pytest.fixture
def mount(sounds, tmp_path):  # noqa: F811 (the fixture imported above)
    music, manga = tmp_path / "music", tmp_path / "manga"
    library(sounds, music)
    volumes(manga)
    m = start(tmp_path, "music=" + str(music), "manga=" + str(manga))
    m.music = music
    try:
        wait_analysed(m)
        catalog_settled(m, 60)
        yield m
    finally:
        unmount(m.path, m.proc)


def test_tar_twice_and_rsync_copies_nothing(mount, tmp_path):
    m = mount
    for i in (1, 2):
        rc, err = tar(m, tmp_path / ("out%d.tar" % i))
        assert rc == 0 and "changed as we read it" not in err, (i, err)
    dest = tmp_path / "copy"
    first = rsync(m, dest)
    assert "recent.m3u8" in first and len(first) > 10, first
    a_second_later()
    assert rsync(m, dest) == []
    # a page of an archive and a playlist: one time, read after read
    pages = [n for n in os.listdir(m.file("manga/Saga"))
             if n.endswith(".pages")]
    assert len(pages) == 2, pages
    for rel in ("manga/Saga/%s/0001.jpg" % sorted(pages)[0],
                "playlists/similar/Melodist - Tune.m3u8",
                "opds/series/Saga.xml"):
        before = os.stat(m.file(rel)).st_mtime_ns
        a_second_later()
        m.read(rel)
        with open(m.file(rel), "rb") as f:
            f.read()
            assert os.fstat(f.fileno()).st_mtime_ns == before, rel
        assert os.stat(m.file(rel)).st_mtime_ns == before, rel


def test_a_changed_playlist_moves_and_is_copied(mount, tmp_path):
    """The bad case of standing still: a file whose content changed must
    not keep its old time, or rsync would skip it."""
    m = mount
    dest = tmp_path / "copy"
    rsync(m, dest)
    recent = m.file("playlists/recent.m3u8")
    before = os.stat(recent).st_mtime_ns
    old = m.read("playlists/recent.m3u8")
    wav = str(tmp_path / "new.wav")
    melody(wav, 3, seconds=4)
    to_flac(wav, str(m.music / "new" / "new.flac"), "Newer", "Newcomer",
            "new")
    wait_for(lambda: m.read("playlists/recent.m3u8"), 120,
             "the new track in recent.m3u8", mount=m,
             until=lambda text: b"Newer" in text)
    wait_analysed(m)
    assert m.read("playlists/recent.m3u8") != old
    assert os.stat(recent).st_mtime_ns > before
    assert "recent.m3u8" in rsync(m, dest)
    # a size kept from the last rendering follows the store's change too
    for d in ("", "similar", "mix", "mpd", "library/similar"):
        folder = m.file("playlists/" + d)
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                size = os.stat(path).st_size
                with open(path, "rb") as f:
                    assert len(f.read()) == size, path


# The folders of fixed names, and two that list nothing and take the time
# of the one holding them (opds/files/SERIES, opds/pages/FILE).
FIXED = ("", "status", "metrics", "control", "opds", "opds/covers",
         "opds/files", "opds/files/Saga", "opds/pages", "library",
         "library/music", "playlists", "playlists/library")


def fixed_times(m):
    """The mtimes of FIXED and of the pages folder of Saga's first
    volume."""
    cover = links(m.read("opds/series/Saga.xml"), IMAGE)[0][1]
    page = "opds/pages/" + cover.split("/")[-1].split(".")[0]
    return {d: os.stat(m.file(d)).st_mtime_ns for d in FIXED + (page,)}


# Folders of the names the store gives: the views, manga/ and its series,
# opds/series.
NAMED = ("library/music/artists", "library/manga", "library/manga/Saga",
         "manga", "manga/Saga", "opds/series")


def named_times(m, extra=()):
    return {d: os.stat(m.file(d)).st_mtime_ns for d in NAMED + extra}


def test_named_folders_move_with_their_names(mount, tmp_path):
    """A rescan that finds nothing new leaves the names as they were, and
    so their folders' times (it rewrites rows as they were, and rebuilds
    the series' volumes); a volume added, or a track retitled, moves
    them."""
    m = mount
    melodist = ("library/music/artists/Melodist",)
    melodist += (next(os.path.relpath(r, m.path) for r, _, names in
                      os.walk(m.file(melodist[0]))
                      if any(n.endswith("Tune.flac") for n in names)),)
    before = named_times(m, melodist)
    listed = {d: sorted(os.listdir(m.file(d))) for d in before}
    a_second_later()
    m.rescan()
    m.wait_quiet()
    assert named_times(m, melodist) == before
    assert {d: sorted(os.listdir(m.file(d))) for d in before} == listed
    with zipfile.ZipFile(m.music.parent / "manga" / "Saga" /
                         "Saga v03.cbz", "w") as z:
        z.writestr("p1.jpg", b"\xff\xd8 page 3 1")
    m.rescan()
    wait_for(lambda: os.listdir(m.file("manga/Saga")), 60,
             "the third volume", mount=m,
             until=lambda n: len(n) > len(listed["manga/Saga"]))
    m.wait_quiet()
    added = named_times(m, melodist)
    # a view's folder moves as a plain folder does, with its own names
    # alone (issue 80): the series' folder, not those above it
    moves = ("library/manga/Saga", "manga", "manga/Saga", "opds/series")
    assert all(added[d] > before[d] for d in moves), (before, added)
    assert all(added[d] == before[d] for d in before if d not in moves)
    a_second_later()
    subprocess.run([need("metaflac"), "--remove-tag=TITLE",
                    "--set-tag=TITLE=Tune again",
                    str(m.music / "m" / "melody.flac")], check=True)
    m.rescan()
    wait_for(lambda: [n for _, _, names in os.walk(m.file(melodist[0]))
                      for n in names], 60, "the track retitled", mount=m,
             until=lambda n: any("Tune again" in x for x in n))
    m.wait_quiet()
    retitled = named_times(m, melodist)
    moves = ("manga", "manga/Saga", "opds/series", melodist[1])
    assert all(retitled[d] > added[d] for d in moves), (added, retitled)
    assert all(retitled[d] == added[d] for d in added if d not in moves)


@pytest.mark.parametrize("stop", ["unmount", "SIGKILL", "names changed"])
def test_fixed_folders_stand_across_a_restart(tmp_path, stop):
    """A folder of fixed names is as old as the names it lists, a time
    the store keeps once no new one came for a moment (2 s) and at the
    unmount: it stands across a restart of the daemon, clean or after a
    SIGKILL. Names other than those the store kept (as when a new version
    adds a file: here the store's hashes of them altered) are new, and
    so is their time. The folders of the store's names stand as well:
    the scan at the start finds them as they were."""
    manga, home = tmp_path / "manga", tmp_path / "home"
    volumes(manga)
    home.mkdir()
    m = start(home, "manga=" + str(manga))
    try:
        catalog_settled(m, 60)
        before = fixed_times(m)
        named = named_times(m)
        a_second_later()
        assert fixed_times(m) == before
        wait_for(lambda: m.json("metrics/fuse.json")["times_unsaved"], 60,
                 "the times written", mount=m, until=lambda n: n == 0)
        if stop == "SIGKILL":
            m.proc.kill()
            m.proc.wait()
    finally:
        unmount(m.path, m.proc)
    if stop == "names changed":
        db = sqlite3.connect(m.db)
        try:
            with db:
                assert db.execute("UPDATE playlist_times"
                                  " SET content = ~content").rowcount > 0
        finally:
            db.close()
    m = start(home, "manga=" + str(manga))
    try:
        catalog_settled(m, 60)
        after = fixed_times(m)
        # the store's names are what they were, whatever the times say;
        # but a view's folder is as old as the names it lists, as a folder
        # of fixed names is (issue 80): the hashes altered, they are new
        now = named_times(m)
        if stop == "names changed":
            views = [d for d in named if d.startswith("library/")]
            assert all(now[d] > named[d] for d in views), (named, now)
            for d in views:
                del now[d], named[d]
        assert now == named
        if stop == "names changed":
            assert all(after[d] > before[d] for d in after), (before, after)
        else:
            assert after == before
    finally:
        unmount(m.path, m.proc)


def copied(m, dest):
    """The files a rsync -a of the whole mount (but its control files and
    log) copied: what it found changed, by size or time."""
    r = subprocess.run([need("rsync"), "-a", "--out-format=%n",
                        "--exclude=/control/", "--exclude=/log",
                        m.path + "/", str(dest) + "/"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return [n for n in r.stdout.splitlines() if n and not n.endswith("/")]


def test_files_stand_across_a_restart(tmp_path):
    """Issue 80: a generated file keeps its time across a restart while it
    says the same (its time is kept in the store, as the folders' are):
    a rsync -a of the mount after a restart copies none of library/,
    manga/ (its series' settings too), opds/, playlists/ or status/; only
    what holds the clock or counters that move by themselves (metrics/,
    status/summary.json). A setting written after the restart takes a
    new time, and is copied."""
    manga, home = tmp_path / "manga", tmp_path / "home"
    volumes(manga)
    home.mkdir()
    dest = tmp_path / "copy"
    m = start(home, "manga=" + str(manga))
    try:
        catalog_settled(m, 60)
        assert copied(m, dest)
        wait_for(lambda: m.json("metrics/fuse.json")["times_unsaved"], 60,
                 "the times written", mount=m, until=lambda n: n == 0)
    finally:
        unmount(m.path, m.proc)
    m = start(home, "manga=" + str(manga))
    try:
        catalog_settled(m, 60)
        again = copied(m, dest)
        assert [n for n in again if not n.startswith("metrics/") and
                n != "status/summary.json"] == [], again
        before = os.stat(m.file("manga/Saga/monitored")).st_mtime_ns
        m.write("manga/Saga/monitored", "0")
        assert os.stat(m.file("manga/Saga/monitored")).st_mtime_ns > before
        assert "manga/Saga/monitored" in copied(m, dest)
    finally:
        unmount(m.path, m.proc)
