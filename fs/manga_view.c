#include "fs/manga_view.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "fs/caller.h"
#include "fs/control.h"
#include "fs/nodes.h"
#include "indexer/store/reader.h"
#include "fs/render_monitor.h"
#include "indexer/manga/manga.h"
#include "indexer/manga/names.h"
#include "indexer/store/writer.h"

#define SOURCE_MAX 200

static int render_volumes(struct strbuf *out, int64_t series);
static int render_missing(struct strbuf *out, int64_t series);
static int render_monitored(struct strbuf *out, int64_t series);
static int render_latest(struct strbuf *out, int64_t series);
static int render_source(struct strbuf *out, int64_t series);
static int render_status(struct strbuf *out, int64_t series);
static int write_monitored(const char *buf, size_t len, int64_t series);
static int write_latest(const char *buf, size_t len, int64_t series);
static int write_source(const char *buf, size_t len, int64_t series);

static const struct {
	const char *name;
	struct node node;
} series_files[] = {
	{ "volumes", { NODE_FILE, .render_series = render_volumes } },
	{ "missing", { NODE_FILE, .render_series = render_missing } },
	{ "monitored", { NODE_CONTROL, .render_series = render_monitored,
			 .write_series = write_monitored } },
	{ "latest", { NODE_CONTROL, .render_series = render_latest,
		      .write_series = write_latest } },
	{ "source", { NODE_CONTROL, .render_series = render_source,
		      .write_series = write_source } },
	{ "status.json", { NODE_FILE, .render_series = render_status } },
	{ "results.json", { NODE_FILE,
			    .render_series = render_series_results } },
};

#define NR_SERIES_FILES (sizeof(series_files) / sizeof(*series_files))

/*
 * Walk the series in name order with the names the mount gives them: a
 * name met again gets " (2)", " (3)" in id order, so the names are stable
 * while the series stay. fn returns nonzero to stop; that is returned.
 */
static int each_series(int (*fn)(void *arg, const char *name, int64_t id),
		       void *arg)
{
	struct strbuf name = STRBUF_INIT, prev = STRBUF_INIT;
	sqlite3 *db = reader_db();
	sqlite3_stmt *st;
	int rc, dup = 1, stop = 0;

	if (!db)
		return -EIO;
	rc = sqlite3_prepare_v2(db, "SELECT id, name FROM series"
				" ORDER BY name, id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "list series");
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 1);

		dup = !strcmp(n, prev.buf) ? dup + 1 : 1;
		strbuf_reset(&prev);
		strbuf_addstr(&prev, n);
		strbuf_reset(&name);
		strbuf_addstr(&name, n);
		if (dup > 1)
			strbuf_addf(&name, " (%d)", dup);
		stop = fn(arg, name.buf, sqlite3_column_int64(st, 0));
	}
	sqlite3_finalize(st);
	strbuf_release(&name);
	strbuf_release(&prev);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : db_error(db, rc, "list series");
}

struct find {
	const char *name;
	size_t len;
	int64_t id;
};

static int find_one(void *arg, const char *name, int64_t id)
{
	struct find *f = arg;

	if (strlen(name) != f->len || memcmp(name, f->name, f->len))
		return 0;
	f->id = id;
	return 1;
}

/* Whether this thread's caller may list the series' folder on disk: a
 * series it may not is not there for it. */
static int visible(int64_t series)
{
	struct strbuf path = STRBUF_INIT;
	sqlite3 *db;
	int may;

	if (caller_is_owner())
		return 1;
	db = reader_db();
	may = db && !manga_series_folder(db, series, &path) &&
		caller_may_list(path.buf);
	strbuf_release(&path);
	return may;
}

int manga_view_resolve(const char *rel, struct node *out)
{
	const char *slash = strchr(rel, '/');
	struct find f = {
		.name = rel,
		.len = slash ? (size_t)(slash - rel) : strlen(rel),
	};
	int rc = each_series(find_one, &f);

	if (rc < 0)
		return rc;
	if (!f.id || !visible(f.id))
		return -ENOENT;
	if (!slash) {
		*out = (struct node){ .type = NODE_DIR, .dynamic = 1,
				      .series = f.id };
		return 0;
	}
	for (size_t i = 0; i < NR_SERIES_FILES; i++) {
		if (!strcmp(series_files[i].name, slash + 1)) {
			*out = series_files[i].node;
			out->series = f.id;
			return 0;
		}
	}
	return -ENOENT;
}

struct list {
	int (*fn)(const char *name, const struct node *child, void *arg);
	void *arg;
};

static int list_one(void *arg, const char *name, int64_t id)
{
	struct list *l = arg;
	struct node dir = { .type = NODE_DIR, .dynamic = 1, .series = id };

	if (!visible(id))
		return 0;
	return l->fn(name, &dir, l->arg) ? 1 : 0;
}

