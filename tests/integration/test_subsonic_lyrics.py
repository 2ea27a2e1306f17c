# SPDX-License-Identifier: GPL-3.0-or-later
"""getLyricsBySongId and getLyrics over /rest (issue 77): a song's
lyrics read on request from the .lrc beside it and from its tags (a
FLAC's and an Opus file's LYRICS comment, an MP3's TXXX:USLT, an M4A's
\251lyr and a WavPack file's APEv2 lyrics as ffmpeg writes them, an ID3
USLT frame as mutagen writes it), synced LRC lines kept with their
start, [offset:] and several time tags a line; a song without any, a
malformed .lrc, a USLT frame that runs past its tag, and a .lrc the
account may not read; in JSON and in XML."""

import os
import struct

import pytest
from mutagen.id3 import ID3, SYLT, USLT

from conftest import make_flac, make_mp3, run
from subsonic_calls import (call, ok, failed, walked, private_root, NS)
from test_http import Web
from access_users import world  # noqa: F401

WORDS = "First line\nSecond line"
SYNCED = ("[ar:Singer]\n[ti:Shown title]\n[la:en]\n[offset:-250]\n"
          "[00:01.50]One\r\n[00:03.00][00:00.20]Two\n"
          "a line without a time\n[01:02.345]Three\n")


