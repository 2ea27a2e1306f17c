/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "indexer/monitor/echo.c"

static int parse(const char *body, struct echo_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = 42;
	return echo_parse(body, strlen(body), info);
}

static void test_parse(void **state)
{
	struct echo_info info;

	(void)state;
	assert_int_equal(parse("{\"id\": 42, \"volumes\": 7,"
			       " \"status\": \"ongoing\"}", &info), 0);
	assert_int_equal(info.count, 7);
	assert_string_equal(info.status, "ongoing");
	assert_int_equal(parse("{\"volumes\": \"7\", \"status\": \"x\"}",
			       &info), -EPROTO);
	assert_int_equal(parse("{\"volumes\": -1, \"status\": \"x\"}",
			       &info), -EPROTO);
	assert_int_equal(parse("<html></html>", &info), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
