# SPDX-License-Identifier: GPL-3.0-or-later
"""A local user's tags and names written to break out of what shows
them (issue 76, a probe as a local user and a household account): a
title, an artist and an album holding "</text><script>" and an "<svg
onload>", and a manga series of such a name, shown by the page at / and
the history's SVG charts; and a Range header of 1,000 ranges, or of
ranges that overlap, on /library and /rest/stream. No markup of the
tags comes out as markup, the charts stay well-formed XML, and a flood
of ranges is answered with the whole file or a few merged parts, never
more bytes than ranges in all ask."""

import os
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

from conftest import make_flac
from subsonic_calls import walked
from test_manga import make_cbz
from test_http import PASSWORD, Web

EVIL = "</text><script>alert(1)</script><svg onload=alert(2)>&x"
MARKUP = (b"<script", b"<svg onload", b"</text><")


def library(tmp_path):
    music, manga = tmp_path / "music", tmp_path / "manga"
    make_flac(str(music / "A" / "01.flac"), EVIL, EVIL, EVIL, 1)
    series = manga / ("S" + EVIL.replace("/", "_"))
    os.makedirs(str(series))
    make_cbz(str(series / "S T01.cbz"))
    return music, manga


def stream(w, song, ranges):
    """(status, Content-Type, body) of /rest/stream with a Range."""
    q = urllib.parse.urlencode({"u": "root", "p": PASSWORD, "v": "1.16.1",
                                "c": "t", "id": song})
    req = urllib.request.Request("%s/rest/stream?%s" % (w.base, q),
                                 headers={"Range": ranges})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, "", e.read()


def parts(ctype):
    return re.fullmatch(r"multipart/byteranges; boundary=(\S+)", ctype)


def answer(got):
    status, headers, body = got
    return status, headers.get("content-type", ""), body


def assert_bounded(status, ctype, body, data, ranges):
    """The answer to ranges of data: the whole, a few merged parts, or
    one part, no larger than the ranges ask in all (at most 200 bytes
    here but for the flood's 1,000)."""
    assert status in (200, 206), (ranges[:40], status)
    if status == 200:
        assert body == data
    elif parts(ctype):
        assert body.count(b"Content-Range") <= 16
        assert len(body) < 16 * 300
    else:
        assert body == data[:len(body)] and len(body) <= 1000


def test_tags_with_markup_and_range_floods(tmp_path):
    music, manga = library(tmp_path)
    w = Web(tmp_path, music=music, manga=manga)
    try:
        (song, _, _), = walked(w, "the song", lambda v: len(v) == 1).values()
        status, _, page = w.curl("/")
        assert status == 200
        assert not any(m in page for m in MARKUP), page
        assert b"&lt;/text&gt;&lt;script&gt;" in page  # shown, as text
        for chart in ("scans", "checks", "repairs"):
            svg = w.m.read("metrics/%s.svg" % chart)
            ET.fromstring(svg)
            assert not any(m in svg for m in MARKUP)
        data = (music / "A" / "01.flac").read_bytes()
        flood = "bytes=" + ",".join("%d-%d" % (i, i) for i in range(1000))
        same = "bytes=" + ",".join(["0-99"] * 50)
        top = w.m.file("library/music/artists")
        view = [os.path.join(d, f) for d, _, fs in os.walk(top)
                for f in fs if f.endswith(".flac")]
        assert len(view) == 1
        url = "/library/music/artists/" + urllib.parse.quote(
            os.path.relpath(view[0], top))
        for ranges in (flood, same, "bytes=0-99,50-149,100-199"):
            for status, ctype, body in (
                    stream(w, song, ranges),
                    answer(w.curl(url, "-H", "Range: " + ranges))):
                assert_bounded(status, ctype, body, data, ranges)
    finally:
        w.stop()
