#include "fs/render_prometheus.h"

#include <errno.h>
#include <string.h>

#include "common/bytes.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/render.h"
#include "indexer/store/query.h"
#include "fs/render_fuse.h"
#include "fs/render_monitor.h"
#include "fs/render_repair.h"

enum doc { SUMMARY, SCAN, WATCH, MONITOR, REPAIR, ANALYSIS, FUSE, NR_DOCS };

static int (*const renderers[NR_DOCS])(struct strbuf *) = {
	[SUMMARY] = query_summary,
	[SCAN] = query_scan_json,
	[WATCH] = query_watch_json,
	[MONITOR] = query_monitor_json,
	[REPAIR] = query_repair_json,
	[ANALYSIS] = query_analysis_json,
	[FUSE] = render_fuse_json,
};

/*
 * One metric: where its value is in a document, as a dotted path. A "*"
 * step takes every member of an object and gives its key to the next
 * label; a "#" step takes every element of an array, whose string
 * members named by the labels become the labels. A string value (a
 * state) becomes the last label's value, with 1 as the sample.
 */
struct metric {
	enum doc doc;
	const char *name;
	const char *type;
	const char *help;
	const char *path;
	const char *labels[2];
	double scale;		/* 0 means 1: milliseconds and KiB to base */
	const char *skip;	/* a member "*" leaves out (a sum of the rest) */
	const char *trim;	/* a suffix "*" cuts off keys ("walk_s") */
};

#define M(d, n, t, h, p, ...) \
	{ .doc = d, .name = n, .type = t, .help = h, .path = p, __VA_ARGS__ }
#define G "gauge"
#define C "counter"

