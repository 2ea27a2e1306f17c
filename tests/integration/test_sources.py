# SPDX-License-Identifier: GPL-3.0-or-later
"""The count of volumes out for the new-volume check, from Nautiljon,
MangaDex, MangaUpdates and AniList (fakes that answer in their shapes;
Kitsu's own in test_sources_kitsu.py): each edition's own count, the
order and the fallback, the cache, and bad answers refused."""

import errno
import json
import os
import re
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import wait_for
from test_monitor import Monitor, mounted, saga
from test_opds import ATOM, DC

ONE = "0a1b2c3d-0000-4000-8000-000000000001"
TWO = "0a1b2c3d-0000-4000-8000-000000000002"

# Saga 01 (volumes 1, 3, ..., 11 owned) has 14 volumes out in French at
# Nautiljon, 13 translated into French and 16 into English at MangaDex.
PAGES = {"saga+01": [14, "En cours"]}
KNOWN = {
    "Saga 01": {"id": ONE, "status": "ongoing",
                "volumes": {"fr": 13, "en": 16}},
    "Saga 02": {"id": TWO, "status": "completed", "lastVolume": "18",
                "alt": ["Sāga Ni"], "volumes": {"en": 18, "ja": 17}},
}
# At MangaUpdates, Saga 01 is a Manga with 15 volumes out in Japanese,
# Saga 03 a Manhwa, and Saga 04 has no volume count yet.
UPDATES = {
    "Saga 01": {"id": 55099564912, "type": "Manga", "volumes": 15},
    "Saga 03": {"id": 10001, "type": "Manhwa", "volumes": 9},
    "Saga 04": {"id": 10002, "type": "Manga", "status": "Ongoing"},
    "Saga 09": {"id": 10009, "type": "Manga", "volumes": 20},
}
# At AniList, Saga 05 (unknown to MangaUpdates) has 12 volumes, Saga 02
# runs (its volumes null), Saga 06 is Korean, Saga 07 answers a first
# 429 that asks to wait 1 s.
ANILIST = {
    "Saga 05": {"id": 30013, "volumes": 12, "status": "FINISHED",
                "english": "The Saga Five",
                "description": "Five <i>sagas</i>.<br><br>\n(Source: X)",
                "genres": ["Drama", "Mystery"],
                "staff": [["Story & Art", "Ann Author"],
                          ["Translator (English)", "Tom Translator"]]},
    "Saga 02": {"id": 30002, "volumes": None, "status": "RELEASING"},
    "Saga 06": {"id": 30006, "volumes": 7, "country": "KR",
                "status": "FINISHED"},
    "Saga 07": {"id": 30007, "volumes": 13, "slow": True},
}


@pytest.fixture
def monitored(tmp_path, fake):
    known = tmp_path / "mangaupdates.json"
    known.write_text(json.dumps(UPDATES))
    updates = fake("mangaupdates_fake.py", known)
    known = tmp_path / "anilist.json"
    known.write_text(json.dumps(ANILIST))
    anilist = fake("anilist_fake.py", known)
    # Kitsu, asked last for ja, ko and zh, knows none of them
    kitsu = fake("kitsu_fake.py")

    def build(*args, extra="", **kw):
        mon = Monitor(tmp_path, fake, *args, nautiljon=PAGES,
                      mangadex=KNOWN, extra=extra +
                      "[mangaupdates]\nurl = %s\nrequests_per_minute = 120\n"
                      "[anilist]\nurl = %s\nrequests_per_minute = 120\n"
                      "[kitsu]\nurl = %s\nrequests_per_minute = 120\n"
                      % (updates.url, anilist.url, kitsu.url), **kw)
        mon.updates = updates
        mon.anilist = anilist
        mon.kitsu = kitsu
        return mon
    yield from mounted(build)


def log_text(mon):
    with open(mon.m.proc.log_path, encoding="utf-8",
              errors="replace") as f:
        return f.read()


def new_counts(mon, errors=0):
    """Run a new check that has errors errors, and return its volumes as
    (volume, published, source, edition), with status/new.json."""
    assert mon.check("new")["errors"] == errors
    new = mon.m.json("status/new.json")
    return [(e["volume"], e["published"], e["source"], e["edition"])
            for e in new], new


