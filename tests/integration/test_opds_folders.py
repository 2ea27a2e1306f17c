# SPDX-License-Identifier: GPL-3.0-or-later
"""A volume that is a folder of images is in its series' OPDS feed like
any volume, a special too (issue 63): its acquisition link serves a
generated .cbz, a zip of the folder's images stored as they are, whose
size stat() and Content-Length tell before a byte is read (the daemon's
own HTTP listener answers ranges of it); unzip -t passes it, each image
comes out byte for byte, a range in the middle is the same bytes, the same
folder gives the same bytes and a changed one a new zip; its cover is its
first image. A folder with no image is in no feed; an image or folder
another user may not read hides the volume from that user."""

import errno
import json
import os
import pathlib
import shutil
import subprocess
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
import zipfile

import pytest

from clients import need
from conftest import start, unmount, wait_for
from test_opds import (ACQUISITION, ATOM, IMAGE, TYPES, links, make_archive,
                       parse, served, validate, world)  # noqa: F401


FEED = "opds/series/Blue Lock.xml"
BOOK = "opds/files/Blue Lock/Blue Lock Volume 002.cbz"
# the images of the folder volume, and what else is in it
IMAGES = {
    "001.jpg": b"\xff\xd8\xff\xe0 the cover of volume 2",
    "002.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 700,
    "010.jpg": os.urandom(300 << 10),
    "\u00e9t\u00e9 11.webp": b"RIFF\0\0\0\0WEBP summer",
}
OTHERS = {"notes.txt": b"not a page", "Thumbs.db": b"\0\0"}


def make_folder(path, files):
    os.makedirs(path, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)


def make_series(root):
    series = os.path.join(root, "Blue Lock")
    os.makedirs(series)
    make_archive(os.path.join(series, "Blue Lock T01.cbz"),
                 [("1.jpg", b"\xff\xd8 volume one")])
    make_folder(os.path.join(series, "Blue Lock T02"), {**IMAGES, **OTHERS})
    # a folder with no image, and an empty one: no volume to read
    make_folder(os.path.join(series, "Blue Lock T03"), OTHERS)
    make_folder(os.path.join(series, "Blue Lock T04"), {})
    return series


@pytest.fixture
def blue(tmp_path):
    root = tmp_path / "manga"
    series = make_series(str(root))
    m = start(tmp_path, "manga=" + str(root))
    m.series = series
    try:
        wait_for(lambda: m.read(FEED), 60, "the two volumes in the feed",
                 mount=m, ignore=(FileNotFoundError,),
                 until=lambda d: d.count(b"<entry>") == 2)
        yield m
    finally:
        unmount(m.path, m.proc)


def acquisition(m):
    """(href, type, length) of the folder volume's entry."""
    got = links(m.read(FEED), ACQUISITION)
    assert [h for _, h, _, _ in got] == [
        "../files/Blue%20Lock/Blue%20Lock%20Volume%20001.cbz",
        "../files/Blue%20Lock/Blue%20Lock%20Volume%20002.cbz"], got
    return got[1][1:]


def newest(folder):
    """The newest mtime of the folder and its images, in seconds."""
    times = [os.stat(folder).st_mtime_ns] + [
        os.stat(os.path.join(folder, n)).st_mtime_ns
        for n in os.listdir(folder) if not n.endswith((".txt", ".db"))]
    return max(times) // 10**9


def check_zip(path, images, folder=None):
    """unzip -t passes the zip at path; it holds images, byte for byte, in
    name order, and nothing else; unzip gives each the mtime of the image
    in folder."""
    out = subprocess.run([need("unzip"), "-t", path], capture_output=True,
                         timeout=60)
    assert out.returncode == 0, out
    if folder:
        into = path + ".d"
        # not UTC: the time is the zip's UT field's, not its DOS time
        out = subprocess.run([need("unzip"), "-q", "-d", into, path],
                             capture_output=True, timeout=60,
                             env=dict(os.environ, TZ="JST-9"))
        assert out.returncode == 0, out
        for name in images:
            assert int(os.stat(os.path.join(into, name)).st_mtime) == \
                int(os.stat(os.path.join(folder, name)).st_mtime), name
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert z.namelist() == sorted(images, key=lambda n: n.encode())
        for info in z.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            assert z.read(info) == images[info.filename], info.filename


