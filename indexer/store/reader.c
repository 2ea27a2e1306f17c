/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The FUSE threads' read connections (reader.h): one per thread, its
 * prepared statements kept, a deadline per request, and those of threads
 * that ended kept for the next. It never writes.
 */
#include "indexer/store/reader.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/db.h"
#include "common/hash.h"
#include "common/log.h"
#include "indexer/store/storefile.h"
#include "indexer/store/writer.h"

/* More than the views and covers ask for, so a walk keeps them all. */
#define READER_STMTS 32
/* Connections of ended threads kept: a burst of HTTP connections (a
 * thread each) finds this many open. */
#define READER_POOL 16

/* A thread's connection and the statements it keeps. */
struct reader {
	sqlite3 *db;
	uint64_t epoch;		/* storefile_epoch() when it opened */
	struct kept {
		uint64_t hash;
		char *sql;
		sqlite3_stmt *st;
		unsigned long used;
	} kept[READER_STMTS];
	unsigned long tick;
	int depth;		/* reader_begin() calls not ended yet */
	uint64_t generation;	/* the store's, read before it began */
};

static const char *reader_path;
static pthread_key_t reader_key;
static __thread double reader_until;
/* The connections of threads that ended, for the threads that start: a
 * new one would read the store's schema again (most of the CPU of a new
 * HTTP connection's first request, docs/PERFORMANCE.md). Closed by
 * reader_stop(). */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct reader *pool[READER_POOL];
static size_t pool_nr;
static int pool_closed;

void reader_deadline(double at)
{
	reader_until = at;
}

/* SQLite's progress handler: nonzero interrupts the query. */
static int past_deadline(void *unused)
{
	(void)unused;
	return reader_until > 0 && clock_mono() > reader_until;
}

/* Statements first: SQLite will not close a connection that has any. */
static void reader_destroy(void *arg)
{
	struct reader *r = arg;

	for (size_t i = 0; i < READER_STMTS; i++) {
		sqlite3_finalize(r->kept[i].st);
		free(r->kept[i].sql);
	}
	db_close(r->db);
	free(r);
}

/* Whether r holds no snapshot: no read begun, no statement stepped and
 * not reset (which holds one too). */
static int reader_idle(struct reader *r)
{
	sqlite3_stmt *st = NULL;

	if (r->depth || !sqlite3_get_autocommit(r->db))
		return 0;
	while ((st = sqlite3_next_stmt(r->db, st)))
		if (sqlite3_stmt_busy(st))
			return 0;
	return 1;
}

/* A thread ends: its connection, its page cache let go, waits for the
 * next thread; unless one of the store's files before, in a read still,
 * past the pool's room or after reader_stop(). */
static void reader_exit(void *arg)
{
	struct reader *r = arg;
	int kept = 0;

	if (r->epoch == storefile_epoch() && reader_idle(r)) {
		sqlite3_db_release_memory(r->db);
		pthread_mutex_lock(&pool_lock);
		if (!pool_closed && pool_nr < READER_POOL) {
			pool[pool_nr++] = r;
			kept = 1;
		}
		pthread_mutex_unlock(&pool_lock);
	}
	if (!kept)
		reader_destroy(r);
}

/* A kept connection of the store's file now, or NULL. */
static struct reader *pool_take(void)
{
	struct reader *r = NULL, *old;

	pthread_mutex_lock(&pool_lock);
	while (!r && pool_nr) {
		r = pool[--pool_nr];
		if (r->epoch != storefile_epoch()) {
			old = r;
			r = NULL;
			pthread_mutex_unlock(&pool_lock);
			reader_destroy(old);
			pthread_mutex_lock(&pool_lock);
		}
	}
	pthread_mutex_unlock(&pool_lock);
	return r;
}

void reader_stop(void)
{
	struct reader *r;

	pthread_mutex_lock(&pool_lock);
	pool_closed = 1;
	pthread_mutex_unlock(&pool_lock);
	while ((r = pool_take()))
		reader_destroy(r);
}

