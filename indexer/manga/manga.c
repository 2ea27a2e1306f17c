/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The manga tables rebuilt from the scan (manga.h): series and
 * volumes from files and folders, the gaps that are missing volumes,
 * and what users set kept. It does no remote request.
 */
#include "indexer/manga/manga.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/manga/manga_gone.h"
#include "indexer/manga/names.h"

/* What makes a folder inside a series folder a volume of images. */
static int is_image(const char *name)
{
	static const char *const exts[] = {
		".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif",
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < ARRAY_SIZE(exts); i++)
		if (!strcasecmp(dot, exts[i]))
			return 1;
	return 0;
}

static const char *kind_name(enum names_kind kind)
{
	switch (kind) {
	case NAMES_VOLUME:
		return "volume";
	case NAMES_CHAPTER:
		return "chapter";
	case NAMES_SPECIAL:
		return "special";
	default:
		return "unknown";
	}
}

struct refresh {
	sqlite3 *db;
	int64_t root_id;
	sqlite3_stmt *series, *add, *unparsed;
	struct names_result parsed;
	struct strbuf series_path, series_name, last_folder;
	int64_t series_id;
};

/* The series row of a series folder, remembered while its files go by
 * (files come sorted by path, so a series' files come together). */
static int series_of(struct refresh *r, const char *path, size_t len)
{
	int rc;

	if (r->series_path.len == len &&
	    !memcmp(r->series_path.buf, path, len))
		return r->series_id ? 0 : -ENOENT;
	strbuf_reset(&r->series_path);
	strbuf_add(&r->series_path, path, len);
	strbuf_reset(&r->series_name);
	strbuf_reset(&r->last_folder);
	r->series_id = 0;
	sqlite3_bind_int64(r->series, 1, r->root_id);
	sqlite3_bind_blob(r->series, 2, path, len, SQLITE_STATIC);
	rc = sqlite3_step(r->series);
	if (rc == SQLITE_ROW) {
		r->series_id = sqlite3_column_int64(r->series, 0);
		strbuf_addstr(&r->series_name,
			      (const char *)sqlite3_column_text(r->series, 1));
	}
	rc = db_rows_end(r->db, rc, "find series");
	sqlite3_reset(r->series);
	if (rc)
		return rc;
	return r->series_id ? 0 : -ENOENT;
}

/* ci_volume is the Volume of the file's ComicInfo.xml when it gave both
 * Series and Volume: it wins over the name. The folder still decides the
 * series, so a volume is never counted in a series it is not filed in. A
 * name that gives no volume has the parser's reason kept beside it; a
 * chapter keeps the volume its name gives ("Vol.1 Ch.5"). */
static int add_volume(struct refresh *r, const char *name, const char *path,
		      size_t len, double ci_volume)
{
	sqlite3_stmt *st = r->add;
	int rc;

	names_parse(name, r->series_name.buf, &r->parsed);
	if (ci_volume > 0) {
		r->parsed.kind = NAMES_VOLUME;
		r->parsed.first = r->parsed.last = ci_volume;
	}
	sqlite3_bind_int64(st, 1, r->series_id);
	sqlite3_bind_text(st, 2, kind_name(r->parsed.kind), -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, r->parsed.first);
	sqlite3_bind_double(st, 4, r->parsed.last);
	sqlite3_bind_blob(st, 5, path, len, SQLITE_STATIC);
	if (r->parsed.kind == NAMES_CHAPTER && r->parsed.has_volume) {
		sqlite3_bind_double(st, 6, r->parsed.volume_first);
		sqlite3_bind_double(st, 7, r->parsed.volume_last);
	} else {
		sqlite3_bind_null(st, 6);
		sqlite3_bind_null(st, 7);
	}
	rc = db_step(st, "add volume");
	if (rc || r->parsed.kind != NAMES_NONE)
		return rc;
	st = r->unparsed;
	sqlite3_bind_text(st, 1, r->parsed.reason, -1, SQLITE_STATIC);
	return db_step(st, "add unparsed");
}

/* Look at one file of a manga root: a volume file right in a series
 * folder, or an image in a folder right in it (that folder is the
 * volume, counted once). Anything else is not a volume. */
