# SPDX-License-Identifier: GPL-3.0-or-later
"""The session loop (fs/tree/session.h): libfuse's fuse_session_loop_mt, each
thread reading its own clone of the FUSE device. Walks are answered, also
while every CPU is kept busy; reads are answered while a walk runs, and
many readers at once with few threads; an open held up by a file system
that does not answer holds neither the other requests nor the status
files. metrics/fuse.json says how the mount answers (the loop, clone_fd,
max_threads, max_idle_threads, also under -s) and counts the requests
answered and in flight. The options of the loop mediamon once had
(nofollow_cpu, libfuse_loop) still mount, each with a warning."""

import hashlib
import os
import shutil
import subprocess
import threading

import pytest

from conftest import SLOW, start, stopped, unmount, wait_for
from test_walks import ALBUMS, ARTISTS, album_tags, expected, retag

MUSIC = os.path.join("library", "music")


@pytest.fixture(scope="module")
def big_template(template_library, tmp_path_factory):
    """ARTISTS x ALBUMS albums of one track: a walk of some hundreds of
    requests."""
    root = tmp_path_factory.mktemp("session") / "music"
    src = str(template_library / "Alpha" / "First" / "01.flac")
    albums = {}
    for i in range(ARTISTS):
        for j in range(ALBUMS):
            rel = "a%02d/b%d/01.flac" % (i, j)
            os.makedirs(str(root / os.path.dirname(rel)))
            shutil.copy(src, str(root / rel))
            albums[rel] = album_tags(i, j)
            retag(str(root / rel), albums[rel])
    return root, albums


@pytest.fixture
def big(big_template, tmp_path):
    root, albums = big_template
    dst = tmp_path / "music"
    shutil.copytree(str(root), str(dst))
    return dst, albums


@pytest.fixture
def make_mount(tmp_path):
    mounts = []

    def make(*options, where=None, wrapper=()):
        m = start(where or tmp_path, *options, wrapper=wrapper)
        mounts.append(m)
        return m
    yield make
    for m in mounts:
        unmount(m.path, m.proc)


def find_files(mount, timeout=120):
    """The files of every music view, by find, within a generous time: a
    mount whose requests starve never ends it."""
    top = mount.file(MUSIC)
    out = subprocess.run(["find", top, "-type", "f"], check=True,
                         capture_output=True, text=True,
                         timeout=timeout * SLOW).stdout
    return {os.path.relpath(p, top) for p in out.splitlines()}


def stats(mount):
    return mount.json("metrics/fuse.json")


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def track(mount, tags):
    """A track's file in the artists view."""
    return mount.file(os.path.join(
        MUSIC, "artists", tags["ARTIST"], "%s (%s)" %
        (tags["ALBUM"], tags["DATE"]), "01 - %s.flac" % tags["TITLE"]))


def test_a_walk_is_answered_and_counted(make_mount, big):
    root, albums = big
    m = make_mount("music=" + str(root))
    before = stats(m)
    assert find_files(m) == expected(albums)
    after = stats(m)
    assert after["loop"] == "fuse_session_loop_mt"
    assert after["clone_fd"] is True
    # libfuse's defaults: ten threads, the idle ones never ended
    assert after["max_threads"] == 10
    assert after["max_idle_threads"] is None
    # a lookup, an attribute and a listing at least for each of its
    # folders
    assert after["requests"] - before["requests"] >= len(albums) * 4
    # the open that renders fuse.json is one
    assert 1 <= after["requests_in_flight"] <= after["max_threads"]


def burn():
    """A busy loop at the normal policy on every CPU, as a scan or a
    compile keeps them."""
    return [subprocess.Popen(["sh", "-c", "while :; do :; done"])
            for _ in range(os.cpu_count() or 1)]


def test_busy_cpus_do_not_starve_a_walk(make_mount, big):
    root, albums = big
    m = make_mount("music=" + str(root))
    burners = burn()
    try:
        assert find_files(m) == expected(albums)
        assert len(find_files(m)) == len(expected(albums))
    finally:
        for b in burners:
            b.kill()
            b.wait()


