# SPDX-License-Identifier: GPL-3.0-or-later
"""The CSV files under /metrics (scan.csv, checks.csv, repair.csv) as
RFC 4180 has them, read with Python's csv module: a field holding a
comma, a double quote, a carriage return or a line feed is quoted, so
every row has the header's columns and every value reads back as it was
(issue 38)."""

import csv
import io
import os
import sqlite3
import time

from conftest import start, unmount

# Every character that must be quoted, alone and together.
HOSTILE = ['a,b', 'say "hi"', 'two\nlines', 'cr\rhere', ',"\r\n"',
           'plain']


def rows_of(m, name):
    """The header and the rows of metrics/<name>, each row checked to
    have the header's number of columns."""
    text = m.read("metrics/" + name).decode()
    table = list(csv.reader(io.StringIO(text, newline="")))
    header, rows = table[0], table[1:]
    for row in rows:
        assert len(row) == len(header), (name, header, row)
    return [dict(zip(header, row)) for row in rows]


def test_every_csv_reads_back(library, tmp_path):
    conf = tmp_path / "mediamon.conf"
    conf.write_text("[monitor]\nauto_check_interval = 0\n")
    m = start(tmp_path, "config=" + str(conf), "music=" + str(library))
    try:
        # every CSV file of the mount is read below
        assert sorted(f for f in os.listdir(m.file("metrics"))
                      if f.endswith(".csv")) == [
            "checks.csv", "repair.csv", "scan.csv"]
        # the scope a full rescan writes holds a comma
        full = m.rescan("full")
        assert full["scope"] == "all,full"
        # what no command writes today, but a row may one day hold
        db = sqlite3.connect(m.db, timeout=30)
        t = time.time() - 3600
        for i, text in enumerate(HOSTILE):
            db.execute("INSERT INTO scans (trigger, scope, started_at,"
                       " finished_at, duration_s, files_seen, success)"
                       " VALUES (?, ?, ?, ?, 1, ?, 1)",
                       (text, text[::-1], t + i, t + i + 1, 100 + i))
            db.execute("INSERT INTO checks (kind, trigger, started_at,"
                       " finished_at, wanted, failed) VALUES"
                       " (?, ?, ?, ?, ?, 3)",
                       (text, text[::-1], t + i, t + i + 1, i))
            db.execute("INSERT INTO rd_passes (kind, trigger, dry_run,"
                       " started_at, finished_at, repaired) VALUES"
                       " (?, ?, 0, ?, ?, ?)",
                       (text, text[::-1], t + i, t + i + 1, i))
        db.commit()
        db.close()

        scans = rows_of(m, "scan.csv")
        assert [(r["trigger"], r["scope"]) for r in scans
                if r["id"] == str(full["id"])] == [("control", "all,full")]
        got = [(r["trigger"], r["scope"], r["files_seen"]) for r in scans
               if r["trigger"] in HOSTILE]
        assert got == [(s, s[::-1], str(100 + i))
                       for i, s in enumerate(HOSTILE)]

        checks = rows_of(m, "checks.csv")
        assert [(r["kind"], r["trigger"], r["wanted"], r["failed"])
                for r in checks] == [(s, s[::-1], str(i), "3")
                                     for i, s in enumerate(HOSTILE)]

        passes = rows_of(m, "repair.csv")
        assert [(r["kind"], r["trigger"], r["dry_run"], r["repaired"])
                for r in passes] == [(s, s[::-1], "0", str(i))
                                     for i, s in enumerate(HOSTILE)]
    finally:
        unmount(m.path, m.proc)
