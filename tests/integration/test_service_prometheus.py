# SPDX-License-Identifier: GPL-3.0-or-later
"""Every metric of the Prometheus file against its source: the table of
metrics (fs/tree/prometheus_metrics.def) names the JSON document and field
each one renders, and a filled store gives each sample its value."""

import os
import re
import sqlite3

import pytest

import conftest
from conftest import REPO, start, unmount, wait_for
from test_docs_drift import table_metrics
from service_common import parse_prometheus


# Every metric of the Prometheus file and the document field it mirrors
# (issue 34): name -> (document, path, labels, scale, skip, trim). A path
# step "*" takes every member of an object, its key the next label's
# value ("trim" cut off it, "skip" left out); "#" takes every element of
# an array, whose members named by the labels are the labels; a string
# is the last label's value, with 1 as the sample.
PROM_DOCS = {"summary": "status/summary.json", "scan": "metrics/scan.json",
             "watch": "metrics/watch.json", "monitor": "metrics/monitor.json",
             "repair": "metrics/repair.json",
             "analysis": "metrics/analysis.json", "fuse": "metrics/fuse.json",
             "requests": "metrics/requests.json",
             "http": "metrics/http.json"}


def S(doc, path, *labels, scale=1, skip=None, trim=None):
    return (doc, path, labels, scale, skip, trim)


