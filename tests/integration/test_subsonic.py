# SPDX-License-Identifier: GPL-3.0-or-later
"""The OpenSubsonic API under /rest of the [http] listener (issue 67):
the subsonic-response envelope in JSON and XML, the login forms (p plain
and enc:, the t+s token against [http] subsonic_passwords) and their
errors, and the first methods. No Subsonic client library installs from
Debian (supysonic is a server), so the requests are written from the
OpenSubsonic specification (opensubsonic.netlify.app), as players send
them: GET /rest/METHOD.view?u=&p=|t=&s=&v=&c=&f=."""

import calendar
import contextlib
import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest

import opensubsonic_schema
from conftest import make_flac, run, start_refused, wait_for
from test_access import make_user, drop_user, world  # noqa: F401
from test_covers import jpeg
from test_http import PASSWORD, Web, htpasswd, open_and_shut

NS = "{http://subsonic.org/restapi}"


def call(w, method, f="json", auth=None, **params):
    """(HTTP status, content type, the decoded body: the JSON
    subsonic-response object, or the XML root element) of
    /rest/METHOD."""
    q = dict(auth if auth is not None else {"u": "root", "p": PASSWORD})
    q.update({"v": "1.16.1", "c": "mediamon-test"})
    if f:
        q["f"] = f
    q.update(params)
    url = "%s/rest/%s?%s" % (w.base, method, urllib.parse.urlencode(q))
    with urllib.request.urlopen(url, timeout=120) as r:
        body = r.read()
        status, ctype = r.status, r.headers.get("Content-Type", "")
    if f == "json":
        answer = json.loads(body)
        opensubsonic_schema.check(method, answer)
        return status, ctype, answer["subsonic-response"]
    return status, ctype, ET.fromstring(body)


def token(password, salt):
    return hashlib.md5((password + salt).encode()).hexdigest()


@pytest.fixture
def web(tmp_path):
    w = Web(tmp_path)
    yield w
    w.stop()


def ok(resp):
    assert resp["status"] == "ok", resp
    assert resp["version"] == "1.16.1"
    assert resp["type"] == "mediamon"
    assert resp["openSubsonic"] is True
    assert re.match(r"\d+\.\d+", resp["serverVersion"])
    return resp


def failed(resp, code):
    assert resp["status"] == "failed", resp
    assert resp["error"]["code"] == code, resp
    assert resp["error"]["message"], resp
    return resp


def test_envelope_in_json_and_xml(web):
    for method in ("ping", "ping.view"):
        status, ctype, resp = call(web, method)
        assert status == 200 and ctype.startswith("application/json")
        assert set(ok(resp)) == {"status", "version", "type",
                                 "serverVersion", "openSubsonic"}
    # XML is the default, and what f=xml asks
    for f in (None, "xml"):
        status, ctype, root = call(web, "ping.view", f=f)
        assert status == 200 and ctype.startswith("text/xml")
        assert root.tag == NS + "subsonic-response"
        assert root.get("status") == "ok"
        assert root.get("version") == "1.16.1"
        assert root.get("openSubsonic") == "true"
        assert root.get("type") == "mediamon"


def test_first_methods(web):
    assert ok(call(web, "getLicense")[2])["license"] == {"valid": True}
    assert ok(call(web, "getOpenSubsonicExtensions")[2])[
        "openSubsonicExtensions"] == []
    folders = ok(call(web, "getMusicFolders.view")[2])["musicFolders"]
    assert folders == {"musicFolder": [{"id": 1, "name": "music"}]}
    root = call(web, "getMusicFolders", f="xml")[2]
    got = [(e.get("id"), e.get("name")) for e in
           root.iter(NS + "musicFolder")]
    assert got == [("1", "music")]
    lic = call(web, "getLicense", f="xml")[2].find(NS + "license")
    assert lic is not None and lic.get("valid") == "true"


def test_login_forms_and_their_errors(web):
    enc = "enc:" + PASSWORD.encode().hex()
    ok(call(web, "ping", auth={"u": "root", "p": enc})[2])
    ok(call(web, "ping", auth={"u": "root", "p": enc.upper()
                               .replace("ENC:", "enc:")})[2])
    # wrong: a wrong password, a wrong one in hex, hex that is not hex,
    # a name no account has (four of the five a minute allows)
    for auth in ({"u": "root", "p": "wrong"},
                 {"u": "root", "p": "enc:" + b"wrong".hex()},
                 {"u": "root", "p": "enc:zz"},
                 {"u": "nosuchuser", "p": PASSWORD}):
        status, _, resp = call(web, "ping", auth=auth)
        assert status == 200
        failed(resp, 40)
    # the same error in XML
    root = call(web, "ping", f="xml", auth={"u": "root"})[2]
    assert root.get("status") == "failed"
    assert root.find(NS + "error").get("code") == "10"
    failed(call(web, "ping", auth={})[2], 10)
    failed(call(web, "ping", auth={"p": PASSWORD})[2], 10)
    failed(call(web, "ping", auth={"u": "root", "t": "abc"})[2], 10)
    # no password kept for tokens: 41
    failed(call(web, "ping", auth={"u": "root", "s": "salt1",
                                   "t": token(PASSWORD, "salt1")})[2], 41)
    failed(call(web, "ping", auth={"apiKey": "k"})[2], 42)
    failed(call(web, "ping", auth={"u": "root", "p": PASSWORD,
                                   "t": "x", "s": "y"})[2], 43)
    failed(call(web, "ping", auth={"u": "root", "apiKey": "k"})[2], 43)
    # an unknown method, or a path under one: code 0, after the login
    failed(call(web, "noSuchMethod")[2], 0)
    failed(call(web, "ping.view/more")[2], 0)
    failed(call(web, "noSuchMethod", auth={"u": "root", "p": "x"})[2], 40)
    # the listener still answers the right password
    ok(call(web, "ping")[2])


