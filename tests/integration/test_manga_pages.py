# SPDX-License-Identifier: GPL-3.0-or-later
"""/manga/SERIES/VOLUME.pages and /manga/SERIES/cover.EXT (issue 51): a
cbz's, a cb7's and a cbr's pages are files 0001.EXT ... in natural order, each
byte for byte the archive's entry, with a stat size that is what a read
gives; the series' cover is its first volume's first page, and the
catalog's series entries link to it; a cbt, a PDF
and an EPUB have no pages folder. An archive with a 10 GB entry, a path
out of it or a link lists its other pages and leaves the other volumes
alone, and the scan names it among its errors (metrics/scans.json) and in
the log; so with an archive past the entries' limit, which has no
pages. A user who may not read a volume, or list its series, finds no
trace of its pages."""

import errno
import json
import os
import struct
import zipfile
import zlib

import pytest

from conftest import start, unmount
from test_opds import (IMAGE, THUMBNAIL, links, make_library, validate,
                       world)  # noqa: F401 (a fixture)
from test_opds_scan import ORDER, PAGES, make_volumes

PAGE_NAMES = ["0001.jpg", "0002.jpg", "0003.jpg", "0004.png"]


def pages_folders(m, series):
    return sorted(n for n in os.listdir(m.file("manga/" + series))
                  if n.endswith(".pages"))


def read_with_stat(path):
    """The bytes of path, its size as stat() and fstat() say it."""
    size = os.stat(path).st_size
    with open(path, "rb") as f:
        data = f.read()
        assert os.fstat(f.fileno()).st_size == len(data)
    return data, size


def rar4(path, entries):
    """A RAR 4 archive of stored entries, written by hand after RARLAB's
    technote (Debian has no rar to make one): the marker block, the
    archive header, a file header (HEAD_FLAGS 0x8000, method 0x30
    "store", host OS 3 with the Unix mode as attributes) before each
    entry's bytes, and the end block; each header's CRC is the low 16
    bits of the CRC-32 of its bytes from HEAD_TYPE on."""
    def block(head_type, flags, body):
        rest = struct.pack("<BHH", head_type, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(rest) & 0xFFFF) + rest
    out = b"Rar!\x1a\x07\x00" + block(0x73, 0, struct.pack("<HI", 0, 0))
    for name, data in entries:
        name = name.encode()
        out += block(0x74, 0x8000, struct.pack(
            "<IIBIIBBHI", len(data), len(data), 3, zlib.crc32(data),
            0x5A210000, 29, 0x30, len(name), 0o100644) + name) + data
    out += block(0x7B, 0x4000, b"")
    with open(path, "wb") as f:
        f.write(out)


@pytest.fixture
def manga(tmp_path):
    root = str(tmp_path / "manga")
    make_volumes(root)
    # a cbr of the same pages but the one out of the archive
    rar4(os.path.join(root, "Read", "Read v06.cbr"),
         [(n, d) for n, d in PAGES if not n.startswith("..")])
    m = start(tmp_path, "manga=" + root)
    m.root = root
    yield m
    unmount(m.path, m.proc)


def test_pages_are_files_in_natural_order(manga):
    m = manga
    names = os.listdir(m.file("manga/Read"))
    folders = pages_folders(m, "Read")
    # the cbz, the cb7 and the cbr; no cbt, PDF or EPUB
    assert len(folders) == 3, names
    assert sorted(f.rsplit(".", 2)[1] for f in folders) == \
        ["cb7", "cbr", "cbz"]
    for folder in folders:
        rel = "manga/Read/" + folder
        assert sorted(os.listdir(m.file(rel))) == PAGE_NAMES
        assert os.stat(m.file(rel)).st_mode & 0o777 == 0o555
        for name, want in zip(PAGE_NAMES, ORDER):
            data, size = read_with_stat(m.file(rel + "/" + name))
            assert data == want and size == len(want), (folder, name)
        # names the listing does not give find nothing
        for bad in ["0005.jpg", "0000.jpg", "1.jpg", "00001.jpg",
                    "0001.png", "0001.JPG", "0004.jpg",
                    "0001"]:
            with pytest.raises(FileNotFoundError):
                os.stat(m.file(rel + "/" + bad))
    # byte for byte the cbz's own entries
    cbz = [f for f in folders if ".cbz." in f][0]
    with zipfile.ZipFile(os.path.join(m.root, "Read", "Read v01.cbz")) as z:
        for name, entry in zip(PAGE_NAMES, ["p1.jpg", "p2.jpg", "p10.jpg",
                                            "sub/p3.png"]):
            assert m.read("manga/Read/%s/%s" % (cbz, name)) == \
                z.read(entry)
    # the series' cover: the first page of its first volume
    assert "cover.jpg" in names
    data, size = read_with_stat(m.file("manga/Read/cover.jpg"))
    assert data == ORDER[0] and size == len(data)
    for bad in ["cover.png", "cover.jpeg", "cover", "x.cbz.pages",
                ".pages", "Read v03.pdf.pages"]:
        with pytest.raises(FileNotFoundError):
            os.stat(m.file("manga/Read/" + bad))
    # the catalog's series entries link to the same cover
    for feed in ["series.xml", "updated.xml"]:
        validate(m.file("opds/" + feed))
        (_, href, kind, _), = links(m.read("opds/" + feed), IMAGE)
        assert kind == "image/jpeg"
        assert [ln[1:] for ln in links(m.read("opds/" + feed),
                                       THUMBNAIL)] == [(href, kind, None)]
        assert m.read("opds/" + href) == ORDER[0]


