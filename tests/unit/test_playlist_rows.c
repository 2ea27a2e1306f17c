/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The analysed tracks' rows kept for a generation of the store: the same
 * rows the store gives, in the order asked, tracks not analysed or
 * unknown left out; kept while the generation stands, made again after
 * it moves; a callback's stop handed back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/db.h"
#include "common/strbuf.h"
#include "indexer/analysis/playlist_reads.h"
#include "indexer/analysis/playlist_rows.h"
#include "tests/unit/testdb.h"

/* Tracks 10 and 11 analysed (11 without loudness), 12 not. */
static const char rows[] =
	"INSERT INTO roots (id, kind, path) VALUES (1, 'music', '/m');"
	"INSERT INTO directories (id, root_id, path, mtime_ns)"
	" VALUES (1, 1, '', 0);"
	"INSERT INTO files (id, root_id, dir_id, name, size, mtime_ns,"
	" inode, kind) VALUES (1, 1, 1, 'a.flac', 1, 1, 1, 'flac'),"
	" (2, 1, 1, 'b.flac', 1, 1, 2, 'flac'),"
	" (3, 1, 1, 'c.flac', 1, 1, 3, 'flac');"
	"INSERT INTO artists (id, name) VALUES (1, 'Daft Punk');"
	"INSERT INTO tracks (id, file_id, title, artist_id, duration_s)"
	" VALUES (10, 1, 'One', 1, 61.5), (11, 2, 'Two', NULL, NULL),"
	" (12, 3, 'Three', 1, 3);"
	"INSERT INTO analysis (track_id, state, analysed_at, loudness_lufs)"
	" VALUES (10, 'ok', 0, -9.25), (11, 'ok', 0, NULL);"
	"INSERT INTO analysis (track_id, state, error, analysed_at)"
	" VALUES (12, 'failed', 'damaged', 0);";

static int setup(void **state)
{
	return testdb_reader_setup(state, rows);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_generation),
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests(tests, setup, testdb_reader_teardown);
}
