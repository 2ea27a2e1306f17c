/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The JSON sources' shared request, answer loading and cache codec
 * (remote.h). Which answer means what is each client's; nothing here
 * keeps state or reports to health.
 */
#include "indexer/monitor/remote.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/http.h"
#include "common/log.h"
#include "common/redact.h"
#include "common/throttle.h"

/* Whether an answer that is not JSON is a web page (a proxy's, a
 * challenge's, or a url that is not the API's). */
static int is_html(const char *body, size_t len)
{
	while (len && (*body == ' ' || *body == '\n' || *body == '\r' ||
		       *body == '\t')) {
		body++;
		len--;
	}
	return len && *body == '<';
}

int remote_load(const char *service, const char *what, const char *body,
		size_t len, size_t max, json_t **root)
{
	json_error_t jerr;

	*root = NULL;
	if (len > max)
		return log_error(-EFBIG, "%s: %s: answer too large", service,
				 what);
	*root = json_loadb(body, len, 0, &jerr);
	if (!*root && is_html(body, len))
		return log_error(-EBADMSG, "%s: %s: an HTML page, not JSON"
				 " (check the url)", service, what);
	if (!*root)
		return log_error(-EPROTO, "%s: %s: invalid JSON: %s", service,
				 what, jerr.text);
	return 0;
}

/* Write the n bytes of s into out (of size REMOTE_TITLE_MAX) as titles
 * are compared: ASCII letters lower-cased, each run of ASCII spaces and
 * punctuation one space, none at either end, other bytes (UTF-8) kept.
 * Returns the length, or -1 when s is too long. */
static int normalise(const char *s, size_t n, char *out)
{
	size_t len = 0, i;
	int gap = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80 && !isalnum(c)) {
			gap = len > 0;
			continue;
		}
		if (len + 2 >= REMOTE_TITLE_MAX)
			return -1;
		if (gap)
			out[len++] = ' ';
		gap = 0;
		out[len++] = c < 0x80 ? (char)tolower(c) : (char)c;
	}
	out[len] = '\0';
	return (int)len;
}

/* Words that make a trailing aside in parentheses the label of another
 * edition of the same work ("(Webtoon)", "(Official Colored)", "(Book
 * Version)") rather than what tells two works apart. */
static const char *const edition_words[] = {
	"anthology", "color", "colored", "colour", "coloured", "doujinshi",
	"edition", "novel", "oneshot", "pilot", "remake", "version",
	"webtoon",
};

/* Whether the n bytes of s hold one of edition_words, ASCII case
 * aside. */
static int edition_label(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t len = 0;

		while (i < n && !isalnum((unsigned char)s[i]))
			i++;
		while (i + len < n && isalnum((unsigned char)s[i + len]))
			len++;
		for (size_t w = 0; len && w < ARRAY_SIZE(edition_words); w++)
			if (strlen(edition_words[w]) == len &&
			    !strncasecmp(s + i, edition_words[w], len))
				return 1;
		i += len;
	}
	return 0;
}

/* The start of a subtitle between wave dashes that ends s (its n bytes):
 * "Title ~Subtitle~", its "~" ASCII, fullwidth or the wave dash; NULL
 * when s has none. */
static const char *subtitle(const char *s, size_t n)
{
	static const char *const waves[] = { "~", "\xef\xbd\x9e",
					     "\xe3\x80\x9c" };

	for (size_t w = 0; w < ARRAY_SIZE(waves); w++) {
		size_t len = strlen(waves[w]);
		const char *open;

		if (n < 2 * len + 2 || memcmp(s + n - len, waves[w], len))
			continue;
		open = memmem(s, n - len, waves[w], len);
		if (open && open > s && open[-1] == ' ' &&
		    !memmem(open + len, (size_t)(s + n - len - open - len),
			    waves[w], len))
			return open;
	}
	return NULL;
}

