# SPDX-License-Identifier: GPL-3.0-or-later
"""/opds learns at scan time what it says of a volume archive (issue 51):
a feed names each cover's format from the store and opens no archive,
however many volumes it lists (strace on the daemon sees no volume
opened while the feeds are read, and sees one when a cover is); the
covers still answer with the bytes and type the feed announced. A
cbz, cbr or cb7 volume's pages stream (OPDS-PSE): served by
`python3 -m http.server`, its feed's template gives pages 0 to
pse:count - 1 in natural order, and a number past them is a 404."""

import os
import re
import signal
import subprocess
import urllib.error
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile

import pytest

from clients import free_port, need
from conftest import start, unmount, wait_for
from test_opds import (ACQUISITION, ATOM, IMAGE, PSE_COUNT, STREAM, fetch,
                       links, validate)


VOLUMES = 40
KINDS = [(".jpg", b"\xff\xd8\xff\xe0", "image/jpeg"),
         (".png", b"\x89PNG\r\n\x1a\n", "image/png"),
         (".webp", b"RIFF\0\0\0\0WEBP", "image/webp")]


def cover_of(i):
    """The first page of volume i: its name, bytes and media type."""
    ext, magic, kind = KINDS[i % len(KINDS)]
    return "01" + ext, magic + b" cover of volume %d" % i, kind


def make_series(root, name, n):
    os.makedirs(os.path.join(root, name))
    for i in range(1, n + 1):
        page, data, _ = cover_of(i)
        with zipfile.ZipFile(os.path.join(root, name, "%s v%03d.cbz" % (
                name, i)), "w") as z:
            z.writestr("10" + page[2:], b"not the cover")
            z.writestr(page, data)


class Trace:
    """strace following every thread of the daemon, for the files it
    opens (or the calls named); it says on its stderr when it has
    attached to them all."""

    def __init__(self, pid, log, calls="open,openat,openat2"):
        self.log = log
        self.err = open(log + ".err", "w+b")
        self.proc = subprocess.Popen(
            [need("strace"), "-f", "-e", "trace=" + calls, "-o", log,
             "-p", str(pid)],
            stdout=subprocess.DEVNULL, stderr=self.err)

    def wait_attached(self):
        def attached():
            self.err.seek(0)
            return b"attached" in self.err.read() or \
                self.proc.poll() is not None
        wait_for(attached, 30, "strace attached to the daemon")
        assert self.proc.poll() is None, open(self.err.name).read()

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)
        self.err.close()
        with open(self.log, "rb") as f:
            return f.read()


def test_feeds_open_no_archive(tmp_path):
    root = str(tmp_path / "manga")
    make_series(root, "Many", VOLUMES)
    m = start(tmp_path, "manga=" + root)
    trace = None
    try:
        trace = Trace(m.proc.pid, str(tmp_path / "strace.log"))
        trace.wait_attached()
        feeds = ["opds/catalog.xml", "opds/series.xml", "opds/recent.xml",
                 "opds/updated.xml", "opds/series/Many.xml"]
        data = {f: m.read(f) for f in feeds}
        seen = trace.stop()
        trace = None
        assert b".cbz" not in seen
        for f in feeds:
            validate(m.file(f))
        series = data["opds/series/Many.xml"]
        assert len(links(series, ACQUISITION)) == VOLUMES
        images = links(series, IMAGE)
        assert len(images) == VOLUMES
        assert len(links(data["opds/recent.xml"], IMAGE)) == VOLUMES

        # the trace sees a volume opened: reading a cover opens it
        trace = Trace(m.proc.pid, str(tmp_path / "strace2.log"))
        trace.wait_attached()
        m.read("opds/series/" + images[0][1])
        seen = trace.stop()
        trace = None
        assert b"Many v001.cbz" in seen
        for i, (_, href, kind, _) in enumerate(images, 1):
            page, cover, want = cover_of(i)
            assert kind == want and href.endswith(page[2:])
            assert m.read("opds/series/" + href) == cover
    finally:
        if trace:
            trace.stop()
        unmount(m.path, m.proc)