def refuses_bad_answers(monitored, source, monitor, error_body, calls):
    """The fake of source answers the series "deep" with JSON nested too
    deep, "error body" with its error answer (whose message is
    error_body), "html" with a page and "huge" with too much: each is
    refused, logged and changes nothing. calls(mon) lists the requests
    the fake took."""
    names = ["deep", "error body", "html", "huge"]
    mon = monitored(names, monitor=monitor)
    assert new_counts(mon, errors=4)[0] == []
    assert len(calls(mon)) == 4
    log = log_text(mon)
    assert "%s: deep: invalid JSON" % source in log
    assert "%s: error body: an error answer: %s" % (source, error_body) \
        in log
    assert "%s: html: an HTML page, not JSON (check the url)" % source \
        in log
    assert "error: %s: huge: answer too large" % source in \
        mon.m.read("status/health").decode()
    assert mon.m.read("status/new") == b""
    for name in names:
        assert mon.m.read("manga/%s/source" % name) == b""
        assert mon.m.json("manga/%s/status.json" % name)["status"] is None
    return mon


def pauses_at_rate_limit(monitored, source, monitor, calls):
    """The fake of source answers the series "ratelimit" with a 429 that
    asks to wait 200 s, longer than a check waits: the check fails that
    series, health shows the pause (a line that ends with it, no error
    that would outlast it), and the budget shows the pause. Returns the
    mount and the budget."""
    mon = monitored(["ratelimit"], monitor=monitor)
    before = time.time()
    assert new_counts(mon, errors=1)[0] == []
    assert len(calls(mon)) == 1
    budget = mon.m.json("metrics/requests.json")[source]
    assert budget["last_refusal"]["status"] == 429
    assert budget["http_429"] == 1 and budget["requests"] == 1
    assert before + 150 < budget["paused_until_s"] < time.time() + 210
    health = mon.m.read("status/health").decode().splitlines()
    [line] = [x for x in health if source in x]
    assert line.startswith("warn: %s: paused until " % source)
    assert line.endswith(" (429 too many requests)")
    return mon, budget


def test_french_edition_is_nautiljons(monitored):
    mon = monitored([saga(1)])
    assert new_counts(mon)[0] == [(12, 14, "nautiljon", "fr"),
                              (13, 14, "nautiljon", "fr"),
                              (14, 14, "nautiljon", "fr")]
    # Nautiljon knew: MangaDex is not asked
    assert mon.mangadex_calls() == []
    assert len(mon.pages()) == 1
    # what the page's items said (issue 68); its address is the fake's
    # http one, which is no page to link to
    meta = mon.m.json("manga/Saga 01/status.json")["metadata"]
    assert meta["authors"] == ["ODA Eiichirô"]
    assert meta["genres"] == ["Action", "Aventure"]
    assert meta["alt_titles"] == ["ONE PIECE"]
    assert meta["status"] == "En cours" and meta["url"] is None
    assert meta["source"] == "nautiljon:saga+01"
    # the page's heading, synopsis (its markup set aside) and cover link
    assert meta["title"] == "Saga 01"
    assert meta["summary"] == "Luffy, un garçon au corps élastique, " \
        "part en mer.\n\nIl veut devenir le roi des pirates."
    assert meta["cover"] == \
        "https://www.nautiljon.com/images/manga/00/21/one_piece_1.webp"
    feed = ET.fromstring(mon.m.read("opds/series.xml"))
    [e] = [e for e in feed.iter(ATOM + "entry")
           if e.findtext(ATOM + "title") == "Saga 01"]
    assert e.findtext(ATOM + "summary") == meta["summary"]
    assert e.findtext(DC + "language") == "fr"


