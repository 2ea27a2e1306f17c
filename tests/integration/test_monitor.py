# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitor over a real mount, against local fakes of Prowlarr and
Nautiljon that follow their real answers: what a check costs in requests,
the cache, the throttle, what is found and shown, and bad answers."""

import errno
import json
import os
import signal
import subprocess
import time

import pytest

import conftest
from conftest import is_mounted, start, unmount, wait_for
from reliability import every_file

API_KEY = "fakeKEY-0123456789abcdef"


def release(guid, title, seeders=12, indexer_id=1, protocol="torrent"):
    """A release as the indexer gives it to Prowlarr: the fake Prowlarr
    answers its links as proxy links (prowlarr_fake.py), a torrent of
    the fake indexer behind the download link."""
    torrent = protocol == "torrent"
    return {
        "guid": guid, "indexerId": indexer_id,
        "indexer": "YGG" if torrent else "NZBIndex",
        "title": title, "size": 100000000 + seeders,
        "seeders": seeders if torrent else None,
        "leechers": 1 if torrent else None,
        "publishDate": "2025-06-01T10:00:00Z", "ageHours": 120.5,
        "indexerFlags": ["freeleech"],
        "downloadUrl": ("torrent:" if torrent else "nzb:") + guid,
        "magnetUrl": "magnet:?xt=urn:btih:%s&tr=http://t.example/a/SECRET"
                     % guid if torrent else None,
        "protocol": protocol,
    }


def saga(n):
    return "Saga %02d" % n


def saga_releases(n, download_url=None):
    """Saga n's releases: two of volume 2, a range of 4 to 6, a chapter
    and another series' volume 8."""
    s = saga(n)
    tag = "s%02d" % n
    found = [
        release(tag + "-02", s + " T02 FRENCH CBZ", seeders=5),
        release(tag + "-02hq", s + " T02 FRENCH CBZ (HQ)", seeders=50),
        release(tag + "-04-06", s + " Tomes 4 à 6 FRENCH", seeders=80),
        release(tag + "-ch8", s + " Chapitre 8"),
        release(tag + "-kids8", s + " Kids T08 FRENCH"),
    ]
    for r in found:
        r["downloadUrl"] = download_url or r["downloadUrl"]
    return found


def make_library(root, names, owned=(1, 3, 5, 7, 9, 11)):
    for name in names:
        os.makedirs(os.path.join(root, name))
        for v in owned:
            with open(os.path.join(root, name, "%s T%02d.cbz" % (name, v)),
                      "wb") as f:
                f.write(b"PK\x05\x06" + b"\0" * 18)


