# SPDX-License-Identifier: GPL-3.0-or-later
"""Each account's bookmarks, play queue and ratings over /rest (issue
77): getBookmarks, createBookmark, deleteBookmark, getPlayQueue,
savePlayQueue, getPlayQueueByIndex, savePlayQueueByIndex (the
indexBasedQueue extension) and setRating (userRating in the songs, albums and
artists answered), kept in the store across a restart, each account's
own, within what its user may read."""

import os
import re

from conftest import wait_for
from subsonic_calls import (call, call_many, ok, failed, walk, restarted,
                            private_root, NS)
from subsonic_calls import music  # noqa: F401
from access_users import world  # noqa: F401

TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def bookmarks(w, **auth):
    """{song title: (position, comment)} of getBookmarks."""
    got = ok(call(w, "getBookmarks", **auth)[2])["bookmarks"]
    return {b["entry"]["title"]: (b["position"], b.get("comment"))
            for b in got.get("bookmark", [])}


def queue(w, **auth):
    """(titles, current's title or None, position) of getPlayQueue."""
    got = ok(call(w, "getPlayQueue", **auth)[2])["playQueue"]
    titles = [s["title"] for s in got.get("entry", [])]
    current = [s["title"] for s in got.get("entry", [])
               if s["id"] == got.get("current")]
    return titles, current[0] if current else None, got.get("position")


def test_bookmarks(music):  # noqa: F811
    ids = walk(music)
    first, second = ids["First"][0], ids["Second"][0]
    assert bookmarks(music) == {}
    ok(call(music, "createBookmark", id=first, position=1500,
            comment="chorus")[2])
    ok(call(music, "createBookmark", id=second, position=0)[2])
    assert bookmarks(music) == {"First": (1500, "chorus"),
                                "Second": (0, "")}
    # again: the position and comment replaced, created kept
    got = ok(call(music, "getBookmarks")[2])["bookmarks"]["bookmark"]
    created = {b["entry"]["title"]: b["created"] for b in got}
    assert all(re.fullmatch(TIME, b["changed"]) for b in got)
    assert all(b["username"] == "root" for b in got)
    ok(call(music, "createBookmark", id=first, position=99)[2])
    got = ok(call(music, "getBookmarks")[2])["bookmarks"]["bookmark"]
    assert {b["entry"]["title"]: b["created"] for b in got} == created
    assert bookmarks(music)["First"] == (99, "")
    root = call(music, "getBookmarks", f="xml")[2]
    b = root.find(NS + "bookmarks").find(NS + "bookmark")
    assert b.find(NS + "entry").get("id") in (first, second)
    # bad calls change nothing
    failed(call(music, "createBookmark", id=first)[2], 10)
    failed(call(music, "createBookmark", position=5)[2], 10)
    for bad in ("x", "-1", "1.5", "", "99999999999999999999"):
        failed(call(music, "createBookmark", id=first, position=bad)[2], 0)
    for bad in ("so99999999", ids["First"][2], "zz"):
        failed(call(music, "createBookmark", id=bad, position=1)[2], 70)
        failed(call(music, "deleteBookmark", id=bad)[2], 70)
    failed(call(music, "deleteBookmark")[2], 10)
    assert bookmarks(music)["First"] == (99, "")
    w = restarted(music)
    try:
        assert bookmarks(w) == {"First": (99, ""), "Second": (0, "")}
        ok(call(w, "deleteBookmark", id=first)[2])
        ok(call(w, "deleteBookmark", id=first)[2])
        assert bookmarks(w) == {"Second": (0, "")}
    finally:
        w.stop()


def test_play_queue(music):  # noqa: F811
    ids = walk(music)
    first, second, only = (ids[t][0] for t in ("First", "Second", "Only"))
    got = ok(call(music, "getPlayQueue")[2])["playQueue"]
    assert got["username"] == "root" and not got.get("entry")
    assert "current" not in got and got["changed"] == "1970-01-01T00:00:00Z"
    ok(call_many(music, "savePlayQueue", [
        ("id", only), ("id", first), ("id", second), ("current", first),
        ("position", "12345")]))
    assert queue(music) == (["Only", "First", "Second"], "First", 12345)
    got = ok(call(music, "getPlayQueue")[2])["playQueue"]
    assert got["changedBy"] == "mediamon-test"
    assert re.fullmatch(TIME, got["changed"])
    root = call(music, "getPlayQueue", f="xml")[2].find(NS + "playQueue")
    assert root.get("current") == first and root.get("position") == "12345"
    assert [e.get("title") for e in root.iter(NS + "entry")] == \
        ["Only", "First", "Second"]
    # bad calls change nothing
    failed(call_many(music, "savePlayQueue", [("id", only)]), 10)
    failed(call_many(music, "savePlayQueue", [
        ("id", only), ("current", first)]), 70)
    failed(call_many(music, "savePlayQueue", [
        ("id", only), ("id", "so99999999"), ("current", only)]), 70)
    failed(call_many(music, "savePlayQueue", [
        ("id", only), ("current", only), ("position", "-3")]), 0)
    assert queue(music) == (["Only", "First", "Second"], "First", 12345)
    w = restarted(music)
    try:
        assert queue(w) == (["Only", "First", "Second"], "First", 12345)
        # no position: 0; no id: the queue cleared
        ok(call_many(w, "savePlayQueue", [("id", second),
                                          ("current", second)]))
        assert queue(w) == (["Second"], "Second", 0)
        ok(call(w, "savePlayQueue")[2])
        assert queue(w) == ([], None, None)
    finally:
        w.stop()


