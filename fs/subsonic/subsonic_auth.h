/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_AUTH_H
#define MEDIAMON_SUBSONIC_AUTH_H
/*
 * Who asks the Subsonic API (fs/subsonic/subsonic.h): the [http] accounts
 * (fs/tree/http_auth.h), named by the request's parameters in the forms the
 * clients use: u with p (the password, plain or "enc:" and its bytes in
 * hex), or u with t and s, t being the MD5 of the password followed by
 * the salt s (of 6 characters at least: a shorter one is a wrong
 * password, as the API asks). A token can only be checked against the
 * password itself, which htpasswd does not keep: it is read from [http]
 * subsonic_passwords, a file of NAME:PASSWORD lines of its own (0600),
 * so that the accounts that never use a token keep no password in the
 * clear. A password there is checked against the account's htpasswd
 * entry too, so the two files cannot disagree.
 *
 * The OpenSubsonic apiKey (the apiKeyAuthentication extension) names
 * an account alone, with no u: [http] subsonic_api_keys is a file of
 * NAME:KEY lines of its own (0600; a key of at least 16 characters,
 * several per account if need be), a line removed revoking its key. A
 * key with u, p, t or s is SUBSONIC_CONFLICT, one not there
 * SUBSONIC_BAD_KEY (counted as a wrong password), and any key while the
 * file is not set SUBSONIC_NO_MECHANISM.
 *
 * The files are read once at start; their secrets stay in memory until
 * subsonic_auth_free() and are never logged.
 */
struct http_account;
struct strbuf;

/* The Subsonic error codes of authentication (subsonic.h). */
#define SUBSONIC_MISSING 10	/* a required parameter is missing */
#define SUBSONIC_WRONG 40	/* wrong username or password */
#define SUBSONIC_NO_TOKEN 41	/* token authentication not supported */
#define SUBSONIC_NO_MECHANISM 42 /* the mechanism is not supported */
#define SUBSONIC_CONFLICT 43	/* several mechanisms at once */
#define SUBSONIC_BAD_KEY 44	/* an API key that is not there */

/* Read [http] subsonic_passwords at passwords (NULL: no token is
 * taken) and subsonic_api_keys at api_keys (NULL: no API key is) in
 * place of those held, at start and at each reload: 0, or a negative
 * errno value (logged) when one cannot be read or is open to others,
 * those held then staying. Any thread. */
int subsonic_auth_load(const char *passwords, const char *api_keys);

/* Whether API keys are taken (subsonic_api_keys is set). */
int subsonic_auth_api_keys(void);

/* Forget the passwords and keys, their bytes cleared (at stop). */
void subsonic_auth_free(void);

/*
 * The account the parameters u, p, t, s and apiKey (each NULL when
 * absent) name into *out: 0, or the Subsonic error code that refuses
 * them. A wrong password or token is counted against addr as
 * http_auth_check() counts it (via as there).
 */
int subsonic_auth_check(const char *u, const char *p, const char *t,
			const char *s, const char *api_key, const char *addr,
			const char *via, const struct http_account **out);
/* Append the bytes of the hex text hex (either case) to out: 0, or
 * -EINVAL when it is no hex or holds a NUL (the bytes are a C string). */
int subsonic_auth_unhex(const char *hex, struct strbuf *out);
#endif
