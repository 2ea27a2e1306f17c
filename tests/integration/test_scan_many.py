# SPDX-License-Identifier: GPL-3.0-or-later
"""A rescan of one folder of many files gives the right rows (issue 44,
medium: the scan's per-folder look-ups were a search per file, and the
paths of the files gone were made with a strlen over names stored without
a terminator). 20,000 files in one folder; half deleted and a quarter
renamed, a full rescan leaves exactly the files there, the untouched ones
under their old rows, and the renamed ones once each."""

import os
import sqlite3

from conftest import start, unmount

MANY = 20000


def rows(m, folder):
    """name: id of the files the store has in folder."""
    db = sqlite3.connect(m.db)
    try:
        return {bytes(n).decode() if isinstance(n, bytes) else n: i
                for n, i in db.execute(
                    "SELECT f.name, f.id FROM files f JOIN directories d"
                    " ON d.id = f.dir_id WHERE d.path = ?", (folder.encode(),))}
    finally:
        db.close()


def test_rescan_of_a_folder_of_20000_files(tmp_path):
    root = tmp_path / "music"
    big = root / "Big"
    big.mkdir(parents=True)
    # and a folder beside it, which the rescan must leave as it is
    (root / "Small").mkdir()
    (root / "Small" / "notes.txt").write_text("small\n")
    names = ["file %05d.txt" % i for i in range(MANY)]
    for n in names:
        (big / n).write_text(n)
    m = start(tmp_path, "music=" + str(root))
    try:
        m.rescan("full", timeout=300)
        before = rows(m, "Big")
        assert sorted(before) == names
        small = rows(m, "Small")
        assert list(small) == ["notes.txt"]

        want = set()
        for i, n in enumerate(names):
            if i % 2 == 0:
                os.unlink(str(big / n))
            elif i % 4 == 1:
                os.rename(str(big / n), str(big / ("moved " + n)))
                want.add("moved " + n)
            else:
                want.add(n)
        m.rescan("full", timeout=300)
        after = rows(m, "Big")
        assert set(after) == want
        assert len(after) == MANY // 2
        # the files left alone keep their rows
        for n in want:
            if not n.startswith("moved "):
                assert after[n] == before[n], n
        assert rows(m, "Small") == small
    finally:
        unmount(m.path, m.proc)