static int take_file(struct refresh *r, const char *path, size_t len,
		     double ci_volume)
{
	const char *slash = memchr(path, '/', len), *rest, *slash2;
	struct strbuf name = STRBUF_INIT;
	size_t rlen;
	int rc;

	if (!slash)
		return 0;
	/* A file of no known series is no volume; a failed read fails. */
	rc = series_of(r, path, slash - path);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	rest = slash + 1;
	rlen = len - (rest - path);
	slash2 = memchr(rest, '/', rlen);
	if (!slash2) {
		strbuf_add(&name, rest, rlen);
		if (names_is_volume_file(name.buf))
			rc = add_volume(r, name.buf, path, len, ci_volume);
	} else if (!memchr(slash2 + 1, '/', len - (slash2 + 1 - path))) {
		strbuf_add(&name, slash2 + 1, len - (slash2 + 1 - path));
		if (is_image(name.buf) &&
		    (r->last_folder.len != (size_t)(slash2 - rest) ||
		     memcmp(r->last_folder.buf, rest, slash2 - rest))) {
			strbuf_reset(&r->last_folder);
			strbuf_add(&r->last_folder, rest, slash2 - rest);
			rc = add_volume(r, r->last_folder.buf, path,
					slash2 - path, 0);
		}
	}
	strbuf_release(&name);
	return rc;
}

/* Run one of refresh_root()'s statements, bound to the root and, for
 * one series, to its folder. */
static int run_bound(struct refresh *r, const char *sql, const char *series)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(r->db, rc, sql);
	sqlite3_bind_int64(st, 1, r->root_id);
	if (series)
		sqlite3_bind_blob(st, 2, series, strlen(series), SQLITE_STATIC);
	return db_finalize(st, sqlite3_step(st), sql);
}

/*
 * Series are a root's first-level folders: new ones are added (those
 * that come back with what was kept of them), gone ones kept aside and
 * dropped, kept ones keep what the user set; volumes are rebuilt. With a
 * series folder name, only that series is looked at: a change inside it
 * cannot touch the others.
 */
static int refresh_root(struct refresh *r, const char *series)
{
	static const char *const whole[] = {
		"DELETE FROM series WHERE root_id = ?1 AND path NOT IN"
		" (SELECT path FROM directories WHERE root_id = ?1)",
		"INSERT OR IGNORE INTO series (root_id, path, name)"
		" SELECT root_id, path, CAST(path AS TEXT) FROM directories"
		" WHERE root_id = ?1 AND path != X''"
		" AND instr(path, X'2F') = 0",
		"DELETE FROM volumes WHERE series_id IN"
		" (SELECT id FROM series WHERE root_id = ?1)",
	};
	static const char *const one[] = {
		"DELETE FROM series WHERE root_id = ?1 AND path = ?2 AND NOT"
		" EXISTS (SELECT 1 FROM directories WHERE root_id = ?1"
		" AND path = ?2)",
		"INSERT OR IGNORE INTO series (root_id, path, name)"
		" SELECT root_id, path, CAST(path AS TEXT) FROM directories"
		" WHERE root_id = ?1 AND path = ?2",
		"DELETE FROM volumes WHERE series_id IN"
		" (SELECT id FROM series WHERE root_id = ?1 AND path = ?2)",
	};
	const char *const *steps = series ? one : whole;
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc = 0;

	log_debug("manga: rebuilding %s%s%s of root %lld",
		  series ? "the series \"" : "every series",
		  series ? series : "", series ? "\"" : "",
		  (long long)r->root_id);
	/* the gone dropped, those back given what was kept, the new added */
	rc = run_bound(r, steps[0], series);
	if (!rc)
		rc = manga_gone_restore(r->db, r->root_id, series);
	for (size_t i = 1; !rc && i < 3; i++)
		rc = run_bound(r, steps[i], series);
	if (rc)
		return rc;
	/* A series' files are in its folder and those whose paths sort
	 * between "NAME/" and "NAME0" ('0' follows '/'); they are found by
	 * their folders, which are indexed by root. */
	if (series) {
		strbuf_addf(&from, "%s/", series);
		strbuf_addf(&to, "%s0", series);
	}
	rc = sqlite3_prepare_v2(r->db, "SELECT f.path, CASE WHEN c.series"
				" IS NOT NULL THEN c.volume ELSE 0 END"
				" FROM directories d JOIN file_paths f"
				" ON f.dir_id = d.id LEFT JOIN comicinfo c"
				" ON c.file_id = f.id WHERE d.root_id = ?1"
				" AND (?2 IS NULL OR d.path = ?4"
				" OR (d.path >= ?2 AND d.path < ?3))"
				" ORDER BY f.path", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		rc = db_error(r->db, rc, "list manga files");
		goto out;
	}
	sqlite3_bind_int64(st, 1, r->root_id);
	if (series) {
		sqlite3_bind_blob(st, 2, from.buf, from.len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, to.buf, to.len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, series, strlen(series),
				  SQLITE_STATIC);
	}
	strbuf_reset(&r->series_path);
	r->series_id = 0;
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = take_file(r, sqlite3_column_blob(st, 0),
			       sqlite3_column_bytes(st, 0),
			       sqlite3_column_double(st, 1));
	rc = db_finalize(st, rc, "list manga files");
out:
	strbuf_release(&from);
	strbuf_release(&to);
	return rc;
}

