/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The name parser (names.h) on its table of file and folder names: the
 * kind and numbers each holds, the volume a chapter gives, the reasons a
 * name is no volume, bad arguments, long names, and which files hold a
 * volume. test_names_real.c holds the names of real libraries,
 * test_names_series.c the titles and releases, test_names_forms.c the
 * forms of issue 48.
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

	/* Volume words of other scripts, glued to the number or not. */
	{ "ワンピース 12巻.cbz", "ワンピース", VOL, 12, 12, "ワンピース" },
	{ "ワンピース12巻.cbz", "ワンピース", VOL, 12, 12, NULL },
	{ "ワンピース　１２巻.cbz", "ワンピース", VOL, 12, 12, NULL },
	{ "ワンピース 1-3巻.cbz", "ワンピース", VOL, 1, 3, NULL },
	{ "ワンピース 第1050話.cbz", "ワンピース", CHAP, 1050, 1050,
	  "ワンピース" },
	{ "【Team】ワンピース 3巻 特装版.zip", NULL, VOL, 3, 3, "ワンピース" },
	{ "进击的巨人 第5卷.cbz", "进击的巨人", VOL, 5, 5, "进击的巨人" },
	{ "进击的巨人卷6.cbz", "进击的巨人", VOL, 6, 6, "进击的巨人" },
	{ "老夫子 第12册.zip", NULL, VOL, 12, 12, "老夫子" },
	{ "老夫子 3冊.zip", NULL, VOL, 3, 3, NULL },
	{ "老夫子 第8话.zip", NULL, CHAP, 8, 8, NULL },
	{ "나 혼자만 레벨업 3권.cbz", "나 혼자만 레벨업", VOL, 3, 3, NULL },
	{ "나 혼자만 레벨업 제4권.cbz", NULL, VOL, 4, 4,
	  "나 혼자만 레벨업" },
	{ "나 혼자만 레벨업 2.5권.cbz", NULL, VOL, 2.5, 2.5, NULL },
	{ "나 혼자만 레벨업 139화.cbz", NULL, CHAP, 139, 139,
	  "나 혼자만 레벨업" },
	{ "나 혼자만 레벨업 12회.cbz", NULL, CHAP, 12, 12, NULL },
	{ "나 혼자만 레벨업 40-2화.cbz", NULL, CHAP, 40, 40, NULL },
	{ "Берсерк Том 5.cbz", "Берсерк", VOL, 5, 5, "берсерк" },
	{ "БЕРСЕРК ТОМ 6.cbz", "Берсерк", VOL, 6, 6, "берсерк" },
	{ "Берсерк Тома 1-3.cbz", "Берсерк", VOL, 1, 3, NULL },
	{ "Берсерк Глава 364.cbz", "Берсерк", CHAP, 364, 364, NULL },
	{ "Берсерк 365 Глава.cbz", "Берсерк", CHAP, 365, 365, NULL },
	{ "วันพีช เล่ม 7.cbz", "วันพีช", VOL, 7, 7, "วันพีช" },
	{ "วันพีช เล่มที่ 8.cbz", "วันพีช", VOL, 8, 8, NULL },
	{ "วันพีช ตอนที่ 1000.cbz", "วันพีช", CHAP, 1000, 1000, NULL },
	{ "วันพีช บทที่ 12.cbz", NULL, CHAP, 12, 12, "วันพีช" },

	/* Markers inside brackets, when nothing outside gives a number. */
	{ "Yotsuba&! [Vol. 14].cbz", "Yotsuba&!", VOL, 14, 14, "yotsuba" },
	{ "Blame! (Chapter 12).cbz", "Blame!", CHAP, 12, 12, "blame" },
	{ "Blame! (Tome 2) [v2].cbz", NULL, VOL, 2, 2, "blame" },
	{ "Blame! [v2].cbz", "Blame!", NONE, 0, 0, NULL },
	{ "Blame! {Special Edition}.cbz", "Blame!", NONE, 0, 0, NULL },
	{ "Blame! 04 (Vol. 9).cbz", "Blame!", VOL, 4, 4, NULL },

	/* English markers that are not volumes. */
	{ "Solo Leveling - Episode 110.cbz", NULL, CHAP, 110, 110,
	  "solo leveling" },
	{ "Witch Hat Atelier Chp. 45.cbz", NULL, CHAP, 45, 45,
	  "witch hat atelier" },
	{ "Frieren - SP01 Omake.cbz", NULL, SPEC, 1, 1, "frieren" },
	{ "Frieren - Vol.tbd Chapter 120.cbz", NULL, CHAP, 120, 120,
	  "frieren" },
	{ "Blue Period Vol.TBD.cbz", NULL, NONE, 0, 0, "blue period" },
	{ "The Breaker S02.cbz", NULL, VOL, 2, 2, "the breaker" },
	{ "The Breaker S02 041.cbz", NULL, CHAP, 41, 41, "the breaker" },
	{ "The Breaker Season 3 - 005.cbz", NULL, CHAP, 5, 5, NULL },
	{ "The Breaker S02 T04.cbz", NULL, VOL, 4, 4, "the breaker" },
	{ "나 혼자만 레벨업 시즌2 15화.cbz", NULL, CHAP, 15, 15,
	  "나 혼자만 레벨업" },
	{ "Dorohedoro Chapter11v2.cbz", NULL, CHAP, 11, 11, "dorohedoro" },
	{ "Dorohedoro v05v2.cbz", NULL, VOL, 5, 5, NULL },

	/* An unknown word's number is never the volume. */
	{ "Берсерк Том 2 Глава 7.cbz", NULL, CHAP, 7, 7, "берсерк" },
	{ "나 혼자만 레벨업 4권#180.cbz", NULL, VOL, 4, 4, NULL },
	{ "Mob 3 years 2권.cbz", NULL, VOL, 2, 2, "mob 3 years" },
	{ "Mob 3 years 2화.cbz", NULL, CHAP, 2, 2, "mob 3 years" },
	{ "나 혼자만 레벨업 2년 후.cbz", NULL, NONE, 0, 0, NULL },
	{ "Berserk 12 13.cbz", "Berserk", NONE, 0, 0, NULL },
	{ "Berserk Part 2.cbz", "Berserk", NONE, 0, 0, NULL },
	{ "Berserk Deluxe 05.cbz", "Berserk", NONE, 0, 0, NULL },
	{ "Dorohedoro 05 - Chaos 12.cbz", NULL, NONE, 0, 0, NULL },
	{ "Dorohedoro 05 - Chaos 12.cbz", "Dorohedoro", VOL, 5, 5, NULL },
	{ "Dorohedoro 2 05.cbz", NULL, NONE, 0, 0, "dorohedoro 2" },
	{ "Dorohedoro 2 05.cbz", "Dorohedoro 2", VOL, 5, 5, NULL },
	{ "Naruto Part 2 T05.cbz", "Naruto", VOL, 5, 5, "naruto part 2" },
	{ "Akira 2016-2019.cbz", "Akira", NONE, 0, 0, NULL },

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

