/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The manga source Kitsu's parse (indexer/monitor/kitsu.c) on the
 * answers Kitsu gave (tests/data/kitsu/, their origin in
 * tests/data/SOURCES.md) and on bad ones made from them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

/* the source is its one file: its parse and its info are static there */
#include "indexer/monitor/kitsu.c"
#include "indexer/monitor/remote.h"
#include "common/throttle.h"
#include "fake.h"

#define DATA "tests/unit/../data/kitsu/"

/* The recorded answer of file (its "response") as one compact body. */
static char *recorded_body(const char *file)
{
	char path[128];
	json_t *doc;
	char *body;

	snprintf(path, sizeof(path), DATA "%s", file);
	doc = json_load_file(path, 0, NULL);
	assert_non_null(doc);
	body = json_dumps(json_object_get(doc, "response"), JSON_COMPACT);
	assert_non_null(body);
	json_decref(doc);
	return body;
}

/* Parse body as the answer to a search of title in edition, or (title
 * NULL) to the record 35071 asked by id. */
static int parse_in(const char *body, size_t len, const char *title,
		    const char *edition, struct kitsu_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = title ? 0 : 35071;
	return kitsu_parse(body, len, title, edition, info);
}

/* The recorded search of "one piece" read for title in edition gives
 * rc, the record id (0: none) and its count. */
static void expect(const char *title, const char *edition, int rc,
		   long long id, int count, struct kitsu_info *info)
{
	char *body = recorded_body("search.one-piece.json");

	assert_int_equal(parse_in(body, strlen(body), title, edition, info),
			 rc);
	assert_true(info->id == id);
	assert_int_equal(info->count, count);
	free(body);
}

static void test_recorded_search(void **state)
{
	struct kitsu_info info;

	(void)state;
	/* a series that runs: volumeCount null, no count made up */
	expect("One Piece", "ja", 0, 38, 0, &info);
	assert_string_equal(info.status, "current");
	assert_string_equal(info.subtype, "manga");
	assert_string_equal(info.meta.title, "One Piece");
	assert_string_equal(info.meta.url, "https://kitsu.io/manga/"
			    "one-piece-manga");
	assert_string_equal(info.meta.original, "ja");
	assert_non_null(strstr(info.meta.cover, "/38/original.jpg"));
	/* a finished series of 7 volumes */
	expect("one piece party", "ja", 0, 35071, 7, &info);
	assert_string_equal(info.status, "finished");
	/* a one-shot, found by one of its abbreviated titles */
	expect("One Piece Volume 0", "ja", 0, 4194, 0, &info);
	assert_string_equal(info.subtype, "oneshot");
	/* a novel is never the comic; nor a manga the Korean edition */
	expect("One Piece Green - Secret Pieces", "ja", -ENOENT, 0, 0, &info);
	expect("One Piece Novel: Law", "ja", -ENOENT, 0, 0, &info);
	expect("One Piece", "ko", -ENOENT, 0, 0, &info);
	/* a title no record bears */
	expect("Two Piece", "ja", -ENOENT, 0, 0, &info);
}

static void test_recorded_record(void **state)
{
	struct kitsu_info info;
	char *body = recorded_body("manga.35071.json");

	(void)state;
	assert_int_equal(parse_in(body, strlen(body), NULL, "ja", &info), 0);
	assert_true(info.id == 35071);
	assert_int_equal(info.count, 7);
	assert_string_equal(info.status, "finished");
	assert_string_equal(info.meta.title, "One Piece Party");
	/* truncated anywhere, it is refused whole */
	for (size_t cut = 1; cut < strlen(body); cut += 97) {
		assert_int_equal(parse_in(body, cut, NULL, "ja", &info),
				 -EPROTO);
		assert_true(info.id == 0);
	}
	free(body);
}

/* The recorded record 35071 with attribute key set to value (JSON text;
 * NULL: taken out), as the answer by id. */
static int parse_changed(const char *key, const char *value,
			 struct kitsu_info *info)
{
	char *body = recorded_body("manga.35071.json"), *changed;
	json_t *doc = json_loads(body, 0, NULL);
	json_t *attr = json_object_get(json_object_get(doc, "data"),
				       "attributes");
	int rc;