PROM_SOURCES = {
    "mediamon_uptime_seconds": S("summary", "uptime_s"),
    "mediamon_state": S("summary", "state", "state"),
    "mediamon_dry_run": S("summary", "dry_run"),
    "mediamon_scan_pending": S("summary", "scan_pending"),
    "mediamon_health_ok": S("summary", "health.ok"),
    "mediamon_health_errors": S("summary", "health.errors"),
    "mediamon_health_warnings": S("summary", "health.warnings"),
    "mediamon_tracks": S("summary", "counts.tracks"),
    "mediamon_albums": S("summary", "counts.albums"),
    "mediamon_artists": S("summary", "counts.artists"),
    "mediamon_files": S("summary", "counts.files"),
    "mediamon_series": S("summary", "counts.series"),
    "mediamon_volumes": S("summary", "counts.volumes"),
    "mediamon_missing_volumes": S("summary", "counts.missing"),
    "mediamon_broken_links": S("summary", "counts.broken_links"),
    "mediamon_root_files": S("summary", "roots.#.files", "kind", "path"),
    "mediamon_scan_progress_files": S("summary", "scan_progress.done"),
    "mediamon_scan_progress_estimate_files":
        S("summary", "scan_progress.total_estimate"),
    "mediamon_scans_total": S("scan", "totals.scans"),
    "mediamon_scans_succeeded_total": S("scan", "totals.succeeded"),
    "mediamon_scans_failed_total": S("scan", "totals.failed"),
    "mediamon_scan_files_indexed_total": S("scan", "totals.files_indexed"),
    "mediamon_scan_average_files_per_second":
        S("scan", "totals.avg_files_per_s"),
    "mediamon_scans_success_ratio":
        S("scan", "totals.success_rate_pct", scale=0.01),
    "mediamon_scan_average_duration_seconds":
        S("scan", "totals.avg_duration_s"),
    "mediamon_scan_read_bytes_total": S("scan", "totals.bytes_read"),
    "mediamon_last_scan_id": S("scan", "last.id"),
    "mediamon_last_scan_success": S("scan", "last.success"),
    "mediamon_last_scan_started_timestamp_seconds":
        S("scan", "last.started_at_s"),
    "mediamon_last_scan_finished_timestamp_seconds":
        S("scan", "last.finished_at_s"),
    "mediamon_last_scan_duration_seconds": S("scan", "last.duration_s"),
    "mediamon_last_scan_files_seen": S("scan", "last.files_seen"),
    "mediamon_last_scan_files_new": S("scan", "last.files_new"),
    "mediamon_last_scan_files_changed": S("scan", "last.files_changed"),
    "mediamon_last_scan_files_unchanged": S("scan", "last.files_unchanged"),
    "mediamon_last_scan_files_deleted": S("scan", "last.files_deleted"),
    "mediamon_last_scan_tag_errors": S("scan", "last.tag_errors"),
    "mediamon_last_scan_io_errors": S("scan", "last.io_errors"),
    "mediamon_last_scan_read_bytes": S("scan", "last.bytes_read"),
    "mediamon_last_scan_files_per_second": S("scan", "last.files_per_s"),
    "mediamon_last_scan_read_bytes_per_second":
        S("scan", "last.mb_per_s", scale=1e6),
    "mediamon_last_scan_phase_seconds":
        S("scan", "last.phases.*", "phase", trim="_s"),
    "mediamon_last_scan_peak_rss_bytes":
        S("scan", "last.peak_rss_kb", scale=1024),
    "mediamon_last_scan_cpu_seconds": S("scan", "last.cpu_s"),
    "mediamon_last_scan_cpu_share": S("scan", "last.cpu_share_pct"),
    "mediamon_running_scan_id": S("scan", "running.id"),
    "mediamon_running_scan_duration_seconds":
        S("scan", "running.duration_s"),
    "mediamon_running_scan_files_seen": S("scan", "running.files_seen"),
    "mediamon_watch_enabled": S("watch", "enabled"),
    "mediamon_watch_watches": S("watch", "watches"),
    "mediamon_watch_polled_dirs": S("watch", "polled_dirs"),
    "mediamon_watch_debounce_seconds":
        S("watch", "debounce_ms", scale=1e-3),
    "mediamon_watch_poll_interval_seconds": S("watch", "poll_interval_s"),
    "mediamon_watch_overflows_total": S("watch", "overflows"),
    "mediamon_watch_storms_total": S("watch", "storms"),
    "mediamon_watch_events_total":
        S("watch", "events.*", "kind", skip="total"),
    "mediamon_watch_batches_total": S("watch", "batches"),
    "mediamon_watch_paths_submitted_total": S("watch", "paths_submitted"),
    "mediamon_watch_latency_samples_total": S("watch", "latency_ms.samples"),
    "mediamon_watch_latency_p50_seconds":
        S("watch", "latency_ms.p50", scale=1e-3),
    "mediamon_watch_latency_p95_seconds":
        S("watch", "latency_ms.p95", scale=1e-3),
    "mediamon_watch_latency_max_seconds":
        S("watch", "latency_ms.max", scale=1e-3),
    "mediamon_cache_entries": S("monitor", "cache.total_entries"),
    "mediamon_cache_size_bytes": S("monitor", "cache.cache_size_bytes"),
    "mediamon_cache_hits_total": S("monitor", "cache.hits"),
    "mediamon_cache_misses_total": S("monitor", "cache.misses"),
    "mediamon_throttle_requests_per_minute":
        S("requests", "*.requests_per_minute", "service"),
    "mediamon_throttle_min_interval_seconds":
        S("requests", "*.min_interval_seconds", "service"),
    "mediamon_throttle_requests_total":
        S("requests", "*.requests", "service"),
    "mediamon_throttle_waits_total":
        S("requests", "*.waits", "service"),
    "mediamon_throttle_http_429_total":
        S("requests", "*.http_429", "service"),
    "mediamon_throttle_failures_total":
        S("requests", "*.failures", "service"),
    "mediamon_throttle_window_requests":
        S("requests", "*.window.requests", "service"),
    "mediamon_throttle_window_reset_timestamp_seconds":
        S("requests", "*.window.resets_at_s", "service"),
    "mediamon_throttle_backoff_seconds":
        S("requests", "*.backoff_seconds", "service"),
    "mediamon_throttle_paused_until_timestamp_seconds":
        S("requests", "*.paused_until_s", "service"),
    "mediamon_throttle_last_refusal_status":
        S("requests", "*.last_refusal.status", "service"),
    "mediamon_throttle_last_refusal_timestamp_seconds":
        S("requests", "*.last_refusal.at_s", "service"),
    "mediamon_check_running": S("monitor", "running.*", "check"),
    "mediamon_check_started_timestamp_seconds":
        S("monitor", "last_check.*.started_at_s", "check"),
    "mediamon_check_finished_timestamp_seconds":
        S("monitor", "last_check.*.finished_at_s", "check"),
    "mediamon_check_series": S("monitor", "last_check.*.series", "check"),
    "mediamon_check_wanted_volumes":
        S("monitor", "last_check.*.wanted", "check"),
    "mediamon_check_found_volumes":
        S("monitor", "last_check.*.found", "check"),
    "mediamon_check_requests":
        S("monitor", "last_check.*.requests.*", "check", "source"),
    "mediamon_check_cache_hits":
        S("monitor", "last_check.*.cache_hits", "check"),
    "mediamon_check_downloads":
        S("monitor", "last_check.*.downloads", "check"),
    "mediamon_check_errors": S("monitor", "last_check.*.errors", "check"),
    "mediamon_repair_requests":
        S("repair", "requests_by_endpoint.*", "endpoint"),
    "mediamon_repair_rate_limited": S("repair", "rate_limited"),
    "mediamon_repairs_ok": S("repair", "repairs_ok"),
    "mediamon_repairs_failed": S("repair", "repairs_failed"),
    "mediamon_repair_permanent_failures":
        S("repair", "permanent_failures"),
    "mediamon_repair_links_deleted": S("repair", "links_deleted"),
    "mediamon_repair_rescans": S("repair", "rescans"),
    "mediamon_repair_old_torrents_to_delete":
        S("repair", "old_torrents_to_delete"),
    "mediamon_repair_old_torrent_delete_failures":
        S("repair", "old_torrent_delete_failures"),
    "mediamon_repair_passes": S("repair", "passes"),
    "mediamon_repair_last_pass_duration_seconds":
        S("repair", "last_pass_duration_s"),
    "mediamon_analysis_enabled": S("analysis", "enabled"),
    "mediamon_analysis_paused": S("analysis", "paused"),
    "mediamon_analysis_threads": S("analysis", "threads"),
    "mediamon_analysis_busy_tracks": S("analysis", "busy"),
    "mediamon_analysis_analysed_tracks": S("analysis", "analysed"),
    "mediamon_analysis_queued_tracks": S("analysis", "queued"),
    "mediamon_analysis_failed_tracks": S("analysis", "failed"),
    "mediamon_analysis_too_short_tracks": S("analysis", "too_short"),
    "mediamon_analysis_done_total": S("analysis", "done"),
    "mediamon_analysis_audio_seconds_total": S("analysis", "audio_s"),
    "mediamon_analysis_cpu_seconds_total": S("analysis", "cpu_s"),
    "mediamon_analysis_tracks_per_second":
        S("analysis", "tracks_per_second"),
    "mediamon_analysis_audio_seconds_per_cpu_second":
        S("analysis", "audio_seconds_per_cpu_second"),
    "mediamon_fuse_max_threads": S("fuse", "max_threads"),
    "mediamon_fuse_max_idle_threads": S("fuse", "max_idle_threads"),
    "mediamon_fuse_requests_total": S("fuse", "requests"),
    "mediamon_fuse_requests_in_flight": S("fuse", "requests_in_flight"),
    "mediamon_fuse_invalidation_behind": S("fuse", "invalidation_behind"),
    "mediamon_fuse_views_stats_ahead_total": S("fuse", "views_stats_ahead"),
    "mediamon_fuse_stat_renders_total": S("fuse", "stat_renders"),
    "mediamon_fuse_times_unsaved": S("fuse", "times_unsaved"),
    "mediamon_http_connections": S("http", "connections"),
    "mediamon_http_sent_bytes_total": S("http", "bytes_sent"),
    "mediamon_http_requests_total":
        S("http", "requests.#.count", "kind", "code"),
    "mediamon_subsonic_calls_total":
        S("http", "subsonic_calls.*", "method"),
    "mediamon_subsonic_covers_scaled_total": S("http", "covers_scaled"),
    "mediamon_subsonic_covers_from_memory_total":
        S("http", "covers_from_memory"),
}


