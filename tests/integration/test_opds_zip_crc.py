# SPDX-License-Identifier: GPL-3.0-or-later
"""A folder volume's generated .cbz takes its images' CRC-32 from the
store, where the scan put them as it read the folder, never reading an
image for it on the request's thread (issue 76). Seen without timing: an
image rewritten in place with other bytes of its size and its mtime put
back is the same file to the scan, and the zip's central directory (its
tail, read first as readers do) still holds the CRC-32 of the bytes the
scan read. An image changed since the scan (its mtime) makes the open
fail with EAGAIN, logged once, and asks for the folder's scan, after
which the zip is whole again with the new image's CRC-32. A store of the
version before has its manga images read again by its first scan; an
image with no CRC-32 kept (whatever the reason) makes the open fail with
EAGAIN and asks for the folder's scan, every image read again."""

import errno
import os
import sqlite3
import zipfile
import zlib

import pytest

from conftest import start, unmount, wait_for

BOOK = "opds/files/Big/Big Volume 001.cbz"
IMAGES = 300


def make_images(folder):
    os.makedirs(folder)
    for i in range(IMAGES):
        with open(os.path.join(folder, "%04d.jpg" % i), "wb") as f:
            f.write(b"\xff\xd8\xff\xe0 page %04d " % i + os.urandom(2000))


def mount(tmp_path, root):
    """The daemon on root, its watcher slow (a minute) so that a change
    is seen by no scan but one asked for."""
    conf = tmp_path / "c.conf"
    conf.write_text("[general]\nwatch_debounce = 60s\n[manga]\nroot = %s\n"
                    % root)
    m = start(tmp_path, "config=" + str(conf))
    wait_for(lambda: m.read("opds/series/Big.xml"), 60, "the volume",
             mount=m, ignore=(FileNotFoundError,),
             until=lambda d: b"<entry>" in d)
    return m


def tail(m):
    """The zip's central directory and end, read first, then the rest."""
    with open(m.file(BOOK), "rb") as f:
        # the open file's size: a scan may change the zip between a
        # stat of its path and its open
        size = os.fstat(f.fileno()).st_size
        f.seek(size - IMAGES * 70)
        end = f.read()
        f.seek(0)
        return f.read(size - len(end)) + end


def crcs(data, into):
    """{name: CRC-32 the central directory says} of the zip data."""
    into.write_bytes(data)
    with zipfile.ZipFile(str(into)) as z:
        return {i.filename: i.CRC for i in z.infolist()}


def rewrite(page, data):
    """page's bytes rewritten in place with data, of its size, its mtime
    put back: the same file to the scan."""
    st = os.stat(str(page))
    assert len(data) == st.st_size
    with open(str(page), "r+b") as f:
        f.write(data)
    os.utime(str(page), ns=(st.st_atime_ns, st.st_mtime_ns))


def test_crcs_are_the_scans(tmp_path):
    root = tmp_path / "manga"
    folder = root / "Big" / "Big T01"
    make_images(str(folder))
    m = mount(tmp_path, root)
    try:
        # other bytes before the zip is ever read: its CRC-32 is the scan's
        page = folder / "0150.jpg"
        old = page.read_bytes()
        new = old[:20] + os.urandom(len(old) - 20)
        rewrite(page, new)
        got = crcs(tail(m), tmp_path / "b.cbz")
        assert got["0150.jpg"] == zlib.crc32(old) != zlib.crc32(new)
        assert got["0149.jpg"] == zlib.crc32(
            (folder / "0149.jpg").read_bytes())
        # a scan finds the same file: the same CRC-32 still
        m.rescan()
        assert crcs(tail(m), tmp_path / "b.cbz") == got
        # the bytes back, the zip is whole
        rewrite(page, old)
        copy = tmp_path / "a.cbz"
        copy.write_bytes(tail(m))
        with zipfile.ZipFile(str(copy)) as z:
            assert z.testzip() is None
            assert len(z.namelist()) == IMAGES
    finally:
        unmount(m.path, m.proc)


def read_once(tmp_path):
    """The manga root, its folder volume and the daemon on it, the
    volume's zip read once: (root, folder, the mount)."""
    root = tmp_path / "manga"
    folder = root / "Big" / "Big T01"
    make_images(str(folder))
    m = mount(tmp_path, root)
    try:
        tail(m)
    except BaseException:
        unmount(m.path, m.proc)
        raise
    return root, folder, m


