# SPDX-License-Identifier: GPL-3.0-or-later
"""Each account's own playlists over /rest (issue 77): createPlaylist,
updatePlaylist, deletePlaylist, listed by getPlaylists and getPlaylist
beside the generated ones, kept in the store across a restart, another
account's private one never seen nor edited, a public one read by
others within what their user may read, and each user's own as M3U8
under /playlists/own of the mount."""

import contextlib
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request

from subsonic_calls import (call, call_many, ok, failed, walk, restarted,
                            NS)
from subsonic_calls import music  # noqa: F401
from access_users import world, make_user, drop_user  # noqa: F401
from subsonic_calls import walked
from conftest import make_flac, wait_for
from test_http import PASSWORD, Web, open_and_shut


def own(w, **auth):
    """{name: playlist} of the account's own and others' public
    playlists in getPlaylists (the "up" ids)."""
    got = ok(call(w, "getPlaylists", **auth)[2])["playlists"]["playlist"]
    return {p["name"]: p for p in got if p["id"].startswith("up")}


def titles(w, pid, **auth):
    got = ok(call(w, "getPlaylist", id=pid, **auth)[2])["playlist"]
    return [s["title"] for s in got.get("entry", [])]


def test_create_update_delete(music):  # noqa: F811
    ids = walk(music)
    first, second, only = (ids[t][0] for t in ("First", "Second", "Only"))
    assert own(music) == {}
    made = ok(call_many(music, "createPlaylist", [
        ("name", "Road"), ("songId", second), ("songId", first),
        ("songId", second)]))["playlist"]
    pid = made["id"]
    assert pid.startswith("up")
    assert [s["title"] for s in made["entry"]] == \
        ["Second", "First", "Second"]
    assert (made["name"], made["owner"], made["public"], made["readonly"],
            made["songCount"]) == ("Road", "root", False, False, 3)
    assert made["duration"] == sum(s["duration"] for s in made["entry"])
    assert "coverArt" not in made   # the songs have none
    listed = own(music)["Road"]
    assert listed["id"] == pid and "entry" not in listed
    assert listed["songCount"] == 3
    # name, comment, public; a song added, two removed by index
    ok(call_many(music, "updatePlaylist", [
        ("playlistId", pid), ("name", "Trip"), ("comment", "for the car"),
        ("public", "true"), ("songIdToAdd", only),
        ("songIndexToRemove", "0"), ("songIndexToRemove", "2")]))
    assert titles(music, pid) == ["First", "Only"]
    got = own(music)["Trip"]
    assert (got["comment"], got["public"], got["songCount"]) == \
        ("for the car", True, 2)
    # createPlaylist with playlistId replaces the songs
    again = ok(call_many(music, "createPlaylist", [
        ("playlistId", pid), ("songId", only)]))["playlist"]
    assert (again["id"], again["name"]) == (pid, "Trip")
    assert titles(music, pid) == ["Only"]
    # XML
    root = call(music, "getPlaylist", f="xml", id=pid)[2]
    pl = root.find(NS + "playlist")
    assert (pl.get("name"), pl.get("owner"), pl.get("songCount")) == \
        ("Trip", "root", "1")
    assert [e.get("title") for e in pl.iter(NS + "entry")] == ["Only"]
    # kept across a restart
    w = restarted(music)
    try:
        assert titles(w, pid) == ["Only"]
        assert own(w)["Trip"]["public"] is True
        ok(call(w, "deletePlaylist", id=pid)[2])
        assert own(w) == {}
        failed(call(w, "getPlaylist", id=pid)[2], 70)
        failed(call(w, "deletePlaylist", id=pid)[2], 70)
    finally:
        w.stop()


