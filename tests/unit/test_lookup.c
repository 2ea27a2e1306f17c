/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The walks of a table of words (common/lookup.h): the first pair of a
 * key wins, a key compares exactly, and NULL or an unknown key finds
 * nothing; an error number not in its table says strerror()'s words.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

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

static const struct lookup_errno errors[] = {
	{ -ELOOP, "a link on the way" },
	{ -EIO, "server error" },
	{ -ELOOP, "second" },
};

static void test_errno(void **state)
{
	char unknown[64];

	(void)state;
	assert_string_equal(LOOKUP_ERRNO(errors, -ELOOP), "a link on the way");
	assert_string_equal(LOOKUP_ERRNO(errors, -EIO), "server error");
	assert_string_equal(LOOKUP_ERRNO(errors, -ENOENT), strerror(ENOENT));
	/* strerror() of an unknown number reuses one buffer: kept apart */
	snprintf(unknown, sizeof(unknown), "%s", strerror(-EIO));
	assert_string_equal(LOOKUP_ERRNO(errors, EIO), unknown);
	assert_string_equal(lookup_errno_text(errors, 0, -EIO),
			    strerror(EIO));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_errno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