def test_reads_are_answered_while_a_walk_runs(make_mount, big):
    root, albums = big
    m = make_mount("music=" + str(root))
    walker = subprocess.Popen(["find", m.file(MUSIC)],
                              stdout=subprocess.DEVNULL)
    try:
        requests = stats(m)["requests"]
        for rel in sorted(albums)[:10]:
            assert digest(track(m, albums[rel])) == digest(str(root / rel))
        assert stats(m)["requests"] > requests
    finally:
        assert walker.wait(timeout=60 * SLOW) == 0


def test_many_readers_with_few_threads(make_mount, big):
    """Thirty readers at once, three threads: each is answered in full,
    and the figures say what the command line asked for."""
    root, albums = big
    m = make_mount("music=" + str(root), "max_threads=3",
                   "max_idle_threads=2")
    s = stats(m)
    assert (s["max_threads"], s["max_idle_threads"]) == (3, 2)
    rels = sorted(albums)[:30]
    want = {rel: digest(str(root / rel)) for rel in rels}
    got, errors = {}, []

    def read(rel):
        try:
            got[rel] = digest(track(m, albums[rel]))
        except OSError as e:
            errors.append((rel, e))
    readers = [threading.Thread(target=read, args=(rel,)) for rel in rels]
    for r in readers:
        r.start()
    for r in readers:
        r.join(timeout=60 * SLOW)
    assert not any(r.is_alive() for r in readers), "a reader hung"
    assert not errors and got == want
    assert 1 <= stats(m)["requests_in_flight"] <= 3


def test_single_threaded(make_mount, big):
    """-s: libfuse's loop on one thread, which answers all the same."""
    root, albums = big
    m = make_mount("music=" + str(root),
                   wrapper=("sh", "-c", 'exec "$@" -s', "sh"))
    assert find_files(m) == expected(albums)
    rel = sorted(albums)[0]
    assert digest(track(m, albums[rel])) == digest(str(root / rel))
    s = stats(m)
    assert s["loop"] == "fuse_session_loop" and s["clone_fd"] is False
    assert s["max_threads"] == 1 and s["requests_in_flight"] == 1


def test_obsolete_loop_options_still_mount(make_mount, big, tmp_path):
    """An fstab line written for the loop mediamon once had mounts: its
    options are named in one warning each and change nothing."""
    root, albums = big
    m = make_mount("music=" + str(root), "nofollow_cpu", "libfuse_loop")
    assert find_files(m) == expected(albums)
    assert stats(m)["loop"] == "fuse_session_loop_mt"
    log = (tmp_path / "mediamon.log").read_text()
    for option in ("nofollow_cpu", "libfuse_loop"):
        assert log.count("option %s is obsolete and ignored" % option) \
            == 1, log


def test_a_held_open_holds_nothing_else(make_mount, library, tmp_path):
    """A mount whose root lies in another mount (here a second mediamon's
    artists view) that stops answering: an open of a track waits for it,
    on one thread; the other threads answer the status files and the
    listings meanwhile, and fuse.json counts the open in flight. The open
    ends with the right bytes once the other mount answers again."""
    (tmp_path / "below").mkdir()
    (tmp_path / "above").mkdir()
    below = make_mount("music=" + str(library), where=tmp_path / "below")
    above = make_mount("music=" + below.file(MUSIC + "/artists"),
                       where=tmp_path / "above")
    try:
        wait_for(lambda: above.json("metrics/analysis.json"), 60,
                 "the analysis done", mount=above, until=lambda a:
                 a["queued"] == 0 and a["busy"] == 0)
        above.wait_quiet()
        path = next(os.path.join(d, f) for d, _, files in
                    sorted(os.walk(above.file(MUSIC + "/artists")))
                    for f in sorted(files))
        want = digest(path)
        got = {}
        with stopped(below.proc):
            reader = threading.Thread(
                target=lambda: got.update(bytes=digest(path)))
            reader.start()
            wait_for(lambda: stats(above), 10, "the open in flight",
                     mount=above,
                     until=lambda s: s["requests_in_flight"] >= 2)
            assert not got
            assert above.json("status/summary.json")["counts"]["tracks"] \
                == 9
            assert os.listdir(above.file("status"))
            assert above.read("status/health")
        reader.join(timeout=30 * SLOW)
        assert got == {"bytes": want}
    finally:
        unmount(above.path, above.proc)
