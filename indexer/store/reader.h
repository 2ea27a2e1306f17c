/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_READER_H
#define MEDIAMON_READER_H

/*
 * Read connections to the store for the FUSE side: one per FUSE thread,
 * taken on first use and given back when the thread ends, so callbacks
 * never share a connection and never wait for the writer (WAL). Each
 * keeps the statements it prepared through reader_prepare(), so a query
 * asked for every folder of a walk is parsed once per thread. The
 * connection of a thread that ended is kept for the next thread that
 * starts (a few of them: a new HTTP connection's thread then does not
 * read the store's schema again), as it was: its statements, and its
 * temp schema, which no reader should use.
 *
 *	sqlite3_stmt *st;
 *
 *	if (reader_prepare("SELECT path FROM file_paths WHERE id = ?1", &st))
 *		return -EIO;
 *	sqlite3_bind_int64(st, 1, id);
 *	while (sqlite3_step(st) == SQLITE_ROW)
 *		...;
 *	reader_done(st);
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* Set the database file; call once before the FUSE loop starts. */
int reader_init(const char *db_path);

/* This thread's read-only connection, or NULL (logged) if it cannot open. */
sqlite3 *reader_db(void);

/*
 * This thread's connection inside a read transaction, so a document read
 * in several queries is one snapshot; NULL (logged) on failure. End it
 * with reader_end(), which takes NULL too. Inside a transaction already
 * begun (reader_hold()), they join it: the outermost end commits.
 */
sqlite3 *reader_begin(void);
void reader_end(sqlite3 *db);

/*
 * The value of expr (an int), which reads through the connection named
 * db, evaluated between a reader_begin() and its reader_end(); -EIO when
 * the transaction could not begin.
 */
#define READER_WITH(db, expr) ({					\
	sqlite3 *db = reader_begin();					\
	int reader_rc_ = db ? (expr) : -EIO;				\
									\
	reader_end(db);							\
	reader_rc_;							\
})

/*
 * Hold one read transaction across several reads that each begin and
 * end their own, so a file made of them is one snapshot of the store
 * (the Prometheus file). Returns 0 or -EIO (logged); every 0 is paired
 * with a reader_release().
 */
int reader_hold(void);
void reader_release(void);

/*
 * The store's generation (writer_generation()) as it was before this
 * thread's read transaction began: what the transaction reads is of that
 * generation or a later one. UINT64_MAX outside a transaction.
 */
uint64_t reader_generation(void);

/*
 * db_read_rows() in a read transaction of its own on this thread's
 * connection: the rows of sql into *rows (malloc'd, *n rows; the caller
 * frees them whatever this returns). Returns 0 or a negative errno
 * value (logged).
 */
int reader_read_rows(const char *sql, const char *what,
		     int (*fill)(sqlite3_stmt *st, void *row, void *arg),
		     void *arg, void **rows, size_t *n, size_t size);

/*
 * Set *out to this thread's statement for sql (one SQL statement),
 * prepared on its connection the first time and kept, with no parameter
 * bound. The statement stays this thread's: give it back with
 * reader_done() before the callback returns, and never finalize it.
 * Returns 0, -EIO when the connection cannot open, or the error of a
 * failed prepare (logged, with what naming the query).
 */
int reader_prepare(const char *sql, const char *what, sqlite3_stmt **out);

/* reader_prepare() for a query of one id, bound to its ?1. */
int reader_prepare_id(const char *sql, const char *what, int64_t id,
		      sqlite3_stmt **out);

/*
 * Reset st (from reader_prepare()) and clear its parameters, so that it
 * holds no snapshot of the store and no pointer to its caller's data.
 * Takes NULL.
 */
void reader_done(sqlite3_stmt *st);

/*
 * A local statement from reader_prepare() given back (reader_done()) when
 * it goes out of scope, by the rules of common/cleanup.h: declared NULL,
 * never jumped into by a goto.
 *
 *	READER_STMT sqlite3_stmt *st = NULL;
 */
static inline void reader_done_at(sqlite3_stmt **st)
{
	reader_done(*st);
}
#define READER_STMT __attribute__((cleanup(reader_done_at)))

/*
 * Give st back (reader_done()) after a loop over its rows that ended with
 * rc, and return what the loop comes to (db_rows_end()).
 */
int reader_finish(sqlite3_stmt *st, int rc, const char *what);

/*
 * Run sql (one statement, no parameter: reader_prepare()) in a read
 * transaction of its own or in the one the thread holds, and call
 * fn(arg, st) for each row. Stops at fn's nonzero (a negative errno
 * value, or a positive one that only asks to stop) and returns it; else
 * 0 or the error of the query (logged, with what naming it).
 */
int reader_each(const char *sql, const char *what,
		int (*fn)(void *arg, sqlite3_stmt *st), void *arg);

/*
 * reader_each() for sql with parameters: bind(arg, st) binds them first
 * and returns SQLITE_OK or the SQLite error of a bind (logged here, with
 * what).
 */
int reader_each_bound(const char *sql, const char *what,
		      int (*bind)(void *arg, sqlite3_stmt *st),
		      int (*fn)(void *arg, sqlite3_stmt *st), void *arg);

/*
 * Close the calling thread's connection if the store's path has held a
 * new file since it opened (storefile_epoch()), so the next use opens the
 * file there now. Call it where the thread holds no statement: before it
 * takes a request.
 */
void reader_refresh(void);

/* Close the calling thread's connection and its statements, if any. */
void reader_close(void);

/*
 * Close the connections ended threads left, and keep none from now on:
 * call it once the threads that read have stopped, before the writer
 * closes its connection (the last to close removes the WAL).
 */
void reader_stop(void);

/*
 * Make the calling thread's queries fail with -ETIMEDOUT (unlogged: see
 * db_error()) once CLOCK_MONOTONIC passes at (clock_mono() seconds), so
 * that a slow rendering gives its thread back; 0 lifts the deadline.
 * Checked every READER_DEADLINE_STEPS steps of the virtual machine.
 */
#define READER_DEADLINE_STEPS 10000
void reader_deadline(double at);

/*
 * Call fn each time the store moves (writer_on_move(): on the writer
 * thread, once per commit or call), so that a thread sleeps until what
 * readers see changes instead of looking at the generation now and then.
 * fn only wakes its waiter. Returns 0 or a negative errno value (logged).
 */
int reader_on_move(void (*fn)(void));

/* Call fn each time a fault of the store is noted (storefile_on_fault());
 * NULL for none. */
void reader_on_fault(void (*fn)(void));

/* Whether the store is in a fault (storefile_fault()). */
int reader_store_fault(void);

#endif