static const struct metric metrics[] = {
	M(SUMMARY, "mediamon_uptime_seconds", G,
	  "Seconds since the daemon started.", "uptime_s"),
	M(SUMMARY, "mediamon_state", G,
	  "What the daemon does now (idle, scanning or checking), as a label.",
	  "state", .labels = { "state" }),
	M(SUMMARY, "mediamon_dry_run", G,
	  "1 while dry-run keeps downloads and repairs from happening.",
	  "dry_run"),
	M(SUMMARY, "mediamon_scan_pending", G,
	  "1 when a scan waits for the running one.", "scan_pending"),
	M(SUMMARY, "mediamon_tracks", G, "Tracks in the index.",
	  "counts.tracks"),
	M(SUMMARY, "mediamon_albums", G, "Albums in the index.",
	  "counts.albums"),
	M(SUMMARY, "mediamon_artists", G, "Artists in the index.",
	  "counts.artists"),
	M(SUMMARY, "mediamon_files", G, "Files in the index.",
	  "counts.files"),
	M(SUMMARY, "mediamon_series", G, "Manga series in the index.",
	  "counts.series"),
	M(SUMMARY, "mediamon_volumes", G, "Manga volumes owned.",
	  "counts.volumes"),
	M(SUMMARY, "mediamon_missing_volumes", G,
	  "Missing volumes of the monitored series.", "counts.missing"),
	M(SUMMARY, "mediamon_broken_links", G,
	  "Broken Real-Debrid symlinks.", "counts.broken_links"),
	M(SUMMARY, "mediamon_root_files", G, "Files indexed under each root.",
	  "roots.#.files", .labels = { "kind", "path" }),
	M(SUMMARY, "mediamon_scan_progress_files", G,
	  "Files the running scan has seen.", "scan_progress.done"),
	M(SUMMARY, "mediamon_scan_progress_estimate_files", G,
	  "Files the running scan is expected to see.",
	  "scan_progress.total_estimate"),

	M(SCAN, "mediamon_scans_total", C, "Scans finished or failed.",
	  "totals.scans"),
	M(SCAN, "mediamon_scans_succeeded_total", C, "Scans that finished.",
	  "totals.succeeded"),
	M(SCAN, "mediamon_scans_failed_total", C, "Scans that failed.",
	  "totals.failed"),
	M(SCAN, "mediamon_scan_files_indexed_total", C,
	  "Files seen by all scans.", "totals.files_indexed"),
	M(SCAN, "mediamon_scan_average_files_per_second", G,
	  "Files per second over all scans.", "totals.avg_files_per_s"),
	M(SCAN, "mediamon_scans_success_ratio", G,
	  "Share of the scans that finished, from 0 to 1.",
	  "totals.success_rate_pct", .scale = 0.01),
	M(SCAN, "mediamon_scan_average_duration_seconds", G,
	  "How long a scan took on average.", "totals.avg_duration_s"),
	M(SCAN, "mediamon_scan_read_bytes_total", C,
	  "Bytes read by all scans.", "totals.bytes_read"),
	M(SCAN, "mediamon_last_scan_id", G, "Id of the last finished scan.",
	  "last.id"),
	M(SCAN, "mediamon_last_scan_success", G,
	  "1 when the last scan finished, 0 when it failed.", "last.success"),
	M(SCAN, "mediamon_last_scan_started_timestamp_seconds", G,
	  "When the last finished scan started (Unix time).",
	  "last.started_at_s"),
	M(SCAN, "mediamon_last_scan_finished_timestamp_seconds", G,
	  "When the last scan finished (Unix time).", "last.finished_at_s"),
	M(SCAN, "mediamon_last_scan_duration_seconds", G,
	  "How long the last scan took.", "last.duration_s"),
	M(SCAN, "mediamon_last_scan_files_seen", G,
	  "Files the last scan saw.", "last.files_seen"),
	M(SCAN, "mediamon_last_scan_files_new", G,
	  "New files the last scan found.", "last.files_new"),
	M(SCAN, "mediamon_last_scan_files_changed", G,
	  "Changed or moved files the last scan found.",
	  "last.files_changed"),
	M(SCAN, "mediamon_last_scan_files_unchanged", G,
	  "Unchanged files the last scan skipped.", "last.files_unchanged"),
	M(SCAN, "mediamon_last_scan_files_deleted", G,
	  "Files the last scan found gone.", "last.files_deleted"),
	M(SCAN, "mediamon_last_scan_tag_errors", G,
	  "Files whose tags the last scan could not read.",
	  "last.tag_errors"),
	M(SCAN, "mediamon_last_scan_io_errors", G,
	  "Files or folders the last scan could not read.",
	  "last.io_errors"),
	M(SCAN, "mediamon_last_scan_read_bytes", G,
	  "Bytes the last scan read.", "last.bytes_read"),
	M(SCAN, "mediamon_last_scan_files_per_second", G,
	  "Files per second of the last scan.", "last.files_per_s"),
	M(SCAN, "mediamon_last_scan_read_bytes_per_second", G,
	  "Bytes read per second by the last scan.", "last.mb_per_s",
	  .scale = 1e6),
	M(SCAN, "mediamon_last_scan_phase_seconds", G,
	  "Time the last scan spent per phase, summed over its threads.",
	  "last.phases.*", .labels = { "phase" }, .trim = "_s"),
	M(SCAN, "mediamon_last_scan_peak_rss_bytes", G,
	  "The daemon's peak resident memory at the end of the last scan.",
	  "last.peak_rss_kb", .scale = 1024),
	M(SCAN, "mediamon_running_scan_id", G, "Id of the running scan.",
	  "running.id"),
	M(SCAN, "mediamon_running_scan_duration_seconds", G,
	  "How long the running scan has run.", "running.duration_s"),
	M(SCAN, "mediamon_running_scan_files_seen", G,
	  "Files the running scan has seen.", "running.files_seen"),

	M(WATCH, "mediamon_watch_enabled", G,
	  "1 while inotify keeps the index live.", "enabled"),
	M(WATCH, "mediamon_watch_watches", G, "Folders watched by inotify.",
	  "watches"),
	M(WATCH, "mediamon_watch_polled_dirs", G,
	  "Folders beyond the inotify watch limit, polled instead.",
	  "polled_dirs"),
	M(WATCH, "mediamon_watch_debounce_seconds", G,
	  "How long changes are gathered before they are scanned.",
	  "debounce_ms", .scale = 1e-3),
	M(WATCH, "mediamon_watch_poll_interval_seconds", G,
	  "How often polled folders are rescanned.", "poll_interval_s"),
	M(WATCH, "mediamon_watch_overflows_total", C,
	  "Times the kernel's inotify queue overflowed.", "overflows"),
	M(WATCH, "mediamon_watch_events_total", C, "inotify events by kind.",
	  "events.*", .labels = { "kind" }, .skip = "total"),
	M(WATCH, "mediamon_watch_batches_total", C,
	  "Batches of changes handed to a scan.", "batches"),
	M(WATCH, "mediamon_watch_paths_submitted_total", C,
	  "Paths handed to scans by the watcher.", "paths_submitted"),
	M(WATCH, "mediamon_watch_latency_samples_total", C,
	  "Changes whose delay to the index was measured.",
	  "latency_ms.samples"),
	M(WATCH, "mediamon_watch_latency_p50_seconds", G,
	  "Median delay from a change on disk to its commit.",
	  "latency_ms.p50", .scale = 1e-3),
	M(WATCH, "mediamon_watch_latency_p95_seconds", G,
	  "95th percentile of the delay from a change to its commit.",
	  "latency_ms.p95", .scale = 1e-3),
	M(WATCH, "mediamon_watch_latency_max_seconds", G,
	  "Longest delay from a change to its commit.", "latency_ms.max",
	  .scale = 1e-3),

	M(MONITOR, "mediamon_cache_entries", G,
	  "Remote answers kept in the cache.", "cache.total_entries"),
	M(MONITOR, "mediamon_cache_size_bytes", G, "Size of the cache.",
	  "cache.cache_size_bytes"),
	M(MONITOR, "mediamon_cache_hits_total", C,
	  "Remote questions answered from the cache.", "cache.hits"),
	M(MONITOR, "mediamon_cache_misses_total", C,
	  "Remote questions the cache could not answer.", "cache.misses"),
	M(MONITOR, "mediamon_throttle_requests_per_minute", G,
	  "Each remote service's rate limit.",
	  "throttler.*.requests_per_minute", .labels = { "service" }),
	M(MONITOR, "mediamon_throttle_min_interval_seconds", G,
	  "Each remote service's least time between requests.",
	  "throttler.*.min_interval_seconds", .labels = { "service" }),
	M(MONITOR, "mediamon_throttle_requests_total", C,
	  "Requests sent to each remote service.", "throttler.*.requests", .labels = { "service" }),
	M(MONITOR, "mediamon_throttle_waits_total", C,
	  "Requests that waited for the rate limit.", "throttler.*.waits", .labels = { "service" }),
	M(MONITOR, "mediamon_throttle_http_429_total", C,
	  "Answers 429 Too Many Requests.", "throttler.*.http_429", .labels = { "service" }),
	M(MONITOR, "mediamon_throttle_failures_total", C,
	  "Requests that failed.", "throttler.*.failures", .labels = { "service" }),
	M(MONITOR, "mediamon_check_running", G,
	  "1 while that check runs.", "running.*", .labels = { "check" }),
	M(MONITOR, "mediamon_check_started_timestamp_seconds", G,
	  "When the last check of each kind started (Unix time).",
	  "last_check.*.started_at_s", .labels = { "check" }),
	M(MONITOR, "mediamon_check_finished_timestamp_seconds", G,
	  "When the last check of each kind finished (Unix time).",
	  "last_check.*.finished_at_s", .labels = { "check" }),
	M(MONITOR, "mediamon_check_series", G,
	  "Series the last check looked at.", "last_check.*.series", .labels = { "check" }),
	M(MONITOR, "mediamon_check_wanted_volumes", G,
	  "Volumes the last check wanted.", "last_check.*.wanted", .labels = { "check" }),
	M(MONITOR, "mediamon_check_found_volumes", G,
	  "Wanted volumes the last check found releases for.",
	  "last_check.*.found", .labels = { "check" }),
	M(MONITOR, "mediamon_check_requests", G,
	  "Requests the last check sent, per source.",
	  "last_check.*.requests.*", .labels = { "check", "source" }),
	M(MONITOR, "mediamon_check_cache_hits", G,
	  "Answers the last check took from the cache.",
	  "last_check.*.cache_hits", .labels = { "check" }),
	M(MONITOR, "mediamon_check_downloads", G,
	  "Releases the last check handed to the download client.",
	  "last_check.*.downloads", .labels = { "check" }),
	M(MONITOR, "mediamon_check_errors", G,
	  "Errors during the last check.", "last_check.*.errors", .labels = { "check" }),

	/* Counted from rows that [retention] prunes: gauges, not counters. */
	M(REPAIR, "mediamon_repair_requests", G,
	  "Real-Debrid requests in the attempt log, per endpoint.",
	  "requests_by_endpoint.*", .labels = { "endpoint" }),
	M(REPAIR, "mediamon_repair_rate_limited", G,
	  "Real-Debrid answers in the attempt log that were rate limits.",
	  "rate_limited"),
	M(REPAIR, "mediamon_repairs_ok", G,
	  "Torrents repaired: re-added and downloaded.", "repairs_ok"),
	M(REPAIR, "mediamon_repairs_failed", G,
	  "Repairs failed for good or stopped in a loop.", "repairs_failed"),
	M(REPAIR, "mediamon_repair_permanent_failures", G,
	  "Torrents that cannot come back.", "permanent_failures"),
	M(REPAIR, "mediamon_repair_links_deleted", G,
	  "Dead links deleted for torrents that cannot come back.",
	  "links_deleted"),
	M(REPAIR, "mediamon_repair_rescans", G,
	  "Rescans Sonarr or Radarr took.", "rescans"),
	M(REPAIR, "mediamon_repair_old_torrents_to_delete", G,
	  "Old torrents of repairs still to delete.",
	  "old_torrents_to_delete"),
	M(REPAIR, "mediamon_repair_old_torrent_delete_failures", G,
	  "Deletions of old torrents that failed.",
	  "old_torrent_delete_failures"),
	M(REPAIR, "mediamon_repair_passes", G,
	  "Repair passes in the store.", "passes"),
	M(REPAIR, "mediamon_repair_last_pass_duration_seconds", G,
	  "How long the last repair pass took.", "last_pass_duration_s"),

	M(ANALYSIS, "mediamon_analysis_enabled", G,
	  "1 when [analysis] lets the audio analysis run.", "enabled"),
	M(ANALYSIS, "mediamon_analysis_paused", G,
	  "1 while /control/pause holds the analysis queue.", "paused"),
	M(ANALYSIS, "mediamon_analysis_threads", G,
	  "Analysis workers running.", "threads"),
	M(ANALYSIS, "mediamon_analysis_busy_tracks", G,
	  "Tracks being analysed now.", "busy"),
	M(ANALYSIS, "mediamon_analysis_analysed_tracks", G,
	  "Tracks whose last analysis succeeded.", "analysed"),
	M(ANALYSIS, "mediamon_analysis_queued_tracks", G,
	  "Tracks waiting for an analysis.", "queued"),
	M(ANALYSIS, "mediamon_analysis_failed_tracks", G,
	  "Tracks whose last analysis failed.", "failed"),
	M(ANALYSIS, "mediamon_analysis_too_short_tracks", G,
	  "Tracks too short to analyse (under 3 s), which is no failure.",
	  "too_short"),
	M(ANALYSIS, "mediamon_analysis_done_total", C,
	  "Tracks analysed since the daemon started, failures too.", "done"),
	M(ANALYSIS, "mediamon_analysis_audio_seconds_total", C,
	  "Audio analysed since the daemon started.", "audio_s"),
	M(ANALYSIS, "mediamon_analysis_cpu_seconds_total", C,
	  "CPU time the analysis workers spent analysing.", "cpu_s"),
	M(ANALYSIS, "mediamon_analysis_tracks_per_second", G,
	  "Tracks analysed per second while the analysis ran.",
	  "tracks_per_second"),
	M(ANALYSIS, "mediamon_analysis_audio_seconds_per_cpu_second", G,
	  "Seconds of audio analysed per second of the workers' CPU time.",
	  "audio_seconds_per_cpu_second"),

	M(FUSE, "mediamon_fuse_follow", G,
	  "1 when the mount may answer a walk on the walker's CPU.", "follow"),
	M(FUSE, "mediamon_fuse_following", G,
	  "1 while it does.", "following"),
	M(FUSE, "mediamon_fuse_lane_requests_total", C,
	  "Requests answered by the thread that reads them.",
	  "lane_requests"),
	M(FUSE, "mediamon_fuse_worker_requests_total", C,
	  "Requests answered by the workers (reads, writes).",
	  "worker_requests"),
	M(FUSE, "mediamon_fuse_workers", G, "Worker threads started.",
	  "workers"),
	M(FUSE, "mediamon_fuse_workers_busy", G, "Workers answering now.",
	  "workers_busy"),
	M(FUSE, "mediamon_fuse_moves_total", C,
	  "Times the reading thread went to another walker's CPU.", "moves"),
	M(FUSE, "mediamon_fuse_rescues_total", C,
	  "Times waiting requests went to the workers as it was held up.",
	  "rescues"),
	M(FUSE, "mediamon_fuse_demotions_total", C,
	  "Times it was kept off its CPU and went back to any CPU.",
	  "demotions"),
};

