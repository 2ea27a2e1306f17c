/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Hex digits into bytes (common/hex.h): every byte in both cases, and
 * the characters around the digits' ranges, an early end, refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "common/hex.h"

static void test_every_byte(void **state)
{
	char lower[3], upper[3];

	(void)state;
	for (int b = 0; b < 256; b++) {
		snprintf(lower, sizeof(lower), "%02x", b);
		snprintf(upper, sizeof(upper), "%02X", b);
		assert_int_equal(hex_byte(lower), b);
		assert_int_equal(hex_byte(upper), b);
	}
	assert_int_equal(hex_byte("aF"), 0xaf);
	assert_int_equal(hex_byte("7f9"), 0x7f);
}

static void test_bad_digits(void **state)
{
	static const char *const bad[] = {
		"", "7", "g0", "0g", "G0", "0G", "/0", "0/", ":0", "0:",
		"@0", "0@", "`0", "0`", " 1", "1 ", "-1", "\xff" "0",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(hex_byte(bad[i]), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_bad_digits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
