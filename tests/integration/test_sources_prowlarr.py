# SPDX-License-Identifier: GPL-3.0-or-later
"""Prowlarr's search answers (issue 61): a record as a live Prowlarr
gave it (tests/data/prowlarr, replayed by recorded_fake.py) is read
without a complaint; of records of odd shapes, one the parser cannot
read is left out with a warning, and the releases beside it are kept;
an answer of nothing but such records is still refused, the series
keeping what it had."""

import json
import os

import pytest

from conftest import REPO, wait_for
from reliability import every_file
from test_monitor import (API_KEY, Monitor, by_volume, kept, mounted, saga,
                          timed)


@pytest.fixture
def monitored(tmp_path, fake):
    def build(*args, **kw):
        return Monitor(tmp_path, fake, *args, **kw)
    yield from mounted(build)


# A release in the shape of Prowlarr's ReleaseResource, and records an
# indexer may spoil it into: a title that is a number, no guid, a size
# given as text.
GOOD = {"guid": "odd-good-2", "title": "Saga 01 T02", "indexerId": 1,
        "indexer": None, "size": None, "seeders": None,
        "protocol": "usenet", "downloadUrl": "http://nzb.example/2.nzb",
        "publishDate": "2024-01-02T03:04:05Z"}
ODD = [{"guid": "odd-1", "title": 2, "indexerId": 1},
       {"title": "Saga 01 T04", "indexerId": 1},
       {"guid": "odd-3", "title": "Saga 01 T06", "indexerId": 1,
        "size": "1 GB"}]


def log_lines(mon, text):
    return [line for line in mon.m.read("log").decode().splitlines()
            if text in line]


def test_odd_release_is_left_out(monitored):
    mon = monitored([saga(1)])
    mon.prowlarr.call("/_inject", {"query": "saga 01", "status": 200,
                                   "times": 1,
                                   "body": json.dumps([ODD[0], GOOD] +
                                                      ODD[1:])})
    assert mon.check("missing")["errors"] == 0
    found = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert [r["title"] for r in found[2]["releases"]] == ["Saga 01 T02"]
    assert found[4]["releases"] == [] and found[6]["releases"] == []
    warned = log_lines(mon, "3 of 4 releases not of the documented shape")
    assert len(warned) == 1 and "(the first: release 0)" in warned[0]


def test_answer_of_odd_records_only_is_refused(monitored):
    mon = monitored([saga(1)])
    mon.check("missing")
    before = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert before[2]["releases"]
    # a check asked by hand asks Prowlarr again within the cache's life
    mon.prowlarr.call("/_inject", {"query": "saga 01", "status": 200,
                                   "times": 5, "body": json.dumps(ODD)})
    assert mon.check("missing")["errors"] == 1
    after = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert kept(after[2]["releases"]) == kept(before[2]["releases"])
    assert log_lines(mon, "no release of the documented shape (3)")


def test_empty_answer_is_not_kept(monitored):
    """Prowlarr answers [] when every indexer it asked failed or was
    rate limited (its ReleaseSearchService gives an indexer's failure no
    release, tests/data/SOURCES.md): within the cache's time (an hour
    here) the next timed check asks again, and sees the releases then
    given; a timed check after it asks nothing."""
    mon = monitored([saga(1)])
    mon.prowlarr.call("/_inject", {"query": "saga 01", "status": 200,
                                   "times": 1, "body": "[]"})
    assert mon.check("missing")["errors"] == 0
    found = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert found[2]["releases"] == []
    mon.unmount()
    timed(mon)

    def timed_check(after):
        return wait_for(lambda: mon.last("missing"), 60, "a timed check",
                        until=lambda last: last and last["finished_at_s"]
                        and last["trigger"] == "schedule"
                        and last["finished_at_s"] != after, mount=mon.m)
    first = timed_check(None)
    assert first["errors"] == 0 and first["requests"]["prowlarr"] == 1
    found = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert {r["source"] for r in found[2]["releases"]} == {"prowlarr"}
    # an answer with releases is kept: the next timed check asks nothing
    second = timed_check(first["finished_at_s"])
    assert second["requests"]["prowlarr"] == 0
    assert second["cache_hits"] == 1
    assert len(mon.searches()) == 2