def test_prometheus_table_sources():
    """The metrics' table (fs/tree/prometheus_metrics.def) names the same
    metrics, in the same JSON files, as PROM_SOURCES."""
    rows = table_metrics(open(os.path.join(
        REPO, "fs", "tree", "prometheus_metrics.def")).read())
    assert sorted(r[0] for r in rows) == sorted(PROM_SOURCES)
    for name, _, _, source in rows:
        assert source.split(" ")[0] == \
            "/" + PROM_DOCS[PROM_SOURCES[name][0]], name


def prom_escape(value):
    return value.replace("\\", "\\\\").replace('"', '\\"') \
        .replace("\n", "\\n")


def prom_expected(name, source, docs):
    """The samples {(name, labels): value} the documents docs give the
    metric name, by its row of PROM_SOURCES."""
    doc, path, labels, scale, skip, trim = source
    out = {}

    def walk(node, steps, values):
        if not steps:
            if isinstance(node, str) and len(values) < len(labels):
                values = values + [node]
                node = 1
            elif isinstance(node, bool):
                node = int(node)
            elif not isinstance(node, (int, float)):
                return
            key = tuple((labels[i], prom_escape(v))
                        for i, v in enumerate(values))
            out[(name, key)] = node * scale
        elif steps[0] == "*":
            for key, child in (node or {}).items():
                if key != skip:
                    if trim and key.endswith(trim) and len(key) > len(trim):
                        key = key[:-len(trim)]
                    walk(child, steps[1:], values + [key])
        elif steps[0] == "#":
            for child in node or []:
                walk(child, steps[1:], [child.get(label) or ""
                                        for label in labels])
        elif isinstance(node, dict):
            walk(node.get(steps[0]), steps[1:], values)

    walk(docs[doc], path.split("."), [])
    return out


