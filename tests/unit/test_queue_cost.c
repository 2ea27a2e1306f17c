/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a commit of new tracks costs (issue 76): the analysis queue's
 * statement (music.c) and the search rows' (search_index.c) look each
 * id of the batch up, whatever the library holds, even under the
 * statistics of a store that was small when they were taken (PRAGMA
 * optimize at the writer's close): by the queue's query plan, and by the
 * steps a commit's statements over the batch take at two sizes of the
 * library.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/db.h"
#include "indexer/library/music_private.h"
#include "indexer/store/writer.h"
#include "musicdb.h"

/* The batch: ids 1 to 50, as music_commit() gives them. */
static char batch[512];

/* Tracks from[0] to from[1], each with a file of its own, in the store,
 * none queued (for writer_call()). */
static int fill(sqlite3 *db, void *arg)
{
	const int *from = arg;
	char *sql = sqlite3_mprintf(
		"INSERT OR IGNORE INTO directories (root_id, path, mtime_ns)"
		" VALUES (1, 'd', 0);"
		"WITH RECURSIVE n(i) AS (SELECT %d UNION ALL SELECT i + 1"
		" FROM n WHERE i < %d) INSERT INTO files (id, root_id,"
		" dir_id, name, size, mtime_ns, inode, kind, uid)"
		" SELECT i, 1, (SELECT max(id) FROM directories),"
		" CAST(i AS TEXT), 1, 1, i, 'mp3', i %% 3 FROM n;"
		"INSERT INTO tracks (id, file_id, title)"
		" SELECT id, id, 't' || id FROM files WHERE id >= %d;"
		"DELETE FROM analysis_queue;", from[0], from[1], from[0]);
	int rc;

	assert_non_null(sql);
	rc = db_exec(db, sql);
	sqlite3_free(sql);
	return rc;
}

/* The query plan of the queue's statement, one line a step, into arg
 * (1024 bytes). */
static int plan(sqlite3 *db, void *arg)
{
	char *out = arg, *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s",
		sqlite3_sql(music_m.st[ST_QUEUE_ADDED]));
	sqlite3_stmt *st;

	assert_non_null(sql);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
			 SQLITE_OK);
	*out = '\0';
	while (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out + strlen(out), 1024 - strlen(out), "%s\n",
			 (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return 0;
}

/* The virtual machine's steps of the queue's statement on the batch
 * into *arg (int), its rows then taken out again. */
static int steps(sqlite3 *db, void *arg)
{
	sqlite3_stmt *st = music_m.st[ST_QUEUE_ADDED];

	assert_int_equal(db_exec(db, "SAVEPOINT cost"), 0);
	sqlite3_bind_text(st, 1, batch, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	*(int *)arg = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 1);
	sqlite3_reset(st);
	assert_int_equal(sqlite3_changes(db), 50);
	return db_exec(db, "ROLLBACK TO cost; RELEASE cost");
}

/* The batch drives the plan: each id a look-up of its track and file,
 * no scan of either. */
static void assert_looked_up(const char *p)
{
	assert_true(strstr(p, "SCAN j") == p);
	assert_non_null(strstr(p, "SEARCH t USING INTEGER PRIMARY KEY"));
	assert_non_null(strstr(p, "SEARCH f USING INTEGER PRIMARY KEY"));
	assert_null(strstr(p, "SCAN t"));
	assert_null(strstr(p, "SCAN f"));
}

static void test_plan_per_id(void **state)
{
	int young[2] = { 1, 100 }, grown[2] = { 101, 3000 };
	char p[1024];

	(void)state;
	assert_int_equal(writer_call(fill, young), 0);
	assert_int_equal(writer_call(plan, p), 0);
	assert_looked_up(p);
	/* the statistics of the young store, kept while it grows */
	assert_int_equal(writer_call(musicdb_exec, "ANALYZE"), 0);
	assert_int_equal(writer_call(fill, grown), 0);
	assert_int_equal(writer_call(plan, p), 0);
	assert_looked_up(p);
	assert_int_equal(writer_call(musicdb_exec, "ANALYZE"), 0);
	assert_int_equal(writer_call(plan, p), 0);
	assert_looked_up(p);
}

/* The same batch costs the same steps in a library 50 times larger. */
static void test_queue_cost(void **state)
{
	int young[2] = { 1, 100 }, grown[2] = { 101, 5000 }, before, after;

	(void)state;
	assert_int_equal(writer_call(fill, young), 0);
	assert_int_equal(writer_call(musicdb_exec, "ANALYZE"), 0);
	assert_int_equal(writer_call(steps, &before), 0);
	assert_int_equal(writer_call(fill, grown), 0);
	assert_int_equal(writer_call(steps, &after), 0);
	assert_true(before > 0);
	assert_int_equal(after, before);
}

/* The steps of the statements over a batch (json_each) that the
 * writer's commits ran since the last read. */
static int batch_steps;

static int profile(unsigned type, void *ctx, void *p, void *x)
{
	sqlite3_stmt *st = p;
	const char *sql = sqlite3_sql(st);

	(void)ctx;
	(void)x;
	if (type == SQLITE_TRACE_PROFILE && sql && strstr(sql, "json_each"))
		batch_steps += sqlite3_stmt_status(st,
			SQLITE_STMTSTATUS_VM_STEP, 1);
	return 0;
}

static int trace(sqlite3 *db, void *arg)
{
	(void)arg;
	sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, profile, NULL);
	return 0;
}

/* 20 tracks put through the writer in one batch, so that one commit
 * takes them all, named by n; the steps of its statements over them. */
static int commit_steps(struct musicdb *e, int n)
{
	struct writer_batch b = WRITER_BATCH_INIT;
	struct music_rec *rec;
	char path[64];

	writer_call(NULL, NULL);
	batch_steps = 0;
	for (int i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), "b%d/%02d.flac", n, i);
		rec = musicdb_rec(e, MUSIC_FILE, path, 0, 1, 100000 * n + i);
		rec->tags.title = strdup("Song");
		rec->tags.artist = strdup("Artist");
		rec->tags.album = strdup("Album");
		rec->tags.track = i + 1;
		writer_batch_add(&b, &rec->wr);
	}
	writer_batch_flush(&b);
	writer_call(NULL, NULL);
	return batch_steps;
}

/* A whole commit of new tracks (music_commit()): its statements over
 * the batch cost the same in a library 50 times larger. */
static void test_commit_cost(void **state)
{
	int young[2] = { 1, 100 }, grown[2] = { 1001, 6000 }, before, after;

	assert_int_equal(writer_call(fill, young), 0);
	assert_int_equal(writer_call(musicdb_exec, "ANALYZE"), 0);
	assert_int_equal(writer_call(trace, NULL), 0);
	commit_steps(*state, 1);
	before = commit_steps(*state, 2);
	assert_int_equal(writer_call(fill, grown), 0);
	after = commit_steps(*state, 3);
	assert_true(before > 0);
	assert_int_equal(after, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		MUSICDB_TEST(test_plan_per_id),
		MUSICDB_TEST(test_queue_cost),
		MUSICDB_TEST(test_commit_cost),
	};

	for (int i = 1; i <= 50; i++)
		snprintf(batch + strlen(batch), sizeof(batch) - strlen(batch),
			 "%s%d", i > 1 ? "," : "[", i);
	strcat(batch, "]");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
