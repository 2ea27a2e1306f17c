/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * common/db: what a failed call tells (the file it concerns, in the log
 * and to the error hook), copies of a database made with the backup
 * API, what a migration says, time columns as CSV files show them, the
 * walks of a query's rows and rows read by a table of their columns.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "testdb.h"

struct env {
	char dir[64];
	char path[96];
	sqlite3 *db;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	strcpy(e->dir, "/tmp/mediamon-db-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof(e->path), "%s/index.db", e->dir);
	assert_int_equal(db_open(e->path, 0, &e->db), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[96];

	db_set_error_hook(NULL);
	db_close(e->db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

static int hook_calls, hook_rc;
static sqlite3 *hook_db;

static void hook(sqlite3 *db, int rc)
{
	hook_calls++;
	hook_db = db;
	hook_rc = rc;
}

/* The log line of a failure names the file, which a daemon with a
 * store and backups needs to be understood; the hook hears of it. */
static void test_error_names_file(void **state)
{
	struct env *e = *state;
	struct strbuf ring = STRBUF_INIT;
	char line[192];

	db_set_error_hook(hook);
	hook_calls = 0;
	assert_int_equal(db_exec(e->db, "SELECT * FROM no_such_table"), -EIO);
	assert_int_equal(hook_calls, 1);
	assert_ptr_equal(hook_db, e->db);
	assert_int_equal(hook_rc, SQLITE_ERROR);
	log_ring_dump(&ring);
	snprintf(line, sizeof(line), "database %s: SELECT * FROM no_such_table:"
		 " no such table: no_such_table", e->path);
	assert_non_null(strstr(ring.buf, line));
	strbuf_release(&ring);

	/* Without a hook, a failure is logged alone. */
	db_set_error_hook(NULL);
	assert_int_equal(db_exec(e->db, "SELECT * FROM no_such_table"), -EIO);
	assert_int_equal(hook_calls, 1);
}

/* The names in dir, but "." and "..", joined by spaces, sorted. */
static void names_in(const char *dir, char *out, size_t len)
{
	struct dirent **v;
	int n = scandir(dir, &v, NULL, alphasort);

	assert_true(n >= 0);
	*out = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, ".."))
			snprintf(out + strlen(out), len - strlen(out), "%s%s",
				 *out ? " " : "", v[i]->d_name);
		free(v[i]);
	}
	free(v);
}

/* The two format bytes of a database file's header. */
static int format_bytes(const char *path)
{
	unsigned char h[20];
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fread(h, 1, sizeof(h), f), sizeof(h));
	fclose(f);
	return h[18] << 8 | h[19];
}

/* A copy holds every committed row, the ones still in the WAL too, is
 * private whatever the umask, and made in the folder it is given (not
 * where its path leads now), in rollback mode, with no file beside it. */
