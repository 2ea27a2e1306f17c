/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Missing-volume computation: leading gaps, ranges, decimals, a latest
 * volume known beyond what is owned, and absurd numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "indexer/manga/manga.h"
#include "indexer/manga/names.h"

#define MAX 64

static size_t gaps(const struct manga_volume *v, size_t nr, double latest,
		   int *out)
{
	return manga_gaps(v, nr, latest, out, MAX);
}

static void expect(const int *got, size_t n, const int *want, size_t nw)
{
	assert_int_equal(n, nw);
	for (size_t i = 0; i < nw; i++)
		assert_int_equal(got[i], want[i]);
}

static void test_inner_and_leading_gaps(void **state)
{
	struct manga_volume v[] = { { 3, 3 }, { 5, 5 }, { 7, 7 } };
	int out[MAX], want[] = { 1, 2, 4, 6 };

	(void)state;
	expect(out, gaps(v, 3, 0, out), want, 4);
}

static void test_ranges_cover_every_volume(void **state)
{
	struct manga_volume v[] = { { 1, 3 }, { 6, 8 } };
	int out[MAX], want[] = { 4, 5 };

	(void)state;
	expect(out, gaps(v, 2, 0, out), want, 2);
}

/* 10.5 is a volume of its own: it neither fills 10 nor 11 nor opens a
 * gap beyond the highest whole volume. */
static void test_decimals(void **state)
{
	struct manga_volume v[] = { { 9, 9 }, { 9.5, 9.5 }, { 10.5, 10.5 } };
	struct manga_volume w[] = { { 1, 2 }, { 2.5, 2.5 } };
	int out[MAX], want[] = { 1, 2, 3, 4, 5, 6, 7, 8, 10 };

	(void)state;
	expect(out, gaps(v, 3, 0, out), want, 9);
	assert_int_equal(gaps(w, 2, 0, out), 0);
}

static void test_latest_beyond_owned(void **state)
{
	struct manga_volume v[] = { { 1, 2 } };
	int out[MAX], want[] = { 3, 4, 5 };

	(void)state;
	expect(out, gaps(v, 1, 5, out), want, 3);
	/* a latest below what is owned changes nothing */
	assert_int_equal(gaps(v, 1, 1, out), 0);
}

static void test_nothing_owned(void **state)
{
	int out[MAX], want[] = { 1, 2, 3 };

	(void)state;
	assert_int_equal(gaps(NULL, 0, 0, out), 0);
	expect(out, gaps(NULL, 0, 3, out), want, 3);
}

/* The count is right even when only part of it fits; numbers beyond
 * what the name parser believes are capped. */
static void test_counts_beyond_room(void **state)
{
	struct manga_volume v[] = { { 100, 100 } };
	int out[4];

	(void)state;
	assert_int_equal(manga_gaps(v, 1, 0, out, 4), 99);
	assert_int_equal(out[3], 4);
	assert_int_equal(manga_gaps(NULL, 0, 1e9, NULL, 0), NAMES_MAX_NUMBER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inner_and_leading_gaps),
		cmocka_unit_test(test_ranges_cover_every_volume),
		cmocka_unit_test(test_decimals),
		cmocka_unit_test(test_latest_beyond_owned),
		cmocka_unit_test(test_nothing_owned),
		cmocka_unit_test(test_counts_beyond_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
