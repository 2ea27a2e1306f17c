/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The manga series and volumes read for the mount (manga_reads.h), on
 * the calling thread's read connection. It writes nothing.
 */
#include "indexer/manga/manga_reads.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/db.h"
#include "common/log.h"
#include "indexer/manga/manga.h"
#include "indexer/store/reader.h"

/* The statement is the thread's kept one: /manga finds a series by its
 * name, so every lookup there walks the series. */
int manga_reads_missing(int (*fn)(void *arg, int64_t id, const char *series,
				  int volume, const char *series_path),
			void *arg)
{
	return READER_WITH(db, manga_each_missing(db, fn, arg));
}

int manga_reads_unparsed(int (*fn)(void *arg, const char *path,
				   const char *reason),
			 void *arg)
{
	return READER_WITH(db, manga_each_unparsed(db, fn, arg));
}

/* A text column of a series row, "" for NULL. */
static const char *series_text(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t ? t : "";
}

/* The callback of a walk over the series and its arg. */
struct series_walk {
	union {
		int (*each)(void *arg, const char *name, int64_t id);
		int (*named)(void *arg, int64_t id, const char *name,
			     const char *path);
		int (*folder)(void *arg, int64_t id, const char *path);
	};
	void *arg;
};

static int each_row(void *arg, sqlite3_stmt *st)
{
	const struct series_walk *w = arg;

	return w->each(w->arg, series_text(st, 1),
		       sqlite3_column_int64(st, 0));
}

int manga_reads_each(int (*fn)(void *arg, const char *name, int64_t id),
		     void *arg)
{
	struct series_walk w = { .each = fn, .arg = arg };

	return reader_each("SELECT id, name FROM series ORDER BY name, id",
			   "list series", each_row, &w);
}

static int named_row(void *arg, sqlite3_stmt *st)
{
	const struct series_walk *w = arg;

	return w->named(w->arg, sqlite3_column_int64(st, 0),
			series_text(st, 1), series_text(st, 2));
}

int manga_reads_named(int (*fn)(void *arg, int64_t id, const char *name,
				const char *path),
		      void *arg)
{
	struct series_walk w = { .named = fn, .arg = arg };

	return reader_each("SELECT s.id, s.name, CAST(r.path AS TEXT) || '/'"
			   " || CAST(s.path AS TEXT) FROM series s"
			   " JOIN roots r ON r.id = s.root_id",
			   "list series names", named_row, &w);
}

static int folder_row(void *arg, sqlite3_stmt *st)
{
	const struct series_walk *w = arg;

	return w->folder(w->arg, sqlite3_column_int64(st, 0),
			 series_text(st, 1));
}

