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
#include "indexer/store/query_repair.h"
#include "indexer/analysis/analysis_worker.h"
#include "indexer/indexer.h"
#include "indexer/manga/manga.h"
#include "indexer/library/watch.h"
#include "indexer/store/storefile.h"
#include "indexer/store/writer.h"

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

