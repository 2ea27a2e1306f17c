# SPDX-License-Identifier: GPL-3.0-or-later
"""Nautiljon's refusals by their kind (issue 61), on the fake Nautiljon
(tests/fakes/nautiljon_fake.py): a 429 backs Nautiljon off by its own
rule, Retry-After when it says one, else a back-off that grows; a
Cloudflare challenge is a refusal whatever its status, Cloudflare's bot
protection sending it with a 429: waiting would not solve it, so it is
not waited for. Health names Nautiljon and when it resumes, the line
goes when the pause ends, and meanwhile the series goes on to MangaDex.
(A 403, with Retry-After or without, is test_sources.py's.)"""

import re
import time

import pytest

from conftest import wait_for
from test_monitor import Monitor, mounted, saga
from test_sources import KNOWN, PAGES, new_counts


@pytest.fixture
def monitored(tmp_path, fake):
    def build(*args, **kw):
        return Monitor(tmp_path, fake, *args, nautiljon=PAGES,
                       mangadex=KNOWN, **kw)
    yield from mounted(build)


def health(mon):
    return mon.m.read("status/health").decode()


def budget(mon):
    return mon.m.json("metrics/requests.json")["nautiljon"]


def test_challenge_with_429_is_a_refusal(monitored):
    """The challenge Cloudflare's bot protection sends with a 429 and no
    Retry-After pauses Nautiljon at once, as a 403 would: the check does
    not wait it out and ask again, a check right after sends Nautiljon
    nothing, and health says it was refused, not rate limited."""
    mon = monitored([saga(1)])
    mon.m.write("manga/Saga 01/source", "cloudflare+busy\n")
    assert new_counts(mon)[0] == [(12, 13, "mangadex", "fr"),
                                  (13, 13, "mangadex", "fr")]
    assert len(mon.pages()) == 1
    b = budget(mon)
    assert b["last_refusal"]["status"] == 429 and b["http_429"] == 0
    until = b["paused_until_s"]
    assert until > time.time()
    text = health(mon)
    assert re.search(r"^warn: nautiljon: paused until \S+ \(refused, HTTP"
                     r" 429\)$", text, re.M)
    assert "warn: nautiljon: blocked (HTTP 429)" in text
    assert "error" not in text
    last = mon.check("new")
    # (a check slowed past the 10 s pause may ask again: it is due then)
    if last["finished_at_s"] < until:
        assert len(mon.pages()) == 1
    assert mon.m.json("status/new.json")[0]["source"] == "mangadex"
    wait_for(lambda: "nautiljon: paused" not in health(mon), 120,
             "the end of Nautiljon's pause in health", mount=mon.m)


def test_bare_429_backs_off_growing(monitored):
    """A 429 that says no Retry-After pauses Nautiljon for the first
    back-off, which a check waits out before it asks once more; a second
    429 doubles it. Health names Nautiljon and when it resumes, the
    series goes on to MangaDex, and the line goes when the pause ends."""
    mon = monitored([saga(1)])
    mon.m.write("manga/Saga 01/source", "ratelimit+bare\n")
    assert new_counts(mon)[0] == [(12, 13, "mangadex", "fr"),
                                  (13, 13, "mangadex", "fr")]
    sent = [p["time"] for p in mon.pages()]
    assert len(sent) == 2 and sent[1] - sent[0] >= 9.5
    b = budget(mon)
    assert b["http_429"] == 2 and b["backoff_seconds"] == 20
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                       time.gmtime(int(b["paused_until_s"])))
    assert "warn: nautiljon: paused until %s (429 too many requests)\n" \
        % at in health(mon)
    wait_for(lambda: "nautiljon: paused" not in health(mon), 120,
             "the end of Nautiljon's pause in health", mount=mon.m)