def by_index(w, **auth):
    """(titles, currentIndex or None, position) of getPlayQueueByIndex."""
    got = ok(call(w, "getPlayQueueByIndex", **auth)[2])["playQueueByIndex"]
    assert "current" not in got
    return ([s["title"] for s in got.get("entry", [])],
            got.get("currentIndex"), got.get("position"))


def test_play_queue_by_index(music):  # noqa: F811
    """The indexBasedQueue extension: the same queue as getPlayQueue's,
    its current entry by index; a song queued twice is current at its
    first entry (the store keeps the song)."""
    ids = walk(music)
    first, second, only = (ids[t][0] for t in ("First", "Second", "Only"))
    exts = ok(call(music, "getOpenSubsonicExtensions")[2])
    assert {"name": "indexBasedQueue", "versions": [1]} in \
        exts["openSubsonicExtensions"]
    got = ok(call(music, "getPlayQueueByIndex")[2])["playQueueByIndex"]
    assert got["username"] == "root" and "currentIndex" not in got
    ok(call_many(music, "savePlayQueueByIndex", [
        ("id", only), ("id", first), ("id", second), ("currentIndex", "2"),
        ("position", "777")]))
    assert by_index(music) == (["Only", "First", "Second"], 2, 777)
    assert queue(music) == (["Only", "First", "Second"], "Second", 777)
    root = call(music, "getPlayQueueByIndex", f="xml")[2].find(
        NS + "playQueueByIndex")
    assert root.get("currentIndex") == "2" and root.get("position") == "777"
    assert root.get("changedBy") == "mediamon-test"
    assert [e.get("title") for e in root.iter(NS + "entry")] == \
        ["Only", "First", "Second"]
    # saved by id, read by index
    ok(call_many(music, "savePlayQueue", [
        ("id", second), ("id", first), ("id", second), ("current", first)]))
    assert by_index(music) == (["Second", "First", "Second"], 1, 0)
    # bad calls change nothing
    failed(call_many(music, "savePlayQueueByIndex", [("id", only)]), 10)
    for bad in ("1", "-1", "x", "", "99999999999999999999"):
        failed(call_many(music, "savePlayQueueByIndex", [
            ("id", only), ("currentIndex", bad)]), 0)
    failed(call_many(music, "savePlayQueueByIndex", [
        ("id", only), ("id", "so99999999"), ("currentIndex", "0")]), 70)
    failed(call_many(music, "savePlayQueueByIndex", [
        ("id", only), ("currentIndex", "0"), ("position", "x")]), 0)
    assert by_index(music) == (["Second", "First", "Second"], 1, 0)
    # no id: the queue cleared
    ok(call(music, "savePlayQueueByIndex")[2])
    assert by_index(music) == ([], None, None)


def rating(w, method, id, member, **auth):
    return ok(call(w, method, id=id, **auth)[2])[member].get("userRating")