/* manga_gone_keep() for refresh_scopes(). */
static int keep_gone(struct refresh *r, const char *series)
{
	return manga_gone_keep(r->db, r->root_id, series);
}

/* Call fn for what scope names, or every manga root for none. */
static int each_scope(struct refresh *r, const struct manga_scope *scope,
		      size_t nr, int (*fn)(struct refresh *, const char *))
{
	sqlite3_stmt *roots;
	int rc;

	for (size_t i = 0; i < nr; i++) {
		r->root_id = scope[i].root_id;
		rc = fn(r, scope[i].series);
		if (rc)
			return rc;
	}
	if (scope)
		return 0;
	rc = sqlite3_prepare_v2(r->db, "SELECT id FROM roots WHERE kind ="
				" 'manga'", -1, &roots, NULL);
	if (rc != SQLITE_OK)
		return db_error(r->db, rc, "list manga roots");
	while ((rc = sqlite3_step(roots)) == SQLITE_ROW) {
		r->root_id = sqlite3_column_int64(roots, 0);
		rc = fn(r, NULL);
		if (rc)
			break;
	}
	return db_finalize(roots, rc, "list manga roots");
}

/* refresh_root() of a series of another root, for manga_gone_hand_over() */
static int rebuild_series(void *arg, int64_t root_id, const char *series)
{
	struct refresh *r = arg;

	r->root_id = root_id;
	return refresh_root(r, series);
}

/* Whether series of root root_id is within the manga_scopes at arg (no
 * scope: every manga root), for manga_gone_note_twins(). */
static int in_scopes(void *arg, int64_t root_id, const char *series)
{
	const struct manga_scopes *s = arg;

	for (size_t i = 0; i < s->nr; i++)
		if (s->scope[i].root_id == root_id && (!s->scope[i].series ||
		    !strcmp(s->scope[i].series, series)))
			return 1;
	return !s->scope;
}

/* Refresh what scope names, or every manga root for none: every series
 * that left is kept aside first, so that a folder moved to another root
 * finds what was kept of it, whichever root comes first; one an earlier
 * refresh already met there beside it takes it back too. */
static int refresh_scopes(struct refresh *r, const struct manga_scope *scope,
			  size_t nr)
{
	struct manga_scopes in = { scope, nr };
	double since = clock_wall();
	int64_t last = 0;
	int rc = each_scope(r, scope, nr, keep_gone);

	if (!rc)
		rc = manga_gone_last_id(r->db, &last);
	if (!rc)
		rc = each_scope(r, scope, nr, refresh_root);
	if (!rc)
		rc = manga_gone_note_twins(r->db, last, in_scopes, &in);
	return rc ? rc : manga_gone_hand_over(r->db, since, rebuild_series, r);
}

/* A db_transaction() function: manga_refresh() inside it. */
static int refresh_tx(sqlite3 *db, void *arg)
{
	const struct manga_scopes *scopes = arg;
	struct refresh r = {
		.db = db,
		.parsed = NAMES_RESULT_INIT,
		.series_path = STRBUF_INIT,
		.series_name = STRBUF_INIT,
		.last_folder = STRBUF_INIT,
	};
	int rc;

	rc = db_prepare(db, "SELECT id, name FROM series WHERE root_id = ?1"
			" AND path = ?2", &r.series);
	if (!rc)
		rc = db_prepare(db, "INSERT INTO volumes (series_id, kind,"
				" first, last, path, volume_first,"
				" volume_last) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
				" ?7)", &r.add);
	if (!rc)
		rc = db_prepare(db, "INSERT INTO unparsed (volume_id, reason)"
				" VALUES (last_insert_rowid(), ?1)",
				&r.unparsed);
	if (!rc)
		rc = refresh_scopes(&r, scopes ? scopes->scope : NULL,
				    scopes ? scopes->nr : 0);
	sqlite3_finalize(r.series);
	sqlite3_finalize(r.add);
	sqlite3_finalize(r.unparsed);
	names_release(&r.parsed);
	strbuf_release(&r.series_path);
	strbuf_release(&r.series_name);
	strbuf_release(&r.last_folder);
	return rc;
}

