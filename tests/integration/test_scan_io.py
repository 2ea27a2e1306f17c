# SPDX-License-Identifier: GPL-3.0-or-later
"""[general] scan_io_depth (issue 49): a scan that opens its files ahead of
its workers, one at a time or 32, indexes a library the same way: the
same files, kinds, damaged tags and tracks, after a first scan and after
a full rescan (which opens every file ahead too). The library has a
folder of more files than either depth, a link to a file (opened in
place, not ahead), a damaged MP3 and files that are not audio. A manga
library's volume archives, whose ComicInfo.xml is read at their end,
give the same volumes. Files are opened ahead from the start only on a
file system that is not local, so each library is scanned through the
bench's FUSE share (tests/bench/bench_latency_fs.c, built by make test;
no delay); on a local disk, only once the scan reads the disk rather
than the page cache. No timing is looked at."""

import os
import resource
import shutil
import sqlite3
import zipfile

import pytest

from conftest import share, start, unmount

QUERY = """
SELECT d.path || '/' || f.name, f.size, f.kind, f.tag_error, t.title,
       ar.name, al.title, t.track_no, t.year, t.genre, t.codec
FROM files f
JOIN directories d ON d.id = f.dir_id
LEFT JOIN tracks t ON t.file_id = f.id
LEFT JOIN artists ar ON ar.id = t.artist_id
LEFT JOIN albums al ON al.id = t.album_id
ORDER BY 1"""

VOLUMES = """
SELECT s.name, v.kind, v.first, v.last, v.path FROM volumes v
JOIN series s ON s.id = v.series_id ORDER BY v.path"""

COMICINFO = ("<?xml version='1.0'?><ComicInfo><Series>Blame</Series>"
             "<Volume>%d</Volume></ComicInfo>")


def indexed(db_path, query=QUERY):
    """Every file the store has, with its track, in path order (or
    what query asks)."""
    db = sqlite3.connect(db_path)
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


@pytest.fixture
def big_library(library):
    """The test library with a folder of 70 tracks (copies of its own,
    so real tags), a link to one of them, a damaged MP3 and a text
    file."""
    many = library / "Gamma" / "Many"
    many.mkdir(parents=True)
    sources = sorted(p for p in library.rglob("*")
                     if p.suffix in (".flac", ".mp3"))
    for i in range(70):
        src = sources[i % len(sources)]
        shutil.copyfile(str(src), str(many / ("%03d%s" % (i, src.suffix))))
    (many / "broken.mp3").write_bytes(b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f"
                                      + b"\xff" * 64)
    (many / "readme.txt").write_text("not audio\n")
    os.symlink("000" + sources[0].suffix,
               str(many / ("link" + sources[0].suffix)))
    return library


def scanned(tmp_path, depth, roots, query=QUERY):
    """What a daemon with scan_io_depth = depth indexes of roots (the
    configuration's lines naming them), after its first scan and after a
    full rescan."""
    home = tmp_path / ("depth%d" % depth)
    home.mkdir(exist_ok=True)
    conf = home / "mediamon.conf"
    conf.write_text("[general]\nscan_io_depth = %d\n"
                    "[analysis]\nenabled = no\n%s" % (depth, roots))
    m = start(home, "config=" + str(conf))
    try:
        first = indexed(m.db, query)
        m.rescan("full", timeout=60)
        full = indexed(m.db, query)
    finally:
        unmount(m.path, m.proc)
        shutil.rmtree(str(home / "state"))
    return first, full


def test_depths_index_the_same(big_library, tmp_path):
    with share(big_library, tmp_path / "share") as music:
        roots = "[music]\nroot = %s\n" % music
        one_first, one_full = scanned(tmp_path, 1, roots)
        many_first, many_full = scanned(tmp_path, 32, roots)
    # 9 tracks, 70 copies, the link, the damaged MP3 and two text files
    assert len(one_first) == 83
    assert one_first == many_first
    assert one_full == many_full == one_first
    tracks = [r for r in one_first if r[4] is not None]
    assert len(tracks) >= 80
    broken = [r for r in one_first if r[0].endswith("broken.mp3")]
    assert len(broken) == 1 and broken[0][3] == 1
    # the link and the copy it leads to are read alike
    link = [r for r in one_first if "/link." in r[0]]
    assert len(link) == 1 and link[0][4] is not None


def test_depths_read_the_same_volumes(tmp_path):
    series = tmp_path / "manga" / "Blame"
    series.mkdir(parents=True)
    # 40 volumes, their numbers from ComicInfo.xml, not from the names
    for i in range(40):
        with zipfile.ZipFile(str(series / ("Blame part %02d.cbz" % i)),
                             "w") as z:
            z.writestr("001.jpg", b"\xff\xd8\xff\xe0")
            z.writestr("ComicInfo.xml", COMICINFO % (100 + i))
    with share(tmp_path / "manga", tmp_path / "share") as manga:
        roots = "[manga]\nroot = %s\n" % manga
        one_first, one_full = scanned(tmp_path, 1, roots, VOLUMES)
        many_first, many_full = scanned(tmp_path, 32, roots, VOLUMES)
    assert len(one_first) == 40
    assert sorted(r[2] for r in one_first) == list(range(100, 140))
    assert one_first == many_first == one_full == many_full


def evicted(root):
    """Drop root's files from the page cache as a reboot does (written
    back, then posix_fadvise DONTNEED: no root needed). Whether reading
    one back then reads the disk: not on a file system in memory."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    for p in files:
        fd = os.open(str(p), os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    before = resource.getrusage(resource.RUSAGE_THREAD).ru_inblock
    files[0].read_bytes()
    if resource.getrusage(resource.RUSAGE_THREAD).ru_inblock == before:
        return False
    # the probe's file back out, like the others
    fd = os.open(str(files[0]), os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
    return True


def scan_logged(tmp_path, name, music):
    """A first scan of music by a daemon of its own: (what it indexed,
    its log)."""
    home = tmp_path / name
    home.mkdir()
    conf = home / "mediamon.conf"
    conf.write_text("[analysis]\nenabled = no\n[music]\nroot = %s\n" % music)
    m = start(home, "config=" + str(conf))
    try:
        rows = indexed(m.db)
    finally:
        unmount(m.path, m.proc)
    with open(m.proc.log_path) as f:
        return rows, f.read()


COLD = "the page cache is cold"


def test_cold_local_disk_opens_ahead(template_library, tmp_path):
    """On a local disk, files are opened ahead only once the scan is
    seen to read the disk rather than the page cache (a library after a
    reboot): a warm library's scan never does, a cold one's does from its
    second folder on, and both index the same."""
    music = tmp_path / "music"
    sources = sorted(p for p in template_library.rglob("*")
                     if p.suffix in (".flac", ".mp3"))
    for d in range(4):
        folder = music / ("Artist %d" % d) / "Album"
        folder.mkdir(parents=True)
        for i in range(30):
            src = sources[(d + i) % len(sources)]
            shutil.copyfile(str(src),
                            str(folder / ("%02d%s" % (i, src.suffix))))
    for p in music.rglob("*"):
        if p.is_file():
            p.read_bytes()
    warm, warm_log = scan_logged(tmp_path, "warm", music)
    assert COLD not in warm_log, warm_log
    if not evicted(music):
        pytest.skip("%s reads no block from a disk (a file system in "
                    "memory?)" % tmp_path)
    cold, cold_log = scan_logged(tmp_path, "cold", music)
    assert COLD in cold_log, cold_log
    assert len(warm) == 120
    assert cold == warm
