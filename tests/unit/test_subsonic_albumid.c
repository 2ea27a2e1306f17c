/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Album ids without their folder's year (fs/subsonic/subsonic_albumid.h):
 * only a trailing " (NNNN)" is left out, an id names the folder of its
 * name first, else the first with its name and a year, and an id of
 * before comes to today's form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/strbuf.h"
#include "fs/subsonic/subsonic_albumid.h"

static void test_len(void **state)
{
	static const struct {
		const char *rel;
		size_t len;
	} cases[] = {
		{ "Band/Tones (1999)", 10 },
		{ "Band/Tones", 10 },
		{ "Band/Tones (2)", 14 },	/* a second of one name */
		{ "Band/Tones (1999) (2)", 21 },
		{ "Band/Tones (19999)", 18 },
		{ "Band/Tones (99x9)", 17 },
		{ "Band/Tones(1999)", 16 },
		{ "Band/ (1999)", 12 },	/* never no name */
		{ "Band/(1999)", 11 },
		{ "Band (1999)/Tones", 17 },	/* an artist's is kept */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		assert_int_equal(subsonic_albumid_len(cases[i].rel),
				 cases[i].len);
}

static void test_folder(void **state)
{
	json_t *items = json_pack("[{s:s},{s:s},{s:s},{s:s}]",
				  "name", "Live (2001)", "name", "Tones (2005)",
				  "name", "Live", "name", "Tones (2)");

	(void)state;
	assert_non_null(items);
	/* the folder of its name first */
	assert_string_equal(subsonic_albumid_folder(items, "Live"), "Live");
	assert_string_equal(subsonic_albumid_folder(items, "Live (2001)"),
			    "Live (2001)");
	/* else the first with a year, whichever the id's was */
	assert_string_equal(subsonic_albumid_folder(items, "Tones"),
			    "Tones (2005)");
	assert_string_equal(subsonic_albumid_folder(items, "Tones (1999)"),
			    "Tones (2005)");
	assert_string_equal(subsonic_albumid_folder(items, "Tones (2)"),
			    "Tones (2)");
	assert_null(subsonic_albumid_folder(items, "Tone"));
	assert_null(subsonic_albumid_folder(items, "Tones (3)"));
	assert_null(subsonic_albumid_folder(items, ""));
	json_decref(items);
}

static void test_today(void **state)
{
	static const struct {
		const char *id, *today;
	} cases[] = {
		/* "Band/Tones (1999)" in either case of hex */
		{ "al42616E642F546F6E657320283139393929",
		  "al42616e642f546f6e6573" },
		{ "al42616e642f546f6e6573", "al42616e642f546f6e6573" },
		/* no album's id in hex: as it is */
		{ "al4", "al4" },
		{ "alzz", "alzz" },
		{ "ar42616e64", "ar42616e64" },
	};
	struct strbuf out = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		subsonic_albumid_today(cases[i].id, &out);
		assert_string_equal(out.buf, cases[i].today);
	}
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_len),
		cmocka_unit_test(test_folder),
		cmocka_unit_test(test_today),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
