#include "indexer/store/query_status.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/csv.h"
#include "common/db.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "indexer/store/series_filter.h"
#include "indexer/store/reader.h"
#include "indexer/library/covers.h"
#include "indexer/monitor/monitor_reads.h"
#include "indexer/realdebrid/rd_reads.h"
#include "indexer/analysis/analysis_worker.h"
#include "indexer/indexer.h"
#include "indexer/manga/manga.h"
#include "indexer/library/watch.h"
#include "indexer/store/storefile.h"
#include "indexer/store/writer.h"

#define SCAN_COLUMNS \
	"id, trigger, scope, started_at, finished_at, duration_s," \
	" files_seen, files_new, files_changed, files_unchanged," \
	" files_deleted, tag_errors, io_errors, bytes_read, walk_s," \
	" parse_s, write_s, peak_rss_kb, success"

/* Column positions in SCAN_COLUMNS. */
enum {
	SC_ID, SC_TRIGGER, SC_SCOPE, SC_STARTED, SC_FINISHED, SC_DURATION,
	SC_SEEN, SC_NEW, SC_CHANGED, SC_UNCHANGED, SC_DELETED, SC_TAG_ERRORS,
	SC_IO_ERRORS, SC_BYTES, SC_WALK, SC_PARSE, SC_WRITE, SC_RSS,
	SC_SUCCESS,
};

/* The integer counters of a scan, by name, in the order files show them. */
static const struct {
	const char *name;
	int column;
} scan_counts[] = {
	{ "files_seen", SC_SEEN },
	{ "files_new", SC_NEW },
	{ "files_changed", SC_CHANGED },
	{ "files_unchanged", SC_UNCHANGED },
	{ "files_deleted", SC_DELETED },
	{ "tag_errors", SC_TAG_ERRORS },
	{ "io_errors", SC_IO_ERRORS },
	{ "bytes_read", SC_BYTES },
};

static double per_second(double n, double seconds)
{
	return seconds > 0 ? n / seconds : 0;
}

/* The fields every scan object has, from counters already gathered. */
static json_t *scan_object(int64_t id, const char *trigger,
			   const char *scope, double started,
			   double finished, double duration,
			   const int64_t counts[], double walk, double parse,
			   double write, int64_t rss, json_t *success)
{
	json_t *o = json_object(), *phases = json_object();
	int64_t seen = counts[0], bytes = counts[7];

	json_object_set_new(o, "id", id ? json_integer(id) : json_null());
	json_object_set_new(o, "trigger", json_string(trigger));
	json_object_set_new(o, "scope", json_string(scope));
	json_object_set_new(o, "started_at", json_time(started));
	json_object_set_new(o, "started_at_s", json_num(started));
	json_object_set_new(o, "finished_at", json_time(finished));
	json_object_set_new(o, "finished_at_s",
			    finished > 0 ? json_num(finished) : json_null());
	json_object_set_new(o, "duration_s", json_num(duration));
	for (size_t i = 0; i < ARRAY_SIZE(scan_counts); i++)
		json_object_set_new(o, scan_counts[i].name,
				    json_integer(counts[i]));
	json_object_set_new(o, "files_per_s", json_ratio(seen, duration));
	json_object_set_new(o, "mb_per_s", json_ratio(bytes / 1e6, duration));
	json_object_set_new(phases, "walk_s", json_num(walk));
	json_object_set_new(phases, "parse_s", json_num(parse));
	json_object_set_new(phases, "write_s", json_num(write));
	json_object_set_new(o, "phases", phases);
	json_object_set_new(o, "peak_rss_kb", json_integer(rss));
	json_object_set_new(o, "success", success);
	return o;
}

