/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The release preferences against titles in the shapes indexers show
 * (Prowlarr's answers, the French DDL catalogs, the English digital
 * scene): what each title says of its language, group and format, and
 * whether a French reader's preferences take the release, and in which
 * rank. The titles are made up; their shapes are those of
 * /work/shared/realworld/answers/prowlarr/ and of the scene's names.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/config.h"
#include "common/strbuf.h"
#include "indexer/monitor/prefs.h"
#include "indexer/monitor/release.h"

#define MB (1024 * 1024LL)

/* One title: what it says, and the decision of each set of prefs. */
struct row {
	const char *title;
	const char *language, *group, *format;
	double first, last;
	int seeders;
	int64_t size;
	const char *protocol;
	/* taken by FR (fr first, then unknown; groups; cbz/cbr; 3 seeders;
	 * 20 MB to 2 GB; packs last), by EN (en only, packs never) */
	int fr, en;
};

static const struct row rows[] = {
	/* French releases */
	{ "[FR] One Piece T105 (2024) [cbz]", "fr", "", "cbz",
	  105, 105, 40, 80 * MB, "torrent", 1, 0 },
	{ "One Piece T104 FRENCH CBZ", "fr", "", "cbz",
	  104, 104, 12, 90 * MB, "torrent", 1, 0 },
	{ "One.Piece.T103.FRENCH.CBZ.eBook-NoTag", "fr", "NoTag", "cbz",
	  103, 103, 8, 85 * MB, "torrent", 1, 0 },
	{ "One Piece - Tome 102 [VF] [Punch]", "fr", "Punch", "",
	  102, 102, 5, 70 * MB, "torrent", 1, 0 },
	{ "One Piece Tome 101 VF cbr", "fr", "", "cbr",
	  101, 101, 4, 75 * MB, "torrent", 1, 0 },
	{ "[Kanzaki] One Piece T100 VOSTFR", "fr", "Kanzaki", "",
	  100, 100, 9, 60 * MB, "torrent", 1, 0 },
	{ "One Piece T99 French PDF", "fr", "", "pdf",
	  99, 99, 30, 120 * MB, "torrent", 0, 0 },
	{ "One Piece T98 FRENCH EPUB", "fr", "", "epub",
	  98, 98, 30, 30 * MB, "torrent", 0, 0 },
	{ "One Piece T01-T10 FRENCH CBZ [Pack]", "fr", "", "cbz",
	  1, 10, 50, 900 * MB, "torrent", 1, 0 },
	{ "One Piece Integrale T1 a T105 VF cbz", "fr", "", "cbz",
	  1, 105, 60, 9000 * MB, "torrent", 0, 0 },
	{ "[FR] Les Carnets de l'apothicaire T12 [cbz]", "fr", "", "cbz",
	  12, 12, 15, 50 * MB, "torrent", 1, 0 },
	{ "Frieren T11 (FR) (2024) [cbr]", "fr", "", "cbr",
	  11, 11, 7, 65 * MB, "torrent", 1, 0 },
	{ "L'Attaque des Titans T34 TRUEFRENCH CBZ", "fr", "", "cbz",
	  34, 34, 3, 70 * MB, "torrent", 1, 0 },
	{ "One Piece T97 FRENCH CBZ", "fr", "", "cbz",
	  97, 97, 1, 80 * MB, "torrent", 0, 0 },
	{ "One Piece T96 FRENCH CBZ", "fr", "", "cbz",
	  96, 96, 20, 5 * MB, "torrent", 0, 0 },
	{ "One Piece T95 FRENCH CBZ", "fr", "", "cbz",
	  95, 95, 0, 80 * MB, "usenet", 1, 0 },
	{ "One Piece T94 FRENCH CBZ [BadTeam]", "fr", "BadTeam", "cbz",
	  94, 94, 20, 80 * MB, "torrent", 0, 0 },
	{ "Dragon Ball Super T21 Français cbz", "fr", "", "cbz",
	  21, 21, 6, 55 * MB, "torrent", 1, 0 },
	{ "Chainsaw Man T16 VF [Scantrad]", "fr", "Scantrad", "",
	  16, 16, 11, 40 * MB, "torrent", 1, 0 },
	{ "Kingdom.T60.FR.CBZ-KGT", "fr", "KGT", "cbz",
	  60, 60, 4, 45 * MB, "torrent", 1, 0 },
	/* English releases */
	{ "One Piece v100-102 (Digital) (LuCaZ)", "en", "LuCaZ", "",
	  100, 102, 120, 600 * MB, "torrent", 0, 0 },
	{ "One Piece v105 (2024) (Digital) (LuCaZ)", "en", "LuCaZ", "",
	  105, 105, 90, 200 * MB, "torrent", 0, 1 },
	{ "Chainsaw Man v16 (2024) (Digital) (1r0n)", "en", "1r0n", "",
	  16, 16, 40, 150 * MB, "torrent", 0, 1 },
	{ "Frieren - Beyond Journey's End v11 (2024) (Digital) (Oak)", "en",
	  "Oak", "", 11, 11, 33, 180 * MB, "torrent", 0, 1 },
	{ "Vinland Saga v01-14 (2013-2024) (Digital) (danke-Empire)", "en",
	  "danke-Empire", "", 1, 14, 25, 4000 * MB, "torrent", 0, 0 },
	{ "Berserk Deluxe Edition v14 (2024) (Digital) (Shellshock)", "en",
	  "Shellshock", "", 14, 14, 18, 700 * MB, "torrent", 0, 1 },
	{ "[EN] Spy x Family Vol. 12 [cbz]", "en", "", "cbz",
	  12, 12, 10, 60 * MB, "torrent", 0, 1 },
	{ "Spy x Family Volume 11 English CBR", "en", "", "cbr",
	  11, 11, 10, 60 * MB, "torrent", 0, 1 },
	{ "Blue Lock v20 (2024) (Digital) (Kileko)", "en", "Kileko", "",
	  20, 20, 9, 140 * MB, "usenet", 0, 1 },
	{ "Dandadan v12 (Digital) (1r0n).cbz", "en", "1r0n", "cbz",
	  12, 12, 2, 150 * MB, "torrent", 0, 1 },
	{ "One Piece Vol 103 ENG epub", "en", "", "epub",
	  103, 103, 8, 30 * MB, "torrent", 0, 1 },
	/* other languages */
	{ "One Piece Tomo 105 (Español) [cbr]", "es", "", "cbr",
	  105, 105, 9, 80 * MB, "torrent", 0, 0 },
	{ "One Piece Band 104 German CBZ", "de", "", "cbz",
	  104, 104, 9, 80 * MB, "torrent", 0, 0 },
	{ "One Piece Volume 103 ITA cbz", "it", "", "cbz",
	  103, 103, 9, 80 * MB, "torrent", 0, 0 },
	{ "[RAW] ワンピース 第105巻", "ja", "", "",
	  105, 105, 9, 80 * MB, "torrent", 0, 0 },
	/* no language said: taken by FR after the French ones, not by EN
	 * only when packs are refused */
	{ "One Piece T105", "", "", "",
	  105, 105, 9, 80 * MB, "torrent", 1, 1 },
	{ "One Piece Tome 104 (2023)", "", "", "",
	  104, 104, 9, 80 * MB, "torrent", 1, 1 },
	{ "One Piece 090-099", "", "", "",
	  90, 99, 9, 800 * MB, "torrent", 1, 0 },
	{ "Naruto T72 [Team Mangas] cbz", "", "Team Mangas", "cbz",
	  72, 72, 9, 80 * MB, "torrent", 1, 1 },
	{ "One Piece T93 (Digital) [cbz]", "en", "", "cbz",
	  93, 93, 9, 80 * MB, "torrent", 0, 1 },
	{ "Les Enfants de la Baleine T05 cbz", "", "", "cbz",
	  5, 5, 9, 80 * MB, "torrent", 1, 1 },
	{ "One Piece T92 FRENCH CBZ", "fr", "", "cbz",
	  92, 92, 9, 3000 * MB, "torrent", 0, 0 },
	{ "One Piece T91 FRENCH CBZ", "fr", "", "cbz",
	  91, 91, 9, -1, "torrent", 1, 0 },
};

