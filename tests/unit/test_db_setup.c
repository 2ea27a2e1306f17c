/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * SQLite's process settings (db_setup()) hold whichever part of the
 * daemon opens a connection first: at a start that is the store's check
 * (storefile_damaged()), not db_open(). Alone in its process, so that
 * nothing else started SQLite before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/db.h"
#include "indexer/store/storefile.h"

static void test_first_open_sets_up(void **state)
{
	sqlite3_int64 used = -1, peak = -1;
	sqlite3 *db;

	(void)state;
	/* a store that is not there: the check fails, SQLite has started */
	assert_true(storefile_damaged("/nonexistent/mediamon/index.db",
				      NULL) < 0);
	assert_int_equal(db_setup(), 0);
	assert_int_equal(db_open(":memory:", 0, &db), 0);
	/* one thread a connection: SQLite keeps no lock of its own for it */
	assert_null(sqlite3_db_mutex(db));
	assert_int_equal(db_exec(db, "CREATE TABLE t (x); INSERT INTO t"
				 " VALUES (randomblob(100000))"), 0);
	/* no memory statistics: nothing counted */
	assert_int_equal(sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &used,
					  &peak, 0), SQLITE_OK);
	assert_int_equal(used, 0);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_open_sets_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