static json_t *scan_from_row(sqlite3_stmt *st)
{
	int64_t counts[ARRAY_SIZE(scan_counts)];

	for (size_t i = 0; i < ARRAY_SIZE(scan_counts); i++)
		counts[i] = sqlite3_column_int64(st, scan_counts[i].column);
	return scan_object(sqlite3_column_int64(st, SC_ID),
			   (const char *)sqlite3_column_text(st, SC_TRIGGER),
			   (const char *)sqlite3_column_text(st, SC_SCOPE),
			   sqlite3_column_double(st, SC_STARTED),
			   sqlite3_column_double(st, SC_FINISHED),
			   sqlite3_column_double(st, SC_DURATION), counts,
			   sqlite3_column_double(st, SC_WALK),
			   sqlite3_column_double(st, SC_PARSE),
			   sqlite3_column_double(st, SC_WRITE),
			   sqlite3_column_int64(st, SC_RSS),
			   json_boolean(sqlite3_column_int(st, SC_SUCCESS)));
}

/* A scan's live counters in the order of scan_counts[]. */
static void stats_counts(const struct scan_stats *c, int64_t counts[])
{
	const uint64_t v[] = {
		c->files_seen, c->files_new,
		c->files_changed + c->files_renamed, c->files_unchanged,
		c->files_deleted, c->tag_errors, c->io_errors, c->bytes_read,
	};

	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		counts[i] = v[i];
}

/* A scan the store took no row of, as the indexer kept it. */
static json_t *scan_from_result(const struct indexer_scan_result *r)
{
	const struct scan_stats *c = &r->stats;
	int64_t counts[ARRAY_SIZE(scan_counts)];

	stats_counts(c, counts);
	return scan_object(r->id, r->trigger, r->scope, r->started_at,
			   r->started_at + r->duration_s, r->duration_s, counts,
			   c->walk_ns / 1e9, c->parse_ns / 1e9, r->write_s,
			   r->peak_rss_kb, json_boolean(r->success));
}

static json_t *scan_running(const struct indexer_status *s)
{
	const struct scan_stats *c = &s->scan;
	int64_t counts[ARRAY_SIZE(scan_counts)];
	json_t *o, *progress = json_object();

	stats_counts(c, counts);
	o = scan_object(s->scan_id, s->scan_trigger,
			s->scan_full ? "full" : "incremental",
			s->scan_started_at, 0, s->scan_elapsed_s, counts,
			c->walk_ns / 1e9, c->parse_ns / 1e9, s->scan_write_s,
			0, json_null());
	json_object_set_new(progress, "done", json_integer(c->files_seen));
	json_object_set_new(progress, "total_estimate",
			    json_integer(c->total_estimate));
	json_object_set_new(o, "progress", progress);
	return o;
}

/* The last finished scan as JSON, or JSON null when there is none yet:
 * the store's last row, unless the store failed to take the last one. */
static int last_scan(sqlite3 *db, const struct indexer_status *s,
		     json_t **out)
{
	sqlite3_stmt *st;
	int rc;

	if (s->has_last && !s->last.stored) {
		*out = scan_from_result(&s->last);
		return 0;
	}
	rc = db_prepare(db, "SELECT " SCAN_COLUMNS " FROM scans WHERE"
			" finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
			&st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? scan_from_row(st) : json_null();
	return db_finalize(st, rc, "read status");
}

static int count_missing(void *arg, int64_t id, const char *series,
			 int volume, const char *series_path)
{
	(void)id;
	(void)series;
	(void)volume;
	(void)series_path;
	(*(json_int_t *)arg)++;
	return 0;
}

/* The running totals of the store (schema version 26), counted by the
 * writer's triggers: no count here reads more than a row per root. With
 * cover art off, no album has a cover or lacks one (covers.h). */
static int count_rows(sqlite3 *db, json_t *counts)
{
	json_int_t missing = 0, albums = 0, with = 0;
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "SELECT name, n FROM totals"
			" WHERE name NOT GLOB 'analysis_*' ORDER BY name", &st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		json_int_t n = sqlite3_column_int64(st, 1);

		if (!strcmp(name, "albums_with_cover"))
			with = n;
		else
			json_object_set_new(counts, name, json_integer(n));
		if (!strcmp(name, "albums"))
			albums = n;
	}
	rc = db_finalize(st, rc, "read status");
	if (!rc)
		rc = manga_each_missing(db, count_missing, &missing);
	json_object_set_new(counts, "missing", json_integer(missing));
	if (!covers_enabled())
		albums = with = 0;
	json_object_set_new(counts, "albums_with_cover", json_integer(with));
	json_object_set_new(counts, "albums_without_cover",
			    json_integer(albums - with));
	return rc;
}

