/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Rows as JSON (common/json.h): an object made by a table of members
 * keeps their order and kinds, NULL texts and times of 0 are null, and
 * an array of rows is NULL when one of its objects could not be made;
 * a document appended compact.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/json.h"
#include "common/strbuf.h"

struct row {
	char *id, *title;
	int64_t bytes;
	double at;
	int volume;
	long long speed;
	double progress;
};

static const struct json_member members[] = {
	JSON_MEMBER("id", TEXT, struct row, id),
	JSON_MEMBER("name", SHOWN, struct row, title),
	JSON_MEMBER("bytes", INT64, struct row, bytes),
	JSON_MEMBER("at", TIME, struct row, at),
};

static const struct json_member figures[] = {
	JSON_MEMBER("volume", INT, struct row, volume),
	JSON_MEMBER("speed", COUNT, struct row, speed),
	JSON_MEMBER("progress", REAL, struct row, progress),
};

static void check_dump(json_t *doc, const char *want)
{
	char *got = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	json_decref(doc);
}

static void test_members(void **state)
{
	struct row rows[] = {
		{ "a1", "One", 5000000000LL, 1795287134, 3, 2048, 0.25 },
		{ NULL, NULL, -1, 0, -2, -1, 1 },
	};

	(void)state;
	check_dump(json_row_object(&rows[0], JSON_MEMBERS(members)),
		   "{\"id\":\"a1\",\"name\":\"One\",\"bytes\":5000000000,"
		   "\"at\":\"2026-11-21T18:52:14Z\"}");
	check_dump(json_rows(rows, 2, sizeof(*rows), JSON_ROW_OBJECT(members)),
		   "[{\"id\":\"a1\",\"name\":\"One\",\"bytes\":5000000000,"
		   "\"at\":\"2026-11-21T18:52:14Z\"},{\"id\":null,"
		   "\"name\":null,\"bytes\":-1,\"at\":null}]");
	check_dump(json_row_object(&rows[0], members, 0), "{}");
	check_dump(json_row_object(&rows[0], JSON_MEMBERS(figures)),
		   "{\"volume\":3,\"speed\":2048,\"progress\":0.25}");
	check_dump(json_row_object(&rows[1], JSON_MEMBERS(figures)),
		   "{\"volume\":-2,\"speed\":null,\"progress\":1.0}");
	check_dump(json_rows(rows, 0, sizeof(*rows), JSON_ROW_OBJECT(members)),
		   "[]");
}

/* An object that could not be made: the second row's. */
static json_t *fails_second(const void *row, void *arg)
{
	int *calls = arg;

	(void)row;
	return ++*calls == 2 ? NULL : json_object();
}

static void test_rows_failed(void **state)
{
	struct row rows[3] = { 0 };
	int calls = 0;

	(void)state;
	assert_null(json_rows(rows, 3, sizeof(*rows), fails_second, &calls));
	assert_int_equal(calls, 2);
}

/* A document appended compact after what out holds, its order kept,
 * with a newline; a document not made (NULL) is -ENOMEM, out as it
 * was. */
static void test_append_compact(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	strbuf_addstr(&out, "x");
	assert_int_equal(json_append_compact(&out, json_pack(
		"{s:i,s:[s,f],s:{}}", "b", 1, "a", "t\"", 0.5, "c")), 0);
	assert_string_equal(out.buf,
			    "x{\"b\":1,\"a\":[\"t\\\"\",0.5],\"c\":{}}\n");
	assert_int_equal(json_append_compact(&out, NULL), -ENOMEM);
	assert_int_equal(out.len, 32);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_rows_failed),
		cmocka_unit_test(test_append_compact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