def passwords_file(path, text, mode=0o600):
    path.write_text(text)
    os.chmod(str(path), mode)
    return path


def test_token_against_the_kept_password(tmp_path):
    kept = passwords_file(tmp_path / "subsonic-passwords",
                          "# the accounts that log in with a token\n"
                          "root:%s\n" % PASSWORD)
    w = Web(tmp_path, conf_extra="subsonic_passwords = %s\n" % kept)
    try:
        for salt in ("c19b2d", "a salt with spaces"):
            ok(call(w, "ping", auth={"u": "root", "s": salt,
                                     "t": token(PASSWORD, salt)})[2])
        ok(call(w, "ping", auth={"u": "root", "s": "c19b2d",
                                 "t": token(PASSWORD, "c19b2d").upper()})[2])
        for t in (token(PASSWORD, "other"), token("wrong", "c19b2d"),
                  "not hex at all"):
            failed(call(w, "ping", auth={"u": "root", "s": "c19b2d",
                                         "t": t})[2], 40)
        ok(call(w, "ping")[2])
        assert PASSWORD not in w.log()
    finally:
        w.stop()


def test_kept_password_must_be_the_htpasswd_one(tmp_path):
    kept = passwords_file(tmp_path / "subsonic-passwords",
                          "root:another password\n")
    w = Web(tmp_path, conf_extra="subsonic_passwords = %s\n" % kept)
    try:
        failed(call(w, "ping", auth={"u": "root", "s": "s1",
                                     "t": token("another password",
                                                "s1")})[2], 40)
        assert "another password" not in w.log()
    finally:
        w.stop()


def secrets_open_refused(tmp_path, key, secret, mode):
    """A start whose [http] key names a file of secret open to others
    (mode) is refused: the log names the file, not the secret."""
    kept = passwords_file(tmp_path / key.replace("_", "-"),
                          "root:%s\n" % secret, mode)
    htpasswd(tmp_path / "htpasswd", "root")
    music = tmp_path / "music"
    music.mkdir()
    conf = tmp_path / "http.conf"
    conf.write_text("[analysis]\nenabled = no\n[http]\nlisten = "
                    "127.0.0.1:0\nhtpasswd = %s\n%s = %s\n"
                    "[music]\nroot = %s\n" % (tmp_path / "htpasswd", key,
                                              kept, music))
    text = start_refused(tmp_path, "config=" + str(conf))
    assert "%s: %s holds secrets" % (key, kept) in text, text
    assert secret not in text


@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_passwords_open_to_others_stop_the_start(tmp_path, mode):
    secrets_open_refused(tmp_path, "subsonic_passwords", PASSWORD, mode)


API_KEY = "3f1c0a9be8d24c7d9a61f0e2b7c45d88"


def test_api_key_names_its_account(tmp_path):
    """The apiKeyAuthentication extension: a key of [http]
    subsonic_api_keys logs in alone (tokenInfo says whose it is); with
    u, p, t or s it is 43, a key not kept 44."""
    keys = passwords_file(tmp_path / "subsonic-api-keys",
                          "# one line a key\n"
                          "root:%s\n"
                          "root:tooshort\n"
                          "nosuchuser:%s\n" % (API_KEY, "9" * 32))
    w = Web(tmp_path, conf_extra="subsonic_api_keys = %s\n" % keys)
    try:
        key = {"apiKey": API_KEY}
        got = ok(call(w, "getOpenSubsonicExtensions", auth=key)[2])
        assert got["openSubsonicExtensions"] == [
            {"name": "apiKeyAuthentication", "versions": [1]}]
        ok(call(w, "ping", auth=key)[2])
        assert ok(call(w, "tokenInfo", auth=key)[2])["tokenInfo"] == \
            {"username": "root"}
        root = call(w, "tokenInfo.view", f="xml", auth=key)[2]
        assert root.find(NS + "tokenInfo").get("username") == "root"
        # a name and password still log in
        assert ok(call(w, "tokenInfo")[2])["tokenInfo"] == \
            {"username": "root"}
        for extra in ({"u": "root"}, {"p": PASSWORD}, {"t": "x"},
                      {"s": "y"}):
            failed(call(w, "ping", auth=dict(key, **extra))[2], 43)
        # three wrong keys (of the five a minute allows): one not kept,
        # one too short to be kept, one of no account
        for bad in (API_KEY[:-1] + "0", "tooshort", "9" * 32):
            failed(call(w, "ping", auth={"apiKey": bad})[2], 44)
        ok(call(w, "ping", auth=key)[2])
        text = w.log()
        assert API_KEY not in text and "9" * 32 not in text
        assert "line 3: a key of fewer than 16 characters" in text
    finally:
        w.stop()


