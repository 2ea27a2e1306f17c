/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * /metrics/prometheus (render_prometheus.h): the counters and gauges of
 * the JSON status files in Prometheus' text format, read from the same
 * store figures and live status as they are. It writes nothing.
 */
#include "fs/render_prometheus.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "fs/render_status.h"
#include "fs/session.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/*
 * Everything the file shows, read at once: the store's figures in one
 * read transaction, the live status once. Each metric shows the value of
 * the field of the JSON document it mirrors (summary.json, scan.json,
 * watch.json, monitor.json, repair.json, analysis.json, fuse.json), in
 * base units; tests/integration/test_service.py lists which.
 */
struct prom {
	struct strbuf *out;
	const char *name;		/* the metric being written */
	struct indexer_status s;
	struct watch_status w;
	struct session_stats fuse;
	struct library_counts counts;
	struct strbuf roots;		/* mediamon_root_files' samples */
	struct library_scan last;
	int has_last;
	struct library_scan_totals totals;
	struct monitor_store_stats monitor;
	struct rd_stats rd;
	struct strbuf endpoints;	/* mediamon_repair_requests' */
	struct analysis_counts analysis;
	struct throttle_info *services;	/* requests.json's, by name */
	size_t nr_services;
};

#define G "gauge"
#define C "counter"

/* The HELP and TYPE lines that begin a metric, whose samples follow. */
static void metric(struct prom *p, const char *name, const char *type,
		   const char *help)
{
	p->name = name;
	strbuf_addf(p->out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		    type);
}

/* Label values are file paths and names: the format wants backslash,
 * double quote and line feed escaped, and nothing else; bytes that are
 * no UTF-8 become U+FFFD, as in the documents. */
static void add_label_value(struct strbuf *out, const char *s, size_t len)
{
	struct strbuf text = STRBUF_INIT;

	utf8_add_text(&text, s, len);
	for (size_t i = 0; i < text.len; i++) {
		if (text.buf[i] == '\\' || text.buf[i] == '"')
			strbuf_addch(out, '\\');
		if (text.buf[i] == '\n')
			strbuf_addstr(out, "\\n");
		else
			strbuf_addch(out, text.buf[i]);
	}
	strbuf_release(&text);
}

/* A sample's name and labels (label[i] = value[i], as many as named). */
static void sample_name(struct strbuf *out, const char *name,
			const char *const label[2], const char *const value[2])
{
	strbuf_addstr(out, name);
	for (int i = 0; i < 2 && label[i]; i++) {
		strbuf_addf(out, "%s%s=\"", i ? "," : "{", label[i]);
		add_label_value(out, value[i], strlen(value[i]));
		strbuf_addch(out, '"');
	}
	strbuf_addstr(out, label[0] ? "} " : " ");
}

/* Integers are printed whole, so a counter never turns into 1.2e+07. */
static void int_sample(struct prom *p, const char *label, const char *value,
		       int64_t v)
{
	sample_name(p->out, p->name, (const char *const[]){ label, NULL },
		    (const char *const[]){ value, NULL });
	strbuf_addf(p->out, "%lld\n", (long long)v);
}

#define INT(v) int_sample(p, NULL, NULL, (v))

/* A figure the documents round to a thousandth (json_num()), in units
 * of scale; none when it is unknown (NaN: a rate over no time). */
static void num_sample(struct prom *p, const char *label, const char *value,
		       double v, double scale)
{
	if (!isfinite(v))
		return;
	sample_name(p->out, p->name, (const char *const[]){ label, NULL },
		    (const char *const[]){ value, NULL });
	strbuf_addf(p->out, "%.15g\n", json_round(v) * scale);
}

#define NUM(v) num_sample(p, NULL, NULL, (v), 1)

/* An integer shown in other units (KiB as bytes, ms as seconds). */
static void scaled_sample(struct prom *p, int64_t v, double scale)
{
	strbuf_addf(p->out, "%s %.15g\n", p->name, (double)v * scale);
}

/* n / d as json_ratio() gives it: unknown when d is not above 0. */
static double ratio(double n, double d)
{
	return d > 0 ? n / d : NAN;
}

