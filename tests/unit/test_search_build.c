/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A first scan's search index built aside (search_build.c) and taken
 * into the store at the end of its bulk load (schema_make_bulk_indexes()):
 * the rows FTS5's 'rebuild' gives, read afresh by the writer's FTS5
 * after, the file aside removed; when it cannot be built or taken, the
 * index rebuilt in the store.
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
#include "indexer/library/music.h"
#include "indexer/library/search_build.h"
#include "indexer/store/schema.h"
#include "indexer/store/writer.h"
#include "musicdb.h"

#define TRACKS 400

/* How many tracks the search index finds for an FTS5 query. */
static int64_t fts_count(struct musicdb *e, const char *match)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM tracks_fts"
		 " WHERE tracks_fts MATCH '%s'", match);
	return musicdb_int(e->db, sql);
}

/* A bulk load of TRACKS tracks into the empty store, of ten artists and
 * as many albums, committed, its end not made yet. */
static void bulk_load(struct musicdb *e)
{
	char path[32], name[32];

	assert_int_equal(writer_call(music_bulk_begin, NULL), 0);
	for (int i = 0; i < TRACKS; i++) {
		struct music_rec *rec;

		snprintf(path, sizeof(path), "a%d/%d.flac", i % 10, i);
		rec = musicdb_rec(e, MUSIC_FILE, path, 0, 1, 100 + i);
		rec->wr.bulk = 1;
		snprintf(name, sizeof(name), "Song w%d Caf\xc3\xa9", i);
		rec->tags.title = strdup(name);
		snprintf(name, sizeof(name), "Singer%d", i % 10);
		rec->tags.artist = strdup(name);
		snprintf(name, sizeof(name), "Record%d", i % 10);
		rec->tags.album = strdup(name);
		writer_put(&rec->wr);
	}
	writer_call(NULL, NULL);
}

/* FTS5's own check of the index against the tracks: 0 when it holds. */
static int integrity(void)
{
	return writer_call(musicdb_exec, "INSERT INTO tracks_fts"
			   " (tracks_fts, rank) VALUES ('integrity-check', 1)");
}

/* The rows of the index that a rebuild would not give, or gives and the
 * index has not: 0 when it is the one 'rebuild' makes. */
static int64_t unlike_rebuild(struct musicdb *e)
{
	assert_int_equal(writer_call(musicdb_exec,
		"CREATE TABLE kept_data AS SELECT * FROM tracks_fts_data;"
		"CREATE TABLE kept_idx AS SELECT * FROM tracks_fts_idx;"
		"CREATE TABLE kept_docsize AS"
		" SELECT * FROM tracks_fts_docsize;"
		"INSERT INTO tracks_fts (tracks_fts) VALUES ('rebuild')"), 0);
	return musicdb_int(e->db, "SELECT"
		" (SELECT count(*) FROM (SELECT * FROM kept_data EXCEPT"
		" SELECT * FROM tracks_fts_data)) +"
		" (SELECT count(*) FROM (SELECT * FROM tracks_fts_data EXCEPT"
		" SELECT * FROM kept_data)) +"
		" (SELECT count(*) FROM (SELECT * FROM kept_idx EXCEPT"
		" SELECT * FROM tracks_fts_idx)) +"
		" (SELECT count(*) FROM (SELECT * FROM tracks_fts_idx EXCEPT"
		" SELECT * FROM kept_idx)) +"
		" (SELECT count(*) FROM (SELECT * FROM kept_docsize EXCEPT"
		" SELECT * FROM tracks_fts_docsize)) +"
		" (SELECT count(*) FROM (SELECT * FROM tracks_fts_docsize"
		" EXCEPT SELECT * FROM kept_docsize))");
}

static int exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/* The build aside, on the writer: its tracks seen in its file, which
 * its end removes. */
static int build_and_look(sqlite3 *db, void *arg)
{
	struct musicdb *e = arg;
	struct search_build *b = search_build_start(db);
	sqlite3_int64 n = -1;
	char aside[128];

	assert_non_null(b);
	assert_int_equal(search_build_attach(db, b), 0);
	assert_int_equal(db_one_int(db, "count", "SELECT count(*) FROM "
				    SCHEMA_SEARCH_ASIDE ".tracks_fts_docsize",
				    NULL, 0, &n), 0);
	assert_int_equal(n, TRACKS);
	snprintf(aside, sizeof(aside), "%s-search", e->db);
	assert_true(exists(aside));
	search_build_end(db, b);
	assert_false(exists(aside));
	return 0;
}

/* The index a bulk load's end takes from aside is the one 'rebuild'
 * makes; the file is gone after it; a build after another starts anew
 * from what a crash could have left at its name. */