def ffmpeg_track(path, title, lyrics=None):
    """A one-second tone tagged by ffmpeg, its lyrics too."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    run("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
        "sine=frequency=440:duration=1", "-metadata", "title=" + title,
        "-metadata", "artist=Aaa", "-metadata", "album=One",
        *(["-metadata", "lyrics=" + lyrics] if lyrics else []), path)


def syncsafe(n):
    return bytes((n >> s) & 0x7f for s in (21, 14, 7, 0))


def hostile_mp3(path, title):
    """An MP3 whose ID3v2.3 tag ends in a USLT frame saying it is 5000
    bytes long, where 18 are left in the tag: the audio after it must
    not be read as lyrics."""
    plain = path + ".plain.mp3"
    run("ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
        "sine=frequency=440:duration=1", "-id3v2_version", "0",
        "-write_id3v1", "0", plain)
    with open(plain, "rb") as f:
        audio = f.read()
    os.unlink(plain)
    body = b"\x00" + title.encode()
    frames = b"TIT2" + struct.pack(">I", len(body)) + b"\0\0" + body
    frames += (b"USLT" + struct.pack(">I", 5000) + b"\0\0" +
               b"\x00eng\x00Hostile words")
    with open(path, "wb") as f:
        f.write(b"ID3\x03\x00\x00" + syncsafe(len(frames)) + frames + audio)


def library(top):
    ffmpeg_track(os.path.join(top, "Aaa", "One", "01.flac"), "Flac tag",
                 WORDS)
    ffmpeg_track(os.path.join(top, "Aaa", "One", "02.mp3"), "Mp3 ffmpeg",
                 WORDS)
    for ext in ("m4a", "wv", "opus"):
        ffmpeg_track(os.path.join(top, "Ccc", "Three", "t." + ext),
                     "Tagged " + ext, WORDS)
    make_mp3(os.path.join(top, "Aaa", "One", "03.mp3"), "Mp3 uslt", "Aaa",
             "One", 3)
    tag = ID3(os.path.join(top, "Aaa", "One", "03.mp3"))
    tag.add(USLT(encoding=1, lang="fra", desc="d", text="Été\nHiver"))
    tag.save()
    make_mp3(os.path.join(top, "Aaa", "One", "05.mp3"), "Mp3 sylt", "Aaa",
             "One", 5)
    tag = ID3(os.path.join(top, "Aaa", "One", "05.mp3"))
    tag.add(SYLT(encoding=1, lang="deu", format=2, type=1, desc="",
                 text=[("Eins", 500), ("\nZwei", 1250),
                       ("Drei\nvier", 61000)]))
    tag.add(SYLT(encoding=3, lang="eng", format=1, type=1, desc="frames",
                 text=[("In frames", 7)]))
    tag.add(USLT(encoding=3, lang="deu", desc="", text="Eins Zwei"))
    tag.save()
    make_flac(os.path.join(top, "Aaa", "One", "04.flac"), "Synced", "Aaa",
              "One", 4)
    with open(os.path.join(top, "Aaa", "One", "04.lrc"), "w") as f:
        f.write(SYNCED)
    make_flac(os.path.join(top, "Bbb", "Two", "01.flac"), "Silent", "Bbb",
              "Two", 1)
    make_flac(os.path.join(top, "Bbb", "Two", "02.flac"), "Garbled", "Bbb",
              "Two", 2)
    with open(os.path.join(top, "Bbb", "Two", "02.LRC"), "wb") as f:
        f.write(b"\xff\xfe bad \x00 bytes\n[99:99.99]not a time\n" +
                b"[00:00.1x]nor this\n" + b"x" * 100000 + b"\n\n")
    hostile_mp3(os.path.join(top, "Bbb", "Two", "03.mp3"), "Hostile")


@pytest.fixture
def lyrical(tmp_path):
    top = tmp_path / "music"
    library(str(top))
    w = Web(tmp_path, music=top)
    ids = walked(w, "the songs", until=lambda v: len(v) == 11)
    yield w, {t: v[0] for t, v in ids.items()}
    w.stop()


def structured(w, song, **auth):
    got = ok(call(w, "getLyricsBySongId", id=song, **auth)[2])
    return got["lyricsList"].get("structuredLyrics", [])


def lines(entry):
    return [(x.get("start"), x["value"]) for x in entry["line"]]


def test_lyrics_of_tags(lyrical):
    w, ids = lyrical
    for title in ("Flac tag", "Mp3 ffmpeg", "Tagged m4a", "Tagged wv",
                  "Tagged opus"):
        [got] = structured(w, ids[title])
        assert got == {"lang": "und", "synced": False, "offset": 0,
                       "displayArtist": "Aaa", "displayTitle": title,
                       "line": [{"value": "First line"},
                                {"value": "Second line"}]}, title
    [got] = structured(w, ids["Mp3 uslt"])
    assert got["lang"] == "fra" and not got["synced"]
    assert lines(got) == [(None, "Été"), (None, "Hiver")]
    assert structured(w, ids["Silent"]) == []
    # SYLT timed in milliseconds, as LRC lines; one in MPEG frames not
    synced, plain = structured(w, ids["Mp3 sylt"])
    assert synced["synced"] and not plain["synced"]
    assert lines(synced) == [(500, "Eins"), (1250, "Zwei"),
                             (61000, "Drei vier")]
    assert plain["lang"] == "deu" and lines(plain) == [(None, "Eins Zwei")]


def test_synced_lrc(lyrical):
    w, ids = lyrical
    [got] = structured(w, ids["Synced"])
    assert got["synced"] and got["offset"] == -250 and got["lang"] == "en"
    assert (got["displayArtist"], got["displayTitle"]) == \
        ("Singer", "Shown title")
    assert lines(got) == [(200, "Two"), (1500, "One"), (3000, "Two"),
                          (62345, "Three")]
    root = call(w, "getLyricsBySongId", id=ids["Synced"], f="xml")[2]
    entry = root.find(NS + "lyricsList").find(NS + "structuredLyrics")
    assert entry.get("synced") == "true" and entry.get("offset") == "-250"
    assert [(x.get("start"), x.text) for x in entry.iter(NS + "line")] == \
        [("200", "Two"), ("1500", "One"), ("3000", "Two"),
         ("62345", "Three")]


def test_malformed_and_hostile(lyrical):
    w, ids = lyrical
    [got] = structured(w, ids["Garbled"])
    assert not got["synced"]
    values = [v for _, v in lines(got)]
    assert values[0] == "\ufffd\ufffd bad "     # cut at the NUL
    assert values[1:3] == ["[99:99.99]not a time", "[00:00.1x]nor this"]
    assert values[3] == "x" * 4096 and len(values) == 4
    [got] = structured(w, ids["Hostile"])
    assert got["lang"] == "eng" and lines(got) == [(None, "Hostile words")]
    root = call(w, "getLyricsBySongId", id=ids["Hostile"], f="xml")[2]
    assert [x.text for x in root.iter(NS + "line")] == ["Hostile words"]


def test_bad_calls(lyrical):
    w, ids = lyrical
    failed(call(w, "getLyricsBySongId")[2], 10)
    for bad in ("so99999999", "zz", ""):
        failed(call(w, "getLyricsBySongId", id=bad)[2], 70)


def test_get_lyrics(lyrical):
    w, ids = lyrical
    got = ok(call(w, "getLyrics", artist="aaa", title="FLAC TAG")[2])
    assert got["lyrics"] == {"artist": "Aaa", "title": "Flac tag",
                             "value": WORDS}
    got = ok(call(w, "getLyrics", title="synced")[2])["lyrics"]
    assert got["value"] == "Two\nOne\nTwo\nThree"
    got = call(w, "getLyrics", artist="Aaa", title="Mp3 uslt", f="xml")[2]
    assert got.get("status") == "ok" and got.find(NS + "lyrics").text == "Été\nHiver"
    for asked in ({"artist": "Bbb", "title": "Silent"},
                  {"artist": "Nobody", "title": "Flac tag"},
                  {"title": "no such song"}, {}):
        assert ok(call(w, "getLyrics", **asked)[2])["lyrics"] == \
            {"value": ""}, asked
    lyr = call(w, "getLyrics", title="Silent", f="xml")[2].find(
        NS + "lyrics")
    assert lyr is not None and not lyr.text


def test_lrc_the_account_may_not_read(world):  # noqa: F811
    """A .lrc the account's user may not read is as if it were not
    there; a song it may not see is 70."""
    with private_root(world) as (w, mine, ids, top):
        pub, priv = ids["Pub"][0], ids["Priv"][0]
        lrc = os.path.join(top, "Open", "Pub", "01.lrc")
        with open(lrc, "w") as f:
            f.write("[00:00.10]Secret\n")
        os.chmod(lrc, 0o600)
        assert [lines(e) for e in structured(w, pub)] == \
            [[(100, "Secret")]]
        assert structured(w, pub, **mine) == []
        assert ok(call(w, "getLyrics", title="Pub", **mine)[2])[
            "lyrics"] == {"value": ""}
        failed(call(w, "getLyricsBySongId", id=priv, **mine)[2], 70)
        os.chmod(lrc, 0o644)
        assert [lines(e) for e in structured(w, pub, **mine)] == \
            [[(100, "Secret")]]