int reader_init(const char *db_path)
{
	int rc = pthread_key_create(&reader_key, reader_exit);

	if (rc)
		return log_error(-rc, "reader: cannot create thread key");
	reader_path = db_path;
	pool_closed = 0;
	return 0;
}

/*
 * fs never writes the store: a statement that would change a table of
 * it (not of temp) is never prepared on a read connection, whose
 * SQLITE_OPEN_READONLY would only make it fail; one is a bug, and
 * aborts (SQLite asks at each prepare, not at each step). SQLite's own
 * tables are its business: a table-valued function (json_each) is
 * declared with an update of sqlite_master that writes nothing.
 */
static int reads_only(void *unused, int action, const char *what,
		      const char *column, const char *dbname,
		      const char *trigger)
{
	(void)unused;
	(void)column;
	(void)trigger;
	if (what && !strncmp(what, "sqlite_", 7))
		return SQLITE_OK;
	switch (action) {
	case SQLITE_INSERT: case SQLITE_UPDATE: case SQLITE_DELETE:
	case SQLITE_CREATE_TABLE: case SQLITE_CREATE_INDEX:
	case SQLITE_CREATE_TRIGGER: case SQLITE_CREATE_VIEW:
	case SQLITE_DROP_TABLE: case SQLITE_DROP_INDEX:
	case SQLITE_DROP_TRIGGER: case SQLITE_DROP_VIEW:
	case SQLITE_ALTER_TABLE: case SQLITE_REINDEX:
		assert(dbname && !strcmp(dbname, "temp"));
	}
	return SQLITE_OK;
}

/* A new reader: its connection opened, or NULL (logged). */
static struct reader *reader_open(void)
{
	struct reader *r = calloc(1, sizeof(*r));

	if (!r) {
		log_error(-ENOMEM, "reader: cannot keep connection");
		return NULL;
	}
	r->epoch = storefile_epoch();
	if (db_open(reader_path, 1, &r->db)) {
		free(r);
		return NULL;
	}
	sqlite3_progress_handler(r->db, READER_DEADLINE_STEPS, past_deadline,
				 NULL);
	sqlite3_set_authorizer(r->db, reads_only, NULL);
	return r;
}

/* The calling thread's reader: on first use, one an ended thread left or
 * a new one. */
static struct reader *reader_get(void)
{
	struct reader *r = pthread_getspecific(reader_key);

	if (r)
		return r;
	r = pool_take();
	if (!r && !(r = reader_open()))
		return NULL;
	if (pthread_setspecific(reader_key, r)) {
		reader_destroy(r);
		log_error(-ENOMEM, "reader: cannot keep connection");
		return NULL;
	}
	return r;
}

sqlite3 *reader_db(void)
{
	struct reader *r = reader_get();

	return r ? r->db : NULL;
}

int reader_finish(sqlite3_stmt *st, int rc, const char *what)
{
	rc = db_rows_end(sqlite3_db_handle(st), rc, what);
	reader_done(st);
	return rc;
}

void reader_refresh(void)
{
	struct reader *r = pthread_getspecific(reader_key);

	if (r && r->epoch != storefile_epoch())
		reader_close();
}

void reader_close(void)
{
	struct reader *r = pthread_getspecific(reader_key);

	if (r) {
		pthread_setspecific(reader_key, NULL);
		reader_destroy(r);
	}
}


/*
 * The slot a new statement takes: a free one, else the one used longest
 * ago. A caller holds its statements only while it runs, and only a few
 * at once, so the oldest is never one still in use.
 */
static struct kept *free_slot(struct reader *r)
{
	struct kept *k = &r->kept[0];

	for (size_t i = 0; i < READER_STMTS; i++) {
		if (!r->kept[i].st)
			return &r->kept[i];
		if (r->kept[i].used < k->used)
			k = &r->kept[i];
	}
	sqlite3_finalize(k->st);
	free(k->sql);
	k->st = NULL;
	k->sql = NULL;
	return k;
}

