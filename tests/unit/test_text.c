/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Small string helpers (common/text.h): blanks cut from both ends of a
 * span and nothing else (not a newline, not a blank inside), an empty or
 * all-blank span left empty; an optional string copied, NULL kept NULL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/text.h"

static void test_trim_blanks(void **state)
{
	/* the first len bytes of in, and what is left of them */
	static const struct { const char *in; size_t len; const char *want; }
	cases[] = {
		{ " \t a b\t ", 8, "a b" }, { "abc", 3, "abc" }, { "", 0, "" },
		{ " \t\t ", 4, "" }, { "\na\r", 3, "\na\r" },
		{ " a ,rest", 3, "a" }, { "  a", 1, "" },
	};
	const char *s;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		s = cases[i].in;
		len = cases[i].len;
		text_trim_blanks(&s, &len);
		assert_int_equal(len, strlen(cases[i].want));
		assert_memory_equal(s, cases[i].want, len);
		assert_true(s >= cases[i].in);
	}
}

static void test_dup(void **state)
{
	static const char text[] = "magnet:?xt=1";
	char *copy;

	(void)state;
	assert_null(text_dup(NULL));
	copy = text_dup(text);
	assert_non_null(copy);
	assert_ptr_not_equal(copy, text);
	assert_string_equal(copy, text);
	free(copy);
	copy = text_dup("");
	assert_non_null(copy);
	assert_string_equal(copy, "");
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trim_blanks),
		cmocka_unit_test(test_dup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
