/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The documents of the indexer's state (render_status.h): summary.json,
 * the scan and watch metrics, scan.csv, tag-errors and no-cover. It writes
 * nothing.
 */
#include "fs/tree/render_status.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/csv.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "fs/tree/caller.h"
#include "fs/tree/own_counts.h"
#include "fs/tree/render.h"

/* A scan's counters and phases, as the indexer counts them live. */
static void scan_from_stats(struct library_scan *l, const struct scan_stats *c)
{
	l->files_seen = c->files_seen;
	l->files_new = c->files_new;
	l->files_changed = c->files_changed + c->files_renamed;
	l->files_unchanged = c->files_unchanged;
	l->files_deleted = c->files_deleted;
	l->tag_errors = c->tag_errors;
	l->io_errors = c->io_errors;
	l->bytes_read = c->bytes_read;
	l->walk_s = c->walk_ns / 1e9;
	l->parse_s = c->parse_ns / 1e9;
}

double render_cpu_share_pct(double cpu_s, double duration_s)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	double pct;

	if (duration_s <= 0)
		return 0;
	pct = 100 * cpu_s / (duration_s * (cpus > 0 ? cpus : 1));
	return pct < 0 ? 0 : pct > 100 ? 100 : pct;
}

json_t *render_cpu_share_json(double cpu_s, double duration_s)
{
	return duration_s > 0 ?
		json_num(render_cpu_share_pct(cpu_s, duration_s)) : json_null();
}

int render_last_scan(struct indexer_status *s, struct library_scan *out,
		     int *found)
{
	const struct indexer_scan_result *r = &s->last;
	int rc;

	if (!s->has_last || r->stored) {
		rc = library_stats_last_scan(out, found);
		if (!rc && *found && s->scan_id == out->id &&
		    !strcmp(s->state, "scanning"))
			s->state = "idle";
		return rc;
	}
	*out = (struct library_scan){
		.id = r->id,
		.started_at = r->started_at,
		.finished_at = r->started_at + r->duration_s,
		.duration_s = r->duration_s,
		.write_s = r->write_s,
		.peak_rss_kb = r->peak_rss_kb,
		.cpu_s = r->cpu_s,
		.success = r->success,
	};
	snprintf(out->trigger, sizeof(out->trigger), "%s", r->trigger);
	snprintf(out->scope, sizeof(out->scope), "%s", r->scope);
	scan_from_stats(out, &r->stats);
	*found = 1;
	return 0;
}

/* The integer counters of a scan, in the order the files show them. */
static const char *const count_names[] = {
	"files_seen", "files_new", "files_changed", "files_unchanged",
	"files_deleted", "tag_errors", "io_errors", "bytes_read",
};

static void scan_counts(const struct library_scan *l,
			int64_t n[ARRAY_SIZE(count_names)])
{
	const int64_t v[] = {
		l->files_seen, l->files_new, l->files_changed,
		l->files_unchanged, l->files_deleted, l->tag_errors,
		l->io_errors, l->bytes_read,
	};

	memcpy(n, v, sizeof(v));
}

/* The fields every scan object has; success is null while it runs. */
static json_t *scan_object(const struct library_scan *l, json_t *success)
{
	json_t *o = json_object(), *phases = json_object();
	int64_t counts[ARRAY_SIZE(count_names)];

	scan_counts(l, counts);

	json_object_set_new(o, "id", l->id ? json_integer(l->id) :
			    json_null());
	json_object_set_new(o, "trigger", json_string(l->trigger));
	json_object_set_new(o, "scope", json_string(l->scope));
	json_object_set_new(o, "started_at", json_time(l->started_at));
	json_object_set_new(o, "started_at_s", json_num(l->started_at));
	json_object_set_new(o, "finished_at", json_time(l->finished_at));
	json_object_set_new(o, "finished_at_s", l->finished_at > 0 ?
			    json_num(l->finished_at) : json_null());
	json_object_set_new(o, "duration_s", json_num(l->duration_s));
	for (size_t i = 0; i < ARRAY_SIZE(count_names); i++)
		json_object_set_new(o, count_names[i],
				    json_integer(counts[i]));
	json_object_set_new(o, "files_per_s", json_ratio(l->files_seen,
							 l->duration_s));
	json_object_set_new(o, "mb_per_s", json_ratio(l->bytes_read / 1e6,
						      l->duration_s));
	json_object_set_new(phases, "walk_s", json_num(l->walk_s));
	json_object_set_new(phases, "parse_s", json_num(l->parse_s));
	json_object_set_new(phases, "write_s", json_num(l->write_s));
	json_object_set_new(o, "phases", phases);
	json_object_set_new(o, "peak_rss_kb", json_integer(l->peak_rss_kb));
	json_object_set_new(o, "cpu_s", json_num(l->cpu_s));
	json_object_set_new(o, "cpu_share_pct",
			    render_cpu_share_json(l->cpu_s, l->duration_s));
	json_object_set_new(o, "success", success);
	return o;
}

