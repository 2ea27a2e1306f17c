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

#include "indexer/monitor/anilist.h"
#include "indexer/monitor/remote.h"

/* Shapes as AniList's documentation and tests/fakes/anilist_fake.py
 * give them. */
#define MEDIA(volumes, status, country, synonyms) \
	"{\"data\": {\"Media\": {\"id\": 30013, \"volumes\": " volumes "," \
	" \"status\": " status ", \"countryOfOrigin\": " country "," \
	" \"title\": {\"romaji\": \"Saga\", \"english\": null," \
	" \"native\": \"サーガ\"}, \"synonyms\": [" synonyms "]}}}"

static int parse(const char *body, const char *title,
		 struct anilist_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = title ? 0 : 30013;
	return anilist_parse(body, strlen(body), title, info);
}

static void test_media(void **state)
{
	struct anilist_info info;

	(void)state;
	assert_int_equal(parse(MEDIA("12", "\"FINISHED\"", "\"JP\"", ""),
			       "saga", &info), 0);
	assert_true(info.id == 30013);
	assert_int_equal(info.count, 12);
	assert_string_equal(info.status, "FINISHED");
	assert_string_equal(info.country, "JP");
	/* null while it runs */
	assert_int_equal(parse(MEDIA("null", "\"RELEASING\"", "\"KR\"", ""),
			       "Saga", &info), 0);
	assert_int_equal(info.count, 0);
	assert_string_equal(info.country, "KR");
	/* a synonym names it; by id, the title is not checked */
	assert_int_equal(parse(MEDIA("3", "null", "null", "\"Other\""),
			       "other", &info), 0);
	assert_int_equal(parse(MEDIA("3", "null", "null", ""), NULL, &info),
			 0);
	/* the best match of the fuzzy search is another series */
	assert_int_equal(parse(MEDIA("3", "null", "null", "\"Saga 2\""),
			       "Saga Party", &info), -ENOENT);
	assert_true(info.id == 0);
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
		assert_int_equal(parse(bad[i], "Saga", &info), -EPROTO);
		assert_true(info.id == 0);
	}
	assert_int_equal(parse("<html><body>502</body></html>", "Saga",
			       &info), -EBADMSG);
	assert_int_equal(anilist_parse("{}", ANILIST_MAX_ANSWER + 1, "Saga",
				       &info), -EFBIG);
}

/*
 * Records AniList gave to a search of "fate" (tests/data/anilist/
 * search.fate.json and search.fate.page-2.json, recorded by
 * Ravencentric/pyanilist), each as the data.Media of a Media query
 * answers it.
 */
#define RECORDED(media) "{\"data\": {\"Media\": " media "}}"
#define FATE_ZERO "{\"id\": 55191, \"type\": \"MANGA\", \"format\":" \
	" \"MANGA\", \"status\": \"FINISHED\", \"volumes\": 14, \"chapters\":" \
	" 74, \"countryOfOrigin\": \"JP\", \"title\": {\"romaji\":" \
	" \"Fate/Zero\", \"english\": \"Fate/Zero\", \"native\":" \
	" \"Fate/Zero\"}, \"synonyms\": [\"フェイト／ゼロ\"]}"
#define FAKE_NOVEL "{\"id\": 50006, \"type\": \"MANGA\", \"format\":" \
	" \"NOVEL\", \"status\": \"RELEASING\", \"volumes\": 10," \
	" \"chapters\": null, \"countryOfOrigin\": \"JP\", \"title\":" \
	" {\"romaji\": \"Fate/strange Fake\", \"english\": null, \"native\":" \
	" \"Fate/strange Fake\"}, \"synonyms\":" \
	" [\"フェイト/ストレンジフェイク\"," \
	" \"Fake/states night\"]}"
#define FAKE_MANGA "{\"id\": 86753, \"type\": \"MANGA\", \"format\":" \
	" \"MANGA\", \"status\": \"RELEASING\", \"volumes\": null," \
	" \"chapters\": null, \"countryOfOrigin\": \"JP\", \"title\":" \
	" {\"romaji\": \"Fate/strange Fake\", \"english\": null, \"native\":" \
	" \"Fate/strange Fake\"}, \"synonyms\":" \
	" [\"フェイト/ストレンジフェイク\"]}"
#define FATE_MATE "{\"id\": 179153, \"type\": \"MANGA\", \"format\":" \
	" \"MANGA\", \"status\": \"RELEASING\", \"volumes\": null," \
	" \"chapters\": null, \"countryOfOrigin\": \"KR\", \"title\":" \
	" {\"romaji\": \"Fate Mate\", \"english\": \"Fate Mate\", \"native\":" \
	" \"페이트 메이트\"}, \"synonyms\": []}"
