# SPDX-License-Identifier: GPL-3.0-or-later
"""A series whose folder leaves is kept for a while (issue 45), as music
tracks are (test_gone.py): it leaves the manga views at once, but what
the user set on it (monitored, latest, source, preferences, edition)
and its id are kept for [general] keep_gone; its folder back in the
same root (seen by the watcher or by a rescan), or moved to another
manga root, it takes them back. The blocklist, kept by release, stays.
With keep_gone = 0 nothing is kept; after the grace the maintenance's
prune drops what was."""

import os
import shutil
import sqlite3

from conftest import start, unmount, wait_for
from test_gone import gone_long_ago
from test_manga import read_series, write_series

SETTINGS = {"monitored": "0\n", "latest": "9\n", "source": "berserk\n",
            "preferences": "languages = en\n", "edition": "en\n"}
DEFAULTS = {"monitored": "1\n", "latest": "", "source": "",
            "preferences": "", "edition": ""}
BLOCKED = "0123456789abcdef"
# the first root of test_series_moved_while_a_scan_runs
BULK_FOLDERS, BULK_FILES = 200, 50


def query(m, sql):
    db = sqlite3.connect("file:%s?mode=ro" % m.db, uri=True)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def kept(m):
    return query(m, "SELECT count(*) FROM series_gone")[0][0]


def series_id(m, name):
    rows = query(m, "SELECT id FROM series WHERE name = '%s'" % name)
    return rows[0][0] if rows else None


def listed(m):
    return sorted(os.listdir(os.path.join(m.path, "manga")))


def settings(m, series="Berserk"):
    return {k: read_series(m, series, k) for k in SETTINGS}


def make_roots(tmp_path, keep, nr=1, debounce="100ms"):
    roots = [tmp_path / ("manga%d" % i) for i in range(nr)]
    for root in roots:
        root.mkdir()
    for series, first in (("Berserk", 1), ("Naruto", 1)):
        os.makedirs(str(roots[0] / series))
        for v in (first, first + 2):
            (roots[0] / series / ("%s T%02d.cbz" % (series, v))) \
                .write_bytes(b"not really an archive")
    conf = tmp_path / "gone.conf"
    conf.write_text("[general]\nwatch_debounce = %s\nkeep_gone = %s\n"
                    "[manga]\n%s" % (debounce, keep, "".join(
                        "root = %s\n" % r for r in roots)))
    m = start(tmp_path, "config=" + str(conf))
    m.conf = conf
    return m, roots


def set_all(m):
    for name, value in SETTINGS.items():
        write_series(m, "Berserk", name, value)
    assert settings(m) == SETTINGS
    assert m.write("control/blocklist", BLOCKED + "\n")


def test_series_gone_then_back_by_the_watcher(tmp_path):
    m, (root,) = make_roots(tmp_path, "30d")
    try:
        set_all(m)
        before = series_id(m, "Berserk")
        aside = tmp_path / "aside"
        os.rename(str(root / "Berserk"), str(aside))
        wait_for(lambda: listed(m), 15, "Berserk gone from the views",
                 until=lambda names: names == ["Naruto"], mount=m)
        assert kept(m) == 1
        assert m.json("status/summary.json")["counts"]["series"] == 1
        os.rename(str(aside), str(root / "Berserk"))
        wait_for(lambda: listed(m), 15, "Berserk back in the views",
                 until=lambda names: names == ["Berserk", "Naruto"],
                 mount=m)
        assert settings(m) == SETTINGS
        assert read_series(m, "Berserk", "volumes") == "1\n3\n"
        assert series_id(m, "Berserk") == before and kept(m) == 0
        assert BLOCKED in m.read("control/blocklist").decode()
        # Naruto, untouched, kept its defaults
        assert settings(m, "Naruto") == DEFAULTS
        with open(m.proc.log_path, errors="replace") as f:
            assert "1 series came back with their settings" in f.read()
    finally:
        unmount(m.path, m.proc)


