# SPDX-License-Identifier: GPL-3.0-or-later
"""/playlists/library (issue 51): the playlists of /playlists in a second
form, for a player that sees the mount alone, each path relative to the
playlist file and leading into the mount's /library/music/albums. Every
playlist holds the entries of its absolute twin, in order, and every
path resolves inside the mount to a file with the bytes of the real
file its twin names; the folders list what /playlists lists, but mpd/."""

import os

from conftest import start, unmount
from test_analysis import wait_analysed
from test_playlists import entries, library, read_sized, sounds  # noqa: F401

FOLDERS = ["decade", "genre", "mix", "similar"]


def twins(m):
    """(absolute playlist, its /playlists/library twin), relative to the
    mount, of every playlist but mpd/'s."""
    out = [("playlists/" + n, "playlists/library/" + n)
           for n in ("recent.m3u8", "duplicates.m3u8")]
    for folder in FOLDERS:
        names = sorted(os.listdir(m.file("playlists/" + folder)))
        assert sorted(os.listdir(m.file("playlists/library/" + folder))) \
            == names
        out += [("playlists/%s/%s" % (folder, n),
                 "playlists/library/%s/%s" % (folder, n)) for n in names]
    return out


def test_library_playlists_resolve_inside_the_mount(sounds, tmp_path):  # noqa: F811
    root = tmp_path / "music"
    library(sounds, root)
    m = start(tmp_path, "music=" + str(root))
    try:
        assert wait_analysed(m)["analysed"] == 5
        assert sorted(os.listdir(m.file("playlists/library"))) == sorted(
            FOLDERS + ["duplicates.m3u8", "recent.m3u8"])
        mount = os.path.realpath(m.path)
        checked = 0
        for absolute, relative in twins(m):
            want = entries(read_sized(m.file(absolute)))
            got = entries(read_sized(m.file(relative)))
            assert [e for e, _ in got] == [e for e, _ in want], relative
            for (_, real), (_, rel) in zip(want, got):
                assert not rel.startswith("/"), rel
                path = os.path.normpath(os.path.join(
                    os.path.dirname(m.file(relative)), rel))
                assert path.startswith(os.path.join(
                    mount, "library", "music", "albums") + "/"), rel
                with open(path, "rb") as f, open(real, "rb") as g:
                    assert f.read() == g.read(), (relative, rel)
                checked += 1
        assert checked >= 20
        # no such folder or playlist
        for bad in ["library/mpd", "library/similar/x.m3u8",
                    "library/recent.m3u"]:
            assert not os.path.exists(m.file("playlists/" + bad)), bad
    finally:
        unmount(m.path, m.proc)
