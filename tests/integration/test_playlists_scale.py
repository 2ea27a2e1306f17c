# SPDX-License-Identifier: GPL-3.0-or-later
"""/playlists over a few hundred analysed tracks (issue 63): a listing
costs what a listing of directory entries does. The real ls -lR of
playlists/ renders each playlist once for its size, and a second one
while the store stands still renders none (metrics/fuse.json
stat_renders); [playlists] similar_tracks bounds the similar/ and mix/
playlists (and their mpd/ and library/ twins), applied on SIGHUP, and a
bad value stops the start. With a few manga series beside, the real tar
of playlists/, status/, library/ and opds/ exits 0 twice in a row, a
second rsync -a of playlists/ copies no file (--itemize-changes), nor
does one after a restart of the daemon, clean or after a SIGKILL (nor
moves a folder's time), and the real smbd shares the mount whole to smbclient's recursive copy with
its default timeout. How long the listings take goes to make bench
(tests/bench/bench.sh, section playlists)."""

import os
import signal
import sqlite3
import subprocess

import pytest

from clients import need
from conftest import start, start_refused, unmount, wait_for
from test_analysis import sox, wait_analysed
from test_samba import files_under, sharing
from test_stand_still import catalog_settled, settled, tar, volumes

TRACKS = 300
SIMILAR = 250   # [playlists] similar_tracks: fewer than the tracks


