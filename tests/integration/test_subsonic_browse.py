# SPDX-License-Identifier: GPL-3.0-or-later
"""Browsing over /rest (issue 67): every method answering its schema,
artists, albums and songs, bad ids, another user's private artist,
getIndexes and getAlbumList2's lists, getRandomSongs and search3,
genres, durations and created times."""

import calendar
import os
import subprocess
import time

import pytest

import opensubsonic_schema
from conftest import make_flac, run, wait_for
from subsonic_calls import (call, call_current, ok, failed, music_library,
                            artists, walk, walked, private_root, names,
                            genre_library, NS)
from subsonic_calls import music  # noqa: F401
from access_users import world  # noqa: F401
from test_http import Web


def test_every_method_answers_its_schema(music):  # noqa: F811
    """Every method with a JSON answer, asked once (call() checks each
    answer of these tests against the published OpenSubsonic schemas:
    tests/integration/opensubsonic_schema.py), its failures too."""
    ids = walk(music)
    song, artist, album = ids["First"]
    genre = ok(call(music, "getGenres")[2])["genres"]["genre"][0]["value"]
    asked = [("ping", {}), ("getLicense", {}),
             ("getOpenSubsonicExtensions", {}), ("tokenInfo", {}),
             ("getMusicFolders", {}), ("getArtists", {}),
             ("getArtist", {"id": artist}), ("getAlbum", {"id": album}),
             ("getSong", {"id": song}), ("getIndexes", {}),
             ("getRandomSongs", {}), ("search3", {"query": ""}),
             ("getGenres", {}), ("getSongsByGenre", {"genre": genre}),
             ("getSimilarSongs", {"id": song}),
             ("getSimilarSongs2", {"id": song}),
             ("getTopSongs", {"artist": "Band"}), ("getPlaylists", {}),
             ("star", {"id": song}), ("star", {"albumId": album}),
             ("star", {"artistId": artist}), ("getStarred", {}),
             ("getStarred2", {}), ("scrobble", {"id": song}),
             ("unstar", {"id": song})]
    asked += [("getAlbumList2", {"type": t}) for t in (
        "random", "newest", "alphabeticalByName", "alphabeticalByArtist",
        "starred", "frequent", "recent", "highest")]
    asked += [("getAlbumList2", {"type": "byYear", "fromYear": 1,
                                 "toYear": 3000}),
              ("getAlbumList2", {"type": "byGenre", "genre": genre})]
    for method, q in asked:
        assert opensubsonic_schema.validator(method) is not None, method
        ok(call(music, method, **q)[2])
    listed = wait_for(lambda: ok(call(music, "getPlaylists")[2])[
        "playlists"]["playlist"], 60, "a playlist", until=bool)
    ok(call(music, "getPlaylist", id=listed[0]["id"])[2])
    for method in ("getSong", "getAlbum", "getArtist", "getPlaylist"):
        failed(call(music, method, id="zz")[2], 70)
    failed(call(music, "getAlbumList2")[2], 10)


def test_artists_albums_songs(music):  # noqa: F811
    a = ok(call(music, "getArtists")[2])["artists"]
    assert [i["name"] for i in a["index"]] == ["B", "Z"]
    ids = walk(music)
    assert sorted(ids) == ["First", "Only", "Second"]
    song = ok(call(music, "getSong", id=ids["Second"][0])[2])["song"]
    assert song["title"] == "Second" and song["track"] == 2
    assert song["artist"] == "Band" and song["album"] == "Tones"
    assert song["suffix"] == "flac" and song["isDir"] is False
    # the same tree in XML
    root = call(music, "getAlbum", f="xml", id=ids["First"][2])[2]
    album = root.find(NS + "album")
    assert album.get("name") == "Tones" and album.get("songCount") == "2"
    assert sorted(e.get("title") for e in album.iter(NS + "song")) == \
        ["First", "Second"]


