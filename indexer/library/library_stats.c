/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The library's figures read from the store for the status files and
 * Prometheus (library_stats.h). It reads only, and no live status.
 */
#include "indexer/library/library_stats.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/bytes.h"
#include "common/db.h"
#include "indexer/manga/manga.h"
#include "indexer/library/covers.h"
#include "indexer/store/reader.h"

/* One more missing volume of a monitored series (manga_each_missing()). */
static int count_missing(void *arg, int64_t id, const char *series,
			 int volume, const char *series_path)
{
	(void)id;
	(void)series;
	(void)volume;
	(void)series_path;
	(*(int64_t *)arg)++;
	return 0;
}

/* A row of totals into the count of its name, if it is one of ours. */
static int count_row(void *arg, sqlite3_stmt *st)
{
	static const struct {
		const char *name;
		size_t offset;
	} names[] = {
#define N(f) { #f, offsetof(struct library_counts, f) }
		N(tracks), N(albums), N(artists), N(files), N(series),
		N(volumes), N(broken_links), N(albums_with_cover),
#undef N
	};
	const char *name = (const char *)sqlite3_column_text(st, 0);

	for (size_t i = 0; name && i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i].name))
			*(int64_t *)((char *)arg + names[i].offset) =
				sqlite3_column_int64(st, 1);
	return 0;
}

/* The totals are counted by the writer's triggers: no count here reads
 * more than a row. With cover art off, no album has a cover (covers.h). */
int library_stats_counts(struct library_counts *out)
{
	sqlite3 *db = reader_begin();
	int rc;

	memset(out, 0, sizeof(*out));
	if (!db)
		return -EIO;
	rc = reader_each("SELECT name, n FROM totals", "read status",
			 count_row, out);
	if (!rc)
		rc = manga_each_missing(db, count_missing, &out->missing);
	reader_end(db);
	if (covers_enabled())
		out->albums_without_cover = out->albums -
			out->albums_with_cover;
	else
		out->albums_with_cover = 0;
	return rc;
}

struct under {
	char *const *roots;
	size_t n;
	int64_t count;
};

/* One more missing volume if its series is one of those given. */
static int count_missing_under(void *arg, int64_t id, const char *series,
			       int volume, const char *series_path)
{
	struct under *u = arg;

	(void)id;
	(void)series;
	(void)volume;
	for (size_t i = 0; i < u->n; i++) {
		if (!strcmp(series_path, u->roots[i])) {
			u->count++;
			break;
		}
	}
	return 0;
}

int library_stats_missing_under(char *const *series, size_t n,
				int64_t *out)
{
	struct under u = { series, n, 0 };
	int rc;

	rc = READER_WITH(db, manga_each_missing(db, count_missing_under, &u));
	*out = u.count;
	return rc;
}

struct roots {
	int (*fn)(void *arg, const char *kind, const char *path, size_t len,
		  int64_t files);
	void *arg;
};

static int root_row(void *arg, sqlite3_stmt *st)
{
	struct roots *r = arg;

	return r->fn(r->arg, (const char *)sqlite3_column_text(st, 0),
		     (const char *)sqlite3_column_text(st, 1),
		     sqlite3_column_bytes(st, 1), sqlite3_column_int64(st, 2));
}

int library_stats_each_root(int (*fn)(void *arg, const char *kind,
				      const char *path, size_t len,
				      int64_t files),
			    void *arg)
{
	struct roots r = { fn, arg };

	return reader_each("SELECT kind, CAST(path AS TEXT), coalesce((SELECT"
			   " files FROM root_totals WHERE root_id = r.id), 0)"
			   " FROM roots r ORDER BY id", "read status",
			   root_row, &r);
}

struct folders {
	int (*fn)(void *arg, const char *dir, int64_t album, int64_t artist,
		  int cover, int64_t n);
	void *arg;
};

static int tracks_of_folder_row(void *arg, sqlite3_stmt *st)
{
	struct folders *f = arg;

	return f->fn(f->arg, (const char *)sqlite3_column_text(st, 0),
		     sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
		     !covers_enabled() ? -1 : sqlite3_column_int(st, 3),
		     sqlite3_column_int64(st, 4));
}

int library_stats_each_folder(int (*fn)(void *arg, const char *dir,
					int64_t album, int64_t artist,
					int cover, int64_t n),
			      void *arg)
{
	struct folders f = { fn, arg };
	int rc;

	rc = reader_each(
		"SELECT CAST(r.path AS TEXT) || CASE WHEN length(d.path)"
		"  THEN '/' || CAST(d.path AS TEXT) ELSE '' END,"
		"  coalesce(t.album_id, 0), coalesce(t.artist_id, 0),"
		"  t.album_id IN (SELECT album_id FROM album_covers), count(*)"
		" FROM tracks t JOIN files f ON f.id = t.file_id"
		" JOIN directories d ON d.id = f.dir_id"
		" JOIN roots r ON r.id = f.root_id"
		" GROUP BY f.dir_id, t.album_id, t.artist_id",
		"read folder counts", tracks_of_folder_row, &f);
	if (rc)
		return rc;
	return reader_each(
		"SELECT CAST(r.path AS TEXT) || '/' || CAST(s.path AS TEXT),"
		"  -1, 0, 0, (SELECT count(*) FROM volumes v"
		"  WHERE v.series_id = s.id)"
		" FROM series s JOIN roots r ON r.id = s.root_id",
		"read series counts", tracks_of_folder_row, &f);
}

/* A text column into a buffer of its own, cut to size. */
static void column_copy(sqlite3_stmt *st, int col, char *buf, size_t size)
{
	const char *text = (const char *)sqlite3_column_text(st, col);

	snprintf(buf, size, "%s", text ? text : "");
}

