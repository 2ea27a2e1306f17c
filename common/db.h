/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_DB_H
#define MEDIAMON_DB_H

/*
 * SQLite access shared by every part: opening a connection with the
 * settings the daemon relies on, versioned migrations, and error helpers.
 *
 * The database runs in WAL mode so the FUSE side's read connections never
 * wait for the writer. Each connection belongs to one thread at a time.
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

/*
 * SQLite's settings for the whole process: a connection belongs to one
 * thread at a time (no lock of SQLite's own around each call) and no
 * memory statistics (a global lock around each allocation). They take
 * only before SQLite starts: whatever opens a connection calls this
 * first (db_open() does). Returns 0, or -EBUSY (logged once) when SQLite
 * had started without them.
 */
int db_setup(void);

/*
 * Open the database at path. A read-write connection creates the file if
 * needed and switches the journal to WAL; a read-only one expects it to
 * exist. Both get foreign keys and a busy timeout. Returns 0 or a negative
 * errno value (logged).
 */
int db_open(const char *path, int readonly, sqlite3 **out);

/* The SQLite library's version, for --version. */
const char *db_library_version(void);

/*
 * Copy the whole database src has open into a new file name in the
 * folder dirfd (or AT_FDCWD), with SQLite's online backup: what src's
 * committed transactions hold, WAL included. The file is made there
 * (mode 0600, as a store indexes private trees), never through a link
 * nor onto a file already at the name (-EEXIST); SQLite then writes it
 * by the path the kernel gives of it, with no journal, and it must be
 * the same file after (-ESTALE). The copy is one file in rollback mode,
 * with no -wal or -shm beside it. Returns 0 or a negative errno value
 * (logged); a failed copy deletes the file it made.
 */
int db_copy(sqlite3 *src, int dirfd, const char *name);

/* Close a connection, finalizing nothing: statements must be gone. */
void db_close(sqlite3 *db);

/*
 * Bring the schema up to date. steps[i] moves the schema from version i to
 * i + 1 (PRAGMA user_version); each runs in its own transaction, with
 * foreign keys off (so a step may make a table anew: it keeps the rows'
 * ids, and what points at them still does) and temporary files on disk.
 * A database newer than this program knows is refused with -EPROTO.
 */
int db_migrate(sqlite3 *db, const char *const *steps, int nr_steps);

/*
 * fn(db, arg) with SQLite's temporary files on disk, not in memory (the
 * connections' temp_store), then as they were: for work whose sorts or
 * statement journals grow with the store, which in memory would raise the
 * daemon's peak by as much. Returns fn's answer, or -EIO (logged).
 */
int db_with_temp_files(sqlite3 *db, int (*fn)(sqlite3 *db, void *arg),
		       void *arg);

/* Run SQL that returns no rows. Returns 0 or -EIO (logged). */
int db_exec(sqlite3 *db, const char *sql);

/* Prepare a statement meant to be reused. Returns 0 or -EIO (logged). */
int db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out);

/*
 * Bind text s (static for the statement's life) to parameter i, or NULL
 * when s is NULL. Returns what sqlite3_bind_*() returns.
 */
int db_bind_text(sqlite3_stmt *st, int i, const char *s);

/* Bind v to parameter i when set, else NULL (a value not known: a
 * duration of 0, a size of -1). Return what sqlite3_bind_*() returns. */
int db_bind_real_if(sqlite3_stmt *st, int i, int set, double v);
int db_bind_int64_if(sqlite3_stmt *st, int i, int set, int64_t v);

/*
 * Append the len bytes at word to the FTS5 query q as one string (quoted,
 * inner quotes doubled), so that user text is never read as an operator,
 * a column filter or any other FTS5 syntax.
 */
void db_fts_string(struct strbuf *q, const char *word, size_t len);

/*
 * Append column col of st's row to out as an RFC 3339 UTC time (the
 * column holds seconds since the epoch), or nothing when it is NULL: a
 * time column of the CSV files.
 */
void db_add_time(struct strbuf *out, sqlite3_stmt *st, int col);

/* A value bound to a statement's parameter by db_run() and db_one_int(). */
struct db_arg {
	char type;		/* 'i' an integer, 'd' a real, 't' a text */
	union {
		sqlite3_int64 i;
		double d;
		const char *t;	/* NULL binds NULL */
	};
};

#define DB_INT(v) ((struct db_arg){ .type = 'i', .i = (v) })
#define DB_REAL(v) ((struct db_arg){ .type = 'd', .d = (v) })
#define DB_TEXT(v) ((struct db_arg){ .type = 't', .t = (v) })
/* an integer, or NULL for 0 (v is read twice) */
#define DB_INT_OR_NULL(v) ((v) ? DB_INT(v) : DB_TEXT(NULL))
#define DB_ARGS(...) (const struct db_arg[]){ __VA_ARGS__ }, \
	sizeof((const struct db_arg[]){ __VA_ARGS__ }) / sizeof(struct db_arg)

