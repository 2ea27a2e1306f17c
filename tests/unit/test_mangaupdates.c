/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* the source is its one file: its parse and its info are static there */
#include "indexer/monitor/mangaupdates.c"
#include "indexer/monitor/remote.h"

/* Shapes as MangaUpdates' documentation gives them (its recorded
 * answers are in tests/data/mangaupdates/). */
#define RESULT(id, title, type, hit) \
	"{\"record\": {\"series_id\": " id ", \"title\": \"" title "\"," \
	" \"type\": \"" type "\", \"year\": \"2015\"}, \"hit_title\": \"" \
	hit "\", \"metadata\": {}}"
#define RESULTS(...) \
	"{\"total_hits\": 1, \"page\": 1, \"per_page\": 10, \"results\": [" \
	__VA_ARGS__ "]}"
#define SERIES(status, completed) \
	"{\"series_id\": 42, \"title\": \"Saga\", \"type\": \"Manhwa\"," \
	" \"status\": " status ", \"completed\": " completed "}"

static int search(const char *body, const char *title,
		  struct mangaupdates_info *info)
{
	return mangaupdates_parse_search(body, strlen(body), title, "ja",
					 info);
}

static int series(const char *body, struct mangaupdates_info *info)
{
	info->id = 42;
	return mangaupdates_parse_series(body, strlen(body), info);
}

static void test_search(void **state)
{
	struct mangaupdates_info info;

	(void)state;
	/* the first result is another series: the title decides, or the
	 * title the search matched */
	assert_int_equal(search(RESULTS(
		RESULT("7", "Saga Party", "Manga", "Saga Party") ", "
		RESULT("55099564912", "Sāga", "Manga", " saga ")), "Saga",
		&info), 0);
	assert_true(info.id == 55099564912LL);
	assert_string_equal(info.type, "Manga");
	assert_int_equal(search(RESULTS(RESULT("7", "Other", "Manga",
					       "Other")), "Saga", &info),
			 -ENOENT);
	assert_int_equal(search(RESULTS(), "Saga", &info), -ENOENT);
	/* punctuation and case set aside */
	assert_int_equal(search(RESULTS(RESULT("8", "Kaguya-sama: Love Is"
		" War", "Manga", "x")), "kaguya sama love is war", &info), 0);
	assert_true(info.id == 8);
}

/* The search answer body of title is a tie of the records one and
 * other, neither taken. */
static void tie(const char *body, const char *title, long long one,
		long long other)
{
	struct mangaupdates_info info;

	assert_int_equal(search(body, title, &info), -EEXIST);
	assert_true(info.id == one && info.other == other);
}

