/*
 * common/db: what a failed call tells (the file it concerns, in the log
 * and to the error hook) and copies of a database made with the backup
 * API.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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

/* A copy holds every committed row, the ones still in the WAL too, and
 * is private whatever the umask. */
static void test_copy(void **state)
{
	struct env *e = *state;
	char to[128];
	struct stat st;
	mode_t old = umask(0);

	assert_int_equal(db_exec(e->db, "CREATE TABLE t (x);"
				 "INSERT INTO t VALUES (1), (2), (3);"), 0);
	snprintf(to, sizeof(to), "%s/copy.db", e->dir);
	assert_int_equal(db_copy(e->db, to), 0);
	umask(old);
	assert_int_equal(stat(to, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(testdb_int(to, "SELECT count(*) FROM t"), 3);

	/* A copy replaces what was at its name. */
	assert_int_equal(db_exec(e->db, "INSERT INTO t VALUES (4)"), 0);
	assert_int_equal(db_copy(e->db, to), 0);
	assert_int_equal(testdb_int(to, "SELECT count(*) FROM t"), 4);

	snprintf(to, sizeof(to), "%s/no/such/folder.db", e->dir);
	assert_true(db_copy(e->db, to) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_error_names_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
