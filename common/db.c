/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * SQLite connections as every part opens them (db.h): the pragmas,
 * busy handling, migrations and error text. It must hold no schema of
 * its own (indexer/store owns it) and no connection between threads.
 */
#include "common/db.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/array.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/symlinks.h"

/* The file a connection has open, for messages: a line about a store
 * that failed is of little use without it. */
static const char *db_name(sqlite3 *db)
{
	const char *name = db ? sqlite3_db_filename(db, "main") : NULL;

	return name && *name ? name : "(in memory)";
}

static void (*error_hook)(sqlite3 *db, int rc);

void db_set_error_hook(void (*fn)(sqlite3 *db, int rc))
{
	__atomic_store_n(&error_hook, fn, __ATOMIC_RELEASE);
}

int db_error(sqlite3 *db, int rc, const char *what)
{
	void (*hook)(sqlite3 *, int) = __atomic_load_n(&error_hook,
						       __ATOMIC_ACQUIRE);
	int code;

	if ((rc & 0xff) == SQLITE_INTERRUPT)
		return -ETIMEDOUT;
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		code = -ENOMEM;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = -EBUSY;
		break;
	case SQLITE_FULL:
		code = -ENOSPC;
		break;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		code = -EACCES;
		break;
	case SQLITE_CANTOPEN:
		code = -ENOENT;
		break;
	default:
		code = -EIO;
	}
	log_error(code, "database %s: %s: %s", db_name(db), what,
		  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	if (hook)
		hook(db, rc);
	return code;
}

int db_rows_end(sqlite3 *db, int rc, const char *what)
{
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	return rc < 0 ? rc : db_error(db, rc, what);
}

int db_step(sqlite3_stmt *st, const char *what)
{
	int rc = db_rows_end(sqlite3_db_handle(st), sqlite3_step(st), what);

	sqlite3_reset(st);
	return rc;
}

int db_finalize(sqlite3_stmt *st, int rc, const char *what)
{
	rc = db_rows_end(sqlite3_db_handle(st), rc, what);
	sqlite3_finalize(st);
	return rc;
}

/* sql prepared into *st with the nr args bound; what names it in the
 * log. */
int db_prepare_each(sqlite3 *db, const char *const *sql,
		    sqlite3_stmt **const *st, size_t nr)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < nr; i++)
		rc = db_prepare(db, sql[i], st[i]);
	return rc;
}

int db_bind_args(sqlite3_stmt *st, const char *what,
		 const struct db_arg *args, size_t nr)
{
	int rc = SQLITE_OK;

	for (size_t i = 0; rc == SQLITE_OK && i < nr; i++) {
		if (args[i].type == 'i')
			rc = sqlite3_bind_int64(st, i + 1, args[i].i);
		else if (args[i].type == 'd')
			rc = sqlite3_bind_double(st, i + 1, args[i].d);
		else
			rc = db_bind_text(st, i + 1, args[i].t);
	}
	return rc == SQLITE_OK ? 0 : db_error(sqlite3_db_handle(st), rc, what);
}

