# SPDX-License-Identifier: GPL-3.0-or-later
"""Complete song records over /rest (issue 77): every song (Child) of
getAlbum, getSong and search3 carries what a player requires of it and
what the store knows of its file (size, contentType as stream serves
it, suffix, bitRate, samplingRate, channelCount, bitDepth (of lossless
audio), duration, path as the
view names it, genre and genres, coverArt, the account's plays and
stars), in JSON (checked against the OpenSubsonic schemas by call())
and in XML; an artist of getArtists its albumCount and coverArt; an
album its genre and its songs' plays. Strawberry itself lists such a
library: test_subsonic_strawberry.py."""

import json
import os
import subprocess
import urllib.parse
import urllib.request

from conftest import make_mp3, run, wait_for
from subsonic_calls import (call, call_current, ok, walked, genre_library,
                            NS)
from test_covers import jpeg
from test_http import PASSWORD, Web

# What Strawberry 1.0.14's parser takes a song for damaged without
# (src/subsonic/subsonicrequest.cpp, SubsonicRequest::ParseSong), and
# what its older versions required too.
REQUIRED = ("id", "title", "size", "suffix", "duration", "type",
            "contentType", "bitRate", "albumId", "artistId")
FILES = {"First": "Band/Tones/01.flac", "Second": "Band/Tones/02.flac",
         "Only": "Zed/Solo/01.flac"}
GENRES = {"First": "Rock", "Second": "Rock", "Only": "Jazz"}
# The MusicBrainz recording of First (Picard's MUSICBRAINZ_TRACKID).
MBID = "8f3471b5-7e6a-48da-86a9-c1c07a0f47ae"


def probe(path):
    """ffprobe's stream and format of path."""
    out = subprocess.check_output(
        ["ffprobe", "-v", "error", "-show_entries",
         "stream=sample_rate,channels,bits_per_raw_sample"
         ":format=bit_rate,size",
         "-of", "json", path])
    got = json.loads(out)
    return got["streams"][0], got["format"]


def stream_type(w, song_id):
    q = urllib.parse.urlencode({"u": "root", "p": PASSWORD, "id": song_id,
                                "v": "1.16.1", "c": "mediamon-test"})
    with urllib.request.urlopen("%s/rest/stream?%s" % (w.base, q),
                                timeout=120) as r:
        return r.headers["Content-Type"], len(r.read())


def check_song(w, top, s, cover):
    """s, a Child, is the whole record of the file of its title."""
    for k in REQUIRED:
        assert k in s, (k, s)
    src = os.path.join(top, FILES[s["title"]])
    stream, fmt = probe(src)
    assert s["size"] == os.path.getsize(src) == int(fmt["size"])
    assert abs(s["bitRate"] - int(fmt["bit_rate"]) / 1000) <= 1, s
    assert s["samplingRate"] == int(stream["sample_rate"]) == 44100
    assert s["channelCount"] == int(stream["channels"])
    assert s["bitDepth"] == int(stream["bits_per_raw_sample"]) == 16
    assert s["suffix"] == "flac" and s["type"] == "music"
    assert s["isDir"] is False and s["mediaType"] == "song"
    assert (s["contentType"], s["size"]) == stream_type(w, s["id"])
    assert s["contentType"] == "audio/flac"
    assert s["duration"] == 1
    assert s["genre"] == GENRES[s["title"]]
    assert s["genres"] == [{"name": s["genre"]}]
    # the path is the view's, which names the file
    view = os.path.join(w.m.path, "library/music/artists", s["path"])
    assert os.getxattr(view, "user.mediamon.title").decode() == s["title"]
    assert s["path"].split("/")[:2] == FILES[s["title"]].split("/")[:2]
    assert s["path"].endswith(".flac")
    if s["title"] == "First":
        assert s["musicBrainzId"] == MBID
    else:
        assert "musicBrainzId" not in s
    if cover:
        assert s["coverArt"] == s["albumId"]
    else:
        assert "coverArt" not in s


