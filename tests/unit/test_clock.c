/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/clock.h"

static void check_words(double seconds, const char *expect)
{
	char out[CLOCK_WORDS_LEN];

	clock_words(seconds, out);
	assert_string_equal(out, expect);
}

/* Durations as a person says them, in their two largest units. */
static void test_words(void **state)
{
	(void)state;
	check_words(0, "0 ms");
	check_words(0.0004, "0 ms");
	check_words(0.45, "450 ms");
	check_words(0.9996, "1.0 s");
	check_words(4.24, "4.2 s");
	check_words(9.96, "10 s");
	check_words(59.4, "59 s");
	check_words(59.6, "1 min 0 s");
	check_words(72, "1 min 12 s");
	check_words(3599, "59 min 59 s");
	check_words(3600, "1 h 0 min");
	check_words(3 * 3600 + 5 * 60 + 29, "3 h 5 min");
	check_words(2 * 86400 + 4 * 3600 + 1800, "2 d 4 h");
	check_words(-3, "0 ms");
	check_words(NAN, "0 ms");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