def test_bad_ids(music):  # noqa: F811
    for method in ("getArtist", "getAlbum", "getSong", "stream"):
        failed(call(music, method)[2], 10)
        for bad in ("", "zz", "ar", "tr2e2e", "al" + b"../x".hex(),
                    "tr" + b"Band/Tones".hex(), "ar" + b"Nobody".hex(),
                    "tr" + b"Band/../Band/Tones/01.flac".hex(),
                    "al" + b"Band/Tones\x00".hex(), "so", "so0", "so-1",
                    "so01", "so1x", "so99999999", "so" + "9" * 30,
                    "so" + b"Band/Tones/01 - First.flac".hex()):
            failed(call(music, method, id=bad)[2], 70)


def test_another_users_private_artist(world):  # noqa: F811
    """An account sees what its user may read: an artist whose folder
    only root may enter is in no answer of it, and its ids are 70."""
    with private_root(world) as (w, mine, root_ids, _):
        assert sorted(artists(w, **mine)) == ["Open"]
        priv = root_ids["Priv"]
        failed(call(w, "getArtist", id=priv[1], **mine)[2], 70)
        failed(call(w, "getAlbum", id=priv[2], **mine)[2], 70)
        failed(call(w, "getSong", id=priv[0], **mine)[2], 70)
        # a song id is its file's files.id: one the account may not
        # read is 70 in every method, never the song
        for method in ("stream", "download", "getSimilarSongs2",
                       "getSonicSimilarTracks", "getCoverArt"):
            failed(call(w, method, id=priv[0], **mine)[2], 70)
        # nor re-encoded (issue 77): the same refusal
        failed(call(w, "stream", id=priv[0], format="mp3", maxBitRate=64,
                    **mine)[2], 70)
        pub = root_ids["Pub"]
        assert ok(call(w, "getSong", id=pub[0], **mine)[2])[
            "song"]["title"] == "Pub"
        for artist, theirs in (("Shut", []), ("Open", ["Pub"])):
            assert names(call(w, "getTopSongs", artist=artist, **mine)[2],
                         "topSongs", "song", "title") == theirs
        assert names(call(w, "getTopSongs", artist="Shut")[2], "topSongs",
                     "song", "title") == ["Priv"]
        # the lists over the whole music show the same
        idx = ok(call(w, "getIndexes", **mine)[2])["indexes"]
        assert [a["name"] for i in idx["index"]
                for a in i["artist"]] == ["Open"]
        for t in ("alphabeticalByName", "random", "newest"):
            got = ok(call(w, "getAlbumList2", type=t, **mine)[2])
            assert [a["name"] for a in got["albumList2"]["album"]] \
                == ["Pub"]
        got = ok(call(w, "getRandomSongs", **mine)[2])["randomSongs"]
        assert [x["title"] for x in got["song"]] == ["Pub"]
        found = ok(call(w, "search3", query="", **mine)[2])[
            "searchResult3"]
        assert [a["name"] for a in found["artist"]] == ["Open"]
        assert [a["name"] for a in found["album"]] == ["Pub"]
        assert [x["title"] for x in found["song"]] == ["Pub"]
        assert found == ok(call(w, "search3", query="p", **mine)[2])[
            "searchResult3"]
        # genres count what the user sees (the tracks have no genre
        # tag: whatever the view calls that, one track for it)
        got = ok(call(w, "getGenres", **mine)[2])["genres"]["genre"]
        assert sum(g["songCount"] for g in got) == 1
        got = ok(call(w, "getGenres")[2])["genres"]["genre"]
        assert sum(g["songCount"] for g in got) == 2
        # root sees both
        found = ok(call(w, "search3", query="")[2])["searchResult3"]
        assert sorted(x["title"] for x in found["song"]) == \
            ["Priv", "Pub"]