def zip64(path, entries):
    """A zip64 archive of stored entries, written by hand: an entry whose
    data is an int is that many bytes of a hole (a sparse file), so that
    a 10 GB entry takes no room."""
    central = b""
    with open(path, "wb") as f:
        for name, data in entries:
            name = name.encode()
            size = data if isinstance(data, int) else len(data)
            crc = 0 if isinstance(data, int) else zlib.crc32(data)
            offset = f.tell()
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034b50, 45, 0, 0, 0,
                                0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                                len(name), 20) + name +
                    struct.pack("<HHQQ", 1, 16, size, size))
            if isinstance(data, int):
                f.seek(size, os.SEEK_CUR)
            else:
                f.write(data)
            central += struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014b50, (3 << 8) | 45, 45, 0, 0,
                0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), 28, 0, 0,
                0, 0o100644 << 16, 0xFFFFFFFF) + name + \
                struct.pack("<HHQQQ", 1, 24, size, size, offset)
        start_cd = f.tell()
        f.write(central)
        end = f.tell()
        n = len(entries)
        f.write(struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0, n,
                            n, len(central), start_cd))
        f.write(struct.pack("<IIQI", 0x07064b50, 0, end, 1))
        f.write(struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, n, n,
                            len(central), 0xFFFFFFFF, 0))


def test_hostile_entries_touch_that_volume_alone(tmp_path):
    root = tmp_path / "manga"
    (root / "Bad").mkdir(parents=True)
    zip64(str(root / "Bad" / "Bad v01.cbz"),
          [("0.jpg", 10 << 30), ("1.jpg", b"\xff\xd8 after the giant")])
    with zipfile.ZipFile(str(root / "Bad" / "Bad v02.cbz"), "w") as z:
        z.writestr("../0.jpg", b"\xff\xd8 out of the archive")
        z.writestr("a/../../0.jpg", b"\xff\xd8 out again")
        z.writestr("1.jpg", b"\xff\xd8 inside")
    with zipfile.ZipFile(str(root / "Bad" / "Bad v03.cbz"), "w") as z:
        z.writestr("1.jpg", b"\xff\xd8 a plain volume")
    assert os.stat(str(root / "Bad" / "Bad v01.cbz")).st_size > 10 << 30
    m = start(tmp_path, "manga=" + str(root))
    try:
        folders = pages_folders(m, "Bad")
        assert len(folders) == 3, folders
        want = [b"\xff\xd8 after the giant", b"\xff\xd8 inside",
                b"\xff\xd8 a plain volume"]
        for folder, page in zip(folders, want):
            rel = "manga/Bad/" + folder
            assert os.listdir(m.file(rel)) == ["0001.jpg"], folder
            data, size = read_with_stat(m.file(rel + "/0001.jpg"))
            assert data == page and size == len(page)
            with pytest.raises(FileNotFoundError):
                os.stat(m.file(rel + "/0002.jpg"))
        assert m.read("manga/Bad/cover.jpg") == want[0]
        # the scan says which volumes have entries it refused, and why
        errors = {e["path"]: e["error"] for e in
                  m.json("metrics/scans.json")["scans"][0]["first_errors"]}
        assert sorted(errors) == [str(root / "Bad" / "Bad v01.cbz"),
                                  str(root / "Bad" / "Bad v02.cbz")], errors
        assert errors[str(root / "Bad" / "Bad v01.cbz")] == \
            "entries refused as pages: 1 (a link, a path out of the" \
            " archive or past 32 MiB)"
        assert errors[str(root / "Bad" / "Bad v02.cbz")].startswith(
            "entries refused as pages: 2 ")
        with open(str(tmp_path / "mediamon.log")) as f:
            log = f.read()
        assert "Bad v02.cbz: entries refused as pages: 2 (" in log
        assert "Bad v03.cbz" not in log
    finally:
        unmount(m.path, m.proc)