class Monitor:
    """A mount with fakes, and the helpers to drive its checks."""

    def __init__(self, tmp_path, fake, series, nautiljon=None,
                 monitor="", extra="", rpm=120, general="",
                 download_url=None, releases=None, mangadex=None,
                 manga=None):
        self.tmp = tmp_path
        self.releases = tmp_path / "releases.json"
        table = {saga(n).lower(): saga_releases(n, download_url)
                 for n in range(1, 11)}
        table.update(releases or {})
        self.releases.write_text(json.dumps(table))
        self.prowlarr = fake("prowlarr_fake.py", self.releases)
        pages = tmp_path / "pages.json"
        pages.write_text(json.dumps(nautiljon or {}))
        self.nautiljon = fake("nautiljon_fake.py", pages)
        known = tmp_path / "mangadex.json"
        known.write_text(json.dumps(mangadex or {}))
        self.mangadex = fake("mangadex_fake.py", known)
        self.root = tmp_path / "manga"
        make_library(str(self.root), series)
        self.catalog = tmp_path / "catalog.jsonl"
        self.catalog.write_text(json.dumps(
            {"title": "Saga 01 T10", "link": "https://ddl.example/s01-10",
             "size": 1000, "source": "EBDZ"}) + "\n")
        self.conf = tmp_path / "m.conf"
        self.conf.write_text(
            "[general]\nwatch_debounce = 100ms\n%s"
            "[manga]\nroot = %s\n%s"
            "[monitor]\n%s"
            "[prowlarr]\nurl = %s\napi_key = %s\nrequests_per_minute = %d\n"
            "[nautiljon]\nurl = %s\nrequests_per_minute = 120\n"
            "[mangadex]\nurl = %s\nrequests_per_minute = 120\n"
            "[catalog]\nfile = %s\n%s"
            % (general, self.root, "monitored_root = %s\n" % self.root
               if manga is None else manga, monitor if "auto_check" in monitor else
               "auto_check_interval = 0\n" + monitor, self.prowlarr.url,
               API_KEY, rpm, self.nautiljon.url, self.mangadex.url,
               self.catalog, extra))
        # it holds an api key: the daemon refuses it readable by others
        os.chmod(str(self.conf), 0o600)
        self.m = None

    def mount(self, *options, wrapper=()):
        self.m = start(self.tmp, "config=" + str(self.conf), *options,
                       wrapper=wrapper)
        return self.m

    def unmount(self):
        unmount(self.m.path, self.m.proc)
        assert not is_mounted(self.m.path)

    def check_once(self, *args):
        """mediamon --check (args: --apply) with this configuration and
        the mount's store, unmounted."""
        return subprocess.run(
            ["nice", conftest.BINARY, "--check", *args,
             "-o", "config=" + str(self.conf),
             "-o", "db=" + str(self.tmp / "state" / "mediamon.db")],
            capture_output=True, text=True, timeout=120 * conftest.SLOW)

    def last(self, kind):
        return self.m.json("metrics/monitor.json")["last_check"][kind]

    def check(self, kind, timeout=60):
        """Run one check through the control file and wait for its end."""
        before = self.last(kind)
        before = before and before["finished_at_s"]
        self.m.write("control/check-" + kind, "1\n")
        return wait_for(lambda: self.last(kind), timeout,
                        "end of a check-%s after %r" % (kind, before),
                        until=lambda last: last and last["finished_at_s"]
                        and last["finished_at_s"] != before, mount=self.m)

    def latest(self, series, text, timeout=60):
        """Write series' latest and wait for the end of the check of new
        volumes the write starts."""
        before = self.last("new")
        before = before and before["finished_at_s"]
        self.m.write("manga/%s/latest" % series, text)
        return wait_for(lambda: self.last("new"), timeout,
                        "end of the check a write of latest starts",
                        until=lambda last: last and last["finished_at_s"]
                        and last["finished_at_s"] != before
                        and last["trigger"] == "latest", mount=self.m)

    def found(self, series):
        """The ids searches found for series (status.json's found): its
        source, which holds what the user wrote alone, reads empty."""
        assert self.m.read("manga/%s/source" % series) == b""
        return self.m.json("manga/%s/status.json" % series)["found"]

    def searches(self):
        return [r for r in self.prowlarr.call("/_requests")
                if r["method"] == "GET"]

    def pages(self):
        return self.nautiljon.call("/_requests")

    def mangadex_calls(self):
        return self.mangadex.call("/_requests")


@pytest.fixture
def monitored(tmp_path, fake):
    yield from mounted(lambda *args, **kw: Monitor(tmp_path, fake, *args,
                                                   **kw))


def mounted(build):
    """A fixture's body: make(...) mounts the Monitor build(...) gives;
    each still mounted is unmounted when the test ends."""
    made = []

    def make(*args, **kw):
        mon = build(*args, **kw)
        mon.mount()
        made.append(mon)
        return mon
    yield make
    for mon in made:
        if mon.m and is_mounted(mon.m.path):
            mon.unmount()


def titles(found):
    return [(e["series"], e["volume"], [r["title"] for r in e["releases"]])
            for e in found]


def kept(releases):
    """Releases as kept from one check to the next: but for how old
    their answer was when used (answer_age_s), which grows."""
    return [{k: v for k, v in r.items() if k != "answer_age_s"}
            for r in releases]


def by_volume(found, series):
    return {e["volume"]: e for e in found if e["series"] == series}