def test_bad_calls_change_nothing(music):  # noqa: F811
    ids = walk(music)
    first, second = ids["First"][0], ids["Second"][0]
    failed(call(music, "createPlaylist")[2], 10)
    failed(call(music, "createPlaylist", name="")[2], 10)
    failed(call(music, "updatePlaylist")[2], 10)
    failed(call(music, "deletePlaylist")[2], 10)
    # a song that is none: nothing made
    failed(call_many(music, "createPlaylist", [
        ("name", "Bad"), ("songId", first), ("songId", "so99999999")]), 70)
    failed(call_many(music, "createPlaylist", [
        ("name", "Bad"), ("songId", ids["First"][2])]), 70)
    assert own(music) == {}
    pid = ok(call_many(music, "createPlaylist", [
        ("name", "Two"), ("songId", first), ("songId", second)]))[
            "playlist"]["id"]
    # bad indexes: none taken, nothing else done either
    for bad in ("2", "-1", "x", "", "1.5"):
        failed(call_many(music, "updatePlaylist", [
            ("playlistId", pid), ("name", "Renamed"),
            ("songIndexToRemove", "0"), ("songIndexToRemove", bad)]), 70)
    failed(call_many(music, "updatePlaylist", [
        ("playlistId", pid), ("songIdToAdd", "so99999999")]), 70)
    assert titles(music, pid) == ["First", "Second"]
    assert list(own(music)) == ["Two"]
    # ids of no playlist, and the generated ones, which none may edit
    for bad in ("up0", "up99999", "upx", "up", "up1x", "zz"):
        failed(call(music, "getPlaylist", id=bad)[2], 70)
        failed(call(music, "updatePlaylist", playlistId=bad)[2], 70)
        failed(call(music, "deletePlaylist", id=bad)[2], 70)
    recent = "pl" + b"recent.m3u8".hex()
    failed(call(music, "updatePlaylist", playlistId=recent, name="x")[2],
           50)
    failed(call(music, "deletePlaylist", id=recent)[2], 50)
    failed(call(music, "createPlaylist", playlistId=recent,
                songId=first)[2], 50)


@contextlib.contextmanager
def two_accounts(world):  # noqa: F811
    """A listener over open_and_shut()'s music for root and a user:
    (the listener, the user, the user's auth, root's ids by title)."""
    u = make_user()
    try:
        top = open_and_shut(world)
        where = tempfile.mkdtemp(dir=world)
        os.chmod(where, 0o755)
        w = Web(where, names=("root", u.name), music=top,
                options=("allow_other",))
        try:
            ids = walked(w, "both songs for root", lambda v: len(v) == 2)
            yield w, u, {"auth": {"u": u.name, "p": PASSWORD}}, ids
        finally:
            w.stop()
    finally:
        drop_user(u)


def test_another_accounts_playlists(world):  # noqa: F811
    with two_accounts(world) as (w, u, mine, ids):
        pub, priv = ids["Pub"][0], ids["Priv"][0]
        pid = ok(call_many(w, "createPlaylist", [
            ("name", "Roots"), ("songId", priv), ("songId", pub)]))[
                "playlist"]["id"]
        # private: the other account neither sees nor edits it
        assert own(w, **mine) == {}
        failed(call(w, "getPlaylist", id=pid, **mine)[2], 70)
        failed(call(w, "updatePlaylist", playlistId=pid, name="x",
                    **mine)[2], 70)
        failed(call(w, "deletePlaylist", id=pid, **mine)[2], 70)
        failed(call(w, "createPlaylist", playlistId=pid, songId=pub,
                    **mine)[2], 70)
        # a song its user may not read cannot be added
        failed(call(w, "createPlaylist", name="Mine", songId=priv,
                    **mine)[2], 70)
        assert own(w, **mine) == {}
        theirs = ok(call(w, "createPlaylist", name="Mine", songId=pub,
                         **mine)[2])["playlist"]
        assert theirs["owner"] == u.name
        assert list(own(w)) == ["Roots"]
        # public: read by the other account, within what it may read
        ok(call(w, "updatePlaylist", playlistId=pid, public="true")[2])
        seen = own(w, **mine)
        assert set(seen) == {"Roots", "Mine"}
        assert (seen["Roots"]["readonly"], seen["Roots"]["songCount"],
                seen["Roots"]["owner"]) == (True, 1, "root")
        assert titles(w, pid, **mine) == ["Pub"]
        assert titles(w, pid) == ["Priv", "Pub"]
        failed(call(w, "updatePlaylist", playlistId=pid, name="x",
                    **mine)[2], 50)
        failed(call(w, "deletePlaylist", id=pid, **mine)[2], 50)
        # another account's list, asked by its username: not answered
        failed(call(w, "getPlaylists", username="root", **mine)[2], 50)
        failed(call(w, "getPlaylists", username=u.name)[2], 50)
        assert set(own(w, username=u.name, **mine)) == {"Roots", "Mine"}
        # the owner's indexes count what the owner reads
        ok(call(w, "updatePlaylist", playlistId=pid,
                songIndexToRemove="1")[2])
        assert titles(w, pid) == ["Priv"]
        assert titles(w, pid, **mine) == []
        assert own(w, **mine)["Roots"]["songCount"] == 0


