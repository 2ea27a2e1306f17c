/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The kept tracks of files that left (library/gone.h): a new file takes
 * back the kept row of the same bytes at the same place or with the same
 * inode, not one of other bytes; and the lookup is planned through the
 * indexes (no SCAN), so that a new file costs the same with 200,000 rows
 * kept as with none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "indexer/library/gone.h"
#include "tests/unit/testdb.h"

#define KEPT 2000

static const char rows[] =
	"INSERT INTO roots (id, kind, path) VALUES (1, 'music', '/m');"
	"INSERT INTO directories (id, root_id, path, mtime_ns)"
	" VALUES (1, 1, 'a', 0), (2, 1, 'b', 0);"
	/* many kept rows that match nothing, so a scan would be chosen only
	 * by a bad plan, not for a small table */
	"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	" WHERE i < 2000) INSERT INTO gone (file_id, track_id, root_id,"
	" dir, name, size, mtime_ns, inode, gone_at) SELECT 1000 + i,"
	" 1000 + i, 1, 'z', 'f' || i || '.mp3', i, i, 100000 + i, 1.0"
	" FROM n;"
	"INSERT INTO gone (file_id, track_id, root_id, dir, name, size,"
	" mtime_ns, inode, gone_at) VALUES"
	" (50, 60, 1, 'a', 'same.mp3', 10, 20, 7, 1.0),"
	" (51, 61, 1, 'z', 'moved.mp3', 11, 21, 8, 1.0);";

/* Insert a file row and return its id (what the scan does before
 * gone_take()). */
static int64_t add_file(sqlite3 *db, int dir, const char *name, int size,
			int mtime, int inode)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO files (root_id, dir_id, name, size, mtime_ns,"
		 " inode, kind) VALUES (1, %d, '%s', %d, %d, %d, 'music')",
		 dir, name, size, mtime, inode);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	return sqlite3_last_insert_rowid(db);
}

static int setup(void **state)
{
	struct testdb *t;

	if (testdb_setup(state))
		return -1;
	t = *state;
	gone_set_keep(86400);
	return sqlite3_exec(t->db, rows, NULL, NULL, NULL) == SQLITE_OK ?
	       0 : -1;
}

static int teardown(void **state)
{
	gone_set_keep(0);
	return testdb_teardown(state);
}

/* The same bytes at the same place, and the same inode elsewhere, take
 * their ids back; other bytes (mtime) at the same place do not. */
static void test_take(void **state)
{
	struct testdb *t = *state;
	int64_t file, track;

	file = add_file(t->db, 1, "same.mp3", 10, 99, 3);
	assert_int_equal(gone_take(t->db, &file, &track), 0);
	assert_int_equal(track, 0);

	file = add_file(t->db, 1, "same.mp3.part", 10, 20, 3);
	assert_int_equal(gone_take(t->db, &file, &track), 0);
	assert_int_equal(track, 0);

	assert_int_equal(sqlite3_exec(t->db, "DELETE FROM files", NULL,
				      NULL, NULL), SQLITE_OK);
	file = add_file(t->db, 1, "same.mp3", 10, 20, 3);
	assert_int_equal(gone_take(t->db, &file, &track), 0);
	assert_int_equal(file, 50);
	assert_int_equal(track, 60);

	file = add_file(t->db, 2, "renamed.mp3", 11, 21, 8);
	assert_int_equal(gone_take(t->db, &file, &track), 0);
	assert_int_equal(file, 51);
	assert_int_equal(track, 61);
}

struct seen {
	char sql[4][2048];
	int n;
};

static int trace(unsigned type, void *arg, void *p, void *x)
{
	struct seen *s = arg;
	const char *sql = sqlite3_sql(p);

	(void)type;
	(void)x;
	if (s->n < 4 && sql && strstr(sql, "FROM gone g WHERE") &&
	    strlen(sql) < sizeof(s->sql[0]))
		strcpy(s->sql[s->n++], sql);
	return 0;
}

/* Fail when the plan of sql has a SCAN. */
static void assert_no_scan(sqlite3 *db, const char *sql)
{
	char plan[4096];
	sqlite3_stmt *st;
	size_t used = 0;
	int rc;

	snprintf(plan, sizeof(plan), "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(db, plan, -1, &st, NULL),
			 SQLITE_OK);
	plan[0] = '\0';
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 3);

		used += (size_t)snprintf(plan + used, sizeof(plan) - used,
					 "%s\n", d ? d : "");
		assert_true(used < sizeof(plan));
	}
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(st);
	if (strstr(plan, "SCAN")) {
		fprintf(stderr, "a scan in the plan of\n%s\n%s", sql, plan);
		fail();
	}
}

/* The match gone_take() looks up (the statement reading gone g; the look
 * for any row stops at the first) is planned without a SCAN of any
 * table, with the store's statistics and without. */
static void test_plan_has_no_scan(void **state)
{
	struct testdb *t = *state;
	struct seen s = { .n = 0 };
	int64_t file, track;

	file = add_file(t->db, 1, "new.mp3", 5, 5, 5);
	assert_int_equal(sqlite3_trace_v2(t->db, SQLITE_TRACE_STMT, trace,
					  &s), SQLITE_OK);
	assert_int_equal(gone_take(t->db, &file, &track), 0);
	sqlite3_trace_v2(t->db, 0, NULL, NULL);
	assert_int_equal(track, 0);
	assert_true(s.n > 0);
	for (int i = 0; i < s.n; i++)
		assert_no_scan(t->db, s.sql[i]);
	assert_int_equal(sqlite3_exec(t->db, "ANALYZE", NULL, NULL, NULL),
			 SQLITE_OK);
	for (int i = 0; i < s.n; i++)
		assert_no_scan(t->db, s.sql[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_has_no_scan, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