def test_english_edition_is_mangadexs(monitored):
    mon = monitored([saga(1), saga(2)], monitor="edition = en\n")
    mon.m.write("manga/Saga 01/source", "mangadex:%s\n" % ONE)
    last = mon.check("new")
    assert last["errors"] == 0
    new = mon.m.json("status/new.json")
    assert [(e["series"], e["volume"], e["source"], e["edition"])
            for e in new] == [("Saga 01", v, "mangadex", "en")
                              for v in range(12, 17)] + [
        ("Saga 02", v, "mangadex", "en") for v in range(12, 19)]
    # the status comes with the search, or with the record of the id
    # the source names (issue 68: read by id, not searched)
    assert new[0]["published"] == 16 and new[0]["status"] == "ongoing"
    assert new[-1]["status"] == "completed, 18 volumes in all"
    calls = mon.mangadex_calls()
    # a search for the series without an id, one aggregate each, and the
    # record of the one named by its id
    assert sorted(c["path"] for c in calls) == sorted([
        "/manga", "/manga/%s/aggregate" % ONE, "/manga/%s/aggregate" % TWO,
        "/manga/" + ONE])
    search = [c for c in calls if c["path"] == "/manga"][0]
    assert search["query"]["title"] == ["Saga 02"]
    assert all(c["query"]["translatedLanguage[]"] == ["en"]
               for c in calls if c["path"].endswith("/aggregate"))
    # Nautiljon counts the French edition only: never asked
    assert mon.pages() == []
    # the id found is kept apart from the series' source, the user's
    assert mon.found("Saga 02") == ["mangadex:" + TWO]
    budget = mon.m.json("metrics/requests.json")["mangadex"]
    assert budget["requests"] == 4

    # a second check costs no request: Saga 02's record came with its
    # search, Saga 01's is cached
    last = mon.check("new")
    assert len(mon.mangadex_calls()) == 4
    assert mon.m.json("metrics/requests.json")["mangadex"]["requests"] == 4
    assert [dict(e, checked_at=None) for e in
            mon.m.json("status/new.json")] == [
        dict(e, checked_at=None) for e in new]


def test_blocked_nautiljon_passes_to_mangadex(monitored):
    mon = monitored([saga(1)])
    mon.m.write("manga/Saga 01/source", "cloudflare\n")
    assert new_counts(mon)[0] == [(12, 13, "mangadex", "fr"),
                              (13, 13, "mangadex", "fr")]
    health = mon.m.read("status/health").decode()
    assert "warn: nautiljon: blocked (HTTP 403)" in health
    assert "error" not in health
    # the user's source stays theirs; the id found is apart
    assert mon.m.read("manga/Saga 01/source") == b"cloudflare\n"
    assert mon.m.json("manga/Saga 01/status.json")["found"] == [
        "mangadex:" + ONE]


def test_refused_source_backs_off(monitored):
    """A 403 pauses Nautiljon at once: a check within the pause sends it
    nothing (the series goes on to MangaDex), health names the source and
    when it resumes, and that line goes when the pause ends."""
    mon = monitored([saga(1)])
    mon.m.write("manga/Saga 01/source", "cloudflare\n")
    new_counts(mon)
    assert len(mon.pages()) == 1
    until = mon.m.json("metrics/requests.json")["nautiljon"][
        "paused_until_s"]
    assert until > time.time()
    assert re.search(r"^warn: nautiljon: paused until \S+ \(refused, HTTP"
                     r" 403\)$", mon.m.read("status/health").decode(),
                     re.M)
    last = mon.check("new")
    # (a check slowed past the 10 s pause may ask again: it is due then)
    if last["finished_at_s"] < until:
        assert len(mon.pages()) == 1
    assert mon.m.json("status/new.json")[0]["source"] == "mangadex"
    wait_for(lambda: "nautiljon: paused" not in
             mon.m.read("status/health").decode(), 120,
             "the end of Nautiljon's pause in health", mount=mon.m)


def test_refusal_with_retry_after_waits_it(monitored):
    """A 403 that says Retry-After: 600 pauses Nautiljon that long, not
    the 10 s of a first back-off (issue 61): health names the source and
    when it resumes, and a check right after sends it nothing (the series
    goes on to MangaDex)."""
    mon = monitored([saga(1)])
    mon.m.write("manga/Saga 01/source", "cloudflare+wait\n")
    sent = time.time()
    new_counts(mon)
    assert len(mon.pages()) == 1
    until = mon.m.json("metrics/requests.json")["nautiljon"][
        "paused_until_s"]
    assert until >= sent + 590
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(until)))
    assert "warn: nautiljon: paused until %s (refused, HTTP 403)\n" % at \
        in mon.m.read("status/health").decode()
    mon.check("new")
    assert len(mon.pages()) == 1
    assert mon.m.json("status/new.json")[0]["source"] == "mangadex"
    # the series skipped is logged for the refusal, not as a 429 (issue
    # 81)
    assert "monitor: nautiljon: cloudflare+wait: skipped: paused after a" \
        " refusal (HTTP 403)" in log_text(mon)
    assert "rate limited (HTTP 429)" not in log_text(mon)