def insert_row(db, table, **values):
    """A row of table with values, its other NOT NULL columns without a
    default given 1: enough for the counts the metrics take."""
    for _, column, _, notnull, default, pk in db.execute(
            "PRAGMA table_info(%s)" % table):
        if notnull and default is None and not pk and column not in values:
            values[column] = 1
    db.execute("INSERT INTO %s (%s) VALUES (%s)" % (
        table, ", ".join(values), ", ".join("?" * len(values))),
        list(values.values()))


def fill_store(path, root):
    """A store with rows behind every metric the library's scan leaves at
    zero: a failed scan, checks of both kinds, Real-Debrid attempts,
    repairs, failures, deletions and passes, manga series."""
    db = sqlite3.connect(path)
    with db:
        conftest.add_scan(db, 1700000000.5, 12.25, files_seen=7,
                          bytes_read=12345, success=0)
        for kind, n in (("missing", 3), ("new", 5)):
            insert_row(db, "checks", kind=kind, trigger="control",
                       started_at=1700000100.25 + n,
                       finished_at=1700000200.5 + n, series=n,
                       wanted=n + 1, found=n - 1, catalog=n + 2,
                       prowlarr=n + 3, cache_hits=n + 5,
                       sent=n + 6, errors=n - 2)
            insert_row(db, "check_requests",
                       check_id=db.execute("SELECT max(id) FROM checks")
                       .fetchone()[0], source="nautiljon", requests=n + 4)
        for i, (endpoint, status) in enumerate((
                ("addMagnet", 200), ("addMagnet", 429), ("delete", 204),
                ("torrents", 200))):
            insert_row(db, "rd_attempts", endpoint=endpoint,
                       http_status=status, at=1700000300 + i)
        for i, state in enumerate(("repaired", "repaired", "failed")):
            insert_row(db, "rd_repairs", torrent_id="t%d" % i, state=state)
        insert_row(db, "rd_failures", torrent_id="t2", links_deleted=4,
                   rescans=2)
        insert_row(db, "rd_deletes", torrent_id="old", since=1700000000,
                   failures=3)
        insert_row(db, "rd_passes", kind="repair", trigger="control",
                   started_at=1700000400, finished_at=1700000402.75,
                   duration_s=2.75)
    db.close()