/* One statement walks them all, so the folders are one snapshot. */
int manga_reads_folders(int (*fn)(void *arg, int64_t id, const char *path),
			void *arg)
{
	struct series_walk w = { .folder = fn, .arg = arg };

	return reader_each("SELECT s.id, CAST(r.path AS TEXT) || '/' ||"
			   " CAST(s.path AS TEXT) FROM series s"
			   " JOIN roots r ON r.id = s.root_id ORDER BY s.id",
			   "list series folders", folder_row, &w);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The gaps are found by manga.c from the same volumes the scan keeps,
 * so the mount shows what the monitor looks for. */
int manga_reads_gaps(int64_t series, int **gaps, size_t *n)
{
	sqlite3 *db = reader_db();

	*gaps = NULL;
	*n = 0;
	return db ? manga_series_gaps(db, series, gaps, n) : -EIO;
}

/* A range 3-5 owns 3, 4 and 5; 2.5-4 owns 3 and 4; a decimal volume
 * alone owns its own number. */
int manga_reads_owned(int64_t series, double **nums, size_t *n,
		      double *latest)
{
	struct manga_volume *v;
	size_t nr, alloc = 0, k = 0;
	sqlite3 *db = reader_db();
	int rc;

	*nums = NULL;
	*n = 0;
	if (!db)
		return -EIO;
	rc = manga_series_volumes(db, series, &v, &nr, latest);
	if (rc)
		return rc;
	for (size_t i = 0; i < nr; i++) {
		double x = v[i].first == v[i].last ? v[i].first :
			ceil(v[i].first);

		for (; x <= v[i].last; x += 1) {
			double *p = array_grow(*nums, k, &alloc, sizeof(*p),
					       64);

			if (!p) {
				free(v);
				free(*nums);
				*nums = NULL;
				return log_error(-ENOMEM, "manga: no memory"
						 " for the volumes of a"
						 " series");
			}
			*nums = p;
			(*nums)[k++] = x;
			if (v[i].first == v[i].last)
				break;
		}
	}
	free(v);
	if (k > 1)	/* no number may mean no array to give qsort() */
		qsort(*nums, k, sizeof(**nums), cmp_double);
	for (size_t i = 0; i < k; i++)
		if (!*n || (*nums)[*n - 1] != (*nums)[i])
			(*nums)[(*n)++] = (*nums)[i];
	return 0;
}

/* A walk over the files of a series' volumes of one kind, or of a
 * volume folder's images. */
struct files_walk {
	int64_t id;
	const char *kind;
	union {
		int (*volume)(void *arg, const struct manga_volume_file *v);
		int (*image)(void *arg, const struct manga_folder_file *f);
	};
	void *arg;
};

static int files_bind(void *arg, sqlite3_stmt *st)
{
	const struct files_walk *w = arg;
	int rc = sqlite3_bind_int64(st, 1, w->id);

	return rc || !w->kind ? rc : db_bind_text(st, 2, w->kind);
}

static int volume_row(void *arg, sqlite3_stmt *st)
{
	const struct files_walk *w = arg;
	struct manga_volume_file v = {
		.file = sqlite3_column_int64(st, 0),
		.dir = sqlite3_column_int64(st, 1),
		.first = sqlite3_column_double(st, 2),
		.last = sqlite3_column_double(st, 3),
		.path = sqlite3_column_blob(st, 4),
		.path_len = sqlite3_column_bytes(st, 4),
		.size = sqlite3_column_int64(st, 5),
		.mtime_ns = sqlite3_column_int64(st, 6),
		.pages = sqlite3_column_int64(st, 7),
		.cover = (const char *)sqlite3_column_text(st, 8),
		.summary = (const char *)sqlite3_column_text(st, 9),
		.writer = (const char *)sqlite3_column_text(st, 10),
		.issued = (const char *)sqlite3_column_text(st, 11),
	};

	return w->volume(w->arg, &v);
}

/* A volume file is right in its series' folder (manga.h); a folder of
 * images is a directory of its own. kind is volumes.kind. */
static int files_of(int64_t series, const char *kind,
		    int (*fn)(void *arg, const struct manga_volume_file *v),
		    void *arg)
{
	struct files_walk w = {
		.id = series, .kind = kind, .volume = fn, .arg = arg,
	};

	return reader_each_bound("SELECT f.id, d.id, v.first, v.last, v.path,"
		" f.size, f.mtime_ns, c.pages, c.cover, c.summary, c.writer,"
		" c.issued FROM volumes v JOIN series s ON s.id = v.series_id"
		" LEFT JOIN directories sd ON sd.root_id = s.root_id"
		" AND sd.path = s.path"
		" LEFT JOIN files f ON f.dir_id = sd.id"
		" AND f.name = substr(v.path, length(s.path) + 2)"
		" LEFT JOIN comicinfo c ON c.file_id = f.id"
		" LEFT JOIN directories d ON d.root_id = s.root_id"
		" AND d.path = v.path"
		" WHERE v.series_id = ?1 AND v.kind = ?2"
		" AND (f.id IS NOT NULL OR d.id IS NOT NULL)"
		" ORDER BY v.first, v.last, v.path", "list volumes",
		files_bind, volume_row, &w);
}

int manga_reads_volume_files(int64_t series,
			     int (*fn)(void *arg,
				       const struct manga_volume_file *v),
			     void *arg)
{
	return files_of(series, "volume", fn, arg);
}

int manga_reads_special_files(int64_t series,
			      int (*fn)(void *arg,
					const struct manga_volume_file *v),
			      void *arg)
{
	return files_of(series, "special", fn, arg);
}

static int image_row(void *arg, sqlite3_stmt *st)
{
	const struct files_walk *w = arg;
	struct manga_folder_file f = {
		.file = sqlite3_column_int64(st, 0),
		.path = sqlite3_column_blob(st, 1),
		.path_len = sqlite3_column_bytes(st, 1),
		.size = sqlite3_column_int64(st, 2),
		.mtime_ns = sqlite3_column_int64(st, 3),
		.dir_mtime_ns = sqlite3_column_int64(st, 4),
		.crc = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 :
		       sqlite3_column_int64(st, 5),
		.inode = sqlite3_column_int64(st, 6),
	};

	return w->image(w->arg, &f);
}

/* The images of a volume folder, in the order a reader turns pages. */
int manga_reads_folder_files(int64_t dir,
			     int (*fn)(void *arg,
				       const struct manga_folder_file *f),
			     void *arg)
{
	struct files_walk w = { .id = dir, .image = fn, .arg = arg };

	return reader_each_bound("SELECT f.id, f.path, f.size, f.mtime_ns,"
				 " d.mtime_ns, f.crc, f.inode FROM file_paths f"
				 " JOIN directories d ON d.id = f.dir_id"
				 " WHERE f.dir_id = ?1 ORDER BY f.name",
				 "list volume folder", files_bind, image_row,
				 &w);
}

/* A folder's id in, its count of files out. */
static int folder_count_bind(void *arg, sqlite3_stmt *st)
{
	return sqlite3_bind_int64(st, 1, *(int64_t *)arg);
}

static int folder_count_row(void *arg, sqlite3_stmt *st)
{
	*(int64_t *)arg = sqlite3_column_int64(st, 0);
	return 0;
}

int manga_reads_folder_count(int64_t dir, int64_t *count)
{
	*count = dir;
	return reader_each_bound("SELECT count(*) FROM files"
				 " WHERE dir_id = ?1", "count volume folder",
				 folder_count_bind, folder_count_row, count);
}

int manga_reads_setting(int64_t series, enum manga_file_setting which,
			char **value)
{
	static const char *const sql[] = {
		[MANGA_SETTING_MONITORED] = "SELECT monitored FROM series"
			" WHERE id = ?1",
		[MANGA_SETTING_LATEST] = "SELECT CAST(latest AS INTEGER)"
			" FROM series WHERE id = ?1",
		[MANGA_SETTING_SOURCE] = "SELECT nullif(source, '')"
			" FROM series WHERE id = ?1",
		[MANGA_SETTING_PREFS] = "SELECT nullif(release_prefs, '')"
			" FROM series WHERE id = ?1",
		[MANGA_SETTING_EDITION] = "SELECT edition FROM series"
			" WHERE id = ?1",
		[MANGA_SETTING_META] = "SELECT json_set(meta, '$.edition',"
			" substr(published_by, instr(published_by, ':') + 1))"
			" FROM series WHERE id = ?1 AND json_valid(meta)",
	};
	sqlite3_stmt *st;
	int rc;

	*value = NULL;
	rc = reader_prepare(sql[which], "read series", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, series);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int err = db_column_strdup(st, 0, NULL, value);

		reader_done(st);
		return err;
	}
	if (rc == SQLITE_DONE) {
		reader_done(st);
		return -ENOENT;
	}
	return reader_finish(st, rc, "read series");
}

