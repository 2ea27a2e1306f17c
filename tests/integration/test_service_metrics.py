# SPDX-License-Identifier: GPL-3.0-or-later
"""mediamon's metrics: the Prometheus file as promtool reads it, a root's
strange name in a label, the Grafana dashboard's queries, and the
counters reset through the control file."""

import errno
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import REPO, start, unmount, wait_for
from service_common import log_lines, parse_prometheus


def test_prometheus(library, tmp_path):
    m = start(tmp_path, "music=" + str(library))
    try:
        text = m.read("metrics/prometheus").decode()
        summary = m.json("status/summary.json")
        scan = m.json("metrics/scan.json")
        watch = m.json("metrics/watch.json")
        monitor = m.json("metrics/monitor.json")
        # the name node_exporter's textfile collector reads
        prom = m.read("metrics/mediamon.prom").decode()
    finally:
        unmount(m.path, m.proc)
    got = parse_prometheus(text)
    assert set(parse_prometheus(prom)) == set(got)
    assert re.findall("^# .*", prom, re.M) == re.findall("^# .*", text,
                                                          re.M)
    expect = {
        ("mediamon_tracks", ()): summary["counts"]["tracks"],
        ("mediamon_files", ()): summary["counts"]["files"],
        ("mediamon_dry_run", ()): 1,
        ("mediamon_root_files", (("kind", "music"),
                                 ("path", str(library)))): 10,
        ("mediamon_scans_total", ()): scan["totals"]["scans"],
        ("mediamon_last_scan_files_seen", ()): 10,
        ("mediamon_last_scan_read_bytes", ()): scan["last"]["bytes_read"],
        ("mediamon_last_scan_peak_rss_bytes", ()):
            scan["last"]["peak_rss_kb"] * 1024,
        ("mediamon_last_scan_phase_seconds", (("phase", "walk"),)):
            scan["last"]["phases"]["walk_s"],
        ("mediamon_watch_watches", ()): watch["watches"],
        ("mediamon_watch_debounce_seconds", ()): 0.2,
        ("mediamon_watch_events_total", (("kind", "create"),)):
            watch["events"]["create"],
        ("mediamon_cache_hits_total", ()): monitor["cache"]["hits"],
        ("mediamon_throttle_requests_per_minute",
         (("service", "prowlarr"),)): 30,
        ("mediamon_scans_success_ratio", ()): 1,
        ("mediamon_scan_average_duration_seconds", ()):
            scan["totals"]["avg_duration_s"],
        ("mediamon_scan_read_bytes_total", ()): scan["last"]["bytes_read"],
    }
    assert summary["counts"]["tracks"] == 9
    for key, value in expect.items():
        assert got[key] == pytest.approx(value), key
    assert ("mediamon_watch_events_total", (("kind", "total"),)) not in got
    state = [k for k in got if k[0] == "mediamon_state"]
    assert len(state) == 1 and got[state[0]] == 1
    promtool(text)
    promtool(prom)


def promtool(text):
    if not shutil.which("promtool"):
        pytest.skip("promtool (Debian package prometheus) is not installed")
    r = subprocess.run(["promtool", "check", "metrics"], input=text,
                       capture_output=True, text=True)
    assert (r.returncode, r.stdout + r.stderr) == (0, ""), r.stdout + r.stderr


def test_prometheus_strange_root_name(template_library, tmp_path):
    """A root path with a quote, a backslash and a line break stays one
    well-formed label."""
    root = tmp_path / 'odd "dir" \\ name\nline'
    shutil.copytree(str(template_library), str(root))
    # -o takes a backslash as an escape
    m = start(tmp_path, "music=" + str(root).replace("\\", "\\\\"))
    try:
        text = m.read("metrics/prometheus").decode()
    finally:
        unmount(m.path, m.proc)
    got = parse_prometheus(text)
    escaped = str(root).replace("\\", "\\\\").replace('"', '\\"') \
        .replace("\n", "\\n")
    assert got[("mediamon_root_files", (("kind", "music"),
                                        ("path", escaped)))] == 10
    promtool(text)


def test_prometheus_checks_can_fail():
    """Both checkers refuse what the format forbids."""
    bad = ("# HELP mediamon_x_total x\n# TYPE mediamon_x_total counter\n"
           'mediamon_x_total{path="a"b"} 1\n')
    with pytest.raises(AssertionError):
        parse_prometheus(bad)
    with pytest.raises(AssertionError):
        promtool(bad)


DASHBOARD = os.path.join(REPO, "contrib", "grafana-dashboard.json")


# What the dashboard shows, by a metric each (issue 26): scan rate,
# no-change rescan time, watch latency, missing volumes, broken links,
# repairs, request budgets, and the totals.
DASHBOARD_TOPICS = {
    "mediamon_last_scan_files_per_second",
    "mediamon_last_scan_duration_seconds",
    "mediamon_last_scan_files_changed",
    "mediamon_watch_latency_p95_seconds", "mediamon_missing_volumes",
    "mediamon_broken_links", "mediamon_repairs_ok",
    "mediamon_throttle_requests_per_minute",
    "mediamon_throttle_requests_total", "mediamon_scans_success_ratio",
    "mediamon_scan_average_duration_seconds",
    "mediamon_scan_read_bytes_total",
}


