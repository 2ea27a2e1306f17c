/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The series whose folders left, kept aside for [general] keep_gone and
 * given back to a folder that returns (manga_gone.h). Owns the
 * "series_gone" table; it must not keep anything when the grace is 0,
 * nor touch a series that is still in the library.
 */
#include "indexer/manga/manga_gone.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"

/* How many rows made beside a twin are remembered for the hand-over. */
#define TWINS_KEPT 64

static long keep_s;

/* Rows a refresh made new while a series of the same folder name in
 * another root, within that refresh, was still there: the only ones a
 * hand-over may take (manga_gone_note_twins()). The oldest gives way. */
static struct twin {
	int64_t id, root_id;
	char *path;
} twins[TWINS_KEPT];
static size_t twins_next;
static pthread_mutex_t twins_lock = PTHREAD_MUTEX_INITIALIZER;

void manga_gone_set_keep(long seconds)
{
	__atomic_store_n(&keep_s, seconds, __ATOMIC_RELAXED);
}

static long keep(void)
{
	return __atomic_load_n(&keep_s, __ATOMIC_RELAXED);
}

/* The columns kept: every column of series but its root and path. */
#define KEPT "id, name, monitored, source, latest, status, last_checked," \
	" release_prefs, published_by, edition, found"

/* Prepare sql, bind ?1 to root_id, ?2 to series (NULL: all) and ?3 to
 * at, and run it. */
static int run(sqlite3 *db, const char *sql, int64_t root_id,
	       const char *series, double at, const char *what)
{
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, root_id);
	if (series)
		sqlite3_bind_blob(st, 2, series, strlen(series), SQLITE_STATIC);
	sqlite3_bind_double(st, 3, at);
	return db_finalize(st, sqlite3_step(st), what);
}

int manga_gone_keep(sqlite3 *db, int64_t root_id, const char *series)
{
	int rc;

	if (keep() <= 0)
		return 0;
	rc = run(db, "INSERT OR REPLACE INTO series_gone (root_id, path, "
		 KEPT ", gone_at) SELECT root_id, path, " KEPT ", ?3"
		 " FROM series WHERE root_id = ?1 AND (?2 IS NULL OR path = ?2)"
		 " AND path NOT IN (SELECT path FROM directories"
		 " WHERE root_id = ?1)", root_id, series, clock_wall(),
		 "keep a gone series");
	if (!rc && sqlite3_changes(db))
		log_info("manga: %d series whose folders left kept aside",
			 sqlite3_changes(db));
	return rc;
}

int manga_gone_restore(sqlite3 *db, int64_t root_id, const char *series)
{
	static const char *const steps[] = {
		/* for each folder, the row kept in this root, else the
		 * latest kept in another; its id unless taken since */
		"INSERT INTO series (root_id, path, " KEPT ") SELECT ?1,"
		" g.path, CASE WHEN EXISTS (SELECT 1 FROM series s WHERE"
		" s.id = g.id) THEN NULL ELSE g.id END, g.name, g.monitored,"
		" g.source, g.latest, g.status, g.last_checked,"
		" g.release_prefs, g.published_by, g.edition,"
		" coalesce(g.found, '') FROM series_gone g"
		" JOIN directories d ON d.root_id = ?1 AND d.path = g.path"
		" WHERE (?2 IS NULL OR g.path = ?2)"
		" AND d.path != X'' AND instr(d.path, X'2F') = 0"
		" AND NOT EXISTS (SELECT 1 FROM series s WHERE"
		" s.root_id = ?1 AND s.path = g.path)"
		" AND g.rowid = (SELECT h.rowid FROM series_gone h"
		" WHERE h.path = g.path ORDER BY h.root_id = ?1 DESC,"
		" h.gone_at DESC LIMIT 1)",
		/* the rows given back go: by their id, or by their place */
		"DELETE FROM series_gone WHERE (?2 IS NULL OR path = ?2)"
		" AND (id IN (SELECT id FROM series WHERE root_id = ?1"
		" AND path = series_gone.path) OR (root_id = ?1 AND path IN"
		" (SELECT path FROM series WHERE root_id = ?1)))",
	};
	int rc = 0, back = 0;

	if (keep() <= 0)
		return 0;
	for (size_t i = 0; !rc && i < ARRAY_SIZE(steps); i++) {
		rc = run(db, steps[i], root_id, series, 0,
			 "give a series back");
		if (!rc && !i)
			back = sqlite3_changes(db);
	}
	if (!rc && back)
		log_info("manga: %d series came back with their settings",
			 back);
	return rc;
}

/* A row made new for a folder while its kept row was still in use. */
struct taken {
	int64_t id, root_id;
	char *series;
};

/* The rows read so far of those manga_gone_hand_over() takes back. */
struct taken_list {
	struct taken *v;
	size_t nr, alloc;
};