static struct config_list list_of(const char **items, size_t nr)
{
	return (struct config_list) { .items = (char **)items, .nr = nr };
}

static const char *fr_langs[] = { "fr" }, *en_langs[] = { "en" };
static const char *fr_formats[] = { "cbz", "cbr" };
static const char *blocked[] = { "badteam" }, *preferred[] = { "punch" };

/* The release of row r, from Prowlarr. */
static struct release release_of(const struct row *r)
{
	return (struct release) {
		.title = (char *)r->title, .source = "prowlarr",
		.protocol = r->protocol, .seeders = r->seeders,
		.size = r->size, .first = r->first, .last = r->last,
	};
}

static void test_traits(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct prefs_traits t;

		prefs_traits(rows[i].title, &t);
		print_message("%s\n", rows[i].title);
		assert_string_equal(t.language, rows[i].language);
		assert_string_equal(t.group, rows[i].group);
		assert_string_equal(t.format, rows[i].format);
	}
}

static void test_decisions(void **state)
{
	struct config_list fl = list_of(fr_langs, 1), el = list_of(en_langs, 1);
	struct config_list ff = list_of(fr_formats, 2);
	struct config_list bg = list_of(blocked, 1), pg = list_of(preferred, 1);
	struct prefs fr = {
		.languages = &fl, .formats = &ff, .blocked_groups = &bg,
		.preferred_groups = &pg, .min_seeders = 3,
		.min_size = 20 * MB, .max_size = 2000 * MB,
	};
	struct prefs en = { .languages = &el, .packs = PREFS_PACKS_NEVER };
	char why[128];

	(void)state;
	assert_true(sizeof(rows) / sizeof(rows[0]) >= 40);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct release r = release_of(&rows[i]);

		print_message("%s\n", rows[i].title);
		assert_int_equal(!prefs_judge(&fr, &r, why, sizeof(why)),
				 rows[i].fr);
		r = release_of(&rows[i]);
		assert_int_equal(!prefs_judge(&en, &r, why, sizeof(why)),
				 rows[i].en);
	}
}