#define NR_METRICS (ARRAY_SIZE(metrics))
#define STEP_MAX 64

/* Label values are file paths and names: the format wants backslash,
 * double quote and line feed escaped, and nothing else. */
static void add_label_value(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			strbuf_addch(out, '\\');
		if (*s == '\n')
			strbuf_addstr(out, "\\n");
		else
			strbuf_addch(out, *s);
	}
}

/* Integers are printed whole, so a counter never turns into 1.2e+07. */
static void sample(struct strbuf *out, const struct metric *m,
		   const char *values[], int nr_values, json_t *v)
{
	double scale = m->scale ? m->scale : 1;

	if (json_is_string(v) && nr_values < 2 && m->labels[nr_values]) {
		values[nr_values++] = json_string_value(v);
		v = NULL;
	} else if (!json_is_number(v) && !json_is_boolean(v)) {
		return;
	}
	strbuf_addstr(out, m->name);
	for (int i = 0; i < nr_values; i++) {
		strbuf_addf(out, "%s%s=\"", i ? "," : "{", m->labels[i]);
		add_label_value(out, values[i]);
		strbuf_addch(out, '"');
	}
	strbuf_addstr(out, nr_values ? "} " : " ");
	if (!v)
		strbuf_addstr(out, "1\n");
	else if (json_is_boolean(v))
		strbuf_addf(out, "%d\n", json_is_true(v));
	else if (json_is_integer(v) && scale == 1)
		strbuf_addf(out, "%lld\n", (long long)json_integer_value(v));
	else
		strbuf_addf(out, "%.15g\n", json_number_value(v) * scale);
}