def library(tmp_path):
    top = genre_library(tmp_path)
    (top / "Band" / "Tones" / "cover.jpg").write_bytes(jpeg(200))
    subprocess.run(["metaflac", "--set-tag=MUSICBRAINZ_TRACKID=" + MBID,
                    str(top / FILES["First"])], check=True)
    return top


def test_songs_are_whole_records(tmp_path):
    """getAlbum, getSong and search3 give each song all of its record;
    Band's album has a cover, Zed's none."""
    top = library(tmp_path)
    w = Web(tmp_path, music=top)
    try:
        ids = walked(w)
        seen = 0
        for title, (sid, _, album) in ids.items():
            cover = title != "Only"
            got = ok(call(w, "getAlbum", id=album)[2])["album"]
            for s in got["song"]:
                check_song(w, str(top), s, cover)
                seen += 1
            song = ok(call(w, "getSong", id=sid)[2])["song"]
            check_song(w, str(top), song, cover)
            assert song["title"] == title
        assert seen == 2 + 2 + 1
        found = ok(call_current(w, "search3", query=""))["searchResult3"]
        assert sorted(s["title"] for s in found["song"]) == sorted(FILES)
        for s in found["song"]:
            check_song(w, str(top), s, s["title"] != "Only")
    finally:
        w.stop()


def test_songs_in_xml(tmp_path):
    """The same records in XML: each value an attribute of <song>, the
    genres its children."""
    top = library(tmp_path)
    w = Web(tmp_path, music=top)
    try:
        ids = walked(w)
        sid, _, album = ids["First"]
        want = ok(call(w, "getSong", id=sid)[2])["song"]
        root = call(w, "getSong", f="xml", id=sid)[2]
        song = root.find(NS + "song")
        for k in REQUIRED + ("samplingRate", "channelCount", "path",
                             "genre", "coverArt", "mediaType"):
            assert song.get(k) == str(want[k]), k
        assert [g.get("name") for g in song.iter(NS + "genres")] == \
            ["Rock"]
        root = call(w, "getAlbum", f="xml", id=album)[2]
        songs = list(root.iter(NS + "song"))
        assert len(songs) == 2
        for s in songs:
            assert all(s.get(k) for k in REQUIRED), s.attrib
    finally:
        w.stop()


def test_artists_and_albums(tmp_path):
    """getArtists gives each artist its albumCount and the cover of its
    first album with one; an album its genre, and the plays of its songs
    once the account played them."""
    top = library(tmp_path)
    (top / "Band" / "Other").mkdir()
    (top / "Band" / "Other" / "01.flac").write_bytes(
        (top / "Band" / "Tones" / "01.flac").read_bytes())
    subprocess.run(["metaflac", "--remove-tag=ALBUM", "--set-tag=ALBUM=Other",
                    "--set-tag=TITLE=Third",
                    str(top / "Band" / "Other" / "01.flac")], check=True)
    w = Web(tmp_path, music=top)
    try:
        ids = walked(w, "the four songs", lambda v: len(v) == 4)
        # the lists answer from the index made after the cover came
        wait_for(lambda: ok(call(w, "getAlbum", id=ids["First"][2])[2])[
            "album"], 60, "the cover of Tones", mount=w.m,
            until=lambda a: "coverArt" in a)
        index = ok(call_current(w, "getArtists"))["artists"]["index"]
        got = {a["name"]: a for i in index for a in i["artist"]}
        assert got["Band"]["albumCount"] == 2
        assert got["Band"]["coverArt"] == ids["First"][2]
        assert got["Zed"]["albumCount"] == 1
        assert "coverArt" not in got["Zed"]
        for name in ("Band", "Zed"):
            one = ok(call(w, "getArtist", id=got[name]["id"])[2])["artist"]
            assert one["albumCount"] == got[name]["albumCount"]
            assert one.get("coverArt") == got[name].get("coverArt")
        root = call_current(w, "getArtists", f="xml")
        assert sorted((a.get("name"), a.get("albumCount"))
                      for a in root.iter(NS + "artist")) == \
            [("Band", "2"), ("Zed", "1")]
        album = ok(call(w, "getAlbum", id=ids["First"][2])[2])["album"]
        assert album["genre"] == "Rock"
        assert "playCount" not in album and "played" not in album
        for title in ("First", "First", "Second"):
            ok(call(w, "scrobble", id=ids[title][0])[2])
        ok(call(w, "star", albumId=ids["First"][2])[2])
        album = ok(call(w, "getAlbum", id=ids["First"][2])[2])["album"]
        assert album["playCount"] == 3
        assert album["played"] == max(s["played"] for s in album["song"])
        assert "starred" in album
        listed = ok(call_current(w, "getAlbumList2", type="frequent"))
        tones = [a for a in listed["albumList2"]["album"]
                 if a["id"] == ids["First"][2]]
        assert tones[0]["playCount"] == 3 and tones[0]["genre"] == "Rock"
    finally:
        w.stop()