int db_prepare_bound(sqlite3 *db, const char *what, const char *sql,
		     const struct db_arg *args, size_t nr, sqlite3_stmt **st)
{
	int rc = db_prepare(db, sql, st);

	if (!rc)
		rc = db_bind_args(*st, what, args, nr);
	if (rc && *st) {
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return rc;
}

int db_run(sqlite3 *db, const char *what, const char *sql,
	   const struct db_arg *args, size_t nr)
{
	sqlite3_stmt *st;
	int rc = db_prepare_bound(db, what, sql, args, nr, &st);

	return rc ? rc : db_finalize(st, sqlite3_step(st), what);
}

int db_each(sqlite3 *db, const char *what, const char *sql,
	    const struct db_arg *args, size_t nr,
	    int (*fn)(void *arg, sqlite3_stmt *st), void *arg)
{
	sqlite3_stmt *st;
	int rc = db_prepare_bound(db, what, sql, args, nr, &st), stop = 0;

	if (rc)
		return rc;
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn(arg, st);
	rc = db_finalize(st, rc, what);
	return stop ? stop : rc;
}

/* The fill of db_one_row() and its arg, for db_each(). */
struct one_row {
	int (*fill)(sqlite3_stmt *st, void *arg);
	void *arg;
};

/* The first row, then a stop. */
static int first_row(void *arg, sqlite3_stmt *st)
{
	const struct one_row *o = arg;
	int rc = o->fill(st, o->arg);

	return rc ? rc : 1;
}

int db_one_row(sqlite3 *db, const char *what, const char *sql,
	       const struct db_arg *args, size_t nr,
	       int (*fill)(sqlite3_stmt *st, void *arg), void *arg)
{
	struct one_row o = { fill, arg };

	return db_each(db, what, sql, args, nr, first_row, &o);
}

static int first_int(sqlite3_stmt *st, void *arg)
{
	sqlite3_int64 *out = arg;

	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		*out = sqlite3_column_int64(st, 0);
	return 0;
}

int db_one_int(sqlite3 *db, const char *what, const char *sql,
	       const struct db_arg *args, size_t nr, sqlite3_int64 *out)
{
	int rc;

	*out = 0;
	rc = db_one_row(db, what, sql, args, nr, first_int, out);
	return rc < 0 ? rc : 0;
}

int db_yes(sqlite3 *db, const char *what, const char *sql)
{
	sqlite3_int64 v;
	int rc = db_one_int(db, what, sql, NULL, 0, &v);

	return rc ? rc : v != 0;
}

/* A failed ROLLBACK leaves nothing to do: SQLite rolls back by itself
 * when it cannot go on, and the next BEGIN would tell. */
int db_transaction(sqlite3 *db, int (*fn)(sqlite3 *db, void *arg),
		   void *arg)
{
	int rc = db_exec(db, "BEGIN");

	if (rc)
		return rc;
	rc = fn(db, arg);
	if (!rc)
		rc = db_exec(db, "COMMIT");
	if (rc)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int db_exec(sqlite3 *db, const char *sql)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_error(db, rc, sql);
}

int db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				    out, NULL);

	return rc == SQLITE_OK ? 0 : db_error(db, rc, sql);
}

static int setup_rc;

/* Every connection belongs to one thread at a time, so SQLite's locks
 * buy nothing: one around each call of a connection, and for its memory
 * statistics one around every allocation (docs/PERFORMANCE.md). */
static void configure(void)
{
	if (sqlite3_config(SQLITE_CONFIG_MULTITHREAD) != SQLITE_OK ||
	    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
		setup_rc = log_error(-EBUSY, "database: SQLite started before"
				     " its settings were made: it locks"
				     " around each call and each"
				     " allocation");
}

int db_setup(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, configure);
	return setup_rc;
}

