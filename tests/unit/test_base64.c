/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Base64 (common/base64.h): RFC 4648's test vectors both ways, padding,
 * a full output, characters outside the alphabet (a NUL among them),
 * every byte value there and back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "common/base64.h"
#include "common/strbuf.h"

/* RFC 4648, section 10. */
static const char *const vectors[][2] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static void test_vectors(void **state)
{
	unsigned char out[16];
	ssize_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(*vectors); i++) {
		const char *plain = vectors[i][0], *coded = vectors[i][1];
		struct strbuf b = STRBUF_INIT;

		base64_encode(plain, strlen(plain), &b);
		assert_string_equal(b.buf ? b.buf : "", coded);
		strbuf_release(&b);
		n = base64_decode(coded, strlen(coded), out, sizeof(out));
		assert_int_equal(n, strlen(plain));
		assert_memory_equal(out, plain, n);
		assert_int_equal(base64_decoded_len(coded, strlen(coded)),
				 strlen(plain));
	}
}

/* Decoding stops when out is full, and after a group cut short. */
static void test_limits(void **state)
{
	unsigned char out[4] = { 0 };

	(void)state;
	assert_int_equal(base64_decode("Zm9vYmFy", 8, out, 4), 4);
	assert_memory_equal(out, "foob", 4);
	assert_int_equal(base64_decode("Zm9vYm", 6, out, 4), 3);
	assert_int_equal(base64_decode("Zm9v", 4, out, 0), 0);
}

static void test_bad_characters(void **state)
{
	unsigned char out[8];

	(void)state;
	assert_int_equal(base64_decode("Zm9*", 4, out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(base64_decode("Z===", 4, out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(base64_decode("Zm 9", 4, out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(base64_decode("Zm\0v", 4, out, sizeof(out)),
			 -EINVAL);
}

/* Every byte value, so every character of the alphabet, '+' and '/'
 * among them, is written and read back. */
static void test_every_byte(void **state)
{
	unsigned char plain[256], out[256];
	struct strbuf b = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (unsigned char)i;
	base64_encode(plain, sizeof(plain), &b);
	assert_non_null(strchr(b.buf, '+'));
	assert_non_null(strchr(b.buf, '/'));
	assert_int_equal(base64_decode(b.buf, b.len, out, sizeof(out)),
			 sizeof(out));
	assert_memory_equal(out, plain, sizeof(out));
	strbuf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bad_characters),
		cmocka_unit_test(test_every_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