def hi_res_library(tmp_path):
    """Hi/Res: Deep, a FLAC of 24 bits at 96 kHz (sox, flac), and Lossy,
    an MP3, which has no bit depth."""
    album = tmp_path / "music" / "Hi" / "Res"
    album.mkdir(parents=True)
    wav, flac = str(album / "deep.wav"), str(album / "01.flac")
    run("sox", "-D", "-n", "-r", "96000", "-c", "2", "-b", "24", wav,
        "synth", "1.0", "sine", "440", "vol", "0.5")
    run("flac", "-s", "-f", "--tag=TITLE=Deep", "--tag=ARTIST=Hi",
        "--tag=ALBUM=Res", "--tag=TRACKNUMBER=1", "-o", flac, wav)
    os.unlink(wav)
    make_mp3(str(album / "02.mp3"), "Lossy", "Hi", "Res", 2)
    return tmp_path / "music", flac


def test_bit_depth_of_lossless_songs(tmp_path):
    """A 24-bit 96 kHz FLAC is "24/96" to a player: bitDepth 24 (as
    ffprobe reads it), samplingRate 96000, channelCount 2, in getAlbum
    and getSong, JSON and XML; an MP3's song has no bitDepth."""
    top, flac = hi_res_library(tmp_path)
    stream, _ = probe(flac)
    assert int(stream["bits_per_raw_sample"]) == 24
    w = Web(tmp_path, music=top)
    try:
        ids = walked(w, "the two songs", until=lambda v: len(v) == 2)
        album = ok(call(w, "getAlbum", id=ids["Deep"][2])[2])["album"]
        songs = {s["title"]: s for s in album["song"]}
        for title in ("Deep", "Lossy"):
            songs[title + " alone"] = ok(call(w, "getSong",
                                              id=ids[title][0])[2])["song"]
        for title in ("Deep", "Deep alone"):
            s = songs[title]
            assert (s["bitDepth"], s["samplingRate"], s["channelCount"]) \
                == (24, 96000, 2), s
        for title in ("Lossy", "Lossy alone"):
            assert "bitDepth" not in songs[title], songs[title]
            assert songs[title]["samplingRate"] == 44100
        root = call(w, "getSong", f="xml", id=ids["Deep"][0])[2]
        song = root.find(NS + "song")
        assert (song.get("bitDepth"), song.get("samplingRate"),
                song.get("channelCount")) == ("24", "96000", "2")
        root = call(w, "getAlbum", f="xml", id=ids["Deep"][2])[2]
        depths = {s.get("title"): s.get("bitDepth")
                  for s in root.iter(NS + "song")}
        assert depths == {"Deep": "24", "Lossy": None}
    finally:
        w.stop()
