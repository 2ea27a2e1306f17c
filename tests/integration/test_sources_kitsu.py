# SPDX-License-Identifier: GPL-3.0-or-later
"""The count of volumes out from Kitsu (tests/fakes/kitsu_fake.py, which
answers in the shapes Kitsu answered, tests/data/kitsu/): asked by the
id the series' source names, or found by its title; what a check counts
of it in its files; a record that runs, a novel, a 404, a 429 with its
Retry-After, and bad answers."""

import json

import pytest

from test_monitor import Monitor, mounted, saga
from test_sources import (KNOWN, log_text, new_counts,
                          pauses_at_rate_limit, refuses_bad_answers,
                          waits_out_retry_after)

# At Kitsu, Saga 05 is a finished manga of 12 volumes, Saga 02 runs with
# no count (volumeCount null), Saga 06 is a manhwa, Saga 03 a novel,
# Saga 07 answers a first 429 that asks to wait 1 s.
KITSU = {
    "Saga 05": {"id": 4105, "volumes": 12, "status": "finished",
                "abbreviated": ["S05"]},
    "Saga 02": {"id": 4102, "volumes": None, "status": "current"},
    "Saga 06": {"id": 4106, "volumes": 7, "subtype": "manhwa",
                "status": "finished"},
    "Saga 03": {"id": 4103, "volumes": 3, "subtype": "novel",
                "status": "finished"},
    "Saga 07": {"id": 4107, "volumes": 13, "status": "finished",
                "slow": True},
}
JA = "edition = ja\nnew_sources = kitsu\n"


@pytest.fixture
def monitored(tmp_path, fake):
    known = tmp_path / "kitsu.json"
    known.write_text(json.dumps(KITSU))
    kitsu = fake("kitsu_fake.py", known)

    def build(*args, extra="", **kw):
        mon = Monitor(tmp_path, fake, *args, extra=extra +
                      "[kitsu]\nurl = %s\nrequests_per_minute = 120\n"
                      % kitsu.url, **kw)
        mon.kitsu = kitsu
        return mon
    yield from mounted(build)


def calls(mon):
    return mon.kitsu.call("/_requests")


def checks_row(mon):
    lines = mon.m.read("metrics/checks.csv").decode().splitlines()
    return dict(zip(lines[0].split(","), lines[-1].split(",")))


def test_by_id_counted_in_every_file(monitored):
    """The recipe's proof (ARCHITECTURE.md, "A manga source", 7): the
    check asks the record the series' source names, and its request is
    counted in checks.csv, monitor.json and the Prometheus file."""
    mon = monitored([saga(5)], monitor=JA)
    mon.m.write("manga/Saga 05/source", "kitsu:4105\n")
    counts, new = new_counts(mon)
    assert counts == [(12, 12, "kitsu", "ja")]
    assert new[0]["status"] == "finished"
    assert [c["path"] for c in calls(mon)] == ["/manga/4105"]
    got = mon.m.json("manga/Saga 05/status.json")
    assert got["published"]["volumes"] == 12
    assert got["published"]["source"] == "kitsu"
    assert got["published"]["record"] == "kitsu:4105"
    meta = got["metadata"]
    assert meta["title"] == "Saga 05" and meta["alt_titles"] == ["S05"]
    assert meta["url"] == "https://kitsu.io/manga/saga-05"
    assert meta["source"] == "kitsu:4105"
    assert checks_row(mon)["kitsu"] == "1"
    last = mon.m.json("metrics/monitor.json")["last_check"]["new"]
    assert last["requests"]["kitsu"] == 1
    prom = mon.m.read("metrics/prometheus").decode().splitlines()
    assert [x for x in prom if x.startswith("mediamon_check_requests{")
            and 'source="kitsu"' in x and 'check="new"' in x] \
        and all(x.endswith(" 1") for x in prom
                if x.startswith("mediamon_check_requests{")
                and 'source="kitsu"' in x and 'check="new"' in x)
    assert 'mediamon_throttle_requests_total{service="kitsu"} 1' in prom
    # a second check is answered by the cache
    mon.check("new")
    assert len(calls(mon)) == 1


def test_found_by_title_and_kept(monitored):
    mon = monitored([saga(5)], monitor=JA)
    counts, _ = new_counts(mon)
    assert counts == [(12, 12, "kitsu", "ja")]
    [c] = calls(mon)
    assert c["path"] == \
        "/manga?filter%5Btext%5D=Saga%2005&page%5Blimit%5D=20"
    assert mon.found("Saga 05") == ["kitsu:4105"]
    mon.check("new")
    assert len(calls(mon)) == 1


def test_no_count_while_it_runs_passes_on(monitored):
    mon = monitored([saga(2)], monitor="edition = ja\n"
                    "new_sources = kitsu, mangadex\n", mangadex=KNOWN)
    counts, _ = new_counts(mon)
    assert {c[1:] for c in counts} == {(17, "mangadex", "ja")}
    assert len(calls(mon)) == 1
    assert "kitsu" not in mon.m.read("status/health").decode()


def test_novel_and_other_edition_are_not_the_count(monitored):
    mon = monitored([saga(3), saga(6)], monitor=JA)
    assert new_counts(mon, errors=2)[0] == []
    assert "Saga 06: no source gives the count of volumes out in the ja" \
        " edition" in log_text(mon)
    # a search that found nothing of the edition is no fault of Kitsu's
    assert "kitsu" not in mon.m.read("status/health").decode()
    # the manhwa is the Korean edition's
    mon.m.write("manga/Saga 06/edition", "ko\n")
    mon.check("new")
    got = mon.m.json("manga/Saga 06/status.json")["published"]
    assert (got["volumes"], got["source"], got["edition"]) == \
        (7, "kitsu", "ko")


def test_named_record_gone_is_a_warning(monitored):
    mon = monitored([saga(5)], monitor=JA)
    mon.m.write("manga/Saga 05/source", "kitsu:987654\n")
    mon.check("new")
    health = mon.m.read("status/health").decode().splitlines()
    assert "warn: kitsu: Saga 05: record 987654 not found (HTTP 404);" \
        " its metadata is kept; write the one to follow into" \
        " /manga/Saga 05/source" in health, health
    assert [c["path"] for c in calls(mon)] == ["/manga/987654"]


def test_search_route_missing_is_the_url(tmp_path, fake):
    """A 404 to a search, a route that always answers, says the url is
    not Kitsu's; a record's 404 is a series gone (above)."""
    other = fake("http_fake.py")
    mon = Monitor(tmp_path, fake, [saga(5)], monitor=JA,
                  extra="[kitsu]\nurl = %s\n" % other.url)
    mon.mount()
    try:
        mon.check("new")
        assert "error: kitsu: Saga 05: no such route (HTTP 404: check the" \
            " url)" in mon.m.read("status/health").decode()
    finally:
        mon.unmount()


def test_short_retry_after_is_waited_out(monitored):
    waits_out_retry_after(monitored([saga(7)], monitor=JA), "kitsu", calls,
                          13)


def test_long_retry_after_pauses(monitored):
    mon, _ = pauses_at_rate_limit(monitored, "kitsu", JA, calls)
    # paused: the next check does not ask
    mon.check("new")
    assert len(calls(mon)) == 1


def test_bad_answers_are_refused(monitored):
    mon = refuses_bad_answers(monitored, "kitsu", JA, "Invalid filter",
                              calls)
    assert mon.m.json("metrics/requests.json")["kitsu"]["requests"] == 4