static void test_search_matching(void **state)
{
	struct mangaupdates_info info;

	(void)state;
	/* the author MangaUpdates adds to tell two records apart; the
	 * manhwa of the same plain title is not the Japanese edition */
	assert_int_equal(search(RESULTS(
		RESULT("21", "Wind Breaker", "Manhwa", "Wind Breaker") ", "
		RESULT("22", "Wind Breaker (NII Satoru)", "Manga",
		       "Wind Breaker (NII Satoru)")), "Wind Breaker", &info), 0);
	assert_true(info.id == 22);
	assert_int_equal(mangaupdates_parse_search(RESULTS(
		RESULT("21", "Wind Breaker", "Manhwa", "Wind Breaker") ", "
		RESULT("22", "Wind Breaker (NII Satoru)", "Manga",
		       "Wind Breaker (NII Satoru)")),
		strlen(RESULTS(
		RESULT("21", "Wind Breaker", "Manhwa", "Wind Breaker") ", "
		RESULT("22", "Wind Breaker (NII Satoru)", "Manga",
		       "Wind Breaker (NII Satoru)"))), "Wind Breaker", "ko",
		&info), 0);
	assert_true(info.id == 21);
	/* the author as a person writes it after the title */
	assert_int_equal(search(RESULTS(
		RESULT("33", "Look Back (FUJIMOTO Tatsuki)", "Manga",
		       "Look Back (FUJIMOTO Tatsuki)")),
		"Look Back by Fujimoto Tatsuki", &info), 0);
	assert_true(info.id == 33);
	assert_int_equal(search(RESULTS(
		RESULT("33", "Look Back (FUJIMOTO Tatsuki)", "Manga",
		       "Look Back (FUJIMOTO Tatsuki)")),
		"Look Back by Another Author", &info), -ENOENT);
	/* the novel of a manga is set aside; a year too */
	assert_int_equal(search(RESULTS(
		RESULT("31", "Look Back", "Novel", "Look Back") ", "
		RESULT("32", "Look Back (FUJIMOTO Tatsuki)", "Manga",
		       "Look Back (FUJIMOTO Tatsuki)")), "Look Back", &info), 0);
	assert_true(info.id == 32);
	/* two records as good: neither is taken, both are named */
	tie(RESULTS(
		RESULT("41", "Monster (2004)", "Manga", "Monster (2004)") ", "
		RESULT("42", "Monster (1995)", "Manga", "Monster (1995)")),
	    "Monster", 41, 42);
	/* the plain title is no better than one MangaUpdates told apart by
	 * its author: two works (as its search of "Jigokuraku" answered) */
	tie(RESULTS(
		RESULT("61", "Jigokuraku", "Manga", "Jigokuraku") ", "
		RESULT("62", "Jigokuraku (KAKU Yuuji)", "Manga",
		       "Jigokuraku (KAKU Yuuji)")), "Jigokuraku", 61, 62);
	/* nor than a series' title of which it is the head before a
	 * subtitle, when a spin-off bears it as its alternative title */
	tie(RESULTS(
		RESULT("71", "Tensei - Guild Nikki", "Manga", "Tensei") ", "
		RESULT("72", "Tensei - Kamigami no Shito", "Manga",
		       "Tensei ~Kamigami no Shito~")), "Tensei", 71, 72);
	/* but the label of another edition is: Berserk of Gluttony's
	 * webtoon is not the manga */
	assert_int_equal(search(RESULTS(
		RESULT("82", "Boushoku Saikyou", "Manga",
		       "Berserk of Gluttony (Webtoon)") ", "
		RESULT("81", "Boushoku THE COMIC", "Manga",
		       "Berserk of Gluttony")), "Berserk of Gluttony", &info),
		0);
	assert_true(info.id == 81);
	/* an odd record does not refuse the others */
	assert_int_equal(search(RESULTS("{\"hit_title\": \"Saga\"}, "
		RESULT("51", "Saga", "Manga", "Saga")), "Saga", &info), 0);
	assert_true(info.id == 51);
}

static void test_search_refused(void **state)
{
	struct mangaupdates_info info;
	static const char *const bad[] = {
		"{\"status\": \"exception\", \"reason\": \"Oops\","
		" \"context\": {}}",
		"{\"results\": {}}",
		"{}",
		"[]",
		RESULTS(RESULT("\"7\"", "Saga", "Manga", "Saga")),
		RESULTS(RESULT("0", "Saga", "Manga", "Saga")),
		RESULTS("{\"hit_title\": \"Saga\"}"),
		"{\"results\": [[[[]]]]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(search(bad[i], "Saga", &info), -EPROTO);
		assert_true(info.id == 0);
	}
	assert_int_equal(search("<html><body>Just a moment</body></html>",
				"Saga", &info), -EBADMSG);
	assert_int_equal(mangaupdates_parse_search("{}",
		MANGAUPDATES_MAX_ANSWER + 1, "Saga", "ja", &info), -EFBIG);
}