def test_missing_check_costs_one_request_per_series(monitored):
    names = [saga(n) for n in range(1, 11)] + ["Hidden"]
    mon = monitored(names)
    m = mon.m
    assert m.write("manga/Hidden/monitored", "0\n") == 2
    last = mon.check("missing")
    searches = mon.searches()
    # ten monitored series with five gaps each: one search per series,
    # never one per volume; the unmonitored series costs nothing, and the
    # missing-volume flow never asks Nautiljon
    assert len(searches) == 10
    assert sorted(r["args"]["query"][0] for r in searches) == names[:10]
    assert all(r["api_key"] == API_KEY for r in searches)
    assert mon.pages() == []
    assert last["requests"] == {"catalog": 50, "prowlarr": 10,
                                "nautiljon": 0, "mangadex": 0,
                                "mangaupdates": 0, "anilist": 0,
                                "kitsu": 0}
    assert last["series"] == 10 and last["wanted"] == 50
    assert last["trigger"] == "control" and last["errors"] == 0
    # the rate was never exceeded: 120 a minute is one each half second
    # seen over the whole run: on a loaded machine one request can reach
    # the fake late and the next on time, a gap that is not the daemon's
    times = sorted(r["time"] for r in searches)
    assert times[-1] - times[0] >= 0.5 * (len(times) - 1) - 0.5

    found = m.json("status/found.json")
    assert {e["series"] for e in found} == set(names[:10])
    vols = by_volume(found, "Saga 01")
    assert sorted(vols) == [2, 4, 6, 8, 10]
    assert all(e["wanted"] == "missing" for e in found)
    # best first: a single volume before a range, more seeders first
    assert [r["title"] for r in vols[2]["releases"]] == [
        "Saga 01 T02 FRENCH CBZ (HQ)", "Saga 01 T02 FRENCH CBZ"]
    assert [r["title"] for r in vols[4]["releases"]] == [
        "Saga 01 Tomes 4 à 6 FRENCH"]
    assert vols[4]["releases"][0]["volumes"] == [4, 6]
    assert vols[6]["releases"][0]["guid"] == "s01-04-06"
    # a chapter and another series are never matched
    assert vols[8]["releases"] == []
    # the catalog's release, with its source
    cat = vols[10]["releases"]
    assert [(r["title"], r["source"], r["indexer"], r["size"]) for r in cat] \
        == [("Saga 01 T10", "catalog", "EBDZ", 1000)]
    hq = vols[2]["releases"][0]
    assert hq["source"] == "prowlarr" and hq["seeders"] == 50
    assert hq["indexer"] == "YGG" and hq["indexer_id"] == 1
    # no secret in the mount: the API key and tracker pass keys are out
    text = m.read("status/found.json").decode()
    assert API_KEY not in text and "SECRET" not in text
    # Prowlarr's proxy links, the key masked (the tracker's pass key is
    # inside the link parameter, which Prowlarr encrypts)
    proxy = "%s/1/download?apikey=REDACTED&link=" % mon.prowlarr.url
    assert hq["link"].startswith(proxy)
    assert hq["magnet"].startswith(proxy)
    assert hq["protocol"] == "torrent" and hq["download"] is None
    assert m.json("manga/Saga 01/results.json") == [
        e for e in found if e["series"] == "Saga 01"]
    assert m.json("manga/Hidden/results.json") == []

    # a second check asked by hand within the TTL asks afresh (issue 81)
    last = mon.check("missing")
    assert len(mon.searches()) == 20
    assert last["requests"]["prowlarr"] == 10
    assert last["cache_hits"] == 0
    doc = m.json("metrics/monitor.json")
    # nor is the cache asked: neither a hit nor a miss
    assert doc["cache"]["hits"] == 0 and doc["cache"]["misses"] == 0
    assert doc["cache"]["total_entries"] == 10
    assert doc["cache"]["cache_size_bytes"] > 0
    assert doc["throttler"]["prowlarr"]["requests"] == 20
    assert doc["throttler"]["prowlarr"]["requests_per_minute"] == 120
    assert doc["throttler"]["prowlarr"]["min_interval_seconds"] == 0.5
    assert titles(m.json("status/found.json")) == titles(found)
    # the budget, as the fake counted it: every request in one window or
    # two, none refused
    budget = m.json("metrics/requests.json")["prowlarr"]
    assert budget["requests"] == len(mon.searches()) == 20
    assert budget["window"]["limit"] == 120
    assert 0 <= budget["window"]["requests"] <= 20
    assert budget["last_refusal"] is None and budget["paused_until"] is None

    # a timed check within the TTL sends nothing, after a restart too:
    # the cache is in the store
    mon.unmount()
    timed(mon)
    last = wait_for(lambda: mon.last("missing"), 60, "a timed check",
                    until=lambda last: last and last["finished_at_s"]
                    and last["trigger"] == "schedule", mount=mon.m)
    assert len(mon.searches()) == 20
    assert last["requests"]["prowlarr"] == 0 and last["cache_hits"] == 10
    assert mon.m.read("status/health") == b"ok\n"


def timed(mon):
    """Mount mon again with timed checks every second, whose answers
    the cache keeps for an hour."""
    mon.conf.write_text(mon.conf.read_text().replace(
        "auto_check_interval = 0\n",
        "auto_check_interval = 1s\ncache_ttl = 1h\n", 1))
    mon.mount()


