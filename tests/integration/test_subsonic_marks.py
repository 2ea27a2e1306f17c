# SPDX-License-Identifier: GPL-3.0-or-later
"""Each account's marks over /rest (issue 67): star, unstar, getStarred
and getStarred2, scrobble's play counts, getAlbumList2's lists by marks
and getTopSongs, within what the account's user may read."""

import os
import pwd
import re

from conftest import wait_for
from subsonic_calls import (call, call_many, ok, failed, walk, restarted,
                            private_root, names, starred, artists, NS)
from subsonic_calls import music  # noqa: F401
from access_users import world  # noqa: F401
from test_import_acl import ACL, deny


def test_unstar_of_an_upper_case_id(music):  # noqa: F811
    """An album's or artist's id with its hex in upper case unstars what
    its lower-case form starred."""
    ids = walk(music)
    tones, zed = ids["First"][2], ids["Only"][1]
    ok(call_many(music, "star", [("albumId", tones), ("artistId", zed)]))
    assert starred(music) == ({"Zed"}, {"Tones"}, set())
    ok(call(music, "unstar", albumId=tones[:2] + tones[2:].upper())[2])
    assert starred(music) == ({"Zed"}, set(), set())
    ok(call(music, "unstar", artistId=zed[:2] + zed[2:].upper())[2])
    assert starred(music) == (set(), set(), set())


def test_star_unstar_and_starred2_outlive_a_restart(music):  # noqa: F811
    ids = walk(music)
    first, tones, zed = ids["First"][0], ids["First"][2], ids["Only"][1]
    assert starred(music) == (set(), set(), set())
    ok(call_many(music, "star", [("id", first), ("albumId", tones),
                                 ("artistId", zed)]))
    # again: the first time stays
    when = ok(call(music, "getSong", id=first)[2])["song"]["starred"]
    ok(call(music, "star", id=first)[2])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", when)
    assert starred(music) == ({"Zed"}, {"Tones"}, {"First"})
    # ids in upper case name the same: starred again, kept once
    ok(call(music, "star", albumId=tones[:2] + tones[2:].upper())[2])
    got = ok(call(music, "getStarred2")[2])["starred2"]
    assert [a["id"] for a in got["album"]] == [tones]
    # the marks in the other answers, JSON and XML
    assert ok(call(music, "getSong", id=first)[2])["song"]["starred"] == \
        when
    assert "starred" not in ok(call(music, "getSong",
                                    id=ids["Second"][0])[2])["song"]
    assert "starred" in ok(call(music, "getAlbum", id=tones)[2])["album"]
    assert "starred" in ok(call(music, "getArtist", id=zed)[2])["artist"]
    a = ok(call(music, "getArtists")[2])["artists"]
    assert {x["name"]: "starred" in x for i in a["index"]
            for x in i["artist"]} == {"Band": False, "Zed": True}
    found = ok(call(music, "search3", query="")[2])["searchResult3"]
    assert {x["name"]: "starred" in x for x in found["artist"]} == \
        {"Band": False, "Zed": True}
    assert {x["name"]: "starred" in x for x in found["album"]} == \
        {"Tones": True, "Solo": False}
    root = call(music, "getStarred2", f="xml")[2]
    assert [e.get("title") for e in root.iter(NS + "song")] == ["First"]
    assert root.find(NS + "starred2").find(NS + "song").get(
        "starred") == when
    # a restart keeps them
    w = restarted(music)
    try:
        assert starred(w) == ({"Zed"}, {"Tones"}, {"First"})
        ok(call(w, "unstar", id=first)[2])
        ok(call(w, "unstar", albumId=tones)[2])
        assert starred(w) == ({"Zed"}, set(), set())
        # unstar of what is not starred, or names nothing: no harm
        ok(call(w, "unstar", id=first)[2])
        ok(call(w, "unstar", id="so99999999")[2])
        ok(call(w, "unstar", id=zed)[2])
        assert starred(w) == (set(), set(), set())
    finally:
        w.stop()


