# SPDX-License-Identifier: GPL-3.0-or-later
"""What the tests of mediamon's OpenSubsonic API (/rest of the [http]
listener, issue 67) share: call() and call_many() ask /rest as players
send it (GET /rest/METHOD.view?u=&p=|t=&s=&v=&c=&f=, written from the
OpenSubsonic specification, opensubsonic.netlify.app) and check each
JSON answer against the published schemas (opensubsonic_schema.py);
ok() and failed() read the envelope; music_library() and the music
fixture are the small library of two artists and three songs, whose ids
walk() finds through getArtists, getArtist and getAlbum; private_root()
is the rights case. test_subsonic_client.py drives the same API through
a client library from npm."""

import contextlib
import hashlib
import json
import os
import re
import tempfile
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest

import opensubsonic_schema
from conftest import make_flac, run, wait_for
from access_users import make_user, drop_user
from test_http import PASSWORD, Web, open_and_shut


NS = "{http://subsonic.org/restapi}"


def asked(w, method, f="json", auth=None, **params):
    """(HTTP status, content type, its X-Mediamon-Index header or None,
    the decoded body: the JSON subsonic-response object, or the XML root
    element) of /rest/METHOD."""
    q = dict(auth if auth is not None else {"u": "root", "p": PASSWORD})
    q.update({"v": "1.16.1", "c": "mediamon-test"})
    if f:
        q["f"] = f
    q.update(params)
    url = "%s/rest/%s?%s" % (w.base, method, urllib.parse.urlencode(q))
    with urllib.request.urlopen(url, timeout=120) as r:
        body = r.read()
        status, ctype = r.status, r.headers.get("Content-Type", "")
        index = r.headers.get("X-Mediamon-Index")
    if f == "json":
        answer = json.loads(body)
        opensubsonic_schema.check(method, answer)
        return status, ctype, index, answer["subsonic-response"]
    return status, ctype, index, ET.fromstring(body)


def call(w, method, f="json", auth=None, **params):
    """(HTTP status, content type, the decoded body: the JSON
    subsonic-response object, or the XML root element) of
    /rest/METHOD."""
    status, ctype, _, body = asked(w, method, f, auth, **params)
    return status, ctype, body


def call_current(w, method, f="json", auth=None, **params):
    """The decoded body of /rest/METHOD, as call() gives it, once it is
    answered from the lists' index of the store as it is now: after a
    change, the index made before it answers (X-Mediamon-Index:
    previous) until the new one is ready. For a list asked after a
    change that the test awaited some other way (a view, getAlbum),
    whose answer it judges."""
    return wait_for(lambda: asked(w, method, f, auth, **params), 60,
                    "%s from the index made now" % method,
                    until=lambda a: a[2] is None, mount=w.m)[3]


def index_made(w, auth=None):
    """Wait until the account's lists (root's, or auth's) answer from
    the index of the store as it is now: for a test that asks its lists
    through a helper of its own (raw bytes, a client library) after a
    change it awaited some other way."""
    call_current(w, "getArtists", auth=auth)


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


def token(password, salt):
    return hashlib.md5((password + salt).encode()).hexdigest()


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


def passwords_file(path, text, mode=0o600):
    path.write_text(text)
    os.chmod(str(path), mode)
    return path


def music_library(top):
    """Two artists, three tracks: Band/Tones (tracks 1, 2), Zed/Solo."""
    make_flac(os.path.join(top, "Band", "Tones", "01.flac"), "First",
              "Band", "Tones", 1)
    make_flac(os.path.join(top, "Band", "Tones", "02.flac"), "Second",
              "Band", "Tones", 2, freq=550)
    make_flac(os.path.join(top, "Zed", "Solo", "01.flac"), "Only", "Zed",
              "Solo", 1, freq=660)


def artists(w, current=False, **auth):
    """{name: id} of getArtists; current: from the index made now
    (call_current())."""
    if current:
        a = ok(call_current(w, "getArtists", **auth))["artists"]
    else:
        a = ok(call(w, "getArtists", **auth)[2])["artists"]
    return {x["name"]: x["id"] for i in a["index"] for x in i["artist"]}


@pytest.fixture
def music(tmp_path):
    top = tmp_path / "music"
    music_library(str(top))
    w = Web(tmp_path, music=top)
    walked(w, "the three songs through getAlbum")
    yield w
    w.stop()


def walk(w):
    """{title: (song id, artist id, album id)} through getArtists (from
    the index made now: call_current()), getArtist and getAlbum."""
    got = {}
    for name, aid in artists(w, current=True).items():
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


def indexed(w):
    """The ids of root's songs in the lists' index made now (search3's
    every song)."""
    found = ok(call_current(w, "search3", query="", artistCount=0,
                            albumCount=0, songCount=500))["searchResult3"]
    return {s["id"] for s in found.get("song", [])}


def walked(w, what="the three songs", until=lambda v: len(v) == 3):
    """walk(w) once until holds of it and the lists' index made now
    holds its songs (so that a list asked next, even of the index kept
    while a later one is made, shows them), within a minute: what (the
    songs awaited) for the message."""
    return wait_for(lambda: (walk(w), indexed(w)), 60, what,
                    until=lambda v: until(v[0]) and
                    {s[0] for s in v[0].values()} <= v[1],
                    mount=w.m, ignore=(AssertionError,))[0]


def restarted(w):
    """A new daemon over the folder and music of w, which is stopped
    first (its log kept aside: the new daemon's port is the one its own
    log says), once it shows the three songs."""
    w.stop()
    log = w.m.proc.log_path
    os.rename(log, log + ".before-restart")
    new = Web(w.where, music=w.where / "music")
    try:
        walked(new, "the three songs after a restart")
    except BaseException:
        new.stop()
        raise
    return new


@contextlib.contextmanager
def private_root(world):
    """A listener over open_and_shut()'s music for root and a user made
    for the test: (the listener, the user's auth, root's ids by title)
    once root sees both songs."""
    u = make_user()
    try:
        top = open_and_shut(world)
        w = Web(tempfile.mkdtemp(dir=world), names=("root", u.name),
                music=top)
        try:
            ids = walked(w, "both songs for root", lambda v: len(v) == 2)
            yield w, {"auth": {"u": u.name, "p": PASSWORD}}, ids, top
        finally:
            w.stop()
    finally:
        drop_user(u)


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


def names(resp, member="albumList2", key="album", field="name"):
    return [x[field] for x in ok(resp)[member][key]]


def starred(w, **auth):
    """({artist names}, {album names}, {song titles}) of getStarred2."""
    got = ok(call(w, "getStarred2", **auth)[2])["starred2"]
    return ({a["name"] for a in got["artist"]},
            {a["name"] for a in got["album"]},
            {s["title"] for s in got["song"]})


def genre_library(tmp_path):
    """The small library with two Rock songs and one Jazz song."""
    top = tmp_path / "music"
    music_library(str(top))
    for rel, genre in (("Band/Tones/01.flac", "Rock"),
                       ("Band/Tones/02.flac", "Rock"),
                       ("Zed/Solo/01.flac", "Jazz")):
        run("metaflac", "--set-tag=GENRE=" + genre, str(top / rel))
    return top