def test_edition_short_of_the_finished_original_is_ongoing(monitored):
    """Saga 02 is completed at MangaDex in 18 volumes, of which 17 are in
    Japanese: the ja edition's status is its own, not the original's
    "completed, 18 volumes in all" beside its count of 17 (issue 81)."""
    mon = monitored([saga(2)], monitor="edition = ja\n"
                    "new_sources = mangadex\n")
    assert mon.check("new")["errors"] == 0
    status = mon.m.json("manga/Saga 02/status.json")
    assert (status["published"]["volumes"], status["published"]["source"]) \
        == (17, "mangadex")
    assert status["status"] == "ongoing"
    # the record's own status stays in its metadata
    assert status["metadata"]["status"] == "completed"


def test_search_route_404_is_an_error_naming_the_url(monitored):
    """A [mangadex] url that is not MangaDex's (a path its search route
    is not under) answers the search 404: an error in health naming the
    route, its url in the log, not "MangaDex knows no such manga"
    (issue 81)."""
    mon = monitored([saga(1)], monitor="new_sources = mangadex\n")
    mon.unmount()
    wrong = mon.mangadex.url + "/wrong"
    mon.conf.write_text(mon.conf.read_text().replace(
        "[mangadex]\nurl = %s\n" % mon.mangadex.url,
        "[mangadex]\nurl = %s\n" % wrong, 1))
    mon.mount()
    assert mon.check("new")["errors"] == 1
    health = mon.m.read("status/health").decode()
    assert "error: mangadex: Saga 01: no such route (HTTP 404: check the" \
        " url)" in health, health
    assert "mangadex: %s/manga?title=Saga%%2001" % wrong in log_text(mon)
    assert "answered 404: no such route there (check [mangadex] url)" \
        in log_text(mon)


def test_unknown_series_stays_with_one_warning(monitored):
    mon = monitored(["Nowhere"])
    last = mon.check("new")
    assert last["errors"] == 1
    assert len(mon.pages()) == 1 and len(mon.mangadex_calls()) == 1
    assert mon.m.read("status/new") == b""
    assert mon.m.read("status/health") == \
        b"warn: monitor: the last new check had 1 error (see /log)\n"
    assert "Nowhere: no source gives the count of volumes out in the fr" \
        " edition" in log_text(mon)
    assert mon.m.read("manga/Nowhere/source") == b""


def test_bad_answers_are_refused(monitored):
    # a source named twice is asked once
    mon = refuses_bad_answers(monitored, "mangadex",
                              "new_sources = mangadex, mangadex\n",
                              "An unknown error occurred",
                              Monitor.mangadex_calls)
    assert mon.pages() == []


def test_rate_limit_waits_for_mangadexs_window(monitored):
    """MangaDex's 429 says when its window reopens, in 200 s: longer than
    a check waits, so the series is not asked again in this check, and
    the budget shows the pause."""
    mon, _ = pauses_at_rate_limit(monitored, "mangadex",
                                  "new_sources = mangadex\n",
                                  Monitor.mangadex_calls)
    assert mon.m.read("status/new") == b""


def updates_calls(mon):
    return mon.updates.call("/_requests")


