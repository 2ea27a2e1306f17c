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
#include "indexer/monitor/mangadex.c"
#include "indexer/monitor/remote.h"

#define ID "0a1b2c3d-0000-4000-8000-000000000001"

/* Shapes as MangaDex's documentation gives them (its recorded answers
 * are in tests/data/mangadex/). */
#define MANGA(id, title, alt, status, last) \
	"{\"id\": \"" id "\", \"type\": \"manga\", \"attributes\": {" \
	"\"title\": {\"en\": \"" title "\"}, \"altTitles\": [" alt "]," \
	" \"status\": " status ", \"lastVolume\": " last "}," \
	" \"relationships\": []}"
#define LIST(...) \
	"{\"result\": \"ok\", \"response\": \"collection\", \"data\": [" \
	__VA_ARGS__ "], \"limit\": 10, \"offset\": 0, \"total\": 1}"

static int search(const char *body, const char *title,
		  struct mangadex_info *info)
{
	return mangadex_parse_search(body, strlen(body), title, info);
}

static int aggregate(const char *body, int *count)
{
	return mangadex_parse_aggregate(body, strlen(body), count);
}

static void test_search(void **state)
{
	struct mangadex_info info;

	(void)state;
	/* the fuzzy search's first manga is another: the title decides */
	assert_int_equal(search(LIST(MANGA("0a1b2c3d-0000-4000-8000-"
		"000000000009", "One Piece Party", "", "\"ongoing\"", "null")
		", " MANGA(ID, "Other", "{\"ja\": \"one piece\"}",
			   "\"completed\"", "\"108\"")), "One Piece", &info),
		0);
	assert_string_equal(info.id, ID);
	assert_string_equal(info.status, "completed");
	assert_int_equal(info.last_volume, 108);
	assert_int_equal(info.count, 0);

	/* a last volume that is not a whole number is none */
	assert_int_equal(search(LIST(MANGA(ID, "Saga", "", "\"ongoing\"",
					   "\"10.5\"")), "saga", &info), 0);
	assert_int_equal(info.last_volume, 0);

	/* nobody of that title */
	assert_int_equal(search(LIST(), "Saga", &info), -ENOENT);
	assert_int_equal(search(LIST(MANGA(ID, "Sagas", "", "null", "null")),
				"Saga", &info), -ENOENT);
}

#define TWO "0a1b2c3d-0000-4000-8000-000000000002"

static void test_search_matching(void **state)
{
	struct mangadex_info info;

	(void)state;
	/* its own title before another's alternative title */
	assert_int_equal(search(LIST(MANGA(TWO, "Saga Guidebook",
		"{\"en\": \"Saga\"}", "null", "null") ", "
		MANGA(ID, "SAGA!", "", "null", "null")), "Saga", &info), 0);
	assert_string_equal(info.id, ID);
	/* the author MangaDex adds, once nothing bears the plain title */
	assert_int_equal(search(LIST(MANGA(ID, "Look Back (Fujimoto"
		" Tatsuki)", "", "null", "null")), "Look Back", &info), 0);
	assert_string_equal(info.id, ID);
	/* a re-edition its own title labels goes after the work, which
	 * bears the same title (as MangaDex answered for Tower of God) */
	assert_int_equal(search(LIST(MANGA(TWO, "Saga (Book Version)",
		"{\"en\": \"Saga\"}", "null", "null") ", "
		MANGA(ID, "Sinui Saga", "{\"en\": \"Saga\"}", "null",
		      "null")), "Saga", &info), 0);
	assert_string_equal(info.id, ID);
	/* two records under one title: neither is taken */
	assert_int_equal(search(LIST(MANGA(ID, "Saga", "", "null", "null")
		", " MANGA(TWO, "Saga", "", "null", "null")), "Saga", &info),
		-EEXIST);
	assert_string_equal(info.id, ID);
	assert_string_equal(info.other, TWO);
	/* an odd manga does not refuse the others */
	assert_int_equal(search(LIST("42, " MANGA(TWO, "Other", "", "null",
		"null") ", " MANGA(ID, "Saga", "", "null", "null")), "Saga",
		&info), 0);
	assert_string_equal(info.id, ID);
	assert_string_equal(info.other, "");
}

static void test_search_refused(void **state)
{
	static const char *const bad[] = {
		/* the API's error, even with a 200 */
		"{\"result\": \"error\", \"errors\": [{\"id\": \"x\","
		" \"status\": 500, \"title\": \"t\", \"detail\": \"d\"}]}",
		"{\"data\": []}",
		"[]",
		"{\"result\": \"ok\", \"data\": {}}",
		"{\"result\": \"ok\", \"data\": [42]}",
		LIST(MANGA("not-a-uuid", "Saga", "", "null", "null")),
		LIST(MANGA(ID, "Saga", "", "42", "null")),
		LIST(MANGA(ID, "Saga", "", "null", "12")),
		"{\"result\": \"ok\", \"data\": [{\"id\": \"" ID "\","
		" \"attributes\": {\"title\": {\"en\": 1}}}]}",
		"not json",
	};
	struct mangadex_info info;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(search(bad[i], "Saga", &info), -EPROTO);
	assert_int_equal(search("\n <!DOCTYPE html><html></html>", "Saga",
				&info), -EBADMSG);
	assert_int_equal(mangadex_parse_search("{}", MANGADEX_MAX_ANSWER + 1,
					       "Saga", &info), -EFBIG);
}