/*
 * The volume a name gives, whatever its kind: a chapter's own volume
 * ("Том 1 Глава 3" is chapter 3 of volume 1), a season's, none (-1).
 */
static void test_volume_of_chapter(void **state)
{
	static const struct {
		const char *name;
		double first, last;
	} cases[] = {
		{ "Берсерк Том 1 Глава 3", 1, 1 },
		{ "Berserk Vol.03 Ch.015", 3, 3 },
		{ "วันพีช เล่ม 2 ตอนที่ 9", 2, 2 },
		{ "进击的巨人卷2第25话", 2, 2 },
		{ "The Breaker S02 041", 2, 2 },
		{ "Berserk v01-03 Extras", 1, 3 },
		{ "Berserk v07", 7, 7 },
		{ "Berserk 12", 12, 12 },
		{ "Berserk Chapter 300", -1, -1 },
		{ "Berserk Omake", -1, -1 },
		{ "Berserk T99999 Ch.2", -1, -1 },
		{ "Berserk 12 - Lost 13", -1, -1 },
	};
	struct names_result r = NAMES_RESULT_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(names_parse(cases[i].name, NULL, &r), 0);
		if (cases[i].first < 0 ? r.has_volume || r.volume_first ||
		    r.volume_last : !r.has_volume ||
		    r.volume_first != cases[i].first ||
		    r.volume_last != cases[i].last)
			fail_msg("\"%s\": expected volume %g..%g, got %d "
				 "%g..%g", cases[i].name, cases[i].first,
				 cases[i].last, r.has_volume, r.volume_first,
				 r.volume_last);
	}
	names_release(&r);
}

/* Every name that gives no volume says why; the others say nothing. */
static void test_reasons(void **state)
{
	static const char *const cases[][3] = {
		{ "Berserk.cbz", "Berserk", "no volume number" },
		{ "Berserk (2023).cbz", "Berserk", "no volume number" },
		{ "Berserk Vol.tbd.cbz", "Berserk",
		  "a volume marker without a number" },
		{ "Berserk 12 13.cbz", "Berserk",
		  "several numbers after the series name" },
		{ "Berserk 12 - Lost 13.cbz", NULL,
		  "several numbers, none marked as the volume" },
		{ "Berserk Part 2.cbz", "Berserk",
		  "a word between the series name and the number" },
		{ "베르세르크 2년.cbz", NULL,
		  "a number glued to a word that is no marker" },
		{ "Berserk T12345.cbz", "Berserk",
		  "a number too large to be a volume" },
		{ "Berserk 12345.cbz", "Berserk",
		  "a number too large to be a volume" },
		{ "Berserk T12.cbz", "Berserk", NULL },
		{ "Berserk Chapter 3.cbz", "Berserk", NULL },
		{ "Berserk Omake.cbz", "Berserk", NULL },
	};
	struct names_result r = NAMES_RESULT_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		names_parse(cases[i][0], cases[i][1], &r);
		if (!cases[i][2] ? r.reason != NULL : !r.reason ||
		    strcmp(r.reason, cases[i][2]) || r.kind != NAMES_NONE)
			fail_msg("\"%s\": expected reason \"%s\", got \"%s\"",
				 cases[i][0], cases[i][2] ? cases[i][2] : "",
				 r.reason ? r.reason : "");
	}
	assert_int_equal(names_parse("", NULL, &r), -EINVAL);
	assert_non_null(r.reason);
	names_release(&r);
	assert_null(r.reason);
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
		cmocka_unit_test(test_volume_of_chapter),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_volume_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
