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

#include "fs/http/http_range.h"

/* Parse h for a body of size bytes; the ranges as "from+len ..." */
static int parse(const char *h, uint64_t size, char *out, size_t len)
{
	struct http_ranges rs;
	int n = http_range_parse(h, size, &rs);
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < rs.n && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%llu+%llu",
					 i ? " " : "",
					 (unsigned long long)rs.r[i].from,
					 (unsigned long long)rs.r[i].len);
	return n;
}

static void test_single(void **state)
{
	char got[256];

	(void)state;
	assert_int_equal(parse("bytes=4-9", 100, got, sizeof(got)), 1);
	assert_string_equal(got, "4+6");
	assert_int_equal(parse("bytes=-5", 100, got, sizeof(got)), 1);
	assert_string_equal(got, "95+5");
	assert_int_equal(parse("bytes=90-", 100, got, sizeof(got)), 1);
	assert_string_equal(got, "90+10");
	assert_int_equal(parse("bytes=90-500", 100, got, sizeof(got)), 1);
	assert_string_equal(got, "90+10");
	assert_int_equal(parse("bytes=-500", 100, got, sizeof(got)), 1);
	assert_string_equal(got, "0+100");
}

static void test_several(void **state)
{
	char got[256];

	(void)state;
	assert_int_equal(parse("bytes=0-9,20-29", 100, got, sizeof(got)), 2);
	assert_string_equal(got, "0+10 20+10");
	/* ordered, spaces allowed, empty elements skipped */
	assert_int_equal(parse("bytes=50-59 ,, 0-9,-5", 100, got,
			       sizeof(got)), 3);
	assert_string_equal(got, "0+10 50+10 95+5");
	/* overlapping and touching ranges merged */
	assert_int_equal(parse("bytes=0-9,5-14,15-19,40-49", 100, got,
			       sizeof(got)), 2);
	assert_string_equal(got, "0+20 40+10");
	assert_int_equal(parse("bytes=10-19,12-13", 100, got, sizeof(got)),
			 1);
	assert_string_equal(got, "10+10");
	/* an unsatisfiable range among good ones is left out */
	assert_int_equal(parse("bytes=0-1,200-300", 100, got, sizeof(got)),
			 1);
	assert_string_equal(got, "0+2");
}

static void test_whole(void **state)
{
	char many[256] = "bytes=0-0";
	char got[256];

	(void)state;
	assert_int_equal(parse(NULL, 100, got, sizeof(got)), 0);
	assert_int_equal(parse("items=0-9", 100, got, sizeof(got)), 0);
	assert_int_equal(parse("bytes=", 100, got, sizeof(got)), 0);
	assert_int_equal(parse("bytes=,", 100, got, sizeof(got)), 0);
	assert_int_equal(parse("bytes=9-4", 100, got, sizeof(got)), 0);
	assert_int_equal(parse("bytes=a-4", 100, got, sizeof(got)), 0);
	assert_int_equal(parse("bytes=4", 100, got, sizeof(got)), 0);
	assert_int_equal(parse("bytes=-", 100, got, sizeof(got)), 0);
	assert_int_equal(parse("bytes=1-2-3", 100, got, sizeof(got)), 0);
	assert_int_equal(parse("bytes=0-1,x", 100, got, sizeof(got)), 0);
	assert_int_equal(parse("bytes=99999999999999999999-", 100, got,
			       sizeof(got)), 0);
	/* more bytes asked in all than the body has */
	assert_int_equal(parse("bytes=0-,0-", 100, got, sizeof(got)), 0);
	assert_int_equal(parse("bytes=0-60,40-99", 100, got, sizeof(got)),
			 0);
	/* sixteen ranges are served, seventeen get the whole body */
	for (int i = 1; i < 16; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 ",%d-%d", 2 * i, 2 * i);
	assert_int_equal(parse(many, 100, got, sizeof(got)), 16);
	strcat(many, ",40-40");
	assert_int_equal(parse(many, 100, got, sizeof(got)), 0);
}

static void test_unsatisfiable(void **state)
{
	char got[256];

	(void)state;
	assert_int_equal(parse("bytes=100-", 100, got, sizeof(got)),
			 -ERANGE);
	assert_int_equal(parse("bytes=-0", 100, got, sizeof(got)), -ERANGE);
	assert_int_equal(parse("bytes=100-109,200-", 100, got, sizeof(got)),
			 -ERANGE);
	assert_int_equal(parse("bytes=0-", 0, got, sizeof(got)), -ERANGE);
	assert_int_equal(parse("bytes=-5", 0, got, sizeof(got)), -ERANGE);
}

/* The multipart body, read through http_multipart_at, from body. */
static char *render(const struct http_multipart *m, const char *body,
		    size_t step)
{
	uint64_t size = http_multipart_size(m), pos = 0, off;
	char *out = calloc(1, size + 1);
	const char *text;
	size_t n;

	assert_non_null(out);
	while ((n = http_multipart_at(m, pos, step, &text, &off))) {
		memcpy(out + pos, text ? text : body + off, n);
		pos += n;
	}
	assert_int_equal(pos, size);
	return out;
}

static void test_multipart(void **state)
{
	const char *body = "0123456789abcdefghijklmnopqrstuvwxyz";
	struct http_multipart *m;
	struct http_ranges rs;
	char expect[512], *b, *out;
	const char *type;

	(void)state;
	assert_int_equal(http_range_parse("bytes=30-,2-4", 36, &rs), 2);
	assert_int_equal(http_multipart_new(&rs, 36, "audio/flac", &m), 0);
	type = http_multipart_type(m);
	b = strstr(type, "boundary=");
	assert_non_null(b);
	assert_true(!strncmp(type, "multipart/byteranges; ", 22));
	b += 9;
	snprintf(expect, sizeof(expect),
		 "\r\n--%s\r\nContent-Type: audio/flac\r\n"
		 "Content-Range: bytes 2-4/36\r\n\r\n234"
		 "\r\n--%s\r\nContent-Type: audio/flac\r\n"
		 "Content-Range: bytes 30-35/36\r\n\r\nuvwxyz"
		 "\r\n--%s--\r\n", b, b, b);
	for (size_t step = 1; step < 8; step += 3) {
		out = render(m, body, step);
		assert_string_equal(out, expect);
		free(out);
	}
	assert_int_equal(http_multipart_size(m), strlen(expect));
	http_multipart_free(m);
	http_multipart_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_several),
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_unsatisfiable),
		cmocka_unit_test(test_multipart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
