# SPDX-License-Identifier: GPL-3.0-or-later
"""Prowlarr's search answers (issue 61): a record as a live Prowlarr
gave it (tests/data/prowlarr, replayed by recorded_fake.py) is read
without a complaint; of records of odd shapes, one the parser cannot
read is left out with a warning, and the releases beside it are kept;
an answer of nothing but such records is still refused, the series
keeping what it had."""

import json
import os
import time

import pytest

from conftest import REPO
from test_monitor import Monitor, by_volume, mounted, saga


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
    mon = monitored([saga(1)], monitor="cache_ttl = 1s\n")
    mon.check("missing")
    before = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert before[2]["releases"]
    # past the cache's 1 s, so that the next check asks Prowlarr again
    time.sleep(1.1)
    mon.prowlarr.call("/_inject", {"query": "saga 01", "status": 200,
                                   "times": 5, "body": json.dumps(ODD)})
    assert mon.check("missing")["errors"] == 1
    after = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert after[2]["releases"] == before[2]["releases"]
    assert log_lines(mon, "no release of the documented shape (3)")



@pytest.fixture
def replayed(tmp_path, fake):
    """A mount whose Prowlarr is the replay of tests/data/prowlarr."""
    def build(*args, **kw):
        rec = fake("recorded_fake.py", os.path.join(REPO, "tests", "data",
                                                    "prowlarr"))
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