def test_folder_is_a_generated_cbz(blue, tmp_path):
    validate(blue.file(FEED))
    doc = parse(blue.read(FEED))
    assert [e.title for e in doc.entries] == ["Blue Lock, volume 1",
                                              "Blue Lock, volume 2"]
    href, kind, length = acquisition(blue)
    assert kind == TYPES[".cbz"]
    st = os.stat(blue.file(BOOK))
    assert int(length) == st.st_size
    assert int(st.st_mtime) == newest(os.path.join(blue.series,
                                                   "Blue Lock T02"))
    data = blue.read(BOOK)
    assert len(data) == st.st_size
    copy = tmp_path / "book.cbz"
    copy.write_bytes(data)
    check_zip(str(copy), IMAGES, os.path.join(blue.series, "Blue Lock T02"))
    # the same folder, the same bytes; fstat of the open zip says its size
    with open(blue.file(BOOK), "rb") as f:
        assert os.fstat(f.fileno()).st_size == len(data)
        f.seek(len(data) // 2)
        assert f.read(1000) == data[len(data) // 2:len(data) // 2 + 1000]
        f.seek(len(data) - 30)
        assert f.read() == data[-30:]
        f.seek(0)
        assert f.read() == data
    # its cover is its first image; the archive's cover is as before
    covers = [h for _, h, _, _ in links(blue.read(FEED), IMAGE)]
    assert len(covers) == 2
    assert blue.read("opds/" + covers[1].replace("../", "")) == \
        IMAGES["001.jpg"]
    assert "/series/" not in covers[1] and covers[1].endswith(".jpg")
    # recent.xml and the series list know it too
    assert len(parse(blue.read("opds/recent.xml")).entries) == 2
    assert [e.summary for e in parse(blue.read("opds/series.xml")).entries] \
        == ["2 volumes"]
    # no other name is there
    for rel in ("Blue Lock Volume 003.cbz", "Blue Lock Volume 004.cbz",
                "Blue Lock Volume 002", "Blue Lock Volume 002.cbz/001.jpg"):
        assert not os.path.exists(blue.file("opds/files/Blue Lock/" + rel))


def test_special_folder(tmp_path):
    """A special that is a folder of images is in its series' feed after
    the volumes, titled and named as a special file is, as a zip."""
    root = tmp_path / "manga"
    series = make_series(str(root))
    extra = {"001.jpg": b"\xff\xd8 the extra's cover"}
    make_folder(os.path.join(series, "Blue Lock Extra"), extra)
    m = start(tmp_path, "manga=" + str(root))
    try:
        data = wait_for(lambda: m.read(FEED), 60, "three entries", mount=m,
                        ignore=(FileNotFoundError,),
                        until=lambda d: d.count(b"<entry>") == 3)
        validate(m.file(FEED))
        assert [e.title for e in parse(data).entries][2] == \
            "Blue Lock, special: Blue Lock Extra"
        (_, href, kind, length) = links(data, ACQUISITION)[2]
        assert href == "../files/Blue%20Lock/Blue%20Lock%20Extra.cbz"
        path = m.file("opds/files/Blue Lock/Blue Lock Extra.cbz")
        assert kind == TYPES[".cbz"] and int(length) == os.path.getsize(path)
        check_zip(path, extra)
        assert m.read("opds/" + links(data, IMAGE)[2][1].replace(
            "../", "")) == extra["001.jpg"]
    finally:
        unmount(m.path, m.proc)


def test_every_acquisition_names_its_series(tmp_path):
    """Every volume owned is an acquisition entry of its series' feed and
    of recent.xml, volume files, folders of images and specials of both
    kinds alike, in a series whose name XML escapes too: each entry is
    titled with its series, and the file its link names, which a reader
    saves the book under, starts with the series' name."""
    root = tmp_path / "manga"
    odd = 'Tom & Jerry <"\u00fcn\u00efcode">'
    make_series(str(root))
    make_folder(str(root / "Blue Lock" / "Blue Lock Extra"),
                {"001.jpg": b"\xff\xd8 an extra"})
    os.makedirs(str(root / "Saga"))
    os.makedirs(str(root / odd))
    for rel in ("Saga/Saga T01.cbz", "Saga/Saga Hors-Serie.cbz",
                "Saga/Extra Guts.cbz", odd + "/Tom T01.cbz"):
        make_archive(str(root / rel), [("1.jpg", b"\xff\xd8 " +
                                        rel.encode())])
    make_folder(str(root / "Saga" / "Saga T02"), {"001.jpg": b"\xff\xd8"})
    owned = {"Blue Lock": 3, "Saga": 4, odd: 1}
    m = start(tmp_path, "manga=" + str(root))
    try:
        for series, n in owned.items():
            wait_for(lambda: m.read("opds/series/%s.xml" % series), 60,
                     "%d entries of %s" % (n, series), mount=m,
                     ignore=(FileNotFoundError,),
                     until=lambda d: d.count(b"<entry>") == n)
        feeds = ["opds/series/%s.xml" % s for s in owned] + \
            ["opds/recent.xml"]
        seen = []
        for feed in feeds:
            data = m.read(feed)
            validate(m.file(feed))
            for e in ET.fromstring(data).iter(ATOM + "entry"):
                title = e.findtext(ATOM + "title")
                href = [ln.get("href") for ln in e.iter(ATOM + "link")
                        if ln.get("rel") == ACQUISITION]
                assert len(href) == 1, (feed, title)
                folder, name = urllib.parse.unquote(href[0]).split("/")[-2:]
                assert folder in owned, (feed, href)
                assert title.startswith(folder + ", "), (feed, title)
                assert name.startswith(folder + " "), (feed, name)
                path = m.file(os.path.normpath(os.path.join(
                    os.path.dirname(feed), urllib.parse.unquote(href[0]))))
                assert os.path.getsize(path) > 0, path
                seen.append((feed == "opds/recent.xml", folder, name))
        for in_recent in (False, True):
            got = [f for r, f, _ in seen if r == in_recent]
            assert {s: got.count(s) for s in owned} == owned, seen
        assert len(set(seen)) == len(seen), seen
    finally:
        unmount(m.path, m.proc)


@pytest.fixture
def manga(blue):
    """The library test_opds's fixtures serve (served)."""
    return blue


def test_served_and_changed(blue, served, tmp_path):
    """Over python's http.server: Content-Length is the size, twice the
    same bytes; after an image is added and the folder scanned, the zip
    is new, and still whole."""
    url = served + urllib.parse.quote(BOOK)

    def get():
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.headers, r.read()

    headers, first = get()
    _, _, length = acquisition(blue)
    assert int(headers["Content-Length"]) == len(first) == int(length)
    assert get()[1] == first
    copy = tmp_path / "first.cbz"
    copy.write_bytes(first)
    check_zip(str(copy), IMAGES)

    folder = os.path.join(blue.series, "Blue Lock T02")
    added = {"020.jpg": b"\xff\xd8 a page added later"}
    make_folder(folder, added)
    blue.rescan()
    wait_for(lambda: acquisition(blue)[2], 60, "the zip's new length",
             mount=blue, until=lambda n: int(n) != len(first))
    headers, second = get()
    assert int(headers["Content-Length"]) == len(second) != len(first)
    copy.write_bytes(second)
    check_zip(str(copy), {**IMAGES, **added})
    assert int(os.stat(blue.file(BOOK)).st_mtime) == newest(folder)


def test_image_changed_since_the_scan(blue):
    """An image whose size changed on disk before the folder was scanned
    again makes the open fail with EAGAIN (a zip of the sizes and CRC-32s
    the store holds would be wrong), said in the log; the scan mends it
    (test_opds_zip_crc.py has the refusal without the watcher's scan)."""
    folder = os.path.join(blue.series, "Blue Lock T02")
    blue.read(BOOK)
    with open(os.path.join(folder, "010.jpg"), "ab") as f:
        f.write(b"grown")
    try:
        with open(blue.file(BOOK), "rb") as f:
            f.read()
        grown = False
    except OSError as e:
        assert e.errno == errno.EAGAIN
        grown = True
    if grown:
        assert "changed since it was scanned: its .cbz waits for its" \
            " scan" in blue.read("log").decode()
    blue.rescan()
    images = dict(IMAGES)
    images["010.jpg"] = IMAGES["010.jpg"] + b"grown"
    data = wait_for(lambda: blue.read(BOOK), 60, "the zip of the grown image",
                    mount=blue, ignore=(OSError,),
                    until=lambda d: images["010.jpg"] in d)
    assert len(data) == os.path.getsize(blue.file(BOOK))


# What another user reads of the folder volume: its series' feed and the
# zip, each as text or an errno.
WALK = """
import json, os, sys
out = {}
for rel in sys.argv[2:]:
    try:
        with open(os.path.join(sys.argv[1], rel), "rb") as f:
            out[rel] = f.read().decode("latin-1")
    except OSError as e:
        out[rel] = e.errno
print(json.dumps(out))
"""


def test_another_users_folder_is_hidden(world):  # noqa: F811
    """Another user sees the folder volume when it may read the folder
    and its images; a 0700 folder, or one image 0600, of root's hides the
    volume from its feed and its zip from it (ENOENT), while the owner
    reads both."""
    from access_users import drop_user, make_user

    root = os.path.join(world, "manga")
    series = make_series(root)
    make_folder(os.path.join(series, "Blue Lock T05"),
                {"001.jpg": b"\xff\xd8 five"})
    make_folder(os.path.join(series, "Blue Lock T06"),
                {"001.jpg": b"\xff\xd8 six", "002.jpg": b"\xff\xd8 hidden"})
    os.chmod(os.path.join(series, "Blue Lock T05"), 0o700)
    os.chmod(os.path.join(series, "Blue Lock T06", "002.jpg"), 0o600)
    user = make_user()
    m = start(pathlib.Path(world), "allow_other", "manga=" + root)
    books = ["files/Blue Lock/Blue Lock Volume %03d.cbz" % n
             for n in (2, 5, 6)]
    try:
        feed = wait_for(lambda: m.read(FEED), 60, "four volumes", mount=m,
                        ignore=(FileNotFoundError,),
                        until=lambda d: d.count(b"<entry>") == 4)
        for book in books:
            with zipfile.ZipFile(m.file("opds/" + book)) as z:
                assert z.testzip() is None
        out = user.run("/usr/bin/python3", "-c", WALK, m.file("opds"),
                       "series/Blue Lock.xml", *books)
        assert out.returncode == 0, out
        seen = json.loads(out.stdout)
        titles = [e.findtext(ATOM + "title") for e in ET.fromstring(
            seen["series/Blue Lock.xml"].encode("latin-1")).iter(
                ATOM + "entry")]
        assert titles == ["Blue Lock, volume 1", "Blue Lock, volume 2"]
        assert seen[books[0]].encode("latin-1") == m.read("opds/" + books[0])
        assert seen[books[1]] == errno.ENOENT
        assert seen[books[2]] == errno.ENOENT
        assert b"volume 6" in feed
    finally:
        unmount(m.path, m.proc)
        drop_user(user)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("htpasswd") or
                    not shutil.which("curl"),
                    reason="needs root, htpasswd and curl")
def test_listener_serves_ranges(tmp_path):
    """The daemon's own HTTP listener serves the zip with its length, an
    ETag and Last-Modified that hold while the folder does, a range in
    the middle (206) and several ranges, each the bytes of the file."""
    from test_http import Web

    manga = tmp_path / "manga"
    make_series(str(manga))
    w = Web(tmp_path, manga=manga)
    try:
        wait_for(lambda: w.m.read(FEED), 60, "the two volumes in the feed",
                 mount=w.m, ignore=(FileNotFoundError,),
                 until=lambda d: d.count(b"<entry>") == 2)
        path = "/" + urllib.parse.quote(BOOK)
        whole = w.m.read(BOOK)
        status, headers, body = w.curl(path)
        assert status == 200 and body == whole
        assert int(headers["content-length"]) == len(whole)
        assert headers["content-type"] == TYPES[".cbz"]
        status, again, body = w.curl(path)
        assert body == whole and again["etag"] == headers["etag"]
        assert again["last-modified"] == headers["last-modified"]
        a = len(whole) // 2
        status, headers, body = w.curl(path, "-r", "%d-%d" % (a, a + 999))
        assert status == 206 and body == whole[a:a + 1000]
        assert headers["content-range"] == "bytes %d-%d/%d" % (
            a, a + 999, len(whole))
        status, headers, body = w.curl(path, "-r", "0-99,%d-" % (a,))
        assert status == 206 and whole[:100] in body and whole[a:] in body
        copy = tmp_path / "book.cbz"
        status, _, body = w.curl(path)
        copy.write_bytes(body)
        check_zip(str(copy), IMAGES)
    finally:
        w.stop()
