# SPDX-License-Identifier: GPL-3.0-or-later
"""getCoverArt's size (issue 77, "Covers at the size asked"): the cover
made to fit size x size, its aspect kept and never made larger, a JPEG
(a PNG with its alpha when the cover is a PNG with transparency), sizes
put within 16..2048, 0 the cover as it is, a size that is no number
refused; a second ask answered from memory (the counters of
/metrics/http.json), a cover changed in the library scaled anew; a
corrupt cover and one of 20,000 x 20,000 pixels (a bomb, of a few
hundred bytes) refused with an error; the cover of an album another
account may not read is not given to it, scaled or kept."""

import os
import struct
import tempfile
import urllib.parse
import urllib.request
import zlib

from conftest import run, wait_for, make_flac
from subsonic_calls import call, failed, music_library, walked
from access_users import make_user, drop_user, pytestmark as as_users
from access_users import world  # noqa: F401
from test_covers import flac_file
from test_http import PASSWORD, Web, open_and_shut


def picture(path, size, spec="color=c=0x3366cc", fmt=None):
    """An image file of size ("WxH") made by ffmpeg from the lavfi source
    spec, in the pixel format fmt if given; its bytes."""
    vf = ["-vf", "format=" + fmt] if fmt else []
    run("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
        "%s:s=%s" % (spec, size), "-frames:v", "1", *vf, str(path))
    with open(path, "rb") as f:
        return f.read()


def jpeg_size(data):
    """(width, height) of a JPEG from its start-of-frame segment."""
    assert data[:2] == b"\xff\xd8", data[:4]
    i = 2
    while i + 4 <= len(data):
        assert data[i] == 0xff, i
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xc0 <= marker <= 0xcf and marker not in (0xc4, 0xc8, 0xcc):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + length
    raise AssertionError("no start of frame")


def png_header(data):
    """(width, height, colour type) of a PNG from its IHDR."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    w, h = struct.unpack(">II", data[16:24])
    return w, h, data[25]


def jpeg_bomb(small):
    """The JPEG small with its frame saying 20,000 x 20,000 pixels."""
    i = 2
    while True:
        marker = small[i + 1]
        length = struct.unpack(">H", small[i + 2:i + 4])[0]
        if marker in (0xc0, 0xc1, 0xc2):
            return (small[:i + 5] + struct.pack(">HH", 20000, 20000) +
                    small[i + 9:])
        i += 2 + length


def png_bomb():
    """A PNG whose header says 20,000 x 20,000 RGB pixels, with one row
    of them."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0,
                                       0, 0)) +
            chunk(b"IDAT", zlib.compress(bytes(1 + 3 * 20000))) +
            chunk(b"IEND", b""))


def cover(w, cid, size=None, auth=None):
    """(HTTP status, content type, body) of getCoverArt of cid."""
    q = dict(auth or {"u": "root", "p": PASSWORD})
    q.update({"v": "1.16.1", "c": "mediamon-test", "id": cid})
    if size is not None:
        q["size"] = size
    url = "%s/rest/getCoverArt?%s" % (w.base, urllib.parse.urlencode(q))
    with urllib.request.urlopen(url, timeout=120) as r:
        return r.status, r.headers["Content-Type"], r.read()


def counts(w):
    doc = w.m.json("metrics/http.json")
    return doc["covers_scaled"], doc["covers_from_memory"]


def refused(w, cid, size):
    """getCoverArt of cid at size answers error 0 (as XML: no f)."""
    status, ctype, body = cover(w, cid, size)
    assert status == 200 and ctype.startswith("text/xml"), ctype
    assert b'status="failed"' in body and b'code="0"' in body, body
    return body


