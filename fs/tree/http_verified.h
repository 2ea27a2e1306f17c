/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HTTP_VERIFIED_H
#define MEDIAMON_HTTP_VERIFIED_H

/*
 * Credentials the HTTP listener verified lately (http_auth.h), kept for
 * HTTP_VERIFIED_S seconds so that an account hashed at a high bcrypt cost
 * pays it once a while, not at each request (a player's covers, a
 * reader's pages). What is kept is a keyed hash (HMAC-SHA-256 under a
 * key drawn at start) of the account's name and password beside the
 * account it verified: never a password. An account of an older reading
 * of the htpasswd file is another account, so a reload forgets them all.
 */

struct http_account;

#define HTTP_VERIFIED_S 120
#define HTTP_VERIFIED_MAX 256	/* credentials kept at once */

/* Whether name and password verified as account a within the last
 * HTTP_VERIFIED_S seconds (1 or 0). */
int http_verified_known(const struct http_account *a, const char *name,
			const char *password);

/* Keep that name and password verified as account a (the oldest kept
 * is forgotten when HTTP_VERIFIED_MAX are). */
void http_verified_add(const struct http_account *a, const char *name,
		       const char *password);

#endif
