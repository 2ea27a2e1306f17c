/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HTTP_AUTH_H
#define MEDIAMON_HTTP_AUTH_H

/*
 * Who may use the HTTP listener (fs/http/http.h): the accounts of an htpasswd
 * file of bcrypt entries, as `htpasswd -B` writes them, each the name of
 * a local user whose rights on the mount its requests get (caller.h),
 * and the addresses that gave wrong passwords too often.
 *
 *	if (http_auth_load(cfg->http_htpasswd))	(at start)
 *		...fail...
 *	wait = http_auth_held(addr);		(each request)
 *	if (wait) ...429, Retry-After: wait...
 *	acct = http_auth_check(name, password, addr, via);
 *	if (!acct) ...401...
 *	caller_begin_user(acct->uid, acct->gid, acct->groups,
 *			  acct->ngroups);
 *
 * Every function may be called from any thread once http_auth_load() has
 * returned; an account returned stays valid until http_auth_free().
 */

#include <stdint.h>
#include <sys/types.h>

/* Wrong passwords an address may give in HTTP_AUTH_WINDOW_S seconds;
 * one more and its requests are refused until the window ends. */
#define HTTP_AUTH_FAILS 5
#define HTTP_AUTH_WINDOW_S 60
/* Groups of an account that are kept (caller.h keeps as many). */
#define HTTP_AUTH_GROUPS 256

struct http_account {
	char *name;
	char *hash;
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[HTTP_AUTH_GROUPS];
	/* uid, gid and groups as read at id_at, the user database (its
	 * files) then as id_seen says; under http_auth.c's lock */
	double id_at;
	uint64_t id_seen;
	int gone;		/* no local user at the last reading */
};

/*
 * Read the accounts of the htpasswd file at path, a secret file (0600,
 * the daemon's user's or root's). A line whose hash is not bcrypt, or
 * whose name is no local user, is left out (logged). Returns 0, or a
 * negative errno value (logged) when the file cannot be read or is open
 * to others. Called again (a reload), the accounts read replace the
 * ones in use for the requests that follow; on error those stay.
 */
int http_auth_load(const char *path);

/* Forget the accounts, those of former loads too (at stop). */
void http_auth_free(void);

/*
 * The seconds who asks, addr, must wait before it is heard again, or 0.
 * addr is an address (text), or "user NAME" for a connection from a
 * socket of this machine: the listener counts each local user apart,
 * whatever its address, so that no user's wrong passwords hold another
 * out. An IPv6 address counts with those of its /64, an address of
 * 127.0.0.0/8 (a local connection whose user was not found) with the
 * others of the loopback.
 */
int http_auth_held(const char *addr);

/*
 * The account name with password, or NULL when there is none or the
 * password is wrong: then one more failure of addr is counted, and the
 * address that passes HTTP_AUTH_FAILS is logged once, followed by via
 * in brackets unless it is NULL (how the request came: "https through
 * proxy ADDRESS").
 */
const struct http_account *http_auth_check(const char *name,
					   const char *password,
					   const char *addr,
					   const char *via);

/*
 * Begin a request of a, an account http_auth_check() or
 * http_auth_named() gave, on this thread as caller_begin_user() does:
 * with its user's id and groups as that user would log in now (read
 * again when the user database's files changed, or HTTP_VERIFIED_S
 * after the last reading, for one kept elsewhere). caller_end() ends
 * it.
 */
void http_auth_begin(const struct http_account *a);

/*
 * The account name, for a caller that proved who it is another way (a
 * Subsonic API key), or NULL when there is none: then one more failure
 * of addr is counted, as http_auth_check() counts it.
 */
const struct http_account *http_auth_named(const char *name,
					   const char *addr,
					   const char *via);

#endif