static int roots_array(sqlite3 *db, json_t *roots)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "SELECT kind, CAST(path AS TEXT), coalesce((SELECT"
			" files FROM root_totals WHERE root_id = r.id), 0)"
			" FROM roots r ORDER BY id", &st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(roots, json_pack("{s:s, s:o, s:I}",
			"kind", sqlite3_column_text(st, 0),
			"path", json_text((const char *)
					  sqlite3_column_text(st, 1),
					  sqlite3_column_bytes(st, 1)),
			"files", (json_int_t)sqlite3_column_int64(st, 2)));
	return db_finalize(st, rc, "read status");
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

int query_summary(struct strbuf *out)
{
	json_t *counts = NULL, *roots = NULL, *last = NULL;
	json_t *progress = json_null(), *watcher;
	struct indexer_status s;
	sqlite3 *db = reader_begin();
	int rc;

	if (!db)
		return -EIO;
	indexer_status(&s);
	counts = json_object();
	roots = json_array();
	rc = count_rows(db, counts);
	if (!rc)
		rc = roots_array(db, roots);
	if (!rc)
		rc = last_scan(db, &s, &last);
	reader_end(db);
	if (rc) {
		json_decref(counts);
		json_decref(roots);
		json_decref(last);
		return rc;
	}
	if (!strcmp(s.state, "scanning"))
		progress = json_pack("{s:I, s:I}",
			"done", (json_int_t)s.scan.files_seen,
			"total_estimate", (json_int_t)s.scan.total_estimate);
	watcher = watcher_object();
	return json_append(out, json_pack(
		"{s:s, s:I, s:o, s:s, s:b, s:b, s:o, s:o, s:o, s:o, s:o}",
		"version", MEDIAMON_VERSION,
		"uptime_s", (json_int_t)(clock_wall() - s.started_at),
		"started_at", json_time(s.started_at),
		"state", s.state,
		"scan_pending", s.scan_pending,
		"dry_run", s.dry_run,
		"counts", counts,
		"roots", roots,
		"last_scan", last,
		"scan_progress", progress,
		"watcher", watcher));
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

/* The totals over the scans in the store, from the row of its sums, and
 * the failed scans the store could not take (unstored): what dashboards
 * show first. Durations are of the scans in the store. */
static json_t *scan_totals(sqlite3_stmt *st, json_t *last, uint64_t unstored)
{
	int64_t stored = sqlite3_column_int64(st, 0);
	int64_t scans = stored + unstored;
	double succeeded = sqlite3_column_double(st, 1);
	double seen = sqlite3_column_double(st, 3);
	double duration = sqlite3_column_double(st, 4);
	json_t *o, *avg;

	o = json_pack("{s:I, s:I, s:I, s:o, s:I, s:o, s:I}",
		      "scans", (json_int_t)scans,
		      "succeeded", (json_int_t)succeeded,
		      "failed", (json_int_t)(sqlite3_column_double(st, 2) +
					     unstored),
		      "success_rate_pct", scans ?
		      json_num(100.0 * succeeded / scans) : json_null(),
		      "files_indexed", (json_int_t)seen,
		      "avg_files_per_s", json_ratio(seen, duration),
		      "bytes_read", (json_int_t)sqlite3_column_double(st, 5));
	if (!o)
		return NULL;
	avg = stored ? json_num(duration / stored) : json_null();
	add_duration(o, "avg_duration", avg);
	json_decref(avg);
	add_duration(o, "last_duration", json_object_get(last,
							 "duration_s"));
	return o;
}

int query_scan_json(struct strbuf *out)
{
	json_t *last = NULL, *running = json_null(), *totals = NULL;
	struct indexer_status s;
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	indexer_status(&s);
	rc = last_scan(db, &s, &last);
	if (!rc)
		rc = db_prepare(db, "SELECT count(*), total(success = 1),"
				" total(success = 0), total(files_seen),"
				" total(duration_s), total(bytes_read)"
				" FROM scans WHERE success IS NOT NULL", &st);
	if (!rc) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			totals = scan_totals(st, last, s.unstored_failures);
		rc = db_finalize(st, rc, "read status");
	}
	reader_end(db);
	if (rc) {
		json_decref(last);
		json_decref(totals);
		return rc;
	}
	if (!strcmp(s.state, "scanning"))
		running = scan_running(&s);
	return json_append(out, json_pack("{s:o, s:o, s:o}", "last", last,
					  "running", running,
					  "totals", totals ? totals :
					  json_object()));
}

