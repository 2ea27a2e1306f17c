/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The walk of a table of words (common/lookup.h): the first pair of a
 * key wins, a key compares exactly, and NULL or an unknown key finds
 * nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "common/lookup.h"

static const struct lookup_pair words[] = {
	{ "JP", "ja" },
	{ "TW", "zh" },
	{ "CN", "zh" },
	{ "JP", "second" },
	{ "", "empty" },
};

static void test_found(void **state)
{
	(void)state;
	assert_string_equal(LOOKUP(words, "TW"), "zh");
	assert_string_equal(LOOKUP(words, "CN"), "zh");
	assert_string_equal(LOOKUP(words, "JP"), "ja");
	assert_string_equal(LOOKUP(words, ""), "empty");
}

static void test_not_found(void **state)
{
	(void)state;
	assert_null(LOOKUP(words, NULL));
	assert_null(LOOKUP(words, "jp"));
	assert_null(LOOKUP(words, "JP "));
	assert_null(LOOKUP(words, "J"));
	assert_null(lookup_value(words, 0, "JP"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_not_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