int manga_refresh(sqlite3 *db, void *arg)
{
	return db_transaction(db, refresh_tx, arg);
}

size_t manga_gaps(const struct manga_volume *owned, size_t nr, double latest,
		  int *missing, size_t max)
{
	double top = latest;
	size_t n = 0;

	for (size_t i = 0; i < nr; i++)
		if (owned[i].last > top)
			top = owned[i].last;
	if (top > NAMES_MAX_NUMBER)
		top = NAMES_MAX_NUMBER;
	for (int v = 1; v <= (int)floor(top); v++) {
		size_t i;

		for (i = 0; i < nr; i++)
			if (owned[i].first <= v && v <= owned[i].last)
				break;
		if (i < nr)
			continue;
		if (n < max)
			missing[n] = v;
		n++;
	}
	return n;
}

/* A chapter filed under a whole volume, as its name gives them. */
struct chapter {
	double volume, first, last;
};

/* What a series owns: its volumes, and the chapters that may make more
 * (chapters_complete()). */
struct owned {
	struct manga_volume *v;
	size_t nr, alloc;
	struct chapter *c;
	size_t nc, calloc;
};

/* The rows of volumes the store counts for a series: volumes, and, when
 * [manga] volume_from_chapters put 1 in the settings, chapters whose
 * name gives one whole volume. */
#define OWNED_ROWS \
	" AND (v.kind = 'volume' OR (v.kind = 'chapter'" \
	" AND v.volume_first = v.volume_last" \
	" AND v.volume_first = CAST(v.volume_first AS INTEGER)" \
	" AND coalesce((SELECT value FROM settings" \
	" WHERE name = 'volume_from_chapters'), 0)))"

static int owned_add_volume(struct owned *o, const struct manga_volume *v)
{
	struct manga_volume *m = array_grow(o->v, o->nr, &o->alloc,
					    sizeof(*m), 32);

	if (!m)
		return log_error(-ENOMEM, "manga: out of memory");
	o->v = m;
	o->v[o->nr++] = *v;
	return 0;
}

/* Add the row at st's columns col (kind, first, last, volume_first). */
static int owned_add(struct owned *o, sqlite3_stmt *st, int col)
{
	struct manga_volume v;

	const char *kind = (const char *)sqlite3_column_text(st, col);
	double first = sqlite3_column_double(st, col + 1);
	double last = sqlite3_column_double(st, col + 2);

	if (kind && !strcmp(kind, "chapter")) {
		struct chapter *c = array_grow(o->c, o->nc, &o->calloc,
					       sizeof(*c), 32);

		if (!c)
			return log_error(-ENOMEM, "manga: out of memory");
		o->c = c;
		o->c[o->nc++] = (struct chapter){
			sqlite3_column_double(st, col + 3), first, last };
		return 0;
	}
	v = (struct manga_volume){ first, last };
	return owned_add_volume(o, &v);
}

static int cmp_chapter(const void *a, const void *b)
{
	const struct chapter *x = a, *y = b;

	if (x->volume != y->volume)
		return (x->volume > y->volume) - (x->volume < y->volume);
	return (x->first > y->first) - (x->first < y->first);
}

static int cmp_volume(const void *a, const void *b)
{
	const struct manga_volume *x = a, *y = b;

	return (x->first > y->first) - (x->first < y->first);
}

/*
 * No source says how many chapters a volume holds: a volume's chapters
 * are complete when the whole numbers they cover run without a hole from
 * the lowest to the highest seen, and the lowest is 1 (or 0), or follows
 * the highest of the volume before (numbered through the series or
 * anew in each volume). Decimals (10.5, extras) neither fill nor open a
 * hole. Each complete volume becomes one owned.
 */