#define ZERO_NOVEL "{\"id\": 33649, \"type\": \"MANGA\", \"format\":" \
	" \"NOVEL\", \"status\": \"FINISHED\", \"volumes\": 4, \"chapters\":" \
	" 18, \"countryOfOrigin\": \"JP\", \"title\": {\"romaji\":" \
	" \"Fate/Zero\", \"english\": null, \"native\": \"Fate/Zero\"}," \
	" \"synonyms\": [\"フェイト／ゼロ\", \"Судьба/Истоки\"]}"
#define APOCRYPHA "{\"id\": 87251, \"type\": \"MANGA\", \"format\":" \
	" \"MANGA\", \"status\": \"FINISHED\", \"volumes\": 16, \"chapters\":" \
	" 73, \"countryOfOrigin\": \"JP\", \"title\": {\"romaji\":" \
	" \"Fate/Apocrypha\", \"english\": null, \"native\":" \
	" \"Fate/Apocrypha\"}, \"synonyms\": [\"フェイト/アポクリファ\"]}"
#define YU_WO_ZHE "{\"id\": 116169, \"type\": \"MANGA\", \"format\":" \
	" \"MANGA\", \"status\": \"RELEASING\", \"volumes\": null," \
	" \"chapters\": null, \"countryOfOrigin\": \"CN\", \"title\":" \
	" {\"romaji\": \"Yu Wo Zhe\", \"english\": \"Fate Controlling\"," \
	" \"native\": \"御我者\"}, \"synonyms\": [\"Fight ! \\\"Power Vs" \
	" Control\\\"\", \"Royal Me\"]}"
#define EXTRA_ONE_SHOT "{\"id\": 53568, \"type\": \"MANGA\", \"format\":" \
	" \"ONE_SHOT\", \"status\": \"FINISHED\", \"volumes\": null," \
	" \"chapters\": 1, \"countryOfOrigin\": \"JP\", \"title\":" \
	" {\"romaji\": \"Fate/Extra\", \"english\": null, \"native\":" \
	" \"Fate/EXTRA -フェイト/エクストラ-\"}, \"synonyms\": []}"
/* tests/data/anilist/not-found.json and ratelimited-live.json: the
 * bodies of AniList's 404 and 429 */
#define NOT_FOUND "{\"errors\": [{\"message\": \"Not Found.\", \"status\":" \
	" 404, \"locations\": [{\"line\": 71, \"column\": 3}]}], \"data\":" \
	" {\"Media\": null}}"
#define TOO_MANY "{\"data\": null,\"errors\": [{\"message\": \"Too Many" \
	" Requests.\",\"status\": 429}]}"

static void test_recorded(void **state)
{
	struct anilist_info info;

	(void)state;
	assert_int_equal(parse(RECORDED(FATE_ZERO), "Fate/Zero", &info), 0);
	assert_true(info.id == 55191);
	assert_int_equal(info.count, 14);
	assert_string_equal(info.country, "JP");
	/* found by its native title, in another script */
	assert_int_equal(parse(RECORDED(FATE_MATE), "페이트 메이트", &info), 0);
	assert_true(info.id == 179153);
	assert_int_equal(info.count, 0);
	assert_string_equal(info.status, "RELEASING");
	assert_string_equal(info.country, "KR");
	/* two records of one title: the light novel's ten volumes are not
	 * the comic's; the comic runs with no volume count yet */
	assert_int_equal(parse(RECORDED(FAKE_NOVEL), "Fate/strange Fake",
			       &info), -ENOENT);
	assert_true(info.id == 0);
	assert_int_equal(parse(RECORDED(FAKE_NOVEL), NULL, &info), -ENOENT);
	assert_int_equal(parse(RECORDED(FAKE_MANGA), "Fate/strange Fake",
			       &info), 0);
	assert_true(info.id == 86753);
	assert_int_equal(info.count, 0);
	assert_int_equal(parse(RECORDED(ZERO_NOVEL), "Fate/Zero", &info),
			 -ENOENT);
	assert_int_equal(parse(RECORDED(APOCRYPHA), "fate apocrypha", &info),
			 0);
	assert_int_equal(info.count, 16);
	/* a manhua running with no volume count, by its Chinese title */
	assert_int_equal(parse(RECORDED(YU_WO_ZHE), "御我者", &info), 0);
	assert_true(info.id == 116169);
	assert_int_equal(info.count, 0);
	assert_string_equal(info.country, "CN");
	assert_int_equal(parse(RECORDED(YU_WO_ZHE), "Fate Controlling",
			       &info), 0);
	/* a one-shot: one chapter, no volume count (none is made up) */
	assert_int_equal(parse(RECORDED(EXTRA_ONE_SHOT), "Fate/Extra",
			       &info), 0);
	assert_true(info.id == 53568);
	assert_int_equal(info.count, 0);
	assert_string_equal(info.status, "FINISHED");
	/* their bodies alone are error answers, never a record */
	assert_int_equal(parse(NOT_FOUND, "Saga", &info), -EPROTO);
	assert_true(info.id == 0);
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
		cmocka_unit_test(test_info_dump_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