def test_check_asked_by_hand_asks_afresh(monitored):
    """A check asked through control/check-missing asks Prowlarr again
    within the cache's life, so a release added at the indexer since is
    found; a timed check takes the cache's answer, and found.json says
    how old each answer was when used (issue 81)."""
    mon = monitored([saga(1)])
    mon.check("missing")
    vols = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert vols[8]["releases"] == []
    assert [r["answer_age_s"] for r in vols[2]["releases"]] == [0, 0]
    added = saga_releases(1) + [release("s01-08", "Saga 01 T08 FRENCH")]
    mon.prowlarr.call("/_inject", {"query": "saga 01", "status": 200,
                                   "times": 1, "body": json.dumps(added)})
    last = mon.check("missing")
    assert len(mon.searches()) == 2
    assert last["requests"]["prowlarr"] == 1 and last["cache_hits"] == 0
    vols = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert [r["title"] for r in vols[8]["releases"]] == [
        "Saga 01 T08 FRENCH"]
    assert vols[8]["releases"][0]["answer_age_s"] == 0
    asked = vols[8]["releases"][0]["found_at"]
    # the timed check takes that answer from the cache: its releases
    # keep when Prowlarr gave them
    mon.unmount()
    timed(mon)
    last = wait_for(lambda: mon.last("missing"), 60, "a timed check",
                    until=lambda last: last and last["finished_at_s"]
                    and last["trigger"] == "schedule", mount=mon.m)
    assert len(mon.searches()) == 2 and last["cache_hits"] == 1
    vols = by_volume(mon.m.json("status/found.json"), "Saga 01")
    got = vols[8]["releases"][0]
    assert got["found_at"] == asked and got["answer_age_s"] >= 0
    assert vols[8]["searched_at"] != asked


def test_owned_volume_leaves_found(monitored):
    mon = monitored([saga(1)])
    mon.check("missing")
    assert 2 in by_volume(mon.m.json("status/found.json"), "Saga 01")
    path = mon.root / "Saga 01" / "Saga 01 T02.cbz"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    mon.m.rescan()
    mon.check("missing")
    assert sorted(by_volume(mon.m.json("status/found.json"), "Saga 01")) \
        == [4, 6, 8, 10]


def test_rate_limit_is_waited_out(monitored):
    mon = monitored([saga(1), saga(2)], rpm=600)
    mon.prowlarr.call("/_inject", {"query": "saga 01", "status": 429,
                                   "times": 1, "retry_after": 1,
                                   "body": '{"message": "Too Many"}'})
    last = mon.check("missing")
    searches = mon.searches()
    s01 = [r["time"] for r in searches if r["args"]["query"] == ["Saga 01"]]
    # the refused request is sent again once the pause is over
    assert len(s01) == 2
    assert s01[1] - s01[0] >= 1.0
    assert last["errors"] == 0 and last["requests"]["prowlarr"] == 3
    found = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert found[2]["releases"]
    t = mon.m.json("metrics/monitor.json")["throttler"]["prowlarr"]
    assert t["http_429"] == 1 and t["requests"] == 3
    assert mon.m.read("status/health") == b"ok\n"
    budget = mon.m.json("metrics/requests.json")["prowlarr"]
    assert budget["requests"] == len(searches) == 3
    assert budget["last_refusal"]["status"] == 429
    assert abs(budget["last_refusal"]["at_s"] - s01[0]) < 5


@pytest.mark.parametrize("fault,body", [
    (500, '{"message": "Internal Server Error"}'),
    (200, '[{"guid": "x", "title": "Saga 01 T02"'),
    (200, '{"not": "an array"}'),
])
def test_bad_answer_loses_nothing(monitored, fault, body):
    mon = monitored([saga(1), saga(2)])
    mon.check("missing")
    before = mon.m.json("status/found.json")
    assert by_volume(before, "Saga 01")[2]["releases"]
    # a check asked by hand asks Prowlarr again within the cache's life
    mon.prowlarr.call("/_inject", {"query": "saga 01", "status": fault,
                                   "times": 5, "body": body})
    last = mon.check("missing")
    assert last["errors"] == 1
    after = mon.m.json("status/found.json")
    # the failed series keeps what was found before; the other is new
    old = {e["volume"]: kept(e["releases"]) for e in before
           if e["series"] == "Saga 01"}
    new = {e["volume"]: kept(e["releases"]) for e in after
           if e["series"] == "Saga 01"}
    assert new == old
    assert by_volume(after, "Saga 02")[2]["releases"]
    health = mon.m.read("status/health").decode()
    assert health == "warn: monitor: the last missing check had 1 error" \
        " (see /log)\n"
    assert "prowlarr: search for \"Saga 01\"" in mon.m.read("log").decode()
    assert mon.m.proc.poll() is None


def test_huge_answer_is_an_error(monitored, tmp_path):
    mon = monitored([saga(1)])
    huge = [release("h%d" % i, "Saga 01 T%02d " % (i % 50 + 1) + "x" * 2000)
            for i in range(2500)]
    mon.prowlarr.call("/_inject", {"query": "saga 01", "status": 200,
                                   "times": 1, "body": json.dumps(huge)})
    last = mon.check("missing")
    assert last["errors"] == 1
    assert "answer too large" in mon.m.read("status/health").decode()
    assert by_volume(mon.m.json("status/found.json"), "Saga 01")[2][
        "releases"] == []


