#include "common/base64.h"

#include "common/strbuf.h"

void base64_encode(const void *data, size_t len, struct strbuf *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";
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
