/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The FUSE side's read connections and the statements each thread keeps:
 * one statement per SQL text and thread, given back reset and unbound,
 * evicted when too many, and never seeing an old snapshot of the store.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/db.h"
#include "indexer/store/reader.h"
#include "indexer/store/storefile.h"
#include "join.h"
#include "testdb.h"

static struct testdb t;
static sqlite3 *writer;

static int setup(void **state)
{
	(void)state;
	if (testdb_open(&t))
		return -1;
	writer = t.db;
	if (db_exec(writer, "CREATE TABLE t (v INTEGER);"
		    " INSERT INTO t VALUES (1);"))
		return -1;
	return reader_init(t.path);
}

static int teardown(void **state)
{
	(void)state;
	reader_close();
	reader_stop();
	testdb_close(&t);
	return 0;
}

/* The one integer the statement for sql returns, given back after. */
static int64_t one_int(const char *sql)
{
	sqlite3_stmt *st;
	int64_t v;

	assert_int_equal(reader_prepare(sql, "test", &st), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	reader_done(st);
	return v;
}

static void test_kept_per_sql(void **state)
{
	sqlite3_stmt *a, *b, *c;

	(void)state;
	assert_int_equal(reader_prepare("SELECT 1", "test", &a), 0);
	reader_done(a);
	assert_int_equal(reader_prepare("SELECT 2", "test", &b), 0);
	reader_done(b);
	assert_int_equal(reader_prepare("SELECT 1", "test", &c), 0);
	reader_done(c);
	assert_ptr_equal(a, c);
	assert_ptr_not_equal(a, b);
	assert_ptr_equal(sqlite3_db_handle(a), reader_db());
}

/* A statement given back holds no snapshot: the next use sees what the
 * writer committed in between. */
static void test_sees_new_rows(void **state)
{
	const char *sql = "SELECT count(*) FROM t";

	(void)state;
	assert_int_equal(db_exec(writer, "DELETE FROM t"), 0);
	assert_int_equal(one_int(sql), 0);
	assert_int_equal(db_exec(writer, "INSERT INTO t VALUES (7)"), 0);
	assert_int_equal(one_int(sql), 1);
	assert_int_equal(db_exec(writer, "INSERT INTO t VALUES (8)"), 0);
	assert_int_equal(one_int(sql), 2);
}

/* A statement given back after one row, the rest unread, starts over. */
static void test_starts_over(void **state)
{
	const char *sql = "SELECT v FROM t ORDER BY v";
	sqlite3_stmt *st;

	(void)state;
	assert_int_equal(db_exec(writer, "DELETE FROM t;"
				 " INSERT INTO t VALUES (3), (4)"), 0);
	assert_int_equal(one_int(sql), 3);
	assert_int_equal(reader_prepare(sql, "test", &st), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 3);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 4);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	reader_done(st);
}

static void test_parameters_cleared(void **state)
{
	sqlite3_stmt *st;

	(void)state;
	assert_int_equal(reader_prepare("SELECT ?1", "test", &st), 0);
	sqlite3_bind_int(st, 1, 5);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 5);
	reader_done(st);
	assert_int_equal(reader_prepare("SELECT ?1", "test", &st), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(st, 0), SQLITE_NULL);
	reader_done(st);
}

/* reader_prepare_id() binds its id to ?1; a READER_STMT local is given
 * back at the end of its scope: its parameter is cleared. */
static void test_prepare_id(void **state)
{
	sqlite3_stmt *st;

	(void)state;
	{
		READER_STMT sqlite3_stmt *id = NULL;

		assert_int_equal(reader_prepare_id("SELECT ?1", "test",
						   5000000000LL, &id), 0);
		assert_int_equal(sqlite3_step(id), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int64(id, 0), 5000000000LL);
	}
	assert_int_equal(reader_prepare("SELECT ?1", "test", &st), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(st, 0), SQLITE_NULL);
	reader_done(st);
	st = NULL;
	assert_true(reader_prepare_id("SELECT nope FROM t", "test", 1,
				      &st) < 0);
	assert_null(st);
}

/* Bad SQL is an error and takes no slot; good SQL works after it. */
static void test_bad_sql(void **state)
{
	sqlite3_stmt *st = NULL;

	(void)state;
	for (int i = 0; i < 40; i++)
		assert_true(reader_prepare("SELEC v FROM t", "test", &st) < 0);
	assert_true(reader_prepare("SELECT nope FROM t", "test", &st) < 0);
	assert_true(reader_prepare("SELECT v FROM missing", "test", &st) < 0);
	assert_int_equal(one_int("SELECT 41"), 41);
	reader_done(NULL);
}

