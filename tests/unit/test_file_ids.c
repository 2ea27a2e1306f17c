/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A file's id is never given to another file (issue 67: a Subsonic
 * client keeps a song's id): not after the file with the highest id
 * left with no gone row kept, not across a restart of the writer, and
 * not, in a store migrated to version 47, an id kept in gone or starred
 * or played.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/db.h"
#include "indexer/library/gone.h"
#include "indexer/library/music.h"
#include "indexer/store/schema.h"
#include "indexer/store/writer.h"
#include "musicdb.h"
#include "testdb.h"

struct env {
	char dir[64];
	char db[96];
	int64_t root_id;
};

static int64_t query_int(const struct env *e, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(db_open(e->db, 1, &db), 0);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	db_close(db);
	return v;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	gone_set_keep(0);
	e->root_id = testdb_writer_start(e->dir, e->db, &music_writer_ops);
	assert_true(e->root_id > 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	testdb_writer_stop(e->dir);
	free(e);
	return 0;
}

/* Add the track a/name through the writer and return its file's id. */
static int64_t add(struct env *e, const char *name)
{
	char path[64], sql[128];
	struct music_rec *rec;

	snprintf(path, sizeof(path), "a/%s", name);
	rec = music_rec_new(MUSIC_FILE, path, strlen(path));
	assert_non_null(rec);
	rec->root_id = e->root_id;
	rec->size = 100;
	rec->mtime_ns = 1;
	rec->inode = 1;
	rec->kind = "flac";
	rec->parsed = 1;
	rec->tags.title = strdup(name);
	rec->tags.album = strdup("Album");
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	snprintf(sql, sizeof(sql), "SELECT id FROM files"
		 " WHERE CAST(name AS TEXT) = '%s'", name);
	return query_int(e, sql);
}

static void delete(struct env *e, int64_t id)
{
	struct music_rec *rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);

	assert_non_null(rec);
	rec->id = id;
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(query_int(e, "SELECT count(*) FROM gone"), 0);
	assert_int_equal(query_int(e, "SELECT max(id) FROM files") < id, 1);
}

/* The highest id leaves with no gone row; the next file gets a higher
 * one, before and after the writer closes and opens the store again. */
static void test_highest_id_not_given_again(void **state)
{
	struct env *e = *state;
	int64_t one, two, three, four;

	one = add(e, "1.flac");
	two = add(e, "2.flac");
	assert_true(two > one);
	delete(e, two);
	three = add(e, "3.flac");
	assert_true(three > two);

	delete(e, three);
	writer_stop();
	assert_int_equal(writer_start(e->db), 0);
	four = add(e, "4.flac");
	assert_true(four > three);
	assert_int_equal(query_int(e, "SELECT last FROM file_ids"), three);
}

/* Take the store back to version 46, before the file ids' counter (47),
 * the files' first_seen (48) and the checks' requests per source (49),
 * with sql run, and let the writer migrate it again. */
static void migrate_again(struct env *e, const char *sql)
{
	char undo[1536];
	sqlite3 *db;

	snprintf(undo, sizeof(undo), UNDO_IMAGE_CRCS UNDO_VERSION_52
		UNDO_VERSION_51
		 UNDO_VERSION_50 UNDO_VERSION_49 UNDO_VERSION_48
		 UNDO_VERSION_47 " DELETE FROM gone;"
		 " DELETE FROM subsonic_stars; DELETE FROM subsonic_plays;"
		 " %s PRAGMA user_version = 46", sql);
	writer_stop();
	assert_int_equal(db_open(e->db, 0, &db), 0);
	assert_int_equal(db_exec(db, undo), 0);
	db_close(db);
	assert_int_equal(writer_start(e->db), 0);
}

/* A store made before version 47 starts its count above the ids in its
 * files, gone, stars and plays, whichever is highest. */
static void test_migration_starts_above_every_id(void **state)
{
	static const char *const highest[] = {
		"INSERT INTO gone (file_id, track_id, root_id, dir, name, size,"
		" mtime_ns, inode, gone_at) VALUES (900, 900, 1, 'z', 'x', 1,"
		" 1, 1, 1.0);",
		"INSERT INTO subsonic_stars VALUES ('ann', 'song', 910, 1.0);",
		"INSERT INTO subsonic_plays VALUES ('ann', 920, 1, 1.0);",
	};
	struct env *e = *state;
	char name[16];
	int64_t file = add(e, "1.flac");

	for (size_t i = 0; i < sizeof(highest) / sizeof(*highest); i++) {
		migrate_again(e, highest[i]);
		assert_int_equal(query_int(e, "SELECT last FROM file_ids"),
				 900 + 10 * (int64_t)i);
		snprintf(name, sizeof(name), "%zu.flac", i + 2);
		file = add(e, name);
		assert_int_equal(file, 901 + 10 * (int64_t)i);
	}
	/* nothing but the files: the highest of them */
	migrate_again(e, "");
	assert_int_equal(query_int(e, "SELECT last FROM file_ids"), file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_highest_id_not_given_again, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_migration_starts_above_every_id, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