static void test_series(void **state)
{
	struct mangaupdates_info info = { 0 };

	(void)state;
	assert_int_equal(series(SERIES("\"14 Volumes (Ongoing)\"", "false"),
				&info), 0);
	assert_int_equal(info.count, 14);
	assert_string_equal(info.line, "14 Volumes (Ongoing)");
	assert_false(info.completed);
	assert_string_equal(info.type, "Manhwa");
	assert_int_equal(series(SERIES("\"1 Volume (Complete)\"", "true"),
				&info), 0);
	assert_int_equal(info.count, 1);
	assert_true(info.completed);
	/* a side story on another line does not add up */
	assert_int_equal(series(SERIES("\"20 Volumes (Complete)\\n\\n"
					"2 Volumes (Side Story)\"", "true"),
				&info), 0);
	assert_int_equal(info.count, 20);
	/* as MangaUpdates writes manhwa records: chapters first */
	assert_int_equal(series(SERIES("\"200 Chapters + Prologue (Complete)"
					"  \\n15 Volumes (Complete)\"",
					"true"), &info), 0);
	assert_int_equal(info.count, 15);
	assert_string_equal(info.line, "15 Volumes (Complete)");
	assert_int_equal(series(SERIES("\"84 Chapters (Ongoing)\\n\\n"
					"5 Volumes (Ongoing) (Kodansha)\"",
					"false"), &info), 0);
	assert_int_equal(info.count, 5);
	assert_string_equal(info.line, "5 Volumes (Ongoing) (Kodansha)");
	/* over when the line of the count says so, whatever the flag
	 * (MangaUpdates' own is about the scanlation; trimmed records
	 * have none) */
	assert_int_equal(series(SERIES("\"18 Volumes (Complete)  \\n"
					"9 Volumes (Kanzenban, Complete)\"",
					"false"), &info), 0);
	assert_int_equal(info.count, 18);
	assert_true(info.completed);
	assert_int_equal(series("{\"series_id\": 42, \"status\":"
				" \"26 Volumes (Ongoing)\"}", &info), 0);
	assert_false(info.completed);
	/* stopped or paused, as the line of the count says (issue 81) */
	assert_int_equal(series(SERIES("\"556 Chapters (Discontinued)\\n\\n"
					"29 Volumes (Discontinued)\"",
					"false"), &info), 0);
	assert_int_equal(info.completed, RUN_CANCELLED);
	assert_int_equal(series(SERIES("\"12 Volumes (Cancelled)\"",
					"false"), &info), 0);
	assert_int_equal(info.completed, RUN_CANCELLED);
	assert_int_equal(series(SERIES("\"7 Volumes (Hiatus)\"", "false"),
				&info), 0);
	assert_int_equal(info.completed, RUN_HIATUS);
	assert_int_equal(series(SERIES("\"90 Chapters + Prologue (Complete)"
					"\\n\\nS1: 47 Chapters (1-47)\"",
					"false"), &info), -ENODATA);
	assert_true(info.completed);
	/* a number glued to another word is not a count */
	assert_int_equal(series(SERIES("\"S2 Volumes\\nx12 Volumes\"",
					"false"), &info), -ENODATA);
	/* no volumes named: no count */
	assert_int_equal(series(SERIES("\"Ongoing\"", "false"), &info),
			 -ENODATA);
	assert_string_equal(info.line, "");
	assert_int_equal(series(SERIES("null", "false"), &info), -ENODATA);
	assert_int_equal(series(SERIES("\"12 Chapters (Ongoing)\"", "false"),
				&info), -ENODATA);
	assert_int_equal(series(SERIES("\"99999 Volumes\"", "false"),
				&info), -ENODATA);
	/* shapes not documented */
	assert_int_equal(series(SERIES("14", "false"), &info), -EPROTO);
	assert_int_equal(series(SERIES("\"14 Volumes\"", "\"no\""), &info),
			 -EPROTO);
	assert_int_equal(series("{\"status\": \"exception\", \"reason\":"
				" \"The requested series does not exist\"}",
				&info), -EPROTO);
}

static void test_editions(void **state)
{
	(void)state;
	assert_string_equal(mangaupdates_edition("Manga"), "ja");
	assert_string_equal(mangaupdates_edition("Manhwa"), "ko");
	assert_string_equal(mangaupdates_edition("Manhua"), "zh");
	assert_null(mangaupdates_edition("Novel"));
	assert_null(mangaupdates_edition(""));
}

static void test_info_dump_load(void **state)
{
	struct mangaupdates_info in = {
		.id = 55099564912LL, .type = "Manga", .count = 14,
		.line = "14 Volumes (Complete)", .completed = 1,
	}, out;
	char *s = remote_info_dump(&mangaupdates_info_form, &in);
	static const char *const bad[] = {
		"{}", "[]", "nope",
		"{\"id\": 0, \"type\": \"\", \"count\": 0, \"completed\": 0}",
		"{\"id\": 5, \"type\": 1, \"count\": 0, \"completed\": 0}",
		"{\"id\": 5, \"type\": \"a very long type name\", \"count\": 0,"
		" \"completed\": 0}",
		"{\"id\": 5, \"type\": \"\", \"count\": 99999999999,"
		" \"completed\": 0}",
		"{\"id\": 5, \"type\": \"\", \"count\": 1}",
	};

	(void)state;
	assert_non_null(s);
	assert_int_equal(remote_info_load(&mangaupdates_info_form, s, strlen(s),
					  &out), 0);
	assert_true(out.id == 55099564912LL);
	assert_string_equal(out.type, "Manga");
	assert_int_equal(out.count, 14);
	assert_string_equal(out.line, "14 Volumes (Complete)");
	assert_int_equal(out.completed, 1);
	free(s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(remote_info_load(&mangaupdates_info_form,
						  bad[i], strlen(bad[i]),
						  &out), -EPROTO);
	/* what was read stays */
	assert_int_equal(out.count, 14);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_search_refused),
		cmocka_unit_test(test_search_matching),
		cmocka_unit_test(test_series),
		cmocka_unit_test(test_editions),
		cmocka_unit_test(test_info_dump_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