/* A latency figure, or null before the first sample (since the start or
 * the last reset): no change measured is not a change seen at once. */
static json_t *latency(const struct watch_status *w, double ms)
{
	return w->latency_samples ? json_num(ms) : json_null();
}

int query_watch_json(struct strbuf *out)
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
		"{s:b, s:I, s:I, s:i, s:i, s:I, s:o, s:I, s:I,"
		" s:{s:I, s:o, s:o, s:o}, s:o}",
		"enabled", w.enabled,
		"watches", (json_int_t)w.watches,
		"polled_dirs", (json_int_t)w.polled_dirs,
		"debounce_ms", (int)w.debounce_ms,
		"poll_interval_s", (int)w.poll_interval_s,
		"overflows", (json_int_t)w.overflows,
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

struct missing_lines {
	struct strbuf *out;
	const struct query_series_filter *shown;
};

static int missing_line(void *arg, int64_t id, const char *series,
			int volume, const char *series_path)
{
	struct missing_lines *ml = arg;

	(void)series_path;
	if (!query_series_shown(ml->shown, id))
		return 0;
	utf8_add_field(ml->out, series);
	strbuf_addf(ml->out, "\t%d\n", volume);
	return 0;
}

int query_missing(struct strbuf *out, const struct query_series_filter *shown)
{
	struct missing_lines ml = { out, shown };
	sqlite3 *db = reader_begin();
	int rc;

	if (!db)
		return -EIO;
	rc = manga_each_missing(db, missing_line, &ml);
	reader_end(db);
	return rc;
}

/* One line of /status/unparsed: a volume name to rename, and why. */
static int unparsed_line(void *arg, const char *path, const char *reason)
{
	struct strbuf *out = arg;

	utf8_add_field(out, path);
	strbuf_addch(out, '\t');
	strbuf_addstr(out, reason);
	strbuf_addch(out, '\n');
	return 0;
}

int query_unparsed(struct strbuf *out)
{
	sqlite3 *db = reader_begin();
	int rc;

	if (!db)
		return -EIO;
	rc = manga_each_unparsed(db, unparsed_line, out);
	reader_end(db);
	return rc;
}

/* One line of /status/no-cover for an album without any. */
static int no_cover_line(void *arg, const char *artist, const char *album,
			 const char *folder)
{
	struct strbuf *out = arg;

	utf8_add_field(out, artist);
	strbuf_addch(out, '\t');
	utf8_add_field(out, album);
	strbuf_addch(out, '\t');
	utf8_add_field(out, folder);
	strbuf_addch(out, '\n');
	return 0;
}

int query_no_cover(struct strbuf *out)
{
	sqlite3 *db = reader_begin();
	int rc;

	if (!db)
		return -EIO;
	rc = covers_each_uncovered(db, no_cover_line, out);
	reader_end(db);
	return rc;
}

