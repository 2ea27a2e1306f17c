# SPDX-License-Identifier: GPL-3.0-or-later
"""stream re-encoded for a phone (issue 77): format and maxBitRate give
mp3, opus or aac from a mediamon-analyse child, raw the file itself, bad
parameters a clear error."""

import json
import os
import subprocess
import urllib.parse
import urllib.request

import urllib.error

from clients import need
from conftest import wait_for
from subsonic_calls import call, failed, walk, walked
from subsonic_calls import music  # noqa: F401
from test_http import PASSWORD, Web


def stream(w, **params):
    q = {"u": "root", "p": PASSWORD, "v": "1.16.1", "c": "t"}
    q.update(params)
    url = "%s/rest/stream?%s" % (w.base, urllib.parse.urlencode(q))
    with urllib.request.urlopen(url, timeout=120) as r:
        return r.status, r.headers.get("Content-Type"), r.read()


def probe(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries",
         "format=format_name,bit_rate,duration:stream=codec_name,bit_rate",
         "-of", "json", path], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_formats_and_raw(music, tmp_path):  # noqa: F811
    sid = walk(music)["Second"][0]
    src = os.path.join(str(music.where), "music", "Band", "Tones",
                       "02.flac")
    with open(src, "rb") as f:
        data = f.read()
    assert stream(music, id=sid, format="raw")[2] == data
    for fmt, codec, ctype in (("mp3", "mp3", "audio/mpeg"),
                              ("opus", "opus", "audio/ogg"),
                              ("aac", "aac", "audio/aac")):
        status, got_type, body = stream(music, id=sid, format=fmt,
                                        maxBitRate=128)
        assert status == 200 and got_type == ctype
        out = tmp_path / ("o." + fmt)
        out.write_bytes(body)
        p = probe(str(out))
        assert p["streams"][0]["codec_name"] == codec
        # the codec's rate, and the container's headers on top of it
        # (a second's file: an MP3's Xing frame counts) within 5 %
        rate = p["streams"][0].get("bit_rate")
        assert rate is None or int(rate) <= 128000, (fmt, p)
        assert float(p["format"]["bit_rate"]) <= 128000 * 1.05, (fmt, p)


def test_bad_parameters(music):  # noqa: F811
    sid = walk(music)["Second"][0]
    for bad in ({"format": "wav"}, {"maxBitRate": "x"},
                {"maxBitRate": "-5"}, {"maxBitRate": "8"},
                {"timeOffset": "soon"}):
        resp = call(music, "stream", id=sid, **bad)[2]
        failed(resp, 0)


def thirty_seconds(tmp_path, conf_extra=""):
    """A daemon over one 30 s FLAC (Band/Long/01.flac), and its song
    id."""
    top = tmp_path / "music"
    album = top / "Band" / "Long"
    album.mkdir(parents=True)
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=30", "-ac", "2", "-ar",
                    "44100", "-metadata", "title=Long", "-metadata",
                    "artist=Band", "-metadata", "album=Long",
                    str(album / "01.flac")], check=True)
    w = Web(tmp_path, conf_extra=conf_extra, music=top)
    ids = walked(w, "the 30 s song", until=lambda v: len(v) == 1)
    return w, ids["Long"][0]


def test_offset_and_estimate(tmp_path):
    w, sid = thirty_seconds(tmp_path)
    try:
        for offset, want in ((0, 30), (20, 10)):
            status, _, body = stream(w, id=sid, format="mp3",
                                     maxBitRate=128, timeOffset=offset,
                                     estimateContentLength="true")
            assert status == 200
            assert len(body) == want * 128000 // 8
            out = tmp_path / ("o%d.mp3" % offset)
            out.write_bytes(body)
            got = float(probe(str(out))["format"]["duration"])
            assert abs(got - want) < 1.5, (offset, got)
        ext = call(w, "getOpenSubsonicExtensions")[2]
        assert "transcodeOffset" in [e["name"] for e in
                                     ext["openSubsonicExtensions"]]
    finally:
        w.stop()


def test_over_max_transcodes(tmp_path):
    """max_transcodes 0: the file as it is; the first stream held open
    with max_transcodes 1 makes the next a 503 with Retry-After."""
    w, sid = thirty_seconds(tmp_path, "max_transcodes = 1\n")
    try:
        q = {"u": "root", "p": PASSWORD, "v": "1.16.1", "c": "t",
             "id": sid, "format": "mp3", "maxBitRate": 32}
        url = "%s/rest/stream?%s" % (w.base, urllib.parse.urlencode(q))
        with urllib.request.urlopen(url, timeout=120) as held:
            held.read(100)
            try:
                urllib.request.urlopen(url, timeout=120)
                assert False, "a second transcode was let through"
            except urllib.error.HTTPError as e:
                assert e.code == 503
                assert e.headers["Retry-After"] == "5"
    finally:
        w.stop()