static int add_root(void *arg, const char *kind, const char *path,
		    size_t len, int64_t files)
{
	struct strbuf *out = arg;

	strbuf_addstr(out, "mediamon_root_files{kind=\"");
	add_label_value(out, kind ? kind : "", kind ? strlen(kind) : 0);
	strbuf_addstr(out, "\",path=\"");
	add_label_value(out, path ? path : "", path ? len : 0);
	strbuf_addf(out, "\"} %lld\n", (long long)files);
	return 0;
}

static int add_endpoint(void *arg, const char *endpoint, int64_t requests)
{
	struct strbuf *out = arg;

	if (!endpoint)
		return 0;
	sample_name(out, "mediamon_repair_requests",
		    (const char *const[]){ "endpoint", NULL },
		    (const char *const[]){ endpoint, NULL });
	strbuf_addf(out, "%lld\n", (long long)requests);
	return 0;
}

/* The store's figures, in one snapshot, after the live status. */
static int read_all(struct prom *p)
{
	int rc = reader_hold();

	if (rc)
		return rc;
	rc = library_stats_counts(&p->counts);
	if (!rc)
		rc = library_stats_each_root(add_root, &p->roots);
	if (!rc)
		rc = render_last_scan(&p->s, &p->last, &p->has_last);
	if (!rc)
		rc = library_stats_scan_totals(&p->totals);
	if (!rc)
		rc = monitor_stats_read(&p->monitor,
					p->s.jobs.monitor.cache_ttl_s);
	if (!rc)
		rc = rd_stats_read(&p->rd);
	if (!rc)
		rc = rd_stats_each_endpoint(add_endpoint, &p->endpoints);
	if (!rc)
		rc = analysis_reads_counts(&p->analysis);
	reader_release();
	if (!rc)
		rc = throttle_all(&p->services, &p->nr_services);
	return rc;
}

static void summary_metrics(struct prom *p)
{
	const struct library_counts *c = &p->counts;
	int scanning = !strcmp(p->s.state, "scanning");

	metric(p, "mediamon_uptime_seconds", G,
	       "Seconds since the daemon started.");
	INT((int64_t)(clock_wall() - p->s.started_at));
	metric(p, "mediamon_state", G, "What the daemon does now (idle,"
	       " scanning or checking), as a label.");
	int_sample(p, "state", p->s.state, 1);
	metric(p, "mediamon_dry_run", G,
	       "1 while dry-run keeps downloads and repairs from happening.");
	INT(!!p->s.dry_run);
	metric(p, "mediamon_scan_pending", G,
	       "1 when a scan waits for the running one.");
	INT(!!p->s.scan_pending);
	metric(p, "mediamon_tracks", G, "Tracks in the index.");
	INT(c->tracks);
	metric(p, "mediamon_albums", G, "Albums in the index.");
	INT(c->albums);
	metric(p, "mediamon_artists", G, "Artists in the index.");
	INT(c->artists);
	metric(p, "mediamon_files", G, "Files in the index.");
	INT(c->files);
	metric(p, "mediamon_series", G, "Manga series in the index.");
	INT(c->series);
	metric(p, "mediamon_volumes", G, "Manga volumes owned.");
	INT(c->volumes);
	metric(p, "mediamon_missing_volumes", G,
	       "Missing volumes of the monitored series.");
	INT(c->missing);
	metric(p, "mediamon_broken_links", G, "Broken Real-Debrid symlinks.");
	INT(c->broken_links);
	metric(p, "mediamon_root_files", G, "Files indexed under each root.");
	strbuf_add(p->out, p->roots.buf, p->roots.len);
	metric(p, "mediamon_scan_progress_files", G,
	       "Files the running scan has seen.");
	if (scanning)
		INT(p->s.scan.files_seen);
	metric(p, "mediamon_scan_progress_estimate_files", G,
	       "Files the running scan is expected to see.");
	if (scanning)
		INT(p->s.scan.total_estimate);
}

/* The sums over the scans, with the failed scans the store could not
 * take (as scan.json's totals). */
