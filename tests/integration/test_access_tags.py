# SPDX-License-Identifier: GPL-3.0-or-later
"""What the mount tells of files a local user may not read (issue 20):
their tags nowhere, a private manga series named nowhere, a file of a
hidden folder not found, names the owner looked up not kept for others,
and neither similar tracks nor an album's year drawn from them."""

import errno
import json
import os
import pathlib
import subprocess

from conftest import wait_for, make_flac, start, unmount
from test_monitor import Monitor, saga
from watch_common import CONVERGE_S
from access_users import denied, start_daemon, music_world, with_cover, tone
from access_users import pytestmark, figures, user  # noqa: F401 (for pytest)
from access_users import world  # noqa: F401 (for pytest)


# What the user's process finds walking a folder of the mount: every
# path below it, relative to it (issue 32, point 4).
WALK = """
import json, os, sys
out = []
for top in json.loads(sys.argv[1]):
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            out.append(os.path.relpath(os.path.join(d, n), top))
print(json.dumps(out))
"""


# The tags only the private track carries.
PRIVATE_TAGS = ["Zorro Hidden", "Zorro Album", "Zorrogenre", "1987",
                "Private Song"]


def walk_as(user, tops):
    out = user.run("/usr/bin/python3", "-c", WALK, json.dumps(tops))
    assert out.returncode == 0, out
    return json.loads(out.stdout)


def walk(tops):
    return [os.path.relpath(os.path.join(d, n), top) for top in tops
            for d, dirs, files in os.walk(top) for n in dirs + files]


def tagged(paths):
    return [p for p in paths if any(t in p for t in PRIVATE_TAGS)]


def uncovered(paths):
    return sorted(p for p in paths
                  if not p.endswith(("/cover.jpg", "/folder.jpg")))


def test_tags_of_an_unreadable_file_are_not_shown(world, user,
                                                  template_library):
    """A 0600 track in a folder every user may list, with an artist,
    album, genre and year no other track has (and a cover any user may
    read beside it), and a 0600 cover beside readable tracks: the user
    finds neither in any view, /search or /similar, by name nor by its
    tags, and a lookup of the names the owner sees (the readable cover's
    in the hidden album too) gives ENOENT as a name that does not exist;
    root sees them. Made readable on disk, the user sees the track after
    a rescan."""
    root, conf = music_world(world, template_library)
    with_cover(root)
    cover = os.path.join(root, "Alpha", "First", "cover.jpg")
    os.chmod(cover, 0o600)
    os.mkdir(os.path.join(root, "Alpha", "Zorro"))
    with open(os.path.join(root, "Alpha", "Zorro", "cover.jpg"), "wb") as f:
        f.write(b"\xff\xd8\xff\xe0 a cover any user may read")
    track = os.path.join(root, "Alpha", "Zorro", "09.flac")
    make_flac(track, "Private Song", "Zorro Hidden", "Zorro Album", 9)
    subprocess.run(["metaflac", "--set-tag=GENRE=Zorrogenre",
                    "--set-tag=DATE=1987", track], check=True)
    os.chmod(track, 0o600)
    m = start_daemon(world, "config=" + conf)
    try:
        tops = [m.file(rel) for rel in [
            "library/music", "search/zorro", "search/private",
            "search/first", "similar/private", "similar/first"]]
        mine = walk(tops)
        seen = tagged(mine)
        for tag in PRIVATE_TAGS[:4]:
            assert [p for p in seen if tag in p], (tag, seen)
        owner_covers = [p for p in mine if p.endswith("cover.jpg")]
        assert owner_covers
        theirs = walk_as(user, tops)
        assert tagged(theirs) == [], tagged(theirs)
        assert not [p for p in theirs if p.endswith(("cover.jpg",
                                                     "folder.jpg"))]
        # the rest of the album is there for the user
        assert "artists/Alpha/First/01 - First 1.flac" in theirs, theirs
        # a name the owner sees, asked for, is as unknown as a made-up
        # one, once the kernel forgot the owner's lookups (entry_timeout)
        asked = [m.file(os.path.join("library/music", p)) for p in
                 seen if p.count("/") <= 2][:6]
        asked += [m.file("library/music/" + p) for p in seen
                  if p.endswith("cover.jpg")][:2]
        asked += [m.file("library/music/artists/Nobody At All")]
        for op in ("stat", "read"):
            wait_for(lambda: [g.errno if isinstance(g, OSError) else g
                              for g in user.ask([(op, p) for p in asked])],
                     CONVERGE_S, "ENOENT for every hidden name",
                     until=lambda got: got == [errno.ENOENT] * len(asked),
                     mount=m)
        assert isinstance(m.read("library/music/" + owner_covers[0]), bytes)
        # on disk made readable: the user sees it after a rescan
        os.chmod(track, 0o644)
        m.rescan()
        # (covers aside: the one of First is still the owner's alone)
        wait_for(lambda: uncovered(tagged(walk_as(user, tops))), CONVERGE_S,
                 "the user sees a track made readable", mount=m,
                 until=lambda got: got == uncovered(seen))
    finally:
        unmount(m.path, m.proc)


