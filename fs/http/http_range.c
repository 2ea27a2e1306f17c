/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Byte ranges of HTTP requests (http_range.h): the Range header parsed,
 * ordered and merged, and the multipart/byteranges layout of several
 * ranges. It reads no file and writes no answer (fs/http/http_serve.c does).
 */
#include "fs/http/http_range.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/text.h"

/* A piece of the multipart body: a text, or len bytes of the body. */
struct seg {
	char *text;
	uint64_t off, len;
};

struct http_multipart {
	char type[80];
	uint64_t size;
	int n;
	struct seg seg[2 * HTTP_RANGES_MAX + 1];
};

/* The decimal number at *p before e: 0 and *p past it, or -EINVAL. */
static int number(const char **p, const char *e, uint64_t *v)
{
	const char *s = *p;

	*v = 0;
	while (s < e && *s >= '0' && *s <= '9') {
		if (*v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		*v = *v * 10 + (uint64_t)(*s++ - '0');
	}
	if (s == *p)
		return -EINVAL;
	*p = s;
	return 0;
}

/*
 * The range-spec from s to e in a body of size bytes: 1 with *from and
 * *len, 0 when it lies outside the body, -EINVAL when malformed.
 */
static int spec(const char *s, const char *e, uint64_t size,
		uint64_t *from, uint64_t *len)
{
	uint64_t a, b;

	if (*s == '-') {	/* the last b bytes */
		s++;
		if (number(&s, e, &b) || s != e)
			return -EINVAL;
		if (!b || !size)
			return 0;
		*len = b < size ? b : size;
		*from = size - *len;
		return 1;
	}
	if (number(&s, e, &a) || s == e || *s++ != '-')
		return -EINVAL;
	b = UINT64_MAX;
	if (s != e && (number(&s, e, &b) || s != e || b < a))
		return -EINVAL;
	if (a >= size)
		return 0;
	*from = a;
	*len = (b < size ? b + 1 : size) - a;
	return 1;
}

int http_range_parse(const char *h, uint64_t size, struct http_ranges *out)
{
	uint64_t sum = 0, from, len;
	int specs = 0, rc, i, j;
	const char *s, *e, *next;
	size_t n;

	out->n = 0;
	if (!h || strncmp(h, "bytes=", 6))
		return 0;
	for (s = h + 6;; s = next + 1) {
		next = strchr(s, ',');
		n = next ? (size_t)(next - s) : strlen(s);
		text_trim_blanks(&s, &n);
		e = s + n;
		if (s < e && ++specs > HTTP_RANGES_MAX)
			return 0;
		rc = s < e ? spec(s, e, size, &from, &len) : 0;
		if (rc < 0)
			return 0;
		if (rc) {
			sum += len;
			for (i = out->n; i > 0 && out->r[i - 1].from > from;
			     i--)
				out->r[i] = out->r[i - 1];
			out->r[i].from = from;
			out->r[i].len = len;
			out->n++;
		}
		if (!next)
			break;
	}
	if (!specs)
		return 0;
	if (!out->n)
		return -ERANGE;
	if (sum > size) {
		out->n = 0;
		return 0;
	}
	for (i = 0, j = 1; j < out->n; j++) {
		uint64_t end = out->r[i].from + out->r[i].len;

		if (out->r[j].from <= end) {
			if (out->r[j].from + out->r[j].len > end)
				out->r[i].len = out->r[j].from +
						out->r[j].len - out->r[i].from;
		} else {
			out->r[++i] = out->r[j];
		}
	}
	out->n = i + 1;
	return out->n;
}

int http_multipart_new(const struct http_ranges *rs, uint64_t size,
		       const char *type, struct http_multipart **out)
{
	struct http_multipart *m = calloc(1, sizeof(*m));
	unsigned char rnd[8];
	char boundary[40];
	int i;

	if (!m)
		return -ENOMEM;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		free(m);
		return -EAGAIN;
	}
	snprintf(boundary, sizeof(boundary),
		 "mediamon-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0],
		 rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	snprintf(m->type, sizeof(m->type), "multipart/byteranges; boundary=%s",
		 boundary);
	for (i = 0; i <= rs->n; i++) {
		struct seg *t = &m->seg[m->n++];
		int rc;

		if (i == rs->n)
			rc = asprintf(&t->text, "\r\n--%s--\r\n", boundary);
		else
			rc = asprintf(&t->text, "\r\n--%s\r\nContent-Type: %s"
				      "\r\nContent-Range: bytes %" PRIu64
				      "-%" PRIu64 "/%" PRIu64 "\r\n\r\n",
				      boundary, type, rs->r[i].from,
				      rs->r[i].from + rs->r[i].len - 1, size);
		if (rc < 0) {
			t->text = NULL;
			http_multipart_free(m);
			return -ENOMEM;
		}
		t->len = (uint64_t)rc;
		m->size += t->len;
		if (i == rs->n)
			break;
		t = &m->seg[m->n++];
		t->off = rs->r[i].from;
		t->len = rs->r[i].len;
		m->size += t->len;
	}
	*out = m;
	return 0;
}

uint64_t http_multipart_size(const struct http_multipart *m)
{
	return m->size;
}

const char *http_multipart_type(const struct http_multipart *m)
{
	return m->type;
}

size_t http_multipart_at(const struct http_multipart *m, uint64_t pos,
			 size_t max, const char **text, uint64_t *off)
{
	for (int i = 0; i < m->n; i++) {
		const struct seg *s = &m->seg[i];
		uint64_t left;

		if (pos >= s->len) {
			pos -= s->len;
			continue;
		}
		left = s->len - pos;
		*text = s->text ? s->text + pos : NULL;
		*off = s->off + pos;
		return left < max ? (size_t)left : max;
	}
	return 0;
}

void http_multipart_free(struct http_multipart *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->n; i++)
		free(m->seg[i].text);
	free(m);
}