def test_japanese_edition_is_mangaupdates(monitored):
    mon = monitored([saga(1)], monitor="edition = ja\n")
    counts, new = new_counts(mon)
    assert counts == [(v, 15, "mangaupdates", "ja") for v in range(12, 16)]
    assert new[0]["status"] == "ongoing"
    calls = updates_calls(mon)
    assert [(c["method"], c["path"]) for c in calls] == [
        ("POST", "/v1/series/search"), ("GET", "/v1/series/55099564912")]
    assert calls[0]["body"] == {"search": "Saga 01", "perpage": 10}
    # neither Nautiljon (French) nor MangaDex (after it) is asked
    assert mon.pages() == [] and mon.mangadex_calls() == []
    assert mon.found("Saga 01") == ["mangaupdates:55099564912"]
    assert mon.m.json("metrics/requests.json")["mangaupdates"][
        "requests"] == 2

    # a second check costs no request
    mon.check("new")
    assert len(updates_calls(mon)) == 2
    assert mon.m.json("metrics/requests.json")["mangaupdates"][
        "requests"] == 2


def test_id_in_source_spares_the_search(monitored):
    mon = monitored([saga(1)], monitor="edition = ja\n")
    mon.m.write("manga/Saga 01/source", "mangaupdates:55099564912\n")
    mon.check("new")
    assert [c["path"] for c in updates_calls(mon)] == [
        "/v1/series/55099564912"]
    assert mon.m.json("status/new.json")[-1]["published"] == 15


def test_other_original_or_no_count_passes_to_the_next(monitored):
    """A Manhwa has no count of a Japanese edition, and a status without
    volumes none at all: both pass to MangaDex, which knows neither. The
    ongoing series with no volume yet is a state, not a check error."""
    mon = monitored([saga(3), saga(4)], monitor="edition = ja\n")
    last = mon.check("new")
    assert last["errors"] == 1
    assert mon.m.json("manga/Saga 04/status.json")["status"] == \
        "no volume yet"
    assert mon.m.json("manga/Saga 04/status.json")["published"] is None
    assert "Saga 04" not in mon.m.read("status/health").decode()
    # the search tells the Manhwa: its record is not asked
    assert [c["path"] for c in updates_calls(mon)] == [
        "/v1/series/search", "/v1/series/search", "/v1/series/10002"]
    assert len(anilist_calls(mon)) == 2
    assert len(mon.mangadex_calls()) == 2
    assert len(mon.kitsu.call("/_requests")) == 2
    assert mon.m.read("status/new") == b""
    log = log_text(mon)
    assert "Saga 03: no source gives the count of volumes out in the ja" \
        " edition" in log
    # a Manhwa is not the Japanese edition's record: not kept as the
    # series' source (issue 61)
    assert mon.m.read("manga/Saga 03/source") == b""


def test_french_edition_never_asks_mangaupdates(monitored):
    mon = monitored([saga(1)],
                    monitor="new_sources = mangaupdates, nautiljon\n")
    mon.check("new")
    assert updates_calls(mon) == []
    assert mon.m.json("status/new.json")[0]["source"] == "nautiljon"


def test_mangaupdates_bad_answers_are_refused(monitored):
    mon = refuses_bad_answers(monitored, "mangaupdates", "edition = ja\n"
                              "new_sources = mangaupdates\n",
                              "An unexpected error occurred", updates_calls)
    assert mon.mangadex_calls() == []
    # a second check asks again: a refused answer is not kept
    mon.check("new")
    assert len(updates_calls(mon)) == 8


def test_mangaupdates_rate_limit_pauses(monitored):
    mon, _ = pauses_at_rate_limit(monitored, "mangaupdates",
                                  "edition = ja\nnew_sources = mangaupdates\n",
                                  updates_calls)
    # a second check does not knock while paused
    mon.check("new")
    assert len(updates_calls(mon)) == 1


def anilist_calls(mon):
    return mon.anilist.call("/_requests")