def test_series_gone_across_a_restart_then_back_by_a_rescan(tmp_path):
    m, (root,) = make_roots(tmp_path, "30d")
    try:
        set_all(m)
        before = series_id(m, "Berserk")
        unmount(m.path, m.proc)
        aside = tmp_path / "aside"
        os.rename(str(root / "Berserk"), str(aside))
        m = start(tmp_path, "config=" + str(tmp_path / "gone.conf"))
        assert listed(m) == ["Naruto"] and kept(m) == 1
        os.rename(str(aside), str(root / "Berserk"))
        m.rescan()
        assert listed(m) == ["Berserk", "Naruto"]
        assert settings(m) == SETTINGS
        assert series_id(m, "Berserk") == before and kept(m) == 0
    finally:
        unmount(m.path, m.proc)


def test_series_moved_to_another_root(tmp_path):
    m, roots = make_roots(tmp_path, "30d", nr=2)
    try:
        set_all(m)
        # the rescan asked at once: it takes the move whole, whenever
        # the watcher reads it
        os.rename(str(roots[0] / "Berserk"), str(roots[1] / "Berserk"))
        m.rescan()
        rows = query(m, "SELECT r.path FROM series s JOIN roots r"
                     " ON r.id = s.root_id WHERE s.name = 'Berserk'")
        assert len(rows) == 1 and str(roots[1]).encode() in bytes(rows[0][0])
        assert listed(m) == ["Berserk", "Naruto"]
        assert settings(m) == SETTINGS and kept(m) == 0
    finally:
        unmount(m.path, m.proc)


def test_keep_gone_zero_forgets_at_once(tmp_path):
    m, (root,) = make_roots(tmp_path, "0")
    try:
        set_all(m)
        aside = tmp_path / "aside"
        os.rename(str(root / "Berserk"), str(aside))
        m.rescan()
        assert listed(m) == ["Naruto"] and kept(m) == 0
        os.rename(str(aside), str(root / "Berserk"))
        m.rescan()
        assert settings(m) == DEFAULTS
        # the blocklist is by release: it stays
        assert BLOCKED in m.read("control/blocklist").decode()
    finally:
        unmount(m.path, m.proc)


def test_gone_series_pruned_after_the_grace(tmp_path):
    m, (root,) = make_roots(tmp_path, "1h")
    try:
        set_all(m)
        aside = tmp_path / "aside"
        os.rename(str(root / "Berserk"), str(aside))
        m.rescan()
        assert kept(m) == 1
        # past the grace, the prune drops it
        gone_long_ago(m, "series_gone")
        m.write("control/maintenance", "prune")
        wait_for(lambda: kept(m), 15, "the gone series pruned",
                 until=lambda n: n == 0, mount=m)
        os.rename(str(aside), str(root / "Berserk"))
        m.rescan()
        assert settings(m) == DEFAULTS
    finally:
        unmount(m.path, m.proc)