	assert_non_null(attr);
	if (value)
		json_object_set_new(attr, key, json_loads(value,
							  JSON_DECODE_ANY,
							  NULL));
	else
		json_object_del(attr, key);
	changed = json_dumps(doc, JSON_COMPACT);
	assert_non_null(changed);
	rc = parse_in(changed, strlen(changed), NULL, "ja", info);
	free(changed);
	free(body);
	json_decref(doc);
	return rc;
}

static void test_bad_fields(void **state)
{
	struct kitsu_info info;

	(void)state;
	/* null volumeCount: a record with no count, not an error */
	assert_int_equal(parse_changed("volumeCount", "null", &info), 0);
	assert_true(info.id == 35071);
	assert_int_equal(info.count, 0);
	/* a missing field or one of another type is not the record */
	assert_int_equal(parse_changed("volumeCount", NULL, &info), -EPROTO);
	assert_true(info.id == 0);
	assert_int_equal(parse_changed("volumeCount", "\"7\"", &info),
			 -EPROTO);
	assert_int_equal(parse_changed("volumeCount", "-1", &info), -EPROTO);
	assert_int_equal(parse_changed("volumeCount", "100000", &info),
			 -EPROTO);
	assert_int_equal(parse_changed("status", "7", &info), -EPROTO);
	assert_int_equal(parse_changed("subtype", "[]", &info), -EPROTO);
	/* a novel asked by id is not the comic */
	assert_int_equal(parse_changed("subtype", "\"novel\"", &info),
			 -ENOENT);
}

static void test_bad_answers(void **state)
{
	struct kitsu_info info;
	static const char *const bad[] = {
		/* a 404's JSON:API error document */
		"{\"errors\": [{\"title\": \"Record not found\", \"detail\":"
		" \"The record identified by 999999 could not be found.\","
		" \"code\": \"404\", \"status\": \"404\"}]}",
		"{\"data\": null}",
		"{\"data\": []}",
		"{\"data\": {\"id\": 35071, \"type\": \"manga\","
		" \"attributes\": {\"volumeCount\": 7}}}",
		"{\"data\": {\"id\": \"35071\", \"type\": \"anime\","
		" \"attributes\": {\"volumeCount\": 7}}}",
		"{\"data\": {\"id\": \"x1\", \"type\": \"manga\","
		" \"attributes\": {\"volumeCount\": 7}}}",
		"[]",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse_in(bad[i], strlen(bad[i]), NULL, "ja",
					  &info), -EPROTO);
		assert_true(info.id == 0);
	}
	/* a search's answer with no list is refused; an odd record of a
	 * list is passed over */
	assert_int_equal(parse_in(bad[0], strlen(bad[0]), "Saga", "ja",
				  &info), -EPROTO);
	assert_int_equal(parse_in("{\"data\": {}}", 12, "Saga", "ja", &info),
			 -EPROTO);
	assert_int_equal(parse_in("{\"data\": []}", 12, "Saga", "ja", &info),
			 -ENOENT);
	assert_int_equal(parse_in("<html><body>502</body></html>", 29,
				  "Saga", "ja", &info), -EBADMSG);
	assert_int_equal(parse_in("{}", KITSU_MAX_ANSWER + 1, "Saga", "ja",
				  &info), -EFBIG);
}

/* Two records of one title: a tie, neither taken; one odd record
 * besides a good one: the good one. */
#define REC(id, title, subtype, volumes) \
	"{\"id\": \"" id "\", \"type\": \"manga\", \"attributes\": {" \
	"\"canonicalTitle\": \"" title "\", \"subtype\": \"" subtype "\"," \
	" \"status\": \"finished\", \"volumeCount\": " volumes "}}"

