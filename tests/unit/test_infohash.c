/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "indexer/monitor/infohash.h"

/* A torrent's info dictionary, whose SHA-1 Python's hashlib gave. */
#define INFO "d6:lengthi5e4:name1:a12:piece lengthi16384e6:pieces20:" \
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" \
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" "e"
#define HASH "2e0e9cfd849ed8272c330097406fb802c44a3b49"

/* The hash is the info dictionary's, wherever it sits among the keys. */
static void test_torrent(void **state)
{
	static const char t[] = "d8:announce15:http://t.ex/ann4:info" INFO
		"7:comment2:hie";
	char out[INFOHASH_HEX];

	(void)state;
	assert_int_equal(infohash_torrent(t, sizeof(t) - 1, out), 0);
	assert_string_equal(out, HASH);
}

/*
 * Anything but a dictionary with an info key is -EINVAL: none, cut
 * short, lengths that lie; a small info dictionary is enough.
 */
static void test_bad_torrents(void **state)
{
	static const char *const bad[] = {
		"", "l4:infoe", "d8:announce3:abce", "d4:info", "d4:infod",
		"d4:info99:abce", "d4:infoi12", "d3:abc", "dxe",
	};
	static const char small[] = "d4:infod1:ai1eee";
	char out[INFOHASH_HEX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(infohash_torrent(bad[i], strlen(bad[i]),
						  out), -EINVAL);
	assert_int_equal(infohash_torrent(small, sizeof(small) - 1, out), 0);
}

/* A magnet's btih in hex (any case) or base32 (any case). */
static void test_magnet(void **state)
{
	char out[INFOHASH_HEX];

	(void)state;
	assert_int_equal(infohash_magnet("magnet:?dn=x&xt=urn:btih:"
					 "2E0E9CFD849ED8272C330097406FB802C44A3B49"
					 "&tr=http://t", out), 0);
	assert_string_equal(out, HASH);
	assert_int_equal(infohash_magnet("magnet:?xt=urn:btih:"
					 "fyhjz7met3mcolbtacluA35YALCEUO2J",
					 out), 0);
	assert_string_equal(out, HASH);
	assert_int_equal(infohash_magnet("magnet:?xt=urn:btih:abc", out),
			 -EINVAL);
	assert_int_equal(infohash_magnet("magnet:?xt=urn:btih:"
					 "fyhjz7met3mcolbtacluA35YALCEUO21",
					 out), -EINVAL);
	assert_int_equal(infohash_magnet("magnet:?xt=urn:btmh:1220abcd",
					 out), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_torrent),
		cmocka_unit_test(test_bad_torrents),
		cmocka_unit_test(test_magnet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
