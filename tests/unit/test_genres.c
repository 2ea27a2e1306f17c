/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The names of ID3v1 genre numbers (indexer/library/genres.h): the 80 of
 * the ID3v1 specification, WinAmp's extensions up to 147, none past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "indexer/library/genres.h"

static void test_specification(void **state)
{
	(void)state;
	assert_string_equal(genres_name(0), "Blues");
	assert_string_equal(genres_name(17), "Rock");
	assert_string_equal(genres_name(52), "Electronic");
	assert_string_equal(genres_name(79), "Hard Rock");
}

static void test_winamp(void **state)
{
	(void)state;
	assert_string_equal(genres_name(80), "Folk");
	assert_string_equal(genres_name(125), "Dance Hall");
	assert_string_equal(genres_name(146), "JPop");
	assert_string_equal(genres_name(147), "Synthpop");
}

/* 255 is how an ID3v1 tag says it has no genre. */
static void test_none(void **state)
{
	(void)state;
	assert_null(genres_name(148));
	assert_null(genres_name(191));
	assert_null(genres_name(255));
	assert_null(genres_name(9999));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_specification),
		cmocka_unit_test(test_winamp),
		cmocka_unit_test(test_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
