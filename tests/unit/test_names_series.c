/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Titles and releases (names.h): a title normalized, two names of the
 * same series, a release title offering a wanted volume, and a title's
 * length without its year.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/bytes.h"

#include "indexer/manga/names.h"
#include "names_kinds.h"

static void test_normalize(void **state)
{
	static const char *const pairs[][2] = {
		{ "  L'Attaque   des Titans!! ", "l attaque des titans" },
		{ "Pokémon", "pokemon" },
		{ "Poke\xcc\x81mon", "pokemon" },
		{ "ŒUVRES ÇA Straße", "oeuvres ca strasse" },
		{ "Æon Flux", "aeon flux" },
		{ "Łódź Ĳssel Þór", "lodz ijssel thor" },
		{ "ÀÉÎÕÜ àéîõü ÿ Ÿ", "aeiou aeiou y y" },
		{ "[Team] Berserk (2023) {HQ}", "berserk" },
		{ "Berserk ((nested) still) Vol", "berserk vol" },
		{ "Dr.\tStone\xe2\x80\x94Reboot", "dr stone reboot" },
		{ "Hunter\xc3\x97Hunter", "hunterxhunter" },
		{ "\xe9\x80\xb2\xe6\x92\x83\xe3\x81\xae\xe5\xb7\xa8\xe4\xba\xba"
		  "\xe3\x80\x80" "1", "\xe9\x80\xb2\xe6\x92\x83\xe3\x81\xae"
		  "\xe5\xb7\xa8\xe4\xba\xba 1" },
		{ "\xce\x9a\xce\xb1\xce\xb9", "\xce\x9a\xce\xb1\xce\xb9" },
		{ "БЕРСЕРК Ёж Ѕ", "берсерк ёж ѕ" },
		{ "ＢＥＲＳＥＲＫ　１２（ｘ）", "berserk 12" },
		{ "【TFO汉化】迷你偶像 〔x〕 人々", "迷你偶像 人々" },
		{ "a\xff" "b\xc3", "a b" },
		{ "\xc2\xab Mon \xc2\xa0Titre \xc2\xbb", "mon titre" },
		{ "___", "" },
		{ "", "" },
	};
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		names_normalize(pairs[i][0], &sb);
		if (strcmp(sb.buf, pairs[i][1]))
			fail_msg("\"%s\": expected \"%s\", got \"%s\"",
				 pairs[i][0], pairs[i][1], sb.buf);
		assert_int_equal(sb.len, strlen(pairs[i][1]));
	}
	names_normalize(NULL, &sb);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
}

static void test_same_series(void **state)
{
	(void)state;
	assert_true(names_same_series("Dr. Stone", "DrStone"));
	assert_true(names_same_series("Pokémon", "POKEMON"));
	assert_true(names_same_series("Hunter x Hunter",
				      "Hunter\xc3\x97Hunter"));
	assert_true(names_same_series("[Team] Berserk (2023)", "Berserk"));
	assert_true(names_same_series("L'Attaque des Titans",
				      "l attaque des titans"));
	assert_true(names_same_series("The Legend of Kamui",
				      "Legend of Kamui"));
	assert_true(names_same_series("L'Attaque des Titans",
				      "Attaque des Titans"));
	assert_true(names_same_series("Das Boot", "boot"));
	assert_true(names_same_series("Shōnen Note", "Shounen Note"));
	assert_true(names_same_series("Shonen Note", "SHOUNEN NOTE"));
	assert_true(names_same_series("Yūsha", "Yuusha"));
	assert_true(names_same_series("БЕРСЕРК", "Берсерк"));
	assert_true(names_same_series("ＢＥＲＳＥＲＫ", "Berserk"));
	assert_true(names_same_series("The", "the"));
	assert_false(names_same_series("The", "A"));
	assert_false(names_same_series("Lamu", "Mu"));
	assert_false(names_same_series("Shonen Note", "Shinen Note"));
	assert_false(names_same_series("One Piece", "One Piece Party"));
	assert_false(names_same_series("One Piece Party", "One Piece"));
	assert_false(names_same_series("Naruto", "Boruto"));
	assert_false(names_same_series("", ""));
	assert_false(names_same_series("(2023)", "[2023]"));
	assert_false(names_same_series(NULL, "Naruto"));
	assert_false(names_same_series("Naruto", NULL));
}

/*
 * Release titles as Prowlarr's indexers and Nyaa name them, against the
 * series a wanted volume belongs to: whether they offer its volumes, and
 * which (first..last; 0 when they must not match).
 */