static void totals_metrics(struct prom *p)
{
	const struct library_scan_totals *t = &p->totals;
	int64_t scans = t->scans + p->s.unstored_failures;

	metric(p, "mediamon_scans_total", C, "Scans finished or failed.");
	INT(scans);
	metric(p, "mediamon_scans_succeeded_total", C, "Scans that finished.");
	INT((int64_t)t->succeeded);
	metric(p, "mediamon_scans_failed_total", C, "Scans that failed.");
	INT((int64_t)(t->failed + p->s.unstored_failures));
	metric(p, "mediamon_scan_files_indexed_total", C,
	       "Files seen by all scans.");
	INT((int64_t)t->files_seen);
	metric(p, "mediamon_scan_average_files_per_second", G,
	       "Files per second over all scans.");
	NUM(ratio(t->files_seen, t->duration_s));
	metric(p, "mediamon_scans_success_ratio", G,
	       "Share of the scans that finished, from 0 to 1.");
	if (scans)
		num_sample(p, NULL, NULL, 100.0 * t->succeeded / scans, 0.01);
	metric(p, "mediamon_scan_average_duration_seconds", G,
	       "How long a scan took on average.");
	if (t->scans)
		NUM(t->duration_s / t->scans);
	metric(p, "mediamon_scan_read_bytes_total", C,
	       "Bytes read by all scans.");
	INT((int64_t)t->bytes_read);
}

/* The last finished scan's figures, none before the first scan. */
static void last_scan_metrics(struct prom *p)
{
	static const char *const phases[] = { "walk", "parse", "write" };
	const struct library_scan *l = &p->last;

	metric(p, "mediamon_last_scan_id", G, "Id of the last finished scan.");
	if (p->has_last && l->id)
		INT(l->id);
	metric(p, "mediamon_last_scan_success", G,
	       "1 when the last scan finished, 0 when it failed.");
	if (p->has_last)
		INT(!!l->success);
	metric(p, "mediamon_last_scan_started_timestamp_seconds", G,
	       "When the last finished scan started (Unix time).");
	if (p->has_last)
		NUM(l->started_at);
	metric(p, "mediamon_last_scan_finished_timestamp_seconds", G,
	       "When the last scan finished (Unix time).");
	if (p->has_last && l->finished_at > 0)
		NUM(l->finished_at);
	metric(p, "mediamon_last_scan_duration_seconds", G,
	       "How long the last scan took.");
	if (p->has_last)
		NUM(l->duration_s);
	metric(p, "mediamon_last_scan_files_seen", G,
	       "Files the last scan saw.");
	if (p->has_last)
		INT(l->files_seen);
	metric(p, "mediamon_last_scan_files_new", G,
	       "New files the last scan found.");
	if (p->has_last)
		INT(l->files_new);
	metric(p, "mediamon_last_scan_files_changed", G,
	       "Changed or moved files the last scan found.");
	if (p->has_last)
		INT(l->files_changed);
	metric(p, "mediamon_last_scan_files_unchanged", G,
	       "Unchanged files the last scan skipped.");
	if (p->has_last)
		INT(l->files_unchanged);
	metric(p, "mediamon_last_scan_files_deleted", G,
	       "Files the last scan found gone.");
	if (p->has_last)
		INT(l->files_deleted);
	metric(p, "mediamon_last_scan_tag_errors", G,
	       "Files whose tags the last scan could not read.");
	if (p->has_last)
		INT(l->tag_errors);
	metric(p, "mediamon_last_scan_io_errors", G,
	       "Files or folders the last scan could not read.");
	if (p->has_last)
		INT(l->io_errors);
	metric(p, "mediamon_last_scan_read_bytes", G,
	       "Bytes the last scan read.");
	if (p->has_last)
		INT(l->bytes_read);
	metric(p, "mediamon_last_scan_files_per_second", G,
	       "Files per second of the last scan.");
	if (p->has_last)
		NUM(ratio(l->files_seen, l->duration_s));
	metric(p, "mediamon_last_scan_read_bytes_per_second", G,
	       "Bytes read per second by the last scan.");
	if (p->has_last)
		num_sample(p, NULL, NULL, ratio(l->bytes_read / 1e6,
						l->duration_s), 1e6);
	metric(p, "mediamon_last_scan_phase_seconds", G,
	       "Time the last scan spent per phase, summed over its threads.");
	if (p->has_last) {
		const double s[] = { l->walk_s, l->parse_s, l->write_s };

		for (size_t i = 0; i < ARRAY_SIZE(phases); i++)
			num_sample(p, "phase", phases[i], s[i], 1);
	}
	metric(p, "mediamon_last_scan_peak_rss_bytes", G,
	       "The daemon's peak resident memory at the end of the last"
	       " scan.");
	if (p->has_last)
		scaled_sample(p, l->peak_rss_kb, 1024);
	metric(p, "mediamon_last_scan_cpu_seconds", G,
	       "CPU time, user and system, the daemon used during the last"
	       " scan.");
	if (p->has_last)
		NUM(l->cpu_s);
	metric(p, "mediamon_last_scan_cpu_share", G,
	       "The last scan's CPU time over its duration times the CPUs"
	       " online, in percent.");
	if (p->has_last)
		NUM(ratio(100 * l->cpu_s, l->duration_s * render_cpus()));
}

