# SPDX-License-Identifier: GPL-3.0-or-later
"""/opds learns at scan time what it says of a volume archive (issue 51):
a feed names each cover's format from the store and opens no archive,
however many volumes it lists (strace on the daemon sees no volume
opened while the feeds are read, and sees one when a cover is); the
covers still answer with the bytes and type the feed announced."""

import os
import signal
import subprocess
import zipfile

from clients import need
from conftest import start, unmount, wait_for
from test_opds import ACQUISITION, IMAGE, links, validate

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
    opens; it says on its stderr when it has attached to them all."""

    def __init__(self, pid, log):
        self.log = log
        self.err = open(log + ".err", "w+b")
        self.proc = subprocess.Popen(
            [need("strace"), "-f", "-e", "trace=open,openat,openat2", "-o", log,
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

