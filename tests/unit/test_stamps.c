/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The times of the folders and files of the mount (fs/tree/stamps.h):
 * many more folders than the table's first slots each keep the time
 * they were first seen, seen again in any order, so no folder's time
 * moves for another's (issue 80); a folder whose names change takes a
 * new time, and only it; a rendering kept is found by its generation.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_folders_keep_their_times),
		cmocka_unit_test(test_renderings_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
