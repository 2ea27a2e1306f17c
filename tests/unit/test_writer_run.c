/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One statement run on the writer thread (indexer/store/writer_run.h):
 * its parameters bound in order, queued or urgent; a statement that
 * does not prepare, or a parameter past its last, is -EIO and writes
 * nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "indexer/store/writer.h"
#include "indexer/store/writer_run.h"
#include "testdb.h"

static void test_writer_run(void **state)
{
	static const char *const rows[] = {
		"SELECT count(*) = 2 FROM notes",
		"SELECT count(*) FROM notes WHERE i = 5000000000 AND s = 'x'"
		" AND d = 1.5",
		"SELECT count(*) FROM notes WHERE i = 2 AND s IS NULL",
	};
	struct testdb *t = *state;

	assert_int_equal(sqlite3_exec(t->db, "CREATE TABLE notes (i, s, d)",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(writer_start(t->path), 0);
	assert_int_equal(writer_run("add", "INSERT INTO notes VALUES"
				    " (?1, ?2, ?3)",
				    DB_ARGS(DB_INT(5000000000LL),
					    DB_TEXT("x"), DB_REAL(1.5))), 0);
	assert_int_equal(writer_run_urgent("add", "INSERT INTO notes"
					   " VALUES (?1, ?2, NULL)",
					   DB_ARGS(DB_INT(2),
						   DB_TEXT(NULL))), 0);
	assert_int_equal(writer_run("add", "INSERT INTO nowhere VALUES (?1)",
				    DB_ARGS(DB_INT(1))), -EIO);
	assert_int_equal(writer_run_urgent("add", "INSERT INTO notes VALUES"
					   " (?1, NULL, NULL)",
					   DB_ARGS(DB_INT(3), DB_INT(4))),
			 -EIO);
	writer_stop();
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++)
		assert_int_equal(testdb_int(t->path, rows[i]), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_writer_run, testdb_setup,
						testdb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