def test_api_keys_read_again_on_reload(tmp_path):
    """A reload (SIGHUP) reads subsonic_api_keys again: a key removed is
    refused (44), one added taken; a file then open to others is
    refused and the keys in use stay."""
    other = "7b2e9d04c1f84a6e8d3c5a0f19e6b2c4"
    keys = passwords_file(tmp_path / "subsonic-api-keys",
                          "root:%s\n" % API_KEY)
    w = Web(tmp_path, conf_extra="subsonic_api_keys = %s\n" % keys)
    try:
        def reload():
            done = w.log().count("reload: done")
            w.m.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: w.log().count("reload: done") > done, 60,
                     "reload: done in the log", mount=w.m, interval=0.1)

        ok(call(w, "ping", auth={"apiKey": API_KEY})[2])
        failed(call(w, "ping", auth={"apiKey": other})[2], 44)
        passwords_file(keys, "root:%s\n" % other)
        reload()
        failed(call(w, "ping", auth={"apiKey": API_KEY})[2], 44)
        assert ok(call(w, "tokenInfo", auth={"apiKey": other})[2])[
            "tokenInfo"] == {"username": "root"}
        os.chmod(keys, 0o644)
        reload()
        assert "Subsonic passwords and API keys in use stay" in w.log()
        ok(call(w, "ping", auth={"apiKey": other})[2])
        text = w.log()
        assert API_KEY not in text and other not in text
    finally:
        w.stop()


def test_unstar_of_an_upper_case_id(music):
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


def test_api_keys_open_to_others_stop_the_start(tmp_path):
    secrets_open_refused(tmp_path, "subsonic_api_keys", API_KEY, 0o644)


def music_library(top):
    """Two artists, three tracks: Band/Tones (tracks 1, 2), Zed/Solo."""
    make_flac(os.path.join(top, "Band", "Tones", "01.flac"), "First",
              "Band", "Tones", 1)
    make_flac(os.path.join(top, "Band", "Tones", "02.flac"), "Second",
              "Band", "Tones", 2, freq=550)
    make_flac(os.path.join(top, "Zed", "Solo", "01.flac"), "Only", "Zed",
              "Solo", 1, freq=660)


def artists(w, **auth):
    a = ok(call(w, "getArtists", **auth)[2])["artists"]
    return {x["name"]: x["id"] for i in a["index"] for x in i["artist"]}


@pytest.fixture
def music(tmp_path):
    top = tmp_path / "music"
    music_library(str(top))
    w = Web(tmp_path, music=top)
    wait_for(lambda: walk(w), 60, "the three songs through getAlbum",
             until=lambda v: len(v) == 3, mount=w.m,
             ignore=(AssertionError,))
    yield w
    w.stop()


def walk(w):
    """{title: (song id, artist id, album id)} through getArtists,
    getArtist and getAlbum."""
    got = {}
    for name, aid in artists(w).items():
        artist = ok(call(w, "getArtist", id=aid)[2])["artist"]
        assert artist["id"] == aid and artist["name"] == name
        assert artist["albumCount"] == len(artist["album"])
        for album in artist["album"]:
            assert album["artistId"] == aid
            full = ok(call(w, "getAlbum", id=album["id"])[2])["album"]
            assert full["name"] == album["name"]
            assert full["songCount"] == len(full["song"]) == \
                album["songCount"]
            for song in full["song"]:
                assert song["albumId"] == album["id"]
                assert song["artistId"] == aid
                got[song["title"]] = (song["id"], aid, album["id"])
    return got


def test_every_method_answers_its_schema(music):
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
             ("getSimilarSongs2", {"id": song}), ("getPlaylists", {}),
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


def test_artists_albums_songs(music):
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


def test_stream_and_download_are_the_file(music):
    ids = walk(music)
    path = os.path.join(str(music.where), "music", "Band", "Tones",
                        "02.flac")
    with open(path, "rb") as f:
        data = f.read()
    for method in ("stream", "download.view"):
        q = urllib.parse.urlencode({"u": "root", "p": PASSWORD, "v":
                                    "1.16.1", "c": "t",
                                    "id": ids["Second"][0]})
        url = "%s/rest/%s?%s" % (music.base, method, q)
        with urllib.request.urlopen(url, timeout=120) as r:
            assert r.status == 200
            assert r.read() == data
        req = urllib.request.Request(url, headers={"Range": "bytes=4-99"})
        with urllib.request.urlopen(req, timeout=120) as r:
            assert r.status == 206
            assert r.read() == data[4:100]