def test_changed_image_refused_until_scanned(tmp_path):
    root, folder, m = read_once(tmp_path)
    try:
        page = folder / "0007.jpg"
        new = b"\xff\xd8\xff\xe0 redrawn " + os.urandom(3000)
        page.write_bytes(new)
        st = os.stat(str(page))
        os.utime(str(page), ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
        told = "changed since it was scanned: its .cbz waits for its scan"
        # no scan but the one the refusal asks for comes within a minute
        with pytest.raises(OSError) as refused:
            tail(m)
        assert refused.value.errno == errno.EAGAIN
        wait_for(lambda: told in m.read("log").decode(), 30,
                 "the refusal logged", mount=m)
        assert m.read("log").decode().count(told) == 1
        data = wait_for(lambda: tail(m), 60, "the zip scanned again",
                        mount=m, ignore=(OSError,))
        copy = tmp_path / "c.cbz"
        copy.write_bytes(data)
        with zipfile.ZipFile(str(copy)) as z:
            assert z.testzip() is None
            assert z.read("0007.jpg") == new
            assert z.getinfo("0007.jpg").CRC == zlib.crc32(new)
    finally:
        unmount(m.path, m.proc)


def test_older_store_read_again(tmp_path):
    """A store of the version before the CRC-32s (the column gone, the
    version one less): its first scan reads the images, and the zip is
    served at once."""
    root = tmp_path / "manga"
    make_images(str(root / "Big" / "Big T01"))
    m = mount(tmp_path, root)
    unmount(m.path, m.proc)
    db = sqlite3.connect(m.db)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    db.executescript("ALTER TABLE files DROP COLUMN crc;"
                     " PRAGMA user_version = %d;" % (version - 1))
    db.close()
    m = mount(tmp_path, root)
    try:
        # read by the first scan, not refused for want of them
        copy = tmp_path / "d.cbz"
        copy.write_bytes(tail(m))
        with zipfile.ZipFile(str(copy)) as z:
            assert z.testzip() is None
        assert "CRC-32 is not read yet" not in m.read("log").decode()
    finally:
        unmount(m.path, m.proc)


def test_missing_crc_refused_until_read(tmp_path):
    """An image whose CRC-32 the store lacks, its size and mtime those of
    the file (so no scan reads it again of itself): the open fails with
    EAGAIN, logged once, and the folder's scan it asks for reads every
    image again; the zip is whole then."""
    root = tmp_path / "manga"
    make_images(str(root / "Big" / "Big T01"))
    m = mount(tmp_path, root)
    unmount(m.path, m.proc)
    db = sqlite3.connect(m.db)
    assert db.execute("UPDATE files SET crc = NULL WHERE"
                      " CAST(name AS TEXT) = '0003.jpg'").rowcount == 1
    db.commit()
    db.close()
    m = mount(tmp_path, root)
    try:
        with pytest.raises(OSError) as refused:
            tail(m)
        assert refused.value.errno == errno.EAGAIN
        told = "has images whose CRC-32 is not read yet"
        assert m.read("log").decode().count(told) == 1
        copy = tmp_path / "e.cbz"
        copy.write_bytes(wait_for(lambda: tail(m), 60, "the zip", mount=m,
                                  ignore=(OSError,)))
        with zipfile.ZipFile(str(copy)) as z:
            assert z.testzip() is None
        assert m.read("log").decode().count(told) == 1
    finally:
        unmount(m.path, m.proc)


def whole_or_refused(m, into):
    """The zip read at once: None when its open fails with EAGAIN, else
    {name: bytes}, every entry's CRC-32 checked (testzip)."""
    try:
        data = tail(m)
    except OSError as e:
        assert e.errno == errno.EAGAIN
        return None
    into.write_bytes(data)
    with zipfile.ZipFile(str(into)) as z:
        assert z.testzip() is None
        return {n: z.read(n) for n in z.namelist()}


def test_image_renamed_into_the_folder(tmp_path):
    """An image renamed into a folder volume (issue 76): over one of its
    images, with that one's size and mtime (another inode), or under a
    new name after a scan of the folder that was not whole; the .cbz read
    at once (the watcher a minute away) is refused or whole, never an
    entry whose CRC-32 is not its bytes'; its scan makes it whole."""
    root, folder, m = read_once(tmp_path)
    try:
        page = folder / "0008.jpg"
        st = os.stat(str(page))
        new = page.read_bytes()[:20] + os.urandom(st.st_size - 20)
        aside = root / "Big" / "aside.jpg"
        aside.write_bytes(new)
        os.utime(str(aside), ns=(st.st_atime_ns, st.st_mtime_ns))
        os.rename(str(aside), str(page))
        assert whole_or_refused(m, tmp_path / "f.cbz") is None
        got = wait_for(lambda: whole_or_refused(m, tmp_path / "f.cbz"),
                       60, "the folder scanned again", mount=m)
        assert got["0008.jpg"] == new
        # an image the store keeps elsewhere, renamed in under a new name
        aside.write_bytes(b"\xff\xd8\xff\xe0 moved " + os.urandom(2500))
        m.rescan()
        os.rename(str(aside), str(folder / "0300.jpg"))
        m.rescan()
        got = whole_or_refused(m, tmp_path / "g.cbz")
        got = got or wait_for(lambda: whole_or_refused(
            m, tmp_path / "g.cbz"), 60, "the folder scanned", mount=m)
        assert got["0300.jpg"] == (folder / "0300.jpg").read_bytes()
    finally:
        unmount(m.path, m.proc)