def test_get_starred_the_old_shape(music):  # noqa: F811
    """getStarred (v1): the same stars as getStarred2, an album as a
    Child folder of its artist's, an artist as Artist."""
    ids = walk(music)
    first, tones, zed = ids["First"][0], ids["First"][2], ids["Only"][1]
    got = ok(call(music, "getStarred")[2])["starred"]
    assert got == {"artist": [], "album": [], "song": []}
    ok(call_many(music, "star", [("id", first), ("albumId", tones),
                                 ("artistId", zed)]))
    got = ok(call(music, "getStarred")[2])["starred"]
    when = got["song"][0]["starred"]
    assert [s["id"] for s in got["song"]] == [first]
    assert got["artist"] == [{"id": zed, "name": "Zed", "starred":
                              got["artist"][0]["starred"]}]
    album = got["album"][0]
    assert (album["id"], album["isDir"], album["title"], album["album"],
            album["parent"], album["artist"]) == \
        (tones, True, "Tones", "Tones", ids["First"][1], "Band")
    assert "starred" in album and "songCount" not in album
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", when)
    root = call(music, "getStarred", f="xml")[2].find(NS + "starred")
    assert root.find(NS + "album").get("isDir") == "true"
    assert root.find(NS + "artist").get("name") == "Zed"
    assert root.find(NS + "song").get("id") == first


def test_star_of_what_is_not_there(music):  # noqa: F811
    ids = walk(music)
    first = ids["First"][0]
    failed(call(music, "star")[2], 10)
    failed(call(music, "unstar")[2], 10)
    for bad in ("so99999999", "so0", "zz", "", "al" + b"Band/Nope".hex(),
                "ar" + b"Nobody".hex(), "tr" + b"Band/Tones/x".hex()):
        failed(call(music, "star", id=bad)[2], 70)
    # an album's or artist's parameter takes only their ids
    failed(call(music, "star", albumId=first)[2], 70)
    failed(call(music, "star", artistId=ids["First"][2])[2], 70)
    # one bad id among good ones: nothing is starred
    failed(call_many(music, "star", [("id", first),
                                     ("id", "so99999999")]), 70)
    assert starred(music) == (set(), set(), set())


def test_scrobble_counts_plays(music):  # noqa: F811
    ids = walk(music)
    first, second = ids["First"][0], ids["Second"][0]
    song = ok(call(music, "getSong", id=first)[2])["song"]
    assert "playCount" not in song and "played" not in song
    ok(call(music, "scrobble", id=first)[2])
    ok(call(music, "scrobble", id=first, submission="true")[2])
    # now playing: taken, counts nothing
    ok(call(music, "scrobble", id=first, submission="false")[2])
    ok(call(music, "scrobble", id=second, submission="false")[2])
    # a time in milliseconds, several songs at once
    ok(call_many(music, "scrobble", [("id", second), ("time",
                                                      "1700000000000")]))
    song = ok(call(music, "getSong", id=first)[2])["song"]
    assert song["playCount"] == 2
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", song["played"])
    song = ok(call(music, "getSong", id=second)[2])["song"]
    assert song["playCount"] == 1
    assert song["played"] == "2023-11-14T22:13:20Z"
    album = ok(call(music, "getAlbum", id=ids["First"][2])[2])["album"]
    assert [s.get("playCount") for s in album["song"]] == [2, 1]
    assert "playCount" not in ok(call(music, "getSong",
                                      id=ids["Only"][0])[2])["song"]
    root = call(music, "getSong", f="xml", id=first)[2]
    assert root.find(NS + "song").get("playCount") == "2"
    failed(call(music, "scrobble")[2], 10)
    for bad in ("so99999999", ids["First"][2], "zz"):
        failed(call(music, "scrobble", id=bad)[2], 70)