def dated_library(top):
    """music_library() with years: Band/Tones 1999, Zed/Solo 2005."""
    music_library(top)
    for rel, year in (("Band/Tones/01.flac", 1999),
                      ("Band/Tones/02.flac", 1999),
                      ("Zed/Solo/01.flac", 2005)):
        run("metaflac", "--set-tag=DATE=%d" % year, os.path.join(top, rel))


@pytest.fixture
def dated(tmp_path):
    """(the Web of dated_library(), the ids walk() finds)."""
    top = tmp_path / "music"
    dated_library(str(top))
    w = Web(tmp_path, music=top)
    try:
        ids = walked(w)
        yield w, ids
    finally:
        w.stop()


def test_indexes_and_album_lists(dated):
    w, ids = dated
    top = w.where / "music"
    idx = ok(call(w, "getIndexes")[2])["indexes"]
    assert [i["name"] for i in idx["index"]] == ["B", "Z"]
    assert {a["name"]: a["id"] for i in idx["index"]
            for a in i["artist"]} == artists(w)
    # lastModified: when the index's names last moved (ms), which a
    # player gives back as ifModifiedSince to be sent nothing anew
    since = idx["lastModified"]
    assert since > 10 ** 12
    again = ok(call(w, "getIndexes", ifModifiedSince=since)[2])["indexes"]
    assert "index" not in again and again["lastModified"] == since
    older = ok(call(w, "getIndexes", ifModifiedSince=since - 1)[2])
    assert [i["name"] for i in older["indexes"]["index"]] == ["B", "Z"]
    # not a number: the whole index, as without it
    bad = ok(call(w, "getIndexes", ifModifiedSince="yesterday")[2])
    assert [i["name"] for i in bad["indexes"]["index"]] == ["B", "Z"]

    def albums(**q):
        return names(call(w, "getAlbumList2", **q)[2])

    assert albums(type="alphabeticalByName") == ["Solo", "Tones"]
    assert albums(type="alphabeticalByArtist") == ["Tones", "Solo"]
    assert albums(type="alphabeticalByArtist", size=1, offset=1) == \
        ["Solo"]
    assert albums(type="alphabeticalByName", offset=5) == []
    assert sorted(albums(type="random")) == ["Solo", "Tones"]
    assert albums(type="byYear", fromYear=2000, toYear=2010) == \
        ["Solo"]
    assert albums(type="byYear", fromYear=1990, toYear=2010) == \
        ["Tones", "Solo"]
    assert albums(type="byYear", fromYear=2010, toYear=1990) == \
        ["Solo", "Tones"]
    one = ok(call(w, "getAlbumList2", type="alphabeticalByName")[2])[
        "albumList2"]["album"][1]
    assert one["id"] == ids["First"][2] and one["year"] == 1999
    assert one["songCount"] == 2 and "song" not in one
    # the same in XML
    root = call(w, "getAlbumList2", f="xml", type="alphabeticalByName")[2]
    assert [e.get("name") for e in root.iter(NS + "album")] == \
        ["Solo", "Tones"]
    # bad: no type, a type not offered, byYear without its years
    failed(call(w, "getAlbumList2")[2], 10)
    failed(call(w, "getAlbumList2", type="nonsense")[2], 70)
    failed(call(w, "getAlbumList2", type="byYear", fromYear=1)[2], 10)
    # newest: an album added while the daemon runs comes first
    make_flac(str(top / "Zed" / "Later" / "01.flac"), "Late", "Zed",
              "Later", 1)
    walked(w, "the new song", lambda v: "Late" in v)
    assert albums(type="newest")[0] == "Later"
    assert sorted(albums(type="newest")) == ["Later", "Solo", "Tones"]


