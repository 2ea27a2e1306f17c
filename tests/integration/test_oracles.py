# SPDX-License-Identifier: GPL-3.0-or-later
"""No aggregate tells a user what it may not see (issue 44, the medium
oracles): two local users made for the test (useradd, then setpriv to act
as them) list and read through the mount; each sees the names, numbers
and rankings computed over what it may read on disk, and nothing of the
other's private series or tracks. The work of listing /manga grows with
the series, not with their square."""

import errno
import os
import pathlib
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
