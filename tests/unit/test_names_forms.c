/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The name parser's forms of issue 48 (dates beside numbers, ranges,
 * names read with their series known, glued markers, names read alone)
 * and the guard over the names the demo and the tests use
 * (tests/data/names-kept.tsv). test_names.c holds the older forms.
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

#include "common/bytes.h"
#include "indexer/manga/names.h"
#include "names_kinds.h"

static const char *const kind_names[] = {
	[NAMES_NONE] = "none", [NAMES_VOLUME] = "volume",
	[NAMES_CHAPTER] = "chapter", [NAMES_SPECIAL] = "special",
};

/*
 * A name, the series it is read under (NULL: alone, as a search result)
 * and what it gives; title, when not NULL, is the expected normalized
 * title part.
 */
struct form {
	const char *name;
	const char *series;
	enum names_kind kind;
	double first, last;
	const char *title;
};

/* A date is never a number, and the number beside it reads as if the
 * date were not there. */
static const struct form dates[] = {
	{ "Weird Worlds, 2011-04-00 (#07) (digital).cbz", NULL, VOL, 7, 7,
	  "weird worlds" },
	{ "Weird Worlds 04-2011 #07.cbz", NULL, VOL, 7, 7, "weird worlds" },
	{ "Weird Worlds 2011-04-19 #7", NULL, VOL, 7, 7, "weird worlds" },
	{ "Weird Worlds 12 2011-04-19.cbr", NULL, VOL, 12, 12,
	  "weird worlds" },
	{ "Weird Worlds 2011-04-19 12", "Weird Worlds", VOL, 12, 12, NULL },
	{ "Weird Worlds 07 (2011-04-00).cbz", "Weird Worlds", VOL, 7, 7,
	  NULL },
	{ "Weird Worlds 2011-04-00.cbz", NULL, NONE, 0, 0, "weird worlds" },
	{ "Weird Worlds 04-2011.cbz", "Weird Worlds", NONE, 0, 0, NULL },
};

/* Ranges: every separator, chained ones as first and last; a hyphen with
 * blanks parts a title unless the marker says a range. */
static const struct form ranges[] = {
	{ "Sky Pirates Book 2 – 4 (2015-2016)", NULL, VOL, 2, 4,
	  "sky pirates" },
	{ "Sky Pirates T2 — 4.cbz", NULL, VOL, 2, 4, NULL },
	{ "Sky Pirates T2–4.cbz", NULL, VOL, 2, 4, NULL },
	{ "Sky Pirates Vol 2 to 4", NULL, VOL, 2, 4, NULL },
	{ "Sky Pirates Tomes 2 à 4", NULL, VOL, 2, 4, NULL },
	{ "Sky Pirates Tomes 2 & 3", NULL, VOL, 2, 3, NULL },
	{ "Sky Pirates T2&3.cbz", NULL, VOL, 2, 3, NULL },
	{ "Sky Pirates Vols 2 et 3", NULL, VOL, 2, 3, NULL },
	{ "Sky Pirates Books 1 - 3", NULL, VOL, 1, 3, NULL },
	{ "Sky Pirates v02-03-04.cbz", NULL, VOL, 2, 4, "sky pirates" },
	{ "Sky Pirates 05-06-07.cbz", "Sky Pirates", VOL, 5, 7, NULL },
	{ "Sky Pirates 2 – 4", "Sky Pirates", VOL, 2, 4, NULL },
	{ "Sky Pirates T01 - 3 Lames.cbz", NULL, VOL, 1, 1, NULL },
	{ "Sky Pirates T1 – 3 Lames.cbz", NULL, VOL, 1, 1, NULL },
	{ "Sky Pirates T3 – 2.cbz", NULL, VOL, 3, 3, NULL },
	{ "Sky Pirates Band 1 – 2005", NULL, VOL, 1, 1, NULL },
	{ "Sky Pirates v01-02-2005.cbz", NULL, VOL, 1, 2, NULL },
	{ "Sky Pirates Season 2 – 7", NULL, CHAP, 7, 7, NULL },
};

/* With the series known, the first number right after its words is the
 * volume unless a marker says otherwise; decimals and halves too. */