def test_own_playlists_in_the_mount(world):  # noqa: F811
    """/playlists/own shows each user the playlists of its account, the
    tracks it may read by their real paths; root's are not the user's."""
    with two_accounts(world) as (w, u, mine, ids):
        pub, priv = ids["Pub"][0], ids["Priv"][0]
        for name in ("Roots", "Roots"):
            ok(call_many(w, "createPlaylist", [
                ("name", name), ("songId", priv), ("songId", pub)]))
        ok(call_many(w, "createPlaylist", [("name", "a/b"),
                                           ("songId", pub)]))
        theirs = ok(call(w, "createPlaylist", name="Mine", songId=pub,
                         **mine)[2])["playlist"]["id"]
        ok(call(w, "updatePlaylist", playlistId=theirs, public="true",
                **mine)[2])
        top = w.m.file("playlists/own")
        listed = sorted(os.listdir(top))
        assert len(listed) == 3 and "Roots.m3u8" in listed and \
            "a_b.m3u8" in listed, listed
        other = [n for n in listed if n.startswith("Roots (")]
        assert other and other[0].endswith(").m3u8")
        with open(os.path.join(top, "Roots.m3u8")) as f:
            text = f.read().splitlines()
        assert text[0] == "#EXTM3U"
        assert text[1] == "#EXTINF:-1,Shut - Priv"
        paths = [x for x in text if x.startswith("/")]
        assert [os.path.basename(os.path.dirname(p)) for p in paths] == \
            ["Priv", "Pub"]
        assert all(os.path.isfile(p) for p in paths)
        # the user: its own only, and in it what it may read
        names, = u.ask([("list", top)])
        assert names == ["Mine.m3u8"]
        body, gone = u.ask([("read", os.path.join(top, "Mine.m3u8")),
                            ("read", os.path.join(top, "Roots.m3u8"))])
        assert isinstance(gone, OSError)
        lines = body.decode().splitlines()
        assert lines[0] == "#EXTM3U" and len(lines) == 3
        assert lines[2].endswith("/Open/Pub/01.flac")
        assert not os.path.exists(os.path.join(top, "Mine.m3u8"))
        # a playlist made, renamed or deleted shows in the listing
        ok(call(w, "createPlaylist", name="Later", songId=pub, **mine)[2])
        ok(call(w, "updatePlaylist", playlistId=theirs, name="Renamed",
                **mine)[2])
        wait_for(lambda: u.ask([("list", top)])[0], 30,
                 "the user's new listing", mount=w.m,
                 until=lambda v: v == ["Later.m3u8", "Renamed.m3u8"])
        ok(call(w, "deletePlaylist", id=theirs, **mine)[2])
        wait_for(lambda: u.ask([("list", top)])[0], 30,
                 "the user's listing without it", mount=w.m,
                 until=lambda v: v == ["Later.m3u8"])
        assert isinstance(u.read(os.path.join(top, "Renamed.m3u8")),
                          OSError)


