#include "indexer/library/library_stats.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/bytes.h"
#include "common/db.h"
#include "indexer/manga/manga.h"
#include "indexer/store/covers.h"
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

/* Each total by its name in the totals table. */
static int64_t *count_of(struct library_counts *c, const char *name)
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

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i].name))
			return (int64_t *)((char *)c + names[i].offset);
	return NULL;
}

/* The totals are counted by the writer's triggers: no count here reads
 * more than a row. With cover art off, no album has a cover (covers.h). */
int library_stats_counts(struct library_counts *out)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int64_t *n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!db)
		return -EIO;
	rc = db_prepare(db, "SELECT name, n FROM totals", &st);
	if (rc) {
		reader_end(db);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((n = count_of(out, (const char *)
				  sqlite3_column_text(st, 0))))
			*n = sqlite3_column_int64(st, 1);
	rc = db_finalize(st, rc, "read status");
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

int library_stats_each_root(int (*fn)(void *arg, const char *kind,
				      const char *path, size_t len,
				      int64_t files),
			    void *arg)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	rc = db_prepare(db, "SELECT kind, CAST(path AS TEXT), coalesce((SELECT"
			" files FROM root_totals WHERE root_id = r.id), 0)"
			" FROM roots r ORDER BY id", &st);
	if (rc) {
		reader_end(db);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int err = fn(arg, (const char *)sqlite3_column_text(st, 0),
			     (const char *)sqlite3_column_text(st, 1),
			     sqlite3_column_bytes(st, 1),
			     sqlite3_column_int64(st, 2));

		if (err) {
			sqlite3_finalize(st);
			reader_end(db);
			return err;
		}
	}
	rc = db_finalize(st, rc, "read status");
	reader_end(db);
	return rc;
}

/* A text column into a buffer of its own, cut to size. */
static void column_copy(sqlite3_stmt *st, int col, char *buf, size_t size)
{
	const char *text = (const char *)sqlite3_column_text(st, col);

	snprintf(buf, size, "%s", text ? text : "");
}

int library_stats_last_scan(struct library_scan *out, int *found)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	*found = 0;
	if (!db)
		return -EIO;
	rc = db_prepare(db, "SELECT id, trigger, scope, started_at,"
			" finished_at, duration_s,"
			" files_seen, files_new, files_changed,"
			" files_unchanged, files_deleted, tag_errors,"
			" io_errors, bytes_read, walk_s, parse_s, write_s,"
			" peak_rss_kb, success FROM scans WHERE finished_at"
			" IS NOT NULL ORDER BY id DESC LIMIT 1", &st);
	if (rc) {
		reader_end(db);
		return rc;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = 1;
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
		};
		column_copy(st, 1, out->trigger, sizeof(out->trigger));
		column_copy(st, 2, out->scope, sizeof(out->scope));
	}
	rc = db_finalize(st, rc, "read status");
	reader_end(db);
	return rc;
}

int library_stats_scan_totals(struct library_scan_totals *out)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!db)
		return -EIO;
	rc = db_prepare(db, "SELECT count(*), total(success = 1),"
			" total(success = 0), total(files_seen),"
			" total(duration_s), total(bytes_read)"
			" FROM scans WHERE success IS NOT NULL", &st);
	if (rc) {
		reader_end(db);
		return rc;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = (struct library_scan_totals){
			.scans = sqlite3_column_int64(st, 0),
			.succeeded = sqlite3_column_double(st, 1),
			.failed = sqlite3_column_double(st, 2),
			.files_seen = sqlite3_column_double(st, 3),
			.duration_s = sqlite3_column_double(st, 4),
			.bytes_read = sqlite3_column_double(st, 5),
		};
	rc = db_finalize(st, rc, "read status");
	reader_end(db);
	return rc;
}