def test_private_series_is_named_nowhere(world, user, fake):
    """A series folder chmod 700 in a manga root every user may list: the
    user finds its name in no status file (missing, new, found.json), in
    neither /manga nor /library/manga, and a lookup of it, of its volumes
    or of its files gives ENOENT as a name that never was; root sees it
    everywhere. The series beside it is the user's to see."""
    mon = Monitor(pathlib.Path(world), fake, [saga(1), saga(2)])
    os.chmod(os.path.join(str(mon.root), saga(2)), 0o700)
    mon.m = m = start(pathlib.Path(world), "allow_other",
                      "config=" + str(mon.conf))
    try:
        for s in (saga(1), saga(2)):
            mon.latest(s, "14\n")
        mon.check("missing")
        volumes = [n for n in os.listdir(m.file("library/manga/" + saga(2)))
                   if n.startswith(("Volume", "MISSING"))]
        assert volumes
        files = ["status/missing", "status/new", "status/found.json"]
        for rel in files:
            text = m.read(rel).decode()
            assert saga(1) in text and saga(2) in text, (rel, text)
        for rel in ["manga", "library/manga"]:
            assert os.listdir(m.file(rel)) == [saga(1), saga(2)]
        got = user.ask([("read", m.file(rel)) for rel in files] +
                       [("list", m.file("manga")),
                        ("list", m.file("library/manga"))])
        for rel, text in zip(files, got[:3]):
            assert saga(1).encode() in text, (rel, text)
            assert saga(2).encode() not in text, (rel, text)
        assert got[3:] == [[saga(1)], [saga(1)]], got[3:]
        for rel in ["status/missing.json", "status/new.json"]:
            denied(user.read(m.file(rel)), rel)
        # its names are as unknown as made-up ones, once the kernel forgot
        # the owner's lookups (entry_timeout)
        asked = [m.file("manga/" + saga(2)),
                 m.file("manga/%s/status.json" % saga(2)),
                 m.file("library/manga/" + saga(2))] + \
            [m.file("library/manga/%s/%s" % (saga(2), n))
             for n in volumes[:2]] + \
            [m.file("manga/Saga 99"), m.file("library/manga/Saga 99")]
        for op in ("stat", "read", "list"):
            wait_for(lambda: [g.errno if isinstance(g, OSError) else g
                              for g in user.ask([(op, p) for p in asked])],
                     CONVERGE_S, "ENOENT for every name of the series",
                     until=lambda got: got == [errno.ENOENT] * len(asked),
                     mount=m)
        # what says the permissions did it: opened up, the user sees it
        os.chmod(os.path.join(str(mon.root), saga(2)), 0o755)
        wait_for(lambda: user.listdir(m.file("library/manga")), CONVERGE_S,
                 "the user lists an opened series", mount=m,
                 until=lambda got: got == [saga(1), saga(2)])
        # a thread may keep its verdict on the folder CALLER_KEEP_S (1 s)
        wait_for(lambda: user.read(m.file("status/missing")), CONVERGE_S,
                 "the opened series in the user's status/missing", mount=m,
                 until=lambda got: not isinstance(got, OSError) and
                 saga(2).encode() in got)
    finally:
        unmount(m.path, m.proc)


def test_file_of_a_hidden_folder_is_not_found(world, user,
                                              template_library):
    """A cover any user may read beside a 0600 track, the only one of its
    album: with the album's folder kept by the kernel from the owner's
    lookup (a long entry_timeout), the user's lookup of the cover in it
    reaches the daemon and gets ENOENT, as the folder does."""
    root, conf = music_world(world, template_library)
    folder = os.path.join(root, "Alpha", "Zorro")
    os.mkdir(folder)
    with open(os.path.join(folder, "cover.jpg"), "wb") as f:
        f.write(b"\xff\xd8\xff\xe0 a cover any user may read")
    track = os.path.join(folder, "09.flac")
    make_flac(track, "Private Song", "Zorro Hidden", "Zorro Album", 9)
    os.chmod(track, 0o600)
    m = start_daemon(world, "config=" + conf, "entry_timeout=600")
    try:
        album = m.file("library/music/albums/Zorro Album (Zorro Hidden)")
        assert "cover.jpg" in os.listdir(album)
        got = user.ask([("stat", os.path.join(album, "cover.jpg")),
                        ("read", os.path.join(album, "cover.jpg")),
                        ("list", album)])
        assert [g.errno if isinstance(g, OSError) else g for g in got] == \
            [errno.ENOENT] * 3, got
    finally:
        unmount(m.path, m.proc)