def test_anilist_when_mangaupdates_does_not_know(monitored):
    mon = monitored([saga(5)], monitor="edition = ja\n")
    counts, new = new_counts(mon)
    assert counts == [(12, 12, "anilist", "ja")]
    assert new[0]["status"] == "finished"
    assert [c["path"] for c in updates_calls(mon)] == ["/v1/series/search"]
    calls = anilist_calls(mon)
    assert len(calls) == 1 and calls[0]["method"] == "POST"
    assert calls[0]["body"]["variables"] == {"search": "Saga 05"}
    assert "Page(perPage: 50) { media(search: $search" in \
        calls[0]["body"]["query"]
    assert mon.mangadex_calls() == []
    assert mon.found("Saga 05") == ["anilist:30013"]
    # what the media said (issue 68): its English title, its HTML set
    # aside, its story and art staff, not its translator
    meta = mon.m.json("manga/Saga 05/status.json")["metadata"]
    assert meta["title"] == "The Saga Five"
    assert meta["alt_titles"] == ["Saga 05"]
    assert meta["summary"] == "Five sagas.\n\n(Source: X)"
    assert meta["genres"] == ["Drama", "Mystery"]
    assert meta["authors"] == ["Ann Author"]
    assert meta["url"] == "https://anilist.co/manga/30013"
    assert meta["cover"] is None and meta["source"] == "anilist:30013"

    # a second check costs no request, MangaUpdates' miss included
    mon.check("new")
    assert len(updates_calls(mon)) == 1 and len(anilist_calls(mon)) == 1
    budget = mon.m.json("metrics/requests.json")
    assert budget["anilist"]["requests"] == 1
    assert budget["mangaupdates"]["requests"] == 1
    prom = mon.m.read("metrics/prometheus").decode().splitlines()
    for name in ("anilist", "mangaupdates"):
        assert 'mediamon_throttle_requests_total{service="%s"} 1' % name \
            in prom


def test_anilist_by_id_from_source(monitored):
    mon = monitored([saga(5)], monitor="edition = ja\n"
                    "new_sources = anilist\n")
    mon.m.write("manga/Saga 05/source", "anilist:30013\n")
    mon.check("new")
    calls = anilist_calls(mon)
    assert [c["body"]["variables"] for c in calls] == [{"id": 30013}]
    assert mon.m.json("status/new.json")[0]["source"] == "anilist"


def test_named_record_gone_is_a_warning(monitored):
    """A MangaUpdates or AniList id the series' source names that the
    source no longer has (404) is a warning naming the series, not the
    quiet "not found" of a search. The warning stands after a later
    series (Saga 09) got a good answer from the same source in that
    check, and in the next, until the user writes the series' source
    (issue 81)."""
    mon = monitored([saga(5), saga(9)], monitor="edition = ja\n"
                    "new_sources = mangaupdates, anilist\n")
    mon.m.write("manga/Saga 05/source", "mangaupdates:987654 anilist:987654\n")
    warnings = ["warn: %s: Saga 05: record 987654 not found (HTTP 404);"
                " its metadata is kept; write the one to follow into"
                " /manga/Saga 05/source" % name
                for name in ("mangaupdates", "anilist")]
    for _ in range(2):
        mon.check("new")
        health = mon.m.read("status/health").decode().splitlines()
        assert [line for line in health if "Saga" in line] == warnings, \
            health
        got = mon.m.json("manga/Saga 09/status.json")["published"]
        assert (got["volumes"], got["source"]) == (20, "mangaupdates")
    assert [c["body"]["variables"] for c in anilist_calls(mon)] == [
        {"id": 987654}] * 2
    assert mon.m.json("manga/Saga 05/status.json")["metadata"] is None
    # the user writes the source: the warning goes at once
    mon.m.write("manga/Saga 05/source", "anilist:30013\n")
    assert "Saga 05" not in mon.m.read("status/health").decode()
    mon.check("new")
    assert "Saga 05" not in mon.m.read("status/health").decode()
    got = mon.m.json("manga/Saga 05/status.json")["published"]
    assert (got["volumes"], got["source"]) == (12, "anilist")


def test_anilist_volumes_null_while_releasing_passes_on(monitored):
    mon = monitored([saga(2)], monitor="edition = ja\n"
                    "new_sources = anilist, mangadex\n")
    last = mon.check("new")
    assert last["errors"] == 0
    new = mon.m.json("status/new.json")
    assert {(e["published"], e["source"], e["edition"]) for e in new} == \
        {(17, "mangadex", "ja")}
    assert len(anilist_calls(mon)) == 1
    assert health_ok(mon)
    # the answer without volumes is kept: a second check asks nobody
    mon.check("new")
    assert len(anilist_calls(mon)) == 1 and len(mon.mangadex_calls()) == 2
    budget = mon.m.json("metrics/requests.json")
    assert budget["anilist"]["requests"] == 1
    assert budget["mangadex"]["requests"] == 2