def test_gstreamer_plays_it(tmp_path):
    w, sid = thirty_seconds(tmp_path)
    try:
        gst = need("gst-launch-1.0")
        q = {"u": "root", "p": PASSWORD, "v": "1.16.1", "c": "t",
             "id": sid, "format": "mp3", "maxBitRate": 128}
        url = "%s/rest/stream?%s" % (w.base, urllib.parse.urlencode(q))
        done = subprocess.run([gst, "-q", "souphttpsrc", "location=" + url,
                               "!", "decodebin", "!", "fakesink"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    finally:
        w.stop()


def transcoders(pid):
    """The pids of the transcoding children of the daemon pid."""
    found = []
    for p in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % p) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open("/proc/%s/cmdline" % p, "rb") as f:
                cmd = f.read()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid and b"--transcode=" in cmd:
            found.append(int(p))
    return found


def test_child_ends_with_the_client(tmp_path):
    """A client that goes away mid-stream takes its child with it, and
    its place among max_transcodes is free again."""
    w, sid = thirty_seconds(tmp_path, "max_transcodes = 1\n")
    try:
        pid = w.m.proc.pid
        q = {"u": "root", "p": PASSWORD, "v": "1.16.1", "c": "t",
             "id": sid, "format": "mp3", "maxBitRate": 320}
        url = "%s/rest/stream?%s" % (w.base, urllib.parse.urlencode(q))
        with urllib.request.urlopen(url, timeout=120) as r:
            r.read(100)
            assert transcoders(pid)
        wait_for(lambda: not transcoders(pid), 30, "the child ended")
        # the child is killed, then reaped, then its place given back:
        # one who sees it gone may still be a moment early (a 503)
        def again():
            try:
                return stream(w, id=sid, format="mp3", maxBitRate=32)
            except urllib.error.HTTPError as e:
                if e.code != 503:
                    raise
                return None
        status, _, body = wait_for(again, 30, "the place given back")
        assert status == 200 and body
    finally:
        w.stop()


def noise(tmp_path, seconds):
    """A music root under tmp_path holding Band/Noise/01.flac ("Noise"),
    seconds of noise: a FLAC far above any rate asked, which a sine is
    not. Returns the root and the file's bytes."""
    top = tmp_path / "music"
    album = top / "Band" / "Noise"
    album.mkdir(parents=True)
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "anoisesrc=duration=%d:seed=7" % seconds, "-ac", "2",
                    "-ar", "44100", "-metadata", "title=Noise", "-metadata",
                    "artist=Band", "-metadata", "album=Noise",
                    str(album / "01.flac")], check=True, timeout=120)
    with open(album / "01.flac", "rb") as f:
        return top, f.read()


def test_bit_rate_by_client_name(tmp_path):
    """[http] transcode_bitrates: a player named there that asks no
    maxBitRate gets its rate in the first format; one named with 0, one
    not named, and one asking raw get the file; a rate asked wins over
    the client's; items that are no CLIENT=KBPS are left out, logged."""
    top, data = noise(tmp_path, 5)
    w = Web(tmp_path, conf_extra="transcode_bitrates = DSub=64,"
            " Strawberry=0, Slow=7, Nameless, =96, Fast=fast\n", music=top)
    try:
        sid = walked(w, "the noise", until=lambda v: len(v) == 1)[
            "Noise"][0]
        for client in ("Strawberry", "Other", "dsub"):
            assert stream(w, id=sid, c=client)[1:] == ("audio/flac",
                                                      data), client
        assert stream(w, id=sid, c="DSub", format="raw")[2] == data
        for asked, want in (({}, 64), ({"maxBitRate": 32}, 32)):
            status, ctype, body = stream(w, id=sid, c="DSub", **asked)
            assert status == 200 and ctype == "audio/mpeg", asked
            out = tmp_path / "dsub.mp3"
            out.write_bytes(body)
            p = probe(str(out))
            assert p["streams"][0]["codec_name"] == "mp3", p
            assert float(p["format"]["bit_rate"]) <= want * 1000 * 1.05, p
            assert float(p["format"]["bit_rate"]) > want * 1000 * 0.8, p
        log = w.log()
        for bad in ("Slow=7", "Nameless", "=96", "Fast=fast"):
            assert "transcode_bitrates: %s is no CLIENT=KBPS" % bad in log, \
                bad
    finally:
        w.stop()