/*
 * Prepare each of the nr statements sql[i] into *st[i], in order,
 * stopping at the first that fails: returns 0 or its error (logged, as
 * db_prepare()). Those prepared are the caller's to finalize, whatever
 * this returns (CLEANUP_STMT locals, common/cleanup.h).
 */
int db_prepare_each(sqlite3 *db, const char *const *sql,
		    sqlite3_stmt **const *st, size_t nr);

/*
 * Bind the nr args to the parameters ?1, ?2, ... of st in order (a
 * statement kept and run again). Returns 0 or a negative errno value
 * (db_error(), logged naming what).
 */
int db_bind_args(sqlite3_stmt *st, const char *what,
		 const struct db_arg *args, size_t nr);

/*
 * Prepare sql into *st and bind the nr args to its parameters ?1, ?2, ...
 * in order (DB_ARGS() below), for the caller to step and finalize.
 * Returns 0 or -EIO (logged, naming what).
 */
int db_prepare_bound(sqlite3 *db, const char *what, const char *sql,
		     const struct db_arg *args, size_t nr, sqlite3_stmt **st);

/*
 * Prepare sql, bind the nr args to its parameters ?1, ?2, ... in order,
 * step it once for a statement whose rows are not wanted (an INSERT, an
 * UPDATE) and finalize it: db_run(db, "what", "UPDATE ...",
 * DB_ARGS(DB_INT(id), DB_TEXT(name))). Returns 0 or -EIO (logged, naming
 * what).
 */
int db_run(sqlite3 *db, const char *what, const char *sql,
	   const struct db_arg *args, size_t nr);

/*
 * Like db_run(), for a query of one integer: the first column of its
 * first row in *out, or 0 when it gives no row or a NULL. A query of no
 * parameter takes NULL, 0 for args and nr.
 */
int db_one_int(sqlite3 *db, const char *what, const char *sql,
	       const struct db_arg *args, size_t nr, sqlite3_int64 *out);

/*
 * For a query of no parameter that asks a yes or no (SELECT EXISTS ...):
 * 1 when its one integer is not 0, 0 when it is 0, NULL or missing, or
 * the negative errno value of db_one_int().
 */
int db_yes(sqlite3 *db, const char *what, const char *sql);

/*
 * Like db_run(), for a query whose rows fn(arg, st) reads one by one.
 * Stops at fn's nonzero (a negative errno value, or a positive one that
 * only asks to stop) and returns it; else 0 or the query's error
 * (logged, naming what).
 */
int db_each(sqlite3 *db, const char *what, const char *sql,
	    const struct db_arg *args, size_t nr,
	    int (*fn)(void *arg, sqlite3_stmt *st), void *arg);

/*
 * Like db_run(), for a query of one row: its first row, when it gives
 * one, read by fill(st, arg), which returns 0 or a negative errno value.
 * Returns 1 when there was a row, 0 when there was none, or a negative
 * errno value (fill()'s, or the query's, logged naming what).
 */
int db_one_row(sqlite3 *db, const char *what, const char *sql,
	       const struct db_arg *args, size_t nr,
	       int (*fill)(sqlite3_stmt *st, void *arg), void *arg);

/*
 * Step st once, for a statement whose rows are not wanted (an INSERT, an
 * UPDATE), and reset it for its next use. Returns 0 or the error (logged,
 * naming what).
 */
int db_step(sqlite3_stmt *st, const char *what);

/*
 * A malloc'd copy of column col of st's row into *out; when the column
 * is NULL, a copy of none, or NULL when none is. Returns 0 or -ENOMEM
 * (logged), for reads that fill structs the caller frees.
 */
int db_column_strdup(sqlite3_stmt *st, int col, const char *none,
		     char **out);

/*
 * A column of a row read into a struct: the column, the offset of the
 * field that holds it, how it is kept (enum db_kind) and, for a text,
 * what a NULL gives (none copied, or NULL). One array of them per row
 * struct serves both its read and its free, so that the two cannot
 * drift: DB_FIELD(struct x, name, 2) (a text), DB_FIELD_OR(struct x,
 * name, 2, ""), DB_FIELD_INT(struct x, count, 3) ... and
 * DB_FIELDS(array). A field of the wrong C type does not compile.
 */
enum db_kind {
	DB_KIND_TEXT,		/* char *, malloc'd */
	DB_KIND_INT,		/* int */
	DB_KIND_INT64,		/* int64_t */
	DB_KIND_REAL,		/* double */
	DB_KIND_REAL_OR_NAN,	/* double, NAN for NULL */
	DB_KIND_COUNT,		/* long long, -1 for NULL */
	DB_KIND_SET,		/* int: 1 when the column is not NULL */
};

struct db_field {
	int col;
	size_t off;
	enum db_kind kind;
	const char *none;
};

#define DB_FIELD_OFF(type, field, ctype) (offsetof(type, field) + 0 * \
	sizeof(char[__builtin_types_compatible_p( \
		__typeof__(((type *)0)->field), ctype) ? 1 : -1]))
