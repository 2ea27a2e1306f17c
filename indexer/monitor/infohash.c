/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The BitTorrent v1 info hash of a magnet link or a torrent's bytes
 * (infohash.h). It fetches nothing and asks no client.
 */
#include "indexer/monitor/infohash.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#define HASH_BYTES 20

static void to_hex(const unsigned char *h, char out[INFOHASH_HEX])
{
	for (int i = 0; i < HASH_BYTES; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* The 32 base32 digits (RFC 4648) at s as the hash's 20 bytes. */
static int from_base32(const char *s, char out[INFOHASH_HEX])
{
	unsigned char h[HASH_BYTES];
	unsigned bits = 0, acc = 0;
	int n = 0;

	for (int i = 0; i < 32; i++) {
		int c = toupper((unsigned char)s[i]), v;

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= '2' && c <= '7')
			v = c - '2' + 26;
		else
			return -EINVAL;
		acc = acc << 5 | (unsigned)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			h[n++] = (unsigned char)(acc >> bits);
		}
	}
	to_hex(h, out);
	return 0;
}

int infohash_magnet(const char *magnet, char out[INFOHASH_HEX])
{
	static const char tag[] = "urn:btih:";
	const char *p = magnet;

	while ((p = strcasestr(p, tag))) {
		size_t len;

		p += sizeof(tag) - 1;
		len = strcspn(p, "&#");
		if (len == 40 && strspn(p, "0123456789abcdefABCDEF") >= 40) {
			for (int i = 0; i < 40; i++)
				out[i] = (char)tolower((unsigned char)p[i]);
			out[40] = '\0';
			return 0;
		}
		if (len == 32 && !from_base32(p, out))
			return 0;
	}
	return -EINVAL;
}

/*
 * The end of the bencoded value at data[pos] (an integer, a string, a
 * list or a dictionary), or 0 when it is not one; depth bounds nesting.
 */
static size_t skip(const char *data, size_t len, size_t pos, int depth)
{
	if (pos >= len || depth > 64)
		return 0;
	if (data[pos] == 'i') {
		const char *e = memchr(data + pos, 'e', len - pos);

		return e ? (size_t)(e - data) + 1 : 0;
	}
	if (data[pos] == 'l' || data[pos] == 'd') {
		pos++;
		while (pos < len && data[pos] != 'e') {
			pos = skip(data, len, pos, depth + 1);
			if (!pos)
				return 0;
		}
		return pos < len ? pos + 1 : 0;
	}
	if (isdigit((unsigned char)data[pos])) {
		size_t n = 0;

		while (pos < len && isdigit((unsigned char)data[pos])) {
			if (n > len)
				return 0;
			n = n * 10 + (size_t)(data[pos++] - '0');
		}
		if (pos >= len || data[pos] != ':' || n > len - pos - 1)
			return 0;
		return pos + 1 + n;
	}
	return 0;
}

int infohash_torrent(const char *data, size_t len, char out[INFOHASH_HEX])
{
	unsigned char h[HASH_BYTES];
	size_t pos = 1;

	if (!len || data[0] != 'd')
		return -EINVAL;
	while (pos < len && data[pos] != 'e') {
		size_t key = pos, value = skip(data, len, pos, 0), end;

		if (!value || !isdigit((unsigned char)data[key]))
			return -EINVAL;
		end = skip(data, len, value, 0);
		if (!end)
			return -EINVAL;
		if (value - key == 6 && !memcmp(data + key, "4:info", 6)) {
			SHA1((const unsigned char *)data + value, end - value,
			     h);
			to_hex(h, out);
			return 0;
		}
		pos = end;
	}
	return -EINVAL;
}
