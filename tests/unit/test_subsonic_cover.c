/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * getCoverArt's size and its kept covers: the size parameter read,
 * clamped and refused; the covers kept found by their whole key only,
 * the least recently asked let go past the cap, one too large for it
 * not kept.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "fs/subsonic/subsonic_cover.h"
#include "fs/subsonic/subsonic_kept.h"

static void test_size(void **state)
{
	static const struct {
		const char *arg;
		int want;
	} cases[] = {
		{ NULL, 0 }, { "0", 0 }, { "1", SUBSONIC_COVER_MIN },
		{ "15", SUBSONIC_COVER_MIN }, { "16", 16 }, { "300", 300 },
		{ "2048", 2048 }, { "2049", SUBSONIC_COVER_MAX },
		{ "99999999999999999999", -EINVAL }, { "", -EINVAL },
		{ "-1", -EINVAL }, { "64px", -EINVAL }, { "big", -EINVAL },
		{ "6 4", -EINVAL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		assert_int_equal(subsonic_cover_size(cases[i].arg),
				 cases[i].want);
}

/* A key of file at size, its cover as stat() gave it at time t. */
static struct subsonic_kept_key key(int64_t file, int size, long t)
{
	return (struct subsonic_kept_key){ .file = file, .dev = 1, .ino = 7,
					   .len = 1000, .mtime = { t, 5 },
					   .size = size };
}

/* Whether key is kept, holding fill bytes of len. */
static int kept_as(struct subsonic_kept_key k, int fill, size_t len)
{
	struct strbuf out = STRBUF_INIT;
	int found = subsonic_kept_recall(&k, &out), same = found;

	if (found) {
		same = out.len == len;
		for (size_t i = 0; same && i < len; i++)
			same = out.buf[i] == fill;
	}
	strbuf_release(&out);
	return found && same;
}

/* Keep len bytes of fill for k, cap 100. */
static void keep(struct subsonic_kept_key k, int fill, size_t len)
{
	unsigned char bytes[64];

	memset(bytes, fill, sizeof(bytes));
	subsonic_kept_keep(&k, bytes, len, 100);
}

static void test_kept_by_whole_key(void **state)
{
	(void)state;
	assert_int_equal(subsonic_kept_bytes(), 0);
	keep(key(1, 64, 10), 'a', 26);	/* over a quarter of the cap */
	assert_int_equal(subsonic_kept_bytes(), 0);
	assert_false(kept_as(key(1, 64, 10), 'a', 26));
	keep(key(1, 64, 10), 'a', 25);
	assert_int_equal(subsonic_kept_bytes(), 25);
	assert_true(kept_as(key(1, 64, 10), 'a', 25));
	/* another size, a cover changed, another file: none kept */
	assert_false(kept_as(key(1, 300, 10), 'a', 25) ||
		     kept_as(key(1, 64, 11), 'a', 25) ||
		     kept_as(key(2, 64, 10), 'a', 25));
}

static void test_least_recently_asked_goes(void **state)
{
	(void)state;
	keep(key(2, 64, 10), 'b', 25);
	keep(key(3, 64, 10), 'c', 25);
	assert_int_equal(subsonic_kept_bytes(), 75);
	/* 1 asked again: 2 is now the least recently asked */
	assert_true(kept_as(key(1, 64, 10), 'a', 25));
	keep(key(4, 64, 10), 'd', 25);
	assert_int_equal(subsonic_kept_bytes(), 100);	/* at the cap */
	keep(key(5, 64, 10), 'e', 25);
	assert_int_equal(subsonic_kept_bytes(), 100);
	/* file n holds 'a' + n - 1: all but 2 */
	for (int n = 1; n <= 5; n++)
		assert_int_equal(kept_as(key(n, 64, 10), 'a' + n - 1, 25),
				 n != 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_kept_by_whole_key),
		cmocka_unit_test(test_least_recently_asked_goes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
