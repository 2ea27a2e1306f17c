/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PAGE_TOKEN_H
#define MEDIAMON_PAGE_TOKEN_H

/*
 * The token of the page's buttons: a form the page at / posts to
 * /control/NAME carries it, so that the listener tells the page's own
 * POST (same origin, the token of the user it was shown to) from one
 * another site makes a browser send. A token is the keyed hash
 * (HMAC-SHA-256 under a key drawn at start) of the user's uid: one per
 * user, new at each start of the daemon, nothing kept.
 */

#include <sys/types.h>

#define PAGE_TOKEN_LEN 65	/* 64 hex digits and the NUL */

/* uid's token into out: 0, or -1 when no key could be drawn. */
int page_token_of(uid_t uid, char out[PAGE_TOKEN_LEN]);

/* Whether token (NULL: none) is uid's: 1 or 0. */
int page_token_ok(uid_t uid, const char *token);

#endif
