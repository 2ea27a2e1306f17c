/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Redaction: the secrets learned from the configuration and the shape of
 * credentials in URLs, masked in any text about to be shown. It only
 * rewrites copies; it never changes what is stored or sent.
 */
#include "common/redact.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/strbuf.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char **secrets;
static size_t nr_secrets, alloc_secrets;

int redact_learn(const char *value)
{
	char **grown, *copy;
	int ret = 0;

	if (!value || strlen(value) < REDACT_MIN_SECRET)
		return 0;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nr_secrets; i++)
		if (!strcmp(secrets[i], value))
			goto out;
	grown = array_grow(secrets, nr_secrets, &alloc_secrets,
			   sizeof(*secrets), 1);
	copy = grown ? strdup(value) : NULL;
	if (grown)
		secrets = grown;
	if (!copy) {
		ret = -ENOMEM;
		goto out;
	}
	secrets[nr_secrets++] = copy;
out:
	pthread_mutex_unlock(&lock);
	return ret;
}

/* Learn len bytes at s as a secret. */
static int learn_part(const char *s, size_t len)
{
	char *part = strndup(s, len);
	int ret;

	if (!part)
		return -ENOMEM;
	ret = redact_learn(part);
	free(part);
	return ret;
}

int redact_learn_url(const char *url)
{
	const char *auth, *end, *at, *colon, *q;
	int ret = 0;

	if (!url)
		return 0;
	auth = strstr(url, "://");
	auth = auth ? auth + 3 : url;
	end = auth + strcspn(auth, "/?#");
	at = memrchr(auth, '@', end - auth);
	colon = at ? memchr(auth, ':', at - auth) : NULL;
	if (colon)
		ret = learn_part(colon + 1, at - colon - 1);
	q = strchr(end, '?');
	while (!ret && q && *q && *q != '#') {
		size_t len;
		const char *eq;

		q++;
		len = strcspn(q, "&#");
		eq = memchr(q, '=', len);
		if (eq && redact_secret_param(q, eq - q))
			ret = learn_part(eq + 1, q + len - eq - 1);
		q += len;
	}
	return ret;
}

/* Query parameters whose values are secrets, compared without case. */
static const char *const secret_params[] = {
	"apikey", "api_key", "passkey", "token", "access_token", "password",
	"secret",
};

int redact_secret_param(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(secret_params); i++)
		if (strlen(secret_params[i]) == len &&
		    !strncasecmp(name, secret_params[i], len))
			return 1;
	return 0;
}

/* The query's parameters one by one, so that no other byte moves. */
static int redact_query(const char *q, const char *mask, struct strbuf *out)
{
	int masked = 0;

	while (*q && *q != '#') {
		size_t len = strcspn(q, "&#");
		const char *eq = memchr(q, '=', len);

		if (eq && redact_secret_param(q, eq - q)) {
			strbuf_add(out, q, eq + 1 - q);
			strbuf_addstr(out, mask);
			masked = 1;
		} else {
			strbuf_add(out, q, len);
		}
		q += len;
		if (*q == '&')
			strbuf_addch(out, *q++);
	}
	strbuf_addstr(out, q);
	return masked;
}

int redact_url(const char *url, const char *mask, struct strbuf *out)
{
	const char *auth = strstr(url, "://");
	const char *end, *at, *q;
	int masked = 0;

	/* a "://" in the query (a magnet's sources) starts no authority */
	auth = auth && auth < url + strcspn(url, "?#") ? auth + 3 : url;
	end = auth + strcspn(auth, "/?#");
	at = memrchr(auth, '@', end - auth);
	strbuf_add(out, url, auth - url);
	if (at) {
		strbuf_addstr(out, mask);
		auth = at;
		masked = 1;
	}
	q = strchr(auth, '?');
	if (q && (!strchr(auth, '#') || q < strchr(auth, '#'))) {
		strbuf_add(out, auth, q + 1 - auth);
		masked |= redact_query(q + 1, mask, out);
	} else {
		strbuf_addstr(out, auth);
	}
	return masked;
}

/* The first learned secret in s, its length in *len; NULL if none. */
static const char *first_secret(const char *s, size_t *len)
{
	const char *first = NULL;

	for (size_t i = 0; i < nr_secrets; i++) {
		const char *hit = strstr(s, secrets[i]);

		if (hit && (!first || hit < first ||
			    (hit == first && strlen(secrets[i]) > *len))) {
			first = hit;
			*len = strlen(secrets[i]);
		}
	}
	return first;
}

/* s with every learned secret replaced by mask. */
static int mask_secrets(const char *s, const char *mask, struct strbuf *out)
{
	const char *hit;
	size_t len = 0;
	int masked = 0;

	pthread_mutex_lock(&lock);
	while ((hit = first_secret(s, &len))) {
		strbuf_add(out, s, hit - s);
		strbuf_addstr(out, mask);
		s = hit + len;
		masked = 1;
	}
	pthread_mutex_unlock(&lock);
	strbuf_addstr(out, s);
	return masked;
}

/* What ends a word that may be a URL: blanks, quotes, angle brackets. */
#define WORD_END " \t\r\n\"'<>"

int redact(const char *s, const char *mask, struct strbuf *out)
{
	struct strbuf plain = STRBUF_INIT, word = STRBUF_INIT;
	const char *p;
	int masked = mask_secrets(s, mask, &plain);

	for (p = plain.buf; *p;) {
		size_t gap = strspn(p, WORD_END), len;

		strbuf_add(out, p, gap);
		p += gap;
		len = strcspn(p, WORD_END);
		strbuf_reset(&word);
		strbuf_add(&word, p, len);
		if (strstr(word.buf, "://") || strchr(word.buf, '?'))
			masked |= redact_url(word.buf, mask, out);
		else
			strbuf_add(out, p, len);
		p += len;
	}
	strbuf_release(&word);
	strbuf_release(&plain);
	return masked;
}
