/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A POST's form (fs/tree/http_form.h): pairs split and decoded, names
 * that come again kept, a value without "=", a NUL refused, and the
 * Content-Type of a form told from others.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "fs/tree/http_form.h"

static void test_pairs(void **state)
{
	static const char body[] =
		"u=root&p=s%C3%A9cret+1&id=so1&&id=so2&flag&q=100%25&bad=%zz";
	struct http_form f;

	(void)state;
	assert_int_equal(http_form_parse(&f, body, strlen(body)), 0);
	assert_int_equal(f.npairs, 7);
	assert_string_equal(http_form_get(&f, "u"), "root");
	assert_string_equal(http_form_get(&f, "p"), "s\xc3\xa9" "cret 1");
	assert_string_equal(http_form_get(&f, "id"), "so1");
	assert_string_equal(f.pairs[3].name, "id");
	assert_string_equal(f.pairs[3].value, "so2");
	assert_string_equal(http_form_get(&f, "flag"), "");
	assert_string_equal(http_form_get(&f, "q"), "100%");
	assert_string_equal(http_form_get(&f, "bad"), "%zz");
	assert_null(http_form_get(&f, "none"));
	assert_null(http_form_get(NULL, "u"));
	http_form_free(&f);
	assert_int_equal(http_form_parse(&f, "", 0), 0);
	assert_int_equal(f.npairs, 0);
	http_form_free(&f);
}

static void test_nul_refused(void **state)
{
	struct http_form f;

	(void)state;
	assert_int_equal(http_form_parse(&f, "a=1&id=x%00y", 12), -EINVAL);
	assert_null(f.text);
	assert_int_equal(http_form_parse(&f, "a%00=1", 6), -EINVAL);
	assert_int_equal(http_form_parse(&f, "a=1\0b=2", 7), -EINVAL);
}

static void test_type(void **state)
{
	(void)state;
	assert_true(http_form_type("application/x-www-form-urlencoded"));
	assert_true(http_form_type("Application/X-WWW-Form-Urlencoded;"
				   " charset=UTF-8"));
	assert_true(http_form_type("application/x-www-form-urlencoded ;"));
	assert_false(http_form_type(NULL));
	assert_false(http_form_type(""));
	assert_false(http_form_type("application/json"));
	assert_false(http_form_type("multipart/form-data; boundary=x"));
	assert_false(http_form_type("application/x-www-form-urlencodedx"));
	assert_false(http_form_type("application/x-www-form"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_nul_refused),
		cmocka_unit_test(test_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