/* The row of a title. */
static const struct row *row(const char *title)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!strcmp(rows[i].title, title))
			return &rows[i];
	fail_msg("no row %s", title);
	return NULL;
}

/* The order of ranked releases: the wanted language before the unknown
 * one, a preferred group first, packs last or first as asked, and what
 * is blocked gone. */
static void test_rank(void **state)
{
	static const char *titles[] = {
		"One Piece T105",
		"One Piece v105 (2024) (Digital) (LuCaZ)",
		"One Piece T01-T10 FRENCH CBZ [Pack]",
		"One Piece T104 FRENCH CBZ",
		"One Piece - Tome 102 [VF] [Punch]",
	};
	struct config_list fl = list_of(fr_langs, 1);
	struct config_list pg = list_of(preferred, 1);
	struct prefs p = { .languages = &fl, .preferred_groups = &pg };
	struct release_want w = { .volume = 5 };

	(void)state;
	for (int pass = 0; pass < 2; pass++) {
		p.packs = pass ? PREFS_PACKS_FIRST : PREFS_PACKS_LAST;
		for (size_t i = 0; i < 5; i++) {
			struct release r = release_of(row(titles[i]));

			assert_int_equal(release_want_add(&w, &r), 0);
		}
		prefs_apply(&p, &w);
		release_want_rank(&w);
		assert_int_equal(w.nr, 4);
		/* the English one, listed with its reason (each pass adds) */
		assert_int_equal(json_array_size(w.dropped), pass + 1);
		assert_string_equal(json_string_value(json_object_get(
			json_array_get(w.dropped, pass), "title")), titles[1]);
		assert_string_equal(json_string_value(json_object_get(
			json_array_get(w.dropped, pass), "reason")),
			"language en not wanted");
		assert_string_equal(w.r[0].title, titles[4]);
		assert_string_equal(w.r[1].title, titles[pass ? 2 : 3]);
		assert_string_equal(w.r[2].title, titles[pass ? 3 : 2]);
		assert_string_equal(w.r[3].title, titles[0]);
		while (w.nr)
			release_want_remove(&w, 0);
	}
	free(w.r);
	json_decref(w.dropped);
}

