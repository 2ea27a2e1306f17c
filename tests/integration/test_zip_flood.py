# SPDX-License-Identifier: GPL-3.0-or-later
"""One user's loop over a large folder volume holds no one else (issue
76). A folder volume's generated .cbz opens every image as the caller
(their CRC-32s are the scan's, test_opds_zip_crc.py): the open counts
as a page unpacked for the user's cap ([general] max_unpacks_per_user,
2), so 16
processes of a user made for the test, each reading the last 100 bytes
of the zip (tail -c 100) again and again, hold at most 2 of the mount's
threads, the others failing with EAGAIN at once (one log line) and
succeeding when asked again; another user's read of status/health is
answered meanwhile. A folder of more images than an archive may have
entries (10,000) has no .cbz: it is in no feed and no listing, and the
log says why, once. make test: 2,000 images read, 10,001 refused; make
flood: the issue's 10,000 read and 100,000 refused, and status/health
within a second."""

import os
import subprocess

import pytest

from conftest import start, unmount, wait_for
from test_page_flood import as_user, users, world  # noqa: F401

PROCESSES = 16
HEALTH_READS = 10
CAP = 10000     # PAGES_MAX_ENTRIES

# One flooding process: the last 100 bytes of the zip, until the stop
# file exists (at least once), asking again soon on EAGAIN; prints how
# many reads succeeded and were refused; fails on any other error or
# bytes that are not the end of a zip, or not the same each time.
FLOOD = """
import errno, os, sys, time
path, stop = sys.argv[1], sys.argv[2]
done = again = 0
first = None
while not done or not os.path.exists(stop):
    try:
        with open(path, "rb") as f:
            f.seek(-100, 2)
            data = f.read()
    except OSError as e:
        if e.errno != errno.EAGAIN:
            raise
        again += 1
        time.sleep(0.02)
        continue
    assert len(data) == 100 and data[-22:-18] == b"PK\\x05\\x06", data
    assert first is None or data == first
    first = data
    done += 1
print(done, again)
"""

# Another user's reads of status/health, one after the other (each as
# cat does it: open, read to the end, close): the longest, in seconds.
HEALTH = """
import sys, time
worst = 0
for _ in range(int(sys.argv[2])):
    began = time.monotonic()
    with open(sys.argv[1], "rb") as f:
        assert f.read()
    worst = max(worst, time.monotonic() - began)
print(worst)
"""


def make_images(folder, n):
    os.makedirs(folder)
    for i in range(n):
        fd = os.open(os.path.join(folder, "%06d.jpg" % i),
                     os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, b"\xff\xd8\xff\xe0 page %d" % i)
        os.close(fd)


@pytest.mark.parametrize("read,refused", [
    (2000, CAP + 1),
    # the case: `make flood` (tests/integration/conftest.py)
    pytest.param(CAP, 100000, marks=pytest.mark.flood)])
def test_one_users_zip_loop_holds_no_one_else(
        world, users, read, refused):  # noqa: F811
    flooder, other = users[0], users[2]
    root = world / "manga"
    make_images(str(root / "Big" / "Big T01"), read)
    make_images(str(root / "Big" / "Big T02"), refused)
    m = start(world, "allow_other", "manga=" + str(root))
    procs = []
    stop = str(world / "stop")
    try:
        feed = "opds/series/Big.xml"
        wait_for(lambda: m.read(feed), 600, "the volume in the feed",
                 mount=m, ignore=(FileNotFoundError,), interval=0.5,
                 until=lambda d: b"<entry>" in d)
        # the folder past the cap has no zip, and the log says why, once
        assert m.read(feed).count(b"<entry>") == 1
        assert b"Big%20Volume%20001.cbz" in m.read(feed)
        listing = m.file("opds/files/Big")
        assert not os.path.exists(os.path.join(listing,
                                               "Big Volume 002.cbz"))
        told = "has more than %d images or files: no .cbz" % CAP
        wait_for(lambda: told in m.read("log").decode(), 60,
                 "the reason logged", mount=m)
        assert m.read("log").decode().count(told) == 1
        book = os.path.join(listing, "Big Volume 001.cbz")
        # read whole once before the flood, as the owner
        assert os.path.getsize(book) > read * 100
        procs = [subprocess.Popen(as_user(flooder, FLOOD, book, stop),
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
                 for _ in range(PROCESSES)]
        # the flood is on: the cap turned some of its opens away
        wait_for(lambda: "unpacks 2 pages of archives at once" in
                 m.read("log").decode(), 300, "the flooder at its cap",
                 mount=m)
        r = subprocess.run(as_user(other, HEALTH, m.file("status/health"),
                                   str(HEALTH_READS)),
                           capture_output=True, timeout=600)
        assert r.returncode == 0, r.stderr[-2000:]
        worst = float(r.stdout)
        print("status/health: %.3f s at worst" % worst)
        assert all(p.poll() is None for p in procs), \
            "the flood ended before the check"
        open(stop, "w").close()
        for p in procs:
            out, err = p.communicate(timeout=600)
            assert p.returncode == 0, err.decode()[-2000:]
            done, _ = map(int, out.split())
            assert done >= 1
        # the flooder's own open of the folder past the cap: not there
        r = subprocess.run(as_user(flooder, "open(%r)" % os.path.join(
            listing, "Big Volume 002.cbz")), capture_output=True)
        assert b"FileNotFoundError" in r.stderr, r.stderr
        if refused >= 100000:
            assert worst < 1.0, "status/health took %.1f s" % worst
    finally:
        open(stop, "w").close()
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        unmount(m.path, m.proc)
