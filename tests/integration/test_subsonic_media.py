# SPDX-License-Identifier: GPL-3.0-or-later
"""Files over /rest and what the analysis gives them (issue 67): stream
and download with byte ranges, ReplayGain from the loudness analysis,
similar songs from /similar, covers, and playlists (another user's
private one hidden)."""

import os
import tempfile
import time
import urllib.parse
import urllib.request

import pytest

from conftest import run, wait_for
from subsonic_calls import (call, ok, failed, music_library, walk, walked,
                            view_path, genre_library, NS)
from subsonic_calls import music  # noqa: F401
from access_users import make_user, drop_user
from access_users import world  # noqa: F401
from test_covers import jpeg
from test_http import PASSWORD, Web, open_and_shut


def test_stream_and_download_are_the_file(music):  # noqa: F811
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
        ids = walked(w)
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


def test_sonic_similar_tracks_are_those_of_similar(analysed):
    """getSonicSimilarTracks: the songs of /similar as getSimilarSongs
    gives them, each a sonicMatch {entry, similarity}, similarity -1
    (the analysis ranks, it scores nothing to the spec's scale); count
    10 unless asked; its id a song's, given (10), one of a song (70)."""
    w, ids = analysed
    for title in ("First", "Only"):
        sid = ids[title][0]
        songs = ok(call(w, "getSimilarSongs", id=sid)[2])["similarSongs"]
        got = ok(call(w, "getSonicSimilarTracks", id=sid)[2])["sonicMatch"]
        assert [m["entry"] for m in got] == songs["song"]
        assert len(got) == 2 and {m["similarity"] for m in got} == {-1}
        assert ok(call(w, "getSonicSimilarTracks", id=sid, count=1)[2])[
            "sonicMatch"] == got[:1]
        assert ok(call(w, "getSonicSimilarTracks", id=sid, count=0)[2])[
            "sonicMatch"] == []
    root = call(w, "getSonicSimilarTracks", f="xml", id=ids["First"][0])[2]
    matches = list(root.iter(NS + "sonicMatch"))
    assert len(matches) == 2
    assert [float(m.get("similarity")) for m in matches] == [-1, -1]
    assert [m.find(NS + "entry").get("id") for m in matches] == [
        s["id"] for s in ok(call(w, "getSimilarSongs", id=ids["First"][0])[
            2])["similarSongs"]["song"]]
    failed(call(w, "getSonicSimilarTracks")[2], 10)
    for bad in (ids["First"][1], ids["First"][2], "tr" + b"x/y/z".hex()):
        failed(call(w, "getSonicSimilarTracks", id=bad)[2], 70)


def test_cover_art(tmp_path):
    """An album's cover is the view's cover.EXT (here the folder's
    image), its songs' too; an album without one has none."""
    top = tmp_path / "music"
    music_library(str(top))
    image = jpeg(800)
    (top / "Band" / "Tones" / "cover.jpg").write_bytes(image)
    w = Web(tmp_path, music=top)
    try:
        ids = walked(w)
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


def playlists(w, **auth):
    """{name: playlist} of getPlaylists."""
    got = ok(call(w, "getPlaylists", **auth)[2])["playlists"]["playlist"]
    return {p["name"]: p for p in got}


def playlist_id(rel):
    return "pl" + rel.encode().hex()


def test_playlists(tmp_path):
    w = Web(tmp_path, music=genre_library(tmp_path))
    try:
        ids = walked(w)
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
            walked(w, "both songs for root", lambda v: len(v) == 2)
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