def test_names_the_owner_looked_up_are_not_kept_for_others(world, user,
                                                           template_library):
    """The kernel keeps a name it was given for every user alike: with
    names kept ten minutes (entry_timeout=600), the owner stats a 0600
    track's album and file, a 0700 manga series and its volume, and
    lists the folders holding them and the track's artist (readdirplus:
    the artist's name comes from the listing alone); the user's stat of
    each right after still reaches the daemon and gives ENOENT, while the
    names every user may see are found."""
    root, conf = music_world(world, template_library)
    folder = os.path.join(root, "Alpha", "Zorro")
    os.mkdir(folder)
    track = os.path.join(folder, "09.flac")
    make_flac(track, "Private Song", "Zorro Hidden", "Zorro Album", 9)
    os.chmod(track, 0o600)
    manga = os.path.join(world, "manga")
    for s in ("Berserk", "Private"):
        os.makedirs(os.path.join(manga, s))
        with open(os.path.join(manga, s, s + " T01.cbz"), "wb") as f:
            f.write(b"PK\x05\x06" + b"\0" * 18)
    os.chmod(os.path.join(manga, "Private"), 0o700)
    m = start_daemon(world, "config=" + conf, "manga=" + manga,
                     "entry_timeout=600", "attr_timeout=600")
    try:
        album = "library/music/albums/Zorro Album (Zorro Hidden)"
        artist = "library/music/artists/Zorro Hidden"
        hidden = [album, artist, "manga/Private", "library/manga/Private"]
        for rel in ["library/music/albums", "library/music/artists",
                    "manga", "library/manga"] + hidden[:3]:
            os.listdir(m.file(rel))
        hidden += [os.path.join(album, n) for n in
                   os.listdir(m.file(album))]
        hidden += ["library/manga/Private/" + n for n in
                   os.listdir(m.file("library/manga/Private"))]
        shown = ["library/music/artists/Alpha", "manga/Berserk",
                 "library/manga/Berserk"]
        # the artist the owner only listed: a name from its readdirplus
        for rel in hidden + shown:
            if rel != artist:
                os.stat(m.file(rel))
        got = user.ask([("stat", m.file(rel)) for rel in hidden + shown])
        for rel, g in zip(hidden, got):
            denied(g, rel)
            assert g.errno == errno.ENOENT, (rel, g)
        assert got[len(hidden):] == [b""] * len(shown), got
    finally:
        unmount(m.path, m.proc)


def test_similar_to_an_unreadable_track_is_not_shown(world, user):
    """/similar/QUERY lists what is like the best match of QUERY: when
    that is a 0600 track, the user sees nothing in it (not even the
    tracks it may read), as it would learn what the hidden track sounds
    like; root sees the list. A best match the user may read gives it
    the list, without the hidden track."""
    root = os.path.join(world, "music")
    os.makedirs(root)
    for hz, title in ((220, "Zorro Secret"), (233, "Open One"),
                      (247, "Open Two")):
        path = os.path.join(root, title + ".flac")
        tone(path, hz, title, "Tones")
        if title == "Zorro Secret":
            os.chmod(path, 0o600)
    m = start_daemon(world, "music=" + root)
    try:
        wait_for(lambda: m.json("metrics/analysis.json"), 120,
                 "the three tracks analysed", mount=m, interval=0.2,
                 until=lambda a: a["analysed"] == 3 and a["queued"] == 0
                 and a["busy"] == 0)
        secret = m.file("similar/zorro")
        assert len(os.listdir(secret)) == 2, os.listdir(secret)
        got = user.ask([("list", secret),
                        ("list", m.file("similar/open one"))])
        assert got[0] == [], got
        assert len(got[1]) == 1 and "Zorro" not in got[1][0], got
    finally:
        unmount(m.path, m.proc)


def test_album_year_of_an_unreadable_track_is_not_shown(world, user):
    """An album's folder in the artist view is named with the latest year
    of its tracks: when that year is a 0600 track's, another user who may
    read the album's other tracks does not see the album there (the name
    would tell the hidden track's year), nor that year anywhere; it still
    finds the tracks it may read in the album view. Root sees the year."""
    root = os.path.join(world, "music", "Yeartest", "Shared")
    os.makedirs(root)
    for n, year, mode in ((1, "1990", 0o644), (2, "2099", 0o600),
                          (3, "1990", 0o644)):
        path = os.path.join(root, "%02d.flac" % n)
        make_flac(path, "Song %d" % n, "Yeartest", "Shared Album", n)
        subprocess.run(["metaflac", "--set-tag=DATE=" + year, path],
                       check=True)
        os.chmod(path, mode)
    m = start_daemon(world, "music=" + os.path.join(world, "music"))
    try:
        artist = m.file("library/music/artists/Yeartest")
        assert os.listdir(artist) == ["Shared Album (2099)"]
        tops = [m.file("library/music")]
        assert [p for p in walk(tops) if "2099" in p]
        theirs = walk_as(user, tops)
        assert not [p for p in theirs if "2099" in p], theirs
        album = "albums/Shared Album (Yeartest)/"
        assert sorted(p for p in theirs if p.startswith(album)) == [
            album + "01 - Song 1.flac", album + "03 - Song 3.flac"], theirs
    finally:
        unmount(m.path, m.proc)
