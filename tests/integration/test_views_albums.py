# SPDX-License-Identifier: GPL-3.0-or-later
"""The album folders of the music views, where an album's tracks lie
apart: across two roots and three folders, under an album artist that is
none of the tracks' artists, one track moved to another album, an album
emptied, and part of an album in a root another user may not read. Each
album folder lists what the store holds of it, the same in every view,
and a user sees the tracks it may read alone."""

import errno
import os
import shutil

import pytest

from conftest import make_flac, run, unmount, wait_for
from watch_common import CONVERGE_S, NOT_YET
from access_users import pytestmark as needs_users
from access_users import start_daemon
from access_users import user, world  # noqa: F401 (for pytest)

BAND = {"ARTIST": "Band", "DATE": "1999", "GENRE": "Rock"}
COMP = {"ALBUMARTIST": "Comp", "DATE": "2005", "GENRE": "Pop"}
SOLO = {"ARTIST": "Solo", "DATE": "2005", "GENRE": "Pop"}
MOVER = {"ARTIST": "Mover"}

# (root "a" or "b", file, tags shared, title, album, number, more tags)
TRACKS = [
    ("a", "split/cd1/1.flac", BAND, "One", "Split", 1, {"DISCNUMBER": "1"}),
    ("b", "elsewhere/2.flac", BAND, "Two", "Split", 2, {"DISCNUMBER": "1"}),
    ("a", "split/cd2/3.flac", BAND, "Three", "Split", 1,
     {"DISCNUMBER": "2"}),
    ("a", "lonely/1.flac", BAND, "Alone", "Lonely", 1, {}),
    ("b", "hidden/1.flac", BAND, "Secret", "Hidden", 1, {}),
    ("a", "mix/a.flac", COMP, "Ay", "Mix", 1, {"ARTIST": "Xavier"}),
    ("a", "mix/b.flac", COMP, "Bee", "Mix", 2, {"ARTIST": "Yvonne"}),
    ("a", "solo/c.flac", SOLO, "Sea", "Mix", 1, {}),
    ("a", "first/1.flac", MOVER, "Uno", "First", 1, {}),
    ("a", "first/2.flac", MOVER, "Dos", "First", 2, {}),
    ("a", "second/3.flac", MOVER, "Tres", "Second", 3, {}),
]

SPLIT = ["1-01 - One.flac", "1-02 - Two.flac", "2-01 - Three.flac"]
# the folder of the album Split in each view
SPLIT_IN = ["artists/Band/Split (1999)", "albums/Split (Band)",
            "genres/Rock/Band/Split (1999)", "years/1999/Band - Split"]


def tag(path, shared, title, album, number, more):
    tags = dict(shared, TITLE=title, ALBUM=album, TRACKNUMBER=str(number),
                **more)
    run(*(["metaflac", "--remove-all-tags"] +
          ["--set-tag=%s=%s" % kv for kv in tags.items()] + [path]))


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    top = tmp_path_factory.mktemp("albums")
    for i, (root, rel, *tags) in enumerate(TRACKS):
        path = str(top / root / rel)
        make_flac(path, "t", "a", "b", 1, 300 + 41 * i)
        tag(path, *tags)
    return top


@pytest.fixture
def lib(template, world):
    """The two roots in world, and a daemon over them."""
    roots = {}
    for root in ("a", "b"):
        roots[root] = os.path.join(world, root)
        shutil.copytree(str(template / root), roots[root])
    conf = os.path.join(world, "albums.conf")
    with open(conf, "w") as f:
        f.write("[general]\nwatch_debounce = 100ms\n[music]\nroot = %s\n"
                "[music]\nroot = %s\n" % (roots["a"], roots["b"]))
    os.chmod(conf, 0o600)
    m = start_daemon(world, "config=" + conf)
    m.roots = roots
    yield m
    unmount(m.path, m.proc)


def names(m, folder):
    return sorted(os.listdir(m.file("library/music/" + folder)))


def settled(m, want):
    """Wait until each folder of want ({folder: names}) lists those."""
    for folder, expected in want.items():
        wait_for(lambda: names(m, folder), CONVERGE_S,
                 "library/music/%s lists %r" % (folder, expected), mount=m,
                 ignore=NOT_YET, until=lambda got: got == sorted(expected))