static void running_scan_metrics(struct prom *p)
{
	int scanning = !strcmp(p->s.state, "scanning");

	metric(p, "mediamon_running_scan_id", G, "Id of the running scan.");
	if (scanning && p->s.scan_id)
		INT(p->s.scan_id);
	metric(p, "mediamon_running_scan_duration_seconds", G,
	       "How long the running scan has run.");
	if (scanning)
		NUM(p->s.scan_elapsed_s);
	metric(p, "mediamon_running_scan_files_seen", G,
	       "Files the running scan has seen.");
	if (scanning)
		INT(p->s.scan.files_seen);
}

/* A latency, none before the first sample (as watch.json's null). */
static void latency(struct prom *p, double ms)
{
	if (p->w.latency_samples)
		num_sample(p, NULL, NULL, ms, 1e-3);
}

static void watch_metrics(struct prom *p)
{
	const struct watch_status *w = &p->w;

	metric(p, "mediamon_watch_enabled", G,
	       "1 while inotify keeps the index live.");
	INT(!!w->enabled);
	metric(p, "mediamon_watch_watches", G, "Folders watched by inotify.");
	INT(w->watches);
	metric(p, "mediamon_watch_polled_dirs", G,
	       "Folders beyond the inotify watch limit, polled instead.");
	INT(w->polled_dirs);
	metric(p, "mediamon_watch_debounce_seconds", G,
	       "How long changes are gathered before they are scanned.");
	scaled_sample(p, (int)w->debounce_ms, 1e-3);
	metric(p, "mediamon_watch_poll_interval_seconds", G,
	       "How often polled folders are rescanned.");
	INT((int)w->poll_interval_s);
	metric(p, "mediamon_watch_overflows_total", C,
	       "Times the kernel's inotify queue overflowed.");
	INT(w->overflows);
	metric(p, "mediamon_watch_events_total", C, "inotify events by kind.");
	for (int i = 0; i < WATCH_KINDS; i++)
		int_sample(p, "kind", watch_kind_names[i], w->by_kind[i]);
	metric(p, "mediamon_watch_batches_total", C,
	       "Batches of changes handed to a scan.");
	INT(w->batches);
	metric(p, "mediamon_watch_paths_submitted_total", C,
	       "Paths handed to scans by the watcher.");
	INT(w->paths_submitted);
	metric(p, "mediamon_watch_latency_samples_total", C,
	       "Changes whose delay to the index was measured.");
	INT(w->latency_samples);
	metric(p, "mediamon_watch_latency_p50_seconds", G,
	       "Median delay from a change on disk to its commit.");
	latency(p, w->latency_p50_ms);
	metric(p, "mediamon_watch_latency_p95_seconds", G,
	       "95th percentile of the delay from a change to its commit.");
	latency(p, w->latency_p95_ms);
	metric(p, "mediamon_watch_latency_max_seconds", G,
	       "Longest delay from a change to its commit.");
	latency(p, w->latency_max_ms);
}

/* A counter of each remote service's throttle, field its offset in
 * struct throttle_stats, in the order requests.json lists them. */
static void throttle_samples(struct prom *p, size_t field)
{
	for (size_t i = 0; i < p->nr_services; i++)
		int_sample(p, "service", p->services[i].name,
			   *(const uint64_t *)((const char *)
					       &p->services[i].stats + field));
}

#define THROTTLE(f) offsetof(struct throttle_stats, f)

