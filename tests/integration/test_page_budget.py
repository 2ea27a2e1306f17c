# SPDX-License-Identifier: GPL-3.0-or-later
"""The pages of /manga/SERIES/VOLUME.pages are read within the scan's
budget (issue 60, medium 2). A solid cb7 whose content is changed behind a
hard link (no rescan) into pages whose walk would unpack far more than
64 MiB fails the listing (the folder's mtime is the archive's: the kernel
lists it again), stat and open of its pages with EFBIG ("File too
large"), at once, with one line in the log for that change, while the
volume beside it reads on, and a cb7 within the budget serves its last
page byte for byte. A cbz of a few thousand pages lists them with their
sizes and the archive's own mtime from one reading of its index (not one
walk per page's stat), tar finds no page "changed as we read it" (issue
63), and a change of the archive in place shows in the sizes and the
listing at once. The archives are made here by Python's zipfile and
Debian's 7z."""

import errno
import os
import shutil
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import start, unmount, wait_for

MIB = 1 << 20
HEAD = b"\xff\xd8\xff\xe0"


def need(program):
    path = shutil.which(program)
    if not path:
        pytest.skip("%s is not installed (contrib/install-deps.sh)" % program)
    return path


def cb7(path, src, pages):
    """A solid 7z (7z's default) at path of pages, (name, size) each: a
    JPEG head and zeros (sparse files 7z packs to almost nothing)."""
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    for name, size in pages:
        with open(os.path.join(src, name), "wb") as f:
            f.write(HEAD)
            f.truncate(size)
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run([need("7z"), "a", "-t7z", "-mx=1", "-ms=on", "-bd", "-y",
                    os.path.abspath(path), "."], cwd=src, check=True,
                   stdout=subprocess.DEVNULL, timeout=300)


def folder_of(m, series, number):
    """The pages folder of volume number of series (named by the view
    as "Volume 001.cbz.pages")."""
    def find():
        try:
            names = os.listdir(m.file("manga/" + series))
        except OSError:
            return None
        return [n for n in names if " %03d." % number in n and
                n.endswith(".pages")]
    return wait_for(find, 60, "the pages folder of volume %d" % number,
                    mount=m)[0]


def raises(errnum, fn, *args):
    with pytest.raises(OSError) as e:
        fn(*args)
    assert e.value.errno == errnum, e.value


def read(path):
    with open(path, "rb") as f:
        return f.read()


def test_solid_archive_changed_behind_a_hard_link(tmp_path):
    root = tmp_path / "manga"
    series = root / "Solid"
    series.mkdir(parents=True)
    work = tmp_path / "work"
    work.mkdir()
    small = [("%02d.jpg" % i, 4096) for i in range(1, 4)]
    cb7(str(series / "Solid v01.cb7"), str(work / "a"), small)
    # within the budget: three pages of 20 MiB, 60 MiB to walk
    cb7(str(series / "Solid v02.cb7"), str(work / "b"),
        [("%02d.jpg" % i, 20 * MIB) for i in range(1, 4)])
    with zipfile.ZipFile(str(series / "Solid v03.cbz"), "w") as z:
        z.writestr("01.jpg", HEAD + b" beside it")
    # the hard link the content is changed through, out of the roots
    os.link(str(series / "Solid v01.cb7"), str(work / "link.cb7"))
    m = start(tmp_path, "manga=" + str(root))
    try:
        v1 = m.file("manga/Solid/" + folder_of(m, "Solid", 1))
        v2 = m.file("manga/Solid/" + folder_of(m, "Solid", 2))
        v3 = m.file("manga/Solid/" + folder_of(m, "Solid", 3))
        assert sorted(os.listdir(v1)) == ["0001.jpg", "0002.jpg",
                                          "0003.jpg"]
        assert os.stat(v1 + "/0002.jpg").st_size == 4096
        # 12 pages of 31 MiB, one solid stream of 372 MiB, written into
        # the volume's own inode through the link: no rescan sees it
        cb7(str(work / "big.cb7"), str(work / "c"),
            [("%02d.jpg" % i, 31 * MIB) for i in range(1, 13)])
        with open(str(work / "link.cb7"), "r+b") as f, \
                open(str(work / "big.cb7"), "rb") as big:
            shutil.copyfileobj(big, f)
            f.truncate()
        assert os.stat(str(series / "Solid v01.cb7")).st_size == \
            os.stat(str(work / "big.cb7")).st_size
        # the folder's mtime is the archive's: the kernel, which keeps
        # the listing, asks again, and the mount refuses it
        assert os.stat(v1).st_mtime_ns == \
            os.stat(str(series / "Solid v01.cb7")).st_mtime_ns
        raises(errno.EFBIG, os.listdir, v1)
        for page in ["0001.jpg", "0002.jpg", "0003.jpg"]:
            raises(errno.EFBIG, os.stat, v1 + "/" + page)
            raises(errno.EFBIG, read, v1 + "/" + page)
        # one line for the change, not one per request
        log = m.read("log").decode()
        said = [ln for ln in log.splitlines() if "past the size limits" in ln]
        assert len(said) == 1, log[-2000:]
        # the volumes beside it read on; the one within the budget, to
        # its last page
        assert read(v3 + "/0001.jpg") == HEAD + b" beside it"
        assert sorted(os.listdir(v2)) == ["0001.jpg", "0002.jpg",
                                          "0003.jpg"]
        assert os.stat(v2 + "/0003.jpg").st_size == 20 * MIB
        data = read(v2 + "/0003.jpg")
        assert len(data) == 20 * MIB and data[:4] == HEAD and \
            data.count(0) == 20 * MIB - 4
        # put back as it was (written in place again), it reads again
        cb7(str(work / "small.cb7"), str(work / "a"), small)
        with open(str(work / "link.cb7"), "r+b") as f, \
                open(str(work / "small.cb7"), "rb") as again:
            shutil.copyfileobj(again, f)
            f.truncate()
        assert os.stat(v1 + "/0003.jpg").st_size == 4096
        assert read(v1 + "/0003.jpg") == HEAD + bytes(4092)
        assert sorted(os.listdir(v1)) == ["0001.jpg", "0002.jpg",
                                          "0003.jpg"]
    finally:
        unmount(m.path, m.proc)