/* The length of s without a trailing aside: a disambiguation in
 * parentheses, "Look Back (FUJIMOTO Tatsuki)" or "Monster (2004)", or a
 * subtitle between wave dashes (*label 0), or an edition's label in
 * parentheses, "(Webtoon)" (*label 1); strlen(s) when it has none. */
static size_t undisambiguated(const char *s, int *label)
{
	size_t n = strlen(s);
	const char *open;

	while (n && s[n - 1] == ' ')
		n--;
	open = subtitle(s, n);
	if (open)
		return (size_t)(open - s);
	if (!n || s[n - 1] != ')')
		return n;
	open = memrchr(s, '(', n);
	if (!open || open == s || open[-1] != ' ')
		return n;
	*label |= edition_label(open, (size_t)(s + n - open));
	return (size_t)(open - s);
}

/* Whether the first n bytes of a and the first m of b are the same
 * title once normalised. */
static int same_normalised(const char *a, size_t n, const char *b, size_t m)
{
	char x[REMOTE_TITLE_MAX], y[REMOTE_TITLE_MAX];
	int lx = normalise(a, n, x), ly = normalise(b, m, y);

	return lx > 0 && lx == ly && !memcmp(x, y, (size_t)lx);
}

/* Whether title is s told apart by its author the way a person writes
 * it: "Look Back by Fujimoto Tatsuki" for "Look Back (FUJIMOTO
 * Tatsuki)", s being head bytes before its "(AUTHOR)". */
static int by_author(const char *s, size_t head, const char *title)
{
	char joined[REMOTE_TITLE_MAX];
	size_t n = strlen(s);
	int len;

	while (n && s[n - 1] == ' ')
		n--;
	if (n < head + 2 || s[head] != '(' || s[n - 1] != ')')
		return 0;
	len = snprintf(joined, sizeof(joined), "%.*s by %.*s", (int)head, s,
		       (int)(n - head - 2), s + head + 1);
	return len > 0 && (size_t)len < sizeof(joined) &&
	       same_normalised(joined, (size_t)len, title, strlen(title));
}

int remote_title_rank(const char *s, const char *title)
{
	int label = 0;
	size_t n, m;

	if (!s || !title)
		return 0;
	if (same_normalised(s, strlen(s), title, strlen(title)))
		return 3;
	n = undisambiguated(s, &label);
	if (!label && by_author(s, n, title))
		return 2;
	m = undisambiguated(title, &label);
	if (!same_normalised(s, n, title, m))
		return 0;
	return label ? 1 : 2;
}

int remote_same_title(const char *s, const char *title)
{
	return remote_title_rank(s, title) > 0;
}

/* How long a 429 or a 403 asks to wait: its Retry-After, or the Unix
 * time of the header read (MangaDex's X-RateLimit-Retry-After); 0 when
 * neither says, or says something else. */
static double retry_after(const struct http_response *resp)
{
	const char *at = resp->header_value;
	char *end;
	double when;

	if (resp->retry_after_s > 0 || !at)
		return resp->retry_after_s;
	when = strtod(at, &end);
	if (end == at || *end || when <= clock_wall())
		return 0;
	return when - clock_wall();
}

int remote_send(struct throttle *t, const struct http_request *req,
		struct http_response *resp)
{
	int err = throttle_acquire(t, req->cancel);
	long status;

	memset(resp, 0, sizeof(*resp));
	if (err)
		return err;
	err = http_perform(req, resp);
	if (err) {
		if (err != -ECANCELED)
			throttle_failed(t);
		return err;
	}
	status = resp->status;
	/* a challenge is a refusal whatever its status: waiting would not
	 * solve it, as it would end a rate limit */
	if (resp->challenged || status == 401 || status == 403) {
		throttle_refused(t, status, retry_after(resp));
		return -EACCES;
	}
	if (status == 429) {
		throttle_rate_limited(t, retry_after(resp));
		return -EAGAIN;
	}
	if (status >= 500) {
		throttle_failed(t);
		return -EIO;
	}
	throttle_ok(t);
	if (status == 200)
		return 0;
	return status == 404 || status == 410 ? -ENOENT : -EIO;
}

