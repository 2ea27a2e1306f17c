# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 60's next probe: the generated .cbz of a folder of images checks
the caller's rights when it is opened and reads each image later, as the
daemon. A user who owns a folder volume opens its zip, then swaps one of
its images for a symlink to another user's 0600 image of the same size
inside the roots: the read must not give the other user's bytes."""

import errno
import os
import pathlib
import shutil
import tempfile
import zipfile

import pytest

from conftest import start, unmount, wait_for
from test_http import Web
from test_opds import make_archive, world  # noqa: F401

FEED = "opds/series/Blue Lock.xml"
SECRET = b"\xff\xd8 the victim's private page " + b"S" * 4000

# The attacker's process: open the zip, swap the image, read.
SWAP = """
import os, sys
book, image, target = sys.argv[1:4]
with open(book, "rb") as f:
    os.unlink(image)
    os.symlink(target, image)
    try:
        data = f.read()
    except OSError as e:
        print("errno", e.errno)
        sys.exit(0)
print("leaked" if b"private page" in data else "clean")
"""

# The same with the whole folder: renamed away, a link to root's put in
# its place.
SWAP_DIR = """
import os, sys
book, folder, target = sys.argv[1:4]
with open(book, "rb") as f:
    os.rename(folder, folder + ".away")
    os.symlink(target, folder)
    try:
        data = f.read()
    except OSError as e:
        print("errno", e.errno)
        sys.exit(0)
print("leaked" if b"private page" in data else "clean")
"""


def test_swapped_image_reads_nothing_of_others(world):  # noqa: F811
    from access_users import drop_user, make_user

    root = os.path.join(world, "manga")
    series = os.path.join(root, "Blue Lock")
    os.makedirs(series)
    os.chmod(root, 0o755)
    os.chmod(series, 0o777)
    make_archive(os.path.join(series, "Blue Lock T01.cbz"),
                 [("1.jpg", b"\xff\xd8 volume one")])
    # root's private image, in a folder others may list
    victim = os.path.join(series, "Blue Lock T02")
    os.makedirs(victim)
    secret = os.path.join(victim, "001.jpg")
    with open(secret, "wb") as f:
        f.write(SECRET)
    os.chmod(secret, 0o600)
    user = make_user()
    mine = os.path.join(series, "Blue Lock T03")
    os.makedirs(mine)
    image = os.path.join(mine, "001.jpg")
    with open(image, "wb") as f:
        f.write(b"\xff\xd8" + b"m" * (len(SECRET) - 2))
    for p in (mine, image):
        os.chown(p, user.uid, user.gid)
    m = start(pathlib.Path(world), "allow_other", "manga=" + root)
    try:
        wait_for(lambda: m.read(FEED), 60, "the three volumes", mount=m,
                 ignore=(FileNotFoundError,),
                 until=lambda d: d.count(b"<entry>") == 3)
        out = user.run("/usr/bin/python3", "-c", SWAP,
                       m.file("opds/files/Blue Lock/Blue Lock Volume 003.cbz"),
                       image, secret)
        assert out.returncode == 0, out
        assert out.stdout.split() == [b"errno", b"%d" % errno.EACCES], out
        assert "is not the file its zip was opened with" in \
            m.read("log").decode()
        # the folder swapped whole for a link to root's, same names
        os.unlink(image)
        with open(image, "wb") as f:
            f.write(b"\xff\xd8" + b"m" * (len(SECRET) - 2))
        os.chown(image, user.uid, user.gid)
        # scanned again: a zip of an image changed since its scan is
        # refused at the open (EAGAIN), before any swap
        m.rescan()
        out = user.run("/usr/bin/python3", "-c", SWAP_DIR,
                       m.file("opds/files/Blue Lock/Blue Lock Volume 003.cbz"),
                       mine, victim)
        assert out.returncode == 0, out
        assert out.stdout.split()[0] == b"errno", out
    finally:
        unmount(m.path, m.proc)
        drop_user(user)


def test_a_users_own_folder_zip_over_the_listener(world):  # noqa: F811
    """The listener's account of that user gets its own folder's zip (its
    images opened as the user at the open), and not root's 0600 one."""
    from access_users import drop_user, make_user

    if not shutil.which("htpasswd") or not shutil.which("curl"):
        pytest.skip("needs htpasswd and curl")
    root = os.path.join(world, "manga")
    series = os.path.join(root, "Blue Lock")
    os.makedirs(series)
    make_archive(os.path.join(series, "Blue Lock T01.cbz"),
                 [("1.jpg", b"\xff\xd8 volume one")])
    victim = os.path.join(series, "Blue Lock T02")
    os.makedirs(victim)
    with open(os.path.join(victim, "001.jpg"), "wb") as f:
        f.write(SECRET)
    os.chmod(os.path.join(victim, "001.jpg"), 0o600)
    user = make_user()
    mine = os.path.join(series, "Blue Lock T03")
    os.makedirs(mine)
    with open(os.path.join(mine, "001.jpg"), "wb") as f:
        f.write(b"\xff\xd8 mine")
    for p in (mine, os.path.join(mine, "001.jpg")):
        os.chown(p, user.uid, user.gid)
    w = Web(tempfile.mkdtemp(dir=world), names=("root", user.name),
            manga=root)
    try:
        wait_for(lambda: w.m.read(FEED), 60, "the three volumes",
                 mount=w.m, ignore=(FileNotFoundError,),
                 until=lambda d: d.count(b"<entry>") == 3)
        book = "/opds/files/Blue%20Lock/Blue%20Lock%20Volume%20003.cbz"
        status, _, body = w.curl(book, user=user.name)
        assert status == 200, (status, body[:200])
        zpath = os.path.join(str(w.where), "mine.zip")
        with open(zpath, "wb") as f:
            f.write(body)
        with zipfile.ZipFile(zpath) as z:
            assert z.read("001.jpg") == b"\xff\xd8 mine"
        status, _, body = w.curl(book.replace("003", "002"), user=user.name)
        assert status in (403, 404) and b"private page" not in body
    finally:
        w.stop()
        drop_user(user)