/* The budget of each remote service, as requests.json shows it. */
static void budget_metrics(struct prom *p)
{
	const struct throttle_info *v = p->services;
	size_t n = p->nr_services;

	metric(p, "mediamon_throttle_requests_per_minute", G,
	       "Each remote service's rate limit.");
	for (size_t i = 0; i < n; i++)
		int_sample(p, "service", v[i].name,
			   v[i].stats.requests_per_minute);
	metric(p, "mediamon_throttle_min_interval_seconds", G,
	       "Each remote service's least time between requests.");
	for (size_t i = 0; i < n; i++)
		num_sample(p, "service", v[i].name,
			   v[i].stats.min_interval_s, 1);
	metric(p, "mediamon_throttle_window_requests", G,
	       "Requests sent in each remote service's open minute.");
	throttle_samples(p, THROTTLE(window_requests));
	metric(p, "mediamon_throttle_window_reset_timestamp_seconds", G,
	       "When that minute ends (Unix time); none while none is open.");
	for (size_t i = 0; i < n; i++)
		if (v[i].stats.window_resets_at > 0)
			num_sample(p, "service", v[i].name,
				   v[i].stats.window_resets_at, 1);
	metric(p, "mediamon_throttle_backoff_seconds", G,
	       "Each remote service's current backoff.");
	for (size_t i = 0; i < n; i++)
		num_sample(p, "service", v[i].name, v[i].stats.backoff_s, 1);
	metric(p, "mediamon_throttle_paused_until_timestamp_seconds", G,
	       "When a paused service is asked again (Unix time); none "
	       "while it is not paused.");
	for (size_t i = 0; i < n; i++)
		if (v[i].stats.paused_until > 0)
			num_sample(p, "service", v[i].name,
				   v[i].stats.paused_until, 1);
	metric(p, "mediamon_throttle_last_refusal_status", G,
	       "The HTTP status of each service's last refusal (429, 403).");
	for (size_t i = 0; i < n; i++)
		if (v[i].stats.last_refusal)
			int_sample(p, "service", v[i].name,
				   v[i].stats.last_refusal);
	metric(p, "mediamon_throttle_last_refusal_timestamp_seconds", G,
	       "When each service last refused a request (Unix time).");
	for (size_t i = 0; i < n; i++)
		if (v[i].stats.last_refusal)
			num_sample(p, "service", v[i].name,
				   v[i].stats.last_refusal_at, 1);
}

/* The last check of flow i, or NULL before the first. */
static const struct monitor_check_stats *check(const struct prom *p, int i)
{
	return p->monitor.checks[i].found ? &p->monitor.checks[i] : NULL;
}

/* A figure of the last check of each flow, field its offset in struct
 * monitor_check_stats. */
static void check_samples(struct prom *p, size_t field)
{
	for (int i = 0; i < MONITOR_CHECK_KINDS; i++)
		if (check(p, i))
			int_sample(p, "check", monitor_check_kinds[i],
				   *(const int *)((const char *)check(p, i) +
						  field));
}

#define CHECK(f) offsetof(struct monitor_check_stats, f)

/* The requests of the last check of flow i, per source. */
static void check_requests(struct prom *p, int i,
			   const struct monitor_check_stats *c)
{
	static const char *const sources[] = {
		"catalog", "prowlarr", "nautiljon",
	};
	const int n[] = { c->catalog, c->prowlarr, c->nautiljon };

	for (size_t k = 0; k < ARRAY_SIZE(sources); k++) {
		sample_name(p->out, p->name,
			    (const char *const[]){ "check", "source" },
			    (const char *const[]){ monitor_check_kinds[i],
						   sources[k] });
		strbuf_addf(p->out, "%d\n", n[k]);
	}
}

