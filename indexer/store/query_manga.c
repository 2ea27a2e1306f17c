#include "indexer/store/query_manga.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/db.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "indexer/manga/manga.h"
#include "indexer/store/reader.h"

/* The statement is the thread's kept one: /manga finds a series by its
 * name, so every lookup there walks the series. */
int query_series_each(int (*fn)(void *arg, const char *name, int64_t id),
		      void *arg)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	rc = reader_prepare("SELECT id, name FROM series ORDER BY name, id",
			    "list series", &st);
	if (rc)
		return rc;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);

		stop = fn(arg, name ? name : "", sqlite3_column_int64(st, 0));
	}
	if (stop) {
		reader_done(st);
		return stop;
	}
	return reader_finish(st, rc, "list series");
}

int query_series_shown(const struct query_series_filter *f, int64_t series)
{
	return !f || f->keep(f->arg, series);
}

int query_series_folders(int (*fn)(void *arg, int64_t id, const char *path),
			 void *arg)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	rc = reader_prepare("SELECT s.id, CAST(r.path AS TEXT) || '/' ||"
			    " CAST(s.path AS TEXT) FROM series s"
			    " JOIN roots r ON r.id = s.root_id ORDER BY s.id",
			    "list series folders", &st);
	if (rc)
		return rc;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(st, 1);

		stop = fn(arg, sqlite3_column_int64(st, 0), path ? path : "");
	}
	if (stop) {
		reader_done(st);
		return stop;
	}
	return reader_finish(st, rc, "list series folders");
}

/* Volume numbers as people write them: 5, and 10.5 only when it is. */
static json_t *volume_json(double v)
{
	return v == floor(v) ? json_integer((json_int_t)v) : json_num(v);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The numbers owned: ranges expanded to their whole volumes, decimals
 * as they are, sorted, each once. */
static int owned_numbers(int64_t series, double **nums, size_t *n,
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
			if (k == alloc) {
				size_t m = alloc ? alloc * 2 : 64;
				double *p = realloc(*nums, m * sizeof(*p));

				if (!p) {
					free(v);
					free(*nums);
					*nums = NULL;
					return -ENOMEM;
				}
				*nums = p;
				alloc = m;
			}
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

int query_series_gaps(int64_t series, int **gaps, size_t *n)
{
	sqlite3 *db = reader_db();

	*gaps = NULL;
	*n = 0;
	return db ? manga_series_gaps(db, series, gaps, n) : -EIO;
}

int query_series_volumes(struct strbuf *out, int64_t series)
{
	double *nums, latest;
	size_t n;
	int rc = owned_numbers(series, &nums, &n, &latest);

	for (size_t i = 0; !rc && i < n; i++)
		strbuf_addf(out, "%g\n", nums[i]);
	free(nums);
	return rc;
}

int query_series_missing(struct strbuf *out, int64_t series)
{
	size_t n;
	int *gaps, rc = query_series_gaps(series, &gaps, &n);

	for (size_t i = 0; !rc && i < n; i++)
		strbuf_addf(out, "%d\n", gaps[i]);
	free(gaps);
	return rc;
}

/* Read one column of a series' row into out as text ("" when NULL). */
static int series_column(int64_t series, const char *column,
			 struct strbuf *out, int *is_null)
{
	sqlite3 *db = reader_db();
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	strbuf_addf(&sql, "SELECT %s FROM series WHERE id = ?1", column);
	rc = db_prepare(db, sql.buf, &st);
	strbuf_release(&sql);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, series);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*is_null = sqlite3_column_type(st, 0) == SQLITE_NULL;
		if (!*is_null)
			strbuf_addstr(out, (const char *)
				      sqlite3_column_text(st, 0));
	} else if (rc == SQLITE_DONE) {
		rc = -ENOENT;
	}
	return db_finalize(st, rc, "read series");
}