int reader_prepare(const char *sql, const char *what, sqlite3_stmt **out)
{
	struct reader *r = reader_get();
	uint64_t hash = hash_bytes(sql, strlen(sql));
	struct kept *k;
	int rc;

	if (!r)
		return -EIO;
	for (size_t i = 0; i < READER_STMTS; i++) {
		k = &r->kept[i];
		if (k->st && k->hash == hash && !strcmp(k->sql, sql)) {
			k->used = ++r->tick;
			*out = k->st;
			return 0;
		}
	}
	k = free_slot(r);
	k->sql = strdup(sql);
	if (!k->sql)
		return log_error(-ENOMEM, "reader: cannot keep %s", what);
	rc = sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				&k->st, NULL);
	if (rc != SQLITE_OK) {
		free(k->sql);
		k->sql = NULL;
		k->st = NULL;
		return db_error(r->db, rc, what);
	}
	k->hash = hash;
	k->used = ++r->tick;
	*out = k->st;
	return 0;
}

int reader_prepare_id(const char *sql, const char *what, int64_t id,
		      sqlite3_stmt **out)
{
	int rc = reader_prepare(sql, what, out);

	if (!rc)
		sqlite3_bind_int64(*out, 1, id);
	return rc;
}

void reader_done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* Run one of the kept statements that take and leave a snapshot. */
static int run_kept(const char *sql, sqlite3 **db)
{
	sqlite3_stmt *st;
	int rc = reader_prepare(sql, sql, &st);

	if (rc)
		return rc;
	*db = sqlite3_db_handle(st);
	rc = sqlite3_step(st);
	reader_done(st);
	return rc == SQLITE_DONE ? 0 : db_error(*db, rc, sql);
}

sqlite3 *reader_begin(void)
{
	struct reader *r = reader_get();
	uint64_t gen;
	sqlite3 *db;

	if (!r)
		return NULL;
	if (r->depth) {
		r->depth++;
		return r->db;
	}
	gen = writer_generation();
	if (run_kept("BEGIN", &db))
		return NULL;
	r->depth = 1;
	r->generation = gen;
	return db;
}

void reader_end(sqlite3 *db)
{
	struct reader *r = pthread_getspecific(reader_key);

	if (!db || !r || !r->depth || --r->depth)
		return;
	run_kept("COMMIT", &db);
}

int reader_each_bound(const char *sql, const char *what,
		      int (*bind)(void *arg, sqlite3_stmt *st),
		      int (*fn)(void *arg, sqlite3_stmt *st), void *arg)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	rc = reader_prepare(sql, what, &st);
	if (!rc) {
		int stop = 0;

		rc = bind ? bind(arg, st) : SQLITE_OK;
		while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			if ((stop = fn(arg, st)))
				break;
			rc = 0;
		}
		rc = reader_finish(st, rc, what);
		if (stop)
			rc = stop;
	}
	reader_end(db);
	return rc;
}

int reader_each(const char *sql, const char *what,
		int (*fn)(void *arg, sqlite3_stmt *st), void *arg)
{
	return reader_each_bound(sql, what, NULL, fn, arg);
}

uint64_t reader_generation(void)
{
	struct reader *r = pthread_getspecific(reader_key);

	return r && r->depth ? r->generation : UINT64_MAX;
}

int reader_hold(void)
{
	return reader_begin() ? 0 : -EIO;
}

void reader_release(void)
{
	reader_end(reader_db());
}

int reader_read_rows(const char *sql, const char *what,
		     int (*fill)(sqlite3_stmt *st, void *row, void *arg),
		     void *arg, void **rows, size_t *n, size_t size)
{
	sqlite3 *db = reader_begin();
	int rc;

	*rows = NULL;
	*n = 0;
	if (!db)
		return -EIO;
	rc = db_read_rows(db, sql, what, fill, arg, rows, n, size);
	reader_end(db);
	return rc;
}

int reader_on_move(void (*fn)(void))
{
	return writer_on_move(fn);
}

void reader_on_fault(void (*fn)(void))
{
	storefile_on_fault(fn);
}

int reader_store_fault(void)
{
	return storefile_fault() != STOREFILE_OK;
}