static const struct form known[] = {
	{ "Blue Lagoon 12 Le Grand Large.cbz", "Blue Lagoon", VOL, 12, 12,
	  "blue lagoon" },
	{ "Blue Lagoon 0.5 Avant la mer.cbz", "Blue Lagoon", VOL, 0.5, 0.5,
	  NULL },
	{ "Blue Lagoon 133.1.cbr", "Blue Lagoon", VOL, 133.1, 133.1, NULL },
	{ "Blue Lagoon #½.cbz", "Blue Lagoon", VOL, 0.5, 0.5, NULL },
	{ "Blue Lagoon #½.cbz", NULL, VOL, 0.5, 0.5, "blue lagoon" },
	{ "Blue Lagoon ½.cbz", "Blue Lagoon", NONE, 0, 0, NULL },
	{ "Blue Lagoon # 1/2.cbz", "Blue Lagoon", VOL, 0.5, 0.5, NULL },
	{ "Blue Lagoon Book 03.cbz", "Blue Lagoon", VOL, 3, 3, NULL },
	{ "Blue Lagoon 3 - 2 Coeurs.cbz", "Blue Lagoon", VOL, 3, 3,
	  "blue lagoon" },
	{ "Blue Lagoon - 12 - 2 Mondes.cbz", "Blue Lagoon", VOL, 12, 12, NULL },
	{ "Blue Lagoon 12, 2 Mondes.cbz", "Blue Lagoon", VOL, 12, 12, NULL },
	{ "blue_lagoon_07_(2019).cbz", "Blue Lagoon", VOL, 7, 7, NULL },
	{ "BlueLagoon 07.cbz", "Blue Lagoon", VOL, 7, 7, NULL },
	{ "The Blue Lagoon 07.cbz", "Blue Lagoon", VOL, 7, 7, NULL },
	{ "Blue Lagoon 07.cbz", "The Blue Lagoon", VOL, 7, 7, NULL },
	{ "Blue Lagoon 7 à 9.cbz", "Blue Lagoon", VOL, 7, 9, NULL },
	{ "Blue Lagoon 2 Chapter 13.cbz", "Blue Lagoon", CHAP, 13, 13,
	  "blue lagoon" },
	{ "Blue Lagoon 12 Tome 13.cbz", "Blue Lagoon", VOL, 13, 13, NULL },
	{ "Blue Lagoon 12 13.cbz", "Blue Lagoon", NONE, 0, 0, NULL },
	{ "Blue Lagoon 3 2 Coeurs.cbz", "Blue Lagoon", NONE, 0, 0, NULL },
	{ "Blue Lagoon Part 3.cbz", "Blue Lagoon", NONE, 0, 0, NULL },
	{ "Sunny ½ T04.cbz", "Sunny ½", VOL, 4, 4, NULL },
	{ "Sunny ½ 04.cbz", "Sunny ½", VOL, 4, 4, NULL },
};

/* Markers glued to their numbers, and a chapter's glued to its volume's
 * ("v2c6" is chapter 6 of volume 2), in every script. */
static const struct form glued[] = {
	{ "Night Owls LN01-02.epub", NULL, VOL, 1, 2, "night owls" },
	{ "Night Owls Discs01-02.zip", NULL, VOL, 1, 2, "night owls" },
	{ "Night Owls Tome2.cbz", NULL, VOL, 2, 2, NULL },
	{ "Night Owls Vol02-03.cbz", NULL, VOL, 2, 3, NULL },
	{ "Night Owls Band3.cbz", NULL, VOL, 3, 3, NULL },
	{ "Night Owls Intégrale2.cbz", NULL, VOL, 2, 2, NULL },
	{ "Night Owls Book2.cbz", NULL, VOL, 2, 2, NULL },
	{ "Night Owls Тома1-2.cbz", NULL, VOL, 1, 2, NULL },
	{ "Night Owls v2c6.cbz", NULL, CHAP, 6, 6, "night owls" },
	{ "Night Owls v02c06.cbz", "Night Owls", CHAP, 6, 6, NULL },
	{ "Night Owls T2ch6.5.cbz", NULL, CHAP, 6.5, 6.5, NULL },
	{ "Night Owls Vol.2Ch.6.cbz", NULL, CHAP, 6, 6, "night owls" },
	{ "Night Owls v2c6-8.cbz", NULL, CHAP, 6, 8, "night owls" },
	{ "Night Owls LN2c6.epub", NULL, CHAP, 6, 6, NULL },
	{ "Night Owls Том2Глава6.cbz", NULL, CHAP, 6, 6, NULL },
	{ "Night Owls 2巻6話.cbz", NULL, CHAP, 6, 6, NULL },
	{ "Night Owls v2c.cbz", NULL, NONE, 0, 0, NULL },
	{ "Night Owls v2cx.cbz", NULL, NONE, 0, 0, NULL },
	{ "Night Owls 2c6.cbz", NULL, NONE, 0, 0, NULL },
};

