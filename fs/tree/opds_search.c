/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The OPDS catalog's search (opds_search.h): the queries kept by
 * number, their words matched against a title, the OpenSearch
 * description. It reads no store and writes no feed (opds.c does).
 */
#include "fs/tree/opds_search.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/fold.h"
#include "common/strbuf.h"

#define KEPT 1024

static struct {
	pthread_mutex_t lock;
	int64_t next;		/* the number of the next query kept */
	char text[KEPT][OPDS_SEARCH_MAX + 1];
} queries = { PTHREAD_MUTEX_INITIALIZER, 1, { { 0 } } };

int opds_search_intern(const char *query, size_t len, int64_t *id)
{
	int64_t first;

	if (!len)
		return -EINVAL;
	if (len > OPDS_SEARCH_MAX || memchr(query, '\0', len))
		return -ENAMETOOLONG;
	pthread_mutex_lock(&queries.lock);
	first = queries.next > KEPT ? queries.next - KEPT : 1;
	for (*id = queries.next - 1; *id >= first; (*id)--) {
		const char *t = queries.text[*id % KEPT];

		if (!strncmp(t, query, len) && !t[len])
			break;
	}
	if (*id < first) {
		*id = queries.next++;
		memcpy(queries.text[*id % KEPT], query, len);
		queries.text[*id % KEPT][len] = '\0';
	}
	pthread_mutex_unlock(&queries.lock);
	return 0;
}

int opds_search_query(int64_t id, char *buf)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&queries.lock);
	if (id > 0 && id < queries.next && id > queries.next - 1 - KEPT) {
		memcpy(buf, queries.text[id % KEPT], OPDS_SEARCH_MAX + 1);
		rc = 0;
	}
	pthread_mutex_unlock(&queries.lock);
	return rc;
}

static bool is_digits(const char *w, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)w[i]))
			return false;
	return true;
}

/* The digits of s from its first nonzero one (or its last zero). */
static const char *number_value(const char *s, size_t *len)
{
	while (*len > 1 && *s == '0') {
		s++;
		(*len)--;
	}
	return s;
}

/* Whether t in text starts a word: a number's first digit when digits,
 * else anything after a character that is no letter or digit, or the
 * digits after a letter ("T04"). */
static bool word_start(const char *text, const char *t, bool digits)
{
	unsigned char prev = t > text ? (unsigned char)t[-1] : ' ';
	unsigned char c = (unsigned char)*t;

	if (digits)
		return isdigit(c) && !isdigit(prev);
	return !isalnum(prev) || (isalpha(prev) && isdigit(c));
}

/* Whether the word w (len bytes) matches in text. */
static bool word_matches(const char *w, size_t len, const char *text)
{
	bool digits = is_digits(w, len);
	size_t wl = len;
	const char *wv = digits ? number_value(w, &wl) : w;

	for (const char *t = text; *t; t++) {
		size_t tl = strspn(t, "0123456789");
		const char *tv;

		if (!word_start(text, t, digits))
			continue;
		tv = number_value(t, &tl);
		if (digits ? tl == wl && !strncmp(tv, wv, wl) :
		    !strncasecmp(t, w, len))
			return true;
	}
	return false;
}

/* Whether every word of query matches in text, both folded. */
static int words_match(const char *query, const char *text)
{
	const char *q = query;
	int words = 0;

	while (*(q += strspn(q, " \t"))) {
		size_t len = strcspn(q, " \t");

		if (!word_matches(q, len, text))
			return 0;
		words++;
		q += len;
	}
	return words > 0;
}

int opds_search_matches(const char *query, const char *text)
{
	char *q = NULL, *t = NULL;
	int yes;

	/* case and marks folded both sides, as people type; the bytes as
	 * they are when there is no memory for it */
	if (fold_name(query, &q) || fold_name(text, &t)) {
		free(q);
		q = NULL;
	}
	yes = q && t ? words_match(q, t) : words_match(query, text);
	free(q);
	free(t);
	return yes;
}

int opds_search_description(struct strbuf *out)
{
	strbuf_addstr(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<OpenSearchDescription"
		" xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">\n"
		"  <ShortName>mediamon</ShortName>\n"
		"  <Description>Search the manga series and volumes"
		"</Description>\n"
		"  <InputEncoding>UTF-8</InputEncoding>\n"
		"  <OutputEncoding>UTF-8</OutputEncoding>\n"
		"  <Url type=\"application/atom+xml;profile=opds-catalog\""
		" template=\"search/{searchTerms}.xml\"/>\n"
		"</OpenSearchDescription>\n");
	return 0;
}
