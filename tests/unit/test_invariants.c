/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The rules ARCHITECTURE.md states in prose, asserted where they can be
 * checked cheaply, fire: one writer thread (a commit on the writer's
 * connection from another thread while it runs), fs never writes the
 * store (a write prepared on a read connection), a virtual file rendered
 * once per open (a second rendering kept over a handle's first). Each
 * breach runs in a child of its own, which must end on SIGABRT; the same
 * work done the allowed way must end well.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/strbuf.h"
#include "fs/tree/open_caps.h"
#include "indexer/store/reader.h"
#include "indexer/store/writer.h"
#include "testdb.h"

/* How fn(arg) ended in a child: the signal that ended it, 0 when it
 * returned, or -1 when it could not do its part (exit 3). */
static int in_child(void (*fn)(const char *), const char *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		fn(arg);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	return WEXITSTATUS(status) ? -1 : 0;
}

/* A domain that keeps the connection the writer opens for it, as a bug
 * would, and writes nothing of its own. */
static sqlite3 *kept_db;

static void keep_start(sqlite3 *db)
{
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS kept (v INTEGER)"))
		_exit(3);
}

static int keep_open(sqlite3 *db)
{
	kept_db = db;
	return 0;
}

static int keep_apply(const struct writer_rec *rec)
{
	(void)rec;
	return 0;
}

static void keep_release(struct writer_rec *rec)
{
	(void)rec;
}

static const struct writer_ops keep_ops = {
	.start = keep_start,
	.open = keep_open,
	.apply = keep_apply,
	.release = keep_release,
};

static void start_writer(const char *dir)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/index.db", dir);
	if (writer_register(&keep_ops) || writer_start(path) || !kept_db)
		_exit(3);
}

/* The breach: the writer's connection written from this thread. */
static void write_beside_writer(const char *dir)
{
	start_writer(dir);
	db_exec(kept_db, "INSERT INTO kept VALUES (1)");
	writer_stop();
}

static int insert_kept(sqlite3 *db, void *unused)
{
	(void)unused;
	return db_exec(db, "INSERT INTO kept VALUES (2)");
}

/* The allowed way: the same write through writer_call(). */
static void write_through_writer(const char *dir)
{
	start_writer(dir);
	if (writer_call(insert_kept, NULL))
		_exit(3);
	writer_stop();
}

static void test_one_writer_thread(void **state)
{
	char dir[] = "/tmp/mediamon-test-XXXXXX", cmd[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(in_child(write_through_writer, dir), 0);
	assert_int_equal(in_child(write_beside_writer, dir), SIGABRT);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* The breach: a statement that writes the store prepared on a read
 * connection, as fs's are. */
static void write_through_reader(const char *path)
{
	sqlite3_stmt *st;

	if (reader_init(path))
		_exit(3);
	reader_prepare("INSERT INTO t VALUES (2)", "insert", &st);
	reader_close();
}

/* The allowed ways: a read, and a table of temp's own. */
static void read_through_reader(const char *path)
{
	sqlite3_stmt *st;

	if (reader_init(path) ||
	    reader_prepare("SELECT v FROM t", "read", &st))
		_exit(3);
	reader_done(st);
	if (db_exec(reader_db(), "CREATE TEMP TABLE mine (v INTEGER);"
		    " INSERT INTO mine VALUES (1)"))
		_exit(3);
	reader_close();
}

static void test_readers_never_write(void **state)
{
	struct testdb t;

	(void)state;
	assert_int_equal(testdb_open(&t), 0);
	assert_int_equal(db_exec(t.db, "CREATE TABLE t (v INTEGER);"
				 " INSERT INTO t VALUES (1)"), 0);
	assert_int_equal(in_child(read_through_reader, t.path), 0);
	assert_int_equal(in_child(write_through_reader, t.path), SIGABRT);
	testdb_close(&t);
}

/* A handle's rendering, kept at its open (and once more when twice). */
static void keep_renderings(const char *times)
{
	struct open_caps_text kept = { 0 };

	for (int i = 0; i < atoi(times); i++) {
		struct strbuf text = STRBUF_INIT;

		strbuf_addstr(&text, "status: ok\n");
		open_caps_keep(&text, &kept);
	}
	open_caps_unkeep(&kept);
}

static void test_rendered_once_per_open(void **state)
{
	(void)state;
	assert_int_equal(in_child(keep_renderings, "1"), 0);
	assert_int_equal(in_child(keep_renderings, "2"), SIGABRT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_writer_thread),
		cmocka_unit_test(test_readers_never_write),
		cmocka_unit_test(test_rendered_once_per_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