def test_random_songs_and_search3(dated):
    w, ids = dated
    got = ok(call(w, "getRandomSongs")[2])["randomSongs"]["song"]
    assert sorted(x["id"] for x in got) == sorted(
        v[0] for v in ids.values())
    assert len(names(call(w, "getRandomSongs", size=2)[2],
                     "randomSongs", "song", "title")) == 2
    assert names(call(w, "getRandomSongs", fromYear=2000)[2],
                 "randomSongs", "song", "title") == ["Only"]
    assert sorted(names(call(w, "getRandomSongs", toYear=2000)[2],
                        "randomSongs", "song", "title")) == \
        ["First", "Second"]

    def search(**q):
        r = ok(call(w, "search3", **q)[2])["searchResult3"]
        return ([x["name"] for x in r["artist"]],
                [x["name"] for x in r["album"]],
                sorted(x["title"] for x in r["song"]))

    assert search(query="on") == ([], ["Tones"], ["Only", "Second"])
    assert search(query="ZED") == (["Zed"], [], [])
    assert search(query="") == (["Band", "Zed"], ["Tones", "Solo"],
                                ["First", "Only", "Second"])
    assert search(query='""') == search(query="")
    assert search(query="", artistCount=1, albumCount=0,
                  songCount=1, songOffset=2)[0] == ["Band"]
    assert len(search(query="", songCount=1, songOffset=2)[2]) == 1
    assert search(query="", albumCount=0)[1] == []
    assert search(query="nothing like it") == ([], [], [])
    r = ok(call(w, "search3", query="First")[2])["searchResult3"]
    assert r["song"][0]["id"] == ids["First"][0]
    assert r["artist"] == [] and r["album"] == []
    root = call(w, "search3", f="xml", query="on")[2]
    assert sorted(e.get("title") for e in root.iter(NS + "song")) == \
        ["Only", "Second"]
    failed(call(w, "search3")[2], 10)
    # bad numbers are the defaults
    assert search(query="", songCount="x", songOffset="-3")[2] == \
        ["First", "Only", "Second"]


def test_genres(tmp_path):
    w = Web(tmp_path, music=genre_library(tmp_path))
    try:
        walked(w)
        got = ok(call(w, "getGenres")[2])["genres"]["genre"]
        assert {g["value"]: (g["songCount"], g["albumCount"])
                for g in got} == {"Rock": (2, 1), "Jazz": (1, 1)}
        albums = ok(call(w, "getAlbumList2", type="byGenre",
                         genre="Rock")[2])["albumList2"]["album"]
        assert [a["name"] for a in albums] == ["Tones"]
        got = ok(call(w, "getSongsByGenre", genre="Rock")[2])
        assert [x["title"] for x in got["songsByGenre"]["song"]] == \
            ["First", "Second"]
        got = ok(call(w, "getSongsByGenre", genre="Rock", count=1,
                      offset=1)[2])
        assert [x["title"] for x in got["songsByGenre"]["song"]] == \
            ["Second"]
        for bad in ("Nope", "..", "../artists", "", "Rock/x"):
            got = ok(call(w, "getSongsByGenre", genre=bad)[2])
            assert got["songsByGenre"]["song"] == []
            got = ok(call(w, "getAlbumList2", type="byGenre", genre=bad)[2])
            assert got["albumList2"]["album"] == []
        failed(call(w, "getSongsByGenre")[2], 10)
        failed(call(w, "getAlbumList2", type="byGenre")[2], 10)
        root = call(w, "getGenres", f="xml")[2]
        assert sorted((e.text, e.get("songCount")) for e in
                      root.iter(NS + "genre")) == [("Jazz", "1"),
                                                   ("Rock", "2")]
    finally:
        w.stop()


