# SPDX-License-Identifier: GPL-3.0-or-later
"""/control/blocklist lists the releases blocked to the owner alone (issue
76's probe): a release's title names its series, which may be another
user's private one, and its reason what the client said of it. Another
local user, on the mount (stat() telling the size it reads) and as its
HTTP account, reads the commands and no release."""

import sqlite3
import time

from conftest import wait_for
from access_users import pytestmark, figures, world  # noqa: F401
from test_health_shown import read_as, with_private_series

PRIVATE = "Victim Secret Series"
TITLE = PRIVATE + " T03 FRENCH"
REASON = "qbittorrent: the client refused it: torrent is invalid"
LINE = "0123456789abcdef\t%s\t%s\n" % (TITLE, REASON)


def plant(db_path):
    """A release the client refused, written as blocklist_release()
    records it (no client is set up: nothing else writes it)."""
    db = sqlite3.connect(db_path, timeout=30)
    try:
        with db:
            db.execute("INSERT INTO blocklist (id, title, reason, at)"
                       " VALUES ('0123456789abcdef', ?, ?, ?)",
                       (TITLE, REASON, time.time()))
    finally:
        db.close()


def test_blocklist_is_the_owners_to_read(world):  # noqa: F811
    with_private_series(world, {PRIVATE: (1,)}, PRIVATE, check)


def check(w, u, manga):
    m = w.m
    plant(m.db)
    # the owner reads the release, on the mount and over HTTP
    text = wait_for(lambda: m.read("control/blocklist").decode(), 30,
                    "the planted release in the blocklist", mount=m,
                    until=lambda t: LINE in t)
    assert "remove ID" in text
    assert w.curl("/control/blocklist")[2].decode() == text
    # the user: the commands, no release, the size it reads
    got = read_as(u, m.file("control/blocklist"))
    assert "remove ID" in got, got
    assert PRIVATE not in got and "refused" not in got, got
    assert "0123456789abcdef" not in got, got
    status, _, body = w.curl("/control/blocklist", user=u.name)
    assert status == 200 and body.decode() == got, body