int query_tag_errors(struct strbuf *out)
{
	sqlite3 *db = reader_begin();
	const char *reason;
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	rc = db_prepare(db, "SELECT CAST(r.path AS TEXT) || '/' ||"
			" CAST(f.path AS TEXT), f.tag_error_reason"
			" FROM file_paths f JOIN roots r ON r.id = f.root_id"
			" WHERE f.tag_error ORDER BY r.path, f.path", &st);
	if (rc) {
		reader_end(db);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		reason = (const char *)sqlite3_column_text(st, 1);
		utf8_add_field(out, (const char *)sqlite3_column_text(st, 0));
		strbuf_addch(out, '\t');
		utf8_add_field(out, reason ? reason : "damaged");
		strbuf_addch(out, '\n');
	}
	rc = db_finalize(st, rc, "list tag errors");
	reader_end(db);
	return rc;
}

static int missing_item(void *arg, int64_t id, const char *series,
			int volume, const char *series_path)
{
	json_t *item;

	(void)id;
	item = json_pack("{s:o, s:i, s:o}",
				 "series", json_text(series, strlen(series)),
				 "volume", volume,
				 "series_path", json_text(series_path,
							  strlen(series_path)));

	return item && !json_array_append_new(arg, item) ? 0 : -ENOMEM;
}

int query_missing_json(struct strbuf *out)
{
	json_t *list = json_array();
	sqlite3 *db = reader_begin();
	int rc;

	if (!db) {
		json_decref(list);
		return -EIO;
	}
	rc = manga_each_missing(db, missing_item, list);
	reader_end(db);
	if (rc) {
		json_decref(list);
		return rc;
	}
	return json_append(out, list);
}

/* A scope holds a comma ("all,full"): text fields go through
 * csv_add_field(). */
int query_scan_csv(struct strbuf *out)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	strbuf_addstr(out, "id,trigger,scope,started_at,finished_at,"
		      "duration_s");
	for (size_t i = 0; i < ARRAY_SIZE(scan_counts); i++)
		strbuf_addf(out, ",%s", scan_counts[i].name);
	strbuf_addstr(out, ",files_per_s,mb_per_s,walk_s,parse_s,write_s,"
		      "peak_rss_kb,success\n");
	rc = db_prepare(db, "SELECT " SCAN_COLUMNS " FROM scans WHERE success"
			" IS NOT NULL ORDER BY id", &st);
	if (rc) {
		reader_end(db);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		double duration = sqlite3_column_double(st, SC_DURATION);

		strbuf_addf(out, "%lld,",
			    (long long)sqlite3_column_int64(st, SC_ID));
		csv_add_field(out, (const char *)
			      sqlite3_column_text(st, SC_TRIGGER));
		strbuf_addch(out, ',');
		csv_add_field(out, (const char *)
			      sqlite3_column_text(st, SC_SCOPE));
		strbuf_addch(out, ',');
		db_add_time(out, st, SC_STARTED);
		strbuf_addch(out, ',');
		db_add_time(out, st, SC_FINISHED);
		strbuf_addf(out, ",%.3f", duration);
		for (size_t i = 0; i < ARRAY_SIZE(scan_counts); i++) {
			int col = scan_counts[i].column;

			strbuf_addf(out, ",%lld",
				    (long long)sqlite3_column_int64(st, col));
		}
		strbuf_addf(out, ",%.1f,%.3f,%.3f,%.3f,%.3f,%lld,%d\n",
			    per_second(sqlite3_column_int64(st, SC_SEEN),
				       duration),
			    per_second(sqlite3_column_int64(st, SC_BYTES) /
				       1e6, duration),
			    sqlite3_column_double(st, SC_WALK),
			    sqlite3_column_double(st, SC_PARSE),
			    sqlite3_column_double(st, SC_WRITE),
			    (long long)sqlite3_column_int64(st, SC_RSS),
			    sqlite3_column_int(st, SC_SUCCESS));
	}
	rc = db_finalize(st, rc, "read status");
	reader_end(db);
	return rc;
}

