# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 44's low items that show in the mount, and the music views'
names told apart per caller: two local users made for the test (useradd,
then setpriv to act as them) list the music views; a track one may not
read never numbers the other's " (2)". An album tagged "artist.jpg"
leaves the artist's image its name, and a series folder named with a line
break or a tab is listed in /manga with a space in their place."""

import errno
import os
import sys

import pytest

from conftest import REPO, make_flac, unmount
from access_users import start_daemon, world  # noqa: F401 (a fixture)
from test_oracles import users  # noqa: F401 (a fixture)

sys.path.insert(0, os.path.join(REPO, "tests", "bench"))
import tinyjpeg  # noqa: E402  (tests/bench, added to the path above)

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.exists("/usr/bin/setpriv"),
    reason="needs root, useradd and setpriv to act as other users")

ALBUM = "library/music/artists/Band/Tones"


def own(folder, user, mode):
    for p in [folder] + [os.path.join(folder, n) for n in os.listdir(folder)]:
        os.chown(p, user.uid, user.gid)
    os.chmod(folder, mode)


def test_track_names_are_numbered_per_caller(world, users):
    """User a keeps "01 - Song" of Band's Tones in its 0700 folder, added
    first (so it keeps the plain name for root); user b keeps a track of
    the same tags in a folder all may read. b lists its own as the plain
    name, not " (2)", and reads its own through it; a and root see both,
    a's track first."""
    a, b = users
    root = os.path.join(world, "music")
    mine, theirs = os.path.join(root, "a"), os.path.join(root, "b")
    os.makedirs(mine)
    make_flac(os.path.join(mine, "one.flac"), "Song", "Band", "Tones", 1)
    own(mine, a, 0o700)
    m = start_daemon(world, "music=" + root)
    try:
        os.makedirs(theirs)
        make_flac(os.path.join(theirs, "one.flac"), "Song", "Band",
                  "Tones", 1, freq=660)
        own(theirs, b, 0o755)
        m.rescan()
        both = ["01 - Song (2).flac", "01 - Song.flac"]
        assert sorted(os.listdir(m.file(ALBUM))) == both
        with open(os.path.join(mine, "one.flac"), "rb") as f:
            a_data = f.read()
        with open(os.path.join(theirs, "one.flac"), "rb") as f:
            b_data = f.read()
        assert m.read(ALBUM + "/01 - Song.flac") == a_data
        got_a = a.ask([("list", m.file(ALBUM)),
                       ("read", m.file(ALBUM + "/01 - Song.flac")),
                       ("read", m.file(ALBUM + "/01 - Song (2).flac"))])
        assert got_a == [both, a_data, b_data], got_a
        got_b = b.ask([("list", m.file(ALBUM)),
                       ("read", m.file(ALBUM + "/01 - Song.flac")),
                       ("stat", m.file(ALBUM + "/01 - Song (2).flac"))])
        assert got_b[0] == ["01 - Song.flac"], got_b
        assert got_b[1] == b_data, got_b
        assert isinstance(got_b[2], OSError), got_b
        assert got_b[2].errno == errno.ENOENT, got_b
        # the folders above the tracks name no track: the same for all
        assert b.ask([("list", m.file("library/music/artists/Band"))]) == \
            [["Tones"]]
    finally:
        unmount(m.path, m.proc)


def test_album_named_artist_jpg_leaves_the_image_its_name(world):
    """Band's folder holds artist.jpg; an album tagged "artist.jpg" (no
    year) would name a folder "artist.jpg" beside it: the image keeps the
    name, the album's folder is the one numbered."""
    root = os.path.join(world, "music")
    album = os.path.join(root, "Band", "Odd")
    os.makedirs(album)
    make_flac(os.path.join(album, "one.flac"), "Song", "Band", "artist.jpg",
              1)
    image = tinyjpeg.gradient_cover(7)
    with open(os.path.join(root, "Band", "artist.jpg"), "wb") as f:
        f.write(image)
    m = start_daemon(world, "music=" + root)
    try:
        band = "library/music/artists/Band"
        assert sorted(os.listdir(m.file(band))) == \
            ["artist.jpg", "artist.jpg (2)"]
        assert m.read(band + "/artist.jpg") == image
        assert os.listdir(m.file(band + "/artist.jpg (2)")) == \
            ["01 - Song.flac"]
    finally:
        unmount(m.path, m.proc)


def test_manga_names_hold_no_control_characters(world, users):
    """Series folders named with a line break and a tab: /manga lists them
    with a space in their place, for root and for a user, and finds them
    by that name."""
    a, _ = users
    root = os.path.join(world, "manga")
    for name in ("Line\nBreak", "Tab\tStop"):
        folder = os.path.join(root, name)
        os.makedirs(folder)
        with open(os.path.join(folder, "%s T01.cbz" % name), "wb") as f:
            f.write(b"PK\x05\x06" + b"\0" * 18)
    m = start_daemon(world, "manga=" + root)
    try:
        shown = ["Line Break", "Tab Stop"]
        assert sorted(os.listdir(m.file("manga"))) == shown
        got = a.ask([("list", m.file("manga"))] +
                    [("read", m.file("manga/%s/volumes" % n))
                     for n in shown])
        assert got == [shown, b"1\n", b"1\n"], got
    finally:
        unmount(m.path, m.proc)