def test_album_across_roots_and_folders(lib):
    """The tracks of Split, in two folders of one root and one of the
    other, are one folder in each view, numbered by disc, each the file
    it names."""
    m = lib
    settled(m, {folder: SPLIT for folder in SPLIT_IN})
    sources = {"1-01 - One.flac": ("a", "split/cd1/1.flac"),
               "1-02 - Two.flac": ("b", "elsewhere/2.flac"),
               "2-01 - Three.flac": ("a", "split/cd2/3.flac")}
    for folder in SPLIT_IN:
        for name, (root, rel) in sources.items():
            with open(m.file("library/music/%s/%s" % (folder, name)),
                      "rb") as f, \
                    open(os.path.join(m.roots[root], rel), "rb") as real:
                assert f.read() == real.read(), (folder, name)
    assert names(m, "artists/Band") == ["Hidden (1999)", "Lonely (1999)",
                                        "Split (1999)"]


def test_album_artist_other_than_the_artists(lib):
    """Mix by the album artist Comp (tracks by Xavier and Yvonne) and
    Mix by Solo are two album folders; Xavier and Yvonne have none."""
    m = lib
    settled(m, {"artists/Comp/Mix (2005)": ["01 - Ay.flac", "02 - Bee.flac"],
                "artists/Solo/Mix (2005)": ["01 - Sea.flac"],
                "albums/Mix (Comp)": ["01 - Ay.flac", "02 - Bee.flac"],
                "albums/Mix (Solo)": ["01 - Sea.flac"],
                "genres/Pop/Comp/Mix (2005)": ["01 - Ay.flac",
                                               "02 - Bee.flac"],
                "years/2005/Comp - Mix": ["01 - Ay.flac", "02 - Bee.flac"],
                "years/2005/Solo - Mix": ["01 - Sea.flac"]})
    artists = names(m, "artists")
    assert "Xavier" not in artists and "Yvonne" not in artists, artists
    assert names(m, "years/2005") == ["Comp - Mix", "Solo - Mix"]


def test_track_moved_to_another_album(lib):
    """Dos retagged from First to Second leaves First's folder and joins
    Second's, in its number's place, in every view."""
    m = lib
    settled(m, {"artists/Mover/First": ["01 - Uno.flac", "02 - Dos.flac"],
                "artists/Mover/Second": ["03 - Tres.flac"]})
    tag(os.path.join(m.roots["a"], "first/2.flac"), MOVER, "Dos", "Second",
        2, {})
    settled(m, {"artists/Mover/First": ["01 - Uno.flac"],
                "artists/Mover/Second": ["02 - Dos.flac", "03 - Tres.flac"],
                "albums/First (Mover)": ["01 - Uno.flac"],
                "albums/Second (Mover)": ["02 - Dos.flac",
                                          "03 - Tres.flac"],
                "years/Unknown Year/Mover - Second": ["02 - Dos.flac",
                                                      "03 - Tres.flac"]})


def test_album_emptied_is_gone(lib):
    """Lonely's only track deleted: its folder is in no view, and its
    path is not found."""
    m = lib
    settled(m, {"artists/Band/Lonely (1999)": ["01 - Alone.flac"]})
    os.unlink(os.path.join(m.roots["a"], "lonely/1.flac"))
    settled(m, {"artists/Band": ["Hidden (1999)", "Split (1999)"],
                "years/1999": ["Band - Hidden", "Band - Split"]})
    for folder in ["artists/Band/Lonely (1999)", "albums/Lonely (Band)"]:
        with pytest.raises(OSError) as e:
            names(m, folder)
        assert e.value.errno == errno.ENOENT, folder


@needs_users
def test_album_part_in_a_private_root(lib, user):
    """Root b private (0700): the user sees Split with the tracks of root
    a alone, and not Hidden, all of whose tracks are in b; the owner sees
    all of both."""
    m = lib
    settled(m, {folder: SPLIT for folder in SPLIT_IN})
    os.chmod(m.roots["b"], 0o700)
    assert names(m, "artists/Band/Split (1999)") == SPLIT
    assert names(m, "artists/Band/Hidden (1999)") == ["01 - Secret.flac"]
    for folder in SPLIT_IN:
        got = user.listdir(m.file("library/music/" + folder))
        assert got == ["1-01 - One.flac", "2-01 - Three.flac"], (folder, got)
    got = user.listdir(m.file("library/music/artists/Band"))
    assert got == ["Lonely (1999)", "Split (1999)"], got
    got = user.listdir(m.file("library/music/artists/Band/Hidden (1999)"))
    assert isinstance(got, OSError) and got.errno == errno.ENOENT, got
