/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Base64 of RFC 4648 with padding, both ways (base64.h). Pure text
 * work: no I/O, no allocation beyond the caller's strbuf.
 */
#include "common/base64.h"

#include <errno.h>
#include <string.h>

#include "common/strbuf.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	"0123456789+/";

void base64_encode(const void *data, size_t len, struct strbuf *out)
{
	const unsigned char *s = data;

	strbuf_grow(out, (len + 2) / 3 * 4);
	for (size_t i = 0; i < len; i += 3) {
		unsigned int n = s[i] << 16;
		size_t left = len - i;

		if (left > 1)
			n |= s[i + 1] << 8;
		if (left > 2)
			n |= s[i + 2];
		strbuf_addch(out, alphabet[n >> 18 & 63]);
		strbuf_addch(out, alphabet[n >> 12 & 63]);
		strbuf_addch(out, left > 1 ? alphabet[n >> 6 & 63] : '=');
		strbuf_addch(out, left > 2 ? alphabet[n & 63] : '=');
	}
}

/* The value of base64 character c, -1 for padding, -2 outside. */
static int value(char c)
{
	const char *at = c ? strchr(alphabet, c) : NULL;

	if (at)
		return (int)(at - alphabet);
	return c == '=' ? -1 : -2;
}

/* Whole groups only, so that a caller may decode the head of a long
 * text without the rest. */
ssize_t base64_decode(const char *in, size_t len, unsigned char *out,
		      size_t size)
{
	size_t done = 0;

	for (size_t i = 0; i + 4 <= len; i += 4) {
		int v[4];
		unsigned int n = 0;

		for (int k = 0; k < 4; k++) {
			v[k] = value(in[i + k]);
			if (v[k] == -2 || (v[k] == -1 && k < 2))
				return -EINVAL;
			n = n << 6 | (v[k] < 0 ? 0 : v[k]);
		}
		for (int k = 0; k < 3 && done < size; k++) {
			if (v[k + 1] < 0)
				return done;
			out[done++] = n >> (16 - 8 * k) & 0xff;
		}
		if (v[3] < 0 || done == size)
			break;
	}
	return done;
}

/* What a whole text decodes to, without decoding it. */
size_t base64_decoded_len(const char *in, size_t len)
{
	size_t n;

	len -= len % 4;
	n = len / 4 * 3;
	for (size_t i = len; i > 0 && n && in[i - 1] == '='; i--)
		n--;
	return n;
}
