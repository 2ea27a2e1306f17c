#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "indexer/manga/names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define NONE NAMES_NONE
#define VOL NAMES_VOLUME
#define CHAP NAMES_CHAPTER
#define SPEC NAMES_SPECIAL

/*
 * One file or folder name as found in a library or a search result, the
 * series folder it sits in (NULL for a search result) and what it holds.
 * title, when not NULL, is the expected normalized title part.
 */
struct name_case {
	const char *name;
	const char *series;
	enum names_kind kind;
	double first, last;
	const char *title;
};

static const struct name_case cases[] = {
	/* Every volume form. */
	{ "Naruto T05.cbz", "Naruto", VOL, 5, 5, "naruto" },
	{ "Naruto T.05.cbz", "Naruto", VOL, 5, 5, NULL },
	{ "Naruto T 5.cbz", "Naruto", VOL, 5, 5, NULL },
	{ "Naruto - Tome 3.cbr", "Naruto", VOL, 3, 3, "naruto" },
	{ "Naruto Tomes 1-3.cbz", "Naruto", VOL, 1, 3, NULL },
	{ "Berserk Vol. 10.cbz", "Berserk", VOL, 10, 10, NULL },
	{ "Berserk Vol 10.5.cbz", "Berserk", VOL, 10.5, 10.5, NULL },
	{ "Berserk Volume 7.pdf", "Berserk", VOL, 7, 7, NULL },
	{ "Berserk v12.cbz", "Berserk", VOL, 12, 12, NULL },
	{ "Berserk v01-03.cbz", "Berserk", VOL, 1, 3, NULL },
	{ "Naruto T01-T03.cbz", "Naruto", VOL, 1, 3, NULL },
	{ "Naruto #05.cbz", "Naruto", VOL, 5, 5, "naruto" },
	{ "Billy Bat 12.cbz", "Billy Bat", VOL, 12, 12, "billy bat" },
	{ "Billy_Bat_12.cbz", "Billy Bat", VOL, 12, 12, NULL },
	{ "Berserk - 41 - La Marque.cbz", "Berserk", VOL, 41, 41, NULL },
	{ "Tome 05.cbz", "Naruto", VOL, 5, 5, "" },
	{ "T05.cb7", "One Piece", VOL, 5, 5, NULL },
	{ "005.cbt", "One Piece", VOL, 5, 5, "" },
	{ "Vol.10.zip", "Berserk", VOL, 10, 10, NULL },
	{ "Berserk_v12.rar", "Berserk", VOL, 12, 12, NULL },
	{ "One.Piece.T105.7z", "One Piece", VOL, 105, 105, NULL },
	{ "NARUTO TOME 72.CBZ", "Naruto", VOL, 72, 72, NULL },
	{ "Naruto - T72 - Fin.epub", "Naruto", VOL, 72, 72, NULL },
	{ "Dragon Ball Intégrale 2.cbz", "Dragon Ball", VOL, 2, 2, NULL },
	{ "One Piece Tome 0.cbz", "One Piece", VOL, 0, 0, NULL },
	{ "Naruto T0001.cbz", "Naruto", VOL, 1, 1, NULL },
	{ "Naruto T9999.cbz", "Naruto", VOL, 9999, 9999, NULL },
	{ "One Piece - T105 - v2.cbz", "One Piece", VOL, 105, 105, NULL },
	/* Folders of images: no extension, and ".5" is none. */
	{ "Naruto Vol.03", "Naruto", VOL, 3, 3, NULL },
	{ "Tome 12", "Naruto", VOL, 12, 12, NULL },
	{ "Vol 10.5", "Berserk", VOL, 10.5, 10.5, NULL },

	/* Ranges, and dashes that are not ranges. */
	{ "Naruto Tomes 1 à 3.cbz", "Naruto", VOL, 1, 3, NULL },
	{ "Naruto Tomes 1 - 3.cbz", "Naruto", VOL, 1, 3, NULL },
	{ "Naruto T01 - T03.cbz", "Naruto", VOL, 1, 3, NULL },
	{ "Naruto Tome 1 et 2.cbz", "Naruto", VOL, 1, 2, NULL },
	{ "Berserk Volumes 1 to 3.cbz", "Berserk", VOL, 1, 3, NULL },
	{ "Berserk v01~03.cbz", "Berserk", VOL, 1, 3, NULL },
	{ "Berserk v10.5-12.cbz", "Berserk", VOL, 10.5, 12, NULL },
	{ "Billy Bat 01-03.cbz", "Billy Bat", VOL, 1, 3, NULL },
	{ "Naruto Tome 1 - 3 Histoires.cbz", "Naruto", VOL, 1, 1, NULL },
	{ "Naruto T05-01.cbz", "Naruto", VOL, 5, 5, NULL },
	{ "Naruto T01\xe2\x80\x93T03.cbz", "Naruto", VOL, 1, 3, NULL },

	/* Series whose names hold numbers. */
	{ "Mob Psycho 100 T05.cbz", "Mob Psycho 100", VOL, 5, 5, NULL },
	{ "Mob Psycho 100 05.cbz", "Mob Psycho 100", VOL, 5, 5, NULL },
	{ "Mob Psycho 100.cbz", "Mob Psycho 100", NONE, 0, 0, NULL },
	{ "20th Century Boys - Tome 03.cbz", "20th Century Boys", VOL, 3, 3,
	  "20th century boys" },
	{ "Eyeshield 21 v12.cbz", "Eyeshield 21", VOL, 12, 12, NULL },
	{ "Eyeshield 21.cbz", "Eyeshield 21", NONE, 0, 0, NULL },
	{ "Kaiju No. 8 Vol. 4.cbz", "Kaiju No. 8", VOL, 4, 4, "kaiju no 8" },
	{ "Kaiju No.8 T04.cbz", "Kaiju No. 8", VOL, 4, 4, NULL },
	{ "Kaiju No. 8 - 04.cbz", "Kaiju No. 8", VOL, 4, 4, NULL },
	{ "Kaiju No. 8.cbz", "Kaiju No. 8", NONE, 0, 0, NULL },
	{ "7 Seeds T05.cbz", "7 Seeds", VOL, 5, 5, NULL },
	{ "7 SEEDS 05.cbz", "7 Seeds", VOL, 5, 5, NULL },
	{ "Steins;Gate 0.cbz", "Steins;Gate 0", NONE, 0, 0, NULL },
	{ "Steins Gate 0 T02.cbz", "Steins;Gate 0", VOL, 2, 2, NULL },
	{ "Hunter x Hunter T36.cbz", "Hunter\xc3\x97Hunter", VOL, 36, 36,
	  NULL },
	{ "Mob Psycho 100 - 7.cbz", "Mob Psycho 100 (2012)", VOL, 7, 7, NULL },

	/* Years and release tags. */
	{ "One Piece T105 (2023) [Digital] [Team].cbz", "One Piece", VOL,
	  105, 105, "one piece" },
	{ "Berserk (1989) v01.cbz", "Berserk", VOL, 1, 1, NULL },
	{ "Berserk 12 (2023).cbz", "Berserk", VOL, 12, 12, NULL },
	{ "Berserk (2023).cbz", "Berserk", NONE, 0, 0, NULL },
	{ "Berserk 2023.cbz", "Berserk", NONE, 0, 0, NULL },
	{ "Blue Lock 12 2023.cbz", "Blue Lock", VOL, 12, 12, NULL },
	{ "[Scan-Trad] One Piece - Tome 105 [FR] {HQ}.cbz", "One Piece",
	  VOL, 105, 105, "one piece" },
	{ "Berserk v12 (Ch. 95-100).cbz", "Berserk", VOL, 12, 12, NULL },
	{ "Berserk (Deluxe Edition) v01.cbz", "Berserk (Deluxe Edition)",
	  VOL, 1, 1, NULL },
	{ "Berserk v01 (of 3.cbz", "Berserk", VOL, 1, 1, NULL },

	/* Chapters. */
	{ "One Piece Chapter 150.cbz", "One Piece", CHAP, 150, 150, NULL },
	{ "One Piece Ch.150.cbz", "One Piece", CHAP, 150, 150, NULL },
	{ "One Piece Chapitre 12.cbz", "One Piece", CHAP, 12, 12, NULL },
	{ "One Piece c150.cbz", "One Piece", CHAP, 150, 150, NULL },
	{ "One Piece Ch. 150.5.cbz", "One Piece", CHAP, 150.5, 150.5, NULL },
	{ "Vol.03 Ch.015.cbz", "One Piece", CHAP, 15, 15, "" },
	{ "One Piece Chapters 1-10.cbz", "One Piece", CHAP, 1, 10, NULL },
	{ "Chap 7", "Berserk", CHAP, 7, 7, NULL },

	/* Specials. */
	{ "Naruto Hors-Série.cbz", "Naruto", SPEC, 0, 0, "naruto" },
	{ "Naruto Hors-Série 2.cbz", "Naruto", SPEC, 2, 2, NULL },
	{ "Naruto Hors Serie 02.cbz", "Naruto", SPEC, 2, 2, NULL },
	{ "Naruto HS 01.cbz", "Naruto", SPEC, 1, 1, NULL },
	{ "Naruto HS.cbz", "Naruto", SPEC, 0, 0, NULL },
	{ "One Piece Special.cbz", "One Piece", SPEC, 0, 0, NULL },
	{ "Berserk Extra.cbz", "Berserk", SPEC, 0, 0, NULL },
	{ "Gintama Omake 3.cbz", "Gintama", SPEC, 3, 3, NULL },
	{ "Berserk Artbook.pdf", "Berserk", SPEC, 0, 0, NULL },
	{ "Naruto Fanbook.cbz", "Naruto", SPEC, 0, 0, NULL },
	{ "Naruto Guide 2.cbz", "Naruto", SPEC, 2, 2, NULL },
	{ "One Piece Databook Blue.cbz", "One Piece", SPEC, 0, 0, NULL },
	{ "Dragon Ball Hors-Série T01.cbz", "Dragon Ball", SPEC, 1, 1, NULL },
	{ "Naruto Hors.cbz", "Naruto", NONE, 0, 0, NULL },
	{ "Naruto HS#2nd.cbz", "Naruto", SPEC, 0, 0, NULL },

	/* Accents, case and punctuation in the series name. */
	{ "Ao no Exorcist T05.cbz", "Ao No Exorcist", VOL, 5, 5, NULL },
	{ "L'Attaque des Titans T34.cbz", "L Attaque des Titans", VOL, 34,
	  34, "l attaque des titans" },
	{ "L\xe2\x80\x99" "Attaque des Titans 34.cbz", "L'Attaque des Titans",
	  VOL, 34, 34, NULL },
	{ "Pokémon - La Grande Aventure T05.cbz",
	  "Pokemon - la grande aventure", VOL, 5, 5,
	  "pokemon la grande aventure" },
	{ "POKEMON T05.cbz", "Pokémon", VOL, 5, 5, NULL },
	{ "Poke\xcc\x81mon T05.cbz", "Pokémon", VOL, 5, 5, "pokemon" },
	{ "LES MISÉRABLES T02.cbz", "Les Misérables", VOL, 2, 2, NULL },
	{ "DrStone 26.cbz", "Dr. Stone", VOL, 26, 26, NULL },

	/* Search results: no series given. */
	{ "One Piece T105 FRENCH CBZ-TEAM", NULL, VOL, 105, 105,
	  "one piece" },
	{ "[Team] Berserk - Tome 12 (2023) [Digital]", NULL, VOL, 12, 12,
	  "berserk" },
	{ "One.Piece.T105.2023.FRENCH.CBZ-TEAM", NULL, VOL, 105, 105,
	  "one piece" },
	{ "Chainsaw Man v01-11 (2020-2023) (Digital) (1r0n)", NULL, VOL, 1,
	  11, "chainsaw man" },
	{ "Spy x Family T01-T10 FRENCH CBZ", NULL, VOL, 1, 10,
	  "spy x family" },
	{ "Berserk Vol. 41 (2023) (Digital) (LuCaZ)", NULL, VOL, 41, 41,
	  "berserk" },
	{ "Mob Psycho 100 T05 FRENCH CBZ", NULL, VOL, 5, 5,
	  "mob psycho 100" },
	{ "Eyeshield 21 v12 (Digital)", NULL, VOL, 12, 12, "eyeshield 21" },
	{ "Kaiju No. 8 Vol. 4 (2022)", NULL, VOL, 4, 4, "kaiju no 8" },
	{ "20th Century Boys Tome 03 FRENCH", NULL, VOL, 3, 3,
	  "20th century boys" },
	{ "Jujutsu Kaisen - Chapitre 236 [FR]", NULL, CHAP, 236, 236,
	  "jujutsu kaisen" },
	{ "Dragon Ball Super Tomes 1 à 20 FRENCH", NULL, VOL, 1, 20,
	  "dragon ball super" },
	{ "Naruto Hors-Série Artbook FRENCH", NULL, SPEC, 0, 0, "naruto" },
	{ "Blue Lock 12 FRENCH 2023", NULL, VOL, 12, 12, "blue lock" },
	{ "Kaiju No. 8", NULL, VOL, 8, 8, "kaiju no" },
	{ "Berserk Deluxe Edition FRENCH", NULL, NONE, 0, 0,
	  "berserk deluxe edition french" },

	/* Bad input. */
	{ "Naruto.cbz", "Naruto", NONE, 0, 0, NULL },
	{ "Naruto - La Fin.cbz", "Naruto", NONE, 0, 0, NULL },
	{ "Naruto 20th Anniversary.cbz", "Naruto", NONE, 0, 0, NULL },
	{ "Tome.cbz", "Naruto", NONE, 0, 0, NULL },
	{ "T99999999.cbz", "Naruto", NONE, 0, 0, NULL },
	{ "Naruto T10000.cbz", "Naruto", NONE, 0, 0, NULL },
	/* found by fuzzing: a decimal past the largest number */
	{ "Naruto T9999.9.cbz", "Naruto", NONE, 0, 0, NULL },
	{ "Naruto v01-9999.5.cbz", "Naruto", NONE, 0, 0, NULL },
	{ "Naruto v01-99999.cbz", "Naruto", NONE, 0, 0, NULL },
	{ "Naruto 123456789.cbz", "Naruto", NONE, 0, 0, NULL },
	{ "Naruto T00000000000000000000005.cbz", "Naruto", VOL, 5, 5, NULL },
	{ "Naruto T5th.cbz", "Naruto", NONE, 0, 0, NULL },
	{ ".cbz", "Naruto", NONE, 0, 0, "" },
	{ "cover.jpg", "Naruto", NONE, 0, 0, "cover jpg" },
	{ "One Piece \xff\xfe T05.cbz", "One Piece", VOL, 5, 5, NULL },
	{ "Pok\xe9mon T05.cbz", "Pokémon", VOL, 5, 5, "pok mon" },
	{ "Naruto T05 \xe2\x82", "Naruto", VOL, 5, 5, "naruto" },
	{ "\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80 v3", NULL, VOL, 3, 3, "" },
	{ "\xf0\x9f\x98", NULL, NONE, 0, 0, "" },
	{ "\xc3", "Naruto", NONE, 0, 0, "" },
	{ "Naruto T05", "", VOL, 5, 5, "naruto" },
};

