# SPDX-License-Identifier: GPL-3.0-or-later
"""A track is one file (issue 46): the same inode number in every music
view and in /search, a link count of one a view, so the real du, tar and
cp -a count and copy it once."""

import collections
import os
import shutil
import subprocess

import pytest

from conftest import wait_for

VIEWS = ["artists", "albums", "genres", "years"]


def tracks_by_view(mount):
    """For each view, its tracks' paths (relative to the mount) by their
    inode number."""
    seen = {}
    for view in VIEWS:
        top = mount.file("library/music/" + view)
        by_ino = {}
        for d, _, files in os.walk(top):
            for name in files:
                if name.endswith((".flac", ".mp3")):
                    st = os.stat(os.path.join(d, name))
                    assert st.st_ino not in by_ino, (view, name)
                    by_ino[st.st_ino] = (os.path.join(d, name), st)
        seen[view] = by_ino
    return seen


def library_bytes(library):
    return sum(os.path.getsize(os.path.join(d, f))
               for d, _, fs in os.walk(library) for f in fs)


def test_one_inode_in_every_view(mount):
    seen = tracks_by_view(mount)
    inos = set(seen["artists"])
    assert len(inos) == 9
    for view in VIEWS:
        assert set(seen[view]) == inos, view
        for path, st in seen[view].values():
            assert st.st_nlink == len(VIEWS), path
    # the number is the track's, not the name's: the same in /search
    path, st = next(iter(seen["albums"].values()))
    found = [os.path.join(d, f) for d, _, fs in
             os.walk(mount.file("search/First 2")) for f in fs]
    assert found
    assert os.stat(found[0]).st_ino in inos
    # an open track shows the same number and count to fstat()
    with open(path, "rb") as f:
        fst = os.fstat(f.fileno())
        assert (fst.st_ino, fst.st_nlink) == (st.st_ino, len(VIEWS))
    # other files keep numbers of their own
    assert os.stat(mount.file("status/health")).st_nlink == 1


def test_du_counts_each_track_once(mount, library):
    out = subprocess.run(["du", "-sb", mount.file("library/music")],
                         capture_output=True, text=True, check=True,
                         timeout=60).stdout
    shown = int(out.split()[0])
    audio = library_bytes(library) - len("liner notes\n")
    assert audio <= shown <= 1.2 * audio, (shown, audio)


def test_tar_and_cp_copy_each_track_once(mount, library, tmp_path):
    # while the audio analysis writes its results, as it does after a scan
    listing = subprocess.run(
        ["tar", "-cf", "-", "-C", mount.file("library"), "music"],
        capture_output=True, check=True, timeout=60).stdout
    names = subprocess.run(["tar", "-tvf", "-"], input=listing,
                           capture_output=True, check=True,
                           timeout=60).stdout.decode().splitlines()
    kinds = collections.Counter(line[0] for line in names
                                if line.endswith((".flac", ".mp3")) or
                                " link to " in line)
    assert kinds["-"] == 9, names
    assert kinds["h"] == 9 * (len(VIEWS) - 1), names
    assert len(listing) <= 1.2 * library_bytes(library) + 512 * len(names)
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", mount.file("library/music"), str(copy)],
                   check=True, timeout=60)
    inos = {os.stat(os.path.join(d, f)).st_ino
            for d, _, fs in os.walk(copy) for f in fs
            if f.endswith((".flac", ".mp3"))}
    assert len(inos) == 9


def folder_times(top):
    return {d: os.stat(d).st_mtime_ns for d, _, _ in os.walk(top)}


def test_folder_times_move_with_names_only(mount, library):
    """tar and backup tools take a folder whose times moved while they
    read it for one that changed: a write to the store that names nothing
    (a blocklist entry here, the audio analysis' results as often) leaves
    the views' times, and the playlists' folders', whose names follow
    what the analysis found (issue 63)."""
    wait_for(lambda: mount.json("metrics/analysis.json"), 120,
             "the analysis done", mount=mount,
             until=lambda a: a["queued"] == 0 and a["busy"] == 0)
    views = folder_times(mount.file("library/music"))
    assert len(views) > len(VIEWS)
    playlists = folder_times(mount.file("playlists"))
    assert mount.write("control/blocklist", "0123456789abcdef\n") == 17
    wait_for(lambda: mount.read("control/blocklist"), 10,
             "the entry in the blocklist", mount=mount,
             until=lambda text: b"0123456789abcdef" in text)
    # the kernel told to forget what the move made stale (the listed
    # folders' and the views' attributes): it asks again
    wait_for(lambda: mount.json("metrics/fuse.json")[
        "invalidation_behind"], 30, "the kernel told of the move",
        mount=mount, until=lambda behind: behind == 0)
    assert folder_times(mount.file("library/music")) == views
    assert folder_times(mount.file("playlists")) == playlists
    # a change of names moves the folders that hold them (issue 80:
    # those alone, as a plain folder's): a track gone from its album
    track = next(os.path.join(d, f) for d, _, fs in os.walk(library)
                 for f in fs if f.endswith(".flac"))
    os.unlink(track)
    mount.write("control/rescan", "1\n")
    moved = wait_for(
        lambda: {p for p, t in folder_times(
            mount.file("library/music")).items() if views.get(p) != t},
        30, "the album folders' times moved", mount=mount)
    assert mount.file("library/music/artists") not in moved, moved


@pytest.mark.skipif(not shutil.which("rsync"), reason="needs rsync")
def test_rsync_keeps_hard_links(mount, library, tmp_path):
    copy = tmp_path / "copy"
    subprocess.run(["rsync", "-aH", mount.file("library/music") + "/",
                    str(copy)], check=True, timeout=60)
    tracks = [os.path.join(d, f) for d, _, fs in os.walk(copy) for f in fs
              if f.endswith((".flac", ".mp3"))]
    assert len(tracks) == 9 * len(VIEWS)
    inos = {os.stat(p).st_ino for p in tracks}
    assert len(inos) == 9
    assert all(os.stat(p).st_nlink == len(VIEWS) for p in tracks)
