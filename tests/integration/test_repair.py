# SPDX-License-Identifier: GPL-3.0-or-later
"""Real-Debrid repair over a real mount: symlink trees into a tmpfs mounted
for the test (the Real-Debrid mount stand-in), the fake Real-Debrid, and
fake Sonarr and Radarr recording their commands."""

import errno
import json
import os
import urllib.request
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import (REPO, is_mounted, start, stopped, unmount,
                      wait_for)

sys.path.insert(0, os.path.join(REPO, "tests", "fakes"))
from realdebrid_fake import (BUILTIN, TOKEN, make_hash,  # noqa: E402
                             make_id, torrent)

ARR_KEY = "arrKEY-test"
OTHER = "Other.Show.S02.720p"
DEAD = "Dead.Movie.1999"


@pytest.fixture
def rd_mount(tmp_path):
    """A tmpfs mounted for the test, always unmounted at the end."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs takes root")
    path = tmp_path / "rd"
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs",
                    str(path)], check=True)
    try:
        yield path
    finally:
        if is_mounted(path):
            subprocess.run(["umount", "-l", str(path)], check=True)


def touch(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w"):
        pass


def link(target, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(target, path)


class Setup:
    """A library of links into the mount, the fakes and a mediamon mount:
    six live links, three dead ones of Other.Show.S02.720p, one dead one
    of Dead.Movie.1999 (both torrents on the account) and one dead link to
    a torrent the account never had (unmapped)."""

    def __init__(self, tmp_path, rd_mount, fake, make_mount, dry_run=False,
                 rpm=600, max_attempts=3, retry_delay="2s", ratio=None,
                 start_mount=True, account=None, check_interval="0",
                 download_timeout=None, account_errors=False, music=True,
                 token=TOKEN, token_key="api_token", sections="",
                 env=None, search=False, rd_extra="", state=None):
        self.tmp = tmp_path
        self.rdm = str(rd_mount)
        if account or state:
            path = tmp_path / "account.json"
            path.write_text(json.dumps(dict(
                state or {}, torrents=account or BUILTIN["torrents"])))
            self.rd = fake("realdebrid_fake.py", path)
        else:
            self.rd = fake("realdebrid_fake.py")
        items = tmp_path / "series.json"
        self.tv = str(tmp_path / "tv")
        self.movies = str(tmp_path / "movies")
        items.write_text(json.dumps([
            {"id": 7, "title": "Other Show",
             "path": os.path.join(self.tv, "Other Show")},
            {"id": 9, "title": "Show", "path": os.path.join(self.tv, "Show")},
        ]))
        self.sonarr = fake("arr_fake.py", "sonarr", items)
        movies = tmp_path / "movies.json"
        movies.write_text(json.dumps([
            {"id": 3, "title": "Dead Movie",
             "path": os.path.join(self.movies, "Dead Movie (1999)")},
            {"id": 4, "title": "Movie",
             "path": os.path.join(self.movies, "Movie (2019)")},
        ]))
        self.radarr = fake("arr_fake.py", "radarr", movies)
        self.webhook = fake("webhook_fake.py")
        self.make_tree()
        (tmp_path / "music").mkdir()
        if "orphan_grace" not in rd_extra:
            # the links of a torrent failed for good wait as long as an
            # orphan: none here, so each case sees them go in its pass
            rd_extra += "orphan_grace = 0s\n"
        conf = tmp_path / "m.conf"
        conf.write_text(
            "[general]\ndry_run = %s\n%s"
            "[realdebrid]\n%surl = %s/rest/1.0\n"
            "mount = %s\nlibrary = %s\nlibrary = %s\n"
            "requests_per_minute = %d\nmax_attempts = %d\n"
            "retry_delay = %s\ncheck_interval = %s\n"
            "repair_account_errors = %s\n%s%s%s"
            "[sonarr]\nurl = %s\napi_key = %s\n%s"
            "[radarr]\nurl = %s\napi_key = %s\n%s"
            "[notify]\ndiscord_webhook = %s/api/webhooks/1/hookTOKEN\n%s"
            % ("yes" if dry_run else "no",
               "[music]\nroot = %s\n" % (tmp_path / "music")
               if music else "",
               "%s = %s\n" % (token_key, token) if token else "",
               self.rd.url, self.rdm, self.tv, self.movies, rpm,
               max_attempts, retry_delay, check_interval,
               "yes" if account_errors else "no",
               "broken_ratio_guard = %s\n" % ratio if ratio else "",
               "download_timeout = %s\n" % download_timeout
               if download_timeout else "", rd_extra,
               self.sonarr.url, ARR_KEY,
               "search_on_failure = yes\n" if search else "",
               self.radarr.url, ARR_KEY,
               "search_on_failure = yes\n" if search else "",
               self.webhook.url, sections))
        os.chmod(str(conf), 0o600)
        self.make_mount = make_mount
        self.env = env
        if start_mount:
            self.start()

    def start(self):
        self.m = self.make_mount("config=" + str(self.tmp / "m.conf"),
                                 env=self.env)

    def make_tree(self):
        m = os.path.join(self.rdm, "__all__")
        show = os.path.join(m, "Show.S01.1080p.WEB")
        for e in (1, 2):
            name = "Show.S01E%02d.mkv" % e
            touch(os.path.join(show, name))
            link(os.path.join(show, name),
                 os.path.join(self.tv, "Show", "Season 1", name))
        movie = os.path.join(m, "Movie.2019.2160p.UHD",
                             "Movie.2019.2160p.UHD.mkv")
        touch(movie)
        link(os.path.relpath(movie, os.path.join(self.movies,
                                                 "Movie (2019)")),
             os.path.join(self.movies, "Movie (2019)", "Movie.mkv"))
        for n in range(1, 4):
            extra = os.path.join(m, "Extra.Pack", "x%d.mkv" % n)
            touch(extra)
            link(extra, os.path.join(self.tv, "Extra", "x%d.mkv" % n))
        self.other_links = [
            os.path.join(self.tv, "Other Show", "Season 2", "E%02d.mkv" % e)
            for e in (1, 2, 3)]
        for e, path in enumerate(self.other_links, 1):
            link(os.path.join(m, OTHER, "E%02d.mkv" % e), path)
        self.dead_link = os.path.join(self.movies, "Dead Movie (1999)",
                                      "Dead.Movie.1999.avi")
        link(os.path.join(m, DEAD, "Dead.Movie.1999.avi"), self.dead_link)
        self.unmapped_link = os.path.join(self.tv, "Gone", "gone.mkv")
        link(os.path.join(self.rdm, "Never.Had.This", "gone.mkv"),
             self.unmapped_link)
        self.dead_links = self.other_links + [self.dead_link,
                                              self.unmapped_link]

    def all_links(self):
        found = []
        for root in (self.tv, self.movies):
            for d, _, files in os.walk(root):
                found += [os.path.join(d, f) for f in files
                          if os.path.islink(os.path.join(d, f))]
        return sorted(found)

    def inject(self, **spec):
        self.rd.call("/_inject", spec)

    def requests(self):
        return self.rd.call("/_requests")

    def changes(self):
        """The requests that change the account (POST, DELETE)."""
        return [r for r in self.requests() if r["method"] != "GET"]

    def passes(self):
        return self.m.json("metrics/repair.json")["passes"]

    def command(self, cmd):
        """Write cmd to control/repair and wait for that pass."""
        before = self.passes()
        self.m.write("control/repair", cmd + "\n")
        return self.wait(lambda: self.passes() > before, "a pass")

    def wait(self, cond, what, timeout=60):
        return wait_for(cond, timeout, what, mount=self.m, interval=0.1)

    def told(self):
        """What Discord was told, oldest first."""
        return [m["content"] for m in self.webhook.call("/_messages")]

    def states(self):
        return {b["link"]: b["state"]
                for b in self.m.json("status/broken.json")}

    def repairs(self):
        return self.m.json("status/repairs.json")


@pytest.fixture
def setup(tmp_path, rd_mount, fake, make_mount):
    made = []

    def make(**kw):
        s = Setup(tmp_path, rd_mount, fake, make_mount, **kw)
        made.append(s)
        return s
    return make


def test_scan_finds_and_maps_dead_links(setup):
    s = setup(dry_run=False)
    s.command("scan")
    states = s.states()
    assert sorted(states) == sorted(s.dead_links)
    assert states[s.unmapped_link] == "unmapped"
    for path in s.other_links + [s.dead_link]:
        assert states[path] == "broken"
    by_link = {b["link"]: b for b in s.m.json("status/broken.json")}
    assert by_link[s.other_links[0]]["torrent"] == make_id(OTHER)
    assert by_link[s.dead_link]["torrent"] == make_id(DEAD)
    assert by_link[s.unmapped_link]["torrent"] is None
    assert "no torrent" in by_link[s.unmapped_link]["reason"]
    text = s.m.read("status/broken").decode()
    assert "%s\t%s\tbroken\n" % (
        s.dead_link, os.path.join(s.rdm, "__all__", DEAD,
                                  "Dead.Movie.1999.avi")) in text
    assert s.m.json("status/summary.json")["counts"]["broken_links"] == 5
    assert s.m.read("status/health") == (
        b"warn: 1 dead debrid links match no torrent, or several"
        b" (see /status/broken)\n")
    assert s.changes() == []


def test_healthy_repair_end_to_end(setup):
    s = setup()
    s.command("run")
    s.wait(lambda: len(s.repairs()["repaired"]) == 2, "two repairs")
    requests = s.requests()
    torrents = {t["id"]: t for t in s.rd.call("/_torrents")}
    assert make_id(OTHER) not in torrents
    assert make_id(DEAD) not in torrents
    names = sorted(t["filename"] for t in torrents.values())
    assert names.count(OTHER) == 1 and names.count(DEAD) == 1

    for name in (OTHER, DEAD):
        new = [t for t in torrents.values() if t["filename"] == name][0]
        assert new["status"] == "downloaded"
        adds = [r for r in requests if r["path"] == "/torrents/addMagnet"
                and make_hash(name) in r["form"]["magnet"][0]]
        assert len(adds) == 1
        selects = [r for r in requests
                   if r["path"] == "/torrents/selectFiles/" + new["id"]]
        assert len(selects) == 1
        old_selected = [str(f["id"]) for f in new["files"] if f["selected"]]
        assert selects[0]["form"]["files"][0] == ",".join(old_selected)
        # The old torrent goes only after the new one was seen downloaded.
        delete = [i for i, r in enumerate(requests) if r["method"] ==
                  "DELETE" and r["path"].endswith(make_id(name))]
        infos = [i for i, r in enumerate(requests)
                 if r["path"] == "/torrents/info/" + new["id"]]
        assert len(delete) == 1 and delete[0] > infos[-1]
    assert all(r["auth"] == "ok" for r in requests)

    states = s.states()
    for path in s.other_links + [s.dead_link]:
        assert states[path] == "repaired"
    assert states[s.unmapped_link] == "unmapped"
    assert s.all_links() == sorted(
        s.dead_links + [os.path.join(d, f) for d, _, fs in
                        os.walk(s.tv) for f in fs
                        if f.startswith(("Show", "x"))] +
        [os.path.join(s.movies, "Movie (2019)", "Movie.mkv")])
    assert s.sonarr.call("/_commands") == []
    assert s.radarr.call("/_commands") == []
    # one notification per torrent repaired, then the pass's summary
    messages = s.wait(lambda: any("repair pass" in m for m in s.told()) and
                      s.told(), "the pass told")
    assert len(messages) == 3
    assert sorted(m.split("\n")[0] for m in messages[:2]) == [
        "mediamon: Torrent repaired: " + DEAD,
        "mediamon: Torrent repaired: " + OTHER]
    assert messages[2].startswith("mediamon: Debrid repair pass\n")
    assert "2 torrents repaired" in messages[2]
    assert "hookTOKEN" not in (s.tmp / "mediamon.log").read_text()
    metrics = s.m.json("metrics/repair.json")
    assert metrics["repairs_ok"] == 2
    assert metrics["requests_by_endpoint"]["addMagnet"] == 2
    assert metrics["requests_by_endpoint"]["delete"] == 2
    prom = s.m.read("metrics/prometheus").decode().splitlines()
    assert "mediamon_repairs_ok 2" in prom
    assert 'mediamon_repair_requests{endpoint="delete"} 2' in prom
    assert "mediamon_repair_old_torrents_to_delete 0" in prom
    assert "# TYPE mediamon_repair_passes gauge" in prom

    # The mount shows the torrents again: the links live, nothing broken
    # but the unmapped one.
    for e in (1, 2, 3):
        touch(os.path.join(s.rdm, "__all__", OTHER, "E%02d.mkv" % e))
    touch(os.path.join(s.rdm, "__all__", DEAD, "Dead.Movie.1999.avi"))
    s.command("scan")
    assert list(s.states()) == [s.unmapped_link]
    assert s.m.json("status/summary.json")["counts"]["broken_links"] == 1


def test_dry_run_sends_nothing_and_deletes_nothing(setup):
    s = setup(dry_run=True)
    s.inject(path_regex="addMagnet", status=451,
             body={"error": "infringing_file", "error_code": 35}, times=-1)
    before = s.all_links()
    s.command("run")
    s.command("run")
    assert s.changes() == []
    assert s.all_links() == before
    doc = s.repairs()
    assert doc["dry_run"] is True
    plans = sorted(q["plan"] for q in doc["queue"])
    assert len(plans) == 2
    assert all(p.startswith("would re-add info hash ") for p in plans)
    assert any(make_hash(OTHER) in p and "the 3 files selected before" in p
               for p in plans)
    assert {b["plan"] for b in s.m.json("status/broken.json")
            if b["link"] == s.dead_link} == {
        p for p in plans if make_hash(DEAD) in p}
    assert s.m.json("status/summary.json")["dry_run"] is True
    assert s.sonarr.call("/_requests") == []
    assert s.radarr.call("/_requests") == []
    assert s.webhook.call("/_messages") == []
    assert b"dry-run: 1" in s.m.read("control/repair")


def test_retry_schedule_and_attempt_cap(setup):
    # A delay long enough that a loaded machine reads the queue before
    # the first retry is due.
    s = setup(max_attempts=3, retry_delay="6s")
    s.inject(path_regex="addMagnet", status=509,
             body={"error": "too_many_active_downloads", "error_code": 21},
             times=-1)
    s.command("run")
    doc = s.repairs()
    assert len(doc["retry_queue"]) == 2
    assert all(r["attempts"] == 1 for r in doc["retry_queue"])
    assert all(r["next_retry_at"] for r in doc["retry_queue"])
    assert {s.states()[p] for p in s.other_links} == {"waiting_retry"}
    s.wait(lambda: len(s.repairs()["failed"]) == 2, "two failures")
    for name in (OTHER, DEAD):
        times = [r["time"] for r in s.requests()
                 if r["path"] == "/torrents/addMagnet"
                 and make_hash(name) in r["form"]["magnet"][0]]
        assert len(times) == 3
        # retry_delay apart, less the jitter of their arrival
        assert all(b - a >= 5.9 for a, b in zip(times, times[1:]))
    failed = {f["torrent"]: f for f in s.repairs()["failed"]}
    assert "3 attempts" in failed[make_id(OTHER)]["reason"]
    # Failed for good: the dead links go (in the pass that failed them,
    # once it listed the account), the others stay.
    s.wait(lambda: not any(os.path.lexists(p)
                           for p in s.other_links + [s.dead_link]),
           "the dead links deleted")
    assert os.path.islink(s.unmapped_link)
    # The servers are told after the links go, one after the other.
    s.wait(lambda: s.sonarr.call("/_commands") and
           s.radarr.call("/_commands"), "both servers told")
    assert s.sonarr.call("/_commands") == [{"name": "RescanSeries",
                                            "seriesId": 7}]
    assert s.radarr.call("/_commands") == [{"name": "RescanMovie",
                                            "movieId": 3}]
    # Nothing more is tried.
    n = len(s.requests())
    s.command("run")
    assert not [r for r in s.requests()[n:] if r["method"] != "GET"]


def test_infringing_after_rate_limit_is_not_permanent(setup):
    s = setup(retry_delay="1s")
    os.unlink(s.dead_link)
    s.inject(path_regex="addMagnet", status=429,
             body={"error": "too_many_requests", "error_code": 34},
             headers={"Retry-After": "1"}, times=1)
    s.command("run")
    assert s.repairs()["retry_queue"][0]["torrent"] == make_id(OTHER)
    s.inject(path_regex="addMagnet", status=451,
             body={"error": "infringing_file", "error_code": 35}, times=1)
    s.wait(lambda: s.repairs()["repaired"], "the repair", timeout=90)
    adds = [r["status"] for r in s.requests()
            if r["path"] == "/torrents/addMagnet"]
    assert adds == [429, 451, 201]
    assert s.repairs()["failed"] == []
    # the budget: every request the fake saw, the 429 the last refusal
    # (the 451 is no refusal of the rate)
    seen = len(s.requests())
    budget = s.m.json("metrics/repair.json")["throttle"]
    assert set(budget) == set(s.m.json("metrics/requests.json")[
        "realdebrid"])
    assert seen <= budget["requests"] <= len(s.requests())
    assert budget["last_refusal"]["status"] == 429
    assert budget["paused_until"] is None or budget["backoff_seconds"] > 0
    assert all(os.path.islink(p) for p in s.other_links)
    assert s.sonarr.call("/_commands") == []


def test_infringing_alone_is_permanent_and_rescans_once(setup):
    s = setup()
    first = min(make_id(OTHER), make_id(DEAD))
    s.inject(path_regex="addMagnet", status=451,
             body={"error": "infringing_file", "error_code": 35}, times=1)
    before = s.all_links()
    s.command("run")
    s.wait(lambda: s.repairs()["failed"] and
           len(s.repairs()["repaired"]) == 1, "one failure, one repair")
    failed = s.repairs()["failed"]
    assert [f["torrent"] for f in failed] == [first]
    if first == make_id(OTHER):
        gone, kept = s.other_links, [s.dead_link]
        arr, other, body = s.sonarr, s.radarr, {"name": "RescanSeries",
                                                "seriesId": 7}
    else:
        gone, kept = [s.dead_link], s.other_links
        arr, other, body = s.radarr, s.sonarr, {"name": "RescanMovie",
                                                "movieId": 3}
    assert failed[0]["links_deleted"] == len(gone)
    assert s.all_links() == sorted(set(before) - set(gone))
    assert all(os.path.islink(p) for p in kept + [s.unmapped_link])
    assert arr.call("/_commands") == [body]
    assert other.call("/_commands") == []
    # One look-up for the links of one folder, then the rescan.
    assert [r["method"] for r in arr.call("/_requests")] == ["GET", "POST"]
    assert all(r["api_key"] == "ok" for r in arr.call("/_requests"))
    metrics = s.m.json("metrics/repair.json")
    assert metrics["permanent_failures"] == 1
    assert metrics["links_deleted"] == len(gone)
    # the failure for good is told on its own, before the pass's summary
    told = s.wait(lambda: any("repair pass" in m for m in s.told()) and
                  s.told(), "the pass told")
    failures = [m for m in told if m.startswith("mediamon: Repair failed")]
    name = OTHER if first == make_id(OTHER) else DEAD
    assert failures == ["mediamon: Repair failed: %s\ntorrent %s cannot be"
                        " repaired: infringing_file" % (name, first)]


@pytest.mark.parametrize("trouble", ["unmounted", "emptied", "too_many"])
def test_guard_stops_everything(setup, trouble):
    s = setup(ratio="0.2" if trouble == "too_many" else None,
              start_mount=False)
    s.inject(path_regex="addMagnet", status=451,
             body={"error": "infringing_file", "error_code": 35}, times=-1)
    if trouble == "unmounted":
        subprocess.run(["umount", s.rdm], check=True)
        reason = "not a mount point"
    elif trouble == "emptied":
        subprocess.run(["sh", "-c", "rm -rf '%s'/*" % s.rdm], check=True)
        reason = "empty"
    else:
        reason = "5 of 11 links broken, more than 20%"
    s.start()
    before = s.all_links()
    s.command("run")
    health = s.m.read("status/health").decode()
    assert "error: debrid mount looks down (%s)" % reason in health
    assert s.changes() == []
    assert s.all_links() == before
    assert s.sonarr.call("/_requests") == []
    assert s.radarr.call("/_requests") == []
    doc = s.repairs()
    assert doc["guard"]["ok"] is False
    assert doc["guard"]["reason"] == reason


def test_request_rate_holds(setup):
    s = setup(rpm=120)
    s.command("run")
    s.wait(lambda: len(s.repairs()["repaired"]) == 2, "two repairs")
    times = [r["time"] for r in s.requests()]
    assert len(times) > 10
    # 120 a minute: k + 1 requests span at least k half seconds, less the
    # lateness of the first one's arrival on a busy machine (a request
    # that arrives late brings the next one closer; a throttle that let
    # them through together would put ten within a fraction of a second)
    for k in range(1, len(times)):
        assert min(b - a for a, b in zip(times, times[k:])) >= \
            0.5 * k - 0.5, k


def test_bad_answers_lose_nothing(setup):
    s = setup(retry_delay="1s")
    os.unlink(s.dead_link)
    s.inject(path_regex="^/torrents$", status=200, body="{not json",
             times=1)
    s.command("scan")
    # Without the account's list, nothing can be mapped, and nothing is
    # forgotten: the next pass maps them.
    assert set(s.states().values()) == {"unmapped"}
    assert "error: realdebrid: malformed answer" in \
        s.m.read("status/health").decode()
    s.inject(path_regex="addMagnet", status=500, body="oops", times=1)
    s.inject(path_regex="info", delay_ms=1500, times=2)
    s.command("run")
    assert s.states()[s.other_links[0]] == "waiting_retry"
    s.wait(lambda: s.repairs()["repaired"], "the repair")
    assert "malformed" not in s.m.read("status/health").decode()
    assert all(os.path.islink(p) for p in s.other_links)
    attempts = s.repairs()["recent_attempts"]
    assert any(a["endpoint"] == "addMagnet" and a["http_status"] == 500
               for a in attempts)


def test_failure_left_by_a_kill_is_cleaned_up(setup):
    """A torrent failed for good, then the daemon died before its links
    went: the next run deletes them."""
    s = setup()
    s.command("scan")
    unmount(s.m.path, s.m.proc)
    db = sqlite3.connect(s.m.db)
    with db:
        db.execute("INSERT OR REPLACE INTO rd_repairs (torrent_id, hash,"
                   " name, state, updated_at, finished_at, last_error)"
                   " VALUES (?, ?, ?, 'failed', 1, 1, 'infringing_file')",
                   (make_id(OTHER), make_hash(OTHER), OTHER))
        db.execute("INSERT INTO rd_failures (torrent_id, name, hash, reason,"
                   " at) VALUES (?, ?, ?, 'infringing_file', 1)",
                   (make_id(OTHER), OTHER, make_hash(OTHER)))
    db.close()
    s.start()
    s.command("run")
    s.wait(lambda: len(s.repairs()["repaired"]) == 1, "the other repair")
    assert not any(os.path.lexists(p) for p in s.other_links)
    assert os.path.islink(s.dead_link)
    assert s.sonarr.call("/_commands") == [{"name": "RescanSeries",
                                            "seriesId": 7}]
    failed = s.repairs()["failed"]
    assert [(f["torrent"], f["links_deleted"]) for f in failed] == [
        (make_id(OTHER), 3)]
    assert not [r for r in s.requests() if make_hash(OTHER) in
                json.dumps(r.get("form"))]


def test_repair_loop_is_stopped_and_listed(setup):
    """A torrent repaired max_attempts times within a day whose links die
    again is not re-added once more, and nothing is deleted."""
    s = setup(max_attempts=3)
    s.command("scan")
    unmount(s.m.path, s.m.proc)
    db = sqlite3.connect(s.m.db)
    ago = time.time() - 3600
    with db:
        db.execute("DELETE FROM rd_repairs WHERE torrent_id = ?",
                   (make_id(OTHER),))
        for n in range(3):
            db.execute("INSERT INTO rd_repairs (torrent_id, hash, name,"
                       " state, new_id, updated_at, finished_at) VALUES"
                       " (?, ?, ?, 'repaired', ?, ?, ?)",
                       ("OLD%d" % n, make_hash(OTHER), OTHER,
                        "OLD%d" % (n + 1), ago, ago))
    db.close()
    s.start()
    s.command("run")
    s.wait(lambda: any(r["torrent"] == make_id(DEAD)
                       for r in s.repairs()["repaired"]), "the other repair")
    by_link = {b["link"]: b for b in s.m.json("status/broken.json")}
    for path in s.other_links:
        assert by_link[path]["state"] == "failed"
        assert "repair loop" in by_link[path]["reason"]
    assert all(os.path.islink(p) for p in s.other_links)
    assert not [r for r in s.requests() if make_hash(OTHER) in
                json.dumps(r.get("form"))]
    assert s.sonarr.call("/_requests") == []
    assert s.repairs()["failed"] == []
    assert [r["torrent"] for r in s.repairs()["loops_stopped"]] == [
        make_id(OTHER)]
    assert "warn: 1 torrents stopped in a repair loop" in \
        s.m.read("status/health").decode()
    # a loop stopped is told as a failure for good
    told = s.wait(lambda: [m for m in s.told() if "repair loop" in m],
                  "the loop told")
    assert told == ["mediamon: Repair failed: %s\ntorrent %s cannot be"
                    " repaired: repair loop: repaired 3 times within a day,"
                    " stopped" % (OTHER, make_id(OTHER))]


def test_control_repair_input(setup):
    s = setup(dry_run=True)
    for bad in ("repair now\n", "run now\n", "RUNS\n", "scan\nrun\n", "1\n",
                "retry\n", "retry \n", "forget\n", "retry  X\n",
                "retry NOSUCHTORRENT\n", "forget a/b\n", "resync now\n",
                "retry " + "A" * 65 + "\n"):
        with pytest.raises(OSError) as e:
            s.m.write("control/repair", bad)
        assert e.value.errno == errno.EINVAL
    # echo > file truncates first: that alone changes nothing.
    fd = os.open(s.m.file("control/repair"), os.O_WRONLY | os.O_TRUNC)
    os.close(fd)
    assert s.passes() == 0
    text = s.m.read("control/repair").decode()
    assert text.startswith("state: idle\ndry-run: 1\n"
                           "listing: not started\naccepted:\n")
    for cmd in ("scan", "run", "resync", "retry ID", "forget ID"):
        assert "\n  %s " % cmd in text
    assert s.m.write("control/repair", "scan") == 4
    s.wait(lambda: s.passes() == 1, "a pass")


def test_repair_off_without_realdebrid(mount):
    text = mount.read("control/repair").decode()
    assert text.startswith("state: off")
    with pytest.raises(OSError) as e:
        mount.write("control/repair", "run\n")
    assert e.value.errno == errno.EPERM
    assert mount.json("status/broken.json") == []
    assert mount.read("status/broken") == b""
    doc = mount.json("status/repairs.json")
    assert doc["queue"] == [] and doc["last_pass"] is None
    assert doc["guard"]["ok"] is True
    assert mount.json("metrics/repair.json")["passes"] == 0
    assert mount.json("status/summary.json")["counts"]["broken_links"] == 0


def test_torrents_in_trouble_are_looked_at_each_pass(setup):
    """Each pass reads again the torrents the copy holds in an error
    state, and only those (beside what dead links need); one the account
    dropped leaves the copy when the listing no longer shows it, and no
    pass asks for it again."""
    sick = [torrent("Sick.%d" % i, [("/Sick.%d.mkv" % i, 10, 1)],
                    status=st)
            for i, st in enumerate(["magnet_error", "error", "virus",
                                    "dead"])]
    well = torrent("Well.0", [("/Well.0.mkv", 10, 1)])
    s = setup(dry_run=True, account=BUILTIN["torrents"] + sick + [well])
    s.command("scan")
    infos = {r["path"].rsplit("/", 1)[1] for r in s.requests()
             if r["path"].startswith("/torrents/info/")}
    assert {make_id("Sick.%d" % i) for i in range(4)} <= infos
    assert make_id("Well.0") not in infos
    # Sick.0 leaves the account: asked once more, then forgotten
    gone = make_id("Sick.0")
    req = urllib.request.Request(
        s.rd.url + "/rest/1.0/torrents/delete/" + gone, method="DELETE",
        headers={"Authorization": "Bearer " + TOKEN})
    urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
        req, timeout=10).close()
    s.command("scan")
    s.command("scan")
    asked = [r for r in s.requests()
             if r["path"] == "/torrents/info/" + gone]
    assert len(asked) == 1
    assert s.m.proc.poll() is None


DELETE_FAILS = (500, {"error": "internal_error", "error_code": -1})


def repair_with_delete_answer(setup, retry_delay, status, body):
    """A setup whose one repair, of OTHER, is done, the old torrent's
    first DELETE answered status with body."""
    s = setup(retry_delay=retry_delay)
    os.unlink(s.dead_link)
    s.inject(path_regex="^/torrents/delete/", method="DELETE",
             status=status, body=body, times=1)
    s.command("run")
    s.wait(lambda: s.repairs()["repaired"], "the repair")
    return s


def past_retry_delay(s):
    """Date back by an hour, in the store, the times retry_delay counts
    from (an owed deletion's last try, a repair's next attempt): the
    delay over for the next pass, whatever the clock did meanwhile."""
    db = sqlite3.connect(s.m.db, timeout=60)
    try:
        with db:
            db.execute("UPDATE rd_deletes SET tried_at = tried_at - 3600"
                       " WHERE tried_at IS NOT NULL")
            db.execute("UPDATE rd_repairs SET next_at = next_at - 3600"
                       " WHERE next_at IS NOT NULL")
    finally:
        db.close()


def deletes_after_a_retry_delay(s):
    """The statuses of the DELETEs made once retry_delay is over and a
    pass ran: the one wait of a "not asked again" and of its positive
    control."""
    past_retry_delay(s)
    s.command("run")
    return [r["status"] for r in s.requests() if r["method"] == "DELETE"]


def test_failed_delete_of_old_torrent_is_retried(setup):
    """The new torrent is downloaded but the old one's DELETE fails: the
    repair is done, and the deletion is owed, shown, counted and tried
    again retry_delay later until it goes."""
    s = repair_with_delete_answer(setup, "6s", *DELETE_FAILS)
    old = make_id(OTHER)
    doc = s.repairs()
    assert [r["torrent"] for r in doc["repaired"]] == [old]
    owed = doc["old_torrents_to_delete"]
    assert [(o["torrent"], o["failures"]) for o in owed] == [(old, 1)]
    assert owed[0]["new_id"] == doc["repaired"][0]["new_id"]
    assert owed[0]["last_error"] and owed[0]["tried_at"]
    assert {s.states()[p] for p in s.other_links} == {"repaired"}
    metrics = s.m.json("metrics/repair.json")
    assert metrics["repairs_ok"] == 1
    assert metrics["old_torrents_to_delete"] == 1
    assert metrics["old_torrent_delete_failures"] == 1
    assert old in {t["id"] for t in s.rd.call("/_torrents")}

    # The follow-up pass deletes it (204), and nothing more is owed.
    s.wait(lambda: not s.repairs()["old_torrents_to_delete"],
           "the deletion done")
    deletes = [(r["path"], r["status"]) for r in s.requests()
               if r["method"] == "DELETE"]
    assert deletes == [("/torrents/delete/" + old, 500),
                       ("/torrents/delete/" + old, 204)]
    assert old not in {t["id"] for t in s.rd.call("/_torrents")}
    metrics = s.m.json("metrics/repair.json")
    assert metrics["old_torrents_to_delete"] == 0
    assert metrics["old_torrent_delete_failures"] == 1
    assert metrics["repairs_ok"] == 1
    # One message per pass that did something: the repair, the deletion.
    messages = s.wait(lambda: len([m for m in s.told()
                                   if "repair pass" in m]) == 2 and
                      [m for m in s.told() if "repair pass" in m],
                      "two passes told")
    assert "1 torrents repaired" in messages[0]
    assert "0 old torrents deleted" in messages[0]
    assert "0 torrents repaired" in messages[1]
    assert "1 old torrents deleted" in messages[1]
    # Once gone, it is not asked for again.
    n = len(s.requests())
    s.command("run")
    assert not [r for r in s.requests()[n:] if r["method"] == "DELETE"]


def test_old_torrent_gone_already_counts_as_deleted(setup):
    """A DELETE answered 404 (the account no longer has the old torrent)
    settles the deletion: nothing is owed or tried again."""
    s = repair_with_delete_answer(setup, "1h", 404, {
        "error": "unknown_ressource", "error_code": 7})
    assert s.repairs()["old_torrents_to_delete"] == []
    metrics = s.m.json("metrics/repair.json")
    assert metrics["old_torrents_to_delete"] == 0
    assert metrics["old_torrent_delete_failures"] == 0
    assert len(deletes_after_a_retry_delay(s)) == 1


def test_failed_delete_is_asked_again_within_the_same_wait(setup):
    """The positive control of the test above: a DELETE that failed (500)
    is owed, and the same wait and pass see it asked again."""
    s = repair_with_delete_answer(setup, "1h", *DELETE_FAILS)
    assert deletes_after_a_retry_delay(s) == [500, 204]


def relink(target, path):
    """Point the symlink at path to target at once, as ln -sfn does: a new
    link renamed over the old one."""
    tmp = path + ".new"
    os.symlink(target, tmp)
    os.replace(tmp, path)


def test_library_changes_seen_without_a_pass(setup):
    """Links made, removed or pointed elsewhere under the library folders
    reach /status/broken and summary.json through the watcher, with no
    pass between."""
    s = setup(dry_run=True)
    # The start's walk, before any pass: the account is not known yet.
    s.wait(lambda: sorted(s.states()) == sorted(s.dead_links),
           "the links walked at start")
    assert set(s.states().values()) == {"unmapped"}
    assert s.passes() == 0
    s.command("scan")
    passes = s.passes()
    m = os.path.join(s.rdm, "__all__")

    def broken():
        return s.m.json("status/summary.json")["counts"]["broken_links"]

    def shown(path, state):
        return lambda: s.states().get(path) == state

    added = os.path.join(s.tv, "Other Show", "Season 2", "E04.mkv")
    link(os.path.join(m, OTHER, "E04.mkv"), added)
    s.wait(shown(added, "broken"), "the new dead link")
    by_link = {b["link"]: b for b in s.m.json("status/broken.json")}
    assert by_link[added]["torrent"] == make_id(OTHER)
    assert broken() == 6

    os.unlink(s.unmapped_link)
    s.wait(lambda: s.unmapped_link not in s.states(), "the link gone")
    assert broken() == 5

    live = os.path.join(s.tv, "Show", "Season 1", "Show.S01E01.mkv")
    relink(os.path.join(m, "Show.S01.1080p.WEB", "Show.S01E09.mkv"), live)
    s.wait(shown(live, "broken"), "the link pointed at nothing")
    relink(os.path.join(m, "Movie.2019.2160p.UHD",
                        "Movie.2019.2160p.UHD.mkv"), s.dead_link)
    s.wait(lambda: s.dead_link not in s.states(), "the link brought back")

    # A folder made with a link in it at once: its watch comes before
    # its walk, so nothing is missed.
    fresh = os.path.join(s.tv, "New Show", "Season 1", "e1.mkv")
    link(os.path.join(m, "New.Show.S01", "e1.mkv"), fresh)
    s.wait(shown(fresh, "unmapped"), "the link in a new folder")
    # Not ours: a link out of the mount.
    link("/nowhere/else.mkv", os.path.join(s.tv, "Show", "elsewhere.mkv"))
    # A folder moved away takes its links along.
    os.rename(os.path.join(s.tv, "Other Show"),
              os.path.join(s.tmp, "Other Show"))
    s.wait(lambda: not set(s.other_links + [added]) & set(s.states()),
           "the moved folder's links gone")
    assert sorted(s.states()) == sorted([live, fresh])
    assert broken() == 2
    assert s.passes() == passes
    assert s.changes() == []


def test_a_pass_sees_what_the_mount_lost(setup):
    """A file gone from the mount makes no event in the library: a
    scheduled pass reads the known links again and finds it dead."""
    s = setup(dry_run=True, check_interval="2s")
    s.wait(lambda: s.passes() >= 1, "a first scheduled pass")
    assert sorted(s.states()) == sorted(s.dead_links)
    lost = os.path.join(s.rdm, "__all__", "Extra.Pack", "x2.mkv")
    os.unlink(lost)
    extra = os.path.join(s.tv, "Extra", "x2.mkv")
    passes = s.passes()
    s.wait(lambda: s.states().get(extra) == "unmapped" or
           s.states().get(extra) == "broken", "the dead link seen")
    # a pass keeps the links' states as it goes and counts itself in
    # metrics/repair.json when it ends: the state may come first
    s.wait(lambda: s.passes() > passes, "the pass that saw it ends")
    assert s.repairs()["last_pass"]["trigger"] == "schedule"
    assert s.changes() == []


def test_watcher_overflow_walks_the_libraries(setup):
    """When the kernel's event queue overflows, the libraries are walked
    whole: a dead link whose event was lost shows all the same."""
    s = setup(dry_run=True)
    s.command("scan")
    with open("/proc/sys/fs/inotify/max_queued_events") as f:
        queue = int(f.read())
    live = os.path.join(s.rdm, "__all__", "Extra.Pack", "x1.mkv")
    extra = os.path.join(s.tv, "Extra")
    late = os.path.join(s.tv, "Extra", "zz-late.mkv")
    passes = s.passes()
    # The daemon reads nothing while the burst comes, so the queue fills
    # and the last link's event is dropped.
    with stopped(s.m.proc):
        for i in range(queue + 200):
            os.symlink(live, os.path.join(extra, "burst%05d.mkv" % i))
        link(os.path.join(s.rdm, "__all__", "Lost.Torrent", "f.mkv"), late)
    s.wait(lambda: s.states().get(late) == "unmapped", "the lost link")
    assert s.m.json("metrics/watch.json")["overflows"] >= 1
    assert s.passes() == passes


def repair_ending_in(setup, status):
    """A setup whose one repair, of OTHER, ends in status: run once."""
    s = setup(max_attempts=3, retry_delay="1h")
    os.unlink(s.dead_link)
    s.rd.call("/_magnets", {make_hash(OTHER): {
        "filename": OTHER, "fails_with": status,
        "files": [{"path": "/%s/E%02d.mkv" % (OTHER, e), "bytes": 7000}
                  for e in (1, 2, 3)]}})
    s.command("run")
    return s


def adds_after_a_retry_delay(s):
    """The torrents added once retry_delay is over and a pass ran: the one
    wait of a "not tried again" and of its positive control."""
    past_retry_delay(s)
    s.command("run")
    return len([r for r in s.requests()
                if r["path"] == "/torrents/addMagnet"])


def test_virus_fails_for_good_at_once(setup):
    """A re-added torrent that ends as a virus is not tried again: it
    goes, and so do the dead links of its torrent, with one rescan."""
    s = repair_ending_in(setup, "virus")
    s.wait(lambda: s.repairs()["failed"], "the failure")
    failed = s.repairs()["failed"]
    assert [(f["torrent"], f["reason"]) for f in failed] == [
        (make_id(OTHER), "virus")]
    adds = [r for r in s.requests() if r["path"] == "/torrents/addMagnet"]
    assert len(adds) == 1
    deleted = [r["path"].rsplit("/", 1)[1] for r in s.changes()
               if r["method"] == "DELETE"]
    assert len(deleted) == 1 and deleted[0] != make_id(OTHER)
    assert "virus" not in {t["status"] for t in s.rd.call("/_torrents")}
    assert not any(os.path.lexists(p) for p in s.other_links)
    assert os.path.islink(s.unmapped_link)
    assert s.sonarr.call("/_commands") == [{"name": "RescanSeries",
                                            "seriesId": 7}]
    assert s.radarr.call("/_commands") == []
    assert adds_after_a_retry_delay(s) == 1


def test_failures_above_error_rate_told(setup):
    """A pass whose one ended repair failed for good is above error_rate
    (5%): told once, after the pass's summary."""
    s = repair_ending_in(setup, "virus")
    told = s.wait(lambda: [m for m in s.told()
                           if m.startswith("mediamon: Error rate")],
                  "the error rate told")
    assert told == ["mediamon: Error rate\na Real-Debrid repair pass"
                    " failed 1 of 1 repairs for good (100.0%, above 5.0%)"]
    assert "hookTOKEN" not in (s.tmp / "mediamon.log").read_text()