def test_set_rating(music):  # noqa: F811
    ids = walk(music)
    first, band, tones = ids["First"]
    assert rating(music, "getSong", first, "song") is None
    ok(call(music, "setRating", id=first, rating=4)[2])
    ok(call(music, "setRating", id=tones, rating=5)[2])
    ok(call(music, "setRating", id=band, rating=2)[2])
    assert rating(music, "getSong", first, "song") == 4
    assert rating(music, "getAlbum", tones, "album") == 5
    assert rating(music, "getArtist", band, "artist") == 2
    album = ok(call(music, "getAlbum", id=tones)[2])["album"]
    assert [s.get("userRating") for s in album["song"]] == [4, None]
    root = call(music, "getSong", f="xml", id=first)[2]
    assert root.find(NS + "song").get("userRating") == "4"
    # an album's id in upper case rates the same
    ok(call(music, "setRating", id=tones[:2] + tones[2:].upper(),
            rating=3)[2])
    assert rating(music, "getAlbum", tones, "album") == 3
    # bad calls change nothing
    for bad in ("6", "-1", "x", "", "4.5"):
        failed(call(music, "setRating", id=first, rating=bad)[2], 0)
    failed(call(music, "setRating", id=first)[2], 10)
    failed(call(music, "setRating", rating=3)[2], 10)
    for bad in ("so99999999", "zz", "al" + b"Band/Nope".hex(),
                "ar" + b"Nobody".hex()):
        failed(call(music, "setRating", id=bad, rating=3)[2], 70)
    assert rating(music, "getSong", first, "song") == 4
    w = restarted(music)
    try:
        assert rating(w, "getSong", first, "song") == 4
        ok(call(w, "setRating", id=first, rating=0)[2])
        assert rating(w, "getSong", first, "song") is None
        assert rating(w, "getAlbum", tones, "album") == 3
    finally:
        w.stop()


def test_each_accounts_own(world):  # noqa: F811
    """Bookmarks, queues and ratings are each account's; a song of
    another user's private folder cannot be bookmarked, queued or rated
    (70), and one the account can no longer read is not answered."""
    with private_root(world) as (w, mine, ids, top):
        pub, priv = ids["Pub"][0], ids["Priv"][0]
        ok(call(w, "createBookmark", id=priv, position=7)[2])
        ok(call_many(w, "savePlayQueue", [("id", priv), ("id", pub),
                                          ("current", priv)]))
        ok(call(w, "setRating", id=priv, rating=5)[2])
        ok(call(w, "setRating", id=pub, rating=1)[2])
        assert bookmarks(w, **mine) == {}
        assert queue(w, **mine) == ([], None, None)
        assert rating(w, "getSong", pub, "song", **mine) is None
        for method, args in (("createBookmark", {"position": 1}),
                             ("setRating", {"rating": 2}),
                             ("deleteBookmark", {})):
            failed(call(w, method, id=priv, **mine, **args)[2], 70)
        failed(call_many(w, "savePlayQueue", [("id", priv),
                                              ("current", priv)],
                         auth=mine["auth"]), 70)
        ok(call(w, "createBookmark", id=pub, position=3, **mine)[2])
        ok(call_many(w, "savePlayQueue", [("id", pub), ("current", pub)],
                     auth=mine["auth"]))
        ok(call(w, "setRating", id=pub, rating=3, **mine)[2])
        assert bookmarks(w, **mine) == {"Pub": (3, "")}
        assert queue(w, **mine) == (["Pub"], "Pub", 0)
        assert rating(w, "getSong", pub, "song", **mine) == 3
        assert rating(w, "getSong", pub, "song") == 1
        assert bookmarks(w) == {"Priv": (7, "")}
        assert queue(w) == (["Priv", "Pub"], "Priv", 0)
        # Open closed to others: what names Pub is no longer answered
        os.chmod(os.path.join(top, "Open"), 0o700)
        wait_for(lambda: (bookmarks(w, **mine), queue(w, **mine)), 60,
                 "the song hidden from the account",
                 until=lambda v: v == ({}, ([], None, None)), mount=w.m)
        os.chmod(os.path.join(top, "Open"), 0o755)
        wait_for(lambda: bookmarks(w, **mine), 60,
                 "the bookmark back for the account",
                 until=lambda v: v == {"Pub": (3, "")}, mount=w.m)


def test_highest_rated_albums_first(music):  # noqa: F811
    """getAlbumList2's highest: the albums the account rated, by rating,
    then those it starred, then those it played."""
    ids = walk(music)
    tones, solo = ids["First"][2], ids["Only"][2]

    def highest(**auth):
        return [a["name"] for a in ok(call(
            music, "getAlbumList2", type="highest", **auth)[2])[
                "albumList2"]["album"]]
    assert highest() == []
    ok(call(music, "setRating", id=solo, rating=1)[2])
    assert highest() == ["Solo"]
    ok(call(music, "star", albumId=tones)[2])
    ok(call(music, "scrobble", id=ids["First"][0])[2])
    assert highest() == ["Solo", "Tones"]
    ok(call(music, "setRating", id=tones, rating=3)[2])
    assert highest() == ["Tones", "Solo"]
    # a song's rating is not its album's
    ok(call(music, "setRating", id=tones, rating=0)[2])
    ok(call(music, "setRating", id=ids["First"][0], rating=5)[2])
    assert highest() == ["Solo", "Tones"]