static void test_copy(void **state)
{
	struct env *e = *state;
	char to[128], sub[96], moved[96], names[256];
	struct stat st;
	mode_t old = umask(0);
	int dfd;

	assert_int_equal(db_exec(e->db, "CREATE TABLE t (x);"
				 "INSERT INTO t VALUES (1), (2), (3);"), 0);
	snprintf(sub, sizeof(sub), "%s/sub", e->dir);
	snprintf(moved, sizeof(moved), "%s/moved", e->dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	dfd = open(sub, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(rename(sub, moved), 0);
	assert_int_equal(db_copy(e->db, dfd, "copy.db"), 0);
	umask(old);
	snprintf(to, sizeof(to), "%s/copy.db", moved);
	assert_int_equal(stat(to, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(format_bytes(to), 0x0101);
	names_in(moved, names, sizeof(names));
	assert_string_equal(names, "copy.db");
	assert_int_equal(testdb_int(to, "SELECT count(*) FROM t"), 3);
	names_in(moved, names, sizeof(names));
	assert_string_equal(names, "copy.db");

	/* A copy never replaces what is at its name. */
	assert_int_equal(db_exec(e->db, "INSERT INTO t VALUES (4)"), 0);
	assert_int_equal(db_copy(e->db, dfd, "copy.db"), -EEXIST);
	assert_int_equal(testdb_int(to, "SELECT count(*) FROM t"), 3);
	assert_int_equal(db_copy(e->db, AT_FDCWD, to), -EEXIST);
	close(dfd);

	snprintf(to, sizeof(to), "%s/no/such/folder.db", e->dir);
	assert_int_equal(db_copy(e->db, AT_FDCWD, to), -ENOENT);
}

/* A link put at the name is never written through, wherever it leads:
 * to a file (kept as it was) or to no file (none made there). */
static void test_copy_not_through_a_link(void **state)
{
	struct env *e = *state;
	char link[128], target[128], names[256];
	struct stat st;
	FILE *f;

	snprintf(target, sizeof(target), "%s/victim", e->dir);
	snprintf(link, sizeof(link), "%s/copy.db", e->dir);
	f = fopen(target, "w");
	assert_non_null(f);
	assert_int_equal(fputs("precious\n", f) >= 0, 1);
	fclose(f);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(db_copy(e->db, AT_FDCWD, link), -EEXIST);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, strlen("precious\n"));
	assert_int_equal(unlink(target), 0);
	assert_int_equal(db_copy(e->db, AT_FDCWD, link), -EEXIST);
	assert_int_equal(lstat(target, &st), -1);
	assert_int_equal(errno, ENOENT);
	names_in(e->dir, names, sizeof(names));
	assert_null(strstr(names, "victim"));
	assert_non_null(strstr(names, "copy.db"));
}

static const char *const steps[] = {
	"CREATE TABLE one (x);",
	"CREATE TABLE two (x);",
	"CREATE TABLE three (x);",
};

#define NR_STEPS ((int)(sizeof(steps) / sizeof(*steps)))

/* The lines of the log ring that mention the database. */
static int database_lines(struct strbuf *out)
{
	struct strbuf ring = STRBUF_INIT;
	int n = 0;

	log_ring_dump(&ring);
	strbuf_reset(out);
	for (char *line = ring.buf, *end; *line; line = end + 1) {
		end = strchr(line, '\n');
		if (strstr(line, " database") && strstr(line, " database") <
		    end) {
			strbuf_add(out, line, end + 1 - line);
			n++;
		}
	}
	strbuf_release(&ring);
	return n;
}

/* The integer of the first row of sql: a pragma's value, a count. */
static int pragma(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int user_version(sqlite3 *db)
{
	return pragma(db, "PRAGMA user_version");
}

/* A new store says once that it was made, at which version. */
static void test_new_store_one_line(void **state)
{
	struct strbuf lines = STRBUF_INIT;
	sqlite3 *db;
	int before;

	(void)state;
	before = database_lines(&lines);
	assert_int_equal(db_open(":memory:", 0, &db), 0);
	assert_int_equal(db_migrate(db, steps, NR_STEPS), 0);
	assert_int_equal(user_version(db), 3);
	assert_int_equal(database_lines(&lines), before + 1);
	assert_non_null(strstr(lines.buf, "info: database: created at"
			       " version 3\n"));
	/* up to date: nothing to say */
	assert_int_equal(db_migrate(db, steps, NR_STEPS), 0);
	assert_int_equal(database_lines(&lines), before + 1);
	db_close(db);
	strbuf_release(&lines);
}

/* An older store says from which version to which it moved. */
static void test_old_store_from_to(void **state)
{
	struct strbuf lines = STRBUF_INIT;
	sqlite3 *db;
	int before;

	(void)state;
	assert_int_equal(db_open(":memory:", 0, &db), 0);
	assert_int_equal(db_migrate(db, steps, 1), 0);
	before = database_lines(&lines);
	assert_int_equal(db_migrate(db, steps, NR_STEPS), 0);
	assert_int_equal(user_version(db), 3);
	assert_int_equal(database_lines(&lines), before + 1);
	assert_non_null(strstr(lines.buf, "info: database: schema migrated"
			       " from version 1 to 3\n"));
	db_close(db);
	strbuf_release(&lines);
}

/* A step that fails names its version and leaves the store where the
 * last good step left it. */
static void test_failed_step(void **state)
{
	static const char *const bad[] = {
		"CREATE TABLE one (x);",
		"CREATE TABLE one (x);",
	};
	struct strbuf lines = STRBUF_INIT;
	sqlite3 *db;

	(void)state;
	assert_int_equal(db_open(":memory:", 0, &db), 0);
	assert_int_equal(db_migrate(db, bad, 2), -EIO);
	assert_int_equal(user_version(db), 1);
	database_lines(&lines);
	assert_non_null(strstr(lines.buf, ": migration to version 2"
			       " failed\n"));
	assert_null(strstr(lines.buf, "created at version 2"));
	db_close(db);
	strbuf_release(&lines);
}

/* A step may make a table anew (copy, drop, rename): what points at its
 * rows keeps them, and the connection gets its foreign keys and
 * temporary storage back; with foreign keys on, the same drop deletes
 * the rows that point at it. */
static void test_step_remakes_a_table(void **state)
{
	static const char *const remake[] = {
		"CREATE TABLE parent (id INTEGER PRIMARY KEY, x);"
		"CREATE TABLE child (id REFERENCES parent(id)"
		"  ON DELETE CASCADE);"
		"INSERT INTO parent VALUES (1, 'a'), (2, 'b');"
		"INSERT INTO child VALUES (1), (2);",
		"CREATE TABLE parent_new (id INTEGER PRIMARY KEY, y);"
		"INSERT INTO parent_new SELECT id, x FROM parent;"
		"DROP TABLE parent;"
		"ALTER TABLE parent_new RENAME TO parent;",
	};
	sqlite3 *db;

	(void)state;
	assert_int_equal(db_open(":memory:", 0, &db), 0);
	assert_int_equal(pragma(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(pragma(db, "PRAGMA temp_store"), 2);
	assert_int_equal(db_migrate(db, remake, 2), 0);
	assert_int_equal(pragma(db, "SELECT count(*) FROM child c"
				" JOIN parent p ON p.id = c.id"), 2);
	assert_int_equal(pragma(db, "SELECT count(*) FROM"
				" pragma_foreign_key_check"), 0);
	assert_int_equal(pragma(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(pragma(db, "PRAGMA temp_store"), 2);
	/* the same drop outside a migration */
	assert_int_equal(db_exec(db, "DROP TABLE parent"), 0);
	assert_int_equal(pragma(db, "SELECT count(*) FROM child"), 0);
	db_close(db);
}

static int temp_store_seen(sqlite3 *db, void *arg)
{
	*(int *)arg = pragma(db, "PRAGMA temp_store");
	return -ENOSPC;
}

/* Work whose sorts grow with the store: temporary files on disk while it
 * runs, as they were after, its error passed on. */
static void test_with_temp_files(void **state)
{
	sqlite3 *db;
	int seen = -1;

	(void)state;
	assert_int_equal(db_open(":memory:", 0, &db), 0);
	assert_int_equal(pragma(db, "PRAGMA temp_store"), 2);
	assert_int_equal(db_with_temp_files(db, temp_store_seen, &seen),
			 -ENOSPC);
	assert_int_equal(seen, 1);
	assert_int_equal(pragma(db, "PRAGMA temp_store"), 2);
	db_close(db);
}

/* A time column as the CSV files show it: RFC 3339, nothing for NULL. */
static void test_add_time(void **state)
{
	struct strbuf out = STRBUF_INIT;
	sqlite3_stmt *st;
	sqlite3 *db;

	(void)state;
	assert_int_equal(db_open(":memory:", 0, &db), 0);
	assert_int_equal(db_prepare(db, "SELECT 1795287134.75, NULL", &st),
			 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	db_add_time(&out, st, 0);
	strbuf_addch(&out, ',');
	db_add_time(&out, st, 1);
	assert_string_equal(out.buf, "2026-11-21T18:52:14Z,");
	sqlite3_finalize(st);
	db_close(db);
	strbuf_release(&out);
}

/* A value bound when it is known, NULL when not. */
static void test_bind_if(void **state)
{
	sqlite3_stmt *st;
	sqlite3 *db;

	(void)state;
	assert_int_equal(db_open(":memory:", 0, &db), 0);
	assert_int_equal(db_prepare(db, "SELECT quote(?1), quote(?2),"
				    " quote(?3), quote(?4)", &st), 0);
	assert_int_equal(db_bind_real_if(st, 1, 1, 2.5), SQLITE_OK);
	assert_int_equal(db_bind_real_if(st, 2, 0, 2.5), SQLITE_OK);
	assert_int_equal(db_bind_int64_if(st, 3, 1, 1LL << 40), SQLITE_OK);
	assert_int_equal(db_bind_int64_if(st, 4, 0, 7), SQLITE_OK);
	assert_int_equal(db_bind_int64_if(st, 9, 1, 7), SQLITE_RANGE);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "2.5");
	assert_string_equal(sqlite3_column_text(st, 1), "NULL");
	assert_string_equal(sqlite3_column_text(st, 2), "1099511627776");
	assert_string_equal(sqlite3_column_text(st, 3), "NULL");
	sqlite3_finalize(st);
	db_close(db);
}

/* db_run() binds each kind in order, NULL for a NULL text; db_one_int()
 * reads one integer, 0 for no row or a NULL; a statement that does not
 * prepare, or a parameter past its last, is -EIO. */
static void test_run_and_one_int(void **state)
{
	sqlite3_int64 n = -1;
	sqlite3 *db;

	(void)state;
	assert_int_equal(db_open(":memory:", 0, &db), 0);
	assert_int_equal(db_exec(db, "CREATE TABLE t (i, d, s, z)"), 0);
	assert_int_equal(db_run(db, "add", "INSERT INTO t VALUES"
				" (?1, ?2, ?3, ?4)",
				DB_ARGS(DB_INT(5000000000LL), DB_REAL(1.5),
					DB_TEXT("x"), DB_TEXT(NULL))), 0);
	assert_int_equal(db_one_int(db, "read", "SELECT count(*) FROM t"
				    " WHERE i = ?1 AND d = ?2 AND s = ?3"
				    " AND z IS NULL",
				    DB_ARGS(DB_INT(5000000000LL),
					    DB_REAL(1.5), DB_TEXT("x")),
				    &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(db_one_int(db, "read", "SELECT i FROM t",
				    DB_ARGS(DB_INT(0)), &n), -EIO);
	assert_int_equal(db_one_int(db, "read", "SELECT i FROM t WHERE"
				    " s = ?1", DB_ARGS(DB_TEXT("y")), &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(db_one_int(db, "read", "SELECT max(z) FROM t"
				    " WHERE ?1 IS NULL",
				    DB_ARGS(DB_TEXT(NULL)), &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(db_run(db, "add", "INSERT INTO nowhere VALUES (?1)",
				DB_ARGS(DB_INT(1))), -EIO);
	db_close(db);
}

/* A store in memory for a test, opened or failing it. */
static sqlite3 *memory_db(void)
{
	sqlite3 *db = NULL;

	assert_int_equal(db_open(":memory:", 0, &db), 0);
	return db;
}

/* db_prepare_each() prepares in order and stops at the first that fails,
 * leaving those after it NULL. */
static void test_prepare_each(void **state)
{
	static const char *const sql[] = {
		"SELECT 1", "SELECT 2", "SELECT nope FROM nowhere", "SELECT 4",
	};
	sqlite3_stmt *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	sqlite3_stmt **const st[] = { &a, &b, &c, &d };
	sqlite3 *db = memory_db();

	(void)state;
	assert_int_equal(db_prepare_each(db, sql, st, 2), 0);
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(b, 0), 2);
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	a = b = NULL;
	assert_true(db_prepare_each(db, sql, st, 4) < 0);
	assert_non_null(a);
	assert_non_null(b);
	assert_null(c);
	assert_null(d);
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	db_close(db);
}

/* db_bind_args() binds a kept statement anew each time, in order; a
 * parameter past its last is an error. */
static void test_bind_args(void **state)
{
	sqlite3_stmt *st;
	sqlite3 *db = memory_db();

	(void)state;
	assert_int_equal(db_prepare(db, "SELECT ?1, ?2, ?3 IS NULL", &st), 0);
	for (int i = 1; i <= 2; i++) {
		assert_int_equal(db_bind_args(st, "bind",
					      DB_ARGS(DB_INT(i * 10),
						      DB_REAL(i / 2.0),
						      DB_TEXT(NULL))), 0);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), i * 10);
		assert_true(sqlite3_column_double(st, 1) == i / 2.0);
		assert_int_equal(sqlite3_column_int(st, 2), 1);
		sqlite3_reset(st);
	}
	assert_true(db_bind_args(st, "bind",
				 DB_ARGS(DB_INT(1), DB_INT(2), DB_INT(3),
					 DB_INT(4))) < 0);
	sqlite3_finalize(st);
	db_close(db);
}

/* db_yes(): 1 for any integer not 0, 0 for 0, NULL or no row, -EIO for
 * a statement that does not prepare. */
static void test_yes(void **state)
{
	sqlite3 *db = memory_db();

	(void)state;
	assert_int_equal(db_exec(db, "CREATE TABLE t (i)"), 0);
	assert_int_equal(db_yes(db, "ask", "SELECT EXISTS (SELECT 1 FROM t)"),
			 0);
	assert_int_equal(db_yes(db, "ask", "SELECT i FROM t"), 0);
	assert_int_equal(db_exec(db, "INSERT INTO t VALUES (-7)"), 0);
	assert_int_equal(db_yes(db, "ask", "SELECT EXISTS (SELECT 1 FROM t)"),
			 1);
	assert_int_equal(db_yes(db, "ask", "SELECT i FROM t"), 1);
	assert_int_equal(db_yes(db, "ask", "SELECT NULL"), 0);
	assert_int_equal(db_yes(db, "ask", "SELECT 0"), 0);
	assert_int_equal(db_yes(db, "ask", "SELECT i FROM nowhere"), -EIO);
	db_close(db);
}

/* db_prepare_bound() binds as db_run() does and leaves the rows to its
 * caller; DB_INT_OR_NULL() binds 0 as NULL; a bad statement is -EIO. */
static void test_prepare_bound(void **state)
{
	sqlite3_stmt *st;
	sqlite3 *db;

	(void)state;
	assert_int_equal(db_open(":memory:", 0, &db), 0);
	assert_int_equal(db_prepare_bound(db, "read", "SELECT ?1, ?2, ?3,"
					  " ?4 IS NULL, ?5",
					  DB_ARGS(DB_TEXT("a"), DB_INT(7),
						  DB_REAL(0.5),
						  DB_INT_OR_NULL(0),
						  DB_INT_OR_NULL(3)), &st), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "a");
	assert_int_equal(sqlite3_column_int(st, 1), 7);
	assert_true(sqlite3_column_double(st, 2) == 0.5);
	assert_int_equal(sqlite3_column_int(st, 3), 1);
	assert_int_equal(sqlite3_column_int(st, 4), 3);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(db_prepare_bound(db, "read", "SELECT ?1",
					  DB_ARGS(DB_INT(1), DB_INT(2)), &st),
			 -EIO);
	assert_int_equal(db_prepare_bound(db, "read", "SELECT * FROM nowhere",
					  NULL, 0, &st), -EIO);
	db_close(db);
}

/* A walk that adds up its rows' first column, stopping at *stop_at. */
struct sum {
	sqlite3_int64 total, stop_at;
	int ret;
};

static int add_row(void *arg, sqlite3_stmt *st)
{
	struct sum *s = arg;

	s->total += sqlite3_column_int64(st, 0);
	return s->total >= s->stop_at ? s->ret : 0;
}

static int none_fill(sqlite3_stmt *st, void *arg)
{
	(void)st;
	(void)arg;
	return -ENOMEM;
}

static int first_fill(sqlite3_stmt *st, void *arg)
{
	*(sqlite3_int64 *)arg = sqlite3_column_int64(st, 0);
	return 0;
}

/* db_each() reads every row, or stops at its callback's nonzero and
 * returns it; db_one_row() reads the first row only (1), tells none (0)
 * and returns its fill's error; a bad statement is -EIO for both. */
static void test_each_and_one_row(void **state)
{
	const char *sql = "SELECT value FROM json_each('[1, 2, 3, 4]')"
			  " WHERE value >= ?1";
	struct sum s = { 0, 100, 0 };
	sqlite3_int64 first = 0;
	sqlite3 *db;

	(void)state;
	assert_int_equal(db_open(":memory:", 0, &db), 0);
	assert_int_equal(db_each(db, "sum", sql, DB_ARGS(DB_INT(2)), add_row,
				 &s), 0);
	assert_int_equal(s.total, 9);
	s = (struct sum){ 0, 3, 7 };
	assert_int_equal(db_each(db, "sum", sql, DB_ARGS(DB_INT(1)), add_row,
				 &s), 7);
	assert_int_equal(s.total, 3);
	s = (struct sum){ 0, 1, -EPROTO };
	assert_int_equal(db_each(db, "sum", sql, DB_ARGS(DB_INT(1)), add_row,
				 &s), -EPROTO);
	assert_int_equal(db_each(db, "sum", "SELECT * FROM nowhere", NULL, 0,
				 add_row, &s), -EIO);
	assert_int_equal(db_one_row(db, "first", sql, DB_ARGS(DB_INT(3)),
				    first_fill, &first), 1);
	assert_int_equal(first, 3);
	assert_int_equal(db_one_row(db, "first", sql, DB_ARGS(DB_INT(9)),
				    first_fill, &first), 0);
	assert_int_equal(db_one_row(db, "first", sql, DB_ARGS(DB_INT(1)),
				    none_fill, NULL), -ENOMEM);
	assert_int_equal(db_one_row(db, "first", "SELECT ?1", NULL, 0,
				    first_fill, &first), 1);
	assert_int_equal(first, 0);
	db_close(db);
}

struct kinds {
	char *text, *text_or;
	int i, set;
	int64_t i64;
	double real, nan;
	long long count;
};

static const struct db_field kinds_fields[] = {
	DB_FIELD(struct kinds, text, 0),
	DB_FIELD_OR(struct kinds, text_or, 0, "none"),
	DB_FIELD_INT(struct kinds, i, 1),
	DB_FIELD_SET(struct kinds, set, 2),
	DB_FIELD_INT64(struct kinds, i64, 2),
	DB_FIELD_REAL(struct kinds, real, 3),
	DB_FIELD_REAL_OR_NAN(struct kinds, nan, 3),
	DB_FIELD_COUNT(struct kinds, count, 2),
};

/* Each kind of field read from a row of values and from a row of NULLs,
 * through DB_ROW_FILL(); only the texts are freed. */
static void test_row_fields(void **state)
{
	struct kinds *k = NULL;
	size_t n = 0;
	sqlite3 *db;

	(void)state;
	assert_int_equal(db_open(":memory:", 0, &db), 0);
	assert_int_equal(db_read_rows(db, "SELECT 'a', 7, 5000000000, 0.5"
				      " UNION ALL SELECT NULL, NULL, NULL,"
				      " NULL", "read kinds",
				      DB_ROW_FILL(kinds_fields), (void **)&k,
				      &n, sizeof(*k)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(k[0].text, "a");
	assert_string_equal(k[0].text_or, "a");
	assert_int_equal(k[0].i, 7);
	assert_int_equal(k[0].set, 1);
	assert_int_equal(k[0].i64, 5000000000LL);
	assert_true(k[0].real == 0.5 && k[0].nan == 0.5);
	assert_int_equal(k[0].count, 5000000000LL);
	assert_null(k[1].text);
	assert_string_equal(k[1].text_or, "none");
	assert_int_equal(k[1].i, 0);
	assert_int_equal(k[1].set, 0);
	assert_int_equal(k[1].i64, 0);
	assert_true(k[1].real == 0 && isnan(k[1].nan));
	assert_int_equal(k[1].count, -1);
	db_rows_free(k, n, sizeof(*k), DB_FIELDS(kinds_fields));
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_error_names_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_not_through_a_link,
						setup, teardown),
		cmocka_unit_test(test_new_store_one_line),
		cmocka_unit_test(test_old_store_from_to),
		cmocka_unit_test(test_failed_step),
		cmocka_unit_test(test_step_remakes_a_table),
		cmocka_unit_test(test_with_temp_files),
		cmocka_unit_test(test_add_time),
		cmocka_unit_test(test_bind_if),
		cmocka_unit_test(test_run_and_one_int),
		cmocka_unit_test(test_yes),
		cmocka_unit_test(test_bind_args),
		cmocka_unit_test(test_prepare_each),
		cmocka_unit_test(test_prepare_bound),
		cmocka_unit_test(test_each_and_one_row),
		cmocka_unit_test(test_row_fields),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