def test_bad_ids(music):
    for method in ("getArtist", "getAlbum", "getSong", "stream"):
        failed(call(music, method)[2], 10)
        for bad in ("", "zz", "ar", "tr2e2e", "al" + b"../x".hex(),
                    "tr" + b"Band/Tones".hex(), "ar" + b"Nobody".hex(),
                    "tr" + b"Band/../Band/Tones/01.flac".hex(),
                    "al" + b"Band/Tones\x00".hex(), "so", "so0", "so-1",
                    "so01", "so1x", "so99999999", "so" + "9" * 30,
                    "so" + b"Band/Tones/01 - First.flac".hex()):
            failed(call(music, method, id=bad)[2], 70)


def test_old_song_ids_name_nothing(music):
    """A song's id of the form before ("tr" and the hex of its view
    path) names nothing now: code 70, as the man page says."""
    ids = walk(music)
    assert all(re.fullmatch(r"so[1-9][0-9]*", v[0]) for v in ids.values())
    rel = os.path.relpath(view_path(music, ids["First"][0]),
                          music.m.file("library/music/artists"))
    old = "tr" + rel.encode().hex()
    for method in ("getSong", "stream", "getSimilarSongs2", "getCoverArt"):
        failed(call(music, method, id=old)[2], 70)


def file_row(w, song_id):
    """(the folder's path, the name) of the store's row of a song's
    file, or None."""
    con = sqlite3.connect("file:%s?mode=ro" % w.m.db, uri=True,
                          timeout=60)
    try:
        row = con.execute("SELECT d.path, f.name FROM files f JOIN"
                          " directories d ON d.id = f.dir_id WHERE"
                          " f.id = ?", (int(song_id[2:]),)).fetchone()
    finally:
        con.close()
    return row and (bytes(row[0]).decode() if isinstance(row[0], bytes)
                    else row[0],
                    bytes(row[1]).decode() if isinstance(row[1], bytes)
                    else row[1])


def test_song_ids_outlive_renames_and_moves(music):
    """A rename the watcher sees, and a move to another folder of the
    same root, keep a song's id: the same song, its file's bytes
    streamed from the new place; no other song takes the old id."""
    top = music.where / "music"
    before = walk(music)
    first, second = before["First"][0], before["Second"][0]
    os.rename(str(top / "Band" / "Tones" / "01.flac"),
              str(top / "Band" / "Tones" / "renamed.flac"))
    wait_for(lambda: file_row(music, first), 60, "the rename in the store",
             until=lambda v: v == ("Band/Tones", "renamed.flac"),
             mount=music.m)
    os.rename(str(top / "Band" / "Tones" / "02.flac"),
              str(top / "Zed" / "Solo" / "moved.flac"))
    wait_for(lambda: file_row(music, second), 60, "the move in the store",
             until=lambda v: v == ("Zed/Solo", "moved.flac"),
             mount=music.m)
    assert wait_for(lambda: walk(music), 60, "the songs after the moves",
                    until=lambda v: v == before, mount=music.m,
                    ignore=(AssertionError,)) == before
    for sid, title, path in ((first, "First", "Band/Tones/renamed.flac"),
                             (second, "Second", "Zed/Solo/moved.flac")):
        assert ok(call(music, "getSong", id=sid)[2])["song"]["title"] == \
            title
        q = urllib.parse.urlencode({"u": "root", "p": PASSWORD, "id": sid})
        with urllib.request.urlopen("%s/rest/stream?%s" % (music.base, q),
                                    timeout=120) as r:
            assert r.read() == (top / path).read_bytes()
    # a rescan after the moves keeps them too
    music.m.rescan()
    assert walk(music) == before


def test_ids_outlive_a_rescan_and_a_restart(music):
    before = walk(music)
    music.m.rescan()
    assert walk(music) == before
    music.stop()
    # the new daemon's port is the one its own log says
    log = music.m.proc.log_path
    os.rename(log, log + ".before-restart")
    w = Web(music.where, music=music.where / "music")
    try:
        wait_for(lambda: walk(w), 60, "the three songs after a restart",
                 until=lambda v: len(v) == 3, mount=w.m,
                 ignore=(AssertionError,))
        assert walk(w) == before
    finally:
        w.stop()


@contextlib.contextmanager
def private_root(world):  # noqa: F811
    """A listener over open_and_shut()'s music for root and a user made
    for the test: (the listener, the user's auth, root's ids by title)
    once root sees both songs."""
    u = make_user()
    try:
        top = open_and_shut(world)
        w = Web(tempfile.mkdtemp(dir=world), names=("root", u.name),
                music=top)
        try:
            ids = wait_for(lambda: walk(w), 60, "both songs for root",
                           until=lambda v: len(v) == 2, mount=w.m,
                           ignore=(AssertionError,))
            yield w, {"auth": {"u": u.name, "p": PASSWORD}}, ids, top
        finally:
            w.stop()
    finally:
        drop_user(u)



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
                       "getCoverArt"):
            failed(call(w, method, id=priv[0], **mine)[2], 70)
        pub = root_ids["Pub"]
        assert ok(call(w, "getSong", id=pub[0], **mine)[2])[
            "song"]["title"] == "Pub"
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