def test_error_is_tried_again_within_the_same_wait(setup):
    """The positive control of the test above: a torrent that ends in an
    error that may pass is tried again, seen by the same wait and pass."""
    s = repair_ending_in(setup, "error")
    s.wait(lambda: [r for r in s.repairs()["retry_queue"]
                    if r["attempts"] >= 1], "the first attempt's end")
    assert adds_after_a_retry_delay(s) >= 2


def test_download_that_never_ends_is_bounded(setup):
    """A re-added torrent stuck downloading is given up after
    download_timeout, deleted, and retried; after max_attempts the
    repair failed for good, like any retried error."""
    s = setup(max_attempts=2, retry_delay="1s", download_timeout="3s")
    os.unlink(s.dead_link)
    s.rd.call("/_magnets", {make_hash(OTHER): {
        "filename": OTHER, "stalls": True,
        "files": [{"path": "/%s/E%02d.mkv" % (OTHER, e), "bytes": 7000}
                  for e in (1, 2, 3)]}})
    s.command("run")
    s.wait(lambda: s.repairs()["failed"], "the failure", timeout=90)
    failed = s.repairs()["failed"]
    assert [f["torrent"] for f in failed] == [make_id(OTHER)]
    assert "not downloaded in time" in failed[0]["reason"]
    adds = [r for r in s.requests() if r["path"] == "/torrents/addMagnet"
            and r["status"] == 201]
    assert len(adds) == 2
    # Each stalled copy was deleted when given up.
    assert [t for t in s.rd.call("/_torrents")
            if t["status"] == "downloading"] == []
    deleted = [r for r in s.changes() if r["method"] == "DELETE"]
    assert len(deleted) == 2
    assert s.repairs()["repaired"] == []


def test_dry_run_switched_off_through_the_mount(setup):
    """echo 0 > control/dry-run: the status files say so, and the next
    run repairs."""
    s = setup(dry_run=True)
    os.unlink(s.dead_link)
    s.command("run")
    assert s.changes() == []
    assert s.repairs()["dry_run"] is True
    s.m.write("control/dry-run", "0\n")
    assert s.repairs()["dry_run"] is False
    assert s.m.json("status/summary.json")["dry_run"] is False
    assert b"dry-run: 0" in s.m.read("control/repair")
    s.command("run")
    s.wait(lambda: s.repairs()["repaired"], "the repair")
    assert s.changes()[0]["path"] == "/torrents/addMagnet"
    assert s.repairs()["queue"] == []
