/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Conditional requests (http_cond.h): precondition headers against an
 * entity tag and a time. It reads no header from a connection and
 * answers nothing (fs/http/http_serve.c does both).
 */
#include "fs/http/http_cond.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/*
 * Whether the comma-separated list of entity tags list holds etag, or is
 * "*". A weak tag (W/"...") matches only when weak is true.
 */
static bool tag_listed(const char *list, const char *etag, bool weak)
{
	size_t n = strlen(etag);
	const char *s = list + strspn(list, " \t");

	if (*s == '*' && !s[1 + strspn(s + 1, " \t")])
		return true;
	while (*s) {
		bool is_weak = !strncmp(s, "W/", 2);
		const char *tag = is_weak ? s + 2 : s;
		size_t len = strcspn(tag, ", \t");

		if ((weak || !is_weak) && len == n && !strncmp(tag, etag, n))
			return true;
		s = tag + len;
		s += strspn(s, ", \t");
	}
	return false;
}

int http_cond_date(const char *s, time_t *t)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);

	if (!end || *end)
		return -EINVAL;
	*t = timegm(&tm);
	return 0;
}

enum http_cond http_cond_eval(const struct http_cond_headers *h,
			      const char *etag, time_t mtime)
{
	time_t t;

	if (h->if_match) {
		if (!tag_listed(h->if_match, etag, false))
			return HTTP_COND_FAILED;
	} else if (h->if_unmodified_since && mtime &&
		   !http_cond_date(h->if_unmodified_since, &t) && mtime > t) {
		return HTTP_COND_FAILED;
	}
	if (h->if_none_match)
		return tag_listed(h->if_none_match, etag, true) ?
		       HTTP_COND_NOT_MODIFIED : HTTP_COND_SEND;
	if (h->if_modified_since && mtime &&
	    !http_cond_date(h->if_modified_since, &t) && mtime <= t)
		return HTTP_COND_NOT_MODIFIED;
	return HTTP_COND_SEND;
}

int http_cond_range_applies(const char *if_range, const char *etag,
			    time_t mtime)
{
	time_t t;

	if (!if_range)
		return 1;
	if (*if_range == '"' || !strncmp(if_range, "W/", 2))
		return !strcmp(if_range, etag);
	return mtime && !http_cond_date(if_range, &t) && t == mtime;
}