def view_path(w, song_id):
    """The mount path of the view file behind a song id: the file of its
    album's folder (the album id is the hex of ARTIST/ALBUM) with its
    title."""
    song = ok(call(w, "getSong", id=song_id)[2])["song"]
    folder = w.m.file("library/music/artists/" +
                      bytes.fromhex(song["albumId"][2:]).decode())
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if name.endswith(".flac") and os.getxattr(
                path, "user.mediamon.title").decode() == song["title"]:
            return path
    raise AssertionError("no file of %s in %s" % (song_id, folder))


def gains(path):
    """The analysis' attributes of the view file at path, as numbers, or
    None before the analysis has them."""
    try:
        return {k: float(os.getxattr(path, "user.mediamon." + k))
                for k in ("gain_db", "album_gain_db", "peak")}
    except OSError:
        return None


def loud_flac(path, title, album, track, freq, volume):
    """A tagged five-second FLAC tone of the artist Band at volume (the
    analysis skips tracks under three seconds)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    wav = path + ".wav"
    run("sox", "-n", "-r", "44100", "-c", "2", "-b", "16", wav, "synth",
        "5", "sine", str(freq), "vol", str(volume))
    run("flac", "-s", "-f", "-o", path, wav)
    os.unlink(wav)
    run("metaflac", "--set-tag=TITLE=" + title, "--set-tag=ARTIST=Band",
        "--set-tag=ALBUM=" + album, "--set-tag=TRACKNUMBER=%d" % track,
        path)


@pytest.fixture
def analysed(tmp_path):
    """(a Web of three analysed tracks: Band/Tones First (loud) and
    Second (quiet), Band/Solo Only; their ids as walk() gives them)."""
    top = tmp_path / "music"
    loud_flac(str(top / "Band" / "Tones" / "01.flac"), "First", "Tones", 1,
              440, 0.9)
    loud_flac(str(top / "Band" / "Tones" / "02.flac"), "Second", "Tones", 2,
              550, 0.1)
    loud_flac(str(top / "Band" / "Solo" / "01.flac"), "Only", "Solo", 1,
              660, 0.5)
    w = Web(tmp_path, music=top, analysis=True)
    try:
        ids = wait_for(lambda: walk(w), 60, "the three songs",
                       until=lambda v: len(v) == 3, mount=w.m,
                       ignore=(AssertionError,))
        for title, v in ids.items():
            wait_for(lambda: gains(view_path(w, v[0])), 120,
                     "the analysis of " + title, mount=w.m)
        yield w, ids
    finally:
        w.stop()


def test_replay_gain_is_the_analysis(analysed):
    w, ids = analysed
    for title in ("First", "Second", "Only"):
        sid = ids[title][0]
        want = wait_for(lambda: gains(view_path(w, sid)), 120,
                        "the analysis of " + title, mount=w.m)
        song = ok(call(w, "getSong", id=sid)[2])["song"]
        rg = song["replayGain"]
        assert set(rg) == {"trackGain", "albumGain", "trackPeak"}
        assert abs(rg["trackGain"] - want["gain_db"]) < 0.006
        assert abs(rg["albumGain"] - want["album_gain_db"]) < 0.006
        assert abs(rg["trackPeak"] - want["peak"]) < 0.00006
        # the same in XML, and in getAlbum's songs
        root = call(w, "getSong", f="xml", id=sid)[2]
        e = root.find(NS + "song").find(NS + "replayGain")
        assert abs(float(e.get("trackGain")) - want["gain_db"]) < 0.006
        album = ok(call(w, "getAlbum", id=ids[title][2])[2])["album"]
        mine = [s for s in album["song"] if s["id"] == sid]
        assert mine[0]["replayGain"] == rg
    # Band/Tones holds a loud and a quiet track: one album gain for
    # both, between their own
    first = ok(call(w, "getSong", id=ids["First"][0])[2])["song"]
    second = ok(call(w, "getSong", id=ids["Second"][0])[2])["song"]
    g1, g2 = first["replayGain"], second["replayGain"]
    assert g1["albumGain"] == g2["albumGain"]
    assert g1["trackGain"] < g1["albumGain"] < g2["trackGain"]
    assert g1["trackPeak"] > g2["trackPeak"]


def dated_library(top):
    """music_library() with years: Band/Tones 1999, Zed/Solo 2005."""
    music_library(top)
    for rel, year in (("Band/Tones/01.flac", 1999),
                      ("Band/Tones/02.flac", 1999),
                      ("Zed/Solo/01.flac", 2005)):
        run("metaflac", "--set-tag=DATE=%d" % year, os.path.join(top, rel))


def names(resp, member="albumList2", key="album", field="name"):
    return [x[field] for x in ok(resp)[member][key]]


@pytest.fixture
def dated(tmp_path):
    """(the Web of dated_library(), the ids walk() finds)."""
    top = tmp_path / "music"
    dated_library(str(top))
    w = Web(tmp_path, music=top)
    try:
        ids = wait_for(lambda: walk(w), 60, "the three songs",
                       until=lambda v: len(v) == 3, mount=w.m,
                       ignore=(AssertionError,))
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
    wait_for(lambda: walk(w), 60, "the new song", until=lambda v:
             "Late" in v, mount=w.m, ignore=(AssertionError,))
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


def test_similar_songs_are_those_of_similar(analysed):
    w, ids = analysed
    for title in ("First", "Only"):
        sid = ids[title][0]
        folder = w.m.file("similar/Band " + title)
        want = [os.getxattr(os.path.join(folder, n),
                            "user.mediamon.title").decode()
                for n in os.listdir(folder)]
        assert sorted(want) == sorted(set(ids) - {title})
        for method, member in (("getSimilarSongs2", "similarSongs2"),
                               ("getSimilarSongs", "similarSongs")):
            got = ok(call(w, method, id=sid)[2])[member]["song"]
            assert [x["title"] for x in got] == want
            assert [x["id"] for x in got] == [ids[t][0] for t in want]
        got = ok(call(w, "getSimilarSongs2", id=sid, count=1)[2])
        assert [x["title"] for x in got["similarSongs2"]["song"]] == \
            want[:1]
    root = call(w, "getSimilarSongs2", f="xml", id=ids["First"][0])[2]
    assert len(list(root.iter(NS + "song"))) == 2
    failed(call(w, "getSimilarSongs2")[2], 10)
    for bad in (ids["First"][1], ids["First"][2], "tr" + b"x/y/z".hex()):
        failed(call(w, "getSimilarSongs2", id=bad)[2], 70)


def test_cover_art(tmp_path):
    """An album's cover is the view's cover.EXT (here the folder's
    image), its songs' too; an album without one has none."""
    top = tmp_path / "music"
    music_library(str(top))
    image = jpeg(800)
    (top / "Band" / "Tones" / "cover.jpg").write_bytes(image)
    w = Web(tmp_path, music=top)
    try:
        ids = wait_for(lambda: walk(w), 60, "the three songs",
                       until=lambda v: len(v) == 3, mount=w.m,
                       ignore=(AssertionError,))
        album = ok(call(w, "getAlbum", id=ids["First"][2])[2])["album"]
        assert len(album["song"]) == 2
        assert album["coverArt"] == ids["First"][2]
        assert all(s["coverArt"] == album["coverArt"]
                   for s in album["song"])
        for cid in (album["coverArt"], ids["First"][0]):
            q = urllib.parse.urlencode({"u": "root", "p": PASSWORD,
                                        "id": cid, "size": 64})
            with urllib.request.urlopen("%s/rest/getCoverArt?%s" % (
                    w.base, q), timeout=120) as r:
                assert r.status == 200
                assert r.headers["Content-Type"] == "image/jpeg"
                assert r.read() == image
        solo = ok(call(w, "getAlbum", id=ids["Only"][2])[2])["album"]
        assert "coverArt" not in solo
        failed(call(w, "getCoverArt", id=ids["Only"][2])[2], 70)
        failed(call(w, "getCoverArt", id="al" + b"Band/Nope".hex())[2], 70)
        failed(call(w, "getCoverArt")[2], 10)
    finally:
        w.stop()


