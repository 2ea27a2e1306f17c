/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "fs/http/http_cond.h"

#define ETAG "\"a1-20-3\""
#define THEN "Sun, 06 Nov 1994 08:49:37 GMT"	/* 784111777 */
#define AT 784111777

static enum http_cond eval(const char *im, const char *ius, const char *inm,
			   const char *ims, time_t mtime)
{
	const struct http_cond_headers h = { im, ius, inm, ims };

	return http_cond_eval(&h, ETAG, mtime);
}

static void test_dates(void **state)
{
	time_t t;

	(void)state;
	assert_int_equal(http_cond_date(THEN, &t), 0);
	assert_int_equal(t, AT);
	assert_int_equal(http_cond_date("Sunday, 06-Nov-94 08:49:37 GMT", &t),
			 -EINVAL);
	assert_int_equal(http_cond_date(THEN " trailing", &t), -EINVAL);
	assert_int_equal(http_cond_date("", &t), -EINVAL);
}

/* If-Match compares strongly: a weak tag of the same value fails. */
static void test_if_match(void **state)
{
	(void)state;
	assert_int_equal(eval(ETAG, NULL, NULL, NULL, AT), HTTP_COND_SEND);
	assert_int_equal(eval("\"x\", " ETAG, NULL, NULL, NULL, AT),
			 HTTP_COND_SEND);
	assert_int_equal(eval(" * ", NULL, NULL, NULL, AT), HTTP_COND_SEND);
	assert_int_equal(eval("\"old\"", NULL, NULL, NULL, AT),
			 HTTP_COND_FAILED);
	assert_int_equal(eval("W/" ETAG, NULL, NULL, NULL, AT),
			 HTTP_COND_FAILED);
	assert_int_equal(eval("\"a1-20-3", NULL, NULL, NULL, AT),
			 HTTP_COND_FAILED);
	/* If-Match wins over If-Unmodified-Since */
	assert_int_equal(eval(ETAG, "Sat, 05 Nov 1994 08:49:37 GMT", NULL,
			      NULL, AT), HTTP_COND_SEND);
}

static void test_if_unmodified_since(void **state)
{
	(void)state;
	assert_int_equal(eval(NULL, THEN, NULL, NULL, AT), HTTP_COND_SEND);
	assert_int_equal(eval(NULL, THEN, NULL, NULL, AT + 1),
			 HTTP_COND_FAILED);
	/* no time known, or a date that does not read: ignored */
	assert_int_equal(eval(NULL, THEN, NULL, NULL, 0), HTTP_COND_SEND);
	assert_int_equal(eval(NULL, "yesterday", NULL, NULL, AT + 1),
			 HTTP_COND_SEND);
}

/* If-None-Match compares weakly and wins over If-Modified-Since. */
static void test_if_none_match(void **state)
{
	(void)state;
	assert_int_equal(eval(NULL, NULL, ETAG, NULL, AT),
			 HTTP_COND_NOT_MODIFIED);
	assert_int_equal(eval(NULL, NULL, "W/" ETAG, NULL, AT),
			 HTTP_COND_NOT_MODIFIED);
	assert_int_equal(eval(NULL, NULL, "*", NULL, AT),
			 HTTP_COND_NOT_MODIFIED);
	assert_int_equal(eval(NULL, NULL, "\"old\"", THEN, AT),
			 HTTP_COND_SEND);
	assert_int_equal(eval(NULL, NULL, NULL, THEN, AT),
			 HTTP_COND_NOT_MODIFIED);
	assert_int_equal(eval(NULL, NULL, NULL, THEN, AT + 1),
			 HTTP_COND_SEND);
	assert_int_equal(eval(NULL, NULL, NULL, THEN, 0), HTTP_COND_SEND);
	/* a failed precondition is 412 before any 304 */
	assert_int_equal(eval("\"old\"", NULL, ETAG, NULL, AT),
			 HTTP_COND_FAILED);
}

static void test_if_range(void **state)
{
	(void)state;
	assert_true(http_cond_range_applies(NULL, ETAG, AT));
	assert_true(http_cond_range_applies(ETAG, ETAG, AT));
	assert_false(http_cond_range_applies("\"old\"", ETAG, AT));
	assert_false(http_cond_range_applies("W/" ETAG, ETAG, AT));
	assert_true(http_cond_range_applies(THEN, ETAG, AT));
	assert_false(http_cond_range_applies(THEN, ETAG, AT + 1));
	assert_false(http_cond_range_applies(THEN, ETAG, 0));
	assert_false(http_cond_range_applies("soon", ETAG, AT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_if_match),
		cmocka_unit_test(test_if_unmodified_since),
		cmocka_unit_test(test_if_none_match),
		cmocka_unit_test(test_if_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
