# SPDX-License-Identifier: GPL-3.0-or-later
"""/rest driven by a real Subsonic client library (issue 67):
subsonic-api, from npm (tests/js/package.json, pinned by its
package-lock.json; contrib/install-deps.sh installs it into
tests/js/node_modules), run by node through tests/js/subsonic_client.mjs,
which asks every method of the issue through the library's own calls and
logins (the t+s token, the apiKey) and prints what came back. Here each
JSON answer is checked against the published OpenSubsonic schemas and
against what the same questions get written from the specification
(subsonic_calls.py), and each file against the file itself. Skipped only
when node or the package is not installed."""

import hashlib
import json
import os
import shutil
import subprocess
import urllib.parse

import pytest

import opensubsonic_schema
from conftest import wait_for
from subsonic_calls import (call, ok, failed, passwords_file, walked,
                            genre_library)
from test_covers import jpeg
from test_http import PASSWORD, Web

JS = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "js"))
DRIVER = os.path.join(JS, "subsonic_client.mjs")
PACKAGE = os.path.join(JS, "node_modules", "subsonic-api", "package.json")
API_KEY = "5d0c2f7e9a3b4c1d8e6f0a2b4c6d8e0f"
# The songs of genre_library() and their files under its music.
FILES = {"First": "Band/Tones/01.flac", "Second": "Band/Tones/02.flac",
         "Only": "Zed/Solo/01.flac"}


@pytest.fixture
def node():
    """The node program, with the npm package beside the driver."""
    path = shutil.which("node") or shutil.which("nodejs")
    if not path:
        pytest.skip("node is not installed (Debian's nodejs;"
                    " contrib/install-deps.sh installs it)")
    if not os.path.exists(PACKAGE):
        pytest.skip("the npm package subsonic-api is not in"
                    " tests/js/node_modules (contrib/install-deps.sh"
                    " installs it: npm ci in tests/js)")
    with open(PACKAGE) as f:
        assert json.load(f)["version"] == "3.3.1"
    return path


def drive(node, w, auth, **cfg):
    """The records of subsonic_client.mjs's calls to w as auth, each
    JSON answer checked against its method's schema."""
    cfg.update(url=w.base, auth=auth)
    r = subprocess.run([node, DRIVER, json.dumps(cfg)], cwd=JS,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    records = json.loads(r.stdout)
    for rec in records:
        assert rec["status"] in (200, 206), rec
        if "raw" in rec:
            opensubsonic_schema.check(rec["method"], rec["raw"])
            assert rec["result"]["status"] == \
                rec["raw"]["subsonic-response"]["status"]
    return records


def query(rec):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
        rec["url"]).query))


def answers(records, method, **args):
    """The library's results of method asked with args (a part of
    them), in the order asked."""
    return [r["result"] for r in records if r["method"] == method and
            all(r["args"].get(k) == v for k, v in args.items())]


def the(records, method, **args):
    got = answers(records, method, **args)
    assert len(got) == 1, (method, args, got)
    return ok(got[0])