def genre_library(tmp_path):
    """The small library with two Rock songs and one Jazz song."""
    top = tmp_path / "music"
    music_library(str(top))
    for rel, genre in (("Band/Tones/01.flac", "Rock"),
                       ("Band/Tones/02.flac", "Rock"),
                       ("Zed/Solo/01.flac", "Jazz")):
        run("metaflac", "--set-tag=GENRE=" + genre, str(top / rel))
    return top


def test_genres(tmp_path):
    w = Web(tmp_path, music=genre_library(tmp_path))
    try:
        wait_for(lambda: walk(w), 60, "the three songs",
                 until=lambda v: len(v) == 3, mount=w.m,
                 ignore=(AssertionError,))
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


def playlists(w, **auth):
    """{name: playlist} of getPlaylists."""
    got = ok(call(w, "getPlaylists", **auth)[2])["playlists"]["playlist"]
    return {p["name"]: p for p in got}


def playlist_id(rel):
    return "pl" + rel.encode().hex()


def test_playlists(tmp_path):
    w = Web(tmp_path, music=genre_library(tmp_path))
    try:
        ids = wait_for(lambda: walk(w), 60, "the three songs",
                       until=lambda v: len(v) == 3, mount=w.m,
                       ignore=(AssertionError,))
        got = wait_for(lambda: playlists(w), 60, "the genre playlists",
                       until=lambda v: {"genre/Rock", "genre/Jazz",
                                        "recent"} <= set(v))
        rock = got["genre/Rock"]
        assert rock["id"] == playlist_id("genre/Rock.m3u8")
        assert rock["songCount"] == 2 and "entry" not in rock
        # made by mediamon, not by an account: read-only, its times
        # those the mount shows for its file
        assert rock["owner"] == "mediamon" and rock["readonly"] is True
        st = os.stat(os.path.join(w.m.path, "playlists", "genre",
                                  "Rock.m3u8"))
        assert rock["created"] == rock["changed"] == time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(st.st_mtime))
        full = ok(call(w, "getPlaylist", id=rock["id"])[2])["playlist"]
        assert [(s["title"], s["id"]) for s in full["entry"]] == \
            [("First", ids["First"][0]), ("Second", ids["Second"][0])]
        # one-second tones: the playlist's #EXTINF seconds summed
        assert full["duration"] == 2 and full["songCount"] == 2
        recent = ok(call(w, "getPlaylist", id=playlist_id(
            "recent.m3u8"))[2])["playlist"]
        assert sorted(s["title"] for s in recent["entry"]) == \
            ["First", "Only", "Second"]
        # ids from the playlist's path: the same after a rescan
        w.m.rescan()
        assert playlists(w)["genre/Rock"]["id"] == rock["id"]
        root = call(w, "getPlaylist", f="xml", id=rock["id"])[2]
        assert [e.get("title") for e in root.iter(NS + "entry")] == \
            ["First", "Second"]
        failed(call(w, "getPlaylist")[2], 10)
        for bad in ("", "zz", "pl", "pl2e2e", playlist_id("genre"),
                    playlist_id("genre/Nope.m3u8"),
                    playlist_id("../genre/Rock.m3u8"),
                    playlist_id("genre/../recent.m3u8"),
                    playlist_id("mpd/recent.m3u"),
                    playlist_id("library/recent.m3u8"),
                    playlist_id("genre/Rock.m3u8/x"),
                    "pl" + b"recent.m3u8\x00".hex()):
            failed(call(w, "getPlaylist", id=bad)[2], 70)
    finally:
        w.stop()