def test_a_volume_changed_is_read_again(tmp_path):
    """The cover's format follows the archive as the scan reads it
    again; an archive that lost its pages loses its cover link."""
    root = str(tmp_path / "manga")
    make_series(root, "One", 1)
    m = start(tmp_path, "manga=" + root)
    try:
        path = os.path.join(root, "One", "One v001.cbz")
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("a/001.gif", b"GIF89a the new cover")
        st = os.stat(path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10 ** 9))
        m.rescan()
        (_, href, kind, _), = links(m.read("opds/series/One.xml"), IMAGE)
        assert kind == "image/gif" and href.endswith(".gif")
        assert m.read("opds/series/" + href) == b"GIF89a the new cover"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("notes.txt", b"no page here")
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2 * 10 ** 9))
        m.rescan()
        data = m.read("opds/series/One.xml")
        assert len(links(data, ACQUISITION)) == 1
        assert links(data, IMAGE) == []
    finally:
        unmount(m.path, m.proc)



def walks(seen, archive):
    """How many times the trace seen opened the zip archive, and how many
    times it walked it: each walk reads its central directory (an
    entry's header there starts "PK\\1\\2") once."""
    fds = set(re.findall(rb'openat2?\([^"]*"[^"]*%s", .*\) += (\d+)'
                         % re.escape(archive), seen))
    cds = sum(len(re.findall(rb'pread64\(%s, "PK\\1\\2' % fd, seen))
              for fd in fds)
    opens = sum(len(re.findall(rb'openat2?\([^"]*"[^"]*%s", .*\) += %s\n'
                               % (re.escape(archive), fd), seen))
                for fd in fds)
    return opens, cds


def test_a_page_is_read_in_one_walk(tmp_path):
    """A cover or a page of a volume is read in one walk of the archive
    that ends at it, whatever order the archive stores its pages in; the
    archive's index of pages (issue 60) takes at most one more walk, the
    first time the archive is read, not each time."""
    root = str(tmp_path / "manga")
    os.makedirs(os.path.join(root, "Walk"))
    pages = [("p%02d.jpg" % i, b"\xff\xd8 page %d" % i) for i in range(1, 6)]
    for name, stored in [("Walk v01.cbz", pages),
                         ("Walk v02.cbz", pages[::-1])]:
        with zipfile.ZipFile(os.path.join(root, "Walk", name), "w") as z:
            for page, data in stored:
                z.writestr(page, data)
    m = start(tmp_path, "manga=" + root)
    try:
        feed = m.read("opds/series/Walk.xml")
        covers = [href for _, href, _, _ in links(feed, IMAGE)]
        streams = [href for _, href, _, _ in stream_links(feed)]
        assert len(covers) == len(streams) == 2
        for i, (cover, stream) in enumerate(zip(covers, streams)):
            archive = b"Walk v%02d.cbz" % (i + 1)
            trace = Trace(m.proc.pid, str(tmp_path / ("strace%d.log" % i)),
                          "openat,openat2,pread64")
            try:
                trace.wait_attached()
                got = m.read("opds/series/" + cover)
            finally:
                seen = trace.stop()
            assert got == pages[0][1]
            opens, cds = walks(seen, archive)
            # the index's walk is this read's unless the scan's own look
            # at the archive came first
            assert opens and 1 <= cds <= 2, seen
            volume = stream.split("/")[2]
            for n in (0, 3):
                trace = Trace(m.proc.pid, str(tmp_path / (
                    "strace%d-%d.log" % (i, n))), "openat,openat2,pread64")
                try:
                    trace.wait_attached()
                    got = m.read("opds/pages/%s/%d" % (volume, n))
                finally:
                    seen = trace.stop()
                assert got == pages[n][1]
                opens, cds = walks(seen, archive)
                assert opens and cds == 1, seen
    finally:
        unmount(m.path, m.proc)


# A volume's entries as written, and its pages in natural order: a path
# out of the archive, a link and ComicInfo.xml are no pages.
PAGES = [("p10.jpg", b"\xff\xd8 ten"), ("p2.jpg", b"\xff\xd8 two"),
         ("ComicInfo.xml", b"<ComicInfo/>"), ("../p0.jpg", b"\xff\xd8 out"),
         ("p1.jpg", b"\xff\xd8 one"), ("sub/p3.png", b"\x89PNG three")]
ORDER = [b"\xff\xd8 one", b"\xff\xd8 two", b"\xff\xd8 ten",
         b"\x89PNG three"]