int db_open(const char *path, int readonly, sqlite3 **out)
{
	int flags = SQLITE_OPEN_NOMUTEX;
	sqlite3 *db;
	int rc;

	db_setup();
	flags |= readonly ? SQLITE_OPEN_READONLY :
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &db, flags, NULL);
	if (rc != SQLITE_OK) {
		int err = log_error(-EIO, "database %s: cannot open: %s", path,
				    db ? sqlite3_errmsg(db) :
					 sqlite3_errstr(rc));
		sqlite3_close(db);
		return err;
	}
	sqlite3_busy_timeout(db, 5000);
	/* The writer keeps 8 MB of pages; readers, one per FUSE thread and
	 * mostly reading a page once, keep 2 MB so their sum stays small. */
	rc = db_exec(db, "PRAGMA foreign_keys = ON;"
			 "PRAGMA temp_store = MEMORY;");
	if (!rc)
		rc = db_exec(db, readonly ? "PRAGMA cache_size = -2000;" :
			     "PRAGMA cache_size = -8000;"
			     "PRAGMA journal_mode = WAL;"
			     "PRAGMA synchronous = NORMAL;");
	if (rc) {
		sqlite3_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

const char *db_library_version(void)
{
	return sqlite3_libversion();
}

/* The header's file format bytes (18 and 19): 1 is a rollback journal's,
 * 2 WAL's. */
#define DB_FORMAT_AT 18

/* Copy src into the empty file at to with SQLite's backup, with no
 * journal: a failed copy is deleted whole, and no file is made beside
 * it (where a name put there by another could be opened). */
static int copy_pages(sqlite3 *src, const char *to)
{
	sqlite3_backup *b;
	sqlite3 *dst;
	int rc;

	db_setup();
	rc = sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		rc = log_error(-EIO, "database %s: cannot open: %s", to,
			       dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		sqlite3_close(dst);
		return rc;
	}
	rc = db_exec(dst, "PRAGMA journal_mode = OFF");
	b = rc ? NULL : sqlite3_backup_init(dst, "main", src, "main");
	if (!rc && !b) {
		rc = db_error(dst, sqlite3_errcode(dst), "copy: start");
	} else if (!rc) {
		rc = sqlite3_backup_step(b, -1);
		sqlite3_backup_finish(b);
		rc = rc == SQLITE_DONE ? 0 : db_error(dst, rc, "copy");
	}
	if (sqlite3_close(dst) != SQLITE_OK && !rc)
		rc = db_error(dst, sqlite3_errcode(dst), "copy: close");
	return rc;
}

/*
 * The copy in rollback mode: its pages came with src's WAL mode, which
 * would have its first reader make a -wal and a -shm beside it. Set in
 * the header, where SQLite keeps it, so that SQLite makes none here.
 */
static int rollback_mode(int fd, const char *to)
{
	static const unsigned char rollback[2] = { 1, 1 };

	if (pwrite(fd, rollback, sizeof(rollback), DB_FORMAT_AT) !=
	    (ssize_t)sizeof(rollback) || fsync(fd))
		return log_error(-errno, "database %s: cannot write: %s", to,
				 strerror(errno));
	return 0;
}

/* Whether the name in dirfd is still the file fd (SQLite wrote through
 * the name): -ESTALE when another came there. */
static int still_ours(int fd, int dirfd, const char *name, const char *to)
{
	struct stat mine, there;

	if (fstat(fd, &mine) ||
	    fstatat(dirfd, name, &there, AT_SYMLINK_NOFOLLOW))
		return log_error(-errno, "database %s: %s", to,
				 strerror(errno));
	if (mine.st_dev != there.st_dev || mine.st_ino != there.st_ino)
		return log_error(-ESTALE, "database %s: another file came at"
				 " its name during the copy", to);
	return 0;
}

int db_copy(sqlite3 *src, int dirfd, const char *name)
{
	struct strbuf to = STRBUF_INIT;
	int fd, rc;

	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		/* the message names the folder, as the kernel has it */
		if (dirfd == AT_FDCWD || symlinks_fd_path(dirfd, &to))
			strbuf_reset(&to);
		else
			strbuf_addch(&to, '/');
		log_error(rc, "database %s%s: cannot create: %s", to.buf, name,
			  strerror(-rc));
		strbuf_release(&to);
		return rc;
	}
	rc = symlinks_fd_path(fd, &to);
	if (rc)
		log_error(rc, "database %s: where is it: %s", name,
			  strerror(-rc));
	if (!rc)
		rc = copy_pages(src, to.buf);
	if (!rc)
		rc = still_ours(fd, dirfd, name, to.buf);
	if (!rc)
		rc = rollback_mode(fd, to.buf);
	/* what a failed copy left of itself goes, and only that */
	if (rc && rc != -ESTALE)
		unlinkat(dirfd, name, 0);
	close(fd);
	strbuf_release(&to);
	return rc;
}

