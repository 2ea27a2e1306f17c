/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_REDACT_H
#define MEDIAMON_REDACT_H

/*
 * The one way a string that may hold a secret is shown: every string
 * from a remote answer (a release's guid, links, magnets, an error text
 * that echoes the request) or from a configured URL passes redact()
 * before it reaches the mount, the log or a notification.
 *
 *	redact_learn(cfg->prowlarr_api_key);	at each configuration read
 *	redact(answer_text, REDACT_MASK, &out);	where it is shown
 *
 * The stored copies stay whole: the download client needs the link.
 */

#include <stddef.h>

struct strbuf;

/* What the mount and notifications show in place of a secret. */
#define REDACT_MASK "REDACTED"

/* Secrets shorter than this are masked in URLs only: a password of two
 * letters would mask every such pair of letters in the log. */
#define REDACT_MIN_SECRET 4

/*
 * Remember value (a configured API key, token or password) as a secret
 * to mask wherever it appears, for the rest of the process: a reload
 * adds to the secrets, never forgets one. NULL, "" and values shorter
 * than REDACT_MIN_SECRET are ignored. Returns 0 or -ENOMEM.
 */
int redact_learn(const char *value);

/*
 * Learn, as redact_learn() does, the secrets a configured URL carries:
 * the password of its "user:password@" and the value of each query
 * parameter redact_secret_param() names, so that an answer that echoes
 * one alone is masked too. NULL is ignored. Returns 0 or -ENOMEM.
 */
int redact_learn_url(const char *url);

/*
 * Whether a query parameter named name (len bytes, any case) carries a
 * secret: apikey, api_key, passkey, token, access_token, password,
 * secret. Returns 1 or 0.
 */
int redact_secret_param(const char *name, size_t len);

/*
 * Append url to out with its credentials replaced by mask: the user and
 * password before an "@" of the authority ("http://user:pw@host/"), and
 * the value of every query parameter redact_secret_param() names.
 * Returns 1 when something was masked, else 0 (out then holds url as it
 * is). Only the URL's shape is looked at: redact() is what shows text.
 */
int redact_url(const char *url, const char *mask, struct strbuf *out);

/*
 * Append s to out with every secret replaced by mask: each learned
 * secret wherever it appears, and in each word that is a URL or a
 * request (holds "://" or "?") its credentials, as redact_url() masks
 * them. Returns 1 when something was masked, else 0.
 */
int redact(const char *s, const char *mask, struct strbuf *out);

#endif