/* A running scan's progress: the files done, and the estimate of all,
 * null when there is none or the files done passed it, so that a
 * progress bar never reads past its end; counting while the estimate is
 * still being counted on disk (a first scan: it only grows). */
static json_t *progress_of(const struct scan_stats *scan)
{
	uint64_t done = scan->files_seen, all = scan->total_estimate;

	return json_pack("{s:I, s:o, s:b}", "done", (json_int_t)done,
			 "total_estimate", all && all >= done ?
			 json_integer((json_int_t)all) : json_null(),
			 "counting", scan->counting != 0);
}

static json_t *scan_running(const struct indexer_status *s)
{
	struct library_scan l = {
		.id = s->scan_id,
		.started_at = s->scan_started_at,
		.duration_s = s->scan_elapsed_s,
		.write_s = s->scan_write_s,
	};
	json_t *o;

	snprintf(l.trigger, sizeof(l.trigger), "%s", s->scan_trigger);
	snprintf(l.scope, sizeof(l.scope), "%s", s->scan_scope);
	scan_from_stats(&l, &s->scan);
	o = scan_object(&l, json_null());
	json_object_set_new(o, "progress", progress_of(&s->scan));
	return o;
}

/* A root of summary.json; its files only to the owner (render_summary). */
static int add_root(void *arg, const char *kind, const char *path,
		    size_t len, int64_t files)
{
	json_t *root = json_pack("{s:s, s:o, s:o}", "kind", kind,
				 "path", json_text(path, len),
				 "files", caller_is_owner() ?
				 json_integer(files) : json_null());

	return root && !json_array_append_new(arg, root) ? 0 : -ENOMEM;
}

/* The counts in the order summary.json has always shown them. */
static json_t *counts_object(const struct library_counts *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"albums", (json_int_t)c->albums,
		"artists", (json_int_t)c->artists,
		"broken_links", (json_int_t)c->broken_links,
		"files", (json_int_t)c->files,
		"series", (json_int_t)c->series,
		"tracks", (json_int_t)c->tracks,
		"volumes", (json_int_t)c->volumes,
		"missing", (json_int_t)c->missing,
		"albums_with_cover", (json_int_t)c->albums_with_cover,
		"albums_without_cover", (json_int_t)c->albums_without_cover);
}

int render_status_counts(struct library_counts *out)
{
	int rc = reader_hold();

	if (rc)
		return rc;
	rc = caller_is_owner() ? library_stats_counts(out) :
		own_counts_get(out);
	reader_release();
	return rc;
}

static json_t *watcher_object(void)
{
	struct watch_status w;

	watch_status(&w);
	return json_pack("{s:b, s:I, s:I, s:I, s:I, s:o, s:b}",
		"enabled", w.enabled,
		"watches", (json_int_t)w.watches,
		"overflows", (json_int_t)w.overflows,
		"polled_dirs", (json_int_t)w.polled_dirs,
		"events", (json_int_t)w.events,
		"last_event_at", json_time(w.last_event_at),
		"fallback", w.polled_dirs > 0);
}

/* The jobs of the lanes (indexer/jobs.h) by their names. */
static const struct {
	unsigned job;
	const char *name, *words;
} job_names[] = {
	{ JOBS_CHECK_MISSING, "check-missing", "the missing-volume check" },
	{ JOBS_CHECK_NEW, "check-new", "the new-volume check" },
	{ JOBS_REPAIR_TORRENTS, "repair-torrents", "the torrents' repair" },
	{ JOBS_REPAIR_RESYNC, "repair-resync", "the debrid account read" },
	{ JOBS_REPAIR_SCAN, "repair-scan", "the dead-link scan" },
	{ JOBS_REPAIR_RUN, "repair-run", "the repair pass" },
	{ JOBS_REPAIR_LINKS, "repair-links", "the moved links' update" },
	{ JOBS_PRUNE, "prune", "the retention's prune" },
	{ JOBS_BACKUP, "backup", "the store's backup" },
	{ JOBS_VACUUM, "vacuum", "the store's vacuum" },
	{ JOBS_TRACK, "track", "the downloads' follow-up" },
	{ JOBS_SEND, "send", "the releases sent by hand" },
};

const char *render_status_job_name(unsigned bit, const char **words)
{
	for (size_t i = 0; i < ARRAY_SIZE(job_names); i++)
		if (job_names[i].job == bit) {
			if (words)
				*words = job_names[i].words;
			return job_names[i].name;
		}
	return NULL;
}

/* The jobs of the mask jobs by name: a JSON array. */
static json_t *jobs_array(unsigned jobs)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < ARRAY_SIZE(job_names); i++)
		if (jobs & job_names[i].job)
			json_array_append_new(a,
					      json_string(job_names[i].name));
	return a;
}