def timed_flac(path, title, track, seconds):
    """A FLAC tone of seconds, the track of Band's album Long."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    wav = path + ".wav"
    run("sox", "-n", "-r", "44100", "-c", "2", "-b", "16", wav, "synth",
        str(seconds), "sine", "440")
    run("flac", "-s", "-f", "-o", path, wav)
    os.unlink(wav)
    run("metaflac", "--set-tag=TITLE=" + title, "--set-tag=ARTIST=Band",
        "--set-tag=ALBUM=Long", "--set-tag=TRACKNUMBER=%d" % track, path)


def probed(path):
    """The length of path in seconds as ffprobe reads it."""
    return float(subprocess.check_output(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration",
         "-of", "csv=p=0", path]).strip())


def long_album(w):
    """The AlbumID3 of Band's Long with its songs."""
    a = ok(call(w, "getArtist", id=artists(w)["Band"])[2])["artist"]
    return ok(call(w, "getAlbum", id=a["album"][0]["id"])[2])["album"]


def test_durations_and_created(tmp_path):
    """A song's duration is its file's length (ffprobe's), its album's
    the sum; created is when the index first met the file (the album's
    its first song's), the same after a rescan and a restart."""
    top = tmp_path / "music"
    lengths = {"Short": 3, "Longer": 8.4}
    for n, (title, secs) in enumerate(sorted(lengths.items())):
        timed_flac(str(top / "Band" / "Long" / ("%02d.flac" % (n + 1))),
                   title, n + 1, secs)
    begun = time.time()
    w = Web(tmp_path, music=top)
    try:
        album = wait_for(lambda: long_album(w), 60, "the album Long",
                         until=lambda v: len(v["song"]) == 2, mount=w.m,
                         ignore=(AssertionError, KeyError, IndexError))
        for n, s in enumerate(sorted(album["song"],
                                     key=lambda s: s["track"])):
            want = probed(str(top / "Band" / "Long" /
                              ("%02d.flac" % (n + 1))))
            assert abs(want - lengths[s["title"]]) < 0.01
            assert s["duration"] == round(want), s
            at = calendar.timegm(time.strptime(s["created"],
                                               "%Y-%m-%dT%H:%M:%SZ"))
            assert begun - 2 <= at <= time.time() + 2, s
        assert album["duration"] == sum(s["duration"]
                                        for s in album["song"]) == 3 + 8
        assert album["created"] == min(s["created"] for s in album["song"])
        root = call(w, "getAlbum", f="xml", id=album["id"])[2]
        assert root.find(NS + "album").get("duration") == "11"
        assert root.find(NS + "album").get("created") == album["created"]
        w.m.rescan()
        assert long_album(w) == album
        log = w.m.proc.log_path
        w.stop()
        w = None
        os.rename(log, log + ".before-restart")
        w = Web(tmp_path, music=top)
        assert wait_for(lambda: long_album(w), 60, "the album again",
                        until=lambda v: v == album, mount=w.m,
                        ignore=(AssertionError, KeyError,
                                IndexError)) == album
    finally:
        if w:
            w.stop()


def test_album_list_and_search2_in_the_old_shape(world):  # noqa: F811
    """getAlbumList and search2 (issue 77): what getAlbumList2 and
    search3 answer, each album a folder of its artist's titled with its
    name, within what the account may read; their errors the same."""
    with private_root(world) as (w, mine, ids, top):
        for auth, titles in (({}, ["Priv", "Pub"]), (mine, ["Pub"])):
            new = ok(call(w, "getAlbumList2", type="alphabeticalByName",
                          **auth)[2])["albumList2"]["album"]
            old = ok(call(w, "getAlbumList", type="alphabeticalByName",
                          **auth)[2])["albumList"]["album"]
            assert [a["title"] for a in old] == titles
            for a, b in zip(new, old):
                assert b["isDir"] is True and b["id"] == a["id"]
                assert b["parent"] == a["artistId"]
                assert b["album"] == a["name"] and "name" not in b
            r3 = ok(call(w, "search3", query="", **auth)[2])[
                "searchResult3"]
            r2 = ok(call(w, "search2", query="", **auth)[2])[
                "searchResult2"]
            assert r2["song"] == r3["song"]
            assert [a["name"] for a in r2["artist"]] == \
                [a["name"] for a in r3["artist"]]
            assert [a["title"] for a in r2["album"]] == \
                [a["name"] for a in r3["album"]]
            assert sorted(a["title"] for a in r2["album"]) == titles
        failed(call(w, "getAlbumList")[2], 10)
        failed(call(w, "getAlbumList", type="nosuchtype")[2], 70)
        failed(call(w, "search2")[2], 10)
        root = call(w, "getAlbumList", f="xml", type="newest", **mine)[2]
        got = [e.get("title") for e in root.iter(NS + "album")]
        assert got == ["Pub"]


