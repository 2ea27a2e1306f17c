# SPDX-License-Identifier: GPL-3.0-or-later
"""Issue 68 point 6: a large debrid account listed whole in each pass,
over the Real-Debrid fake (test_repair's setup) with 5,000 torrents and a
server that pages 1,000 at a time (so the listing takes pages; the client
asks for 5,000, the API's documented most): within the rate limit, a
dead link into the oldest torrent repaired in the first pass, the repairs
the last listing maps sent before the next listing, a page refused (429)
or failing (503) taken up again from where it stopped, X-Total-Count
missing or wrong, and torrents removed between two pages."""

import csv
import io

import pytest

from test_repair import DEAD, OTHER, rd_mount, setup  # noqa: F401
from realdebrid_fake import make_id

# with the 5 built-in torrents (the oldest), 5,000
GENERATED = 4995
PAGED = {"page_max": 1000}
# each request starts 100 torrents before where the one before ended;
# the last one brings nothing new and ends the listing
OFFSETS = ["0", "900", "1800", "2700", "3600", "4500", "4900"]


def listed(s):
    return {t["id"] for t in s.m.json("status/debrid-torrents.json")}


def held(s):
    return {t["id"] for t in s.rd.call("/_torrents")}


def newest_first(s):
    return [t["id"] for t in sorted(s.rd.call("/_torrents"),
                                    key=lambda t: t["added"], reverse=True)]


def lists(s, after=0):
    """The (offset, status) of each list request from the after-th
    request on."""
    return [(r["args"].get("offset", [""])[0], r["status"])
            for r in s.requests()[after:] if r["path"] == "/torrents"]


def passes(s):
    return list(csv.DictReader(io.StringIO(
        s.m.read("metrics/repair.csv").decode())))


def test_account_listed_whole_in_one_pass_within_the_rate_limit(setup):
    """The fake refuses past 250 requests a minute (the documented
    limit); the daemon at 240 lists 5,000 torrents in one pass with no
    429, and repairs the dead link into the oldest torrent in it."""
    s = setup(rpm=240, state={"generate": GENERATED, "settings": dict(
        PAGED, rate_per_minute=250)})
    # Dead.Movie.1999 is the account's oldest torrent, on its last page
    assert newest_first(s)[-1] == make_id(DEAD)
    s.command("run")
    assert [r for r in s.requests() if r["status"] == 429] == []
    assert [o for o, _ in lists(s)] == OFFSETS
    first = passes(s)[0]
    assert first["repaired"] == "2", first
    repaired = {r["torrent"] for r in s.repairs()["repaired"]}
    assert repaired == {make_id(OTHER), make_id(DEAD)}
    shown = listed(s)
    assert len(shown) == 5000
    assert shown == held(s)
    magnets = s.m.read("status/debrid-magnets").decode().splitlines()
    assert len(magnets) == 5000


def test_repairs_the_last_listing_maps_do_not_wait_for_the_next(setup):
    """Once the account was listed, a pass starts the repairs its copy
    maps before it lists the account again: both re-adds come before
    the pass's first list request, the oldest torrent's included."""
    s = setup(state={"generate": GENERATED, "settings": PAGED})
    s.command("scan")
    assert s.changes() == []
    n = len(s.requests())
    s.command("run")
    later = [r["path"] for r in s.requests()[n:]]
    adds = [i for i, p in enumerate(later) if p == "/torrents/addMagnet"]
    assert len(adds) == 2
    assert max(adds) < later.index("/torrents")
    assert {r["torrent"] for r in s.repairs()["repaired"]} == {
        make_id(OTHER), make_id(DEAD)}
    assert [o for o, _ in lists(s, n)] == OFFSETS


NGINX_503 = ("<html><head><title>503 Service Temporarily Unavailable"
             "</title></head></html>")


def test_failed_pages_taken_up_where_they_stopped(setup):
    """A 429 on page 3 ends the pass (nothing is shown half-way); the
    follow-up pass, once the throttle's pause is over, goes on from page
    3; a 503 on page 4 is tried again at once. Every torrent is listed,
    no page read twice but the one that failed."""
    s = setup(dry_run=True, state={"generate": GENERATED,
                                   "settings": PAGED})
    s.inject(path_regex="^/torrents$", query_regex="offset=1800&",
             status=429, body={"error": "too_many_requests",
                               "error_code": 34})
    s.inject(path_regex="^/torrents$", query_regex="offset=2700&",
             status=503, body=NGINX_503)
    s.command("scan")
    sync = s.repairs()["sync"]
    assert (sync["next_page"], sync["pages_done"], sync["torrents_seen"],
            sync["finished_at"]) == (3, 2, 1900, None)
    assert s.m.json("status/debrid-torrents.json") == []
    assert s.m.read("status/debrid-magnets") == b""
    s.wait(lambda: s.repairs()["sync"]["finished_at"], "the listing's end",
           timeout=120)
    s.wait(lambda: (s.repairs()["last_pass"] or {}).get("trigger") ==
           "follow-up", "the pass that ended it")
    assert lists(s) == [("0", 200), ("900", 200), ("1800", 429),
                        ("1800", 200), ("2700", 503), ("2700", 200),
                        ("3600", 200), ("4500", 200), ("4900", 200)]
    shown = listed(s)
    assert len(shown) == 5000 and shown == held(s)


@pytest.mark.parametrize("total", ["absent", 10, 99999])
def test_total_count_missing_or_wrong(setup, total):
    """Whatever X-Total-Count says, or without it, the listing goes on
    to a page that brings nothing new. A torrent gone from the account
    leaves the copy at the next listing, unless the count says the
    account holds more than the listing saw: then nothing is dropped."""
    s = setup(dry_run=True, state={"generate": GENERATED, "settings": dict(
        PAGED, total=total)})
    s.command("scan")
    assert [o for o, _ in lists(s)] == OFFSETS
    first = listed(s)
    assert len(first) == 5000 and first == held(s)
    gone = newest_first(s)[2000]
    s.inject(path_regex="^/torrents$", query_regex="offset=0&",
             remove=[gone])
    s.command("scan")
    kept = first if total == 99999 else first - {gone}
    assert listed(s) == kept


# the first request past page 1, wherever it starts
SECOND_PAGE = "offset=[1-9][0-9]*&"


def test_torrents_removed_between_pages(setup):
    """A torrent of page 1 removed while page 2 is asked for moves the
    rest up by one: the overlap keeps them all. More removed than the
    overlap covers: the listing starts again from page 1, once, and
    drops exactly the torrents gone."""
    s = setup(dry_run=True, state={"generate": GENERATED,
                                   "settings": PAGED})
    s.command("scan")
    first = listed(s)
    order = newest_first(s)
    one = order[10]
    s.inject(path_regex="^/torrents$", query_regex=SECOND_PAGE,
             remove=[one])
    s.command("scan")
    # seen on page 1 of this listing before it went
    assert listed(s) == first
    s.command("scan")
    assert listed(s) == first - {one}

    many = order[20:170]
    n = len(s.requests())
    s.inject(path_regex="^/torrents$", query_regex=SECOND_PAGE,
             remove=many)
    s.command("scan")
    assert [o for o, _ in lists(s, n)][:3] == ["0", "900", "0"]
    assert listed(s) == first - {one} - set(many)
    assert listed(s) == held(s)
    assert s.m.proc.poll() is None