def test_many_volumes_ask_catalog_first(monitored, tmp_path):
    mon = monitored([saga(1)], monitor="many_volumes = 2\n")
    mon.catalog.write_text("".join(json.dumps(
        {"title": "Saga 01 T%02d" % v, "link": "https://ddl.example/%d" % v})
        + "\n" for v in (2, 4, 6, 8, 10)))
    last = mon.check("missing")
    # the catalog held every wanted volume: Prowlarr is not asked
    assert mon.searches() == []
    assert last["requests"] == {"catalog": 5, "prowlarr": 0, "nautiljon": 0,
                                "mangadex": 0, "mangaupdates": 0,
                                "anilist": 0, "kitsu": 0}
    vols = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert all(vols[v]["releases"][0]["source"] == "catalog"
               for v in (2, 4, 6, 8, 10))


def test_link_credentials_are_masked(monitored):
    """A release's link may carry a user and password or a key: found.json
    (readable by every user of the mount) shows neither."""
    mon = monitored([saga(1)], monitor="many_volumes = 2\n")
    mon.catalog.write_text(json.dumps(
        {"title": "Saga 01 T02",
         "link": "https://me:pw-LEAKED@ddl.example/2?token=TOK-LEAKED&v=2"})
        + "\n")
    mon.check("missing")
    text = mon.m.read("status/found.json").decode()
    assert "LEAKED" not in text
    link = by_volume(json.loads(text), "Saga 01")[2]["releases"][0]["link"]
    assert link == "https://REDACTED@ddl.example/2?token=REDACTED&v=2"


def test_key_planted_in_answers_shows_nowhere(monitored, fake, tmp_path):
    """A Torznab indexer gives Prowlarr's proxy link as the guid, and its
    info and comment links carry the key; a dead link's error and a
    search's error echo the request (issue 45): the key shows in no file
    of the mount, no log line and no notification."""
    hooks = fake("webhook_fake.py")
    hole = tmp_path / "hole"
    hole.mkdir()
    planted = [release("s01-02", "Saga 01 T02 FRENCH CBZ"),
               release("s01-04", "Saga 01 T04 FRENCH CBZ")]
    planted[0]["downloadUrl"] = "echo"
    planted[0]["magnetUrl"] = None
    for r in planted:
        r["_torznab"] = True
    mon = monitored([saga(1), "Echo"], monitor="auto_download = yes\n",
                    general="dry_run = no\n",
                    releases={"saga 01": planted},
                    extra="[download]\nclient = blackhole\n"
                    "blackhole_dir = %s\n[notify]\nwebhook = %s/hook\n"
                    % (hole, hooks.url))
    mon.check("missing")
    searches = {r["args"]["query"][0] for r in mon.searches()}
    assert searches == {"Saga 01", "Echo"}
    # the proxy links were fetched, with the key: there was one to leak
    fetched = mon.prowlarr.call("/_downloads")
    assert {200, 410} <= {d["status"] for d in fetched}
    assert all(d["api_key"] == API_KEY for d in fetched)
    assert [f for f in os.listdir(str(hole)) if "T04" in f]
    m = mon.m
    found = by_volume(m.json("status/found.json"), "Saga 01")
    guid = found[4]["releases"][0]["guid"]
    assert guid.startswith("%s/1/download?apikey=REDACTED&link="
                           % mon.prowlarr.url)
    assert "HTTP 410" in found[2]["download"]["reason"]
    read = 0
    for path in every_file(m.path):
        with open(path, "rb") as f:
            assert API_KEY.encode() not in f.read(), path
        read += 1
    assert read > 30
    log = (tmp_path / "mediamon.log").read_bytes()
    assert b"(X-Api-Key: REDACTED)" in log
    assert API_KEY.encode() not in log
    posts = wait_for(lambda: hooks.call("/_posts"), 30, "a notification",
                     until=lambda p: p, mount=m)
    assert API_KEY not in json.dumps(posts)


