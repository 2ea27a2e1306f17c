# SPDX-License-Identifier: GPL-3.0-or-later
"""The repair deletes no link outside its library folders, with two users
made by the test (useradd, setpriv): one owns a folder of the library and
swaps it, again and again while the passes run, for a link to the other
user's folder of dead links into the mount; none of those goes. And a
torrent that fails for good keeps its links for [realdebrid] orphan_grace,
as an orphan does."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from access_users import drop_user, make_user
from test_repair import Setup, rd_mount  # noqa: F401
from realdebrid_fake import make_id

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd") or
    not shutil.which("setpriv"),
    reason="needs root, useradd and setpriv to act as other users")

VICTIM_LINKS = 50

# The attacker's loop: the library folder sub swapped for a link to the
# victim's folder and back, until told to stop, for at most max_swaps
# swaps and max_s seconds.
SWAPPER = """
import os, sys, time
sub, victim, stop, max_swaps, max_s = sys.argv[1:6]
aside = sub + ".real"
end = time.monotonic() + float(max_s)
n = 0
while (n < int(max_swaps) and time.monotonic() < end and
       not os.path.exists(stop)):
    os.rename(sub, aside)
    os.symlink(victim, sub)
    time.sleep(0.001)
    os.unlink(sub)
    os.rename(aside, sub)
    time.sleep(0.001)
    n += 1
print(n)
"""


@pytest.fixture
def users():
    made = [make_user(), make_user()]
    yield made
    for u in made:
        drop_user(u)


@pytest.fixture
def world():
    """Library folders every user may enter (pytest's are 0700)."""
    d = tempfile.mkdtemp(prefix="mediamon-races.")
    os.chmod(d, 0o755)
    yield Path(d)
    shutil.rmtree(d, ignore_errors=True)


def dead_links(folder, rdm, torrent, nr, owner):
    os.makedirs(folder, exist_ok=True)
    made = []
    for n in range(nr):
        path = os.path.join(folder, "v%02d.mkv" % n)
        os.symlink(os.path.join(rdm, torrent, "v%02d.mkv" % n), path)
        os.lchown(path, owner.uid, owner.gid)
        made.append(path)
    os.chown(folder, owner.uid, owner.gid)
    return made


def test_folder_swapped_for_a_link_loses_no_other_users_link(
        world, users, rd_mount, fake, make_mount):  # noqa: F811
    attacker, victim = users
    s = Setup(world, rd_mount, fake, make_mount,
              ratio="1",
              rd_extra="orphans = delete\norphan_grace = 0s\n")
    # The victim's own folder, outside the library, and the attacker's
    # folder of the library holding links of the same names and targets:
    # all orphans (no torrent of the account explains them).
    theirs = dead_links(str(world / "victim"), s.rdm, "Victims.Own",
                        VICTIM_LINKS, victim)
    evil = str(world / "tv" / "Evil")
    os.makedirs(evil)
    os.chown(evil, attacker.uid, attacker.gid)
    sub = os.path.join(evil, "sub")
    dead_links(sub, s.rdm, "Victims.Own", VICTIM_LINKS, attacker)
    stop = str(world / "stop")
    swapper = subprocess.Popen(
        attacker.prefix() + ["/usr/bin/python3", "-c", SWAPPER, sub,
                             str(world / "victim"), stop, "20000", "30"],
        stdout=subprocess.PIPE)
    try:
        for _ in range(25):
            s.command("run")
    finally:
        Path(stop).touch()
        out, _ = swapper.communicate(timeout=60)
    assert int(out) > 0
    assert all(os.path.islink(p) for p in theirs)
    # with the folder back in place, its own orphans go
    assert os.path.isdir(sub) and not os.path.islink(sub)

    def gone():
        s.command("run")
        return not os.listdir(sub)
    s.wait(gone, "the attacker's own orphans deleted")
    assert all(os.path.islink(p) for p in theirs)


def test_failed_for_good_keeps_its_links_for_the_grace(
        world, rd_mount, fake, make_mount):  # noqa: F811
    s = Setup(world, rd_mount, fake, make_mount,
              rd_extra="orphan_grace = 3s\n")
    s.inject(path_regex="addMagnet", status=451,
             body={"error": "infringing_file", "error_code": 35}, times=-1)
    s.command("run")
    s.wait(lambda: len(s.repairs()["failed"]) == 2, "both failed")
    # the pass that failed them is within the grace
    assert all(os.path.islink(p) for p in s.other_links + [s.dead_link])
    assert all(f["links_deleted"] == 0 for f in s.repairs()["failed"])

    def gone():
        s.command("run")
        return not any(os.path.lexists(p)
                       for p in s.other_links + [s.dead_link])
    s.wait(gone, "the links deleted once the grace ran out")
    failed = {f["torrent"]: f["links_deleted"] for f in s.repairs()["failed"]}
    assert failed == {make_id("Other.Show.S02.720p"): 3,
                      make_id("Dead.Movie.1999"): 1}
    assert os.path.islink(s.unmapped_link)