def test_music_directory_as_each_account_may_read(world):  # noqa: F811
    """getMusicDirectory (issue 77): an artist's id (getIndexes') lists
    its albums as folders, an album's its songs as Child records, as
    the account may read them: another user's folder is error 70."""
    with private_root(world) as (w, mine, ids, top):
        for title, (song, artist, album) in ids.items():
            d = ok(call(w, "getMusicDirectory", id=artist)[2])["directory"]
            assert d["id"] == artist and d["name"] == \
                {"Pub": "Open", "Priv": "Shut"}[title]
            assert [(c["id"], c["isDir"], c["title"], c["parent"])
                    for c in d["child"]] == [(album, True, title, artist)]
            d = ok(call(w, "getMusicDirectory", id=album)[2])["directory"]
            assert d["id"] == album and d["parent"] == artist
            assert [(c["id"], c["title"]) for c in d["child"]] == \
                [(song, title)]
            assert d["child"] == ok(call(w, "getAlbum", id=album)[2])[
                "album"]["song"]
            failed(call(w, "getMusicDirectory", id=song)[2], 70)
        pub, priv = ids["Pub"], ids["Priv"]
        ok(call(w, "getMusicDirectory", id=pub[1], **mine)[2])
        ok(call(w, "getMusicDirectory", id=pub[2], **mine)[2])
        failed(call(w, "getMusicDirectory", id=priv[1], **mine)[2], 70)
        failed(call(w, "getMusicDirectory", id=priv[2], **mine)[2], 70)
        failed(call(w, "getMusicDirectory", id="arzz", **mine)[2], 70)
        failed(call(w, "getMusicDirectory")[2], 10)
        root = call(w, "getMusicDirectory", f="xml", id=pub[2])[2]
        got = [e.get("title") for e in root.iter(NS + "child")]
        assert got == ["Pub"]


def test_album_lists_answer_as_get_album(dated):
    """An album on a list's page, made from the lists' index and its
    folder's listing (fs/subsonic/subsonic_brief.c) rather than from each
    song's record, is getAlbum's album field for field, its songs left
    out: length, times, year, genre, cover, star and plays included."""
    w, ids = dated
    top = w.where / "music"
    song, _, album = ids["First"]
    run("metaflac", "--set-tag=GENRE=Drone",
        str(top / "Band" / "Tones" / "02.flac"))
    (top / "Band" / "Tones" / "cover.jpg").write_bytes(b"\xff\xd8\xff\xd9")
    wait_for(lambda: ok(call(w, "getAlbum", id=album)[2])["album"], 60,
             "the genre and the cover", mount=w.m,
             until=lambda a: a.get("genre") == "Drone" and "coverArt" in a)
    ok(call(w, "star", albumId=album)[2])
    ok(call(w, "scrobble", id=song, submission="true")[2])
    wait_for(lambda: ok(call(w, "getAlbum", id=album)[2])["album"], 60,
             "the play counted", mount=w.m,
             until=lambda a: a.get("playCount") == 1 and "played" in a)
    for t in ("alphabeticalByName", "newest", "starred", "frequent",
              "recent"):
        got = ok(call_current(w, "getAlbumList2", type=t))["albumList2"][
            "album"]
        assert album in [a["id"] for a in got], t
        for a in got:
            full = ok(call(w, "getAlbum", id=a["id"])[2])["album"]
            del full["song"]
            assert a == full, t