/*
 * The library's counts take in the tracks, volumes and files another
 * user may not see: another user gets its own (own_counts()), on the
 * mount as over HTTP; roots[].files stay the owner's alone.
 */
json_t *render_status_health(void)
{
	struct strbuf text = STRBUF_INIT;
	int errors = 0, warnings = 0;
	const char *l;

	render_health(&text);
	for (l = text.buf; *l; l += *l == '\n') {
		errors += !strncmp(l, "error:", 6);
		warnings += !strncmp(l, "warn:", 5);
		l = strchrnul(l, '\n');
	}
	strbuf_release(&text);
	return json_pack("{s:b, s:i, s:i}", "ok", !errors && !warnings,
			 "errors", errors, "warnings", warnings);
}

int render_summary(struct strbuf *out)
{
	json_t *roots = json_array(), *progress = json_null();
	struct library_counts counts;
	struct library_scan last;
	struct indexer_status s;
	int rc, found = 0, counted = 1;

	indexer_status(&s);
	rc = reader_hold();
	if (!rc) {
		rc = caller_is_owner() ? library_stats_counts(&counts) :
			own_counts_get(&counts);
		/* being counted: shown as not known yet */
		counted = rc != -EAGAIN;
		if (!counted)
			rc = 0;
		if (!rc)
			rc = library_stats_each_root(add_root, roots);
		if (!rc)
			rc = render_last_scan(&s, &last, &found);
		reader_release();
	}
	if (rc) {
		json_decref(roots);
		return rc;
	}
	if (!strcmp(s.state, "scanning"))
		progress = progress_of(&s.scan);
	return json_append(out, json_pack(
		"{s:s, s:I, s:o, s:s, s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o,"
		" s:{s:o, s:o}}",
		"version", MEDIAMON_VERSION,
		"uptime_s", (json_int_t)(clock_wall() - s.started_at),
		"started_at", json_time(s.started_at),
		"state", s.state,
		"scan_pending", s.scan_pending,
		"dry_run", s.dry_run,
		"counts", counted ? counts_object(&counts) : json_null(),
		"roots", roots,
		"last_scan", found ? scan_object(&last,
			json_boolean(last.success)) : json_null(),
		"scan_progress", progress,
		"watcher", watcher_object(),
		"health", render_status_health(),
		"jobs", "running", jobs_array(s.jobs.running),
		"queued", jobs_array(s.jobs.pending)));
}

/* A duration in seconds and in words, under name and name_s. */
static void add_duration(json_t *o, const char *name, json_t *seconds)
{
	char key[32], words[CLOCK_WORDS_LEN];

	snprintf(key, sizeof(key), "%s_s", name);
	if (json_is_number(seconds)) {
		clock_words(json_number_value(seconds), words);
		json_object_set_new(o, name, json_string(words));
	} else {
		json_object_set_new(o, name, json_null());
	}
	json_object_set(o, key, seconds ? seconds : json_null());
}

/* The totals over the scans in the store, and the failed scans the
 * store could not take (unstored): what dashboards show first.
 * Durations are of the scans in the store. */
static json_t *scan_totals(const struct library_scan_totals *t,
			   json_t *last, uint64_t unstored)
{
	int64_t scans = t->scans + unstored;
	json_t *o, *avg;

	o = json_pack("{s:I, s:I, s:I, s:o, s:I, s:o, s:I}",
		      "scans", (json_int_t)scans,
		      "succeeded", (json_int_t)t->succeeded,
		      "failed", (json_int_t)(t->failed + unstored),
		      "success_rate_pct", scans ?
		      json_num(100.0 * t->succeeded / scans) : json_null(),
		      "files_indexed", (json_int_t)t->files_seen,
		      "avg_files_per_s", json_ratio(t->files_seen,
						    t->duration_s),
		      "bytes_read", (json_int_t)t->bytes_read);
	if (!o)
		return json_object();
	avg = t->scans ? json_num(t->duration_s / t->scans) : json_null();
	add_duration(o, "avg_duration", avg);
	json_decref(avg);
	add_duration(o, "last_duration", json_object_get(last,
							 "duration_s"));
	return o;
}

int render_scan_json(struct strbuf *out)
{
	struct library_scan_totals totals;
	struct library_scan last;
	struct indexer_status s;
	json_t *l;
	int rc, found = 0;

	indexer_status(&s);
	rc = reader_hold();
	if (rc)
		return rc;
	rc = render_last_scan(&s, &last, &found);
	if (!rc)
		rc = library_stats_scan_totals(&totals);
	reader_release();
	if (rc)
		return rc;
	l = found ? scan_object(&last, json_boolean(last.success)) :
		json_null();
	return json_append(out, json_pack("{s:o, s:o, s:o}", "last", l,
		"running", strcmp(s.state, "scanning") ? json_null() :
		scan_running(&s),
		"totals", scan_totals(&totals, l, s.unstored_failures)));
}