static void test_aggregate(void **state)
{
	int count;

	(void)state;
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": {"
		"\"none\": {\"volume\": \"none\", \"count\": 1,"
		" \"chapters\": {}},"
		" \"4\": {\"volume\": \"4\", \"count\": 2, \"chapters\": {}},"
		" \"3\": {\"volume\": \"3\", \"count\": 2, \"chapters\": {}},"
		" \"2\": {\"volume\": \"2\", \"count\": 2, \"chapters\": {}},"
		" \"13.5\": {\"volume\": \"13.5\", \"count\": 1,"
		" \"chapters\": {}}}}", &count), 0);
	assert_int_equal(count, 4);
	/* volumes 1-2 and one chapter filed under 24: 22 volumes do not
	 * exist in that language, the count is 2 */
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": {"
		"\"24\": {\"volume\": \"24\", \"count\": 1, \"chapters\": {}},"
		" \"1\": {\"volume\": \"1\", \"count\": 5, \"chapters\": {}},"
		" \"2\": {\"volume\": \"2\", \"count\": 5,"
		" \"chapters\": {}}}}", &count), 0);
	assert_int_equal(count, 2);
	/* nothing in that language: PHP's empty map is a list */
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": []}",
				   &count), -ENODATA);
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": {"
		"\"none\": {\"volume\": \"none\", \"chapters\": {}}}}", &count),
		-ENODATA);
	assert_int_equal(count, 0);
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": {"
		"\"99999\": {\"volume\": \"99999\"}}}", &count), -ENODATA);

	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": [1]}",
				   &count), -EPROTO);
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": {"
		"\"2\": {\"volume\": \"3\"}}}", &count), -EPROTO);
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": {"
		"\"2\": 2}}", &count), -EPROTO);
	assert_int_equal(aggregate("{\"result\": \"error\", \"errors\": []}",
				   &count), -EPROTO);
	assert_int_equal(aggregate("<html>", &count), -EBADMSG);
}

/* Volume keys that are no plain number (a range, a word, a half
 * volume) are neither counted nor a reason to refuse the answer. */
static void test_aggregate_odd_keys(void **state)
{
	int count;

	(void)state;
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": {"
		"\"1\": {\"volume\": \"1\", \"chapters\": {}},"
		" \"1.5\": {\"volume\": \"1.5\", \"chapters\": {}},"
		" \"2\": {\"volume\": \"2\", \"chapters\": {}},"
		" \"3-4\": {\"volume\": \"3-4\", \"chapters\": {}},"
		" \"Extra\": {\"volume\": \"Extra\", \"chapters\": {}},"
		" \"none\": {\"volume\": \"none\", \"chapters\": {}}}}",
		&count), 0);
	assert_int_equal(count, 2);
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": {"
		"\"10-11\": {\"volume\": \"10-11\", \"chapters\": {}},"
		" \"Extra\": {\"volume\": \"Extra\", \"chapters\": {}},"
		" \"0.5\": {\"volume\": \"0.5\", \"chapters\": {}}}}",
		&count), -ENODATA);
	assert_int_equal(count, 0);
}

/*
 * MangaDex's aggregate is written by PHP, which writes a map whose keys
 * are 0, 1, ... in order as a list. No such answer was found recorded;
 * these are written from what public clients say of it: the Rust
 * mangadex-api reads "volumes" and a volume's "chapters" as a list of
 * the objects or as a map of them, "MangaDex sometimes returns an array
 * instead", and MangaDexSharp reads a volume's chapters given as a list
 * by each one's own "chapter" (tests/data/SOURCES.md, MangaDex part).
 */
#define CHAPTER(n) \
	"{\"chapter\": \"" n "\", \"id\": \"" ID "\", \"others\": []," \
	" \"count\": 1}"
#define VOLUME(n, chapters) \
	"{\"volume\": \"" n "\", \"count\": 1, \"chapters\": " chapters "}"