def test_prometheus_every_metric(library, tmp_path):
    """Every metric of the Prometheus file has its source in
    PROM_SOURCES, every source its metric, and each sample the value of
    the field it mirrors, on a store where each is set. Live counters
    may move between the reads: a sample lies between the value read
    before and the one read after."""
    m = start(tmp_path, "music=" + str(library))
    unmount(m.path, m.proc)
    fill_store(m.db, library)
    # a limit of idle threads, which has no sample by default
    m = start(tmp_path, "music=" + str(library), "max_idle_threads=4")
    try:
        # a change the watcher sees and times, a track analysed anew
        track = next(p for p in library.rglob("*") if p.is_file())
        with open(str(track), "ab"):
            pass
        os.utime(str(track), (1600000000, 1600000000))
        wait_for(lambda: m.json("metrics/watch.json"), 30,
                 "the change timed", mount=m,
                 until=lambda w: w["latency_ms"]["samples"])
        m.wait_quiet()
        wait_for(lambda: m.json("metrics/analysis.json"), 90,
                 "analysis done", mount=m, until=lambda a:
                 a["queued"] == 0 and a["busy"] == 0 and a["done"])
        before = {d: m.json(rel) for d, rel in PROM_DOCS.items()}
        text = m.read("metrics/prometheus").decode()
        after = {d: m.json(rel) for d, rel in PROM_DOCS.items()}
    finally:
        unmount(m.path, m.proc)
    (tmp_path / "prometheus.txt").write_text(text)
    got = parse_prometheus(text)
    names = re.findall(r"^# HELP (\S+)", text, re.M)
    assert sorted(names) == sorted(PROM_SOURCES)
    low, high = {}, {}
    for name, source in PROM_SOURCES.items():
        low.update(prom_expected(name, source, before))
        high.update(prom_expected(name, source, after))
    # a sample the documents had before and after is in the file; one the
    # file shows was in one of them (a rate over a recent window may
    # start or end between the reads)
    assert set(low) & set(high) <= set(got) <= set(low) | set(high)
    low, high = {**high, **low}, {**low, **high}
    # what the mount does at the instant of a read: any reading of its
    # range, not one between two others
    instant = {"mediamon_fuse_requests_in_flight":
               (1, got[("mediamon_fuse_max_threads", ())]),
               "mediamon_fuse_invalidation_behind": (0, float("inf"))}
    for key, value in got.items():
        a, b = instant.get(key[0]) or sorted((low[key], high[key]))
        assert a - 1e-9 <= value <= b + 1e-9 or \
            value == pytest.approx(a), (key, value, a, b)
    # every family that has a source row set above has a sample; a
    # phase that took less than the clock's step is a sample of 0
    assert any(k[0] == "mediamon_last_scan_phase_seconds" for k in got)
    for name in ("mediamon_check_requests", "mediamon_repair_requests",
                 "mediamon_repair_last_pass_duration_seconds",
                 "mediamon_scans_failed_total", "mediamon_root_files",
                 "mediamon_watch_latency_max_seconds",
                 "mediamon_analysis_tracks_per_second",
                 "mediamon_fuse_max_idle_threads"):
        assert any(k[0] == name and v for k, v in got.items()), name
