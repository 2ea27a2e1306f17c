# SPDX-License-Identifier: GPL-3.0-or-later
"""No aggregate tells a user what it may not see (issue 44, the medium
oracles): two local users made for the test (useradd, then setpriv to act
as them) list and read through the mount; each sees the names, numbers
and rankings computed over what it may read on disk, and nothing of the
other's private series or tracks. The work of listing /manga grows with
the series, not with their square."""

import errno
import json
import os
import time

import pytest

from conftest import unmount
from test_access import (denied, drop_user, make_user, start_daemon,
                         world)  # noqa: F401 (world is a fixture)

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.exists("/usr/bin/setpriv"),
    reason="needs root, useradd and setpriv to act as other users")


@pytest.fixture
def users():
    """Two users of the machine: the owner of the private things and the
    one who should learn nothing of them."""
    a, b = make_user(), make_user()
    yield a, b
    drop_user(a)
    drop_user(b)


# ls -l as a user: the names, those whose stat failed and the time taken.
LS_L = """
import json, os, sys, time
began = time.monotonic()
names, failed = sorted(os.listdir(sys.argv[1])), []
for n in names:
    try:
        os.stat(os.path.join(sys.argv[1], n))
    except OSError:
        failed.append(n)
print(json.dumps({"names": names, "failed": failed,
                  "took": time.monotonic() - began}))
"""


def volume(folder, name):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(b"PK\x05\x06" + b"\0" * 18)


def test_duplicate_names_are_numbered_per_caller(world, users):
    """Three roots hold a series named Saga, two of them in folders only
    user a may list: b sees one Saga and no " (2)" (by a gap in the
    numbers it would learn that a hidden Saga exists, whatever its id), a
    sees three, numbered among its own, and root all three."""
    a, b = users
    roots = [os.path.join(world, r) for r in ("r1", "r2", "r3")]
    for r, private in zip(roots, (True, False, True)):
        folder = os.path.join(r, "Saga")
        volume(folder, "Saga T01.cbz")
        if private:
            os.chown(folder, a.uid, a.gid)
            os.chmod(folder, 0o700)
    m = start_daemon(world, *["manga=" + r for r in roots])
    try:
        every = ["Saga", "Saga (2)", "Saga (3)"]
        assert sorted(os.listdir(m.file("manga"))) == every
        got_a = a.ask([("list", m.file("manga"))] +
                      [("read", m.file("manga/%s/volumes" % n))
                       for n in every])
        assert got_a[0] == every, got_a
        assert got_a[1:] == [b"1\n"] * 3, got_a
        got_b = b.ask([("list", m.file("manga")),
                       ("read", m.file("manga/Saga/volumes")),
                       ("stat", m.file("manga/Saga (2)")),
                       ("stat", m.file("manga/Saga (3)"))])
        assert got_b[0] == ["Saga"], got_b
        assert got_b[1] == b"1\n", got_b
        for g, n in zip(got_b[2:], ("Saga (2)", "Saga (3)")):
            denied(g, n)
            assert g.errno == errno.ENOENT, (n, g)
    finally:
        unmount(m.path, m.proc)


def test_five_thousand_series_are_listed_and_found(world, users):
    """ls -l of /manga with 5,000 series (a thousand of them named as
    others, in a second root, half of those only user a's): every name
    listed once, each found by its name, for root and for user b, in a
    time that grows with the series (printed, not asserted: the listing
    and each lookup were a walk of the store each, 10.7 s here)."""
    a, b = users
    r1, r2 = os.path.join(world, "r1"), os.path.join(world, "r2")
    for i in range(4000):
        volume(os.path.join(r1, "Series %04d" % i), "v1.cbz")
    for i in range(1000):
        folder = os.path.join(r2, "Series %04d" % i)
        volume(folder, "v1.cbz")
        if i % 2 == 0:
            os.chown(folder, a.uid, a.gid)
            os.chmod(folder, 0o700)
    m = start_daemon(world, "manga=" + r1, "manga=" + r2)
    try:
        every = ["Series %04d" % i for i in range(4000)] + \
            ["Series %04d (2)" % i for i in range(1000)]
        theirs = ["Series %04d" % i for i in range(4000)] + \
            ["Series %04d (2)" % i for i in range(1, 1000, 2)]
        began = time.monotonic()
        names = os.listdir(m.file("manga"))
        for n in names:
            os.stat(m.file("manga/" + n))
        took = time.monotonic() - began
        assert sorted(names) == sorted(every)
        out = b.run("/usr/bin/python3", "-c", LS_L, m.file("manga"))
        assert out.returncode == 0, out
        got = json.loads(out.stdout)
        assert got["names"] == sorted(theirs), len(got["names"])
        assert got["failed"] == [], got["failed"][:5]
        took_b = got["took"]
        print("ls -l /manga of 5,000 series: %.2f s as root, %.2f s as a "
              "user" % (took, took_b))
        hidden = b.ask([("stat", m.file("manga/Series %04d (2)" % i))
                        for i in range(0, 10, 2)])
        for g in hidden:
            assert isinstance(g, OSError) and g.errno == errno.ENOENT, g
    finally:
        unmount(m.path, m.proc)
