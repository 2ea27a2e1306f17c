# SPDX-License-Identifier: GPL-3.0-or-later
"""[general] scan_io_depth (issue 49): a scan that opens its files ahead of
its workers, one at a time or 32, indexes a library the same way: the
same files, kinds, damaged tags and tracks, after a first scan and after
a full rescan (which opens every file ahead too). The library has a
folder of more files than either depth, a link to a file (opened in
place, not ahead), a damaged MP3 and files that are not audio. No
timing is looked at."""

import os
import shutil
import sqlite3

import pytest

from conftest import start, unmount

QUERY = """
SELECT d.path || '/' || f.name, f.size, f.kind, f.tag_error, t.title,
       ar.name, al.title, t.track_no, t.year, t.genre, t.codec
FROM files f
JOIN directories d ON d.id = f.dir_id
LEFT JOIN tracks t ON t.file_id = f.id
LEFT JOIN artists ar ON ar.id = t.artist_id
LEFT JOIN albums al ON al.id = t.album_id
ORDER BY 1"""


def indexed(db_path):
    """Every file the store has, with its track, in path order."""
    db = sqlite3.connect(db_path)
    try:
        return db.execute(QUERY).fetchall()
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


def scanned(tmp_path, library, depth):
    """What a daemon with scan_io_depth = depth indexes of library, after
    its first scan and after a full rescan."""
    home = tmp_path / ("depth%d" % depth)
    home.mkdir()
    conf = home / "mediamon.conf"
    conf.write_text("[general]\nscan_io_depth = %d\n"
                    "[analysis]\nenabled = no\n" % depth)
    m = start(home, "music=" + str(library), "config=" + str(conf))
    try:
        first = indexed(m.db)
        m.rescan("full", timeout=60)
        full = indexed(m.db)
    finally:
        unmount(m.path, m.proc)
    return first, full


def test_depths_index_the_same(big_library, tmp_path):
    one_first, one_full = scanned(tmp_path, big_library, 1)
    many_first, many_full = scanned(tmp_path, big_library, 32)
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