def test_too_many_entries_leave_that_volume_alone(tmp_path):
    """An archive past PAGES_MAX_ENTRIES entries is not read: it has no
    pages folder, and the volume beside it has its own."""
    root = tmp_path / "manga"
    (root / "Many").mkdir(parents=True)
    with zipfile.ZipFile(str(root / "Many" / "Many v01.cbz"), "w") as z:
        z.writestr("0001.jpg", b"\xff\xd8 the cover")
        for i in range(10001):
            z.writestr("x%05d.txt" % i, b"")
    with zipfile.ZipFile(str(root / "Many" / "Many v02.cbz"), "w") as z:
        z.writestr("0001.jpg", b"\xff\xd8 the next one")
    m = start(tmp_path, "manga=" + str(root))
    try:
        folder, = pages_folders(m, "Many")
        assert "v02" in folder or "002" in folder, folder
        assert m.read("manga/Many/%s/0001.jpg" % folder) == \
            b"\xff\xd8 the next one"
        assert m.read("manga/Many/cover.jpg") == b"\xff\xd8 the next one"
        errors = m.json("metrics/scans.json")["scans"][0]["first_errors"]
        assert errors == [{"path": str(root / "Many" / "Many v01.cbz"),
                           "error": "pages not read: more than 10000"
                           " entries"}]
    finally:
        unmount(m.path, m.proc)


WALK = r"""
import json, os, sys
top, names = sys.argv[1], sys.argv[2:]
out = {"manga": sorted(os.listdir(os.path.join(top, "manga")))}
for rel in names:
    path = os.path.join(top, rel)
    try:
        if os.path.isdir(path):
            out[rel] = sorted(os.listdir(path))
        else:
            with open(path, "rb") as f:
                out[rel] = [f.read().decode("latin-1"), os.stat(path).st_size]
    except OSError as e:
        out[rel] = e.errno
print(json.dumps(out))
"""


def test_another_user_sees_no_pages_it_may_not_read(world):  # noqa: F811
    from access_users import drop_user, make_user
    import pathlib

    root = os.path.join(world, "manga")
    make_library(root, {"Secret Stash": ["Secret Stash T01.cbz"],
                        "Open Shelf": []})
    for n in (1, 2):
        with zipfile.ZipFile(os.path.join(
                root, "Open Shelf", "Open Shelf T%02d.cbz" % n), "w") as z:
            z.writestr("1.jpg", b"\xff\xd8 open %d" % n)
    os.chmod(os.path.join(root, "Secret Stash"), 0o700)
    os.chmod(os.path.join(root, "Open Shelf", "Open Shelf T01.cbz"), 0o600)
    user = make_user()
    m = start(pathlib.Path(world), "allow_other", "manga=" + root)
    try:
        secret, = pages_folders(m, "Secret Stash")
        closed, opened = pages_folders(m, "Open Shelf")
        assert m.read("manga/Open Shelf/cover.jpg") == b"\xff\xd8 open 1"
        rels = ["manga/Open Shelf", "manga/Secret Stash/" + secret,
                "manga/Secret Stash/%s/0001.jpg" % secret,
                "manga/Secret Stash/cover.jpg",
                "manga/Open Shelf/" + closed,
                "manga/Open Shelf/%s/0001.jpg" % closed,
                "manga/Open Shelf/" + opened,
                "manga/Open Shelf/%s/0001.jpg" % opened,
                "manga/Open Shelf/cover.jpg"]
        out = user.run("/usr/bin/python3", "-c", WALK, m.path, *rels)
        assert out.returncode == 0, out
        seen = json.loads(out.stdout)
        assert seen["manga"] == ["Open Shelf"]
        for rel in rels[1:6]:
            assert seen[rel] == errno.ENOENT, rel
        assert [n for n in seen["manga/Open Shelf"]
                if n.endswith(".pages")] == [opened]
        assert seen["manga/Open Shelf/" + opened] == ["0001.jpg"]
        page = "\xff\xd8 open 2"
        assert seen["manga/Open Shelf/%s/0001.jpg" % opened] == \
            [page, len(page)]
        # the series' cover is the first volume the user may read
        assert seen["manga/Open Shelf/cover.jpg"] == [page, len(page)]
    finally:
        unmount(m.path, m.proc)
        drop_user(user)
