/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic API's authentication (subsonic_auth.h): the parameters'
 * forms, the [http] subsonic_passwords file and the token's MD5. The
 * accounts and the count of failures are http_auth.c's; this file
 * answers no request and never logs a password, token or salt.
 */
#include "fs/subsonic_auth.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/config_table.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/http_auth.h"

/* The passwords of subsonic_passwords: "NAME:PASSWORD" lines. */
static struct {
	char **line;
	size_t n;
} kept;

static int keep_line(char *line, const char *path, int at)
{
	char **grown, *copy;

	if (!*line || *line == '#')
		return 0;
	if (!strchr(line, ':') || *line == ':') {
		log_warn("http: %s line %d is not NAME:PASSWORD; left out",
			 path, at);
		return 0;
	}
	copy = strdup(line);
	grown = realloc(kept.line, (kept.n + 1) * sizeof(*grown));
	if (grown)
		kept.line = grown;
	if (!copy || !grown) {
		free(copy);
		return log_error(-ENOMEM, "http: no memory for %s", path);
	}
	kept.line[kept.n++] = copy;
	return 0;
}

/* keep_line() for config_read_secret_lines(). */
static int keep(char *line, int at, void *path)
{
	return keep_line(line, path, at);
}

int subsonic_auth_load(const char *path)
{
	char why[256] = "";
	int rc;

	if (!path)
		return 0;
	rc = config_read_secret_lines(path, keep, (void *)path, why,
				      sizeof(why));
	if (rc)
		subsonic_auth_free();
	if (rc && why[0])
		return log_error(rc, "http: subsonic_passwords: %s", why);
	return rc;
}

void subsonic_auth_free(void)
{
	for (size_t i = 0; i < kept.n; i++) {
		explicit_bzero(kept.line[i], strlen(kept.line[i]));
		free(kept.line[i]);
	}
	free(kept.line);
	kept.line = NULL;
	kept.n = 0;
}

/* The kept password of name, or NULL. */
static const char *kept_password(const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < kept.n; i++)
		if (!strncmp(kept.line[i], name, len) &&
		    kept.line[i][len] == ':')
			return kept.line[i] + len + 1;
	return NULL;
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
	const char *password;

	*out = NULL;
	if (api_key)
		return u || p || t ? SUBSONIC_CONFLICT : SUBSONIC_NO_MECHANISM;
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
	password = kept_password(u);
	if (!password)
		return SUBSONIC_NO_TOKEN;
	if (!token_matches(password, s, t)) {
		http_auth_check(u, NULL, addr, via);
		return SUBSONIC_WRONG;
	}
	*out = http_auth_check(u, password, addr, via);
	return *out ? 0 : SUBSONIC_WRONG;
}