def make_tracks(root, n):
    """n FLAC cuts of four synthesised sounds, each of its own title, in
    30 album folders, with genres and years."""
    src = root.parent / "sources"
    src.mkdir()
    waves = []
    for k, wave in enumerate(("sawtooth", "square", "sine", "triangle")):
        w = str(src / ("%d.wav" % k))
        sox("-n", "-r", "22050", "-c", "1", "-b", "16", w, "synth", "24",
            wave, "%d-%d" % (200 + 50 * k, 2000 + 300 * k), "vol", "0.5")
        waves.append(w)
    for i in range(n):
        out = root / ("a%02d" % (i % 30)) / ("t%04d.flac" % i)
        out.parent.mkdir(parents=True, exist_ok=True)
        sox("-V1", waves[i % 4], str(out), "trim", str(i % 20), "4")
        subprocess.run(["metaflac", "--set-tag=TITLE=Cut %d" % i,
                        "--set-tag=ARTIST=Artist %d" % (i % 30),
                        "--set-tag=ALBUM=Album %d" % (i % 30),
                        "--set-tag=GENRE=Genre %d" % (i % 7),
                        "--set-tag=DATE=%d" % (1960 + i % 60), str(out)],
                       check=True)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The music of TRACKS tracks and two manga series, and a
    configuration giving SIMILAR tracks their similar playlists."""
    top = tmp_path_factory.mktemp("scale")
    make_tracks(top / "music", TRACKS)
    volumes(top / "manga")
    conf = top / "mediamon.conf"
    conf.write_text("[playlists]\nsimilar_tracks = %d\n" % SIMILAR)
    return top


@pytest.fixture(scope="module")
def mount(world, tmp_path_factory):
    """The mount of world (-o allow_other, for Samba), analysed and
    standing still: the tests share it (300 tracks take 3 s to analyse
    here, over two minutes on a loaded machine, where the analysis runs
    at the lowest priority)."""
    m = start(tmp_path_factory.mktemp("scale-mount"), "allow_other",
              "music=" + str(world / "music"),
              "manga=" + str(world / "manga"),
              "config=" + str(world / "mediamon.conf"))
    try:
        # 300 short tracks: 3 s here, ten times that on a loaded CI
        assert wait_analysed(m, timeout=600)["analysed"] == TRACKS
        catalog_settled(m, 120)
        yield m
    finally:
        unmount(m.path, m.proc)


def stat_renders(m):
    """The renderings stat() made, before this read's own stat of
    metrics/fuse.json (which is one)."""
    return m.json("metrics/fuse.json")["stat_renders"]


def ls_lr(m, rel):
    r = subprocess.run(["ls", "-lR", m.file(rel)], capture_output=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    return r.stdout


def counts(m):
    return {d: len(os.listdir(m.file("playlists/" + d)))
            for d in ("similar", "mix", "mpd", "library/similar",
                      "library/mix")}


def test_second_listing_renders_nothing(mount):
    m = mount
    assert counts(m) == {"similar": SIMILAR, "mix": SIMILAR,
                         "mpd": 2 * SIMILAR + 2 + 7 + 6,
                         "library/similar": SIMILAR,
                         "library/mix": SIMILAR}
    # the tracks found last have them
    names = sorted(os.listdir(m.file("playlists/similar")))
    db = sqlite3.connect("file:%s?mode=ro" % m.db, uri=True)
    try:
        ids = dict(db.execute("SELECT title, id FROM tracks"))
    finally:
        db.close()
    kept = {ids[n[:-len(".m3u8")].split(" - ", 1)[1]] for n in names}
    assert len(kept) == SIMILAR
    assert min(kept) > max(set(ids.values()) - kept)

    def again():
        """The renderings of a listing after another: none while the
        store stood still; a pair of listings that met a store change
        (a background job's commit moves the generation the kept sizes
        follow) is taken again."""
        ls_lr(m, "playlists")
        before = stat_renders(m)
        ls_lr(m, "playlists")
        return stat_renders(m) - before - 1 == 0
    wait_for(again, 300, "a listing that renders nothing", mount=m)
    # the sizes a listing shows are what reads give
    name = names[0][:-len(".m3u8")]
    for rel in ("similar/%s.m3u8" % name, "mpd/similar - %s.m3u" % name,
                "library/mix/%s.m3u8" % name, "genre/Genre 3.m3u8",
                "recent.m3u8"):
        path = m.file("playlists/" + rel)
        size = os.stat(path).st_size
        with open(path, "rb") as f:
            data = f.read()
        assert len(data) == size > len("#EXTM3U\n"), rel
    similar = m.read("playlists/similar/%s.m3u8" % name)
    assert similar == m.read("playlists/mpd/similar - %s.m3u" % name)
    assert similar.count(b"#EXTINF:") == 26


def itemized(m, dest, kinds=(">f",)):
    """What a rsync -a of playlists/ into dest says it copied (the lines
    of --itemize-changes starting with one of kinds: files by default;
    "" for every change, a folder's new time ".d..t......" among them)."""
    r = subprocess.run([need("rsync"), "-a", "--itemize-changes",
                        m.file("playlists") + "/", str(dest) + "/"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return [line for line in r.stdout.splitlines()
            if line.startswith(tuple(kinds))]


def test_tar_twice_and_second_rsync_copies_nothing(mount, tmp_path):
    m = mount
    for i in (1, 2):
        rc, err = tar(m, tmp_path / ("out%d.tar" % i))
        assert rc == 0 and "changed as we read it" not in err, (i, err)
    dest = tmp_path / "copy"
    first = itemized(m, dest)
    assert len(first) == len(files_under(m.file("playlists"))) > 5 * SIMILAR
    assert itemized(m, dest) == []


def test_samba_copies_the_whole_share(mount, tmp_path):
    """smbclient's recursive copy of the share, with its default timeout,
    gets every playlist and track."""
    m = mount
    with sharing(m, tmp_path) as (port, conf):
        dest = tmp_path / "copy"
        dest.mkdir()
        r = subprocess.run(["smbclient", "//127.0.0.1/mediamon", "-N",
                            "-p", str(port), "--configfile=" + str(conf),
                            "-c", 'recurse ON; prompt OFF; lcd "%s"; mget *'
                            % dest], capture_output=True, timeout=1200)
        out = (r.stdout + r.stderr).decode(errors="replace")
        assert r.returncode == 0 and "NT_STATUS" not in out, out[-3000:]
        for top in ("playlists", "library/music/albums"):
            want = files_under(m.file(top))
            assert len(want) >= TRACKS, top
            assert files_under(str(dest / top)) == want, top
        some = sorted(os.listdir(m.file("playlists/mix")))[0]
        for rel in ("playlists/mix/" + some, "playlists/mpd/recent.m3u"):
            with open(m.file(rel), "rb") as f:
                assert (dest / rel).read_bytes() == f.read(), rel


def times_unsaved(m):
    return m.json("metrics/fuse.json")["times_unsaved"]


@pytest.mark.parametrize("stop", ["unmount", "SIGKILL"])
def test_times_stand_across_a_restart(tmp_path, stop):
    """The first-seen times of the playlists, of their folders' names and
    of the folders of fixed names (playlists/ itself, library/) are kept
    in the store once no new one comes for a moment, and at the unmount:
    after a restart of the daemon over the same unchanged library, clean
    or after a SIGKILL, rsync -a of playlists/ copies no file and moves
    the time of no folder."""
    music = tmp_path / "music"
    make_tracks(music, 40)
    home = tmp_path / "home"
    home.mkdir()

    def mounted():
        m = start(home, "music=" + str(music))
        assert wait_analysed(m, timeout=300)["analysed"] == 40
        settled(m)
        return m

    dest = tmp_path / "copy"
    m = mounted()
    try:
        first = itemized(m, dest)
        assert len(first) > 4 * 40
        before = {d: os.stat(m.file("playlists/" + d)).st_mtime_ns
                  for d in FOLLOWING + FIXED}
        if stop == "SIGKILL":
            # written at the next quiet moment (2 s here), not only at
            # a clean stop
            wait_for(lambda: times_unsaved(m), 60, "the times written",
                     mount=m, until=lambda n: n == 0)
            m.proc.kill()
            m.proc.wait()
    finally:
        unmount(m.path, m.proc)
    m = mounted()
    try:
        assert itemized(m, dest, kinds=("",)) == []
        assert {d: os.stat(m.file("playlists/" + d)).st_mtime_ns
                for d in FOLLOWING + FIXED} == before
    finally:
        unmount(m.path, m.proc)


# The folders of /playlists whose names follow the store.
FOLLOWING = ("similar", "mix", "genre", "decade", "mpd", "library/similar")
# Those whose names are fixed.
FIXED = ("", "library")


def set_similar_tracks(m, world, n):
    """Make [playlists] similar_tracks n, applied on SIGHUP."""
    (world / "mediamon.conf").write_text(
        "[playlists]\nsimilar_tracks = %d\n" % n)
    m.proc.send_signal(signal.SIGHUP)
    want = {"similar": n, "mix": n, "mpd": 2 * n + 2 + 7 + 6,
            "library/similar": n, "library/mix": n}
    wait_for(lambda: counts(m), 120, "similar_tracks %d applied" % n,
             mount=m, until=lambda c: c == want)


def test_similar_tracks_applied_on_sighup(mount, world):
    m = mount
    try:
        set_similar_tracks(m, world, 40)
        set_similar_tracks(m, world, 0)
        assert len(os.listdir(m.file("playlists/genre"))) == 7
    finally:
        set_similar_tracks(m, world, SIMILAR)


@pytest.mark.parametrize("value", ["-1", "many", "1000001", ""])
def test_bad_similar_tracks_stops_the_start(tmp_path, value):
    conf = tmp_path / "bad.conf"
    conf.write_text("[playlists]\nsimilar_tracks = %s\n" % value)
    music = tmp_path / "music"
    music.mkdir()
    log = start_refused(tmp_path, "music=" + str(music),
                        "config=" + str(conf))
    assert "similar_tracks" in log, log