static void monitor_metrics(struct prom *p)
{
	const struct monitor_stats *m = &p->s.jobs.monitor;
	const int running[MONITOR_CHECK_KINDS] = {
		JOBS_CHECK_MISSING, JOBS_CHECK_NEW,
	};
	const struct monitor_check_stats *c;

	metric(p, "mediamon_cache_entries", G,
	       "Remote answers kept in the cache.");
	INT(p->monitor.cache_entries);
	metric(p, "mediamon_cache_size_bytes", G, "Size of the cache.");
	INT(p->monitor.cache_bytes);
	metric(p, "mediamon_cache_hits_total", C,
	       "Remote questions answered from the cache.");
	INT(m->cache_hits);
	metric(p, "mediamon_cache_misses_total", C,
	       "Remote questions the cache could not answer.");
	INT(m->cache_misses);
	budget_metrics(p);
	metric(p, "mediamon_throttle_requests_total", C,
	       "Requests sent to each remote service.");
	throttle_samples(p, THROTTLE(requests));
	metric(p, "mediamon_throttle_waits_total", C,
	       "Requests that waited for the rate limit.");
	throttle_samples(p, THROTTLE(waits));
	metric(p, "mediamon_throttle_http_429_total", C,
	       "Answers 429 Too Many Requests.");
	throttle_samples(p, THROTTLE(http_429));
	metric(p, "mediamon_throttle_failures_total", C,
	       "Requests that failed.");
	throttle_samples(p, THROTTLE(failures));
	metric(p, "mediamon_check_running", G, "1 while that check runs.");
	for (int i = 0; i < MONITOR_CHECK_KINDS; i++)
		int_sample(p, "check", monitor_check_kinds[i],
			   !!(p->s.jobs.running & running[i]));
	metric(p, "mediamon_check_started_timestamp_seconds", G,
	       "When the last check of each kind started (Unix time).");
	for (int i = 0; i < MONITOR_CHECK_KINDS; i++)
		if ((c = check(p, i)) && c->has_started)
			num_sample(p, "check", monitor_check_kinds[i],
				   c->started_at, 1);
	metric(p, "mediamon_check_finished_timestamp_seconds", G,
	       "When the last check of each kind finished (Unix time).");
	for (int i = 0; i < MONITOR_CHECK_KINDS; i++)
		if ((c = check(p, i)) && c->has_finished)
			num_sample(p, "check", monitor_check_kinds[i],
				   c->finished_at, 1);
	metric(p, "mediamon_check_series", G,
	       "Series the last check looked at.");
	check_samples(p, CHECK(series));
	metric(p, "mediamon_check_wanted_volumes", G,
	       "Volumes the last check wanted.");
	check_samples(p, CHECK(wanted));
	metric(p, "mediamon_check_found_volumes", G,
	       "Wanted volumes the last check found releases for.");
	check_samples(p, CHECK(volumes_found));
	metric(p, "mediamon_check_requests", G,
	       "Requests the last check sent, per source.");
	for (int i = 0; i < MONITOR_CHECK_KINDS; i++)
		if ((c = check(p, i)))
			check_requests(p, i, c);
	metric(p, "mediamon_check_cache_hits", G,
	       "Answers the last check took from the cache.");
	check_samples(p, CHECK(cache_hits));
	metric(p, "mediamon_check_downloads", G,
	       "Releases the last check handed to the download client.");
	check_samples(p, CHECK(downloads));
	metric(p, "mediamon_check_errors", G,
	       "Errors during the last check.");
	check_samples(p, CHECK(errors));
}

/* Counted from rows that [retention] prunes: gauges, not counters. */
static void repair_metrics(struct prom *p)
{
	const struct rd_stats *r = &p->rd;

	metric(p, "mediamon_repair_requests", G,
	       "Real-Debrid requests in the attempt log, per endpoint.");
	strbuf_add(p->out, p->endpoints.buf, p->endpoints.len);
	metric(p, "mediamon_repair_rate_limited", G,
	       "Real-Debrid answers in the attempt log that were rate"
	       " limits.");
	INT(r->rate_limited);
	metric(p, "mediamon_repairs_ok", G,
	       "Torrents repaired: re-added and downloaded.");
	INT(r->repairs_ok);
	metric(p, "mediamon_repairs_failed", G,
	       "Repairs failed for good or stopped in a loop.");
	INT(r->repairs_failed);
	metric(p, "mediamon_repair_permanent_failures", G,
	       "Torrents that cannot come back.");
	INT(r->permanent_failures);
	metric(p, "mediamon_repair_links_deleted", G,
	       "Dead links deleted for torrents that cannot come back.");
	INT(r->links_deleted);
	metric(p, "mediamon_repair_rescans", G,
	       "Rescans Sonarr or Radarr took.");
	INT(r->rescans);
	metric(p, "mediamon_repair_old_torrents_to_delete", G,
	       "Old torrents of repairs still to delete.");
	INT(r->old_torrents_to_delete);
	metric(p, "mediamon_repair_old_torrent_delete_failures", G,
	       "Deletions of old torrents that failed.");
	INT(r->old_torrent_delete_failures);
	metric(p, "mediamon_repair_passes", G, "Repair passes in the store.");
	INT(r->passes);
	metric(p, "mediamon_repair_last_pass_duration_seconds", G,
	       "How long the last repair pass took.");
	if (r->has_last_pass)
		NUM(r->last_pass_duration_s);
}