def test_another_users_private_playlist(world):  # noqa: F811
    """A playlist of a track only root may read is not there for another
    user, by getPlaylists or by its id; the others show its tracks
    alone."""
    u = make_user()
    try:
        top = open_and_shut(world)
        run("metaflac", "--set-tag=GENRE=Secret",
            os.path.join(top, "Shut", "Priv", "01.flac"))
        w = Web(tempfile.mkdtemp(dir=world), names=("root", u.name),
                music=top)
        try:
            mine = {"auth": {"u": u.name, "p": PASSWORD}}
            wait_for(lambda: walk(w), 60, "both songs for root",
                     until=lambda v: len(v) == 2, mount=w.m,
                     ignore=(AssertionError,))
            wait_for(lambda: playlists(w), 60, "root's Secret playlist",
                     until=lambda v: "genre/Secret" in v)
            secret = playlist_id("genre/Secret.m3u8")
            assert [s["title"] for s in ok(call(w, "getPlaylist",
                    id=secret)[2])["playlist"]["entry"]] == ["Priv"]
            theirs = playlists(w, **mine)
            assert "genre/Secret" not in theirs
            assert "recent" in theirs and theirs["recent"]["songCount"] == 1
            failed(call(w, "getPlaylist", id=secret, **mine)[2], 70)
            recent = ok(call(w, "getPlaylist", id=playlist_id(
                "recent.m3u8"), **mine)[2])["playlist"]
            assert [s["title"] for s in recent["entry"]] == ["Pub"]
        finally:
            w.stop()
    finally:
        drop_user(u)


def call_many(w, method, pairs, auth=None):
    """The JSON subsonic-response of /rest/METHOD with the parameters
    pairs, a list of (name, value) in which a name may come again, as
    players send star's ids."""
    q = list((auth or {"u": "root", "p": PASSWORD}).items())
    q += [("v", "1.16.1"), ("c", "mediamon-test"), ("f", "json")] + pairs
    url = "%s/rest/%s?%s" % (w.base, method, urllib.parse.urlencode(q))
    with urllib.request.urlopen(url, timeout=120) as r:
        answer = json.loads(r.read())
    opensubsonic_schema.check(method, answer)
    return answer["subsonic-response"]


def starred(w, **auth):
    """({artist names}, {album names}, {song titles}) of getStarred2."""
    got = ok(call(w, "getStarred2", **auth)[2])["starred2"]
    return ({a["name"] for a in got["artist"]},
            {a["name"] for a in got["album"]},
            {s["title"] for s in got["song"]})


def test_star_unstar_and_starred2_outlive_a_restart(music):
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
    music.stop()
    log = music.m.proc.log_path
    os.rename(log, log + ".before-restart")
    w = Web(music.where, music=music.where / "music")
    try:
        wait_for(lambda: walk(w), 60, "the three songs after a restart",
                 until=lambda v: len(v) == 3, mount=w.m,
                 ignore=(AssertionError,))
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


def test_get_starred_the_old_shape(music):
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


def test_star_of_what_is_not_there(music):
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


