/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic API's authentication (subsonic_auth.h): the parameters'
 * forms, the [http] subsonic_passwords and subsonic_api_keys files and
 * the token's MD5. The accounts and the count of failures are
 * http_auth.c's; this file answers no request and never logs a
 * password, token, salt or key.
 */
#include "fs/subsonic/subsonic_auth.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/config_table.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/http_auth.h"

/* The lines of a file of secrets: "NAME:SECRET". */
struct lines {
	char **line;
	size_t n;
	const char *path;
	const char *what;	/* what SECRET is, for the log */
	size_t min;		/* the shortest SECRET taken */
};

/* The shortest API key taken: a shorter one could be guessed. */
#define KEY_MIN 16
/* The shortest salt of a token taken, as the Subsonic API asks: with
 * none, t is the password's bare MD5, which any log of a player's or a
 * proxy's URLs would keep for reuse. */
#define SALT_MIN 6

/* The passwords of subsonic_passwords, the keys of subsonic_api_keys,
 * read by the requests, replaced whole by a reload. */
static pthread_rwlock_t held = PTHREAD_RWLOCK_INITIALIZER;
static struct lines kept = { .what = "PASSWORD" };
static struct lines keys = { .what = "KEY", .min = KEY_MIN };

/* Keep the line of a file of secrets for config_read_secret_lines(). */
static int keep(char *line, int at, void *arg)
{
	struct lines *l = arg;
	char **grown, *copy, *colon = strchr(line, ':');

	if (!*line || *line == '#')
		return 0;
	if (!colon || colon == line) {
		log_warn("http: %s line %d is not NAME:%s; left out",
			 l->path, at, l->what);
		return 0;
	}
	if (strlen(colon + 1) < l->min) {
		log_warn("http: %s line %d: a key of fewer than %zu characters"
			 " could be guessed; left out", l->path, at, l->min);
		return 0;
	}
	copy = strdup(line);
	grown = realloc(l->line, (l->n + 1) * sizeof(*grown));
	if (grown)
		l->line = grown;
	if (!copy || !grown) {
		free(copy);
		return log_error(-ENOMEM, "http: no memory for %s", l->path);
	}
	l->line[l->n++] = copy;
	return 0;
}

static void forget(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++) {
		explicit_bzero(l->line[i], strlen(l->line[i]));
		free(l->line[i]);
	}
	free(l->line);
	l->line = NULL;
	l->n = 0;
}

/* Read the lines of the file of secrets path, the value of the key
 * name, into l: 0 or a negative errno value (logged). */
static int load(struct lines *l, const char *path, const char *name)
{
	char why[CONFIG_WHY_MAX] = "";
	int rc;

	if (!path)
		return 0;
	l->path = path;
	rc = config_read_secret_lines(path, keep, l, why, sizeof(why));
	if (rc)
		forget(l);
	if (rc && why[0])
		return log_error(rc, "http: %s: %s", name, why);
	return rc;
}

int subsonic_auth_load(const char *passwords, const char *api_keys)
{
	struct lines p = { .what = kept.what }, k = { .what = keys.what,
						      .min = keys.min };
	int rc = load(&p, passwords, "subsonic_passwords");

	if (!rc)
		rc = load(&k, api_keys, "subsonic_api_keys");
	if (!rc) {
		struct lines old_p = kept, old_k = keys;

		pthread_rwlock_wrlock(&held);
		kept = p;
		keys = k;
		pthread_rwlock_unlock(&held);
		p = old_p;
		k = old_k;
	}
	forget(&p);
	forget(&k);
	return rc;
}

void subsonic_auth_free(void)
{
	pthread_rwlock_wrlock(&held);
	forget(&kept);
	forget(&keys);
	keys.path = kept.path = NULL;
	pthread_rwlock_unlock(&held);
}

int subsonic_auth_api_keys(void)
{
	int taken;

	pthread_rwlock_rdlock(&held);
	taken = keys.path != NULL;
	pthread_rwlock_unlock(&held);
	return taken;
}

/* The kept password of name into out: 0, or -ENOENT. */
static int kept_password(const char *name, struct strbuf *out)
{
	size_t len = strlen(name);
	int rc = -ENOENT;

	pthread_rwlock_rdlock(&held);
	for (size_t i = 0; rc && i < kept.n; i++)
		if (!strncmp(kept.line[i], name, len) &&
		    kept.line[i][len] == ':') {
			strbuf_addstr(out, kept.line[i] + len + 1);
			rc = 0;
		}
	pthread_rwlock_unlock(&held);
	return rc;
}