/* Alone (no series known, or not found in the name), a name gives a
 * volume only when it is sure; two readings give none. */
static const struct form alone[] = {
	{ "Paper Moon 1 - 3.cbz", NULL, NONE, 0, 0, NULL },
	{ "Paper Moon 12 13.cbz", NULL, NONE, 0, 0, "paper moon 12" },
	{ "Paper Moon 2 05.cbz", NULL, NONE, 0, 0, NULL },
	{ "Paper Moon 12 (2019) 13.cbz", NULL, NONE, 0, 0, NULL },
	{ "12 13.cbz", "Paper Moon", NONE, 0, 0, NULL },
	{ "Paper Moon 2011-13-00.cbz", NULL, NONE, 0, 0, NULL },
	{ "Paper Moon 2 05.cbz", "Paper Moon 2", VOL, 5, 5, NULL },
	{ "Paper Moon 2 #05.cbz", NULL, VOL, 5, 5, "paper moon 2" },
	{ "Paper Moon 2 T05.cbz", NULL, VOL, 5, 5, "paper moon 2" },
	{ "Paper Moon 05.cbz", NULL, VOL, 5, 5, "paper moon" },
	{ "Paper Moon - 05 - Le Phare.cbz", NULL, VOL, 5, 5, NULL },
	{ "Paper Moon 1 – 3.cbz", NULL, VOL, 1, 3, NULL },
	{ "Paper Moon #-1.cbz", NULL, NONE, 0, 0, NULL },
	{ "Paper Moon #-1 (2001).cbz", "Paper Moon", NONE, 0, 0, NULL },
};

/* Numbers are compared exactly: x.5, x.1 and small integers are. */
static void check_forms(const struct form *f, size_t n)
{
	struct names_result r = NAMES_RESULT_INIT;
	size_t i;

	for (i = 0; i < n; i++, f++) {
		assert_int_equal(names_parse(f->name, f->series, &r), 0);
		if (r.kind != f->kind || r.first != f->first ||
		    r.last != f->last || r.is_range != (f->last > f->first))
			fail_msg("\"%s\" in \"%s\": expected %s %g-%g, got "
				 "%s %g-%g", f->name,
				 f->series ? f->series : "(null)",
				 kind_names[f->kind], f->first, f->last,
				 kind_names[r.kind], r.first, r.last);
		if (f->title && strcmp(r.series.buf, f->title))
			fail_msg("\"%s\": expected title \"%s\", got \"%s\"",
				 f->name, f->title, r.series.buf);
	}
	names_release(&r);
}

static void test_dates(void **state)
{
	(void)state;
	check_forms(dates, ARRAY_SIZE(dates));
}

static void test_known(void **state)
{
	struct names_result r = NAMES_RESULT_INIT;
	struct strbuf n = STRBUF_INIT;

	(void)state;
	check_forms(known, ARRAY_SIZE(known));
	names_parse("Blue Lagoon 2 Chapter 13.cbz", "Blue Lagoon", &r);
	assert_true(r.has_volume && r.volume_first == 2 &&
		    r.volume_last == 2);
	names_parse("Blue Lagoon 2 Chapter 13.cbz", NULL, &r);
	assert_false(r.has_volume);
	assert_true(names_match_release("Blue Lagoon 3 - 2 Coeurs",
					"Blue Lagoon", &r));
	assert_true(r.first == 3 && r.last == 3);
	assert_true(names_match_release("Sunny ½ 04", "Sunny ½", &r));
	assert_true(names_match_release("Sunny ½ T04", "Sunny", &r));
	assert_false(names_match_release("Blue Lagoon 12 13",
					 "Blue Lagoon", &r));
	names_release(&r);
	/* a title's "½" stays out of the words a catalog search asks for */
	names_normalize("Sunny ½", &n);
	assert_string_equal(n.buf, "sunny");
	strbuf_release(&n);
}