def sha(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def library(tmp_path):
    """A Web of genre_library() with a cover for Band/Tones, whose root
    logs in with a token too (its password kept); (the Web, the cover's
    bytes, the ids walk() finds)."""
    top = genre_library(tmp_path)
    image = jpeg(600)
    (top / "Band" / "Tones" / "cover.jpg").write_bytes(image)
    kept = passwords_file(tmp_path / "subsonic-passwords",
                          "root:%s\n" % PASSWORD)
    w = Web(tmp_path, music=top,
            conf_extra="subsonic_passwords = %s\n" % kept)
    try:
        ids = walked(w)
        wait_for(lambda: ok(call(w, "getPlaylists")[2])["playlists"][
            "playlist"], 60, "the genre playlists", mount=w.m,
            until=lambda v: len(v) >= 2)
        yield w, image, ids
    finally:
        w.stop()


def check_logins(records):
    """Every call logged in with a token of its own salt."""
    salts = set()
    for rec in records:
        q = query(rec)
        assert q["u"] == "root" and "p" not in q and "apiKey" not in q
        assert q["t"] == hashlib.md5((PASSWORD + q["s"]).encode()) \
            .hexdigest()
        salts.add(q["s"])
    assert len(salts) == len(records)


def check_browsing(w, records, ids):
    """The walk and the lists as the library got them."""
    songs = {s["title"]: (s["id"], s["artistId"], s["albumId"])
             for a in answers(records, "getAlbum") for s in
             ok(a)["album"]["song"]}
    assert songs == ids
    # (First is starred and played since)
    for title in ("Second", "Only"):
        sid = ids[title][0]
        raw, = [r["raw"] for r in records if r["method"] == "getSong" and
                r["args"]["id"] == sid]
        assert raw == {"subsonic-response": call(w, "getSong", id=sid)[2]}
    assert the(records, "getMusicFolders")["musicFolders"] == \
        {"musicFolder": [{"id": 1, "name": "music"}]}
    assert the(records, "getLicense")["license"]["valid"] is True
    assert the(records, "getOpenSubsonicExtensions")[
        "openSubsonicExtensions"] == [
            {"name": "formPost", "versions": [1]},
            {"name": "transcodeOffset", "versions": [1]},
            {"name": "indexBasedQueue", "versions": [1]},
            {"name": "songLyrics", "versions": [1]}]
    assert [i["name"] for i in the(records, "getIndexes")["indexes"][
        "index"]] == ["B", "Z"]
    by_name = the(records, "getAlbumList2", type="alphabeticalByName")
    assert [a["name"] for a in by_name["albumList2"]["album"]] == \
        ["Solo", "Tones"]
    for t in ("starred", "frequent", "recent", "highest"):
        assert the(records, "getAlbumList2", type=t)["albumList2"] == \
            {"album": []}
    genre = the(records, "getGenres")["genres"]["genre"][0]["value"]
    assert [a["name"] for a in the(records, "getAlbumList2",
                                   type="byGenre")["albumList2"]["album"]
            ] == {"Rock": ["Tones"], "Jazz": ["Solo"]}[genre]
    assert sorted(s["title"] for s in the(records, "getRandomSongs")[
        "randomSongs"]["song"]) == ["First", "Only", "Second"]
    found = the(records, "search3", query="")["searchResult3"]
    assert (len(found["artist"]), len(found["album"]),
            len(found["song"])) == (2, 2, 3)
    assert [s["id"] for s in the(records, "search3", query="First")[
        "searchResult3"]["song"]] == [ids["First"][0]]
    listed = the(records, "getPlaylists")["playlists"]["playlist"]
    got = answers(records, "getPlaylist")
    assert [ok(p)["playlist"]["id"] for p in got] == \
        [p["id"] for p in listed]
    assert all(e["id"] in {v[0] for v in ids.values()}
               for p in got for e in p["playlist"].get("entry", []))


def check_files(w, records, image, ids):
    """stream, download (whole and a range) and getCoverArt: the files
    themselves."""
    top = w.where / "music"
    for title, (sid, _, _) in ids.items():
        data = (top / FILES[title]).read_bytes()
        rec = [r for r in records if r["method"] == "stream" and
               r["args"]["id"] == sid]
        assert len(rec) == 1 and rec[0]["status"] == 200
        assert (rec[0]["length"], rec[0]["sha256"]) == \
            (len(data), sha(data))
    data = (top / FILES["First"]).read_bytes()
    whole, part = [r for r in records if r["method"] == "download"]
    assert (whole["status"], whole["sha256"]) == (200, sha(data))
    assert (part["status"], part["sha256"]) == (206, sha(data[4:100]))
    assert part["range"] == "bytes 4-99/%d" % len(data)
    cover, = [r for r in records if r["method"] == "getCoverArt"]
    assert cover["args"]["id"] == ids["First"][2]
    assert (cover["status"], cover["type"], cover["sha256"]) == \
        (200, "image/jpeg", sha(image))


def check_marks(w, records, ids):
    """Similar songs, top songs, a scrobble, a star and an unstar."""
    first = ids["First"]
    similar = the(records, "getSimilarSongs2")
    assert similar["similarSongs2"] == call(w, "getSimilarSongs2",
                                            id=first[0])[2]["similarSongs2"]
    before, after = answers(records, "getTopSongs")
    assert [s["title"] for s in ok(before)["topSongs"]["song"]] == \
        ["First", "Second"]
    top = ok(after)["topSongs"]["song"]
    assert [(s["title"], s.get("playCount")) for s in top] == \
        [("First", 1), ("Second", None)]
    stars, unstars = answers(records, "getStarred2")
    got = ok(stars)["starred2"]
    assert ([a["id"] for a in got["artist"]], [a["id"] for a in
            got["album"]], [s["id"] for s in got["song"]]) == \
        ([first[1]], [first[2]], [first[0]])
    assert ok(unstars)["starred2"] == {"artist": [], "album": [],
                                       "song": []}
    song = ok(answers(records, "getSong", id=first[0])[-1])["song"]
    assert song["playCount"] == 1 and "starred" in song
    assert "starred" not in ok(call(w, "getSong", id=first[0])[2])["song"]


def check_edits(records, ids):
    """The account's own playlist, bookmark, play queue and rating as
    the library made and read them (issue 77)."""
    made = ok(records[0]["result"])["playlist"]
    order = [s["id"] for s in made["entry"]]
    assert sorted(order) == sorted(v[0] for v in ids.values())
    # its cover its first song's (Band/Tones has one)
    assert made["entry"][0]["albumId"] == ids["First"][2]
    assert made["coverArt"] == made["entry"][0]["coverArt"]
    got = the(records, "getPlaylist")["playlist"]
    assert (got["name"], got["public"], got["owner"]) == \
        ("Ours", True, "root")
    assert [e["id"] for e in got["entry"]] == order[2:] + order[:1]
    assert [p["name"] for p in the(records, "getPlaylists")["playlists"][
        "playlist"] if p["id"] == got["id"]] == ["Ours"]
    mark, = the(records, "getBookmarks")["bookmarks"]["bookmark"]
    assert (mark["entry"]["id"], mark["position"], mark["comment"]) == \
        (order[0], 1234, "here")
    q = the(records, "getPlayQueue")["playQueue"]
    assert ([e["id"] for e in q["entry"]], q["current"], q["position"]) \
        == (order, order[1], 5000)
    assert the(records, "getSong")["song"]["userRating"] == 4
    assert [r["method"] for r in records] == [
        "createPlaylist", "updatePlaylist", "getPlaylist", "getPlaylists",
        "deletePlaylist", "createBookmark", "getBookmarks",
        "deleteBookmark", "savePlayQueue", "getPlayQueue", "setRating",
        "getSong"]


def test_a_client_library_drives_every_method(node, library):
    """Every method of issue 67 through subsonic-api's own calls and
    its token login; a wrong password through it is error 40."""
    w, image, ids = library
    records = drive(node, w, {"username": "root", "password": PASSWORD},
                    plan="every", range="bytes=4-99")
    check_logins(records)
    for rec in records:
        if "raw" in rec:
            ok(rec["result"])
    edits = [r for r in records if r["part"] == "edits"]
    records = [r for r in records if r["part"] != "edits"]
    check_edits(edits, ids)
    asked = {r["method"] for r in records}
    assert asked >= {
        "ping", "getLicense", "getMusicFolders", "getIndexes",
        "getArtists", "getArtist", "getAlbum", "getSong", "getAlbumList2",
        "getRandomSongs", "search3", "getGenres", "getCoverArt", "stream",
        "download", "getPlaylists", "getPlaylist", "getSimilarSongs2",
        "getTopSongs", "scrobble", "star", "unstar", "getStarred2"}
    check_browsing(w, records, ids)
    check_files(w, records, image, ids)
    check_marks(w, records, ids)
    rec, = drive(node, w, {"username": "root", "password": "wrong"},
                 plan="few")
    failed(rec["result"], 40)


def test_a_client_library_logs_in_with_an_api_key(node, tmp_path):
    """subsonic-api's apiKey login: the key alone, its account's
    answers; a key not kept is 44, a token while no password is kept
    41, an id of nothing 70."""
    keys = passwords_file(tmp_path / "subsonic-api-keys",
                          "root:%s\n" % API_KEY)
    top = genre_library(tmp_path)
    w = Web(tmp_path, music=top,
            conf_extra="subsonic_api_keys = %s\n" % keys)
    try:
        ids = walked(w)
        sid = ids["Only"][0]
        records = drive(node, w, {"apiKey": API_KEY}, plan="few",
                        songs=[sid, "zz"])
        assert [r["method"] for r in records] == \
            ["ping", "getArtists", "getSong", "getSong"]
        for rec in records:
            q = query(rec)
            assert q["apiKey"] == API_KEY
            assert not {"u", "p", "t", "s"} & set(q)
        for rec in records[:3]:
            ok(rec["result"])
        assert records[2]["result"]["song"]["title"] == "Only"
        assert records[2]["raw"] == {"subsonic-response": call(
            w, "getSong", id=sid)[2]}
        failed(records[3]["result"], 70)
        rec, = drive(node, w, {"apiKey": API_KEY[::-1]}, plan="few")
        failed(rec["result"], 44)
        rec, = drive(node, w, {"username": "root", "password": PASSWORD},
                     plan="few")
        failed(rec["result"], 41)
    finally:
        w.stop()