/* A latency figure, or null before the first sample (since the start or
 * the last reset): no change measured is not a change seen at once. */
static json_t *latency(const struct watch_status *w, double ms)
{
	return w->latency_samples ? json_num(ms) : json_null();
}

int render_watch_json(struct strbuf *out)
{
	json_t *events = json_object();
	struct watch_status w;
	uint64_t total = 0;

	watch_status(&w);
	for (int i = 0; i < WATCH_KINDS; i++) {
		json_object_set_new(events, watch_kind_names[i],
				    json_integer(w.by_kind[i]));
		total += w.by_kind[i];
	}
	json_object_set_new(events, "total", json_integer(total));
	return json_append(out, json_pack(
		"{s:b, s:I, s:I, s:i, s:i, s:I, s:I, s:o, s:I, s:I,"
		" s:{s:I, s:o, s:o, s:o}, s:o}",
		"enabled", w.enabled,
		"watches", (json_int_t)w.watches,
		"polled_dirs", (json_int_t)w.polled_dirs,
		"debounce_ms", (int)w.debounce_ms,
		"poll_interval_s", (int)w.poll_interval_s,
		"overflows", (json_int_t)w.overflows,
		"storms", (json_int_t)w.storms,
		"events", events,
		"batches", (json_int_t)w.batches,
		"paths_submitted", (json_int_t)w.paths_submitted,
		"latency_ms",
		"samples", (json_int_t)w.latency_samples,
		"p50", latency(&w, w.latency_p50_ms),
		"p95", latency(&w, w.latency_p95_ms),
		"max", latency(&w, w.latency_max_ms),
		"last_event_at", json_time(w.last_event_at)));
}

/* A time of a scan as scan.csv shows it: empty when the store has none. */
static void add_time(struct strbuf *out, int has, double t)
{
	char at[CLOCK_RFC3339_LEN];

	if (!has)
		return;
	clock_rfc3339((time_t)t, at);
	strbuf_addstr(out, at);
}

static double per_second(double n, double seconds)
{
	return seconds > 0 ? n / seconds : 0;
}

/* A scope holds a comma ("all,full"): text fields go through
 * csv_add_field(). */
static int scan_line(void *arg, const struct library_scan *l)
{
	struct strbuf *out = arg;
	int64_t counts[ARRAY_SIZE(count_names)];

	scan_counts(l, counts);
	strbuf_addf(out, "%lld,", (long long)l->id);
	csv_add_field(out, l->trigger);
	strbuf_addch(out, ',');
	csv_add_field(out, l->scope);
	strbuf_addch(out, ',');
	add_time(out, l->has_started, l->started_at);
	strbuf_addch(out, ',');
	add_time(out, l->has_finished, l->finished_at);
	strbuf_addf(out, ",%.3f", l->duration_s);
	for (size_t i = 0; i < ARRAY_SIZE(count_names); i++)
		strbuf_addf(out, ",%lld", (long long)counts[i]);
	strbuf_addf(out, ",%.1f,%.3f,%.3f,%.3f,%.3f,%lld,%d,%.3f,%.1f\n",
		    per_second(l->files_seen, l->duration_s),
		    per_second(l->bytes_read / 1e6, l->duration_s),
		    l->walk_s, l->parse_s, l->write_s,
		    (long long)l->peak_rss_kb, l->success, l->cpu_s,
		    render_cpu_share_pct(l->cpu_s, l->duration_s));
	return 0;
}

int render_scan_csv(struct strbuf *out)
{
	strbuf_addstr(out, "id,trigger,scope,started_at,finished_at,"
		      "duration_s");
	for (size_t i = 0; i < ARRAY_SIZE(count_names); i++)
		strbuf_addf(out, ",%s", count_names[i]);
	strbuf_addstr(out, ",files_per_s,mb_per_s,walk_s,parse_s,write_s,"
		      "peak_rss_kb,success,cpu_s,cpu_share_pct\n");
	return library_stats_each_scan(scan_line, out);
}

static int tag_error_line(void *arg, const char *path, const char *reason)
{
	struct strbuf *out = arg;

	utf8_add_line(out, path, reason ? reason : "damaged", NULL);
	return 0;
}

int render_tag_errors(struct strbuf *out)
{
	return library_stats_each_tag_error(tag_error_line, out);
}

/* One line of /status/no-cover for an album without any. */
static int no_cover_line(void *arg, const char *artist, const char *album,
			 const char *folder)
{
	struct strbuf *out = arg;

	utf8_add_line(out, artist, album, folder, NULL);
	return 0;
}

int render_no_cover(struct strbuf *out)
{
	return covers_uncovered(no_cover_line, out);
}
