/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fs/tree/opds_search.h"

static void test_words(void **state)
{
	const char *t = "Blue Lock, volume 4 Blue Lock T04.cbz";

	(void)state;
	assert_true(opds_search_matches("blue", t));
	assert_true(opds_search_matches("BLUE lock", t));
	assert_true(opds_search_matches("  lo  bl ", t));
	assert_false(opds_search_matches("ock", t));
	assert_false(opds_search_matches("blue piece", t));
	assert_false(opds_search_matches("", t));
	assert_false(opds_search_matches("   ", t));
}

/* Case and marks folded in every script, as people type. */
static void test_folded(void **state)
{
	(void)state;
	assert_true(opds_search_matches("deja", "Déjà Vu, volume 1"));
	assert_true(opds_search_matches("DÉJÀ vu", "déjà vu T01.cbz"));
	assert_true(opds_search_matches("ørsted", "ØRSTED Saga"));
	assert_true(opds_search_matches("λ", "Λάμδα"));
	assert_true(opds_search_matches("strasse", "Die Straße, Band 2"));
	assert_true(opds_search_matches("ЁЖ", "ёжик в тумане"));
	assert_false(opds_search_matches("eja", "Déjà Vu"));
	/* a title of any bytes is found by the same bytes */
	assert_true(opds_search_matches("caf\xe9", "Caf\xe9 T01"));
	assert_true(opds_search_matches("CAF\xe9", "caf\xe9 T01"));
}

/* A word of digits is a number: "4" is volume 4 or T04, not 14. */
static void test_numbers(void **state)
{
	(void)state;
	assert_true(opds_search_matches("4", "Saga, volume 4"));
	assert_true(opds_search_matches("4", "Saga Volume 004.cbz"));
	assert_true(opds_search_matches("004", "Saga, volume 4"));
	assert_true(opds_search_matches("4", "Saga T04.cbz"));
	assert_false(opds_search_matches("4", "Saga, volume 14"));
	assert_false(opds_search_matches("4", "Saga, volume 40"));
	assert_true(opds_search_matches("0", "Saga, volume 0"));
	assert_false(opds_search_matches("0", "Saga, volume 10"));
}

static void test_queries_kept(void **state)
{
	char buf[OPDS_SEARCH_MAX + 1], big[OPDS_SEARCH_MAX + 2];
	int64_t a, b, c;

	(void)state;
	assert_int_equal(opds_search_intern("blue lock", 9, &a), 0);
	assert_int_equal(opds_search_intern("one", 3, &b), 0);
	assert_int_equal(opds_search_intern("blue lock.xml", 9, &c), 0);
	assert_int_equal(a, c);
	assert_true(a != b);
	assert_int_equal(opds_search_query(a, buf), 0);
	assert_string_equal(buf, "blue lock");
	assert_int_equal(opds_search_intern("", 0, &c), -EINVAL);
	memset(big, 'a', sizeof(big));
	assert_int_equal(opds_search_intern(big, sizeof(big), &c),
			 -ENAMETOOLONG);
	assert_int_equal(opds_search_intern("a\0b", 3, &c), -ENAMETOOLONG);
	assert_int_equal(opds_search_query(0, buf), -ENOENT);
	assert_int_equal(opds_search_query(b + 1, buf), -ENOENT);
	/* past a thousand queries, the oldest are forgotten */
	for (int i = 0; i < 1100; i++) {
		snprintf(big, sizeof(big), "q%d", i);
		assert_int_equal(opds_search_intern(big, strlen(big), &c), 0);
	}
	assert_int_equal(opds_search_query(a, buf), -ENOENT);
	assert_int_equal(opds_search_query(c, buf), 0);
	assert_string_equal(buf, "q1099");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_queries_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