def test_scrobble_counts_plays(music):
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
    u = make_user()
    try:
        top = open_and_shut(world)
        w = Web(tempfile.mkdtemp(dir=world), names=("root", u.name),
                music=top)
        try:
            mine = {"auth": {"u": u.name, "p": PASSWORD}}
            ids = wait_for(lambda: walk(w), 60, "both songs for root",
                           until=lambda v: len(v) == 2, mount=w.m,
                           ignore=(AssertionError,))
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
                     until=lambda v: v == (set(), set(), {"Pub"}),
                     mount=w.m)
        finally:
            w.stop()
    finally:
        drop_user(u)


def star_rows(w):
    """The files.id of the songs starred or played in the store."""
    con = sqlite3.connect("file:%s?mode=ro" % w.m.db, uri=True,
                          timeout=60)
    try:
        return sorted(r[0] for r in con.execute(
            "SELECT item FROM subsonic_stars WHERE kind = 'song' UNION"
            " ALL SELECT file_id FROM subsonic_plays"))
    finally:
        con.close()


def test_stars_of_a_gone_file_go_with_it(tmp_path):
    """With keep_gone = 0 a deleted file's stars and plays go at once;
    a new file taking its number does not take them."""
    top = tmp_path / "music"
    music_library(str(top))
    w = Web(tmp_path, music=top, conf_extra="[general]\nkeep_gone = 0\n")
    try:
        ids = wait_for(lambda: walk(w), 60, "the three songs",
                       until=lambda v: len(v) == 3, mount=w.m,
                       ignore=(AssertionError,))
        gone, kept = ids["Only"][0], ids["First"][0]
        for sid in (gone, kept):
            ok(call(w, "star", id=sid)[2])
            ok(call(w, "scrobble", id=sid)[2])
        assert star_rows(w) == sorted([int(gone[2:])] * 2 +
                                      [int(kept[2:])] * 2)
        os.unlink(str(top / "Zed" / "Solo" / "01.flac"))
        wait_for(lambda: star_rows(w), 60, "the stars of the gone file",
                 until=lambda v: v == [int(kept[2:])] * 2, mount=w.m)
        assert starred(w) == (set(), set(), {"First"})
        failed(call(w, "getSong", id=gone)[2], 70)
        # a new file: whatever number it gets, no star comes with it
        make_flac(str(top / "Zed" / "Solo" / "02.flac"), "New", "Zed",
                  "Solo", 2, freq=770)
        new = wait_for(lambda: walk(w), 60, "the new song",
                       until=lambda v: "New" in v, mount=w.m,
                       ignore=(AssertionError,))["New"][0]
        song = ok(call(w, "getSong", id=new)[2])["song"]
        assert "starred" not in song and "playCount" not in song
        assert starred(w) == (set(), set(), {"First"})
    finally:
        w.stop()


def test_a_gone_songs_id_names_no_new_song(tmp_path):
    """With keep_gone = 0 the song of the highest id goes; a new file
    gets a higher id, and the old id answers 70: a client's cached id
    or star never names another song."""
    top = tmp_path / "music"
    music_library(str(top))
    w = Web(tmp_path, music=top, conf_extra="[general]\nkeep_gone = 0\n")
    try:
        ids = wait_for(lambda: walk(w), 60, "the three songs",
                       until=lambda v: len(v) == 3, mount=w.m,
                       ignore=(AssertionError,))
        title, old = max(((t, v[0]) for t, v in ids.items()),
                         key=lambda x: int(x[1][2:]))
        ok(call(w, "star", id=old)[2])
        ok(call(w, "scrobble", id=old)[2])
        path = {"First": ("Band", "Tones", "01.flac"),
                "Second": ("Band", "Tones", "02.flac"),
                "Only": ("Zed", "Solo", "01.flac")}[title]
        os.unlink(str(top.joinpath(*path)))
        wait_for(lambda: star_rows(w), 60, "the gone song's stars",
                 until=lambda v: v == [], mount=w.m)
        make_flac(str(top / "Zed" / "Solo" / "new.flac"), "New", "Zed",
                  "Solo", 3, freq=770)
        new = wait_for(lambda: walk(w), 60, "the new song",
                       until=lambda v: "New" in v, mount=w.m,
                       ignore=(AssertionError,))["New"][0]
        assert int(new[2:]) > int(old[2:])
        for method in ("getSong", "stream", "star", "scrobble"):
            failed(call(w, method, id=old)[2], 70)
        song = ok(call(w, "getSong", id=new)[2])["song"]
        assert song["title"] == "New"
        assert "starred" not in song and "playCount" not in song
        assert starred(w) == (set(), set(), set())
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


def album_list(w, t, **q):
    return names(call(w, "getAlbumList2", type=t, **q)[2])


MARKED = ("starred", "frequent", "recent", "highest")


def test_album_lists_by_marks(music):
    """getAlbumList2's lists of the account's marks: starred (the albums
    starred), frequent (most played), recent (latest played), highest
    (no ratings: starred, then played), each with size and offset."""
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