static const struct {
	const char *title, *series;
	double first, last;
} release_cases[] = {
	/* leading articles, on either side */
	{ "The Legend of Kamui v01-02 (Digital) (danke)",
	  "Legend of Kamui", 1, 2 },
	{ "Legend of Kamui v03 (2021) (Digital)", "The Legend of Kamui",
	  3, 3 },
	{ "L'Attaque des Titans T05 FRENCH CBZ", "L'Attaque des Titans",
	  5, 5 },
	{ "L\xe2\x80\x99" "Attaque des Titans - Tome 34 [FR]",
	  "Attaque des Titans", 34, 34 },
	{ "Les Gouttes de Dieu T44", "Gouttes de Dieu", 44, 44 },
	{ "Le Pacte des Yokai - Tome 02", "Le Pacte des Yokai", 2, 2 },
	{ "La Rose de Versailles Vol.1", "Rose de Versailles", 1, 1 },
	{ "A Silent Voice v07 (2016) (Digital)", "Silent Voice", 7, 7 },
	{ "Silent Voice v01", "A Silent Voice", 1, 1 },
	{ "An Archdemon's Dilemma v03", "Archdemon's Dilemma", 3, 3 },
	{ "Die Walkinder Band 2", "Walkinder", 2, 2 },
	{ "Das Mädchen aus dem Nichts Band 4",
	  "Madchen aus dem Nichts", 4, 4 },
	{ "Der Schwarze Butler Band 31", "Der schwarze Butler", 31,
	  31 },
	/* punctuation, accents, long vowels */
	{ "Dr. Stone - Tome 3", "Dr. Stone", 3, 3 },
	{ "Dr.STONE v26 (2023) (Digital) (1r0n)", "Dr. Stone", 26, 26 },
	{ "DrStone T12", "Dr. Stone", 12, 12 },
	{ "Shōnen Note v01 (2019)", "Shounen Note", 1, 1 },
	{ "Shounen Note v02", "Shōnen Note", 2, 2 },
	{ "Shonen Note v03", "Shounen Note", 3, 3 },
	{ "Yūsha ga Shinda! v05", "Yuusha ga Shinda!", 5, 5 },
	{ "Sousou no Frieren T05 [FR]", "Sōsō no Frieren", 5, 5 },
	{ "Pokémon - La Grande Aventure T12",
	  "Pokemon la grande aventure", 12, 12 },
	{ "Spy x Family T01-T10 FRENCH CBZ", "Spy×Family", 1, 10 },
	{ "Hunter x Hunter v37 (2023) (Digital) (LuCaZ)",
	  "Hunter × Hunter", 37, 37 },
	{ "Frieren - Beyond Journey's End v11",
	  "Frieren: Beyond Journey\xe2\x80\x99s End", 11, 11 },
	{ "Tokyo Ghoul:re v16 (2018)", "Tokyo Ghoul re", 16, 16 },
	{ "Steins;Gate 0 T02", "Steins;Gate 0", 2, 2 },
	/* volume markers and ranges */
	{ "[Team-Manga] One Piece - Tome 105 [FR] [CBZ]", "One Piece",
	  105, 105 },
	{ "One.Piece.T106.FRENCH.CBZ.eBook-NoTag", "One Piece", 106,
	  106 },
	{ "Chainsaw Man v01-11 (2020-2023) (Digital) (1r0n)",
	  "Chainsaw Man", 1, 11 },
	{ "Berserk Vol. 41 (2023) (Digital) (LuCaZ)", "Berserk", 41,
	  41 },
	{ "Berserk Tomes 1 à 3", "Berserk", 1, 3 },
	{ "Vinland Saga - Volumes 1-3", "Vinland Saga", 1, 3 },
	{ "Fire Punch v01-08 (Complete) (Digital)", "Fire Punch", 1,
	  8 },
	{ "Akira v01-06 Complete (Kodansha) [Digital]", "Akira", 1, 6 },
	{ "Dragon Ball Super Tomes 1 à 20 FRENCH",
	  "Dragon Ball Super", 1, 20 },
	{ "Gintama - Tome 77 [Digital] [Kana]", "Gintama", 77, 77 },
	{ "[Nyaa] Vagabond v37 (Digital) [VIZBIG]", "Vagabond", 37,
	  37 },
	{ "Jujutsu Kaisen v24 (2024) [Viz]", "Jujutsu Kaisen", 24, 24 },
	{ "Blue Lock 12 FRENCH 2023", "Blue Lock", 12, 12 },
	{ "Dorohedoro v01 (2010) (Digital) (LostNerevarine-Empire)",
	  "Dorohedoro", 1, 1 },
	/* series whose names hold numbers */
	{ "Mob Psycho 100 v05", "Mob Psycho 100", 5, 5 },
	{ "Mob Psycho 100 05 (Digital)", "Mob Psycho 100", 5, 5 },
	{ "Kaiju No. 8 Vol. 10 (2024) (Digital)", "Kaiju No. 8", 10,
	  10 },
	{ "Kaiju No.8 - Tome 04", "Kaiju No. 8", 4, 4 },
	{ "Eyeshield 21 v12", "Eyeshield 21", 12, 12 },
	{ "20th Century Boys - Tome 03", "20th Century Boys", 3, 3 },
	/* other scripts */
	{ "ワンピース 105巻", "ワンピース", 105, 105 },
	{ "[諫山創] 進撃の巨人 第34巻", "進撃の巨人", 34, 34 },
	{ "나 혼자만 레벨업 3권", "나 혼자만 레벨업", 3, 3 },
	{ "БЕРСЕРК Том 41", "Берсерк", 41, 41 },

	/* other series whose names hold this one */
	{ "One Piece Party T07", "One Piece", 0, 0 },
	{ "Attack on Titan: Before the Fall v01", "Attack on Titan", 0,
	  0 },
	{ "Boruto - Naruto Next Generations T01", "Naruto", 0, 0 },
	{ "Naruto Gaiden 3", "Naruto", 0, 0 },
	{ "Dragon Ball Super T05", "Dragon Ball", 0, 0 },
	{ "Dragon Ball T05", "Dragon Ball Super", 0, 0 },
	{ "Kaiju No. 8 B-Side v01", "Kaiju No. 8", 0, 0 },
	{ "Mob Psycho 100 Reigen v01", "Mob Psycho 100", 0, 0 },
	{ "Berserk of Gluttony v03", "Berserk", 0, 0 },
	{ "Dr. Stone Reboot: Byakuya v01", "Dr. Stone", 0, 0 },
	{ "The Legend of Kamui Gaiden v01", "Legend of Kamui", 0, 0 },
	{ "Kingdom Hearts II v01", "Kingdom", 0, 0 },
	{ "Berserk Deluxe Edition v01", "Berserk", 0, 0 },
	{ "Attack on Titan Colossal Edition v01", "Attack on Titan", 0,
	  0 },
	{ "20th Century Boys - Perfect Edition T03",
	  "20th Century Boys", 0, 0 },
	{ "One Piece Party 3", "One Piece", 0, 0 },
	/* side stories, art books, guides */
	{ "Goblin Slayer Side Story - Year One v01", "Goblin Slayer", 0,
	  0 },
	{ "Goblin Slayer Side Story II - Dai Katana v02",
	  "Goblin Slayer", 0, 0 },
	{ "Berserk Artbook - Illustrations File", "Berserk", 0, 0 },
	{ "Naruto Artbook 2", "Naruto", 0, 0 },
	{ "Naruto Hors-Série Fanbook FRENCH", "Naruto", 0, 0 },
	{ "One Piece Databook Yellow", "One Piece", 0, 0 },
	{ "Gintama Omake 3", "Gintama", 0, 0 },
	{ "Frieren - SP01 (2023)", "Frieren", 0, 0 },
	/* chapters and episodes */
	{ "One Piece - Chapitre 1100 [FR]", "One Piece", 0, 0 },
	{ "Jujutsu Kaisen Chapter 236 (Scan)", "Jujutsu Kaisen", 0, 0 },
	{ "Chainsaw Man c150 (2023)", "Chainsaw Man", 0, 0 },
	{ "Vinland Saga Vol. 01 Ch. 005", "Vinland Saga", 0, 0 },
	{ "Solo Leveling - Episode 110", "Solo Leveling", 0, 0 },
	{ "Tower of God S01 014 (CBT)", "Tower of God", 0, 0 },
	{ "Berserk Глава 364", "Берсерк", 0, 0 },
	{ "ワンピース 第1050話", "ワンピース", 0, 0 },
	/* no volume, or none sure */
	{ "Berserk (2023) [Digital]", "Berserk", 0, 0 },
	{ "Berserk Part 2", "Berserk", 0, 0 },
	{ "Berserk 12 - Lost Children 13", "Berserk", 12, 12 },
	{ "Blue Period Vol.TBD", "Blue Period", 0, 0 },
	{ "Berserk T12345", "Berserk", 0, 0 },
	{ "", "Berserk", 0, 0 },
	{ "Berserk v01", "", 0, 0 },
};