def test_series_moved_while_a_scan_runs(tmp_path):
    """A scan running while a series moves to another root meets it in
    both roots (it walked the first before the move, or left what moved
    away for the move's scan): the scan of the move that follows gives it
    what was set on it all the same. Many folders beside it keep the
    scan of its first root long enough for the move to fall inside."""
    roots = [tmp_path / "manga0", tmp_path / "manga1"]
    for n in range(BULK_FOLDERS):
        folder = roots[0] / ("Bulk %03d" % n)
        os.makedirs(str(folder))
        for v in range(BULK_FILES):
            (folder / ("Bulk %03d T%02d.cbz" % (n, v + 1))) \
                .write_bytes(b"not really an archive")
    roots[1].mkdir()
    os.makedirs(str(roots[0] / "Berserk"))
    (roots[0] / "Berserk" / "Berserk T01.cbz").write_bytes(b"not really")
    conf = tmp_path / "gone.conf"
    conf.write_text("[general]\nwatch_debounce = 100ms\nkeep_gone = 30d\n"
                    "[manga]\n%s" % "".join("root = %s\n" % r
                                            for r in roots))
    m = start(tmp_path, "config=" + str(conf))
    try:
        set_all(m)
        before = series_id(m, "Berserk")
        scan = m.scan_id()
        m.write("control/rescan", "full\n")
        wait_for(lambda: m.json("metrics/scan.json"), 120, "the full scan"
                 " running", until=lambda d: m.scan_id(d) > scan, mount=m)
        os.rename(str(roots[0] / "Berserk"), str(roots[1] / "Berserk"))
        m.wait_quiet(timeout=120)
        rows = query(m, "SELECT r.path FROM series s JOIN roots r"
                     " ON r.id = s.root_id WHERE s.name = 'Berserk'")
        assert len(rows) == 1 and str(roots[1]).encode() in bytes(rows[0][0])
        assert settings(m) == SETTINGS and kept(m) == 0
        assert series_id(m, "Berserk") == before
    finally:
        unmount(m.path, m.proc)


def test_series_of_the_same_name_in_another_root_keeps_its_own(tmp_path):
    """Berserk in both roots, the second one with a source of its own: the
    first one leaving hands nothing to it, which keeps its settings and
    id; the first is kept aside."""
    m, roots = make_roots(tmp_path, "30d", nr=2)
    try:
        shutil.copytree(str(roots[0] / "Berserk"), str(roots[1] / "Berserk"))
        m.rescan()
        assert query(m, "SELECT count(*) FROM series WHERE name ="
                     " 'Berserk'")[0][0] == 2
        other, = [i for i, path in query(
            m, "SELECT s.id, r.path FROM series s JOIN roots r ON r.id ="
            " s.root_id WHERE s.name = 'Berserk'")
            if str(roots[1]).encode() in bytes(path)]
        # what the mount cannot tell apart, set in the store
        db = sqlite3.connect(m.db, timeout=60)
        try:
            with db:
                db.execute("UPDATE series SET source = 'kenpu' WHERE id"
                           " = ?", (other,))
                db.execute("UPDATE series SET monitored = 0, source ="
                           " 'berserk' WHERE id != ?", (other,))
        finally:
            db.close()
        os.rename(str(roots[0] / "Berserk"), str(tmp_path / "aside"))
        m.rescan()
        rows = query(m, "SELECT id, source, monitored FROM series WHERE"
                     " name = 'Berserk'")
        assert rows == [(other, "kenpu", 1)] and kept(m) == 1
    finally:
        unmount(m.path, m.proc)


def test_series_made_after_its_namesake_left_is_not_handed_over(tmp_path):
    """Berserk leaves the first root; a new Berserk made in the second is
    scanned (alone) before the first root is: it is another series, made
    after the first had left, and keeps its own (default) settings and
    id, the first being kept aside. The watcher's window is the longest
    there is, so that each root is scanned only when the test asks."""
    m, roots = make_roots(tmp_path, "30d", nr=2, debounce="60s")
    try:
        set_all(m)
        before = series_id(m, "Berserk")
        os.rename(str(roots[0] / "Berserk"), str(tmp_path / "aside"))
        os.makedirs(str(roots[1] / "Berserk"))
        (roots[1] / "Berserk" / "Berserk T05.cbz").write_bytes(b"another")
        m.rescan(str(roots[1] / "Berserk"))
        m.rescan(str(roots[0]))
        rows = query(m, "SELECT s.id, r.path FROM series s JOIN roots r"
                     " ON r.id = s.root_id WHERE s.name = 'Berserk'")
        assert len(rows) == 1 and str(roots[1]).encode() in \
            bytes(rows[0][1])
        assert rows[0][0] != before
        assert settings(m) == DEFAULTS and kept(m) == 1
    finally:
        unmount(m.path, m.proc)