int manga_view_list(const char *rel,
		    int (*fn)(const char *name, const struct node *child,
			      void *arg),
		    void *arg)
{
	struct list l = { fn, arg };
	struct node dir;
	int rc;

	if (!*rel)
		return each_series(list_one, &l) < 0 ? -EIO : 0;
	rc = manga_view_resolve(rel, &dir);
	if (rc)
		return rc;
	for (size_t i = 0; i < NR_SERIES_FILES; i++) {
		struct node n = series_files[i].node;

		n.series = dir.series;
		if (fn(series_files[i].name, &n, arg))
			break;
	}
	return 0;
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

static int render_volumes(struct strbuf *out, int64_t series)
{
	double *nums, latest;
	size_t n;
	int rc = owned_numbers(series, &nums, &n, &latest);

	for (size_t i = 0; !rc && i < n; i++)
		strbuf_addf(out, "%g\n", nums[i]);
	free(nums);
	return rc;
}

/* The missing volumes of a series; *gaps is malloc'd. */
static int series_gaps(int64_t series, int **gaps, size_t *n)
{
	sqlite3 *db = reader_db();

	*gaps = NULL;
	*n = 0;
	return db ? manga_series_gaps(db, series, gaps, n) : -EIO;
}

static int render_missing(struct strbuf *out, int64_t series)
{
	size_t n;
	int *gaps, rc = series_gaps(series, &gaps, &n);

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
	rc = sqlite3_prepare_v2(db, sql.buf, -1, &st, NULL);
	strbuf_release(&sql);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "read series");
	sqlite3_bind_int64(st, 1, series);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*is_null = sqlite3_column_type(st, 0) == SQLITE_NULL;
		if (!*is_null)
			strbuf_addstr(out, (const char *)
				      sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? -ENOENT : db_error(db, rc, "read series");
}

static int render_line(struct strbuf *out, int64_t series,
		       const char *column)
{
	int is_null, rc = series_column(series, column, out, &is_null);

	if (!rc && out->len)
		strbuf_addch(out, '\n');
	return rc;
}

static int render_monitored(struct strbuf *out, int64_t series)
{
	return render_line(out, series, "monitored");
}

static int render_latest(struct strbuf *out, int64_t series)
{
	return render_line(out, series, "CAST(latest AS INTEGER)");
}

static int render_source(struct strbuf *out, int64_t series)
{
	return render_line(out, series, "nullif(source, '')");
}

struct setting {
	int64_t series;
	const char *sql;	/* UPDATE series SET x = ?2 WHERE id = ?1 */
	const char *text;	/* NULL binds SQL NULL */
	long number;
	int is_number;
};

static int store_setting(sqlite3 *db, void *arg)
{
	const struct setting *s = arg;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, s->sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, s->sql);
	sqlite3_bind_int64(st, 1, s->series);
	if (s->is_number)
		sqlite3_bind_int64(st, 2, s->number);
	else if (s->text)
		sqlite3_bind_text(st, 2, s->text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, s->sql);
	return sqlite3_changes(db) ? 0 : -ENOENT;
}

/* A whole number from lo to hi, written as plain digits. */
static int parse_number(const char *s, long lo, long hi, long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno || *end || *out < lo || *out > hi)
		return -EINVAL;
	return 0;
}

/* A setting that is a whole number from lo to hi; an empty line clears
 * it when may_clear. */
static int write_number(const char *buf, size_t len, int64_t series,
			const char *sql, long lo, long hi, int may_clear)
{
	struct setting s = { .series = series, .sql = sql };
	char text[16];
	int n = control_text(buf, len, text, sizeof(text));

	if (n < 0 || (!n && !may_clear))
		return -EINVAL;
	if (n) {
		s.is_number = 1;
		if (parse_number(text, lo, hi, &s.number))
			return -EINVAL;
	}
	return writer_call_urgent(store_setting, &s);
}

static int write_monitored(const char *buf, size_t len, int64_t series)
{
	return write_number(buf, len, series, "UPDATE series SET monitored ="
			    " ?2 WHERE id = ?1", 0, 1, 0);
}

static int write_latest(const char *buf, size_t len, int64_t series)
{
	return write_number(buf, len, series, "UPDATE series SET latest ="
			    " ?2 WHERE id = ?1", 1, NAMES_MAX_NUMBER, 1);
}

/* A source is a short line of printable UTF-8 text. */
static int write_source(const char *buf, size_t len, int64_t series)
{
	struct setting s = {
		.series = series,
		.sql = "UPDATE series SET source = ?2 WHERE id = ?1",
	};
	char text[SOURCE_MAX + 1];
	int n = control_text(buf, len, text, sizeof(text));
	unsigned int cp;

	if (n < 0)
		return -EINVAL;
	for (int i = 0, k; i < n; i += k) {
		k = utf8_decode((const unsigned char *)text + i, n - i, &cp);
		if (!k || cp < 0x20 || cp == 0x7f)
			return -EINVAL;
	}
	s.text = text;
	return writer_call_urgent(store_setting, &s);
}

/* The files of a series that are not volumes, by kind, for status.json. */
static int others(sqlite3 *db, int64_t series, json_t *doc)
{
	static const char *const kinds[] = { "chapter", "special", "unknown" };
	static const char *const keys[] = { "chapters", "specials",
					    "unparsed" };
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < 3; i++)
		json_object_set_new(doc, keys[i], json_array());
	rc = sqlite3_prepare_v2(db, "SELECT kind, first, CAST(path AS TEXT)"
		" FROM volumes WHERE series_id = ?1 AND kind != 'volume'"
		" ORDER BY kind, first, path", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "list series files");
	sqlite3_bind_int64(st, 1, series);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *path = (const char *)sqlite3_column_text(st, 2);

		for (size_t i = 0; i < 3; i++) {
			json_t *item;

			if (strcmp(kind, kinds[i]))
				continue;
			double num = sqlite3_column_double(st, 1);

			item = json_pack("{s:o, s:o}", "number",
					 num > 0 ? volume_json(num) :
					 json_null(),
					 "file", json_text(path, strlen(path)));
			json_array_append_new(json_object_get(doc, keys[i]),
					      item);
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, rc, "list series files");
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

	for (size_t i = 0; !rc && i < 3; i++) {
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
static int render_status(struct strbuf *out, int64_t series)
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
		rc = series_gaps(series, &gaps, &ng);
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