static void test_match_release(void **state)
{
	struct names_result r = NAMES_RESULT_INIT;
	size_t i;
	int match;

	(void)state;
	assert_true(ARRAY_SIZE(release_cases) >= 60);
	for (i = 0; i < ARRAY_SIZE(release_cases); i++) {
		match = names_match_release(release_cases[i].title, release_cases[i].series,
					    &r);
		if (match != (release_cases[i].first > 0) ||
		    (match && (r.first != release_cases[i].first ||
			       r.last != release_cases[i].last)))
			fail_msg("\"%s\" for \"%s\": expected %g..%g, got %d "
				 "%g..%g (%s)", release_cases[i].title,
				 release_cases[i].series, release_cases[i].first,
				 release_cases[i].last, match, r.first, r.last,
				 r.series.buf);
	}
	assert_false(names_match_release("Berserk v01", NULL, &r));
	names_release(&r);
}

/* What a search asks for: the name without the groups that end it. */
static void test_title_len(void **state)
{
	(void)state;
	assert_int_equal(names_title_len("Dune (2020)"), 4);
	assert_int_equal(names_title_len("Dune (2020) [Deluxe]"), 4);
	assert_int_equal(names_title_len("Dune"), 4);
	assert_int_equal(names_title_len("Dune (x (y))"), 4);
	assert_int_equal(names_title_len("Dune (2020) II"), 14);
	assert_int_equal(names_title_len("(2020)"), 6);
	assert_int_equal(names_title_len("Dune 2020)"), 10);
	assert_int_equal(names_title_len("Dune (2020"), 10);
	assert_int_equal(names_title_len(""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_same_series),
		cmocka_unit_test(test_match_release),
		cmocka_unit_test(test_title_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