def test_stars_and_plays_are_the_accounts_own(world):  # noqa: F811
    """Each account has its stars and plays; a song of another user's
    private folder cannot be starred or scrobbled (70), and a starred
    song the account can no longer read is not listed."""
    with private_root(world) as (w, mine, ids, top):
        pub, priv = ids["Pub"][0], ids["Priv"][0]
        ok(call_many(w, "star", [("id", pub), ("id", priv),
                                 ("artistId", ids["Priv"][1])]))
        ok(call(w, "scrobble", id=pub)[2])
        assert starred(w) == ({"Shut"}, set(), {"Pub", "Priv"})
        assert starred(w, **mine) == (set(), set(), set())
        song = ok(call(w, "getSong", id=pub, **mine)[2])["song"]
        assert "starred" not in song and "playCount" not in song
        for method in ("star", "scrobble"):
            failed(call(w, method, id=priv, **mine)[2], 70)
        failed(call(w, "star", artistId=ids["Priv"][1], **mine)[2], 70)
        ok(call(w, "star", id=pub, **mine)[2])
        ok(call(w, "scrobble", id=pub, **mine)[2])
        ok(call(w, "scrobble", id=pub, **mine)[2])
        assert starred(w, **mine) == (set(), set(), {"Pub"})
        assert ok(call(w, "getSong", id=pub, **mine)[2])["song"][
            "playCount"] == 2
        assert ok(call(w, "getSong", id=pub)[2])["song"][
            "playCount"] == 1
        # Open closed to others: the account's star is not listed
        os.chmod(os.path.join(top, "Open"), 0o700)
        wait_for(lambda: starred(w, **mine), 60,
                 "the star hidden from the account",
                 until=lambda v: v == (set(), set(), set()), mount=w.m)
        assert starred(w) == ({"Shut"}, set(), {"Pub", "Priv"})
        os.chmod(os.path.join(top, "Open"), 0o755)
        wait_for(lambda: starred(w, **mine), 60,
                 "the star back for the account",
                 until=lambda v: v == (set(), set(), {"Pub"}), mount=w.m)


def album_list(w, t, **q):
    return names(call(w, "getAlbumList2", type=t, **q)[2])


MARKED = ("starred", "frequent", "recent", "highest")


def test_album_lists_by_marks(music):  # noqa: F811
    """getAlbumList2's lists of the account's marks: starred (the albums
    starred), frequent (most played), recent (latest played), highest
    (no rating given: starred, then played), each with size and
    offset."""
    ids = walk(music)
    for t in MARKED:
        assert album_list(music, t) == [], t
    first, second, only = (ids[t][0] for t in ("First", "Second", "Only"))
    # Tones: three plays, the latest in 2023; Solo: one, now
    ok(call_many(music, "scrobble", [("id", first), ("time",
                                                     "1600000000000")]))
    ok(call_many(music, "scrobble", [("id", first), ("time",
                                                     "1600000000000")]))
    ok(call_many(music, "scrobble", [("id", second), ("time",
                                                      "1700000000000")]))
    ok(call(music, "scrobble", id=only)[2])
    assert album_list(music, "frequent") == ["Tones", "Solo"]
    assert album_list(music, "frequent", size=1, offset=1) == ["Solo"]
    assert album_list(music, "recent") == ["Solo", "Tones"]
    assert album_list(music, "recent", size=1) == ["Solo"]
    assert album_list(music, "starred") == []
    assert album_list(music, "highest") == ["Tones", "Solo"]
    # a starred song is no starred album
    ok(call(music, "star", id=first)[2])
    assert album_list(music, "starred") == []
    ok(call(music, "star", albumId=ids["Only"][2])[2])
    assert album_list(music, "starred") == ["Solo"]
    assert album_list(music, "highest") == ["Solo", "Tones"]
    assert album_list(music, "highest", offset=1) == ["Tones"]
    assert album_list(music, "highest", offset=2) == []
    got = ok(call(music, "getAlbumList2", type="starred")[2])[
        "albumList2"]["album"][0]
    assert got["id"] == ids["Only"][2] and "starred" in got
    assert "song" not in got
    root = call(music, "getAlbumList2", f="xml", type="frequent")[2]
    assert [e.get("name") for e in root.iter(NS + "album")] == \
        ["Tones", "Solo"]
    ok(call(music, "unstar", albumId=ids["Only"][2])[2])
    assert album_list(music, "starred") == []
    # the other lists page the same way
    assert album_list(music, "alphabeticalByName", size=1) == ["Solo"]
    assert album_list(music, "alphabeticalByName", size=0) == []
    assert album_list(music, "newest", size=1, offset=1) != \
        album_list(music, "newest", size=1)
    assert len(album_list(music, "random", size=1)) == 1
    # bad sizes and offsets are the defaults
    assert album_list(music, "frequent", size="x", offset="-1") == \
        ["Tones", "Solo"]


