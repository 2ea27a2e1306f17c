/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The histories the charts draw, read by the domain whose table it is:
 * the scans that ended, the checks and repair passes that finished,
 * oldest first, NULL figures as NAN, and no more than HISTORY_ROWS.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "common/db.h"
#include "indexer/reads.h"
#include "testdb.h"

static int setup(void **state)
{
	return testdb_reader_setup(state, "");
}

static int teardown(void **state)
{
	return testdb_reader_teardown(state);
}

/* Run sql on the test's store, which the reads must then see. */
static void exec(void **state, const char *sql)
{
	struct testdb *t = *state;

	assert_int_equal(db_exec(t->db, sql), 0);
}

static void test_empty(void **state)
{
	struct history h = { .nr = -1 };

	(void)state;
	assert_int_equal(scan_history_read(&h), 0);
	assert_int_equal(h.nr, 0);
	assert_int_equal(monitor_checks_history(&h), 0);
	assert_int_equal(h.nr, 0);
	assert_int_equal(rd_passes_history(&h), 0);
	assert_int_equal(h.nr, 0);
}

/* A scan running (success NULL) is left out; a scan of 0 s has no rate;
 * a full scan is marked. */
static void test_scans(void **state)
{
	struct history h;

	exec(state, "INSERT INTO scans (id, trigger, scope, started_at,"
	     " duration_s, files_seen, success) VALUES"
	     " (3, 'startup', 'full', 300, 4, 100, 1),"
	     " (5, 'watch', 'quick', 500, 0, 7, 0),"
	     " (7, 'manual', 'quick', 700, 2, 10, 1),"
	     " (9, 'manual', 'full', 900, NULL, 0, NULL)");
	assert_int_equal(scan_history_read(&h), 0);
	assert_int_equal(h.nr, 3);
	assert_int_equal(h.id[0], 3);
	assert_int_equal(h.id[1], 5);
	assert_int_equal(h.id[2], 7);
	assert_true(h.started[0] == 300 && h.started[2] == 700);
	assert_true(h.value[SCAN_HISTORY_RATE][0] == 25);
	assert_true(isnan(h.value[SCAN_HISTORY_RATE][1]));
	assert_true(h.value[SCAN_HISTORY_RATE][2] == 5);
	assert_true(h.value[SCAN_HISTORY_DURATION][0] == 4);
	assert_true(h.value[SCAN_HISTORY_DURATION][2] == 2);
	assert_true(h.value[SCAN_HISTORY_FULL][0] == 1);
	assert_true(h.value[SCAN_HISTORY_FULL][1] == 0);
	assert_true(h.value[SCAN_HISTORY_FULL][2] == 0);
}

static void test_checks(void **state)
{
	struct history h;

	exec(state, "INSERT INTO checks (id, kind, trigger, started_at,"
	     " finished_at, wanted, found, sent, failed, completed,"
	     " imported, download_failed) VALUES"
	     " (1, 'missing', 'timer', 10, 11, 9, 4, 3, 1, 2, 2, 1),"
	     " (2, 'new', 'manual', 20, NULL, 5, 5, 5, 5, 5, 5, 5),"
	     " (4, 'new', 'timer', 40, 41, 6, 0, 0, 0, 0, 0, 0)");
	assert_int_equal(monitor_checks_history(&h), 0);
	assert_int_equal(h.nr, 2);
	assert_int_equal(h.id[0], 1);
	assert_int_equal(h.id[1], 4);
	assert_true(h.started[1] == 40);
	assert_true(h.value[MONITOR_CHECK_WANTED][0] == 9);
	assert_true(h.value[MONITOR_CHECK_FOUND][0] == 4);
	assert_true(h.value[MONITOR_CHECK_SENT][0] == 3);
	assert_true(h.value[MONITOR_CHECK_FAILED][0] == 1);
	assert_true(h.value[MONITOR_CHECK_COMPLETED][0] == 2);
	assert_true(h.value[MONITOR_CHECK_IMPORTED][0] == 2);
	assert_true(h.value[MONITOR_CHECK_DOWNLOAD_FAILED][0] == 1);
	assert_true(h.value[MONITOR_CHECK_WANTED][1] == 6);
}

/* Only the newest HISTORY_ROWS passes, still oldest first. */
static void test_passes_newest(void **state)
{
	struct history h;
	char sql[256];

	for (int i = 1; i <= HISTORY_ROWS + 20; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO rd_passes (id, kind,"
			 " trigger, dry_run, started_at, finished_at,"
			 " repaired, failed) VALUES (%d, 'repair', 'timer',"
			 " 0, %d, %d, %d, %d)", i, i * 10, i * 10 + 1, i,
			 i % 3);
		exec(state, sql);
	}
	exec(state, "INSERT INTO rd_passes (id, kind, trigger, dry_run,"
	     " started_at) VALUES (999, 'repair', 'manual', 0, 9990)");
	assert_int_equal(rd_passes_history(&h), 0);
	assert_int_equal(h.nr, HISTORY_ROWS);
	assert_int_equal(h.id[0], 21);
	assert_int_equal(h.id[HISTORY_ROWS - 1], HISTORY_ROWS + 20);
	assert_true(h.started[0] == 210);
	assert_true(h.value[RD_PASS_REPAIRED][0] == 21);
	assert_true(h.value[RD_PASS_FAILED][0] == 0);
	assert_true(h.value[RD_PASS_REPAIRED][HISTORY_ROWS - 1] ==
		    HISTORY_ROWS + 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passes_newest, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
