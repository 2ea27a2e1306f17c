/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HTTP_COND_H
#define MEDIAMON_HTTP_COND_H

/*
 * The conditional requests of RFC 9110 13 for one body: the request's
 * precondition headers weighed against the body's entity tag and time,
 * and whether its Range still applies (If-Range). Pure: header values
 * in, a verdict out; fs/http/http_serve.c reads the headers and answers.
 */

#include <time.h>

/* The precondition headers of a request, each NULL when absent. */
struct http_cond_headers {
	const char *if_match, *if_unmodified_since;
	const char *if_none_match, *if_modified_since;
};

enum http_cond {
	HTTP_COND_SEND,		/* 200 (or 206) */
	HTTP_COND_NOT_MODIFIED,	/* 304 */
	HTTP_COND_FAILED,	/* 412 */
};

/*
 * The verdict for a GET of a body whose strong entity tag is etag (with
 * its quotes) and whose last change is mtime (0: unknown), in the order
 * RFC 9110 13.2.2 gives: If-Match (strong comparison), else
 * If-Unmodified-Since; then If-None-Match (weak comparison), else
 * If-Modified-Since. A date that does not read is ignored, as the RFC
 * says.
 */
enum http_cond http_cond_eval(const struct http_cond_headers *h,
			      const char *etag, time_t mtime);

/*
 * Whether a Range goes with an If-Range of value if_range (NULL:
 * absent): when it names etag exactly (a strong comparison) or the date
 * mtime itself; else the whole body is the answer, so that a resumed
 * download of a file replaced since is never spliced.
 */
int http_cond_range_applies(const char *if_range, const char *etag,
			    time_t mtime);

/* An HTTP date (IMF-fixdate) s into *t: 0, or -EINVAL. */
int http_cond_date(const char *s, time_t *t);

#endif