def test_health_lines_end_with_their_cause(monitored):
    """A service's health line goes with its cause (issue 45): at its
    next successful request, and at a reload whose configuration no
    longer names it."""
    mon = monitored([saga(1)], monitor="cache_ttl = 0\n")
    mon.prowlarr.call("/_inject", {"query": "saga 01", "status": 401,
                                   "times": 1})
    mon.check("missing")
    assert "error: prowlarr: access refused" in mon.m.read("status/health").decode()
    mon.check("missing")
    assert "prowlarr" not in mon.m.read("status/health").decode()
    # unreachable (a warning: it may come back, issue 62), then taken
    # out of the configuration
    mon.prowlarr.stop()
    mon.check("missing")
    assert "warn: prowlarr: unreachable" in \
        mon.m.read("status/health").decode()
    text = mon.conf.read_text()
    start = text.index("[prowlarr]")
    mon.conf.write_text(text[:start] + text[text.index("[nautiljon]"):])
    mon.m.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: b"reload: done" in mon.m.read("log"), 30,
             "reload: done in the log", mount=mon.m, interval=0.1)
    assert "prowlarr" not in mon.m.read("status/health").decode()


def test_new_volumes_ask_nautiljon_first(monitored):
    pages = {"saga+01": [14, "En cours"], "saga+02": [11, "Terminé"],
             "saga+03": [40, "En cours"]}
    # (a 403, which pauses Nautiljon, is test_sources.py's)
    names = [saga(n) for n in (1, 2, 3)] + ["Hidden", "Nofield"]
    mon = monitored(names, nautiljon=pages)
    m = mon.m
    m.write("manga/Hidden/monitored", "0\n")
    m.write("manga/Nofield/source", "nofield\n")
    # the number written starts the check
    last = mon.latest("Saga 03", "13\n")
    asked = sorted(r["path"] for r in mon.pages())
    # one page per monitored series without a number written by hand
    assert asked == ["/mangas/nofield.html", "/mangas/saga+01.html",
                     "/mangas/saga+02.html"]
    assert last["requests"]["nautiljon"] == 3
    # Prowlarr only for the series with volumes out beyond the highest
    assert sorted(r["args"]["query"][0] for r in mon.searches()) == [
        "Saga 01", "Saga 03"]
    assert m.read("status/new").decode().splitlines() == [
        "Saga 01\t12", "Saga 01\t13", "Saga 01\t14",
        "Saga 03\t12", "Saga 03\t13"]
    new = m.json("status/new.json")
    assert new[0] == {"series": "Saga 01", "volume": 12,
                      "series_path": str(mon.root / "Saga 01"),
                      "published": 14, "source": "nautiljon",
                      "edition": "fr",
                      "status": "En cours", "checked_at": new[0][
                          "checked_at"]}
    assert new[0]["checked_at"].endswith("Z")
    assert new[3]["source"] == "manual" and new[3]["edition"] is None
    status = m.json("manga/Saga 01/status.json")
    assert status["status"] == "En cours" and status["last_checked"]
    found = m.json("status/found.json")
    assert sorted((e["series"], e["volume"]) for e in found) == [
        ("Saga 01", 12), ("Saga 01", 13), ("Saga 01", 14),
        ("Saga 03", 12), ("Saga 03", 13)]
    assert all(e["wanted"] == "new" for e in found)
    # the service works, so the series it failed is a warning
    assert m.read("status/health") == \
        b"warn: monitor: the last new check had 1 error (see /log)\n"

    # within the TTL, Nautiljon is not asked again; Prowlarr is, as a
    # check asked by hand asks it afresh (issue 81)
    last = mon.check("new")
    assert len(mon.pages()) == 3 + 1
    assert last["requests"]["prowlarr"] == 2
    assert m.read("status/new").decode().count("\n") == 5


def test_garbage_page_is_an_error(monitored):
    mon = monitored([saga(1)])
    mon.m.write("manga/Saga 01/source", "garbage\n")
    last = mon.check("new")
    assert last["errors"] == 1 and mon.searches() == []
    assert "nautiljon: garbage: malformed answer" in \
        mon.m.read("status/health").decode()
    assert mon.m.read("status/new") == b""


def test_cloudflare_is_a_warning(monitored):
    mon = monitored([saga(1)])
    mon.m.write("manga/Saga 01/source", "cloudflare\n")
    mon.check("new")
    assert "warn: nautiljon: blocked (HTTP 403); a number written to" \
        " /manga/SERIES/latest still works\n" in \
        mon.m.read("status/health").decode()
    budget = mon.m.json("metrics/requests.json")["nautiljon"]
    assert budget["last_refusal"]["status"] == 403
    assert budget["requests"] == len(mon.pages()) == 1
    # the number written by hand is used instead
    mon.latest("Saga 01", "12\n")
    assert mon.m.read("status/new") == b"Saga 01\t12\n"
    assert len(mon.pages()) == 1