def test_sizes_formats_and_memory(tmp_path):
    top = tmp_path / "music"
    music_library(str(top))
    original = picture(top / "Band" / "Tones" / "cover.jpg", "1200x800",
                       "testsrc=r=1")
    picture(top / "Zed" / "Solo" / "cover.png", "900x1000",
            "color=c=0xff000080", "rgba")
    w = Web(tmp_path, music=top)
    try:
        ids = walked(w)
        tones, solo = ids["First"][2], ids["Only"][2]
        assert counts(w) == (0, 0)
        for size, want in ((64, (64, 43)), (300, (300, 200)),
                           (600, (600, 400)), (8, (16, 11))):
            status, ctype, body = cover(w, tones, size)
            assert status == 200 and ctype == "image/jpeg"
            assert jpeg_size(body) == want, size
        # a song's id gives its album's cover, the same scaled one
        assert jpeg_size(cover(w, ids["First"][0], 300)[2]) == (300, 200)
        # never made larger; 0 or no size: the cover as it is
        for size in (1200, 5000, 0, None):
            assert cover(w, tones, size)[2] == original, size
        # a PNG with transparency stays a PNG with its alpha
        status, ctype, body = cover(w, solo, 300)
        assert ctype == "image/png"
        assert png_header(body) == (270, 300, 6)
        # a child ran for each size asked the first time (1200 and 2048
        # too, which gave the cover back as it is), the song's 300 was
        # the album's; asked again: from memory, byte for byte
        assert counts(w) == (7, 1)
        assert cover(w, solo, 300)[2] == body
        assert counts(w) == (7, 2)
        # the cover changed in place: scaled anew
        picture(top / "Zed" / "Solo" / "cover.png", "1000x1000",
                "color=c=0x00ff0080", "rgba")
        got = wait_for(lambda: png_header(cover(w, solo, 300)[2]), 60,
                       "the new cover scaled",
                       until=lambda v: v == (300, 300, 6), mount=w.m)
        assert got == (300, 300, 6) and counts(w)[0] >= 8
        # a size that is no number of pixels
        for bad in ("big", "-5", "64px"):
            body = refused(w, tones, bad)
            assert b"size is a number of pixels" in body
        failed(call(w, "getCoverArt", id="al" + b"Band/Nope".hex(),
                    size=64)[2], 70)
        failed(call(w, "getCoverArt", size=64)[2], 10)
    finally:
        w.stop()


def test_embedded_cover(tmp_path):
    """A cover that is the picture in the track's tags (no image file
    beside it) is scaled as well, and kept."""
    top = tmp_path / "music"
    data = picture(tmp_path / "front.jpg", "800x600")
    flac_file(str(top / "Pic" / "Tagged" / "01.flac"), "Framed", "Pic",
              "Tagged", 1, pictures=[(3, "image/jpeg", data)])
    w = Web(tmp_path, music=top)
    try:
        ids = walked(w, "the tagged song", until=lambda v: len(v) == 1)
        album = ids["Framed"][2]
        assert cover(w, album)[2] == data
        for _ in range(2):
            status, ctype, body = cover(w, album, 100)
            assert ctype == "image/jpeg" and jpeg_size(body) == (100, 75)
        assert counts(w) == (1, 1)
    finally:
        w.stop()


def test_corrupt_and_huge_covers(tmp_path):
    """A cover FFmpeg cannot read, and JPEG and PNG bombs whose headers
    say 400 million pixels, give error 0 without the daemon holding their
    pixels, once each (nothing kept of them); a good cover answers on."""
    top = tmp_path / "music"
    music_library(str(top))
    small = picture(tmp_path / "small.jpg", "64x64")
    albums = {"Bad": b"\xff\xd8\xff\xe0" + os.urandom(4000),
              "BombJ": jpeg_bomb(small), "BombP": png_bomb()}
    for name, data in albums.items():
        make_flac(str(top / "Zed" / name / "01.flac"), name, "Zed", name, 1)
        ext = "png" if name == "BombP" else "jpg"
        (top / "Zed" / name / ("cover." + ext)).write_bytes(data)
    picture(top / "Band" / "Tones" / "cover.jpg", "3000x2000")
    w = Web(tmp_path, music=top)
    try:
        ids = walked(w, "six songs", until=lambda v: len(v) == 6)
        for name in albums:
            for _ in range(2):
                refused(w, ids[name][2], 128)
        assert counts(w) == (0, 0)
        assert "cover not scaled" in w.log()
        # a good cover answers on; a size past 2048 is 2048
        body = cover(w, ids["First"][2], 128)[2]
        assert jpeg_size(body) == (128, 85)
        body = cover(w, ids["First"][2], 4096)[2]
        assert jpeg_size(body) == (2048, 1365)
    finally:
        w.stop()


@as_users
def test_another_account_gets_no_cover_it_may_not_read(world):  # noqa: F811
    """Shut/Priv, in a folder only root may enter, has a cover: root
    gets it scaled (and kept); the user asking the same gets 70, as for
    the cover as it is."""
    u = make_user()
    try:
        top = open_and_shut(world)
        for album in ("Open/Pub", "Shut/Priv"):
            picture(os.path.join(top, album, "cover.jpg"), "800x800")
        w = Web(tempfile.mkdtemp(dir=world), names=("root", u.name),
                music=top)
        try:
            ids = walked(w, "both songs for root", lambda v: len(v) == 2)
            priv, pub = ids["Priv"][2], ids["Pub"][2]
            auth = {"u": u.name, "p": PASSWORD}
            assert jpeg_size(cover(w, priv, 100)[2]) == (100, 100)
            assert jpeg_size(cover(w, pub, 100, auth)[2]) == (100, 100)
            for cid in (priv, ids["Priv"][0]):
                for size in (100, 64, None):
                    failed(call(w, "getCoverArt", auth=auth, id=cid,
                                **({"size": size} if size else {}))[2], 70)
        finally:
            w.stop()
    finally:
        drop_user(u)
