# SPDX-License-Identifier: GPL-3.0-or-later
"""stream re-encoded for a phone (issue 77): format and maxBitRate give
mp3, opus or aac from a mediamon-analyse child, raw the file itself, bad
parameters a clear error."""

import json
import os
import subprocess
import urllib.parse
import urllib.request

from subsonic_calls import call, failed, walk
from subsonic_calls import music  # noqa: F401
from test_http import PASSWORD


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