/* Numbers are compared exactly: x.5 and small integers are exact. */
static void check_case(const struct name_case *c, struct names_result *r)
{
	int ret = names_parse(c->name, c->series, r);

	if (ret)
		fail_msg("\"%s\": returned %d", c->name, ret);
	if (r->kind != c->kind || r->first != c->first ||
	    r->last != c->last || r->is_range != (c->last > c->first))
		fail_msg("\"%s\" in \"%s\": expected kind %d %g..%g, got kind "
			 "%d %g..%g (range %d)", c->name,
			 c->series ? c->series : "(null)", c->kind, c->first,
			 c->last, r->kind, r->first, r->last, r->is_range);
	if (c->title && strcmp(r->series.buf, c->title))
		fail_msg("\"%s\": expected title \"%s\", got \"%s\"", c->name,
			 c->title, r->series.buf);
}

/* One result reused for the whole table, as the scanner would. */
static void test_table(void **state)
{
	struct names_result r = NAMES_RESULT_INIT;
	size_t i;

	(void)state;
	assert_true(ARRAY_SIZE(cases) >= 80);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i], &r);
	names_release(&r);
	assert_int_equal(r.kind, NAMES_NONE);
	assert_int_equal(r.series.len, 0);
}

/* NULL and empty names fail, and leave no stale result behind. */
static void test_bad_arguments(void **state)
{
	struct names_result r = NAMES_RESULT_INIT;

	(void)state;
	assert_int_equal(names_parse("Naruto T05.cbz", NULL, &r), 0);
	assert_int_equal(r.kind, NAMES_VOLUME);
	assert_int_equal(names_parse("", "Naruto", &r), -EINVAL);
	assert_int_equal(r.kind, NAMES_NONE);
	assert_true(r.first == 0 && r.last == 0 && !r.is_range);
	assert_string_equal(r.series.buf, "");
	assert_int_equal(names_parse(NULL, "Naruto", &r), -EINVAL);
	assert_int_equal(r.kind, NAMES_NONE);
	assert_int_equal(names_parse("Naruto T05.cbz", NULL, NULL), -EINVAL);
	names_release(&r);
}