def test_control_files(monitored):
    mon = monitored([saga(1)], monitor="new_volumes = no\n")
    m = mon.m
    assert "state: idle" in m.read("control/check-missing").decode()
    assert "off" in m.read("control/check-new").decode()
    for bad in ("2\n", "yes\n", "1\n1\n", "\n"):
        with pytest.raises(OSError) as e:
            m.write("control/check-missing", bad)
        assert e.value.errno == errno.EINVAL
    with pytest.raises(OSError) as e:
        m.write("control/check-new", "1\n")
    assert e.value.errno == errno.EPERM
    assert mon.searches() == []
    # dry-run starts as the configuration says (yes by default)
    assert m.read("control/dry-run").decode().startswith("1\n")
    assert m.json("status/summary.json")["dry_run"] is True
    for bad in ("2\n", "maybe\n", "\n"):
        with pytest.raises(OSError) as e:
            m.write("control/dry-run", bad)
        assert e.value.errno == errno.EINVAL
    assert m.write("control/dry-run", "off\n") == 4
    assert m.read("control/dry-run").decode().startswith("0\n")
    assert m.json("status/summary.json")["dry_run"] is False
    assert m.write("control/dry-run", "1") == 1
    assert m.json("status/summary.json")["dry_run"] is True
    assert oct(os.stat(m.file("control/check-missing")).st_mode & 0o777) \
        == "0o644"
    assert oct(os.stat(m.file("status/found.json")).st_mode & 0o777) \
        == "0o444"


def timed_check(monitored, interval):
    """A monitor whose missing-volume checks come every interval, and the
    first of them, which comes at once (none ever finished)."""
    mon = monitored([saga(1)], monitor="auto_check_interval = %s\n"
                    "new_volumes = no\n" % interval)
    last = wait_for(lambda: mon.last("missing"), 30,
                    "end of a scheduled missing check",
                    until=lambda last: last and last["finished_at_s"],
                    mount=mon.m, interval=0.1)
    assert last["trigger"] == "schedule"
    return mon, last


def test_auto_check(monitored):
    mon, last = timed_check(monitored, "1s")
    assert mon.last("new") is None
    assert len(mon.searches()) == 1


def test_timed_checks_keep_their_interval_across_restarts(monitored):
    mon, last = timed_check(monitored, "1h")
    mon.unmount()
    mon.mount()
    # the next is due an hour after that one finished, not at once
    due = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                        time.gmtime(int(last["finished_at_s"] + 3600)))
    assert mon.m.json("metrics/monitor.json")["next_check_at"] == due


def qbit_conf(qbit, password="adminadmin"):
    return ("[download]\nclient = qbittorrent\nurl = %s\nusername = admin\n"
            "password = %s\ncategory = manga\n" % (qbit.url, password))


def test_auto_download_sends_one_release_per_volume(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor="auto_download = yes\n",
                    general="dry_run = no\n", extra=qbit_conf(qbit))
    last = mon.check("missing")
    adds = qbit.call("/_adds")
    # volume 2 once (the best of two), 4 and 6 by one range, 10 from the
    # catalog; nothing matched 8. Prowlarr's links were read by mediamon:
    # qBittorrent got the torrents they gave, never a link with the key
    assert sorted(u for a in adds for u in a["urls"]) == [
        "https://ddl.example/s01-10"]
    torrents = sorted(t for a in adds for t in a["torrents"])
    assert len(torrents) == 2
    assert "4:name12:s01-02hq.cbz" in torrents[0]
    assert "4:name13:s01-04-06.cbz" in torrents[1]
    assert API_KEY not in json.dumps(qbit.call("/_requests"))
    assert all(a["category"] == "manga" for a in adds)
    assert last["downloads"] == 3
    found = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert {v: e["download"] and e["download"]["state"]
            for v, e in found.items()} == {
        2: "sent", 4: "sent", 6: "sent", 8: None, 10: "sent"}
    assert found[6]["download"]["title"] == "Saga 01 Tomes 4 à 6 FRENCH"
    assert found[2]["download"]["client"] == "qbittorrent"
    # never the same volume twice, also across restarts
    last = mon.check("missing")
    assert len(qbit.call("/_adds")) == 3 and last["downloads"] == 0
    mon.unmount()
    mon.mount()
    mon.check("missing")
    assert len(qbit.call("/_adds")) == 3
    text = mon.m.read("status/found.json").decode()
    assert API_KEY not in text and "adminadmin" not in text
    assert mon.m.read("status/health") == b"ok\n"