#define SCAN_COLUMNS \
	"id, trigger, scope, started_at, finished_at, duration_s," \
	" files_seen, files_new, files_changed, files_unchanged," \
	" files_deleted, tag_errors, io_errors, bytes_read, walk_s," \
	" parse_s, write_s, peak_rss_kb, success, cpu_s, first_errors"

/* A row of SCAN_COLUMNS. */
static void scan_from_row(sqlite3_stmt *st, struct library_scan *out)
{
	*out = (struct library_scan){
		.id = sqlite3_column_int64(st, 0),
		.started_at = sqlite3_column_double(st, 3),
		.finished_at = sqlite3_column_double(st, 4),
		.duration_s = sqlite3_column_double(st, 5),
		.files_seen = sqlite3_column_int64(st, 6),
		.files_new = sqlite3_column_int64(st, 7),
		.files_changed = sqlite3_column_int64(st, 8),
		.files_unchanged = sqlite3_column_int64(st, 9),
		.files_deleted = sqlite3_column_int64(st, 10),
		.tag_errors = sqlite3_column_int64(st, 11),
		.io_errors = sqlite3_column_int64(st, 12),
		.bytes_read = sqlite3_column_int64(st, 13),
		.walk_s = sqlite3_column_double(st, 14),
		.parse_s = sqlite3_column_double(st, 15),
		.write_s = sqlite3_column_double(st, 16),
		.peak_rss_kb = sqlite3_column_int64(st, 17),
		.success = sqlite3_column_int(st, 18),
		.cpu_s = sqlite3_column_double(st, 19),
		.first_errors = (const char *)sqlite3_column_text(st, 20),
		.has_started = sqlite3_column_type(st, 3) != SQLITE_NULL,
		.has_finished = sqlite3_column_type(st, 4) != SQLITE_NULL,
	};
	column_copy(st, 1, out->trigger, sizeof(out->trigger));
	column_copy(st, 2, out->scope, sizeof(out->scope));
}

struct last_scan {
	struct library_scan *out;
	int *found;
};

static int last_scan_row(void *arg, sqlite3_stmt *st)
{
	struct last_scan *l = arg;

	*l->found = 1;
	scan_from_row(st, l->out);
	l->out->first_errors = NULL;	/* gone with the statement */
	return 0;
}

/* The newest scan sql (SCAN_COLUMNS of one row) gives, into *out. */
static int last_of(const char *sql, struct library_scan *out, int *found)
{
	struct last_scan l = { out, found };

	memset(out, 0, sizeof(*out));
	*found = 0;
	return reader_each(sql, "read status", last_scan_row, &l);
}

int library_stats_last_scan(struct library_scan *out, int *found)
{
	return last_of("SELECT " SCAN_COLUMNS " FROM scans WHERE finished_at"
		       " IS NOT NULL ORDER BY id DESC LIMIT 1", out, found);
}

int library_stats_last_judged(struct library_scan *out, int *found)
{
	return last_of("SELECT " SCAN_COLUMNS " FROM scans WHERE success"
		       " IS NOT NULL ORDER BY id DESC LIMIT 1", out, found);
}

struct each_scan {
	int (*fn)(void *arg, const struct library_scan *scan);
	void *arg;
};

static int each_scan_row(void *arg, sqlite3_stmt *st)
{
	struct each_scan *e = arg;
	struct library_scan scan;

	scan_from_row(st, &scan);
	return e->fn(e->arg, &scan);
}

int library_stats_each_scan(int (*fn)(void *arg,
				      const struct library_scan *scan),
			    void *arg)
{
	struct each_scan e = { fn, arg };

	return reader_each("SELECT " SCAN_COLUMNS " FROM scans"
			   " WHERE success IS NOT NULL ORDER BY id",
			   "read status", each_scan_row, &e);
}

struct tag_errors {
	int (*fn)(void *arg, const char *path, const char *reason);
	void *arg;
};

static int tag_error_row(void *arg, sqlite3_stmt *st)
{
	struct tag_errors *t = arg;

	return t->fn(t->arg, (const char *)sqlite3_column_text(st, 0),
		     (const char *)sqlite3_column_text(st, 1));
}

int library_stats_each_tag_error(int (*fn)(void *arg, const char *path,
					   const char *reason),
				 void *arg)
{
	struct tag_errors t = { fn, arg };

	return reader_each("SELECT CAST(r.path AS TEXT) || '/' ||"
			   " CAST(f.path AS TEXT), f.tag_error_reason"
			   " FROM file_paths f JOIN roots r"
			   " ON r.id = f.root_id WHERE f.tag_error"
			   " ORDER BY r.path, f.path", "list tag errors",
			   tag_error_row, &t);
}

static int totals_row(void *arg, sqlite3_stmt *st)
{
	*(struct library_scan_totals *)arg = (struct library_scan_totals){
		.scans = sqlite3_column_int64(st, 0),
		.succeeded = sqlite3_column_double(st, 1),
		.failed = sqlite3_column_double(st, 2),
		.files_seen = sqlite3_column_double(st, 3),
		.duration_s = sqlite3_column_double(st, 4),
		.bytes_read = sqlite3_column_double(st, 5),
	};
	return 0;
}

int library_stats_scan_totals(struct library_scan_totals *out)
{
	memset(out, 0, sizeof(*out));
	return reader_each("SELECT count(*), total(success = 1),"
			   " total(success = 0), total(files_seen),"
			   " total(duration_s), total(bytes_read)"
			   " FROM scans WHERE success IS NOT NULL",
			   "read status", totals_row, out);
}