static void test_built_aside_as_rebuilt(void **state)
{
	struct musicdb *e = *state;
	char aside[128];

	bulk_load(e);
	snprintf(aside, sizeof(aside), "%s-search", e->db);
	musicdb_write(aside, "left by a crash");
	assert_int_equal(writer_call(build_and_look, e), 0);
	assert_int_equal(writer_call(music_bulk_end, NULL), 0);
	assert_false(exists(aside));
	assert_int_equal(integrity(), 0);
	assert_int_equal(fts_count(e, "singer3"), TRACKS / 10);
	assert_int_equal(fts_count(e, "cafe"), TRACKS);
	assert_int_equal(fts_count(e, "w17"), 1);
	assert_int_equal(unlike_rebuild(e), 0);
}

/* After the end, the writer's own FTS5 reads the index it took, not what
 * it had read before: tracks added, changed and deleted then are found
 * as they are, and the index holds; the queue's count, moved once at
 * the end, follows the tracks queued and gone after it. */
static void test_written_after_it(void **state)
{
	struct musicdb *e = *state;
	struct music_rec *rec;

	/* the writer's FTS5 reads the empty index first */
	assert_int_equal(fts_count(e, "singer3"), 0);
	assert_int_equal(integrity(), 0);
	bulk_load(e);
	assert_int_equal(writer_call(music_bulk_end, NULL), 0);
	musicdb_put_track(e, "late/1.flac", "Latecomer", "Singer3", NULL,
			  "Record3", 9);
	writer_call(musicdb_exec, "UPDATE tracks SET title = 'Renamed'"
		    " WHERE id = (SELECT min(id) FROM tracks)");
	rec = music_rec_new(MUSIC_DELETE_FILE, "", 0);
	rec->id = musicdb_int(e->db, "SELECT max(id) FROM files WHERE"
			      " name = CAST('5.flac' AS BLOB)");
	writer_put(&rec->wr);
	writer_call(NULL, NULL);
	assert_int_equal(integrity(), 0);
	assert_int_equal(fts_count(e, "latecomer"), 1);
	assert_int_equal(fts_count(e, "renamed"), 1);
	assert_int_equal(fts_count(e, "cafe"), TRACKS - 2);
	assert_int_equal(fts_count(e, "w5"), 0);
	assert_int_equal(fts_count(e, "singer3"), TRACKS / 10 + 1);
	/* the end queued every track at once, and counts those after */
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " analysis_queue"), TRACKS);
	assert_int_equal(musicdb_int(e->db, "SELECT n FROM totals WHERE"
				     " name = 'analysis_queued'"), TRACKS);
}

/* No build aside when its file's name is taken by what is not a file:
 * the index is rebuilt in the store, and the folder stays. */
static void test_no_build_rebuilt(void **state)
{
	struct musicdb *e = *state;
	char aside[128];

	bulk_load(e);
	snprintf(aside, sizeof(aside), "%s-search", e->db);
	assert_int_equal(mkdir(aside, 0755), 0);
	assert_int_equal(writer_call(music_bulk_end, NULL), 0);
	assert_true(exists(aside));
	assert_int_equal(rmdir(aside), 0);
	assert_int_equal(integrity(), 0);
	assert_int_equal(fts_count(e, "singer7"), TRACKS / 10);
	assert_int_equal(unlike_rebuild(e), 0);
}

/* An attached database that holds no index. */
static int attach_empty(sqlite3 *db, void *unused)
{
	(void)unused;
	return db_exec(db, "ATTACH ':memory:' AS " SCHEMA_SEARCH_ASIDE);
}

static int make_from_empty(sqlite3 *db, void *unused)
{
	struct schema_bulk_search from = { attach_empty, NULL };

	(void)unused;
	return schema_make_bulk_indexes(db, &from);
}

static int end_from_empty(sqlite3 *db, void *unused)
{
	int rc = db_transaction(db, make_from_empty, unused);

	db_exec(db, "DETACH " SCHEMA_SEARCH_ASIDE);
	return rc;
}

/* Rows aside that cannot be taken: the index is rebuilt in the store. */
static void test_not_taken_rebuilt(void **state)
{
	struct musicdb *e = *state;

	bulk_load(e);
	assert_int_equal(writer_call(end_from_empty, NULL), 0);
	assert_int_equal(integrity(), 0);
	assert_int_equal(fts_count(e, "record1"), TRACKS / 10);
	assert_int_equal(unlike_rebuild(e), 0);
	assert_int_equal(musicdb_int(e->db, "SELECT count(*) FROM"
				     " analysis_queue"), TRACKS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MUSICDB_TEST(test_built_aside_as_rebuilt),
		MUSICDB_TEST(test_written_after_it),
		MUSICDB_TEST(test_no_build_rebuilt),
		MUSICDB_TEST(test_not_taken_rebuilt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