/* The chapter glued to its volume keeps that volume. */
static void test_glued(void **state)
{
	static const char *const names[] = {
		"Night Owls v2c6.cbz", "Night Owls T02ch06.cbz",
		"Night Owls Vol.2Ch.6.cbz", "Night Owls Том2Глава6.cbz",
	};
	struct names_result r = NAMES_RESULT_INIT;
	size_t i;

	(void)state;
	check_forms(glued, ARRAY_SIZE(glued));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		names_parse(names[i], NULL, &r);
		if (r.kind != NAMES_CHAPTER || !r.has_volume ||
		    r.volume_first != 2 || r.volume_last != 2)
			fail_msg("\"%s\": expected chapter 6 of volume 2",
				 names[i]);
	}
	names_release(&r);
}

/* Why two readings give none, as /status/unparsed shows it. */
static void test_alone(void **state)
{
	static const char *const two[][2] = {
		{ "Paper Moon 12 13.cbz", NULL },
		{ "Paper Moon 1 - 3.cbz", NULL },
		{ "12 13.cbz", "Paper Moon" },
	};
	struct names_result r = NAMES_RESULT_INIT;
	size_t i;

	(void)state;
	check_forms(alone, ARRAY_SIZE(alone));
	for (i = 0; i < ARRAY_SIZE(two); i++) {
		names_parse(two[i][0], two[i][1], &r);
		if (!r.reason || strcmp(r.reason, "two numbers, no marker"))
			fail_msg("\"%s\": reason \"%s\"", two[i][0],
				 r.reason ? r.reason : "(none)");
	}
	names_parse("Paper Moon 12 13.cbz", "Paper Moon", &r);
	assert_string_equal(r.reason, "several numbers after the series name");
	names_release(&r);
}

static void test_ranges(void **state)
{
	(void)state;
	check_forms(ranges, ARRAY_SIZE(ranges));
}

/* The kept table, beside this file's folder, as make runs from the top. */
#define KEPT_TABLE "tests/unit/../data/names-kept.tsv"

/*
 * One kept row: a name that read as a volume reads as the same volume
 * (or range) still; others are only counted. Returns whether it held.
 */
static int kept_row(char *line, struct names_result *r)
{
	char *f[5];
	size_t n;
	double first, last;

	for (n = 0; n < 5 && line; n++)
		f[n] = strsep(&line, "\t");
	assert_int_equal(n, 5);
	if (strcmp(f[2], kind_names[NAMES_VOLUME]))
		return 1;
	first = strtod(f[3], NULL);
	last = strtod(f[4], NULL);
	assert_int_equal(names_parse(f[0], *f[1] ? f[1] : NULL, r), 0);
	if (r->kind == NAMES_VOLUME && r->first == first && r->last == last)
		return 1;
	print_message("\"%s\" in \"%s\": kept volume %g-%g, now %s %g-%g\n",
		      f[0], f[1], first, last, kind_names[r->kind], r->first,
		      r->last);
	return 0;
}

static void test_kept(void **state)
{
	struct names_result r = NAMES_RESULT_INIT;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rows = 0, held = 0;
	FILE *f;

	(void)state;
	f = fopen(KEPT_TABLE, "r");
	if (!f)
		fail_msg("cannot open %s", KEPT_TABLE);
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (*line == '#' || !*line)
			continue;
		rows++;
		held += kept_row(line, &r);
	}
	free(line);
	fclose(f);
	names_release(&r);
	assert_true(rows >= 100);
	assert_int_equal(held, rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_glued),
		cmocka_unit_test(test_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