def health_ok(mon):
    text = mon.m.read("status/health").decode()
    return "anilist" not in text and "error" not in text


def test_anilist_other_country_is_not_the_edition(monitored):
    mon = monitored([saga(6)], monitor="edition = ja\n"
                    "new_sources = anilist\n")
    last = mon.check("new")
    assert last["errors"] == 1
    assert mon.m.read("status/new") == b""
    assert "Saga 06: no source gives the count of volumes out in the ja" \
        " edition" in log_text(mon)
    assert len(anilist_calls(mon)) == 1
    # its edition written ko: the ja search that found nothing is not
    # the ko one's answer (issue 81)
    mon.m.write("manga/Saga 06/edition", "ko\n")
    assert mon.check("new")["errors"] == 0
    got = mon.m.json("manga/Saga 06/status.json")["published"]
    assert (got["volumes"], got["source"], got["edition"]) == \
        (7, "anilist", "ko")
    assert len(anilist_calls(mon)) == 2


def waits_out_retry_after(mon, source, calls, published):
    """The series of mon, whose first answer at source is a 429 asking to
    wait 1 s, is counted published in one check: the request asked again
    after what Retry-After asked, not before."""
    assert mon.check("new")["errors"] == 0
    got = calls(mon)
    assert len(got) == 2
    assert got[1]["time"] - got[0]["time"] >= 0.9
    assert mon.m.json("status/new.json")[-1]["published"] == published
    budget = mon.m.json("metrics/requests.json")[source]
    assert budget["http_429"] == 1 and budget["requests"] == 2


def test_anilist_short_retry_after_is_waited_out(monitored):
    mon = monitored([saga(7)], monitor="edition = ja\n"
                    "new_sources = anilist\n")
    waits_out_retry_after(mon, "anilist", anilist_calls, 13)
    # the 429 is over: health is clean without a reload
    assert health_ok(mon)


def test_anilist_long_retry_after_pauses(monitored):
    mon, _ = pauses_at_rate_limit(monitored, "anilist",
                                  "edition = ja\nnew_sources = anilist\n",
                                  anilist_calls)
    mon.check("new")
    assert len(anilist_calls(mon)) == 1


def test_anilist_bad_answers_are_refused(monitored):
    mon = refuses_bad_answers(monitored, "anilist", "edition = ja\n"
                              "new_sources = anilist\n",
                              "The AniList API has been temporarily"
                              " disabled due to severe stability issues.",
                              anilist_calls)
    assert mon.m.json("metrics/requests.json")["anilist"]["requests"] == 4


def test_edition_file(monitored):
    mon = monitored([saga(1)])
    rel = "manga/Saga 01/edition"
    assert mon.m.read(rel) == b""
    assert mon.m.json("manga/Saga 01/status.json")["edition"] is None
    mon.m.write(rel, "ja\n")
    assert mon.m.read(rel) == b"ja\n"
    assert os.stat(mon.m.file(rel)).st_size == 3
    assert mon.m.json("manga/Saga 01/status.json")["edition"] == "ja"
    for bad in ["jp\n", "JA", "fr en", "ja\nen\n", "x" * 40]:
        with pytest.raises(OSError) as e:
            mon.m.write(rel, bad)
        assert e.value.errno == errno.EINVAL, bad
        assert mon.m.read(rel) == b"ja\n"
    refused = [line for line in mon.m.read("log").decode().splitlines()
               if "/" + rel + " refused " in line]
    assert len(refused) == 5
    assert "not an edition mediamon follows" in refused[0]
    assert '"jp\\n"' in refused[0]
    mon.m.write(rel, "pt-br")
    assert mon.m.read(rel) == b"pt-br\n"
    assert os.stat(mon.m.file(rel)).st_size == 6
    # an empty write forgets it: [monitor] edition is followed again
    mon.m.write(rel, "\n")
    assert mon.m.read(rel) == b""
    assert os.stat(mon.m.file(rel)).st_size == 0