def make_volumes(root):
    os.makedirs(os.path.join(root, "Read"))
    with zipfile.ZipFile(os.path.join(root, "Read", "Read v01.cbz"),
                         "w") as z:
        for name, data in PAGES:
            z.writestr(zipfile.ZipInfo(name), data)
        link = zipfile.ZipInfo("p0.jpg")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        z.writestr(link, "p1.jpg")
    # a cb7 of the same pages, made by 7z from a folder
    src = os.path.join(root, "..", "cb7")
    for name, data in PAGES:
        if name.startswith(".."):
            continue
        os.makedirs(os.path.dirname(os.path.join(src, name)), exist_ok=True)
        with open(os.path.join(src, name), "wb") as f:
            f.write(data)
    subprocess.run([need("7z"), "a", "-t7z", "-bd", "-y", os.path.abspath(
        os.path.join(root, "Read", "Read v02.cb7")), "."], cwd=src,
        check=True, stdout=subprocess.DEVNULL, timeout=60)
    # a cbt streams no page (it has a cover); a PDF has neither
    subprocess.run(["tar", "-cf", os.path.abspath(os.path.join(
        root, "Read", "Read v04.cbt")), "."], cwd=src, check=True,
        timeout=60)
    with open(os.path.join(root, "Read", "Read v03.pdf"), "wb") as f:
        f.write(b"%PDF-1.4 not much")
    # an EPUB's images are no pages: neither cover nor stream
    with zipfile.ZipFile(os.path.join(root, "Read", "Read v05.epub"),
                         "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("OEBPS/images/01.jpg", b"\xff\xd8 an illustration")


@pytest.fixture
def served(tmp_path):
    root = str(tmp_path / "manga")
    make_volumes(root)
    m = start(tmp_path, "manga=" + root)
    port = free_port()
    server = subprocess.Popen(
        ["/usr/bin/python3", "-m", "http.server", str(port), "--bind",
         "127.0.0.1", "--directory", m.path],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:%d/" % port

    def up():
        try:
            return fetch(base + "README") is not None
        except OSError:
            return False
    try:
        wait_for(up, 15, "http.server on port %d" % port)
        yield m, base
    finally:
        server.terminate()
        server.wait(timeout=30)
        unmount(m.path, m.proc)


def stream_links(data):
    """(title, href, type, count) of every stream link of the entries."""
    root = ET.fromstring(data)
    return [(e.find(ATOM + "title").text, ln.get("href"), ln.get("type"),
             ln.get(PSE_COUNT))
            for e in root.iter(ATOM + "entry") for ln in e.iter(ATOM + "link")
            if ln.get("rel") == STREAM]


def test_pages_stream_in_natural_order(served):
    m, base = served
    feed = base + "opds/series/Read.xml"
    validate(m.file("opds/series/Read.xml"))
    validate(m.file("opds/recent.xml"))
    streams = stream_links(fetch(feed))
    assert [s[0] for s in streams] == ["Read, volume 1", "Read, volume 2"]
    assert len(links(fetch(feed), ACQUISITION)) == 5
    assert len(links(fetch(feed), IMAGE)) == 3
    for _, href, kind, count in streams:
        assert kind == "image/jpeg" and count == str(len(ORDER))
        assert "{pageNumber}" in href and "{maxWidth}" in href
        pages = [fetch(urllib.parse.urljoin(feed, href.replace(
            "{pageNumber}", str(n)).replace("{maxWidth}", "800")))
            for n in range(len(ORDER))]
        assert pages == ORDER
        for bad in [str(len(ORDER)), "01", "-1", "99999", "x"]:
            with pytest.raises(urllib.error.HTTPError) as e:
                fetch(urllib.parse.urljoin(feed, href.replace(
                    "{pageNumber}", bad).replace("{maxWidth}", "800")))
            assert e.value.code == 404, bad
    assert len(stream_links(fetch(base + "opds/recent.xml"))) == 2
    # the folders list nothing; a page is found by its number alone
    assert os.listdir(m.file("opds/pages")) == []
    href = streams[0][1]
    volume = href.split("/")[2]
    assert os.listdir(m.file("opds/pages/" + volume)) == []
    assert m.read("opds/pages/%s/0" % volume) == ORDER[0]
    for bad in ["0", "01", "99999999999999999999", volume + "x"]:
        with pytest.raises(FileNotFoundError):
            os.stat(m.file("opds/pages/%s/0" % bad))
