/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/db.h"
#include "indexer/store/reader.h"
#include "indexer/store/schema.h"
#include "indexer/store/writer.h"
#include "testdb.h"

int testdb_open(struct testdb *t)
{
	memset(t, 0, sizeof(*t));
	strcpy(t->dir, "/tmp/mediamon-test-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/index.db", t->dir);
	if (db_open(t->path, 0, &t->db) || schema_migrate(t->db)) {
		testdb_close(t);
		return -1;
	}
	return 0;
}

/* The folder goes by rm -rf, since a test may leave backups or a WAL in
 * it. */
void testdb_close(struct testdb *t)
{
	char cmd[128];

	if (t->db)
		db_close(t->db);
	t->db = NULL;
	if (!t->dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd))
		fprintf(stderr, "testdb: could not remove %s\n", t->dir);
}

int testdb_setup(void **state)
{
	struct testdb *t = calloc(1, sizeof(*t));

	if (!t || testdb_open(t)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

int testdb_teardown(void **state)
{
	testdb_close(*state);
	free(*state);
	return 0;
}

/* The reads under test run on this thread's read connection. */
int testdb_reader_setup(void **state, const char *sql)
{
	struct testdb *t;

	if (testdb_setup(state))
		return -1;
	t = *state;
	if (db_exec(t->db, sql) || reader_init(t->path))
		return -1;
	return 0;
}

int testdb_reader_teardown(void **state)
{
	reader_close();
	return testdb_teardown(state);
}

struct root {
	char path[80];
	int64_t id;
};

/* A writer_call() function: the root r, its path a blob as the scan
 * stores it. */
static int add_root(sqlite3 *db, void *arg)
{
	struct root *r = arg;
	sqlite3_stmt *st;
	int rc = db_prepare(db, "INSERT INTO roots (kind, path)"
			    " VALUES ('music', ?1)", &st);

	if (rc)
		return rc;
	sqlite3_bind_blob(st, 1, r->path, strlen(r->path), SQLITE_STATIC);
	rc = db_finalize(st, sqlite3_step(st), "add root");
	r->id = rc ? -1 : sqlite3_last_insert_rowid(db);
	return rc;
}

int64_t testdb_writer_start(char *dir, char *path,
			    const struct writer_ops *ops)
{
	struct root r = { .id = -1 };

	strcpy(dir, "/tmp/mediamon-test-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, 96, "%s/index.db", dir);
	snprintf(r.path, sizeof(r.path), "%s/music", dir);
	if (mkdir(r.path, 0755) || writer_register(ops) || writer_start(path))
		return -1;
	writer_call(add_root, &r);
	return r.id;
}

void testdb_writer_stop(const char *dir)
{
	char cmd[128];

	writer_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "testdb: could not remove %s\n", dir);
}

int64_t testdb_int(const char *path, const char *sql)
{
	sqlite3_stmt *st;
	sqlite3 *db;
	int64_t n = -1;

	if (db_open(path, 1, &db))
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	db_close(db);
	return n;
}
