# SPDX-License-Identifier: GPL-3.0-or-later
"""What the HTTP door counts (/metrics/http.json and its Prometheus
series) and health as figures: checked by promtool, scraped by the real
Prometheus, whose alert rule on mediamon_health_ok fires when the store's
file system turns read-only."""

import json
import os
import shutil
import subprocess
import urllib.parse

import pytest

from conftest import wait_for
from test_faults import add_album, ext4
from test_http import PASSWORD, Web, free_port
from test_service_metrics import promtool
from service_common import parse_prometheus

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("htpasswd") or
    not shutil.which("curl"),
    reason="needs root (to act as the accounts' users), htpasswd and curl")


def ping(w, password=PASSWORD):
    return w.curl("/rest/ping.view?u=root&p=%s&v=1.16.1&c=t&f=json" %
                  urllib.parse.quote(password), user=None)


def test_door_counts_what_it_answers(tmp_path, template_library):
    music = tmp_path / "music"
    shutil.copytree(str(template_library), str(music))
    w = Web(tmp_path, music=music)
    try:
        before = w.m.json("metrics/http.json")
        assert before["requests"] == [] and before["subsonic_calls"] == {}
        assert w.curl("/status/summary.json")[0] == 200
        assert w.curl("/metrics", password="wrong")[0] == 401
        assert w.curl("/status/nosuch")[0] == 404
        assert w.curl("/")[0] == 200
        assert w.curl("/control/rescan", "--data-binary", "1")[0] == 200
        assert ping(w)[0] == 200
        assert ping(w)[0] == 200
        doc = w.m.json("metrics/http.json")
        got = {(r["kind"], r["code"]): r["count"] for r in doc["requests"]}
        assert got == {("file", "200"): 1, ("file", "401"): 1,
                       ("file", "404"): 1, ("page", "200"): 1,
                       ("control", "200"): 1, ("subsonic", "200"): 2}, got
        assert doc["subsonic_calls"] == {"ping": 2}
        assert doc["bytes_sent"] > 0 and doc["connections"] >= 0
        # the same over HTTP, as Prometheus reads it, and valid for it
        status, _, body = w.curl("/metrics")
        text = body.decode()
        promtool(text)
        samples = parse_prometheus(text)
        assert samples[("mediamon_subsonic_calls_total",
                        (("method", "ping"),))] == 2
        assert samples[("mediamon_http_requests_total",
                        (("kind", "file"), ("code", "401")))] == 1
        assert samples[("mediamon_health_ok", ())] == 1
    finally:
        w.stop()


def prometheus(tmp_path, w, rules):
    """The real Prometheus scraping w every second with rules: (its
    process, a function of a query's API path giving its JSON)."""
    binary = shutil.which("prometheus")
    if not binary:
        pytest.skip("prometheus is not installed")
    (tmp_path / "rules.yml").write_text(rules)
    conf = tmp_path / "prometheus.yml"
    conf.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        "  evaluation_interval: 1s\n"
        "rule_files:\n  - %s\n"
        "scrape_configs:\n  - job_name: mediamon\n"
        "    basic_auth:\n      username: root\n"
        "      password: '%s'\n"
        "    static_configs:\n      - targets: ['%s']\n" % (
            tmp_path / "rules.yml", PASSWORD, w.base[len("http://"):]))
    check = subprocess.run(["promtool", "check", "config", str(conf)],
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    port = free_port()
    log = open(str(tmp_path / "prometheus.log"), "wb")
    p = subprocess.Popen([binary, "--config.file=" + str(conf),
                          "--storage.tsdb.path=" + str(tmp_path / "tsdb"),
                          "--web.listen-address=127.0.0.1:%d" % port],
                         stdout=log, stderr=subprocess.STDOUT)
    log.close()

    def api(path):
        r = subprocess.run(["curl", "-sS", "--max-time", "10",
                            "http://127.0.0.1:%d/api/v1/%s" % (port, path)],
                           capture_output=True, text=True, timeout=30)
        try:
            return json.loads(r.stdout)
        except ValueError:
            # not up yet, or an answer cut short
            return {}
    return p, api


def test_prometheus_scrapes_with_basic_auth(tmp_path):
    w = Web(tmp_path)
    p = None
    try:
        p, api = prometheus(tmp_path, w, "groups: []\n")
        wait_for(lambda: api("query?query=mediamon_uptime_seconds"), 120,
                 "a scrape of mediamon", until=lambda r: r.get(
                     "data", {}).get("result"))
    finally:
        if p is not None:
            p.terminate()
            p.wait(timeout=60)
        w.stop()


RULES = """groups:
  - name: mediamon
    rules:
      - alert: MediamonUnhealthy
        expr: mediamon_health_ok == 0
        labels:
          severity: page
        annotations:
          summary: "mediamon's /status/health names a problem"
"""


def firing(api):
    return [a for a in api("alerts").get("data", {}).get("alerts", [])
            if a["labels"].get("alertname") == "MediamonUnhealthy" and
            a["state"] == "firing"]


def test_prometheus_alert_fires_on_a_read_only_store(tmp_path, library):
    with ext4(tmp_path / "state") as (fail, _):
        w = Web(tmp_path, music=library)
        p = None
        try:
            p, api = prometheus(tmp_path, w, RULES)
            wait_for(lambda: api("query?query=mediamon_health_ok"), 120,
                     "a scrape with health ok", until=lambda r: [
                         x["value"][1] for x in r.get("data", {}).get(
                             "result", [])] == ["1"])
            assert firing(api) == []
            subprocess.run(["sync", "-f", w.m.db], check=True)
            fail()
            add_album(library, "Later", 3)
            wait_for(lambda: w.m.read("status/health").decode(), 90,
                     "health naming the store",
                     until=lambda h: "error: store:" in h, ignore=(OSError,))
            alerts = wait_for(lambda: firing(api), 120,
                              "the alert firing")
            assert alerts[0]["labels"]["severity"] == "page"
        finally:
            if p is not None:
                p.terminate()
                p.wait(timeout=60)
            w.stop()