/* More statements than the thread keeps: each still gives its own
 * result, the ones dropped prepared again when asked for. */
static void test_many_statements(void **state)
{
	char sql[32];

	(void)state;
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 100; i++) {
			snprintf(sql, sizeof(sql), "SELECT %d", i);
			assert_int_equal(one_int(sql), i);
		}
	}
}

/* A few statements held at once stay valid while others are made. */
static void test_held_together(void **state)
{
	sqlite3_stmt *a, *b;
	char sql[32];

	(void)state;
	assert_int_equal(reader_prepare("SELECT 'a'", "test", &a), 0);
	assert_int_equal(reader_prepare("SELECT 'b'", "test", &b), 0);
	for (int i = 0; i < 8; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d + 1000", i);
		assert_int_equal(one_int(sql), i + 1000);
	}
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(a, 0), "a");
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(b, 0), "b");
	reader_done(a);
	reader_done(b);
}

static void *other_thread(void *arg)
{
	sqlite3_stmt **st = arg;

	if (reader_prepare("SELECT 1", "test", st))
		*st = NULL;
	else
		reader_done(*st);
	reader_close();
	return NULL;
}

/* Each thread has its own connection and statements. */
static void test_per_thread(void **state)
{
	sqlite3_stmt *mine, *theirs = NULL;
	pthread_t t;

	(void)state;
	assert_int_equal(reader_prepare("SELECT 1", "test", &mine), 0);
	reader_done(mine);
	assert_int_equal(pthread_create(&t, NULL, other_thread, &theirs), 0);
	assert_int_equal(join_within(t, JOIN_S, NULL), 0);
	assert_non_null(theirs);
	assert_ptr_not_equal(mine, theirs);
	assert_int_equal(one_int("SELECT 1"), 1);
}

/* Between reader_begin() and reader_end(), every query reads one
 * snapshot; after it, what the writer committed shows. */
static void test_snapshot(void **state)
{
	const char *sql = "SELECT count(*) FROM t";
	sqlite3 *db;

	(void)state;
	assert_int_equal(db_exec(writer, "DELETE FROM t"), 0);
	db = reader_begin();
	assert_ptr_equal(db, reader_db());
	assert_int_equal(one_int(sql), 0);
	assert_int_equal(db_exec(writer, "INSERT INTO t VALUES (1)"), 0);
	assert_int_equal(one_int(sql), 0);
	assert_int_equal(one_int("SELECT count(*) + 10 FROM t"), 10);
	reader_end(db);
	assert_int_equal(one_int(sql), 1);
	db = reader_begin();
	assert_non_null(db);
	assert_int_equal(one_int(sql), 1);
	reader_end(db);
	reader_end(NULL);
}

/* Reads that each begin and end their own transaction inside
 * reader_hold() are one snapshot: their ends do not commit it, the
 * release does. */
static void test_hold(void **state)
{
	const char *sql = "SELECT count(*) FROM t";
	sqlite3 *db;

	(void)state;
	assert_int_equal(db_exec(writer, "DELETE FROM t"), 0);
	assert_int_equal(reader_hold(), 0);
	db = reader_begin();
	assert_int_equal(one_int(sql), 0);
	reader_end(db);
	assert_int_equal(db_exec(writer, "INSERT INTO t VALUES (1)"), 0);
	db = reader_begin();
	assert_ptr_equal(db, reader_db());
	assert_int_equal(one_int(sql), 0);
	reader_end(db);
	assert_int_equal(one_int(sql), 0);
	reader_release();
	assert_int_equal(one_int(sql), 1);
	db = reader_begin();
	assert_int_equal(one_int(sql), 1);
	reader_end(db);
}

static int add_row(void *arg, sqlite3_stmt *st)
{
	int64_t *sum = arg;

	*sum += sqlite3_column_int64(st, 0);
	return *sum >= 100 ? -EINTR : 0;
}

/* Counts the rows, and asks to stop at the second. */
static int stop_at_two(void *arg, sqlite3_stmt *st)
{
	int64_t *n = arg;

	(void)st;
	return ++*n == 2;
}

/* reader_each() gives every row, stops where its callback says, and
 * fails as the query does. */