def test_dry_run_sends_nothing(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor="auto_download = yes\n",
                    extra=qbit_conf(qbit))
    mon.check("missing")
    assert qbit.call("/_requests") == []
    found = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert found[2]["download"]["state"] == "dry-run"
    assert found[2]["download"]["title"] == "Saga 01 T02 FRENCH CBZ (HQ)"
    assert found[8]["download"] is None
    assert "dry-run: would send \"Saga 01 T02 FRENCH CBZ (HQ)\" to" \
        " qbittorrent" in mon.m.read("log").decode()
    # switched off at run time, the next check sends
    mon.m.write("control/dry-run", "0\n")
    mon.check("missing")
    assert len(qbit.call("/_adds")) == 3


def test_refused_login_is_an_error_in_health(monitored, fake):
    qbit = fake("qbittorrent_fake.py")
    mon = monitored([saga(1)], monitor="auto_download = yes\n",
                    general="dry_run = no\n",
                    extra=qbit_conf(qbit, password="wrong"))
    last = mon.check("missing")
    assert qbit.call("/_adds") == []
    logins = [r for r in qbit.call("/_requests")
              if r["path"] == "/api/v2/auth/login"]
    # one refused login is not tried again for every volume
    assert len(logins) == 1
    assert last["errors"] >= 1
    health = mon.m.read("status/health").decode()
    assert "error: qbittorrent: login refused" in health
    assert "wrong" not in health
    found = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert found[2]["download"]["state"] == "failed"
    assert "login refused" in found[2]["download"]["error"]


def test_blackhole(monitored, fake, tmp_path):
    qbit = fake("qbittorrent_fake.py")
    hole = tmp_path / "hole"
    hole.mkdir()
    # Prowlarr's download URLs lead to a torrent
    mon = monitored([saga(1)], monitor="auto_download = yes\n",
                    general="dry_run = no\n",
                    extra="[download]\nclient = blackhole\n"
                    "blackhole_dir = %s\n" % hole,
                    download_url=qbit.url + "/files/sample.torrent")
    mon.check("missing")
    files = sorted(os.listdir(str(hole)))
    assert files == ["Saga 01 T02 FRENCH CBZ (HQ).torrent",
                     "Saga 01 T10.link",
                     "Saga 01 Tomes 4 à 6 FRENCH.torrent"]
    assert (hole / "Saga 01 T10.link").read_text() == \
        "https://ddl.example/s01-10\n"
    assert (hole / files[0]).read_bytes().startswith(b"d")


def test_prowlarr_grab(monitored):
    mon = monitored([saga(1)], monitor="auto_download = yes\n",
                    general="dry_run = no\n",
                    extra="[download]\nclient = prowlarr\n")
    mon.check("missing")
    # Prowlarr grabs only its own releases: the catalog's waits
    assert sorted(g["guid"] for g in mon.prowlarr.call("/_grabs")) == [
        "s01-02hq", "s01-04-06"]
    found = by_volume(mon.m.json("status/found.json"), "Saga 01")
    assert found[10]["download"]["state"] == "skipped"
    assert found[10]["download"]["client"] == "prowlarr"
    assert found[10]["download"]["reason"] == "prowlarr cannot take this" \
        " torrent release (one of the catalog)"
    assert found[6]["download"]["state"] == "sent"
    mon.check("missing")
    assert len(mon.prowlarr.call("/_grabs")) == 2


def test_many_volumes_prowlarr_for_the_rest(monitored):
    mon = monitored([saga(1)], monitor="many_volumes = 2\n")
    mon.catalog.write_text(json.dumps(
        {"title": "Saga 01 T02", "link": "https://ddl.example/2"}) + "\n")
    last = mon.check("missing")
    assert last["requests"]["prowlarr"] == 1
    vols = by_volume(mon.m.json("status/found.json"), "Saga 01")
    # volume 2 came from the catalog, so Prowlarr's are not added to it
    assert [r["source"] for r in vols[2]["releases"]] == ["catalog"]
    assert [r["guid"] for r in vols[4]["releases"]] == ["s01-04-06"]


def test_failing_service_is_paused_and_named(monitored):
    names = [saga(n) for n in range(1, 6)]
    mon = monitored(names, rpm=600)
    for n in names:
        mon.prowlarr.call("/_inject", {"query": n.lower(), "status": 503,
                                       "times": 1})
    last = mon.check("missing")
    assert last["errors"] == 5 and len(mon.searches()) == 5
    health = mon.m.read("status/health").decode().splitlines()
    assert any(line.startswith("error: prowlarr: paused until ") and
               line.endswith(" after 5 failures in a row")
               for line in health), health
    t = mon.m.json("metrics/monitor.json")["throttler"]["prowlarr"]
    assert t["failures"] == 5 and t["paused_until"]
    # the pause is kept across a restart: the next check waits it out
    mon.unmount()
    mon.mount()
    assert any("paused until" in line for line in
               mon.m.read("status/health").decode().splitlines())
