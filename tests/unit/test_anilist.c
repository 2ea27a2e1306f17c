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
#include <jansson.h>

/* the source is its one file: its parse and its info are static there */
#include "indexer/monitor/anilist.c"
#include "indexer/monitor/remote.h"

/* Shapes as AniList's documentation gives them (its recorded answers,
 * tests/data/anilist/, are read in test_recorded): one record, the
 * answer by id, the answer to a search. */
#define REC(volumes, status, country, synonyms) \
	"{\"id\": 30013, \"volumes\": " volumes "," \
	" \"status\": " status ", \"countryOfOrigin\": " country "," \
	" \"title\": {\"romaji\": \"Saga\", \"english\": null," \
	" \"native\": \"サーガ\"}, \"synonyms\": [" synonyms "]}"
#define MEDIA(volumes, status, country, synonyms) \
	"{\"data\": {\"Media\": " REC(volumes, status, country, synonyms) \
	"}}"
#define PAGE(records) "{\"data\": {\"Page\": {\"media\": [" records "]}}}"

/* Parse body as the answer to a search of title in edition (NULL: to
 * Media(id: 30013)). */
static int parse_in(const char *body, const char *title,
		    const char *edition, struct anilist_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = title ? 0 : 30013;
	return anilist_parse(body, strlen(body), title, edition, info);
}

static int parse(const char *body, const char *title,
		 struct anilist_info *info)
{
	return parse_in(body, title, "ja", info);
}

static void test_media(void **state)
{
	struct anilist_info info;

	(void)state;
	assert_int_equal(parse(PAGE(REC("12", "\"FINISHED\"", "\"JP\"", "")),
			       "saga", &info), 0);
	assert_true(info.id == 30013);
	assert_int_equal(info.count, 12);
	assert_string_equal(info.status, "FINISHED");
	assert_string_equal(info.country, "JP");
	/* null while it runs; a manhwa for the Korean edition only */
	assert_int_equal(parse(PAGE(REC("null", "\"RELEASING\"", "\"KR\"",
					"")), "Saga", &info), -ENOENT);
	assert_int_equal(parse_in(PAGE(REC("null", "\"RELEASING\"",
					   "\"KR\"", "")), "Saga", "ko", &info),
			 0);
	assert_int_equal(info.count, 0);
	assert_string_equal(info.country, "KR");
	/* a synonym names it; by id, the title is not checked */
	assert_int_equal(parse(PAGE(REC("3", "null", "\"JP\"",
					"\"Other\"")), "other", &info), 0);
	assert_int_equal(parse(MEDIA("3", "null", "null", ""), NULL, &info),
			 0);
	assert_true(info.id == 30013);
	/* the fuzzy search found another series only; or nothing */
	assert_int_equal(parse(PAGE(REC("3", "null", "null", "\"Saga 2\"")),
			       "Saga Party", &info), -ENOENT);
	assert_true(info.id == 0);
	assert_int_equal(parse(PAGE(""), "Saga", &info), -ENOENT);
}

static void test_refused(void **state)
{
	struct anilist_info info;
	static const char *const bad[] = {
		"{\"data\": null, \"errors\": [{\"message\": \"Internal"
		" Server Error\", \"status\": 500}]}",
		"{\"data\": {\"Media\": null}, \"errors\": [{\"message\":"
		" \"Not Found.\", \"status\": 404}]}",
		"{\"data\": {\"Media\": null}}",
		"{\"data\": {}}",
		"[]",
		MEDIA("\"12\"", "null", "null", ""),
		MEDIA("-1", "null", "null", ""),
		MEDIA("100000", "null", "null", ""),
		MEDIA("1", "1", "null", ""),
		MEDIA("1", "null", "\"JAPAN\"", ""),
		"{\"data\": {\"Media\": {\"id\": \"1\", \"volumes\": 1}}}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(parse(bad[i], NULL, &info), -EPROTO);
		assert_true(info.id == 0);
	}
	/* a search's answer: whole when it is not a page */
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(parse(bad[i], "Saga", &info), -EPROTO);
	assert_int_equal(parse("{\"data\": {\"Page\": {\"media\": {}}}}",
			       "Saga", &info), -EPROTO);
	/* an odd record of a search is passed over, not the search */
	assert_int_equal(parse(PAGE(REC("\"12\"", "null", "null", "") ", 7, "
				    "null, " REC("5", "null", "\"JP\"", "")),
			       "Saga", &info), 0);
	assert_int_equal(info.count, 5);
	assert_int_equal(parse(PAGE(REC("-1", "null", "null", "")), "Saga",
			       &info), -ENOENT);
	assert_int_equal(parse("<html><body>502</body></html>", "Saga",
			       &info), -EBADMSG);
	assert_int_equal(anilist_parse("{}", ANILIST_MAX_ANSWER + 1, "Saga",
				       "ja", &info), -EFBIG);
}