static int taken_row(void *arg, sqlite3_stmt *st)
{
	struct taken_list *l = arg;
	struct taken *t = db_add_row((void **)&l->v, &l->nr, &l->alloc,
				     sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->id = sqlite3_column_int64(st, 0);
	t->root_id = sqlite3_column_int64(st, 1);
	t->series = strndup(sqlite3_column_blob(st, 2),
			    sqlite3_column_bytes(st, 2));
	return t->series ? 0 : log_error(-ENOMEM, "manga: out of memory");
}

/* The rows manga_gone_hand_over() takes back, into *out (*nr of them). */
static int list_taken(sqlite3 *db, double since, struct taken **out,
		      size_t *nr)
{
	struct taken_list l = { 0 };
	int rc = db_each(db, "list the series made anew",
			 "SELECT DISTINCT s.id, s.root_id, s.path"
			 " FROM series_gone g JOIN series s"
			 " ON s.path = g.path AND s.root_id != g.root_id"
			 " WHERE g.gone_at >= ?1 AND s.id > g.id"
			 " AND s.last_checked IS NULL AND s.monitored = 1"
			 " AND s.source = '' AND s.found = ''"
			 " AND s.latest IS NULL"
			 " AND coalesce(s.release_prefs, '') = ''"
			 " AND coalesce(s.edition, '') = ''",
			 DB_ARGS(DB_REAL(since)), taken_row, &l);

	*out = l.v;
	*nr = l.nr;
	return rc;
}

int manga_gone_last_id(sqlite3 *db, int64_t *id)
{
	sqlite3_int64 last = 0;
	int rc = db_one_int(db, "read the last series id",
			    "SELECT max(id) FROM series", NULL, 0, &last);

	*id = last;
	return rc;
}

/* Remember the row id of root_id made for path beside its twin. */
static int note_twin(int64_t id, int64_t root_id, const void *path,
		     size_t len)
{
	char *copy = strndup(path, len);
	struct twin *t;

	if (!copy)
		return log_error(-ENOMEM, "manga: out of memory");
	pthread_mutex_lock(&twins_lock);
	t = &twins[twins_next++ % TWINS_KEPT];
	free(t->path);
	*t = (struct twin){ .id = id, .root_id = root_id, .path = copy };
	pthread_mutex_unlock(&twins_lock);
	return 0;
}

/* The caller's scope of manga_gone_note_twins(). */
struct scope {
	int (*in_scope)(void *arg, int64_t root_id, const char *series);
	void *arg;
};

static int twin_row(void *arg, sqlite3_stmt *st)
{
	const struct scope *s = arg;
	const void *path = sqlite3_column_blob(st, 2);
	size_t len = sqlite3_column_bytes(st, 2);
	char *name = strndup(path, len);
	int twin;

	if (!name)
		return log_error(-ENOMEM, "manga: out of memory");
	twin = s->in_scope(s->arg, sqlite3_column_int64(st, 3), name);
	free(name);
	return twin ? note_twin(sqlite3_column_int64(st, 0),
				sqlite3_column_int64(st, 1), path, len) : 0;
}

int manga_gone_note_twins(sqlite3 *db, int64_t after,
			  int (*in_scope)(void *arg, int64_t root_id,
					  const char *series),
			  void *arg)
{
	struct scope s = { in_scope, arg };

	if (keep() <= 0)
		return 0;
	return db_each(db, "list the series made beside a twin",
		       "SELECT s.id, s.root_id, s.path, t.root_id"
		       " FROM series s JOIN series t ON t.path = s.path"
		       " AND t.root_id != s.root_id WHERE s.id > ?1",
		       DB_ARGS(DB_INT(after)), twin_row, &s);
}

/* Whether t was noted by manga_gone_note_twins(); it is forgotten. */
static int take_twin(const struct taken *t)
{
	int found = 0;

	pthread_mutex_lock(&twins_lock);
	for (size_t i = 0; !found && i < TWINS_KEPT; i++) {
		struct twin *w = &twins[i];

		found = w->path && w->id == t->id &&
			w->root_id == t->root_id && !strcmp(w->path, t->series);
		if (found) {
			free(w->path);
			w->path = NULL;
		}
	}
	pthread_mutex_unlock(&twins_lock);
	return found;
}

int manga_gone_hand_over(sqlite3 *db, double since,
			 int (*rebuild)(void *arg, int64_t root_id,
					const char *series),
			 void *arg)
{
	struct taken *v;
	size_t nr;
	int rc;

	if (keep() <= 0)
		return 0;
	rc = list_taken(db, since, &v, &nr);
	for (size_t i = 0; !rc && i < nr; i++) {
		/* one made after its twin had left is another series */
		if (!take_twin(&v[i]))
			continue;
		rc = run(db, "DELETE FROM series WHERE id = ?1", v[i].id, NULL,
			 0, "drop a series made anew");
		if (!rc)
			rc = rebuild(arg, v[i].root_id, v[i].series);
		if (!rc)
			log_info("manga: \"%s\", moved while a scan ran, takes"
				 " back what was kept of it", v[i].series);
	}
	for (size_t i = 0; i < nr; i++)
		free(v[i].series);
	free(v);
	return rc;
}

int manga_gone_prune(sqlite3 *db, double now)
{
	return run(db, "DELETE FROM series_gone WHERE gone_at <= ?3", 0, NULL,
		   now - (double)keep(), "prune the gone series");
}
