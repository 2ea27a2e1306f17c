/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A scan's first errors in words (indexer/library/scan_errors.h): the
 * first SCAN_ERRORS_KEPT kept in order, paths joined to their root and
 * cut to size, bytes that are not UTF-8 made text, nothing for none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/strbuf.h"
#include "indexer/library/scan_errors.h"

static json_t *as_json(struct scan_errors *e)
{
	struct strbuf out = STRBUF_INIT;
	json_t *j;

	assert_int_equal(scan_errors_json(e, &out), 0);
	j = out.len ? json_loads(out.buf, 0, NULL) : NULL;
	if (out.len)
		assert_non_null(j);
	strbuf_release(&out);
	return j;
}

static void test_none(void **state)
{
	struct scan_errors e;

	(void)state;
	scan_errors_init(&e);
	assert_null(as_json(&e));
	scan_errors_note(NULL, "/m", "a", 1, "ignored");
	scan_errors_destroy(&e);
}

static void test_first_kept_in_order(void **state)
{
	struct scan_errors e;
	char name[32];
	json_t *j;

	(void)state;
	scan_errors_init(&e);
	scan_errors_note(&e, "/music", "", 0, "cannot open the root: %s",
			 "gone");
	for (int i = 1; i < 9; i++) {
		snprintf(name, sizeof(name), "a/%d.flacXX", i);
		scan_errors_note(&e, "/music", name, strlen(name) - 2,
				 "damaged tags: frame %d", i);
	}
	j = as_json(&e);
	assert_int_equal(json_array_size(j), SCAN_ERRORS_KEPT);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(j, 0), "path")), "/music");
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(j, 0), "error")), "cannot open the root: gone");
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(j, 4), "path")), "/music/a/4.flac");
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(j, 4), "error")), "damaged tags: frame 4");
	json_decref(j);
	scan_errors_destroy(&e);
}

static void test_bytes_and_length(void **state)
{
	struct scan_errors e;
	char longname[2000];
	const char *p;
	json_t *j;

	(void)state;
	memset(longname, 'x', sizeof(longname));
	scan_errors_init(&e);
	scan_errors_note(&e, "/m", "caf\xe9.mp3", 8, "bad \xff byte");
	scan_errors_note(&e, "/m", longname, sizeof(longname), "long");
	j = as_json(&e);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(j, 0), "path")), "/m/caf\xef\xbf\xbd.mp3");
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(j, 0), "error")), "bad \xef\xbf\xbd byte");
	p = json_string_value(json_object_get(json_array_get(j, 1), "path"));
	assert_int_equal(strlen(p), SCAN_ERRORS_PATH_MAX - 1);
	json_decref(j);
	scan_errors_destroy(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_first_kept_in_order),
		cmocka_unit_test(test_bytes_and_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
