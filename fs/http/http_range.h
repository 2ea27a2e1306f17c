/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HTTP_RANGE_H
#define MEDIAMON_HTTP_RANGE_H

/*
 * Byte ranges of an HTTP request (RFC 9110 14): the Range header read
 * into ordered, merged ranges of a body, and the multipart/byteranges
 * body that carries several of them.
 */

#include <stddef.h>
#include <stdint.h>

#define HTTP_RANGES_MAX 16	/* more ranges than this: the whole body */

struct http_ranges {
	int n;
	struct {
		uint64_t from, len;
	} r[HTTP_RANGES_MAX];
};

/*
 * Read the Range header h (NULL: none) for a body of size bytes into
 * out: the number of ranges (at least 1), ordered and with overlapping
 * or touching ones merged; 0 when the whole body is the answer (no
 * header, not of bytes, malformed, more than HTTP_RANGES_MAX ranges, or
 * ranges asking more bytes in all than the body has); -ERANGE when no
 * range lies in the body (416).
 */
int http_range_parse(const char *h, uint64_t size, struct http_ranges *out);

struct http_multipart;

/*
 * Lay out the multipart/byteranges body of the ranges rs (n >= 2) of a
 * body of size bytes and media type type into *out: 0 or -ENOMEM.
 */
int http_multipart_new(const struct http_ranges *rs, uint64_t size,
		       const char *type, struct http_multipart **out);

/* The multipart body's length in bytes. */
uint64_t http_multipart_size(const struct http_multipart *m);

/* Its Content-Type, with the boundary. */
const char *http_multipart_type(const struct http_multipart *m);

/*
 * What is at byte pos of the multipart body: the count (at most max,
 * 0 past the end) of bytes that follow either in *text (part headers,
 * *text not NULL) or in the original body from offset *off (*text
 * NULL).
 */
size_t http_multipart_at(const struct http_multipart *m, uint64_t pos,
			 size_t max, const char **text, uint64_t *off);

void http_multipart_free(struct http_multipart *m);

#endif