/* The texts of a series' own row, and its count of volumes out. */
static const struct db_field status_fields[] = {
	DB_FIELD_OR(struct manga_status, name, 0, ""),
	DB_FIELD_OR(struct manga_status, path, 1, ""),
	DB_FIELD(struct manga_status, source, 3),
	DB_FIELD(struct manga_status, status, 4),
	DB_FIELD(struct manga_status, last_checked, 5),
	DB_FIELD(struct manga_status, edition, 6),
	DB_FIELD(struct manga_status, published_by, 7),
	DB_FIELD_REAL(struct manga_status, published, 8),
	DB_FIELD(struct manga_status, published_record, 9),
	DB_FIELD(struct manga_status, published_line, 10),
	DB_FIELD(struct manga_status, meta, 11),
	DB_FIELD(struct manga_status, found, 12),
};

static int status_fill(sqlite3_stmt *st, void *arg)
{
	const char *monitored = (const char *)sqlite3_column_text(st, 2);
	struct manga_status *s = arg;

	s->monitored = monitored && monitored[0] == '1';
	return db_row_fields(st, s, DB_FIELDS(status_fields));
}

/* The series' own row: its name, folder, and the text columns the
 * monitor fills in. */
static int status_row(sqlite3 *db, int64_t series, struct manga_status *s)
{
	int rc = db_one_row(db, "read series", "SELECT s.name, (SELECT"
			    " CAST(path AS TEXT) FROM roots WHERE id ="
			    " s.root_id) || '/' || CAST(s.path AS TEXT),"
			    " s.monitored, s.source, s.status,"
			    " strftime('%Y-%m-%dT%H:%M:%SZ', s.last_checked,"
			    " 'unixepoch'), s.edition, s.published_by,"
			    " coalesce(s.published, 0), s.published_record,"
			    " s.published_line, s.meta, s.found FROM series s"
			    " WHERE s.id = ?1", DB_ARGS(DB_INT(series)),
			    status_fill, s);

	return rc < 0 ? rc : rc ? 0 : -ENOENT;
}