void db_close(sqlite3 *db)
{
	int rc = sqlite3_close(db);

	if (rc != SQLITE_OK)
		db_error(db, rc, "close");
}

/* The integer a pragma such as user_version or foreign_keys reads. */
static int db_pragma_int(sqlite3 *db, const char *name, int *value)
{
	char sql[64];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, sql);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*value = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_error(db, rc, sql);
}

int db_with_temp_files(sqlite3 *db, int (*fn)(sqlite3 *db, void *arg),
		       void *arg)
{
	char restore[64];
	int temp = 0, rc = db_pragma_int(db, "temp_store", &temp);

	if (rc)
		return rc;
	rc = db_exec(db, "PRAGMA temp_store = FILE;");
	if (!rc)
		rc = fn(db, arg);
	snprintf(restore, sizeof(restore), "PRAGMA temp_store = %d;", temp);
	if (db_exec(db, restore) && !rc)
		rc = -EIO;
	return rc;
}

struct migration {
	const char *const *steps;
	int version, nr_steps;
};

static int run_steps(sqlite3 *db, void *arg)
{
	struct migration *m = arg;
	int rc = 0;

	for (; !rc && m->version < m->nr_steps; m->version++) {
		char bump[64];

		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d;",
			 m->version + 1);
		rc = db_exec(db, "BEGIN IMMEDIATE;");
		if (!rc)
			rc = db_exec(db, m->steps[m->version]);
		if (!rc)
			rc = db_exec(db, bump);
		if (!rc)
			rc = db_exec(db, "COMMIT;");
		if (rc) {
			sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
			log_error(rc, "database %s: migration to version %d"
				  " failed", db_name(db), m->version + 1);
		}
	}
	return rc;
}

/* One line for the whole migration, not one per step: a new store says
 * it was created, an old one from which version to which it moved.
 * Foreign keys are off while steps run: SQLite changes a table's
 * constraints only by making it anew (a new table, the rows copied with
 * their ids, the old one dropped and the new one renamed), and with them
 * on, dropping the old table would delete every row that points at it.
 * Temporary files are files meanwhile: a step that drops a big table
 * keeps its pages in the statement's journal until it commits, which
 * in memory took as much as the table (220 MB at a million files). */
int db_migrate(sqlite3 *db, const char *const *steps, int nr_steps)
{
	struct migration m = { .steps = steps, .nr_steps = nr_steps };
	int from, fk = 0, rc;
	char restore[32];

	rc = db_pragma_int(db, "user_version", &m.version);
	if (rc)
		return rc;
	if (m.version > nr_steps)
		return log_error(-EPROTO,
				 "database %s: schema version %d is newer than this mediamon knows (%d)",
				 db_name(db), m.version, nr_steps);
	if (m.version == nr_steps)
		return 0;
	from = m.version;
	rc = db_pragma_int(db, "foreign_keys", &fk);
	if (rc)
		return rc;
	rc = db_exec(db, "PRAGMA foreign_keys = OFF;");
	if (!rc)
		rc = db_with_temp_files(db, run_steps, &m);
	snprintf(restore, sizeof(restore), "PRAGMA foreign_keys = %d;", fk);
	if (db_exec(db, restore) && !rc)
		rc = -EIO;
	if (rc)
		return rc;
	if (!from)
		log_info("database: created at version %d", nr_steps);
	else
		log_info("database: schema migrated from version %d to %d",
			 from, nr_steps);
	return 0;
}

int db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) :
		sqlite3_bind_null(st, i);
}

int db_bind_real_if(sqlite3_stmt *st, int i, int set, double v)
{
	return set ? sqlite3_bind_double(st, i, v) : sqlite3_bind_null(st, i);
}

int db_bind_int64_if(sqlite3_stmt *st, int i, int set, int64_t v)
{
	return set ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
}

void db_add_time(struct strbuf *out, sqlite3_stmt *st, int col)
{
	char at[CLOCK_RFC3339_LEN];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return;
	clock_rfc3339((time_t)sqlite3_column_double(st, col), at);
	strbuf_addstr(out, at);
}