/* Walk what is left of the path from node, taking labels on the way. */
static void walk(struct strbuf *out, const struct metric *m, json_t *node,
		 const char *path, const char *values[], int nr_values)
{
	char step[STEP_MAX];
	char label[STEP_MAX];
	const char *key;
	size_t len, i, cut;
	json_t *child;

	if (!*path) {
		sample(out, m, values, nr_values, node);
		return;
	}
	len = strcspn(path, ".");
	snprintf(step, sizeof(step), "%.*s", (int)len, path);
	path += len + (path[len] == '.');
	if (!strcmp(step, "*")) {
		json_object_foreach(node, key, child) {
			if (m->skip && !strcmp(key, m->skip))
				continue;
			len = strlen(key);
			cut = m->trim ? strlen(m->trim) : 0;
			if (cut && len > cut && !strcmp(key + len - cut,
							 m->trim))
				len -= cut;
			snprintf(label, sizeof(label), "%.*s", (int)len, key);
			values[nr_values] = label;
			walk(out, m, child, path, values, nr_values + 1);
		}
	} else if (!strcmp(step, "#")) {
		json_array_foreach(node, i, child) {
			int n = 0;

			for (; n < 2 && m->labels[n]; n++) {
				values[n] = json_string_value(
					json_object_get(child, m->labels[n]));
				if (!values[n])
					values[n] = "";
			}
			walk(out, m, child, path, values, n);
		}
	} else {
		walk(out, m, json_object_get(node, step), path, values,
		     nr_values);
	}
}

int render_prometheus(struct strbuf *out)
{
	json_t *docs[NR_DOCS] = { 0 };
	struct strbuf text = STRBUF_INIT;
	json_error_t error;
	int rc = 0;

	for (int d = 0; !rc && d < NR_DOCS; d++) {
		strbuf_reset(&text);
		rc = renderers[d](&text);
		if (!rc && !(docs[d] = json_loadb(text.buf, text.len, 0,
						  &error)))
			rc = log_error(-EIO, "prometheus: a metrics document"
				       " does not parse: %s", error.text);
	}
	strbuf_release(&text);
	for (size_t i = 0; !rc && i < NR_METRICS; i++) {
		const struct metric *m = &metrics[i];
		const char *values[2];

		strbuf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", m->name,
			    m->help, m->name, m->type);
		walk(out, m, docs[m->doc], m->path, values, 0);
	}
	for (int d = 0; d < NR_DOCS; d++)
		json_decref(docs[d]);
	return rc;
}