int query_series_setting(struct strbuf *out, int64_t series,
			 enum query_series_setting which)
{
	static const char *const columns[] = {
		[QUERY_SERIES_MONITORED] = "monitored",
		[QUERY_SERIES_LATEST] = "CAST(latest AS INTEGER)",
		[QUERY_SERIES_SOURCE] = "nullif(source, '')",
		[QUERY_SERIES_PREFS] = "nullif(release_prefs, '')",
	};
	int is_null, rc = series_column(series, columns[which], out,
					&is_null);

	if (!rc && out->len)
		strbuf_addch(out, '\n');
	return rc;
}

/* The files of a series that are not volumes, by kind, for status.json;
 * those whose names give no volume with the parser's reason, chapters
 * with the volume they are in (null when their names give none). */
static int others(sqlite3 *db, int64_t series, json_t *doc)
{
	static const char *const kinds[] = { "chapter", "special", "unknown" };
	static const char *const keys[] = { "chapters", "specials",
					    "unparsed" };
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		json_object_set_new(doc, keys[i], json_array());
	rc = db_prepare(db, "SELECT v.kind, v.first, CAST(v.path AS TEXT),"
			" u.reason, v.volume_first FROM volumes v"
			" LEFT JOIN unparsed u ON u.volume_id = v.id"
			" WHERE v.series_id = ?1 AND v.kind != 'volume'"
			" ORDER BY v.kind, v.first, v.path", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, series);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		double num = sqlite3_column_double(st, 1);
		const char *path = (const char *)sqlite3_column_text(st, 2);
		const char *why = (const char *)sqlite3_column_text(st, 3);

		for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
			json_t *item;

			if (strcmp(kind, kinds[i]))
				continue;
			item = json_pack("{s:o, s:o}", "number",
					 num > 0 ? volume_json(num) :
					 json_null(),
					 "file", json_text(path, strlen(path)));
			if (i == 0)
				json_object_set_new(item, "volume",
					sqlite3_column_type(st, 4) ==
					SQLITE_NULL ? json_null() : volume_json(
					sqlite3_column_double(st, 4)));
			if (i == 2)
				json_object_set_new(item, "reason", why ?
						    json_string(why) :
						    json_null());
			json_array_append_new(json_object_get(doc, keys[i]),
					      item);
		}
	}
	return db_finalize(st, rc, "list series files");
}

/* The series' text columns, as the monitor will fill them in: source,
 * the publication status, and when news of it was last checked. */
static int add_columns(int64_t series, json_t *doc)
{
	static const char *const columns[][2] = {
		{ "source", "source" },
		{ "status", "status" },
		{ "last_checked", "strftime('%Y-%m-%dT%H:%M:%SZ', last_checked,"
		  " 'unixepoch')" },
	};
	int rc = 0;

	for (size_t i = 0; !rc && i < ARRAY_SIZE(columns); i++) {
		struct strbuf v = STRBUF_INIT;
		int is_null = 1;

		rc = series_column(series, columns[i][1], &v, &is_null);
		json_object_set_new(doc, columns[i][0], is_null ? json_null() :
				    json_text(v.buf, v.len));
		strbuf_release(&v);
	}
	return rc;
}

static int build_status(struct strbuf *out, int64_t series);

/* status.json is read in several queries: one read transaction makes it
 * one snapshot. */
int query_series_status(struct strbuf *out, int64_t series)
{
	sqlite3 *db = reader_begin();
	int rc;

	if (!db)
		return -EIO;
	rc = build_status(out, series);
	reader_end(db);
	return rc;
}

