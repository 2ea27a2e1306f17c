/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The times of the folders and files of the mount (fs/tree/stamps.h):
 * many more folders than the table's first slots each keep the time
 * they were first seen, seen again in any order, so no folder's time
 * moves for another's (issue 80); a folder whose names change takes a
 * new time, and only it; a rendering kept is found by its generation;
 * a save writes to the store only the times changed since the last
 * that succeeded (one changed folder, one row), and a failed one again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fs/tree/stamps.h"
#include "indexer/store/writer.h"
#include "musicdb.h"

/* Five times the first slots, as the views of a large library hold. */
#define FOLDERS (5 * STAMPS_SLOTS)

static void name_of(char *buf, size_t size, size_t i)
{
	snprintf(buf, size, "/folder/library/music/artists/A%zu/B%zu",
		 i / 10, i);
}

static int same(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static int later(struct timespec a, struct timespec b)
{
	return a.tv_sec != b.tv_sec ? a.tv_sec > b.tv_sec :
	       a.tv_nsec > b.tv_nsec;
}

static void test_many_folders_keep_their_times(void **state)
{
	struct timespec *at = calloc(FOLDERS, sizeof(*at)), t, kept;
	char name[96];

	(void)state;
	assert_non_null(at);
	for (size_t i = 0; i < FOLDERS; i++) {
		name_of(name, sizeof(name), i);
		at[i] = stamps_seen_at(name, 0, i, 7);
	}
	/* seen again, the last first: each keeps its own */
	for (size_t i = FOLDERS; i-- > 0;) {
		name_of(name, sizeof(name), i);
		assert_true(stamps_seen_kept(name, 0, 7, &kept));
		assert_true(same(kept, at[i]));
		assert_true(same(stamps_seen(name, 0, i), at[i]));
	}
	/* one folder's names change: it alone moves */
	name_of(name, sizeof(name), 12345);
	t = stamps_seen_at(name, 0, 999999999, 8);
	assert_true(later(t, at[12345]));
	for (size_t i = 0; i < FOLDERS; i++) {
		name_of(name, sizeof(name), i);
		if (i != 12345)
			assert_true(same(stamps_seen(name, 0, i), at[i]));
	}
	/* and a user's own time of the same name is another */
	name_of(name, sizeof(name), 1);
	assert_false(stamps_seen_kept(name, 42, 7, &kept));
	free(at);
}

static void test_renderings_kept(void **state)
{
	struct timespec a, b, at;
	size_t len;

	(void)state;
	a = stamps_time("/playlists/x.m3u", 1000, 1000, 5, "abc", 3);
	assert_true(stamps_kept("/playlists/x.m3u", 1000, 1000, 5, &len,
				&at));
	assert_int_equal(len, 3);
	assert_true(same(at, a));
	assert_false(stamps_kept("/playlists/x.m3u", 1000, 1000, 6, &len,
				 &at));
	assert_false(stamps_kept("/playlists/x.m3u", 1001, 1000, 5, &len,
				 &at));
	assert_false(stamps_kept("/playlists/y.m3u", 1000, 1000, 5, &len,
				 &at));
	/* the same bytes keep their time; others take a new one */
	assert_true(same(stamps_time("/playlists/x.m3u", 1000, 1000, 6,
				     "abc", 3), a));
	b = stamps_time("/playlists/x.m3u", 1000, 1000, 7, "abcd", 4);
	assert_true(later(b, a));
	assert_true(stamps_kept("/playlists/x.m3u", 1000, 1000, 7, &len,
				&at));
	assert_int_equal(len, 4);
}

/* The store counts the rows written to its times (written), and fails
 * their writes while fail is 1, as a full disk would. */
static const char counted[] =
	"CREATE TABLE written (n INTEGER);"
	"INSERT INTO written VALUES (0);"
	"CREATE TABLE fail (on_ INTEGER);"
	"INSERT INTO fail VALUES (0);"
	"CREATE TRIGGER count_written AFTER INSERT ON playlist_times"
	" BEGIN UPDATE written SET n = n + 1; END;"
	"CREATE TRIGGER fail_written BEFORE INSERT ON playlist_times"
	" WHEN (SELECT on_ FROM fail)"
	" BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;";

static int64_t rows_written(struct musicdb *e)
{
	int64_t n = musicdb_int(e->db, "SELECT n FROM written");

	assert_int_equal(writer_call(musicdb_exec,
				     (void *)"UPDATE written SET n = 0"), 0);
	return n;
}

/* The rows of the store that hold the time at. */
static int64_t rows_at(struct musicdb *e, struct timespec at)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM playlist_times"
		 " WHERE at_ns = %lld",
		 (long long)at.tv_sec * 1000000000LL + at.tv_nsec);
	return musicdb_int(e->db, sql);
}

#define SAVED 1000

static void test_saves_what_changed(void **state)
{
	struct musicdb *e = *state;
	struct timespec one, two;
	char name[96];

	assert_int_equal(writer_call(musicdb_exec, (void *)counted), 0);
	assert_int_equal(stamps_stop(), 0);	/* what other tests left */
	rows_written(e);
	for (size_t i = 0; i < SAVED; i++) {
		snprintf(name, sizeof(name), "/saved/A%zu", i);
		stamps_seen(name, 0, i);
	}
	assert_int_equal(stamps_unsaved(), SAVED);
	assert_int_equal(stamps_stop(), 0);
	assert_int_equal(rows_written(e), SAVED);
	assert_int_equal(stamps_unsaved(), 0);
	/* one folder's names change: its row alone is written */
	one = stamps_seen("/saved/A7", 0, 1234567);
	assert_int_equal(stamps_unsaved(), 1);
	assert_int_equal(stamps_stop(), 0);
	assert_int_equal(rows_written(e), 1);
	assert_int_equal(rows_at(e, one), 1);
	assert_true(musicdb_int(e->db, "SELECT count(*) FROM playlist_times")
		    >= SAVED);
	/* nothing changed: nothing written */
	assert_int_equal(stamps_stop(), 0);
	assert_int_equal(rows_written(e), 0);
	/* a write that fails leaves the time to the next, which writes it */
	assert_int_equal(writer_call(musicdb_exec,
				     (void *)"UPDATE fail SET on_ = 1"), 0);
	two = stamps_seen("/saved/A8", 0, 7654321);
	assert_int_not_equal(stamps_stop(), 0);
	assert_int_equal(rows_at(e, two), 0);
	assert_int_equal(stamps_unsaved(), 1);
	assert_int_equal(writer_call(musicdb_exec,
				     (void *)"UPDATE fail SET on_ = 0"), 0);
	rows_written(e);
	assert_int_equal(stamps_stop(), 0);
	assert_int_equal(rows_written(e), 1);
	assert_int_equal(rows_at(e, two), 1);
	assert_int_equal(rows_at(e, one), 1);
	assert_int_equal(stamps_unsaved(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_folders_keep_their_times),
		cmocka_unit_test(test_renderings_kept),
		MUSICDB_TEST(test_saves_what_changed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