/* The line of the failed scan id: why, when the indexer knows (it ran
 * since the start), and whether it runs again. */
static void scan_failure(struct strbuf *out, int64_t id,
			 const struct indexer_status *s)
{
	strbuf_addf(out, "error: scan %lld did not finish", (long long)id);
	if (s->has_last && s->last.id == id && s->last.error)
		strbuf_addf(out, ": %s", strerror(-s->last.error));
	if (s->scan_retry_in_s > 0)
		strbuf_addf(out, "; it runs again in %.0f s",
			    ceil(s->scan_retry_in_s));
	strbuf_addstr(out, " (see /log)\n");
}

/* The line the last scan leaves in the health file, if any. */
static int last_scan_health(sqlite3 *db, struct strbuf *out,
			    struct strbuf *warn)
{
	struct indexer_status s;
	sqlite3_stmt *st;
	int rc;

	indexer_status(&s);
	if (s.has_last && !s.last.stored) {
		if (!s.last.success)
			strbuf_addstr(out, "error: the last scan did not finish"
				      " (see /log)\n");
		return 0;
	}
	rc = db_prepare(db, "SELECT id, success, io_errors FROM scans WHERE"
			" success IS NOT NULL ORDER BY id DESC LIMIT 1", &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && !sqlite3_column_int(st, 1))
		scan_failure(out, sqlite3_column_int64(st, 0), &s);
	if (rc == SQLITE_ROW && sqlite3_column_int64(st, 2))
		strbuf_addf(warn, "warn: the last scan could not read %lld"
			    " files or directories (see /log)\n",
			    (long long)sqlite3_column_int64(st, 2));
	return db_finalize(st, rc, "read status");
}

/*
 * One line per problem, errors first; "ok" alone when there is none. The
 * file is read most when the store is in trouble: a store that cannot be
 * read is one more line, never a failed read.
 */
int query_health(struct strbuf *out)
{
	struct strbuf warn = STRBUF_INIT;
	struct analysis_worker_status analysis;
	const struct indexer_root *roots;
	struct watch_status watch;
	uint64_t write_errors = writer_errors();
	sqlite3 *db;
	size_t nr;
	int rc;

	roots = indexer_roots(&nr);
	for (size_t i = 0; i < nr; i++)
		if (access(roots[i].path, R_OK | X_OK))
			strbuf_addf(out, "error: %s root %s is not readable:"
				    " %s\n", roots[i].kind, roots[i].path,
				    strerror(errno));
	analysis_worker_status(&analysis);
	if (analysis.threads && analysis.analyser_missing)
		strbuf_addstr(out, "error: analysis: mediamon-analyse not"
			      " found, tracks fail (see /log)\n");
	if (write_errors)
		strbuf_addf(out, "error: %llu records could not be written to"
			    " the database (see /log)\n",
			    (unsigned long long)write_errors);
	watch_status(&watch);
	if (watch.polled_dirs) {
		char every[32];

		config_format_duration(watch.poll_interval_s, every,
				       sizeof(every));
		strbuf_addf(&warn, "warn: inotify watch limit reached, %llu"
			    " directories polled every %s\n",
			    (unsigned long long)watch.polled_dirs, every);
	}
	storefile_health(out, &warn);
	db = reader_begin();
	rc = db ? last_scan_health(db, out, &warn) : -EIO;
	reader_end(db);
	if (!rc)
		rc = query_monitor_health(out, &warn);
	if (!rc)
		rc = query_repair_health(out, &warn);
	if (rc)
		strbuf_addstr(out, "error: store: cannot be read (see /log)\n");
	strbuf_add(out, warn.buf, warn.len);
	strbuf_release(&warn);
	if (!out->len)
		strbuf_addstr(out, "ok\n");
	return 0;
}

