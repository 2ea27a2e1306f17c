/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The manga sources' default order (common/manga_sources.h): the sources
 * an edition is asked by default, by rank, and the same in the words
 * mediamon.conf(5) gives [monitor] new_sources' default.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "common/manga_sources.h"

static void expect_order(const char *edition, const size_t *want,
			 size_t nr)
{
	size_t order[CONFIG_MANGA_NR];

	assert_int_equal(manga_sources_default(edition, order), nr);
	for (size_t i = 0; i < nr; i++)
		assert_int_equal(order[i], want[i]);
}

static void test_order_by_edition(void **state)
{
	const size_t fr[] = { CONFIG_MANGA_nautiljon, CONFIG_MANGA_mangadex };
	const size_t ja[] = { CONFIG_MANGA_mangaupdates, CONFIG_MANGA_anilist,
			      CONFIG_MANGA_mangadex, CONFIG_MANGA_kitsu };
	const size_t en[] = { CONFIG_MANGA_mangadex };

	(void)state;
	expect_order("fr", fr, 2);
	expect_order("ja", ja, 4);
	expect_order("zh", ja, 4);
	expect_order("en", en, 1);
	/* a word of a row's editions only as a whole */
	expect_order("j", en, 1);
	expect_order("", en, 1);
}

static void test_text(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	manga_sources_default_text(&out);
	assert_string_equal(out.buf, "nautiljon, mangadex for fr; "
			    "mangaupdates, anilist, mangadex, kitsu for ja, ko "
			    "and "
			    "zh; mangadex for the others");
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_by_edition),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
