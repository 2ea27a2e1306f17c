"""The session loop (fs/loop.h): a walk is answered on the CPU of the
walker, by the lane at SCHED_IDLE; CPUs kept busy by other processes do
not starve it, as the watchdog puts it back; without the right to leave
SCHED_IDLE, or with -o nofollow_cpu, it answers on any CPU; reads go to
the workers, also while a walk runs."""

import hashlib
import os
import shutil
import subprocess
import time

import pytest

from conftest import SLOW, start, unmount
from test_walks import ALBUMS, ARTISTS, album_tags, expected, retag

MUSIC = os.path.join("library", "music")
# Root without CAP_SYS_NICE (and with the default RLIMIT_NICE of 0) may
# go to SCHED_IDLE but not come back.
NO_NICE = ["setpriv", "--inh-caps=-sys_nice", "--bounding-set=-sys_nice"]


@pytest.fixture(scope="module")
def big_template(template_library, tmp_path_factory):
    """ARTISTS x ALBUMS albums of one track: a walk of some hundreds of
    requests."""
    root = tmp_path_factory.mktemp("loop") / "music"
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

    def make(*options, wrapper=()):
        m = start(tmp_path, *options, wrapper=wrapper)
        mounts.append(m)
        return m
    yield make
    for m in mounts:
        unmount(m.path, m.proc)


def find_files(mount, program="find", timeout=120):
    """The files of every music view, by a find run as program (a name
    for /usr/bin/find), within a generous time: a lane starved for good
    never ends."""
    top = mount.file(MUSIC)
    out = subprocess.run([program, top, "-type", "f"], check=True,
                         capture_output=True, text=True,
                         timeout=timeout * SLOW).stdout
    return {os.path.relpath(p, top) for p in out.splitlines()}


def stats(mount):
    return mount.json("metrics/fuse.json")


def rest():
    """Let the lane stop following (after LOOP_LINGER_MS without a
    request) and outlast a cooling off (LOOP_COOL_MS after the watchdog
    put a starved lane back, as on a busy machine it may have): the next
    walker it follows is a move."""
    time.sleep(1.3)


def test_a_walk_is_answered_on_the_walkers_cpu(make_mount, big):
    root, albums = big
    m = make_mount("music=" + str(root))
    before = stats(m)
    rest()
    assert find_files(m) == expected(albums)
    after = stats(m)
    assert after["follow"] is True
    assert after["moves"] > before["moves"]
    assert after["lane_requests"] - before["lane_requests"] >= \
        len(albums) * 4
    for key in ("lane_requests", "worker_requests", "workers",
                "workers_busy", "moves", "rescues", "demotions"):
        assert isinstance(after[key], int) and after[key] >= 0, key
    assert after["following"] in (True, False)
    assert (after["cpu"] is None) == (not after["following"])


def burn():
    """A busy loop at the normal policy on every CPU, as a scan or a
    compile keeps them."""
    return [subprocess.Popen(["sh", "-c", "while :; do :; done"])
            for _ in range(os.cpu_count() or 1)]


def test_busy_cpus_do_not_starve_the_lane(make_mount, big):
    root, albums = big
    m = make_mount("music=" + str(root))
    burners = burn()
    try:
        time.sleep(0.2)
        assert find_files(m) == expected(albums)
        s = stats(m)
        assert s["moves"] >= 1
        # held up, the lane gave its requests to the workers or went
        # back to the normal policy
        assert s["rescues"] + s["demotions"] >= 1
        # a second walk while the watchdog keeps the lane off SCHED_IDLE
        # is answered all the same
        assert len(find_files(m)) == len(expected(albums))
    finally:
        for b in burners:
            b.kill()
            b.wait()


def test_nofollow_cpu_answers_on_any_cpu(make_mount, big):
    root, albums = big
    m = make_mount("music=" + str(root), "nofollow_cpu")
    assert find_files(m) == expected(albums)
    s = stats(m)
    assert s["loop"] == "mediamon"
    assert s["follow"] is False and s["following"] is False
    assert s["moves"] == 0 and s["cpu"] is None
    assert s["lane_requests"] >= len(albums) * 4


def test_libfuse_loop_answers_walks_and_reads(make_mount, big):
    """-o libfuse_loop serves the mount with libfuse's loop (what make
    bench races ours against): fs/loop.c never runs."""
    root, albums = big
    m = make_mount("music=" + str(root), "libfuse_loop")
    assert find_files(m) == expected(albums)
    rel = sorted(albums)[0]
    tags = albums[rel]
    through = m.file(os.path.join(
        MUSIC, "artists", tags["ARTIST"], "%s (%s)" %
        (tags["ALBUM"], tags["DATE"]), "01 - %s.flac" % tags["TITLE"]))
    assert digest(through) == digest(str(root / rel))
    s = stats(m)
    assert s["loop"] == "libfuse"
    assert s["lane_requests"] == 0 and s["worker_requests"] == 0
    assert m.json("status/summary.json")["counts"]["tracks"] == len(albums)


def test_without_the_right_to_leave_sched_idle(make_mount, big, tmp_path):
    root, albums = big
    m = make_mount("music=" + str(root), wrapper=NO_NICE)
    assert find_files(m) == expected(albums)
    s = stats(m)
    assert s["follow"] is False and s["moves"] == 0
    log = (tmp_path / "mediamon.log").read_text()
    assert "no right to leave SCHED_IDLE" in log


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def test_reads_go_to_workers_while_a_walk_runs(make_mount, big):
    root, albums = big
    m = make_mount("music=" + str(root))
    walker = subprocess.Popen(["find", m.file(MUSIC)],
                              stdout=subprocess.DEVNULL)
    try:
        workers = stats(m)["worker_requests"]
        for rel in sorted(albums)[:10]:
            tags = albums[rel]
            through = m.file(os.path.join(
                MUSIC, "artists", tags["ARTIST"], "%s (%s)" %
                (tags["ALBUM"], tags["DATE"]),
                "01 - %s.flac" % tags["TITLE"]))
            assert digest(through) == digest(str(root / rel))
        assert stats(m)["worker_requests"] > workers
    finally:
        assert walker.wait(timeout=60 * SLOW) == 0