static int build_status(struct strbuf *out, int64_t series)
{
	json_t *doc, *vols = json_array(), *gaps_json = json_array();
	struct strbuf name = STRBUF_INIT, path = STRBUF_INIT;
	double *nums = NULL, latest = 0;
	sqlite3 *db = reader_db();
	int *gaps = NULL, is_null, monitored = 0;
	size_t n = 0, ng = 0;
	int rc;

	if (!db)
		rc = -EIO;
	else
		rc = owned_numbers(series, &nums, &n, &latest);
	if (!rc)
		rc = query_series_gaps(series, &gaps, &ng);
	if (!rc)
		rc = series_column(series, "name", &name, &is_null);
	if (!rc)
		rc = series_column(series, "(SELECT CAST(path AS TEXT) FROM"
				   " roots WHERE id = root_id) || '/' ||"
				   " CAST(path AS TEXT)", &path, &is_null);
	if (!rc) {
		struct strbuf m = STRBUF_INIT;

		rc = series_column(series, "monitored", &m, &is_null);
		monitored = m.len && m.buf[0] == '1';
		strbuf_release(&m);
	}
	for (size_t i = 0; !rc && i < n; i++)
		json_array_append_new(vols, volume_json(nums[i]));
	for (size_t i = 0; !rc && i < ng; i++)
		json_array_append_new(gaps_json, json_integer(gaps[i]));
	free(nums);
	free(gaps);
	doc = rc ? NULL : json_pack("{s:o, s:o, s:b, s:o, s:o, s:o}",
		"series", json_text(name.buf, name.len),
		"path", json_text(path.buf, path.len),
		"monitored", monitored,
		"latest", latest > 0 ? json_integer((json_int_t)latest) :
		json_null(),
		"volumes", json_incref(vols),
		"missing", json_incref(gaps_json));
	json_decref(vols);
	json_decref(gaps_json);
	strbuf_release(&name);
	strbuf_release(&path);
	if (rc)
		return rc;
	if (!doc)
		return -ENOMEM;
	rc = add_columns(series, doc);
	if (!rc)
		rc = others(db, series, doc);
	if (rc) {
		json_decref(doc);
		return rc;
	}
	return json_append(out, doc);
}

int query_series_volume_files(int64_t series,
			      int (*fn)(void *arg,
					const struct query_volume *v),
			      void *arg)
{
	sqlite3_stmt *st;
	int rc;

	/* a volume file is right in its series' folder (manga.h) */
	rc = reader_prepare("SELECT f.id, d.id, v.first, v.last, v.path"
		" FROM volumes v JOIN series s ON s.id = v.series_id"
		" LEFT JOIN directories sd ON sd.root_id = s.root_id"
		" AND sd.path = s.path"
		" LEFT JOIN files f ON f.dir_id = sd.id"
		" AND f.name = substr(v.path, length(s.path) + 2)"
		" LEFT JOIN directories d ON d.root_id = s.root_id"
		" AND d.path = v.path"
		" WHERE v.series_id = ?1 AND v.kind = 'volume'"
		" AND (f.id IS NOT NULL OR d.id IS NOT NULL)"
		" ORDER BY v.first, v.last, v.path", "list volumes", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, series);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct query_volume v = {
			.file = sqlite3_column_int64(st, 0),
			.dir = sqlite3_column_int64(st, 1),
			.first = sqlite3_column_double(st, 2),
			.last = sqlite3_column_double(st, 3),
			.path = sqlite3_column_blob(st, 4),
			.path_len = sqlite3_column_bytes(st, 4),
		};
		int stop = fn(arg, &v);

		if (stop) {
			rc = stop;
			break;
		}
	}
	return reader_finish(st, rc, "list volumes");
}

int query_folder_files(int64_t dir,
		       int (*fn)(void *arg, int64_t file, const char *path,
				 size_t len),
		       void *arg)
{
	sqlite3_stmt *st;
	int rc;

	rc = reader_prepare("SELECT id, path FROM file_paths WHERE dir_id = ?1"
			    " ORDER BY name", "list volume folder", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, dir);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int stop = fn(arg, sqlite3_column_int64(st, 0),
			      sqlite3_column_blob(st, 1),
			      sqlite3_column_bytes(st, 1));

		if (stop) {
			rc = stop;
			break;
		}
	}
	return reader_finish(st, rc, "list volume folder");
}
