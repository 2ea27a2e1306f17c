# SPDX-License-Identifier: GPL-3.0-or-later
"""Another user's ids in every OpenSubsonic method that takes one (issue
76, a probe as a household account): an account whose user may not
enter a folder asks, with the ids root's account sees for its song, its
album and its artist, every method that reads, streams, marks, queues
or lists by id. No answer carries the song's bytes or a name of it, and
afterwards nothing the account keeps (stars, queue, bookmarks,
playlists, now playing) names it."""

import json
import urllib.error
import urllib.parse
import urllib.request

from subsonic_calls import call, ok, private_root, PASSWORD
from access_users import world  # noqa: F401

SECRET = (b"Priv", b"Shut")
# The methods that read, mark or queue a song by its id: refused (70).
REFUSED = ("getSong", "getAlbum", "getArtist", "getMusicDirectory",
           "getCoverArt", "stream", "download", "getLyricsBySongId",
           "getSimilarSongs", "getSimilarSongs2", "getSonicSimilarTracks",
           "star", "scrobble", "setRating", "createBookmark",
           "deleteBookmark", "savePlayQueue", "savePlayQueueByIndex",
           "getArtistInfo", "getArtistInfo2", "getAlbumInfo",
           "getAlbumInfo2")


def raw(w, method, pairs, auth):
    """(HTTP status, Content-Type, body bytes) of /rest/METHOD."""
    q = [("u", auth["u"]), ("p", auth["p"]), ("v", "1.16.1"),
         ("c", "probe"), ("f", "json")] + pairs
    url = "%s/rest/%s?%s" % (w.base, method, urllib.parse.urlencode(q))
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def calls(song, album, artist, pub):
    """Every (method, parameters) that takes an id, with the other
    user's song, album or artist."""
    return [
        ("getSong", [("id", song)]), ("getAlbum", [("id", album)]),
        ("getArtist", [("id", artist)]),
        ("getMusicDirectory", [("id", album)]),
        ("getMusicDirectory", [("id", artist)]),
        ("getCoverArt", [("id", song)]), ("getCoverArt", [("id", album)]),
        ("getCoverArt", [("id", artist)]),
        ("stream", [("id", song)]), ("download", [("id", song)]),
        ("stream", [("id", song), ("format", "opus")]),
        ("getLyricsBySongId", [("id", song)]),
        ("getLyrics", [("artist", "Shut"), ("title", "Priv")]),
        ("getSimilarSongs", [("id", song)]),
        ("getSimilarSongs", [("id", artist)]),
        ("getSimilarSongs2", [("id", artist)]),
        ("getSonicSimilarTracks", [("id", song)]),
        ("findSonicPath", [("startSongId", song), ("endSongId", pub)]),
        ("getTopSongs", [("artist", "Shut")]),
        ("getArtistInfo", [("id", artist)]),
        ("getArtistInfo2", [("id", artist)]),
        ("getAlbumInfo", [("id", album)]),
        ("getAlbumInfo2", [("id", album)]),
        ("star", [("id", song)]), ("star", [("albumId", album)]),
        ("star", [("artistId", artist)]), ("unstar", [("id", song)]),
        ("scrobble", [("id", song)]),
        ("scrobble", [("id", song), ("submission", "false")]),
        ("setRating", [("id", song), ("rating", "5")]),
        ("createBookmark", [("id", song), ("position", "1000")]),
        ("deleteBookmark", [("id", song)]),
        ("savePlayQueue", [("id", pub), ("id", song), ("current", song)]),
        ("savePlayQueueByIndex", [("id", song), ("currentIndex", "0")]),
        ("createPlaylist", [("name", "Probe"), ("songId", song)]),
        ("createPlaylist", [("name", "Probe2"), ("songId", pub)]),
        ("createShare", [("id", song)]),
        ("getTranscodeDecision", [("mediaId", song), ("mediaType", "song")]),
        ("getTranscodeStream", [("mediaId", song), ("mediaType", "song")]),
        ("reportPlayback", [("mediaId", song), ("mediaType", "song"),
                            ("positionMs", "1"), ("state", "playing")]),
    ]


def leaks(body):
    return body.startswith(b"fLaC") or any(s in body for s in SECRET)


def test_another_users_ids_in_every_method(world):  # noqa: F811
    with private_root(world) as (w, mine, ids, top):
        song, artist, album = ids["Priv"]
        pub = ids["Pub"][0]
        auth = mine["auth"]
        assert auth["p"] == PASSWORD
        seen = []
        for method, pairs in calls(song, album, artist, pub):
            status, ctype, body = raw(w, method, pairs, auth)
            assert not leaks(body), (method, pairs, status, body[:300])
            if status == 200 and ctype.startswith("application/json"):
                resp = json.loads(body)["subsonic-response"]
                seen.append((method, resp["status"],
                             resp.get("error", {}).get("code")))
            else:
                seen.append((method, status, ctype))
        # what is asked by a method that reads the other user's song is
        # refused; nothing else is told of it
        for method, status, code in seen:
            if method in REFUSED:
                assert (status, code) == ("failed", 70), seen
        made = [s for s in seen if s[0] == "createPlaylist"]
        assert made == [("createPlaylist", "failed", 70),
                        ("createPlaylist", "ok", None)]
        got = ok(call(w, "getPlaylists", **mine)[2])["playlists"]
        assert [p["name"] for p in got["playlist"]
                if p["id"].startswith("up")] == ["Probe2"]
        # what the account keeps names nothing of it
        for method, pairs in [("getStarred", []), ("getStarred2", []),
                              ("getPlayQueue", []),
                              ("getPlayQueueByIndex", []),
                              ("getBookmarks", []), ("getPlaylists", []),
                              ("getNowPlaying", []), ("getShares", []),
                              ("getRandomSongs", [("size", "50")]),
                              ("search3", [("query", "")])]:
            status, ctype, body = raw(w, method, pairs, auth)
            assert not leaks(body), (method, body[:300])
        lists = json.loads(raw(w, "getPlaylists", [], auth)[2])
        for p in lists["subsonic-response"]["playlists"].get(
                "playlist", []):
            body = raw(w, "getPlaylist", [("id", p["id"])], auth)[2]
            assert not leaks(body), (p, body[:300])
        # root still sees its song as it was: no mark of the account's
        got = ok(call(w, "getSong", id=song)[2])["song"]
        assert got["title"] == "Priv"
        assert "userRating" not in got and "starred" not in got