static int chapters_complete(struct owned *o)
{
	double prev_vol = -1, prev_hi = -1;
	size_t i = 0, j;
	int rc = 0;

	if (o->nc > 1)
		qsort(o->c, o->nc, sizeof(*o->c), cmp_chapter);
	while (!rc && i < o->nc) {
		double vol = o->c[i].volume, lo = -1, next = -1;
		int hole = 0;

		for (j = i; j < o->nc && o->c[j].volume == vol; j++) {
			double a = ceil(o->c[j].first), b = floor(o->c[j].last);

			if (a > b)
				continue;
			if (lo < 0)
				lo = next = a;
			if (a > next)
				hole = 1;
			if (b + 1 > next)
				next = b + 1;
		}
		if (lo >= 0 && !hole && (lo <= 1 || (prev_vol == vol - 1 &&
						     lo == prev_hi + 1))) {
			struct manga_volume v = { vol, vol };

			rc = owned_add_volume(o, &v);
		}
		prev_vol = vol;
		prev_hi = next - 1;
		i = j;
	}
	o->nc = 0;
	if (o->nr > 1)
		qsort(o->v, o->nr, sizeof(*o->v), cmp_volume);
	return rc;
}

static void owned_release(struct owned *o)
{
	free(o->v);
	free(o->c);
	memset(o, 0, sizeof(*o));
}

/* The volumes of one series, gathered while its rows go by. */
struct series_rows {
	int64_t id;
	struct strbuf name, path;
	double latest;
	struct owned o;
};

static int emit_series(struct series_rows *sr,
		       int (*fn)(void *arg, int64_t id, const char *series,
				 int volume, const char *series_path),
		       void *arg)
{
	size_t n;
	int *missing;
	int rc = chapters_complete(&sr->o);

	if (rc)
		return rc;
	n = manga_gaps(sr->o.v, sr->o.nr, sr->latest, NULL, 0);
	if (!n)
		return 0;
	missing = malloc(n * sizeof(*missing));
	if (!missing)
		return log_error(-ENOMEM, "manga: out of memory");
	manga_gaps(sr->o.v, sr->o.nr, sr->latest, missing, n);
	for (size_t i = 0; !rc && i < n; i++)
		rc = fn(arg, sr->id, sr->name.buf, missing[i],
			sr->path.buf);
	free(missing);
	return rc;
}

int manga_each_missing(sqlite3 *db,
		       int (*fn)(void *arg, int64_t id, const char *series,
				 int volume, const char *series_path),
		       void *arg)
{
	struct series_rows sr = {
		.name = STRBUF_INIT,
		.path = STRBUF_INIT,
	};
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db,
		"SELECT s.id, s.name, CAST(r.path AS TEXT) || '/' ||"
		" CAST(s.path AS TEXT), coalesce(s.latest, 0), v.kind,"
		" v.first, v.last, v.volume_first"
		" FROM series s JOIN roots r ON r.id = s.root_id"
		" LEFT JOIN volumes v ON v.series_id = s.id" OWNED_ROWS
		" WHERE s.monitored = 1 ORDER BY s.name, s.id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "list series volumes");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (id != sr.id) {
			if (sr.id && (rc = emit_series(&sr, fn, arg)))
				break;
			sr.id = id;
			sr.o.nr = sr.o.nc = 0;
			strbuf_reset(&sr.name);
			strbuf_addstr(&sr.name,
				      (const char *)sqlite3_column_text(st, 1));
			strbuf_reset(&sr.path);
			strbuf_addstr(&sr.path,
				      (const char *)sqlite3_column_text(st, 2));
			sr.latest = sqlite3_column_double(st, 3);
		}
		if (sqlite3_column_type(st, 4) == SQLITE_NULL)
			continue;
		rc = owned_add(&sr.o, st, 4);
		if (rc)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = sr.id ? emit_series(&sr, fn, arg) : 0;
	else if (rc > 0)
		rc = db_error(db, rc, "list series volumes");
	sqlite3_finalize(st);
	owned_release(&sr.o);
	strbuf_release(&sr.name);
	strbuf_release(&sr.path);
	return rc;
}

int manga_series_volumes(sqlite3 *db, int64_t series,
			 struct manga_volume **v, size_t *nr, double *latest)
{
	struct owned o = { 0 };
	sqlite3_stmt *st;
	int rc, found = 0;

	*v = NULL;
	*nr = 0;
	*latest = 0;
	rc = sqlite3_prepare_v2(db, "SELECT coalesce(s.latest, 0), v.kind,"
		" v.first, v.last, v.volume_first FROM series s"
		" LEFT JOIN volumes v ON v.series_id = s.id" OWNED_ROWS
		" WHERE s.id = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "list series volumes");
	sqlite3_bind_int64(st, 1, series);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		found = 1;
		*latest = sqlite3_column_double(st, 0);
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			continue;
		rc = owned_add(&o, st, 1);
		if (rc)
			break;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE && found)
		rc = chapters_complete(&o);
	else if (rc == SQLITE_DONE)
		rc = -ENOENT;
	else if (rc > 0)
		rc = db_error(db, rc, "list series volumes");
	if (rc) {
		owned_release(&o);
		return rc;
	}
	free(o.c);
	*v = o.v;
	*nr = o.nr;
	return 0;
}

