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
import sqlite3
import time

from conftest import start, unmount, wait_for
from test_manga import read_series, write_series

SETTINGS = {"monitored": "0\n", "latest": "9\n", "source": "berserk\n",
            "preferences": "languages = en\n", "edition": "en\n"}
DEFAULTS = {"monitored": "1\n", "latest": "", "source": "",
            "preferences": "", "edition": ""}
BLOCKED = "0123456789abcdef"


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


def make_roots(tmp_path, keep, nr=1):
    roots = [tmp_path / ("manga%d" % i) for i in range(nr)]
    for root in roots:
        root.mkdir()
    for series, first in (("Berserk", 1), ("Naruto", 1)):
        os.makedirs(str(roots[0] / series))
        for v in (first, first + 2):
            (roots[0] / series / ("%s T%02d.cbz" % (series, v))) \
                .write_bytes(b"not really an archive")
    conf = tmp_path / "gone.conf"
    conf.write_text("[general]\nwatch_debounce = 100ms\nkeep_gone = %s\n"
                    "[manga]\n%s" % (keep, "".join(
                        "root = %s\n" % r for r in roots)))
    m = start(tmp_path, "config=" + str(conf))
    m.conf = conf
    return m, roots


def moved(m, src, dst):
    """Rename src to dst and wait for the watcher's scan of it. A rescan
    asked for while the watcher's window is open leaves what moved away
    to the watcher's scan, yet sees what moved in: a series moved to
    another root then comes new, without what was kept, and one moved
    out is still there (a race of the daemon's, seen on a loaded
    machine)."""
    before = m.scan_id()
    os.rename(str(src), str(dst))
    m.wait_idle(after_id=before)


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
        moved(m, roots[0] / "Berserk", roots[1] / "Berserk")
        m.rescan()
        wait_for(lambda: query(m, "SELECT r.path FROM series s JOIN roots"
                               " r ON r.id = s.root_id WHERE s.name ="
                               " 'Berserk'"), 15, "Berserk in the second"
                 " root", until=lambda rows: len(rows) == 1 and
                 str(roots[1]).encode() in bytes(rows[0][0]), mount=m)
        assert listed(m) == ["Berserk", "Naruto"]
        assert settings(m) == SETTINGS and kept(m) == 0
    finally:
        unmount(m.path, m.proc)


def test_keep_gone_zero_forgets_at_once(tmp_path):
    m, (root,) = make_roots(tmp_path, "0")
    try:
        set_all(m)
        aside = tmp_path / "aside"
        moved(m, root / "Berserk", aside)
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
    m, (root,) = make_roots(tmp_path, "2s")
    try:
        set_all(m)
        aside = tmp_path / "aside"
        moved(m, root / "Berserk", aside)
        m.rescan()
        assert kept(m) == 1
        # past the grace, the prune drops it
        time.sleep(2.5)
        m.write("control/maintenance", "prune")
        wait_for(lambda: kept(m), 15, "the gone series pruned",
                 until=lambda n: n == 0, mount=m)
        os.rename(str(aside), str(root / "Berserk"))
        m.rescan()
        assert settings(m) == DEFAULTS
    finally:
        unmount(m.path, m.proc)
