# SPDX-License-Identifier: GPL-3.0-or-later
"""One user's flood of solid-archive pages holds no one else (issue 60,
medium 3; the probe's case). A user made for the test runs 16 processes
reading, again and again, the last page of 4 solid .cb7 archives (every
read unpacks the pages before it). While they run, another user's read
of status/health and of a page of their own volume complete: the
flooder unpacks at most 2 pages at once ([general] max_unpacks_per_user),
its other opens fail with EAGAIN at once (one log line) instead of
holding the mount's threads. Every read of the flooder succeeds once it
asks again, byte for byte. The pages are a few MiB (the probe's 20 MiB
by hand: MEDIAMON_PAGE_FLOOD_MIB=20)."""

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
    made = [make_user(), make_user()]
    yield made
    for u in made:
        drop_user(u)


def as_user(user, *cmd):
    return user.prefix() + ["/usr/bin/python3", "-c"] + list(cmd)


def read_as(user, path):
    """The bytes user reads at path, or a failure's message."""
    out = subprocess.run(as_user(user, "import sys; sys.stdout.buffer."
                                 "write(open(sys.argv[1], 'rb').read())",
                                 path), capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_one_users_flood_holds_no_one_else(world, users):
    flooder, other = users
    root = world / "manga"
    work = world / "work"
    (root / "Flood").mkdir(parents=True)
    (root / "Mine").mkdir()
    work.mkdir()
    for i in range(1, ARCHIVES + 1):
        cb7(str(root / "Flood" / ("Flood v%02d.cb7" % i)),
            str(work / str(i)),
            [("%02d.jpg" % p, PAGE_MIB * MIB) for p in range(1, 4)])
    mine = root / "Mine" / "Mine v01.cbz"
    with zipfile.ZipFile(str(mine), "w") as z:
        z.writestr("01.jpg", HEAD + b" of my own")
    os.chown(str(mine), other.uid, other.gid)
    os.chmod(str(mine), 0o600)
    m = start(world, "allow_other", "manga=" + str(root))
    flood = []
    stop = str(work / "stop")
    try:
        pages = [m.file("manga/Flood/" + folder_of(m, "Flood", i) +
                        "/0003.jpg") for i in range(1, ARCHIVES + 1)]
        own = m.file("manga/Mine/" + folder_of(m, "Mine", 1) + "/0001.jpg")
        # each archive's index read once before the flood
        assert all(os.stat(p).st_size == PAGE_MIB * MIB for p in pages)
        flood = [subprocess.Popen(as_user(flooder, FLOOD,
                                          pages[i % ARCHIVES],
                                          str(PAGE_MIB * MIB), stop),
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
                 for i in range(PROCESSES)]
        # the flood is on: the cap turned some of its opens away
        wait_for(lambda: "unpacks 2 pages of archives at once" in
                 m.read("log").decode(), 120, "the flooder at its cap",
                 mount=m)
        # the other user is answered while the flood still runs
        health = read_as(other, m.file("status/health"))
        assert health, "an empty status/health"
        assert read_as(other, own) == HEAD + b" of my own"
        still = [p for p in flood if p.poll() is None]
        assert len(still) == PROCESSES, "the flood ended before the check"
        # the flooder's reads all succeed once asked again
        open(stop, "w").close()
        for p in flood:
            out, err = p.communicate(timeout=600)
            assert p.returncode == 0, err.decode()[-2000:]
            done, _ = map(int, out.split())
            assert done >= 1
    finally:
        open(stop, "w").close()
        for p in flood:
            if p.poll() is None:
                p.kill()
                p.wait()
        unmount(m.path, m.proc)