static void test_each(void **state)
{
	int64_t sum = 0;

	(void)state;
	assert_int_equal(db_exec(writer, "DELETE FROM t;"
				 " INSERT INTO t VALUES (1), (2), (40)"), 0);
	assert_int_equal(reader_each("SELECT v FROM t", "test", add_row,
				     &sum), 0);
	assert_int_equal(sum, 43);
	assert_int_equal(db_exec(writer, "INSERT INTO t VALUES (60),"
				 " (1000)"), 0);
	sum = 0;
	assert_int_equal(reader_each("SELECT v FROM t ORDER BY v", "test",
				     add_row, &sum), -EINTR);
	assert_int_equal(sum, 103);
	/* a positive answer only stops, and comes back as it is */
	sum = 0;
	assert_int_equal(reader_each("SELECT v FROM t ORDER BY v", "test",
				     stop_at_two, &sum), 1);
	assert_int_equal(sum, 2);
	assert_int_not_equal(reader_each("SELECT v FROM nowhere", "test",
					 add_row, &sum), 0);
	assert_int_equal(one_int("SELECT count(*) FROM t"), 5);
}

/* A closed connection is opened again, with its statements, on use. */
static void test_close_reopens(void **state)
{
	(void)state;
	assert_int_equal(one_int("SELECT 6"), 6);
	reader_close();
	reader_close();
	assert_int_equal(one_int("SELECT 6"), 6);
	assert_non_null(reader_db());
}

/* A query that runs past its thread's deadline fails with -ETIMEDOUT,
 * and the next, without one, runs whole: a slow rendering gives its
 * thread back. */
static void test_deadline(void **state)
{
	const char *count = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
			    " SELECT i + 1 FROM n WHERE i < 2000000)"
			    " SELECT count(*) FROM n";
	sqlite3_stmt *st;

	(void)state;
	reader_deadline(clock_mono() - 1);
	assert_int_equal(reader_prepare(count, "test", &st), 0);
	assert_int_equal(reader_finish(st, sqlite3_step(st), "test"),
			 -ETIMEDOUT);
	/* an hour: the count ran over a minute under qemu on a loaded CI */
	reader_deadline(clock_mono() + 3600);
	assert_int_equal(one_int(count), 2000000);
	reader_deadline(0);
	assert_int_equal(one_int("SELECT v FROM t"), 1);
}

/* What a thread of its own saw of the connection it was given: whether
 * an ended thread had marked it (a temp table), before marking it; with
 * busy, it ends with a statement stepped and not reset. */
struct visit {
	int busy, saw_mark;
};

static void *visit_thread(void *arg)
{
	struct visit *v = arg;
	sqlite3_stmt *st;

	v->saw_mark = one_int("SELECT count(*) FROM temp.sqlite_master"
			      " WHERE name = 'mark'") == 1;
	if (db_exec(reader_db(), "CREATE TEMP TABLE IF NOT EXISTS mark (v)"))
		v->saw_mark = -1;
	if (v->busy && !reader_prepare("SELECT v FROM t", "test", &st))
		sqlite3_step(st);
	return NULL;
}

/* Whether a new thread finds the connection an ended thread marked. */
static int visit(int busy)
{
	struct visit v = { .busy = busy };
	pthread_t th;

	assert_int_equal(pthread_create(&th, NULL, visit_thread, &v), 0);
	assert_int_equal(join_within(th, JOIN_S, NULL), 0);
	assert_int_not_equal(v.saw_mark, -1);
	return v.saw_mark;
}

/* The connection of a thread that ended goes to the next thread that
 * starts; not one still in a read, nor one of the store's file before,
 * nor any after reader_stop(). */
static void test_kept_for_next_thread(void **state)
{
	(void)state;
	assert_int_equal(db_exec(writer, "DELETE FROM t;"
				 " INSERT INTO t VALUES (1), (2)"), 0);
	assert_false(visit(0));
	assert_true(visit(0));
	assert_true(visit(1));
	assert_false(visit(0));
	storefile_new_epoch();
	assert_false(visit(0));
	assert_true(visit(0));
	reader_stop();
	assert_false(visit(0));
	assert_false(visit(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_per_sql),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_sees_new_rows),
		cmocka_unit_test(test_starts_over),
		cmocka_unit_test(test_parameters_cleared),
		cmocka_unit_test(test_prepare_id),
		cmocka_unit_test(test_bad_sql),
		cmocka_unit_test(test_many_statements),
		cmocka_unit_test(test_held_together),
		cmocka_unit_test(test_per_thread),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_each),
		cmocka_unit_test(test_close_reopens),
		cmocka_unit_test(test_kept_for_next_thread),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
