/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The analysed tracks' rows kept for a generation of the store: the same
 * rows the store gives, in the order asked, tracks not analysed or
 * unknown left out; kept while the generation stands, made again after
 * it moves; a callback's stop handed back; the tracks most like one
 * ranked from the kept vectors as the store ranks them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/db.h"
#include "indexer/analysis/analysis.h"
#include "common/strbuf.h"
#include "indexer/analysis/playlist_reads.h"
#include "indexer/analysis/playlist_rows.h"
#include "tests/unit/testdb.h"

/* Tracks 10, 11 and 13 analysed (11 and 13 without loudness), 12 not;
 * their vectors are set by set_vectors(). */
static const char rows[] =
	"INSERT INTO roots (id, kind, path) VALUES (1, 'music', '/m');"
	"INSERT INTO directories (id, root_id, path, mtime_ns)"
	" VALUES (1, 1, '', 0);"
	"INSERT INTO files (id, root_id, dir_id, name, size, mtime_ns,"
	" inode, kind) VALUES (1, 1, 1, 'a.flac', 1, 1, 1, 'flac'),"
	" (2, 1, 1, 'b.flac', 1, 1, 2, 'flac'),"
	" (3, 1, 1, 'c.flac', 1, 1, 3, 'flac'),"
	" (4, 1, 1, 'd.flac', 1, 1, 4, 'flac');"
	"INSERT INTO artists (id, name) VALUES (1, 'Daft Punk');"
	"INSERT INTO tracks (id, file_id, title, artist_id, duration_s)"
	" VALUES (10, 1, 'One', 1, 61.5), (11, 2, 'Two', NULL, NULL),"
	" (12, 3, 'Three', 1, 3), (13, 4, 'Four', 1, 4);"
	"INSERT INTO analysis (track_id, state, analysed_at, loudness_lufs)"
	" VALUES (10, 'ok', 0, -9.25), (11, 'ok', 0, NULL),"
	" (13, 'ok', 0, NULL);"
	"INSERT INTO analysis (track_id, state, error, analysed_at)"
	" VALUES (12, 'failed', 'damaged', 0);";

/* Track 10's vector along the first axis, 13's closer to it than 11's. */
static int set_vector(sqlite3 *db, int64_t track, float x, float y)
{
	float v[ANALYSIS_VECTOR_LEN] = { x, y };
	sqlite3_stmt *st;
	int rc = db_prepare(db, "UPDATE analysis SET vector = ?2"
			    " WHERE track_id = ?1", &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, track);
	sqlite3_bind_blob(st, 2, v, sizeof(v), SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

static int setup(void **state)
{
	struct testdb *t;

	if (testdb_reader_setup(state, rows))
		return -1;
	t = *state;
	return set_vector(t->db, 10, 1, 0) || set_vector(t->db, 11, 0.6f, 0.8f)
	       || set_vector(t->db, 13, 0.8f, 0.6f);
}

/* Each track given, as one line. */
static int line(void *arg, const struct playlist_track *t)
{
	strbuf_addf(arg, "%lld %lld %s|%s|%s|%g|%d|%g\n",
		    (long long)t->track, (long long)t->file, t->artist,
		    t->title, t->path, t->seconds, t->has_lufs,
		    t->has_lufs ? t->lufs : 0.0);
	return 0;
}

static const int64_t ids[] = { 11, 99, 12, 10 };

#define WANT "11 2 |Two|/m/b.flac|-1|0|0\n" \
	     "10 1 Daft Punk|One|/m/a.flac|61.5|1|-9.25\n"

/* The rows of ids at generation, as lines. */
static void expect(uint64_t generation, const char *want)
{
	struct strbuf out = STRBUF_INIT;

	assert_int_equal(playlist_rows_tracks(generation, ids, 4, line,
					      &out), 0);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);
}

/* The store's rows, whether read from the store or kept, the same. */
static void test_rows(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(playlist_reads_tracks(ids, 4, line, &out), 0);
	assert_string_equal(out.buf, WANT);
	strbuf_release(&out);
	for (int i = 0; i < PLAYLIST_ROWS_AFTER + 2; i++)
		expect(1, WANT);
}

/* Kept while the generation stands (a change the caller has not seen
 * yet is not read), made again when it moves. */
static void test_generation(void **state)
{
	struct testdb *t = *state;

	for (int i = 0; i < PLAYLIST_ROWS_AFTER; i++)
		expect(2, WANT);
	assert_int_equal(db_exec(t->db, "UPDATE tracks SET title = 'Deux'"
				 " WHERE id = 11"), 0);
	expect(2, WANT);
	for (int i = 0; i < PLAYLIST_ROWS_AFTER + 1; i++)
		expect(3, "11 2 |Deux|/m/b.flac|-1|0|0\n"
		       "10 1 Daft Punk|One|/m/a.flac|61.5|1|-9.25\n");
	expect(3, "11 2 |Deux|/m/b.flac|-1|0|0\n"
	       "10 1 Daft Punk|One|/m/a.flac|61.5|1|-9.25\n");
}

static int stop(void *arg, const struct playlist_track *t)
{
	(*(int *)arg)++;
	return t->track == 11 ? 7 : 0;
}

/* A callback's stop ends the walk and is handed back. */
static void test_stop(void **state)
{
	int calls;

	(void)state;
	for (int i = 0; i < PLAYLIST_ROWS_AFTER + 1; i++) {
		calls = 0;
		assert_int_equal(playlist_rows_tracks(4, ids, 4, stop,
						      &calls), 7);
		assert_int_equal(calls, 1);
	}
}

static int not_b(const char *path)
{
	return strcmp(path, "/m/b.flac") != 0;
}

/* The ranking of track as the store makes it and from the table, alike,
 * into ids. */
static size_t rank_both(uint64_t generation, int64_t track,
			int (*may)(const char *path), int64_t *ids)
{
	int64_t store[4];
	size_t n, nr;

	assert_int_equal(playlist_reads_rank(track, 3, may, store, &n), 0);
	assert_int_equal(playlist_rows_rank(generation, track, 3, may, ids,
					    &nr), 0);
	assert_int_equal(nr, n);
	assert_memory_equal(ids, store, n * sizeof(*ids));
	return n;
}

/* The tracks most like one ranked from the kept vectors as from the
 * store's, for the owner and for a caller who may not read b.flac; a
 * track with no vector is none to rank. */
static void test_rank(void **state)
{
	int64_t ids[4];
	size_t n;

	(void)state;
	for (int i = 0; i < PLAYLIST_ROWS_AFTER + 1; i++) {
		assert_int_equal(rank_both(5, 10, NULL, ids), 3);
		assert_int_equal(ids[0], 10);
		assert_int_equal(ids[1], 13);
		assert_int_equal(ids[2], 11);
		assert_int_equal(rank_both(5, 10, not_b, ids), 2);
		assert_int_equal(ids[1], 13);
		assert_int_equal(playlist_rows_rank(5, 12, 3, NULL, ids, &n),
				 -ENOENT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_generation),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_rank),
	};

	return cmocka_run_group_tests(tests, setup, testdb_reader_teardown);
}