/* A "NAME (YEAR)" folder: among releases otherwise equal, the one naming
 * its year first, one naming no year next, another year last; the year
 * outweighs no preference; a folder without a year changes nothing. */
static void test_years(void **state)
{
	static const char *const titles[] = {
		"Dune (1984) T02", "Dune T02", "Dune (2020) T02",
		"Dune T02 2020-edition", "Dune T01-T03 (2020)",
	};
	struct release_want w = { .volume = 2 };

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		struct release r = { .title = (char *)titles[i],
				     .source = "prowlarr", .seeders = (int)i,
				     .first = 2, .last = 2, .size = -1 };

		if (i == 4)
			r.last = 3;
		if (i == 1)
			r.pref = -1;	/* a better preference wins */
		assert_int_equal(release_want_add(&w, &r), 0);
	}
	release_want_years(&w, "Dune (2020)");
	release_want_rank(&w);
	assert_string_equal(w.r[0].title, titles[1]);
	assert_string_equal(w.r[1].title, titles[3]);
	assert_string_equal(w.r[2].title, titles[2]);
	assert_string_equal(w.r[3].title, titles[0]);
	assert_string_equal(w.r[4].title, titles[4]);
	for (size_t i = 0; i < w.nr; i++)
		w.r[i].year = 0;
	release_want_years(&w, "Dune");
	release_want_years(&w, "Dune (bis) [1984x]");
	for (size_t i = 0; i < w.nr; i++)
		assert_int_equal(w.r[i].year, 0);
	while (w.nr)
		release_want_remove(&w, 0);
	free(w.r);
}

/* A series' own preferences: read, shown in the order of the keys, and
 * replacing the global ones; what does not read is refused whole. */
static void test_parse(void **state)
{
	static const char *const bad[] = {
		"colour = red", "languages = klingon", "min_seeders = -1",
		"packs = sometimes", "languages", "formats = cbz,",
		"languages = fr; nonsense", "min_size_mb = 99999999999",
		"= fr",
		"save_path = relative/dir", "save_path =", "save_path = /a\tb",
	};
	struct strbuf canon = STRBUF_INIT;
	struct prefs p = { .min_seeders = 1 };
	struct prefs_own own;

	(void)state;
	assert_int_equal(prefs_parse(" packs=first ;\n\nlanguages = en,fr\n"
				     "min_seeders = 4; min_seeders = 5",
				     &own, &canon), 0);
	assert_string_equal(canon.buf, "languages = en, fr\nmin_seeders = 5"
			    "\npacks = first");
	prefs_override(&p, &own);
	assert_int_equal(p.packs, PREFS_PACKS_FIRST);
	assert_int_equal(p.min_seeders, 5);
	assert_int_equal(p.languages->nr, 2);
	assert_string_equal(p.languages->items[1], "fr");
	assert_null(p.formats);
	prefs_own_release(&own);
	strbuf_release(&canon);
	assert_int_equal(prefs_parse("", &own, NULL), 0);
	assert_int_equal(own.given, 0);
	/* a series' own save path: absolute, the last one given */
	assert_int_equal(prefs_parse("save_path = /a\nsave_path = /srv/dl/x y"
				     "\npacks = never", &own, &canon), 0);
	assert_string_equal(own.save_path, "/srv/dl/x y");
	assert_string_equal(canon.buf, "packs = never\nsave_path = /srv/dl/x"
			    " y");
	prefs_own_release(&own);
	strbuf_release(&canon);
	assert_null(own.save_path);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i]);
		assert_int_equal(prefs_parse(bad[i], &own, NULL), -EINVAL);
		assert_int_equal(own.given, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_traits),
		cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_rank),
		cmocka_unit_test(test_years),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
