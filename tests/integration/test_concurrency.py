# SPDX-License-Identifier: GPL-3.0-or-later
"""Concurrency: eight readers loop over every file of the mount while full
rescans, watcher events (files created, renamed, deleted) and control
writes run. No read fails but for entries that vanish under it (ENOENT),
every JSON file parses, every thread ends in bounded time, and the
daemon's resident memory stays under a bound."""

import errno
import json
import os
import shutil
import sqlite3
import threading
import time

from conftest import make_mp3, wait_for
from reliability import every_file, record, rss_kb

READERS = 8
RUN_S = 12
RSS_LIMIT_KB = 256 * 1024
JOIN_S = 60


def stored(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return {bytes(p).decode() for (p,) in con.execute(
            "SELECT f.path FROM file_paths f"
            " JOIN roots r ON r.id = f.root_id"
            " WHERE r.kind = 'music'")}
    finally:
        con.close()


def on_disk(root):
    return {os.path.relpath(os.path.join(d, n), str(root))
            for d, _, names in os.walk(str(root)) for n in names}


def manga_library(root):
    for name in ("One Piece", "Berserk", "Saga"):
        os.makedirs(str(root / name))
        for v in (1, 2, 4):
            (root / name / ("%s T%02d.cbz" % (name, v))).write_bytes(
                b"PK\x05\x06" + b"\0" * 18)


class Readers:
    """READERS threads reading every file of the mount in a loop."""

    def __init__(self, mnt):
        self.mnt = mnt
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.reads = 0
        self.vanished = 0
        self.failures = []
        self.threads = [threading.Thread(target=self.loop, daemon=True)
                        for _ in range(READERS)]

    def fail(self, what):
        with self.lock:
            self.failures.append(what)

    def read_one(self, path):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            with self.lock:
                self.vanished += 1
            return
        except OSError as e:
            return self.fail("%s: %s" % (path, errno.errorcode[e.errno]))
        rel = os.path.relpath(path, self.mnt)
        if rel.endswith(".json"):
            try:
                json.loads(data)
            except ValueError as e:
                return self.fail("%s: torn JSON: %s" % (rel, e))
        if not rel.startswith(("library/", "search/")) and data and \
                not data.endswith(b"\n"):
            return self.fail("%s: no final newline" % rel)
        with self.lock:
            self.reads += 1

    def loop(self):
        while not self.stop.is_set():
            try:
                for path in every_file(self.mnt):
                    self.read_one(path)
                    if self.stop.is_set():
                        break
            except OSError as e:
                self.fail("walk: %s" % e)


def churn(stop, music, manga, src_flac, src_mp3, counts):
    """Create, rename and delete files for the watcher, in a loop."""
    i = 0
    while not stop.is_set():
        d = music / ("churn%d" % (i % 3))
        d.mkdir(exist_ok=True)
        a = d / ("%05d.flac" % i)
        shutil.copyfile(src_flac, str(a))
        shutil.copyfile(src_mp3, str(d / ("%05d.mp3" % i)))
        os.rename(str(a), str(d / ("%05d-renamed.flac" % i)))
        if i >= 3:
            old = music / ("churn%d" % ((i - 3) % 3))
            for name in os.listdir(str(old)):
                if name.startswith("%05d" % (i - 3)):
                    os.unlink(str(old / name))
        v = manga / "Saga" / ("Saga T%02d.cbz" % (10 + i % 5))
        if v.exists():
            v.unlink()
        else:
            v.write_bytes(b"PK\x05\x06" + b"\0" * 18)
        i += 1
        counts["churn"] = i
        time.sleep(0.02)


def control(stop, m, library, counts):
    """Rescans of every kind and checks, merged while others run."""
    writes = [("control/rescan", "full"), ("control/rescan", "1"),
              ("control/rescan", str(library / "Alpha")),
              ("control/check-missing", "1"), ("control/check-new", "1"),
              ("control/dry-run", "1"), ("control/rescan", "full")]
    i = 0
    while not stop.is_set():
        rel, data = writes[i % len(writes)]
        m.write(rel, data + "\n")
        i += 1
        counts["control"] = i
        time.sleep(0.05)


def test_readers_during_rescans_watch_events_and_control_writes(
        make_mount, library, tmp_path):
    manga = tmp_path / "manga"
    manga_library(manga)
    src_flac = str(library / "Alpha" / "First" / "01.flac")
    src_mp3 = str(library / "Alpha" / "Second" / "01.mp3")
    bulk = library / "bulk"
    bulk.mkdir()
    for n in range(600):
        shutil.copyfile(src_flac, str(bulk / ("%04d.flac" % n)))
    make_mp3(str(library / "Gamma" / "Odd" / "01.mp3"), "Odd", "Gamma",
             "Odd", 1)
    conf = tmp_path / "c.conf"
    conf.write_text("[general]\nwatch_debounce = 50ms\n"
                    "[music]\nroot = %s\n[manga]\nroot = %s\n"
                    "[monitor]\nauto_check_interval = 0\n"
                    "search_enabled = no\n"
                    "[nautiljon]\nurl = http://127.0.0.1:9\n"
                    "[mangadex]\nurl = http://127.0.0.1:9\n" % (library,
                                                                manga))
    m = make_mount("config=" + str(conf))

    readers = Readers(m.path)
    stop = threading.Event()
    counts = {"churn": 0, "control": 0}
    others = [threading.Thread(target=churn, daemon=True,
                               args=(stop, library, manga, src_flac,
                                     src_mp3, counts)),
              threading.Thread(target=control, daemon=True,
                               args=(stop, m, library, counts))]
    peak = rss_kb(m.proc.pid)
    for t in readers.threads + others:
        t.start()
    end = time.time() + RUN_S
    while time.time() < end:
        assert m.proc.poll() is None, "mediamon exited"
        peak = max(peak, rss_kb(m.proc.pid))
        time.sleep(0.1)
    readers.stop.set()
    stop.set()
    wait_for(lambda: [t.name for t in readers.threads + others
                      if t.is_alive()], JOIN_S,
             "end of every reader, churn and control thread",
             until=lambda stuck: not stuck, interval=0.1)

    assert not readers.failures, readers.failures[:10]
    assert readers.reads > 100 and counts["churn"] > 10 and \
        counts["control"] > 10
    scans = m.json("metrics/scan.json")["totals"]["scans"]
    assert scans > 3
    assert peak < RSS_LIMIT_KB, "peak VmRSS %d kB" % peak
    # and the store still follows the tree
    m.rescan("1")
    assert stored(m.db) == on_disk(library)
    record("concurrent reads served without error", "%d (%d readers, %d "
           "scans, %d control writes, peak RSS %d MB)" % (
               readers.reads, READERS, scans, counts["control"],
               peak // 1024))