static void test_aggregate_lists(void **state)
{
	int count;

	(void)state;
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": ["
		VOLUME("0", "[" CHAPTER("0") "]") ", "
		VOLUME("1", "[" CHAPTER("0") "]") ", "
		VOLUME("2", "{\"5\": " CHAPTER("5") "}") ", "
		VOLUME("none", "[" CHAPTER("0") "]") "]}", &count), 0);
	assert_int_equal(count, 2);
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": {"
		"\"1\": " VOLUME("1", "[" CHAPTER("0") "]") ", "
		"\"2\": " VOLUME("2", "{\"3\": " CHAPTER("3") "}") "}}",
		&count), 0);
	assert_int_equal(count, 2);
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": ["
		VOLUME("none", "[" CHAPTER("0") "]") "]}", &count), -ENODATA);

	/* an item must still name its volume */
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": ["
		VOLUME("1", "[]") ", {\"count\": 1, \"chapters\": []}]}",
		&count), -EPROTO);
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": ["
		VOLUME("1", "[]") ", [" CHAPTER("0") "]]}", &count), -EPROTO);
	assert_int_equal(aggregate("{\"result\": \"ok\", \"volumes\": "
		"\"1\"}", &count), -EPROTO);
}

static void test_forms(void **state)
{
	(void)state;
	assert_true(mangadex_id_ok(ID));
	assert_false(mangadex_id_ok("0A1B2C3D-0000-4000-8000-000000000001"));
	assert_false(mangadex_id_ok(ID "0"));
	assert_false(mangadex_id_ok("0a1b2c3d-0000-4000-8000-00000000000"));
	assert_false(mangadex_id_ok("0a1b2c3d00000-4000-8000-000000000001"));
	assert_true(mangadex_lang_ok("fr"));
	assert_true(mangadex_lang_ok("pt-br"));
	assert_false(mangadex_lang_ok("FR"));
	assert_false(mangadex_lang_ok("pt_br"));
	assert_false(mangadex_lang_ok("f"));
	assert_false(mangadex_lang_ok("fr&x=1"));
}

#define ENTITY(manga) \
	"{\"result\": \"ok\", \"response\": \"entity\", \"data\": " \
	manga "}"

static int record(const char *body, struct mangadex_info *io)
{
	return mangadex_parse_manga(body, strlen(body), io);
}

static void test_record(void **state)
{
	struct mangadex_info io = { .id = ID, .count = 7 };
	static const char *const bad[] = {
		/* another manga than the one asked */
		ENTITY(MANGA("0a1b2c3d-0000-4000-8000-000000000009", "Saga",
			     "", "\"ongoing\"", "null")),
		/* a list where the entity belongs, no data, no attributes */
		LIST(MANGA(ID, "Saga", "", "\"ongoing\"", "null")),
		"{\"result\": \"ok\", \"response\": \"entity\"}",
		ENTITY("{\"id\": \"" ID "\", \"type\": \"manga\"}"),
		/* a status of another type */
		ENTITY(MANGA(ID, "Saga", "", "12", "null")),
		/* the API's error body with a 200, HTML */
		"{\"result\": \"error\", \"errors\": [{\"status\": 404,"
		" \"title\": \"not_found_http_exception\"}]}",
		"<!DOCTYPE html><html></html>",
	};

	(void)state;
	assert_int_equal(record(ENTITY(MANGA(ID, "Saga", "{\"ja\": \"S\"}",
					     "\"completed\"", "\"12\"")),
				&io), 0);
	assert_string_equal(io.status, "completed");
	assert_int_equal(io.last_volume, 12);
	assert_string_equal(io.meta.title, "Saga");
	assert_string_equal(io.meta.alt_titles, "S");
	assert_string_equal(io.meta.url, "https://mangadex.org/title/" ID);
	/* the count is the aggregate's, left as it was */
	assert_int_equal(io.count, 7);
	assert_string_equal(io.id, ID);

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int rc = record(bad[i], &io);

		assert_true(rc == -EPROTO || rc == -EBADMSG);
		/* what the last good record said stays */
		assert_string_equal(io.status, "completed");
		assert_int_equal(io.last_volume, 12);
		assert_int_equal(io.count, 7);
	}
}

static void test_info_dump_load(void **state)
{
	struct mangadex_info in = { .id = ID, .status = "completed",
				     .last_volume = 18, .count = 16 }, out;
	char *s = remote_info_dump(&mangadex_info_form, &in);
	static const char *const bad[] = {
		"{}", "[]", "nope",
		"{\"id\": \"x\", \"status\": \"\", \"last_volume\": 0,"
		" \"count\": 0}",
		"{\"id\": \"" ID "\", \"status\": \"\", \"last_volume\": \"0\","
		" \"count\": 0}",
	};

	(void)state;
	assert_non_null(s);
	assert_int_equal(remote_info_load(&mangadex_info_form, s, strlen(s),
					  &out), 0);
	assert_string_equal(out.id, ID);
	assert_string_equal(out.status, "completed");
	assert_int_equal(out.last_volume, 18);
	assert_int_equal(out.count, 16);
	free(s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(remote_info_load(&mangadex_info_form, bad[i],
						  strlen(bad[i]), &out),
				 -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_search_refused),
		cmocka_unit_test(test_search_matching),
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_aggregate_lists),
		cmocka_unit_test(test_aggregate_odd_keys),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_info_dump_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