void db_fts_string(struct strbuf *q, const char *word, size_t len)
{
	strbuf_addch(q, '"');
	for (; len; word++, len--) {
		if (*word == '"')
			strbuf_addch(q, '"');
		strbuf_addch(q, *word);
	}
	strbuf_addch(q, '"');
}

/* Rows kept past their statement need their own copies of its text. */
int db_column_strdup(sqlite3_stmt *st, int col, const char *none,
		     char **out)
{
	const char *text = (const char *)sqlite3_column_text(st, col);

	*out = NULL;
	if (!text && !none)
		return 0;
	*out = strdup(text ? text : none);
	return *out ? 0 : log_error(-ENOMEM, "database: no memory for a"
				    " column's text");
}

/* The field of row at offset off. */
#define FIELD(type, row, off) ((type *)((char *)(row) + (off)))

/* Column f->col of st's row into its field of row. */
static int read_field(sqlite3_stmt *st, void *row, const struct db_field *f)
{
	int null = sqlite3_column_type(st, f->col) == SQLITE_NULL;

	switch (f->kind) {
	case DB_KIND_TEXT:
		return db_column_strdup(st, f->col, f->none,
					FIELD(char *, row, f->off));
	case DB_KIND_INT:
		*FIELD(int, row, f->off) = sqlite3_column_int(st, f->col);
		break;
	case DB_KIND_INT64:
		*FIELD(int64_t, row, f->off) = sqlite3_column_int64(st, f->col);
		break;
	case DB_KIND_REAL:
		*FIELD(double, row, f->off) = sqlite3_column_double(st, f->col);
		break;
	case DB_KIND_REAL_OR_NAN:
		*FIELD(double, row, f->off) = null ? NAN :
			sqlite3_column_double(st, f->col);
		break;
	case DB_KIND_COUNT:
		*FIELD(long long, row, f->off) = null ? -1 :
			sqlite3_column_int64(st, f->col);
		break;
	case DB_KIND_SET:
		*FIELD(int, row, f->off) = !null;
		break;
	}
	return 0;
}

int db_row_fields(sqlite3_stmt *st, void *row, const struct db_field *f,
		  size_t nr)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < nr; i++)
		rc = read_field(st, row, &f[i]);
	return rc;
}

int db_row_fill(sqlite3_stmt *st, void *row, void *arg)
{
	const struct db_row *r = arg;

	return db_row_fields(st, row, r->f, r->nr);
}

void db_row_fields_free(void *row, const struct db_field *f, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (f[i].kind == DB_KIND_TEXT)
			free(*FIELD(char *, row, f[i].off));
}

void db_rows_free(void *rows, size_t n, size_t size,
		  const struct db_field *f, size_t nr)
{
	for (size_t i = 0; i < n; i++)
		db_row_fields_free((char *)rows + i * size, f, nr);
	free(rows);
}

void *db_add_row(void **rows, size_t *n, size_t *alloc, size_t size)
{
	char *v = array_grow(*rows, *n, alloc, size, 16);

	if (!v) {
		log_error(-ENOMEM, "database: no memory for the rows read");
		return NULL;
	}
	*rows = v;
	memset(v + *n * size, 0, size);
	return v + (*n)++ * size;
}

int db_read_rows(sqlite3 *db, const char *sql, const char *what,
		 int (*fill)(sqlite3_stmt *st, void *row, void *arg),
		 void *arg, void **rows, size_t *n, size_t size)
{
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc = db_prepare(db, sql, &st);

	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		void *row = db_add_row(rows, n, &alloc, size);
		int kept = row ? fill(st, row, arg) : -ENOMEM;

		if (kept > 0) {
			(*n)--;
		} else if (kept < 0) {
			rc = kept;
			break;
		}
	}
	return db_finalize(st, rc, what);
}
