# SPDX-License-Identifier: GPL-3.0-or-later
"""A figure over no sample (a percentile of no delay, a rate over no
time) is unknown: null in the JSON files, no sample in the Prometheus
exposition, never a 0 that reads as instant (issue 38)."""

import sqlite3

from conftest import start, unmount, wait_for

# Each figure: its JSON file, its path there, its Prometheus metric.
FIGURES = [
    ("metrics/watch.json", "latency_ms.p50",
     "mediamon_watch_latency_p50_seconds"),
    ("metrics/watch.json", "latency_ms.p95",
     "mediamon_watch_latency_p95_seconds"),
    ("metrics/watch.json", "latency_ms.max",
     "mediamon_watch_latency_max_seconds"),
    ("metrics/analysis.json", "tracks_per_second",
     "mediamon_analysis_tracks_per_second"),
    ("metrics/analysis.json", "audio_seconds_per_cpu_second",
     "mediamon_analysis_audio_seconds_per_cpu_second"),
    ("metrics/scan.json", "totals.avg_files_per_s",
     "mediamon_scan_average_files_per_second"),
]


def figure(m, doc, path):
    v = m.json(doc)
    for step in path.split("."):
        v = v[step]
    return v


def exported(m):
    """The names of the metrics that have a sample (HELP and TYPE lines
    are there for every metric)."""
    text = m.read("metrics/prometheus").decode()
    names = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            names.add(line.split("{")[0].split(" ")[0])
    assert "mediamon_watch_latency_samples_total" in names
    return names


def test_no_sample_is_null(library, tmp_path):
    conf = tmp_path / "mediamon.conf"
    conf.write_text("[analysis]\nenabled = false\n")
    m = start(tmp_path, "config=" + str(conf), "music=" + str(library))
    try:
        db = sqlite3.connect(m.db, timeout=30)
        db.execute("DELETE FROM scans")
        db.commit()
        db.close()
        assert m.json("metrics/watch.json")["latency_ms"]["samples"] == 0
        assert m.json("metrics/analysis.json")["done"] == 0
        assert m.json("metrics/scan.json")["totals"]["scans"] == 0
        names = exported(m)
        for doc, path, metric in FIGURES:
            assert figure(m, doc, path) is None, path
            assert metric not in names, metric
            assert ("# HELP %s " % metric) in m.read(
                "metrics/prometheus").decode()

        # samples make figures: a change on disk, a scan in the store
        (library / "Beta" / "Third" / "new.txt").write_text("x\n")
        lat = wait_for(lambda: m.json("metrics/watch.json")["latency_ms"],
                       30, "a latency sample", until=lambda v:
                       v["samples"] > 0, mount=m)
        assert 0 <= lat["p50"] <= lat["p95"] <= lat["max"], lat
        assert m.json("metrics/scan.json")["totals"]["avg_files_per_s"] > 0
        names = exported(m)
        assert {"mediamon_watch_latency_p50_seconds",
                "mediamon_watch_latency_max_seconds",
                "mediamon_scan_average_files_per_second"} <= names

        # the counters reset: no sample again
        assert m.write("control/reset-metrics", "1\n") == 2
        assert figure(m, "metrics/watch.json", "latency_ms.p95") is None
        assert "mediamon_watch_latency_p95_seconds" not in exported(m)
    finally:
        unmount(m.path, m.proc)