# 9,999 (the case, docs/PERFORMANCE.md) by hand:
# MEDIAMON_PAGE_BUDGET_PAGES=9999 python3 -m pytest ... -k thousands
PAGES = int(os.environ.get("MEDIAMON_PAGE_BUDGET_PAGES", "3000"))


def page(i, grown=0):
    return HEAD + b"page %d " % i + b"x" * ((i * 7 + grown) % 300)


def test_thousands_of_pages_from_one_index(tmp_path):
    root = tmp_path / "manga"
    (root / "Long").mkdir(parents=True)
    cbz = root / "Long" / "Long v01.cbz"
    with zipfile.ZipFile(str(cbz), "w") as z:
        for i in range(PAGES):
            z.writestr("p%05d.jpg" % i, page(i))
    os.utime(str(cbz), (1500000000, 1500000000))
    m = start(tmp_path, "manga=" + str(root))
    try:
        folder = m.file("manga/Long/" + folder_of(m, "Long", 1))
        # ls -l: every page's size from the index, the archive's mtime
        names = sorted(os.listdir(folder))
        assert names == ["%04d.jpg" % (i + 1) for i in range(PAGES)]
        archive = os.stat(str(cbz))
        assert os.stat(folder).st_mtime_ns == archive.st_mtime_ns

        def check(i):
            st = os.stat(os.path.join(folder, names[i]))
            assert st.st_size == len(page(i)), names[i]
            assert st.st_mtime_ns == archive.st_mtime_ns, names[i]
            assert st.st_ctime_ns == archive.st_mtime_ns, names[i]
        # from 8 threads at once, as a file manager's thumbnailers ask
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(check, range(PAGES)))
        # tar's check: stat, read, fstat agree on size and ctime
        for i in (0, PAGES // 2, PAGES - 1):
            path = os.path.join(folder, names[i])
            before = os.stat(path)
            with open(path, "rb") as f:
                assert f.read() == page(i)
                after = os.fstat(f.fileno())
            assert (after.st_size, after.st_ctime_ns, after.st_mtime_ns) \
                == (before.st_size, before.st_ctime_ns, before.st_mtime_ns)
        # changed in place (same inode, new sizes and mtime): the index
        # is read again
        with zipfile.ZipFile(str(cbz), "w") as z:
            for i in range(PAGES):
                z.writestr("p%05d.jpg" % i, page(i, 5))
        os.utime(str(cbz), (1600000000, 1600000000))
        for i in (0, PAGES * 2 // 3, PAGES - 1):
            st = os.stat(os.path.join(folder, names[i]))
            assert st.st_size == len(page(i, 5))
            assert st.st_mtime == 1600000000
            assert read(os.path.join(folder, names[i])) == page(i, 5)
        # cut to ten pages of another kind, in place: the folder's mtime
        # moves with the archive's, and the listing the kernel kept is
        # asked for again (issue 63)
        with zipfile.ZipFile(str(cbz), "w") as z:
            for i in range(10):
                z.writestr("p%05d.png" % i, page(i))
        os.utime(str(cbz), (1700000000, 1700000000))
        assert os.stat(folder).st_mtime == 1700000000
        assert sorted(os.listdir(folder)) == \
            ["%04d.png" % (i + 1) for i in range(10)]
    finally:
        unmount(m.path, m.proc)


def test_walk_stopped_by_its_processor_time(tmp_path):
    """A walk ends once its thread has spent [manga] page_walk_cpu of
    processor time: with 1 ms, the index of a cb7 of three 20 MiB pages
    (read without unpacking) lists them, and the read of the last page,
    whose walk unpacks the 40 MiB before it, is refused with EAGAIN as a
    walk past its time always was, with one line in the log; the volume
    beside it, a page whose walk unpacks nothing, reads."""
    root = tmp_path / "manga"
    series = root / "Busy"
    series.mkdir(parents=True)
    cb7(str(series / "Busy v01.cb7"), str(tmp_path / "a"),
        [("%02d.jpg" % i, 20 * MIB) for i in range(1, 4)])
    with zipfile.ZipFile(str(series / "Busy v02.cbz"), "w") as z:
        z.writestr("01.jpg", HEAD + b" beside it")
    conf = tmp_path / "cpu.conf"
    conf.write_text("[manga]\nroot = %s\npage_walk_cpu = 1ms\n" % root)
    m = start(tmp_path, "config=" + str(conf))
    try:
        v1 = m.file("manga/Busy/" + folder_of(m, "Busy", 1))
        v2 = m.file("manga/Busy/" + folder_of(m, "Busy", 2))
        assert sorted(os.listdir(v1)) == ["0001.jpg", "0002.jpg",
                                          "0003.jpg"]
        assert os.stat(v1 + "/0003.jpg").st_size == 20 * MIB
        raises(errno.EAGAIN, read, v1 + "/0003.jpg")
        log = m.read("log").decode()
        said = [ln for ln in log.splitlines() if "took too long" in ln]
        assert len(said) == 1, log[-2000:]
        assert read(v2 + "/0001.jpg") == HEAD + b" beside it"
    finally:
        unmount(m.path, m.proc)
