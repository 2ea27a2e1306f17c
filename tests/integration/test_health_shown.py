# SPDX-License-Identifier: GPL-3.0-or-later
"""/status/health names to a reader only the series that reader may list
(issue 76), as /status/missing and found.json do: a private series'
failed import (its release's path in the reason), its record not taken
and a service's error naming its release are the owner's lines alone, on the mount (stat() telling the size
the reader reads) and over HTTP, in the file and in the dashboard's
health block; the series beside it is every reader's."""

import os
import sqlite3
import tempfile
import time

from conftest import wait_for
from access_users import make_user, drop_user
from access_users import pytestmark, figures, world  # noqa: F401
from test_http import Web
from test_manga import make_cbz

OPEN, PRIVATE = "Open Saga", "Victim Secret Series"
TIE = "no record taken: anilist:1 and anilist:2 both bear this title"

# stat(), then read, then fstat() of the open file, as the user.
STAT_READ = """
import os, sys
p = sys.argv[1]
size = os.stat(p).st_size
with open(p, "rb") as f:
    data = f.read()
    opened = os.fstat(f.fileno()).st_size
sys.stdout.buffer.write(b"%d %d\\n" % (size, opened) + data)
"""


def read_as(u, path):
    """The text of the generated file at path as the user u reads it,
    checked to be as long as a stat() of it said, before and after the
    open."""
    out = u.run("/usr/bin/python3", "-c", STAT_READ, path)
    assert out.returncode == 0, out
    head, data = out.stdout.split(b"\n", 1)
    got = data.decode()
    assert head.decode() == "%d %d" % (len(data), len(data)), (head, got)
    return got


def reason(series, volume):
    return "import: /srv/saves/%s v%02d/%s.cbz exists already (move away" \
        " the file)" % (series, volume, series.split()[0].lower())


def plant(db_path):
    """A completed download whose import failed and a record not taken,
    for each series, written as the daemon's writer records them (a
    download with no id in a client: no tracker follows it)."""
    db = sqlite3.connect(db_path, timeout=30)
    try:
        with db:
            for series, volume in ((OPEN, 2), (PRIVATE, 3)):
                db.execute("INSERT INTO downloads (series, volume, state,"
                           " client, title, source, at, error) VALUES"
                           " (?, ?, 'completed', 'qbittorrent', ?,"
                           " 'prowlarr', ?, ?)",
                           (series, volume, "%s v%02d" % (series, volume),
                            time.time(), reason(series, volume)))
                db.execute("UPDATE series SET status = ? WHERE name = ?",
                           (TIE, series))
            # a service's error naming the series (no client is set up:
            # nothing else writes it)
            db.execute("INSERT INTO services (name, last_error,"
                       " error_level, last_error_at) VALUES"
                       " ('qbittorrent', ?, 'error', ?)",
                       ("Victim.Secret.Series.v03: HTTP 500", time.time()))
    finally:
        db.close()


SERVICE = "error: qbittorrent: Victim.Secret.Series.v03: HTTP 500"
TOLD = "error: qbittorrent: a request about a series failed"


def lines_of(series, volume):
    return ["warn: %s volume %d not imported: %s" % (
        series, volume, reason(series, volume)[len("import: "):]),
        "warn: %s: %s; write the one to follow into /manga/%s/source" % (
            series, TIE, series)]


def with_private_series(world, volumes, private, check):
    """check(w, u, manga) run on a mount and HTTP door of a manga root
    holding the series of volumes ({series: [numbers]}), the one named
    private closed (0700), for root and a local user made for the test,
    u, who has an account."""
    u = make_user()
    try:
        manga = os.path.join(world, "manga")
        for series, numbers in volumes.items():
            os.makedirs(os.path.join(manga, series))
            for n in numbers:
                make_cbz(os.path.join(manga, series,
                                      "%s T%02d.cbz" % (series, n)))
        os.chmod(os.path.join(manga, private), 0o700)
        where = tempfile.mkdtemp(dir=world)
        os.chmod(where, 0o755)
        # no check of its own: its row would be the last check's, not
        # the one a test plants
        w = Web(where, "[monitor]\nauto_check_interval = 0\n",
                names=("root", u.name), manga=manga,
                options=("allow_other",))
        try:
            check(w, u, manga)
        finally:
            w.stop()
    finally:
        drop_user(u)


def test_health_names_only_the_series_a_reader_may_list(world):  # noqa
    with_private_series(world, {OPEN: (1,), PRIVATE: (1, 3)}, PRIVATE,
                        check)


def check(w, u, manga):
    m = w.m
    wait_for(lambda: sorted(os.listdir(m.file("manga"))), 60,
             "both series indexed", mount=m,
             until=lambda names: names == [OPEN, PRIVATE])
    plant(m.db)
    mine, theirs = lines_of(OPEN, 2), lines_of(PRIVATE, 3)
    # the owner reads every line, on the mount and over HTTP
    text = wait_for(lambda: m.read("status/health").decode(), 30,
                    "the planted lines in health", mount=m,
                    until=lambda t: all(x in t for x in mine + theirs +
                                        [SERVICE]))
    assert w.curl("/status/health")[2].decode() == text
    page = w.curl("/")[2].decode()
    assert all(x in page for x in mine) and PRIVATE in page
    # the user: only the open series, the size it reads
    got = read_as(u, m.file("status/health"))
    assert all(x in got for x in mine + [TOLD]), got
    assert PRIVATE not in got and "victim.cbz" not in got, got
    # over HTTP, as the account of that user: the file and the page
    status, _, body = w.curl("/status/health", user=u.name)
    assert status == 200 and body.decode() == got, body
    status, _, body = w.curl("/", user=u.name)
    assert status == 200
    assert all(x in body.decode() for x in mine), body
    assert PRIVATE.encode() not in body and b"victim.cbz" not in body
    # what says the permissions did it: opened up, the user reads them
    os.chmod(os.path.join(manga, PRIVATE), 0o755)
    wait_for(lambda: u.read(m.file("status/health")), 30,
             "the opened series' lines in the user's health", mount=m,
             until=lambda t: not isinstance(t, OSError) and
             all(x.encode() in t for x in theirs + [SERVICE]))