def test_every_list_type_on_a_private_root(world):  # noqa: F811
    """Each list type of getAlbumList2 shows an account only what its
    user may read, whatever root starred and played; what it stops
    being able to read leaves its lists at once."""
    with private_root(world) as (w, mine, ids, top):
        for t in ("Pub", "Priv"):
            ok(call(w, "star", albumId=ids[t][2])[2])
            ok(call(w, "scrobble", id=ids[t][0])[2])
        ok(call(w, "star", albumId=ids["Pub"][2], **mine)[2])
        ok(call(w, "scrobble", id=ids["Pub"][0], **mine)[2])
        types = ("random", "newest", "alphabeticalByName",
                 "alphabeticalByArtist") + MARKED
        for t in types:
            assert album_list(w, t, **mine) == ["Pub"], t
            assert sorted(album_list(w, t)) == ["Priv", "Pub"], t
            assert album_list(w, t, offset=1, **mine) == [], t
        failed(call(w, "star", albumId=ids["Priv"][2], **mine)[2], 70)
        os.chmod(os.path.join(top, "Open"), 0o700)
        for t in types:
            wait_for(lambda: album_list(w, t, **mine), 60,
                     "no album for the account in " + t,
                     until=lambda v: v == [], mount=w.m)
        assert sorted(album_list(w, "frequent")) == ["Priv", "Pub"]
        found = ok(call(w, "search3", query="", **mine)[2])[
            "searchResult3"]
        assert found == {"artist": [], "album": [], "song": []}


def seen_by(w, **q):
    """What the account sees at once: (the albums of each list type, the
    artists of getArtists, those of getIndexes)."""
    lists = tuple(album_list(w, t, **q) for t in ("newest", "random",
                                                  "alphabeticalByName"))
    got = ok(call(w, "getIndexes", **q)[2])["indexes"]
    return (lists, sorted(artists(w, **q)),
            sorted(a["name"] for i in got.get("index", [])
                   for a in i["artist"]))


def test_lists_drop_an_album_as_soon_as_its_rights_go(world):  # noqa: F811
    """An album folder chmod-ed, or given an ACL, that shuts the account's
    user out leaves its lists, getArtists and getIndexes in the very next
    call, though they were asked just before (issue 77: the account's
    index is kept, its rights are not); root's lists keep it."""
    with private_root(world) as (w, mine, ids, top):
        album = os.path.join(top, "Open", "Pub")
        user = mine["auth"]["u"]
        uid = pwd.getpwnam(user).pw_uid
        shown = ((["Pub"],) * 3, ["Open"], ["Open"])
        gone = (([],) * 3, [], [])
        for shut in (lambda: os.chmod(album, 0o700),
                     lambda: deny(album, uid)):
            wait_for(lambda: seen_by(w, **mine), 60, "Pub for the account",
                     until=lambda v: v == shown, mount=w.m)
            assert seen_by(w, **mine) == shown
            shut()
            assert seen_by(w, **mine) == gone
            assert sorted(album_list(w, "newest")) == ["Priv", "Pub"]
            assert sorted(artists(w)) == ["Open", "Shut"]
            # open again, its ACL (when given) taken off
            os.chmod(album, 0o755)
            if ACL in os.listxattr(album):
                os.removexattr(album, ACL)


def test_top_songs_are_the_accounts_most_played(music):  # noqa: F811
    """getTopSongs: the artist's songs the account played most first,
    then those it played last, then the view's order; count of them; an
    artist of nothing has none, and no artist is 10."""
    ids = walk(music)

    def top(**q):
        return names(call(music, "getTopSongs", **q)[2], "topSongs",
                     "song", "title")

    assert top(artist="Band") == ["First", "Second"]
    assert top(artist="zed") == ["Only"]
    assert top(artist="Nobody") == top(artist="") == []
    # as often played: the one played last first
    ok(call_many(music, "scrobble", [("id", ids["First"][0]),
                                     ("time", "1600000000000")]))
    ok(call(music, "scrobble", id=ids["Second"][0])[2])
    assert top(artist="Band") == ["Second", "First"]
    assert top(artist="Band", count=1) == ["Second"]
    ok(call(music, "scrobble", id=ids["First"][0])[2])
    got = ok(call(music, "getTopSongs", artist="Band")[2])["topSongs"]
    assert [(s["title"], s["playCount"]) for s in got["song"]] == \
        [("First", 2), ("Second", 1)]
    root = call(music, "getTopSongs", f="xml", artist="Band")[2]
    assert [e.get("title") for e in root.iter(NS + "song")] == \
        ["First", "Second"]
    failed(call(music, "getTopSongs")[2], 10)

