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
#include "indexer/store/query_manga.h"
#include "indexer/store/reader.h"
#include "indexer/store/covers.h"
#include "indexer/store/query_monitor.h"
#include "indexer/store/query_repair.h"
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

