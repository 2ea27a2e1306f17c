#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"

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
		if (strstr(line, " database: ") && strstr(line, " database: ") <
		    end) {
			strbuf_add(out, line, end + 1 - line);
			n++;
		}
	}
	strbuf_release(&ring);
	return n;
}

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v;

	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1,
					    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A new store says once that it was made, at which version. */
static void test_new_store_one_line(void **state)
{
	struct strbuf lines = STRBUF_INIT;
	sqlite3 *db;

	(void)state;
	assert_int_equal(db_open(":memory:", 0, &db), 0);
	assert_int_equal(db_migrate(db, steps, NR_STEPS), 0);
	assert_int_equal(user_version(db), 3);
	assert_int_equal(database_lines(&lines), 1);
	assert_non_null(strstr(lines.buf, "info: database: created at"
			       " version 3\n"));
	/* up to date: nothing to say */
	assert_int_equal(db_migrate(db, steps, NR_STEPS), 0);
	assert_int_equal(database_lines(&lines), 1);
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
	assert_non_null(strstr(lines.buf, "error: database: migration to"
			       " version 2 failed\n"));
	assert_null(strstr(lines.buf, "created at version 2"));
	db_close(db);
	strbuf_release(&lines);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_store_one_line),
		cmocka_unit_test(test_old_store_from_to),
		cmocka_unit_test(test_failed_step),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