def dashboard_queries(doc):
    """Every query of a Grafana dashboard, rows' panels included."""
    exprs = []
    panels = list(doc["panels"])
    while panels:
        p = panels.pop(0)
        panels += p.get("panels", [])
        if p["type"] == "row":
            continue
        assert p["targets"], p["title"]
        for target in p["targets"]:
            exprs.append(target["expr"])
    return exprs


def unknown_metrics(exprs, exported):
    names = set(re.findall(r"\bmediamon_[a-z0-9_]+", " ".join(exprs)))
    return names - exported, names


def test_grafana_dashboard(library, tmp_path):
    """contrib/grafana-dashboard.json is JSON that Grafana imports, each
    query is PromQL that promtool reads, and names only metrics the
    daemon exports."""
    with open(DASHBOARD) as f:
        doc = json.load(f)
    assert doc["title"] == "mediamon" and doc["schemaVersion"] >= 30
    assert [i["pluginId"] for i in doc["__inputs"]] == ["prometheus"]
    exprs = dashboard_queries(doc)
    assert len(exprs) >= 20
    m = start(tmp_path, "music=" + str(library))
    try:
        prom = m.read("metrics/mediamon.prom").decode()
    finally:
        unmount(m.path, m.proc)
    exported = set(re.findall(r"^# TYPE (\S+) ", prom, re.M))
    unknown, used = unknown_metrics(exprs, exported)
    assert unknown == set()
    assert DASHBOARD_TOPICS <= used, DASHBOARD_TOPICS - used
    # each query, as a recording rule, through promtool's PromQL parser
    if not shutil.which("promtool"):
        pytest.skip("promtool (Debian package prometheus) is not installed")
    rules = tmp_path / "rules.yml"
    rules.write_text(json.dumps({"groups": [{"name": "dashboard", "rules": [
        {"record": "dashboard:query_%d" % i, "expr": e}
        for i, e in enumerate(exprs)]}]}))
    r = subprocess.run(["promtool", "check", "rules", str(rules)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_grafana_checks_can_fail(tmp_path):
    """A metric the daemon does not export, and a query promtool cannot
    read, are both seen."""
    unknown, _ = unknown_metrics(["rate(mediamon_nope_total[5m])"],
                                 {"mediamon_files"})
    assert unknown == {"mediamon_nope_total"}
    if not shutil.which("promtool"):
        pytest.skip("promtool is not installed")
    rules = tmp_path / "rules.yml"
    rules.write_text(json.dumps({"groups": [{"name": "d", "rules": [
        {"record": "d:q", "expr": "rate(mediamon_files[5m]"}]}]}))
    r = subprocess.run(["promtool", "check", "rules", str(rules)],
                       capture_output=True, text=True)
    assert r.returncode != 0


def counters(m):
    """The counters since the start that /control/reset-metrics zeroes."""
    watch = m.json("metrics/watch.json")
    analysis = m.json("metrics/analysis.json")
    fuse = m.json("metrics/fuse.json")
    return {"watch events": watch["events"]["total"],
            "watch batches": watch["batches"],
            "watch latency samples": watch["latency_ms"]["samples"],
            "analysis done": analysis["done"],
            "fuse requests": fuse["requests"]}


def test_reset_metrics(library, tmp_path):
    m = start(tmp_path, "music=" + str(library))
    try:
        assert m.read("control/reset-metrics").decode().startswith(
            "counting since ")
        assert "(the start)" in m.read("control/reset-metrics").decode()
        # watch events and a scan of them; the analysis of the tracks
        # (one second each: each one is too short, and counts)
        (library / "Beta" / "Third" / "new.txt").write_text("x\n")
        wait_for(lambda: counters(m)["watch latency samples"] > 0, 30,
                 "the watcher's scan of a new file", mount=m)
        wait_for(lambda: m.json("metrics/analysis.json")["queued"] == 0 and
                 counters(m)["analysis done"] == 9, 60,
                 "the analysis of the nine tracks", mount=m)
        before = counters(m)
        assert all(before.values()), before
        scans = m.json("metrics/scan.json")["totals"]["scans"]
        csv_rows = m.read("metrics/scan.csv").decode().count("\n")
        for bad in ["0", "2", "yes", "\n", "1\n1", "1 1", "1\0"]:
            with pytest.raises(OSError) as e:
                m.write("control/reset-metrics", bad)
            assert e.value.errno == errno.EINVAL, bad
        # nothing changed on bad input
        after_bad = counters(m)
        assert all(after_bad[k] >= before[k] for k in before), after_bad
        assert m.write("control/reset-metrics", "1\n") == 2
        now = counters(m)
        for key in ("watch events", "watch batches",
                    "watch latency samples", "analysis done"):
            assert now[key] == 0, key
        # the requests of the reads since the reset alone
        assert now["fuse requests"] < after_bad["fuse requests"]
        assert m.json("metrics/watch.json")["latency_ms"]["p50"] is None
        text = m.read("control/reset-metrics").decode()
        assert "(the last reset)" in text
        assert any("metrics: the counters since the start set to zero" in
                   line for line in log_lines(m))
        # the history in the store stays
        assert m.json("metrics/scan.json")["totals"]["scans"] == scans
        assert m.read("metrics/scan.csv").decode().count("\n") == csv_rows
        assert m.json("metrics/analysis.json")["too_short"] == 9
        # and the counters count again
        (library / "Beta" / "Third" / "more.txt").write_text("y\n")
        wait_for(lambda: counters(m)["watch events"] > 0, 30,
                 "an inotify event after the reset", mount=m)
    finally:
        unmount(m.path, m.proc)