def sent_whole(w, method, pairs, post):
    """The HTTP status of /rest/METHOD with pairs, root's, in a POST's
    body (post) or in the query, or the error it ended in."""
    q = urllib.parse.urlencode([("u", "root"), ("p", PASSWORD),
                                ("v", "1.16.1"), ("c", "mediamon-test"),
                                ("f", "json")] + pairs)
    url = "%s/rest/%s" % (w.base, method)
    req = urllib.request.Request(url, data=q.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded"}) if post \
        else urllib.request.Request(url + "?" + q)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, ConnectionError) as e:
        return type(e).__name__


def test_a_playlist_holds_at_most_its_cap(music):  # noqa: F811
    """A playlist grows as its songs are added, to 10,000 songs; one
    more is refused (the generic error saying so, its message naming the
    cap) and changes nothing."""
    first = walk(music)["First"][0]
    made = ok(call_many(music, "createPlaylist", [("name", "Big")] +
                        [("songId", first)] * 40))["playlist"]
    pid = made["id"]
    assert made["songCount"] == 40
    ok(call_many(music, "updatePlaylist", [("playlistId", pid)] +
                 [("songIdToAdd", first)] * 40 +
                 [("songIndexToRemove", "39")]))
    assert own(music)["Big"]["songCount"] == 79
    # (a request holds a few hundred parameters: past the listener's
    # 32 KiB for them, it is refused)
    for n in (300,) * 33 + (21,):
        ok(call_many(music, "updatePlaylist", [("playlistId", pid)] +
                     [("songIdToAdd", first)] * n))
    assert own(music)["Big"]["songCount"] == 10000
    got = failed(call_many(music, "updatePlaylist", [
        ("playlistId", pid), ("songIdToAdd", first)]), 0)
    assert got["error"]["message"] == \
        "A playlist holds at most 10000 songs: nothing was changed."
    assert own(music)["Big"]["songCount"] == 10000
    # 100,000 songs in one request: refused whole before any is read (a
    # POST's body past 64 KiB, a query past 32 KiB), nothing made
    many = [("name", "Huge")] + [("songId", first)] * 100000
    assert sent_whole(music, "createPlaylist", many, True) == 413
    assert sent_whole(music, "createPlaylist", many, False) == 414
    assert "Huge" not in own(music)
    assert own(music)["Big"]["songCount"] == 10000


# A title and an artist whose characters other than "\n" and "\r" a
# player may take for the end of a line (issue 76, M3U injection).
ODD_TITLE = "Odd\x0b#EXTINF:1,x\u2028http://evil.example/a.mp3" \
    "\u0085#EXT-X-ENDLIST\x0c\x1c\x1d\x1e\u2029end"
ODD_ARTIST = "Band\x0c/tmp/x.mp3"


def test_own_playlist_lines_hold_no_tag(tmp_path):
    """An own playlist's M3U8 in the mount: each tag on its one #EXTINF
    line however a player splits lines (Python's splitlines() splits at
    every Unicode line boundary), the lines no more than the entries."""
    top = tmp_path / "music"
    make_flac(str(top / "Odd" / "01.flac"), ODD_TITLE, ODD_ARTIST, "Odd", 1)
    w = Web(tmp_path, music=top)
    try:
        song = walked(w, "the song", lambda v: len(v) == 1)
        (sid, _, _), = song.values()
        ok(call(w, "createPlaylist", name="Odd", songId=sid)[2])
        with open(w.m.file("playlists/own/Odd.m3u8"), "rb") as f:
            lines = f.read().decode().splitlines()
        assert len(lines) == 3, lines
        assert lines[0] == "#EXTM3U"
        assert lines[1].startswith("#EXTINF:-1,Band ")
        assert "http://evil.example/a.mp3" in lines[1]
        assert lines[2] == str(top / "Odd" / "01.flac")
    finally:
        w.stop()