int subsonic_auth_unhex(const char *hex, struct strbuf *out)
{
	size_t len = strlen(hex);

	if (len % 2)
		return -EINVAL;
	for (size_t i = 0; i < len; i += 2) {
		int b = hex_byte(hex + i);

		if (b <= 0)
			return -EINVAL;
		strbuf_addch(out, b);
	}
	return 0;
}

/* The account name of the API key key, into name: 0, or -ENOENT. Each
 * key is compared in a time that tells its length alone. */
static int key_account(const char *key, struct strbuf *name)
{
	size_t len = strlen(key);
	int found = 0;

	pthread_rwlock_rdlock(&held);
	for (size_t i = 0; i < keys.n; i++) {
		const char *colon = strchr(keys.line[i], ':');

		if (!found && strlen(colon + 1) == len &&
		    !CRYPTO_memcmp(colon + 1, key, len)) {
			strbuf_add(name, keys.line[i], colon - keys.line[i]);
			found = 1;
		}
	}
	pthread_rwlock_unlock(&held);
	return found ? 0 : -ENOENT;
}

/* The account of the API key key into *out: 0, or the error. */
static int key_check(const char *key, const char *addr, const char *via,
		     const struct http_account **out)
{
	struct strbuf name = STRBUF_INIT;

	if (!subsonic_auth_api_keys())
		return SUBSONIC_NO_MECHANISM;
	if (key_account(key, &name)) {
		http_auth_check(NULL, NULL, addr, via);
		return SUBSONIC_BAD_KEY;
	}
	*out = http_auth_named(name.buf, addr, via);
	strbuf_release(&name);
	return *out ? 0 : SUBSONIC_BAD_KEY;
}

/* Whether t is the MD5 of password followed by salt, in lower- or
 * upper-case hex, in a time that does not tell how much matched. */
static int token_matches(const char *password, const char *salt,
			 const char *t)
{
	unsigned char md[EVP_MAX_MD_SIZE], diff = 0;
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
	     EVP_DigestUpdate(ctx, password, strlen(password)) &&
	     EVP_DigestUpdate(ctx, salt, strlen(salt)) &&
	     EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	if (!ok || strlen(t) != 2 * (size_t)n)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		int b = hex_byte(t + 2 * i);

		if (b < 0)
			return 0;
		diff |= (unsigned char)(b ^ md[i]);
	}
	return !diff;
}

int subsonic_auth_check(const char *u, const char *p, const char *t,
			const char *s, const char *api_key, const char *addr,
			const char *via, const struct http_account **out)
{
	struct strbuf plain = STRBUF_INIT;

	*out = NULL;
	if (api_key)
		return u || p || t || s ? SUBSONIC_CONFLICT :
			key_check(api_key, addr, via, out);
	if (p && (t || s))
		return SUBSONIC_CONFLICT;
	if (!u || (!p && (!t || !s)))
		return SUBSONIC_MISSING;
	if (p && !strncmp(p, "enc:", 4)) {
		if (subsonic_auth_unhex(p + 4, &plain)) {
			strbuf_release(&plain);
			http_auth_check(u, NULL, addr, via);
			return SUBSONIC_WRONG;
		}
		p = plain.buf;
	}
	if (p) {
		*out = http_auth_check(u, p, addr, via);
		explicit_bzero(plain.buf, plain.len);
		strbuf_release(&plain);
		return *out ? 0 : SUBSONIC_WRONG;
	}
	/* a failure as any other, or 41 would tell without end which
	 * accounts keep a password */
	if (strlen(s) < SALT_MIN) {
		http_auth_check(u, NULL, addr, via);
		return SUBSONIC_WRONG;
	}
	if (kept_password(u, &plain)) {
		strbuf_release(&plain);
		http_auth_check(u, NULL, addr, via);
		return SUBSONIC_NO_TOKEN;
	}
	if (token_matches(plain.buf, s, t))
		*out = http_auth_check(u, plain.buf, addr, via);
	else
		http_auth_check(u, NULL, addr, via);
	explicit_bzero(plain.buf, plain.len);
	strbuf_release(&plain);
	return *out ? 0 : SUBSONIC_WRONG;
}