int remote_route_missing(const char *service, const char *url, int rc)
{
	struct strbuf shown = STRBUF_INIT;

	if (rc != -ENOENT)
		return rc;
	redact(url, REDACT_MASK, &shown);
	rc = log_error(-ENXIO, "%s: %s answered 404: no such route there"
		       " (check [%s] url)", service, shown.len ? shown.buf :
		       "the url", service);
	strbuf_release(&shown);
	return rc;
}

char *remote_info_dump(const struct remote_form *form, const void *info)
{
	const struct remote_field *fields = form->fields;
	size_t nr = form->nr;
	json_t *o = json_object();
	char *s = NULL;
	size_t i;

	for (i = 0; o && i < nr; i++) {
		const char *p = (const char *)info + fields[i].offset;
		json_t *v;

		if (fields[i].type == REMOTE_IS_INT)
			v = json_integer(*(const int *)(const void *)p);
		else if (fields[i].type != REMOTE_IS_TEXT)
			v = json_integer(*(const long long *)(const void *)p);
		else
			v = json_string(p);
		if (json_object_set_new(o, fields[i].name, v))
			break;
	}
	if (o && i == nr)
		s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* Whether the value v fits the field f. */
static int fits(const struct remote_field *f, json_t *v)
{
	json_int_t n = json_integer_value(v);

	if (f->type == REMOTE_IS_ID)
		return json_is_integer(v) && n > 0;
	if (f->type != REMOTE_IS_TEXT)
		return json_is_integer(v) && (f->type == REMOTE_IS_LONG ||
		       (n >= INT_MIN && n <= INT_MAX));
	return json_is_string(v) && json_string_length(v) < f->size &&
	       !memchr(json_string_value(v), '\0', json_string_length(v));
}

/* The fields of form from the JSON object o into info, which they fit. */
static void load_fields(const struct remote_form *form, json_t *o,
			void *info)
{
	const struct remote_field *fields = form->fields;

	memset(info, 0, form->size);
	for (size_t i = 0; i < form->nr; i++) {
		char *p = (char *)info + fields[i].offset;
		json_t *v = json_object_get(o, fields[i].name);

		if (fields[i].type == REMOTE_IS_INT)
			*(int *)(void *)p = (int)json_integer_value(v);
		else if (fields[i].type != REMOTE_IS_TEXT)
			*(long long *)(void *)p = json_integer_value(v);
		else
			memcpy(p, json_string_value(v),
			       json_string_length(v) + 1);
	}
}

int remote_info_load(const struct remote_form *form, const char *text,
		     size_t len, void *info)
{
	json_t *o = json_loadb(text, len, 0, NULL);
	void *in = NULL;
	int rc = -EPROTO;
	size_t i;

	for (i = 0; o && i < form->nr; i++)
		if (!fits(&form->fields[i],
			  json_object_get(o, form->fields[i].name)))
			break;
	if (o && i == form->nr) {
		in = malloc(form->size);
		rc = in ? 0 : -ENOMEM;
	}
	if (!rc) {
		load_fields(form, o, in);
		if (form->valid && !form->valid(in))
			rc = -EPROTO;
		else
			memcpy(info, in, form->size);
	}
	free(in);
	json_decref(o);
	return rc;
}

int remote_best_offer(struct remote_best *b, int rank)
{
	if (rank <= 0 || rank < b->rank)
		return 0;
	if (rank == b->rank)
		return b->ties++ ? 0 : 2;
	b->rank = rank;
	b->ties = 0;
	return 1;
}

int remote_best_end(const struct remote_best *b, const char *source,
		    const char *title, const char *what)
{
	if (!b->rank && b->odd)
		return log_error(-EPROTO, "%s: %s: %s not of the documented"
				 " shape", source, title, what);
	if (!b->rank)
		return -ENOENT;
	return b->ties ? -EEXIST : 0;
}