@pytest.fixture
def replayed(tmp_path, fake):
    """A mount whose Prowlarr is the replay of tests/data/prowlarr (answer:
    the recorded answer it gives every request instead)."""
    def build(*args, answer=None, **kw):
        rec = fake("recorded_fake.py", os.path.join(REPO, "tests", "data",
                                                    "prowlarr"),
                   *([answer] if answer else []))
        mon = Monitor(tmp_path, fake, *args, **kw)
        mon.conf.write_text(mon.conf.read_text().replace(mon.prowlarr.url,
                                                         rec.url))
        mon.rec = rec
        return mon
    yield from mounted(build)


def test_recorded_answer_is_read(replayed):
    """The record a live Prowlarr answered to a search of books
    (fishingpvalues/openbooks's capture: age in whole days, ageHours
    and ageMinutes fractional, indexerFlags as names, a magnet and no
    downloadUrl, the indexer named "1"): the answer is read, not
    refused, and an episode of a TV series ("S01E07", "2001" in its
    title) is no volume of the series of that name."""
    mon = replayed(["Mrs Davis"])
    assert mon.check("missing")["errors"] == 0
    asked = [r for r in mon.rec.call("/_requests")
             if r["path"] == "/api/v1/search"]
    assert [r["query"]["query"] for r in asked] == [["Mrs Davis"]]
    found = by_volume(mon.m.json("status/found.json"), "Mrs Davis")
    assert found and all(not e["releases"] for e in found.values())
    assert not log_lines(mon, "documented shape")


def refused(mon):
    """One check of missing volumes against the recorded answer: it
    fails, the search asked once; (the health line of Prowlarr, the
    log)."""
    assert mon.check("missing")["errors"] == 1
    assert [r["path"] for r in mon.rec.call("/_requests")] == \
        ["/api/v1/search"]
    health = [line for line in mon.m.read("status/health").decode()
              .splitlines() if "prowlarr" in line]
    assert len(health) == 1
    return health[0], mon.m.read("log").decode()


def test_recorded_401_is_a_refused_key(replayed):
    """The 401 a live Prowlarr gave a request without its API key
    (unauthorized.json: no body): health says the key was refused, and
    the key is in no log line and no file of the mount."""
    mon = replayed([saga(1)], answer="unauthorized.json")
    health, log = refused(mon)
    assert health == "error: prowlarr: access refused (HTTP 401 or 403)"
    assert 'search for "Saga 01": HTTP 401, the API key was refused' in log
    assert API_KEY not in log
    for path in every_file(mon.m.path):
        with open(path, "rb") as f:
            assert API_KEY.encode() not in f.read(), path


def test_recorded_400_is_a_refusal_not_a_server_error(replayed):
    """The 400 a live Prowlarr gave when an indexer's limit was reached
    (grab-limit.json: its error pipeline's {"message", "content"}):
    health says Prowlarr refused the request, not that it failed, and
    the log gives Prowlarr's reason."""
    mon = replayed([saga(1)], answer="grab-limit.json")
    health, log = refused(mon)
    assert health == "error: prowlarr: refused the request (HTTP 400 or" \
        " 409: the log says why)"
    assert 'search for "Saga 01": HTTP 400: BadRequest: Grab limit' \
        " reached" in log
    assert mon.m.json("metrics/requests.json")["prowlarr"]["failures"] == 0


def test_recorded_500_is_a_server_error(replayed):
    """The 500 a live Prowlarr gave for an exception of its own
    (server-error.json: {"message", "description"}, the description a
    .NET stack): health says server error, the log gives the status and
    none of the stack, and the failure counts against Prowlarr's
    throttle."""
    mon = replayed([saga(1)], answer="server-error.json")
    health, log = refused(mon)
    assert health == "error: prowlarr: server error"
    assert 'search for "Saga 01": HTTP 500' in log
    assert "InvalidOperationException" not in log
    assert "Microsoft.AspNetCore" not in log
    assert mon.m.json("metrics/requests.json")["prowlarr"]["failures"] == 1


def test_recorded_search_of_a_tv_series(replayed):
    """A live Prowlarr's whole answer to a search (search.rick-and-
    morty.json: 246 releases of nine indexers, magnets as guids, proxy
    links carrying the key): read without a complaint, no episode,
    season pack or resolution taken for a volume, and the key of the
    proxy links in no log line and no file of the mount."""
    mon = replayed(["Rick and Morty"])
    assert mon.check("missing")["errors"] == 0
    found = by_volume(mon.m.json("status/found.json"), "Rick and Morty")
    assert found and all(not e["releases"] for e in found.values())
    log = mon.m.read("log").decode()
    assert "documented shape" not in log
    assert API_KEY not in log
    for path in every_file(mon.m.path):
        with open(path, "rb") as f:
            assert API_KEY.encode() not in f.read(), path