static void test_ties(void **state)
{
	struct kitsu_info info;
	const char *tie = "{\"data\": [" REC("11", "Saga", "manga", "3") ", "
			  REC("12", "SAGA", "manga", "5") "]}";
	const char *odd = "{\"data\": [" REC("11", "Saga", "manga", "\"3\"")
			  ", " REC("12", "Saga", "manga", "5") "]}";
	const char *shot = "{\"data\": [" REC("11", "Saga", "oneshot", "1")
			   ", " REC("12", "Saga", "manhwa", "4") ", "
			   REC("13", "Saga", "manga", "9") "]}";

	(void)state;
	assert_int_equal(parse_in(tie, strlen(tie), "saga", "ja", &info),
			 -EEXIST);
	assert_true(info.id == 11 && info.other == 12);
	assert_int_equal(parse_in(odd, strlen(odd), "saga", "ja", &info), 0);
	assert_true(info.id == 12 && info.other == 0);
	/* a series before a one-shot; a manhwa for the Korean edition */
	assert_int_equal(parse_in(shot, strlen(shot), "saga", "ja", &info),
			 0);
	assert_true(info.id == 13);
	assert_int_equal(info.count, 9);
	assert_int_equal(parse_in(shot, strlen(shot), "saga", "ko", &info),
			 0);
	assert_true(info.id == 12);
	assert_string_equal(info.meta.original, "ko");
}

static void test_info_dump_load(void **state)
{
	struct kitsu_info info, back;
	char *body = recorded_body("manga.35071.json"), *line;

	(void)state;
	assert_int_equal(parse_in(body, strlen(body), NULL, "ja", &info), 0);
	line = remote_info_dump(&kitsu_info_form, &info);
	assert_non_null(line);
	assert_int_equal(remote_info_load(&kitsu_info_form, line,
					  strlen(line), &back), 0);
	assert_true(back.id == 35071);
	assert_int_equal(back.count, 7);
	assert_string_equal(back.status, info.status);
	assert_string_equal(back.subtype, "manga");
	assert_string_equal(back.meta.title, info.meta.title);
	assert_string_equal(back.meta.summary, info.meta.summary);
	assert_int_equal(remote_info_load(&kitsu_info_form, "{}", 2, &back),
			 -EPROTO);
	free(line);
	free(body);
}

/* What the fake Kitsu serves: SERIES.json of kitsu_fake.py. */
#define SERIES "{\"Saga\": {\"id\": 4242, \"volumes\": 9, \"status\":" \
	" \"finished\"}}"

/* Kitsu's answers over HTTP (tests/fakes/kitsu_fake.py): a record by id,
 * a search, a 404 of a record, a search's 404 from a url that is not
 * Kitsu's, a 429 whose Retry-After pauses the throttle. */
static void test_over_http(void **state)
{
	char dir[] = "/tmp/test_kitsu.XXXXXX", series[64], url[64];
	struct throttle *t = NULL;
	struct remote_source src = { .url = url };
	struct kitsu_info info;
	struct fake f;
	double until = 0;
	FILE *file;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(series, sizeof(series), "%s/series.json", dir);
	file = fopen(series, "w");
	assert_non_null(file);
	assert_true(fputs(SERIES, file) >= 0 && !fclose(file));
	assert_int_equal(fake_start_with("kitsu_fake.py", series, &f), 0);
	assert_int_equal(throttle_new("kitsu", 60000, NULL, NULL, &t), 0);
	src.throttle = t;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", f.port);
	info.id = 4242;
	assert_int_equal(kitsu_media(&src, NULL, "ja", NULL, &info), 0);
	assert_true(info.id == 4242);
	assert_int_equal(info.count, 9);
	info.id = 0;
	assert_int_equal(kitsu_media(&src, "saga", "ja", NULL, &info), 0);
	assert_true(info.id == 4242);
	/* a search that finds nothing is not a wrong url */
	info.id = 0;
	assert_int_equal(kitsu_media(&src, "nothing", "ja", NULL, &info),
			 -ENOENT);
	info.id = 5;
	assert_int_equal(kitsu_media(&src, NULL, "ja", NULL, &info), -ENOENT);
	assert_true(info.id == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/elsewhere", f.port);
	info.id = 0;
	assert_int_equal(kitsu_media(&src, "saga", "ja", NULL, &info),
			 -ENXIO);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", f.port);
	info.id = 0;
	assert_int_equal(kitsu_media(&src, "ratelimit", "ja", NULL, &info),
			 -EAGAIN);
	assert_true(throttle_paused(t, &until));
	assert_true(until > 100);
	throttle_free(t);
	fake_stop(&f);
	unlink(series);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_search),
		cmocka_unit_test(test_recorded_record),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_bad_answers),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_info_dump_load),
		cmocka_unit_test(test_over_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