#define DB_FIELD_KIND(type, field, column, ctype, kind) \
	{ (column), DB_FIELD_OFF(type, field, ctype), (kind), NULL }
#define DB_FIELD_OR(type, field, column, none) \
	{ (column), DB_FIELD_OFF(type, field, char *), DB_KIND_TEXT, (none) }
#define DB_FIELD(type, field, column) DB_FIELD_OR(type, field, column, NULL)
#define DB_FIELD_INT(type, field, column) \
	DB_FIELD_KIND(type, field, column, int, DB_KIND_INT)
#define DB_FIELD_INT64(type, field, column) \
	DB_FIELD_KIND(type, field, column, int64_t, DB_KIND_INT64)
#define DB_FIELD_REAL(type, field, column) \
	DB_FIELD_KIND(type, field, column, double, DB_KIND_REAL)
#define DB_FIELD_REAL_OR_NAN(type, field, column) \
	DB_FIELD_KIND(type, field, column, double, DB_KIND_REAL_OR_NAN)
#define DB_FIELD_COUNT(type, field, column) \
	DB_FIELD_KIND(type, field, column, long long, DB_KIND_COUNT)
#define DB_FIELD_SET(type, field, column) \
	DB_FIELD_KIND(type, field, column, int, DB_KIND_SET)
#define DB_FIELDS(a) (a), (sizeof(a) / sizeof((a)[0]))

/*
 * The nr columns f names of st's row into their fields of row, the
 * texts copied (db_column_strdup() with each one's none). Returns 0 or
 * -ENOMEM (logged).
 */
int db_row_fields(sqlite3_stmt *st, void *row, const struct db_field *f,
		  size_t nr);

/* Free the text fields among the nr f names of row, not row itself. */
void db_row_fields_free(void *row, const struct db_field *f, size_t nr);

/*
 * Free the text fields f names of each of the n rows of size bytes of
 * the malloc'd array rows, then the array.
 */
void db_rows_free(void *rows, size_t n, size_t size,
		  const struct db_field *f, size_t nr);

/* The fields of a row struct for db_row_fill(): DB_ROW(array). */
struct db_row {
	const struct db_field *f;
	size_t nr;
};

/*
 * A fill for db_read_rows() and reader_read_rows() that reads a row by
 * its struct db_row, passed as arg: db_row_fields().
 */
int db_row_fill(sqlite3_stmt *st, void *row, void *arg);

/* db_row_fill and its arg for the fields of array a. */
#define DB_ROW_FILL(a) \
	db_row_fill, (void *)&(const struct db_row){ DB_FIELDS(a) }

/*
 * Room for one more row of size bytes at the end of the malloc'd array
 * *rows of *n rows (*alloc allocated), zeroed; NULL (logged) when there
 * is no memory.
 */
void *db_add_row(void **rows, size_t *n, size_t *alloc, size_t size);

/*
 * Read the rows of sql on db, each into a zeroed row of size bytes
 * appended to *rows (malloc'd, *n rows; the caller frees them whatever
 * this returns) by fill(st, row, arg). fill returns 0, 1 to drop the row
 * (it kept nothing), or a negative errno value that stops the read and
 * is returned. Returns 0 or a negative errno value (logged, naming
 * what).
 */
int db_read_rows(sqlite3 *db, const char *sql, const char *what,
		 int (*fill)(sqlite3_stmt *st, void *row, void *arg),
		 void *arg, void **rows, size_t *n, size_t size);

/*
 * Run fn(db, arg) in one transaction: committed when fn returns 0, rolled
 * back otherwise. Returns what fn returned, or the error of BEGIN or
 * COMMIT (logged).
 */
int db_transaction(sqlite3 *db, int (*fn)(sqlite3 *db, void *arg),
		   void *arg);

/*
 * What stepping a statement of db that ended with rc comes to: 0 when
 * the rows were read (SQLITE_DONE, or SQLITE_ROW when the caller wanted
 * no more), rc itself when it is a negative errno value (what a row's
 * callback stopped the loop with), else the step's error (logged, naming
 * what). Call it before the statement is reset or finalized, which may
 * clear the connection's message.
 */
int db_rows_end(sqlite3 *db, int rc, const char *what);

/* The same, then finalize st. */
int db_finalize(sqlite3_stmt *st, int rc, const char *what);

/*
 * Log a failed SQLite call with the connection's file and message, naming
 * what was being done, and return the negative errno value that fits rc.
 * A query interrupted (a progress handler's deadline) is no fault: it is
 * -ETIMEDOUT, logged by whoever set the deadline.
 */
int db_error(sqlite3 *db, int rc, const char *what);

/*
 * Have fn(db, rc) called after each failure db_error() logs, so that one
 * module can follow the health of a store whatever met the fault (a full
 * disk, a corrupt page). One hook for the process; NULL removes it.
 */
void db_set_error_hook(void (*fn)(sqlite3 *db, int rc));

#endif