int manga_series_gaps(sqlite3 *db, int64_t series, int **gaps, size_t *n)
{
	struct manga_volume *v;
	double latest;
	size_t nr;
	int rc;

	*gaps = NULL;
	*n = 0;
	rc = manga_series_volumes(db, series, &v, &nr, &latest);
	if (rc)
		return rc;
	*n = manga_gaps(v, nr, latest, NULL, 0);
	if (*n) {
		*gaps = malloc(*n * sizeof(**gaps));
		if (*gaps)
			manga_gaps(v, nr, latest, *gaps, *n);
		else
			rc = -ENOMEM;
	}
	free(v);
	return rc;
}

/* Whether the volume v of series is owned, as status/missing counts:
 * *cache holds the series' volumes while its rows go by. */
static int volume_owned(sqlite3 *db, int64_t series, double v,
			struct owned *cache, int64_t *cached, int *owned)
{
	double latest;
	int rc;

	if (*cached != series) {
		owned_release(cache);
		*cached = 0;
		rc = manga_series_volumes(db, series, &cache->v, &cache->nr,
					  &latest);
		if (rc)
			return rc;
		*cached = series;
	}
	*owned = 0;
	for (size_t i = 0; i < cache->nr; i++)
		if (cache->v[i].first <= v && v <= cache->v[i].last)
			*owned = 1;
	return 0;
}

int manga_each_unparsed(sqlite3 *db,
			int (*fn)(void *arg, const char *path,
				  const char *reason),
			void *arg)
{
	struct strbuf why = STRBUF_INIT;
	struct owned cache = { 0 };
	int64_t cached = 0;
	sqlite3_stmt *st;
	int rc, owned;

	rc = db_prepare(db,
		"SELECT CAST(r.path AS TEXT) || '/' || CAST(v.path AS TEXT),"
		" u.reason, v.series_id, v.first, v.volume_first"
		" FROM volumes v JOIN series s ON s.id = v.series_id"
		" JOIN roots r ON r.id = s.root_id"
		" LEFT JOIN unparsed u ON u.volume_id = v.id"
		" WHERE u.reason IS NOT NULL OR (v.kind = 'chapter'"
		" AND v.volume_first IS NOT NULL) ORDER BY r.path, v.path",
		&st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *reason = (const char *)sqlite3_column_text(st, 1);
		double vol = sqlite3_column_double(st, 4);

		if (!reason) {
			rc = volume_owned(db, sqlite3_column_int64(st, 2), vol,
					  &cache, &cached, &owned);
			if (rc)
				break;
			if (owned)
				continue;
			strbuf_reset(&why);
			strbuf_addf(&why, "chapter %g of volume %g, which is"
				    " missing: a chapter does not fill it",
				    sqlite3_column_double(st, 3), vol);
			reason = why.buf;
		}
		rc = fn(arg, (const char *)sqlite3_column_text(st, 0), reason);
		if (rc)
			break;
	}
	owned_release(&cache);
	strbuf_release(&why);
	return db_finalize(st, rc, "list unparsed volumes");
}

int manga_store_setting(sqlite3 *db, void *setting)
{
	static const char *const sql[] = {
		[MANGA_SET_MONITORED] = "UPDATE series SET monitored = ?2"
					" WHERE id = ?1",
		[MANGA_SET_LATEST] = "UPDATE series SET latest = ?2"
				     " WHERE id = ?1",
		[MANGA_SET_SOURCE] = "UPDATE series SET source = ?2,"
				     " found = '', gone = '' WHERE id = ?1",
		[MANGA_SET_PREFS] = "UPDATE series SET release_prefs = ?2"
				    " WHERE id = ?1",
		[MANGA_SET_EDITION] = "UPDATE series SET edition = ?2,"
				      " found = '' WHERE id = ?1",
	};
	const struct manga_setting *s = setting;
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, sql[s->what], &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, s->series);
	if (s->is_number)
		sqlite3_bind_int64(st, 2, s->number);
	else if (s->text)
		sqlite3_bind_text(st, 2, s->text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	rc = db_finalize(st, sqlite3_step(st), "store a series setting");
	if (rc)
		return rc;
	return sqlite3_changes(db) ? 0 : -ENOENT;
}