/*
 * The answers AniList gave to a search of "fate" (tests/data/anilist/
 * search.fate.json and search.fate.page-2.json, recorded by
 * Ravencentric/pyanilist), read as the answer to a search of each
 * title; its answer to a Media(id: 101415) (media.101415.json); its 404
 * and 429 bodies (not-found.json, ratelimited-live.json).
 */
#define RECORDED "tests/unit/../data/anilist/search.fate%s.json"
#define NOT_FOUND "{\"errors\": [{\"message\": \"Not Found.\", \"status\":" \
	" 404, \"locations\": [{\"line\": 71, \"column\": 3}]}], \"data\":" \
	" {\"Media\": null}}"
#define TOO_MANY "{\"data\": null,\"errors\": [{\"message\": \"Too Many" \
	" Requests.\",\"status\": 429}]}"

/* Parse the recorded page (suffix "" or ".page-2") as the answer to a
 * search of title in edition, or the recorded answer to Media(id: N)
 * (suffix "media.N", title NULL). */
static int recorded_in(const char *suffix, const char *title,
		       const char *edition, struct anilist_info *info)
{
	char path[128];
	json_t *file, *page;
	char *body;
	int rc;

	if (title)
		snprintf(path, sizeof(path), RECORDED, suffix);
	else
		snprintf(path, sizeof(path), "tests/unit/../data/anilist/"
			 "%s.json", suffix);
	file = json_load_file(path, 0, NULL);
	assert_non_null(file);
	page = json_object_get(file, "response");
	body = json_dumps(page, JSON_COMPACT);
	assert_non_null(body);
	rc = parse_in(body, title, edition, info);
	free(body);
	json_decref(file);
	return rc;
}

static int recorded(const char *suffix, const char *title,
		    struct anilist_info *info)
{
	return recorded_in(suffix, title, "ja", info);
}

/* The recorded page read for title gives rc, the record id (0: none)
 * and its count. */
static void expect(const char *suffix, const char *title, int rc,
		   long long id, int count, struct anilist_info *info)
{
	assert_int_equal(recorded(suffix, title, info), rc);
	assert_true(info->id == id);
	assert_int_equal(info->count, count);
}

static void test_recorded(void **state)
{
	struct anilist_info info;

	(void)state;
	expect("", "Fate/Zero", 0, 55191, 14, &info);
	assert_string_equal(info.country, "JP");
	/* found by its native title, in another script, for the edition
	 * of its country */
	expect("", "페이트 메이트", -ENOENT, 0, 0, &info);
	assert_int_equal(recorded_in("", "페이트 메이트", "ko", &info), 0);
	assert_true(info.id == 179153);
	assert_string_equal(info.status, "RELEASING");
	assert_string_equal(info.country, "KR");
	/* the light novel's ten volumes are not the comic's; the comic
	 * runs with no volume count yet */
	expect("", "Fate/strange Fake", 0, 86753, 0, &info);
	expect("", "fate apocrypha", 0, 87251, 16, &info);
	/* page 2: the novel of Fate/Zero alone bears it there */
	expect(".page-2", "Fate/Zero", -ENOENT, 0, 0, &info);
	/* a manhua running with no volume count, by its Chinese title */
	assert_int_equal(recorded_in(".page-2", "御我者", "zh", &info), 0);
	assert_true(info.id == 116169);
	assert_string_equal(info.country, "CN");
	/* a one-shot alone: one chapter, no volume count (none made up) */
	expect(".page-2", "Fate/Extra", 0, 53568, 0, &info);
	/* a series before a one-shot of the same title */
	expect("", "Face", 0, 102876, 1, &info);
	expect("", "Fate/Extra", 0, 62425, 6, &info);
	/* a Japanese one-shot and three Korean series bear "Fate": the
	 * Japanese edition is not a manhwa, the Korean one a tie; a
	 * Korean title has no Japanese record */
	expect("", "Fate", 0, 133235, 0, &info);
	assert_string_equal(info.country, "JP");
	assert_int_equal(recorded_in("", "Fate", "ko", &info), -EEXIST);
	assert_true(info.id == 38764 && info.other == 147359);
	/* three series titled "Fake", two manhwa "인연": none taken, the
	 * first two named */
	expect("", "Fake", -EEXIST, 30314, 7, &info);
	assert_true(info.other == 176957);
	assert_int_equal(recorded_in("", "인연", "ko", &info), -EEXIST);
	assert_true(info.id == 38764 && info.other == 147359);
	/* the same search sorted by id, newest first: its pages part the
	 * records of one title (a tie is seen only within a page) */
	expect(".by-id", "Fake", 0, 176957, 1, &info);
	expect(".by-id.page-2", "Fake", -EEXIST, 44829, 3, &info);
	assert_true(info.other == 30314);
	expect(".by-id", "Fate/strange Fake", 0, 86753, 0, &info);
	expect(".by-id.page-2", "Fate/strange Fake", -ENOENT, 0, 0, &info);
	/* a Media asked by id: finished in 3 volumes, from Japan */
	expect("media.101415", NULL, 0, 101415, 3, &info);
	assert_string_equal(info.status, "FINISHED");
	assert_string_equal(info.country, "JP");
	/* its 404 and 429 bodies are error answers, never a record */
	assert_int_equal(parse(NOT_FOUND, "Saga", &info), -EPROTO);
	assert_true(info.id == 0);
	assert_int_equal(parse(NOT_FOUND, NULL, &info), -EPROTO);
	assert_int_equal(parse(TOO_MANY, "Saga", &info), -EPROTO);
	assert_true(info.id == 0);
}