static void analysis_metrics(struct prom *p)
{
	const struct analysis_worker_status *a = &p->s.analysis;

	metric(p, "mediamon_analysis_enabled", G,
	       "1 when [analysis] lets the audio analysis run.");
	INT(!!a->enabled);
	metric(p, "mediamon_analysis_paused", G,
	       "1 while /control/pause holds the analysis queue.");
	INT(!!a->paused);
	metric(p, "mediamon_analysis_threads", G, "Analysis workers running.");
	INT(a->threads);
	metric(p, "mediamon_analysis_busy_tracks", G,
	       "Tracks being analysed now.");
	INT(a->busy);
	metric(p, "mediamon_analysis_analysed_tracks", G,
	       "Tracks whose last analysis succeeded.");
	INT(p->analysis.analysed);
	metric(p, "mediamon_analysis_queued_tracks", G,
	       "Tracks waiting for an analysis.");
	INT(p->analysis.queued);
	metric(p, "mediamon_analysis_failed_tracks", G,
	       "Tracks whose last analysis failed.");
	INT(p->analysis.failed);
	metric(p, "mediamon_analysis_too_short_tracks", G,
	       "Tracks too short to analyse (under 3 s), which is no"
	       " failure.");
	INT(p->analysis.too_short);
	metric(p, "mediamon_analysis_done_total", C,
	       "Tracks analysed since the daemon started, failures too.");
	INT(a->done);
	metric(p, "mediamon_analysis_audio_seconds_total", C,
	       "Audio analysed since the daemon started.");
	NUM(a->audio_s);
	metric(p, "mediamon_analysis_cpu_seconds_total", C,
	       "CPU time the analysis workers spent analysing.");
	NUM(a->cpu_s);
	metric(p, "mediamon_analysis_tracks_per_second", G,
	       "Tracks analysed per second while the analysis ran.");
	NUM(ratio(a->done, a->busy_s));
	metric(p, "mediamon_analysis_audio_seconds_per_cpu_second", G,
	       "Seconds of audio analysed per second of the workers' CPU"
	       " time.");
	NUM(ratio(a->audio_s, a->cpu_s));
}

static void fuse_metrics(struct prom *p)
{
	const struct session_stats *f = &p->fuse;

	metric(p, "mediamon_fuse_max_threads", G,
	       "Threads that may answer the kernel's requests at once.");
	INT(f->max_threads);
	metric(p, "mediamon_fuse_max_idle_threads", G,
	       "Idle threads kept, the others ended; no sample: all kept.");
	if (f->max_idle_threads != SESSION_NO_IDLE_LIMIT)
		INT(f->max_idle_threads);
	metric(p, "mediamon_fuse_requests_total", C,
	       "Requests the mount answered.");
	INT(f->requests);
	metric(p, "mediamon_fuse_requests_in_flight", G,
	       "Requests being answered now.");
	INT(f->in_flight);
}

int render_prometheus(struct strbuf *out)
{
	struct prom p = {
		.out = out,
		.roots = STRBUF_INIT,
		.endpoints = STRBUF_INIT,
	};
	int rc;

	indexer_status(&p.s);
	watch_status(&p.w);
	session_get_stats(&p.fuse);
	rc = read_all(&p);
	if (!rc) {
		summary_metrics(&p);
		totals_metrics(&p);
		last_scan_metrics(&p);
		running_scan_metrics(&p);
		watch_metrics(&p);
		monitor_metrics(&p);
		repair_metrics(&p);
		analysis_metrics(&p);
		fuse_metrics(&p);
	}
	strbuf_release(&p.roots);
	strbuf_release(&p.endpoints);
	free(p.services);
	return rc;
}
