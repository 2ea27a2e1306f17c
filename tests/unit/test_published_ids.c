/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Where a series' source places it at each manga source
 * (published_private.h): the id after a source's prefix, a bare
 * Nautiljon slug, a number id, and the words that name none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "indexer/monitor/published_private.h"

/* The id published_id() finds in source, "" for none. */
static const char *id_in(const char *source, const char *prefix, int bare)
{
	static char out[64];
	const char *at = NULL;
	size_t n = published_id(source, prefix, bare, &at);

	assert_true(n < sizeof(out));
	memcpy(out, at ? at : "", n);
	out[n] = '\0';
	return out;
}

static void test_prefixed(void **state)
{
	(void)state;
	assert_string_equal(id_in("mangadex:ab-cd anilist:42",
				  PREFIX(anilist), 0), "42");
	assert_string_equal(id_in("one-piece,anilist:7\tmangaupdates:9",
				  PREFIX(mangaupdates), 0), "9");
	/* the first word of the source wins */
	assert_string_equal(id_in("nautiljon:a nautiljon:b",
				  PREFIX(nautiljon), 0), "a");
	/* a prefix inside a word, or with nothing after it, is no id */
	assert_string_equal(id_in("xanilist:5 anilist:", PREFIX(anilist),
				  0), "");
	assert_string_equal(id_in("", PREFIX(anilist), 0), "");
	assert_string_equal(id_in("  , \t", PREFIX(anilist), 0), "");
}

static void test_bare(void **state)
{
	(void)state;
	assert_string_equal(id_in("anilist:7 one-piece", PREFIX(nautiljon),
				  1), "one-piece");
	assert_string_equal(id_in("anilist:7 nautiljon:one+piece",
				  PREFIX(nautiljon), 1), "one+piece");
	assert_string_equal(id_in("naruto nautiljon:one+piece",
				  PREFIX(nautiljon), 1), "naruto");
	/* a word with a colon is another source's, never a slug */
	assert_string_equal(id_in("anilist:7 other:x", PREFIX(nautiljon), 1),
			    "");
	assert_string_equal(id_in("naruto", PREFIX(nautiljon), 0), "");
}

static void test_numbers(void **state)
{
	(void)state;
	assert_int_equal(published_number_id("anilist:30013",
					     PREFIX(anilist)), 30013);
	assert_int_equal(published_number_id("anilist:123456789012345",
					     PREFIX(anilist)),
			 123456789012345LL);
	assert_int_equal(published_number_id("anilist:1234567890123456",
					     PREFIX(anilist)), 0);
	assert_int_equal(published_number_id("anilist:12x",
					     PREFIX(anilist)), 0);
	assert_int_equal(published_number_id("anilist:-3",
					     PREFIX(anilist)), 0);
	assert_int_equal(published_number_id("mangaupdates:4",
					     PREFIX(anilist)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefixed),
		cmocka_unit_test(test_bare),
		cmocka_unit_test(test_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