static void test_editions(void **state)
{
	(void)state;
	assert_string_equal(anilist_edition("JP"), "ja");
	assert_string_equal(anilist_edition("KR"), "ko");
	assert_string_equal(anilist_edition("CN"), "zh");
	assert_string_equal(anilist_edition("TW"), "zh");
	assert_null(anilist_edition("FR"));
	assert_null(anilist_edition(""));
}

/* A record without volumes is "no volume yet" while its series runs,
 * on hiatus as much as releasing; ended, it is no count at all. */
static void test_none_yet(void **state)
{
	struct anilist_info i = { .country = "JP", .status = "HIATUS" };

	(void)state;
	assert_true(anilist_none_yet(&i, "ja"));
	snprintf(i.status, sizeof(i.status), "RELEASING");
	assert_true(anilist_none_yet(&i, "ja"));
	snprintf(i.status, sizeof(i.status), "NOT_YET_RELEASED");
	assert_true(anilist_none_yet(&i, "ja"));

	snprintf(i.status, sizeof(i.status), "FINISHED");
	assert_false(anilist_none_yet(&i, "ja"));
	snprintf(i.status, sizeof(i.status), "CANCELLED");
	assert_false(anilist_none_yet(&i, "ja"));
	i.status[0] = '\0';
	assert_false(anilist_none_yet(&i, "ja"));
	/* a count, or another country's edition, is not "none yet" */
	snprintf(i.status, sizeof(i.status), "HIATUS");
	i.count = 3;
	assert_false(anilist_none_yet(&i, "ja"));
	i.count = 0;
	assert_false(anilist_none_yet(&i, "ko"));
	i.country[0] = '\0';
	assert_true(anilist_none_yet(&i, "ko"));
}

static void test_info_dump_load(void **state)
{
	struct anilist_info in = { .id = 30013, .country = "JP",
				    .status = "RELEASING" }, out;
	char *s = remote_info_dump(&anilist_info_form, &in);
	static const char *const bad[] = {
		"{}", "nope",
		"{\"id\": 0, \"country\": \"\", \"status\": \"\","
		" \"count\": 0}",
		"{\"id\": 1, \"country\": \"JPN1\", \"status\": \"\","
		" \"count\": 0}",
		"{\"id\": 1, \"country\": \"\", \"status\": \"\","
		" \"count\": 1.5}",
	};

	(void)state;
	assert_non_null(s);
	assert_int_equal(remote_info_load(&anilist_info_form, s, strlen(s),
					  &out), 0);
	assert_true(out.id == 30013);
	assert_string_equal(out.country, "JP");
	assert_string_equal(out.status, "RELEASING");
	assert_int_equal(out.count, 0);
	free(s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(remote_info_load(&anilist_info_form, bad[i],
						  strlen(bad[i]), &out),
				 -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_media),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_editions),
		cmocka_unit_test(test_none_yet),
		cmocka_unit_test(test_info_dump_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