static const struct db_field other_fields[] = {
	DB_FIELD_REAL(struct manga_other, number, 1),
	DB_FIELD_OR(struct manga_other, path, 2, ""),
	DB_FIELD(struct manga_other, reason, 3),
	DB_FIELD_SET(struct manga_other, has_volume, 4),
	DB_FIELD_REAL(struct manga_other, volume, 4),
};

/* The others of a series read so far. */
struct others_read {
	struct manga_status *s;
	size_t alloc;
};

static int other_row(void *arg, sqlite3_stmt *st)
{
	static const char *const kinds[] = {
		[MANGA_OTHER_CHAPTER] = "chapter",
		[MANGA_OTHER_SPECIAL] = "special",
		[MANGA_OTHER_UNPARSED] = "unknown",
	};
	const char *kind = (const char *)sqlite3_column_text(st, 0);
	struct others_read *r = arg;
	struct manga_other *o;
	int k = 0;

	while (k < MANGA_OTHER_KINDS && strcmp(kind, kinds[k]))
		k++;
	if (k == MANGA_OTHER_KINDS)
		return 0;
	o = db_add_row((void **)&r->s->others, &r->s->nr_others, &r->alloc,
		       sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->kind = k;
	return db_row_fields(st, o, DB_FIELDS(other_fields));
}

/* Chapters, specials and files whose names give no volume, with the
 * parser's reason for the last and the volume of the first. */
static int status_others(sqlite3 *db, int64_t series, struct manga_status *s)
{
	struct others_read r = { s, 0 };

	return db_each(db, "list series files", "SELECT v.kind, v.first,"
		       " CAST(v.path AS TEXT), u.reason, v.volume_first"
		       " FROM volumes v LEFT JOIN unparsed u"
		       " ON u.volume_id = v.id WHERE v.series_id = ?1"
		       " AND v.kind != 'volume' ORDER BY v.kind, v.first,"
		       " v.path", DB_ARGS(DB_INT(series)), other_row, &r);
}

/* status.json is read in several queries: one read transaction makes it
 * one snapshot. */
int manga_reads_status(int64_t series, struct manga_status *s)
{
	sqlite3 *db = reader_begin();
	int rc;

	memset(s, 0, sizeof(*s));
	if (!db)
		return -EIO;
	rc = manga_reads_owned(series, &s->volumes, &s->nr_volumes,
			       &s->latest);
	if (!rc)
		rc = manga_reads_gaps(series, &s->missing, &s->nr_missing);
	if (!rc)
		rc = status_row(db, series, s);
	if (!rc)
		rc = status_others(db, series, s);
	reader_end(db);
	return rc;
}

void manga_status_release(struct manga_status *s)
{
	db_rows_free(s->others, s->nr_others, sizeof(*s->others),
		     DB_FIELDS(other_fields));
	free(s->volumes);
	free(s->missing);
	db_row_fields_free(s, DB_FIELDS(status_fields));
	memset(s, 0, sizeof(*s));
}