/* A name far longer than any file system allows, with and without a
 * number, and one 5000-digit number. */
static void test_long_names(void **state)
{
	struct names_result r = NAMES_RESULT_INIT;
	char name[5001];

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memcpy(name + sizeof(name) - 1 - 8, " T05.cbz", 8);
	assert_int_equal(names_parse(name, "aaa", &r), 0);
	assert_int_equal(r.kind, NAMES_VOLUME);
	assert_true(r.first == 5);
	assert_int_equal(r.series.len, 5000 - 8);

	memset(name, '(', 2500);
	assert_int_equal(names_parse(name, NULL, &r), 0);
	assert_int_equal(r.kind, NAMES_NONE);

	name[0] = 'T';
	memset(name + 1, '9', sizeof(name) - 2);
	assert_int_equal(names_parse(name, NULL, &r), 0);
	assert_int_equal(r.kind, NAMES_NONE);

	memset(name, '\xff', sizeof(name) - 1);
	assert_int_equal(names_parse(name, name, &r), 0);
	assert_int_equal(r.kind, NAMES_NONE);
	names_release(&r);
}

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
	assert_false(names_same_series("One Piece", "One Piece Party"));
	assert_false(names_same_series("One Piece Party", "One Piece"));
	assert_false(names_same_series("Naruto", "Boruto"));
	assert_false(names_same_series("", ""));
	assert_false(names_same_series("(2023)", "[2023]"));
	assert_false(names_same_series(NULL, "Naruto"));
	assert_false(names_same_series("Naruto", NULL));
}

static void test_volume_file(void **state)
{
	static const char *const yes[] = {
		"a.cbz", "a.cbr", "a.cb7", "a.cbt", "a.zip", "a.rar", "a.7z",
		"a.pdf", "a.epub", "Naruto T05.CBZ", "x.y.Epub", ".cbz",
	};
	static const char *const no[] = {
		"cover.jpg", "Vol 10.5", "Naruto T05", "a.cbz.part", "a.cb",
		"a.cbzz", "a.", "", "a.cb\x17",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(yes); i++)
		if (!names_is_volume_file(yes[i]))
			fail_msg("\"%s\" is a volume file", yes[i]);
	for (i = 0; i < ARRAY_SIZE(no); i++)
		if (names_is_volume_file(no[i]))
			fail_msg("\"%s\" is not a volume file", no[i]);
	assert_false(names_is_volume_file(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_same_series),
		cmocka_unit_test(test_volume_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
