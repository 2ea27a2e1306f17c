# SPDX-License-Identifier: GPL-3.0-or-later
"""One user's flood of solid-archive pages holds no one else (issue 60,
medium 3; the probe's case). A user made for the test runs 16 processes
reading, again and again, the last page of 4 solid .cb7 archives (every
read unpacks the pages before it). While they run, another user's read
of status/health and of a page of their own volume complete: the
flooder unpacks at most 2 pages at once ([general] max_unpacks_per_user),
its other opens fail with EAGAIN at once (one log line) instead of
holding the mount's threads. Every read of the flooder succeeds once it
asks again, byte for byte. The same holds with two flooders, each
under its own cap, held together by [general] max_unpacks. The pages
are a few MiB (the probe's 20 MiB by hand: MEDIAMON_PAGE_FLOOD_MIB=20)."""

import os
import pathlib
import shutil
import subprocess
import tempfile
import zipfile

import pytest

from conftest import start, unmount, wait_for
from access_users import drop_user, make_user
from test_page_budget import HEAD, cb7, folder_of

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd") or
    not shutil.which("setpriv"),
    reason="needs root, useradd and setpriv to act as another user")

MIB = 1 << 20
PAGE_MIB = int(os.environ.get("MEDIAMON_PAGE_FLOOD_MIB", "4"))
ARCHIVES = 4
PROCESSES = 16

# One flooding process: reads the last page of its archive until the
# stop file exists (at least once), asking again soon on EAGAIN (and on
# ENOMEM, its memory cap, which 16 open pages of 20 MiB reach); prints how
# many reads succeeded, how many were refused, and fails on any other
# error or wrong bytes.
FLOOD = """
import errno, os, sys, time
page, size, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3]
done = again = 0
while not done or not os.path.exists(stop):
    try:
        with open(page, "rb") as f:
            data = f.read()
    except OSError as e:
        if e.errno not in (errno.EAGAIN, errno.ENOMEM):
            raise
        again += 1
        time.sleep(0.02)
        continue
    assert len(data) == size and data[:4] == b"\\xff\\xd8\\xff\\xe0" \\
        and data.count(0) == size - 4, len(data)
    done += 1
print(done, again)
"""


@pytest.fixture
def world():
    """A folder every user may enter (pytest's own are 0700)."""
    d = tempfile.mkdtemp(prefix="mediamon-flood.")
    os.chmod(d, 0o755)
    yield pathlib.Path(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def users():
    made = [make_user(), make_user(), make_user()]
    yield made
    for u in made:
        drop_user(u)


def as_user(user, *cmd):
    return user.prefix() + ["/usr/bin/python3", "-c"] + list(cmd)


# Read argv[1] and write its bytes out; with argv[2], asking again on
# EAGAIN (the cap of all users reached) for up to that many seconds.
READ = """
import errno, sys, time
end = time.monotonic() + float(sys.argv[2] if sys.argv[2:] else 0)
while True:
    try:
        with open(sys.argv[1], "rb") as f:
            data = f.read()
        break
    except OSError as e:
        if e.errno != errno.EAGAIN or time.monotonic() > end:
            raise
        time.sleep(0.02)
sys.stdout.buffer.write(data)
"""


def read_as(user, path, again=0):
    """The bytes user reads at path (asking again on EAGAIN for again
    seconds), or a failure's message."""
    out = subprocess.run(as_user(user, READ, path, str(again)),
                         capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def flood(world, flooders, other, general, capped, again=0):
    """PROCESSES processes of each of flooders read the last pages of
    their solid archives (4 a user) with [general] general; once the log
    says capped, other reads status/health and a page of its own volume
    (asking again on EAGAIN for again seconds) while they still run;
    then every flooder's read succeeds."""
    root = world / "manga"
    work = world / "work"
    (root / "Mine").mkdir(parents=True)
    work.mkdir()
    pages = {}
    for k, u in enumerate(flooders):
        series = "Flood %d" % k
        (root / series).mkdir()
        for i in range(1, ARCHIVES + 1):
            cb7(str(root / series / ("%s v%02d.cb7" % (series, i))),
                str(work / ("%d-%d" % (k, i))),
                [("%02d.jpg" % p, PAGE_MIB * MIB) for p in range(1, 4)])
    mine = root / "Mine" / "Mine v01.cbz"
    with zipfile.ZipFile(str(mine), "w") as z:
        z.writestr("01.jpg", HEAD + b" of my own")
    os.chown(str(mine), other.uid, other.gid)
    os.chmod(str(mine), 0o600)
    conf = work / "mediamon.conf"
    conf.write_text("[general]\n" + general)
    conf.chmod(0o600)
    m = start(world, "allow_other", "config=" + str(conf),
              "manga=" + str(root))
    procs = []
    stop = str(work / "stop")
    try:
        for k, u in enumerate(flooders):
            series = "Flood %d" % k
            pages[u] = [m.file("manga/%s/%s/0003.jpg" % (
                series, folder_of(m, series, i)))
                for i in range(1, ARCHIVES + 1)]
        own = m.file("manga/Mine/" + folder_of(m, "Mine", 1) + "/0001.jpg")
        # each archive's index read once before the flood
        assert all(os.stat(p).st_size == PAGE_MIB * MIB
                   for u in flooders for p in pages[u])
        procs = [subprocess.Popen(as_user(u, FLOOD, pages[u][i % ARCHIVES],
                                          str(PAGE_MIB * MIB), stop),
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
                 for u in flooders for i in range(PROCESSES)]
        # the flood is on: the cap turned some of its opens away
        wait_for(lambda: capped in m.read("log").decode(), 120,
                 "the flooders at the cap", mount=m)
        # the other user is answered while the flood still runs
        health = read_as(other, m.file("status/health"))
        assert health, "an empty status/health"
        assert read_as(other, own, again) == HEAD + b" of my own"
        still = [p for p in procs if p.poll() is None]
        assert len(still) == len(procs), "the flood ended before the check"
        # the flooders' reads all succeed once asked again
        open(stop, "w").close()
        for p in procs:
            out, err = p.communicate(timeout=600)
            assert p.returncode == 0, err.decode()[-2000:]
            done, _ = map(int, out.split())
            assert done >= 1
    finally:
        open(stop, "w").close()
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        unmount(m.path, m.proc)


def test_one_users_flood_holds_no_one_else(world, users):
    flood(world, users[:1], users[2], "",
          "unpacks 2 pages of archives at once")


def test_many_users_at_their_cap_hold_no_one_else(world, users):
    """Two users each at max_unpacks_per_user (2) would unpack 4 pages
    at once; [general] max_unpacks = 3 holds them all to 3: the fourth
    is EAGAIN (one log line), the other user's health is answered at
    once, and their page once they ask again, as a reader does."""
    flood(world, users[:2], users[2],
          "max_unpacks_per_user = 2\nmax_unpacks = 3\n",
          "the cap of all of them ([general] max_unpacks)", again=120)
