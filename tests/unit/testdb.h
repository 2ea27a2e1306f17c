/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TEST_TESTDB_H
#define MEDIAMON_TEST_TESTDB_H

/*
 * A store of its own for the unit tests that need one: a fresh folder
 * under /tmp holding index.db, migrated to the current schema, and gone
 * with everything in it at the end.
 *
 *	cmocka_unit_test_setup_teardown(test_x, testdb_setup, testdb_teardown)
 *	...
 *	struct testdb *t = *state;	(t->db, t->dir, t->path)
 *
 * or, inside a test's own fixture, testdb_open(&e->t) / testdb_close(&e->t).
 */

#include <sqlite3.h>
#include <stdint.h>

struct writer_ops;

struct testdb {
	char dir[64];		/* the folder, /tmp/mediamon-test-XXXXXX */
	char path[96];		/* DIR/index.db */
	sqlite3 *db;		/* open on it, read-write */
};

/* Make the folder and the store in *t. Returns 0 or -1. */
int testdb_open(struct testdb *t);

/* Close the store and remove the folder. */
void testdb_close(struct testdb *t);

/* cmocka fixtures: a calloc'd struct testdb, opened, as *state. */
int testdb_setup(void **state);
int testdb_teardown(void **state);

/*
 * The same, with sql run on the store first (its rows), and the reads
 * of the calling thread (indexer/store/reader.h) set on it; the teardown
 * closes them too.
 */
int testdb_reader_setup(void **state, const char *sql);
int testdb_reader_teardown(void **state);

/*
 * For the tests of what the writer stores: a fresh folder in dir (64
 * bytes), the writer started with ops on the store DIR/index.db (its
 * path in path, 96 bytes), and a music root at DIR/music, made. Returns
 * the root's id, or -1.
 */
int64_t testdb_writer_start(char *dir, char *path,
			    const struct writer_ops *ops);

/* Stop the writer and remove dir with what it holds. */
void testdb_writer_stop(const char *dir);

/*
 * The first column of the first row sql gives on the database at path,
 * through a read connection of its own; -1 when there is none or on an
 * error.
 */
int64_t testdb_int(const char *path, const char *sql);

#endif
