/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Hashes: the values themselves (the store keeps the scan's digests, so a
 * change of them must be one made on purpose), checked against a second
 * implementation of the same steps in Python; every length up to three
 * words, so that each tail is read; and inputs one byte apart, or one
 * NUL longer, that must part.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/hash.h"

/* Values from this Python, which follows hash.h step by step:
 *	M = (1 << 64) - 1
 *	def add(h, w):
 *		h = ((h ^ w) * 0xbf58476d1ce4e5b9) & M
 *		return h ^ (h >> 32)
 *	def add_bytes(h, b):
 *		h = add(h, len(b))
 *		full = len(b) - len(b) % 8
 *		for i in range(0, full, 8):
 *			h = add(h, int.from_bytes(b[i:i + 8], "little"))
 *		return add(h, int.from_bytes(b[full:], "little"))
 *	def end(h):
 *		h ^= h >> 30; h = (h * 0xbf58476d1ce4e5b9) & M
 *		h ^= h >> 27; h = (h * 0x94d049bb133111eb) & M
 *		return h ^ (h >> 31)
 * with HASH_INIT 0x9e3779b97f4a7c15. */
static void test_values(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		uint64_t out;
	} cases[] = {
		{ "", 0, 0x5b816821944dc6e8ull },
		{ "a", 1, 0xa9d43150a2512ce2ull },
		{ "a", 2, 0x595c656487225a07ull },
		{ "01 - Signal Neon.mp3", 20, 0x167ee1303f39f5b6ull },
		{ "Am\xc3\xa9lie Berg/Desert Harbor 93 (1993)", 36,
		  0xd24653ae254401aeull },
	};
	uint64_t h;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		assert_int_equal(hash_bytes(cases[i].in, cases[i].len),
				 cases[i].out);
	h = hash_add_bytes(HASH_INIT, "01 - Away.mp3", 13);
	h = hash_add(h, 512);
	h = hash_add(h, 1700000000123456789ull);
	assert_int_equal(hash_end(hash_add(h, 4242)), 0x525e46354a40aa8eull);
}

/* A byte changed anywhere, in every length from 0 to 24, changes the
 * hash; so does the length. */
static void test_one_byte_apart(void **state)
{
	unsigned char a[25], b[25];

	(void)state;
	for (size_t len = 0; len <= 24; len++) {
		for (size_t i = 0; i < len; i++)
			a[i] = (unsigned char)('a' + i);
		assert_int_not_equal(hash_bytes(a, len),
				     hash_bytes(a, len + 1));
		for (size_t i = 0; i < len; i++) {
			memcpy(b, a, len);
			b[i] ^= 0x80;
			assert_int_not_equal(hash_bytes(a, len),
					     hash_bytes(b, len));
			b[i] = a[i] ^ 1;
			assert_int_not_equal(hash_bytes(a, len),
					     hash_bytes(b, len));
		}
	}
}

/* The bytes are read where they lie, whatever their alignment. */
static void test_unaligned(void **state)
{
	char buf[64];
	const char *name = "Desert Harbor 93 (1993)";
	size_t len = strlen(name);
	uint64_t h = hash_bytes(name, len);

	(void)state;
	for (size_t off = 0; off < 8; off++) {
		memcpy(buf + off, name, len);
		assert_int_equal(hash_bytes(buf + off, len), h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_one_byte_apart),
		cmocka_unit_test(test_unaligned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