def test_series_edition_chooses_its_sources(monitored):
    """[monitor] edition is fr; Saga 01 follows its Japanese edition, and
    status.json tells which source gave its count, for which edition and
    when."""
    mon = monitored([saga(1), saga(2)])
    mon.m.write("manga/Saga 01/edition", "ja")
    mon.check("new")
    new = mon.m.json("status/new.json")
    assert {(e["series"], e["published"], e["source"], e["edition"])
            for e in new} == {("Saga 01", 15, "mangaupdates", "ja")}
    assert [c["body"] for c in updates_calls(mon)
            if c["method"] == "POST"] == [{"search": "Saga 01",
                                           "perpage": 10}]
    # Saga 02 (fr): Nautiljon knows it not; MangaDex has no French one
    assert len(mon.pages()) == 1
    status = mon.m.json("manga/Saga 01/status.json")
    assert status["edition"] == "ja"
    published = status["published"]
    assert published["volumes"] == 15
    assert published["source"] == "mangaupdates"
    assert published["edition"] == "ja"
    assert published["checked_at"] == status["last_checked"]
    assert published["checked_at"].endswith("Z")
    assert mon.m.json("manga/Saga 02/status.json")["published"] is None


# MangaUpdates' record texts and titles as it writes them (issue 61): a
# manhwa's status opens with its chapters, and MangaUpdates tells two
# records of one title apart with their author.
UPDATES.update({
    "Saga 08": {"id": 10081, "type": "Manhwa", "completed": True,
                "status": "200 Chapters + Prologue (Complete)  \n"
                          "15 Volumes (Complete)"},
    "Saga 10": {"id": 10101, "type": "Manhwa", "volumes": 30},
    "Saga 10 (NII Satoru)": {"id": 10102, "type": "Manga", "volumes": 21},
    "Saga 11 (KATO Ai)": {"id": 10111, "type": "Manga", "volumes": 4},
    "Saga 11 (MORI Ken)": {"id": 10112, "type": "Manga", "volumes": 9},
})


def test_mangaupdates_volume_line_after_the_chapters(monitored):
    mon = monitored(["Saga 08"], monitor="edition = ko\n")
    counts, _ = new_counts(mon)
    assert counts and {c[1:] for c in counts} == {(15, "mangaupdates",
                                                   "ko")}


def test_mangaupdates_author_told_apart_by_the_edition(monitored):
    """The manga with its author added is the Japanese edition's record,
    not the manhwa of the plain title."""
    mon = monitored(["Saga 10"], monitor="edition = ja\n")
    counts, _ = new_counts(mon)
    assert counts and {c[1:] for c in counts} == {(21, "mangaupdates",
                                                   "ja")}
    assert mon.found("Saga 10") == ["mangaupdates:10102"]


def test_mangaupdates_two_records_take_neither(monitored):
    """Two manga of one title by two authors: neither id is kept, and
    health names both until the user writes one into source."""
    mon = monitored(["Saga 11"], monitor="edition = ja\n"
                    "new_sources = mangaupdates\n")
    assert mon.check("new")["errors"] == 0
    assert mon.m.read("manga/Saga 11/source") == b""
    assert mon.m.json("manga/Saga 11/status.json")["status"] == \
        "no record taken: mangaupdates:10111 and mangaupdates:10112" \
        " both bear this title"
    health = mon.m.read("status/health").decode()
    assert "warn: Saga 11: no record taken: mangaupdates:10111 and" \
        " mangaupdates:10112 both bear this title; write the one to" \
        " follow into /manga/Saga 11/source\n" in health
    assert [c["path"] for c in updates_calls(mon)] == ["/v1/series/search"]
    # the user chooses: the next check follows that record
    mon.m.write("manga/Saga 11/source", "mangaupdates:10112\n")
    new_counts(mon)
    published = mon.m.json("manga/Saga 11/status.json")["published"]
    assert (published["volumes"], published["source"]) == (9,
                                                          "mangaupdates")
    assert mon.m.json("manga/Saga 11/status.json")["status"] == "ongoing"
    assert [c["path"] for c in updates_calls(mon)][1:] == [
        "/v1/series/10112"]
    assert "both bear this title" not in \
        mon.m.read("status/health").decode()
