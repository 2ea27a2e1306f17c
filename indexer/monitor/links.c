/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Where a release's link leads (links.h): a magnet, or the torrent or NZB
 * a web link gives, fetched and told apart before a client gets it; and
 * what an ed2k file link says. It hands nothing to a client itself.
 */
#include "indexer/monitor/links.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/hex.h"
#include "common/http.h"
#include "common/log.h"

int links_is_magnet(const char *s)
{
	return s && !strncasecmp(s, "magnet:", 7);
}

int links_is_web(const char *s)
{
	return s && (!strncasecmp(s, "http://", 7) ||
		     !strncasecmp(s, "https://", 8));
}

int links_is_ed2k(const char *s)
{
	return s && !strncasecmp(s, "ed2k://", 7);
}

/* The len bytes at s with their %XX escapes undone, or NULL (errno set:
 * EINVAL for a bad escape or a NUL, ENOMEM). */
static char *unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		int b = (unsigned char)s[i];

		if (s[i] == '%') {
			b = i + 2 < len ? hex_byte(s + i + 1) : -1;
			i += 2;
		}
		if (b <= 0) {
			free(out);
			errno = EINVAL;
			return NULL;
		}
		*o++ = (char)b;
	}
	*o = '\0';
	return out;
}

int links_ed2k_parse(const char *link, struct links_ed2k *out)
{
	static const char head[] = "ed2k://|file|";
	const char *name, *size, *hash;
	char *end;

	memset(out, 0, sizeof(*out));
	if (!link || strncasecmp(link, head, strlen(head)))
		return -EINVAL;
	name = link + strlen(head);
	size = strchr(name, '|');
	hash = size ? strchr(size + 1, '|') : NULL;
	if (!hash || size == name || hash == size + 1 ||
	    strspn(size + 1, "0123456789") != (size_t)(hash - size - 1) ||
	    strspn(hash + 1, "0123456789abcdefABCDEF") != 32 ||
	    hash[33] != '|')
		return -EINVAL;
	errno = 0;
	out->size = strtoll(size + 1, &end, 10);
	if (errno || end != hash)
		return -EINVAL;
	for (int i = 0; i < 32; i++)
		out->hash[i] = (char)tolower((unsigned char)hash[1 + i]);
	out->name = unescape(name, size - name);
	return out->name ? 0 : -errno;
}

/*
 * Set err to why the link failed. The caller decides what that means
 * (another link may work) and logs it; here only the debug log hears.
 */
static int fail(struct strbuf *err, int ret, const char *fmt, ...)
{
	va_list ap;

	strbuf_reset(err);
	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	log_debug("links: %s", err->buf);
	return ret;
}

/* A torrent is a bencoded dictionary: "d", then a key's length. */
static int is_torrent(const struct strbuf *b)
{
	return b->len > 2 && b->buf[0] == 'd' && b->buf[1] >= '1' &&
	       b->buf[1] <= '9';
}

/* An NZB is XML whose root is <nzb>, after a declaration and a DOCTYPE. */
static int is_nzb(const struct strbuf *b)
{
	size_t n = b->len < 1024 ? b->len : 1024;

	for (size_t i = 0; i + 4 <= n; i++)
		if (!strncmp(b->buf + i, "<nzb", 4))
			return 1;
	return 0;
}

/* What an answer that is not a file is, for err. */
static const char *what_it_is(const struct strbuf *b)
{
	size_t i = 0;

	while (i < b->len && strchr(" \t\r\n", b->buf[i]))
		i++;
	if (i == b->len)
		return "an empty answer";
	if (b->buf[i] == '<')
		return is_nzb(b) ? "an NZB" : "an HTML or XML page";
	return is_torrent(b) ? "a torrent" : "an unknown file";
}

/* Read a redirect the fetch did not follow: a magnet, or a bad one. */
static int redirected(const struct http_response *resp, int wanted,
		      struct links_target *out, struct strbuf *err)
{
	const char *to = resp->location;
	size_t n = strcspn(to, ":/?#");
	int named = to[n] == ':' && n > 0 && n < 20;

	/* Only the scheme is told: the rest may hold a pass key. */
	if (!links_is_magnet(to))
		return fail(err, -EPROTO, "the link redirects to a %.*s: link,"
			    " neither a magnet nor a web link",
			    named ? (int)n : 7, named ? to : "unknown");
	if (!(wanted & LINKS_MAGNET))
		return fail(err, -EPROTO, "the link leads to a magnet link,"
			    " which this client cannot take");
	out->kind = LINKS_MAGNET;
	strbuf_addstr(&out->data, to);
	return 0;
}

/* Turn an answer with an error status into its errno and words. */
static int status_error(const struct http_response *resp,
			struct strbuf *err)
{
	long s = resp->status;

	if (s == 429)
		return fail(err, -EAGAIN, "the indexer's grab limit is reached"
			    " (HTTP 429, retry after %.0f s)",
			    resp->retry_after_s);
	if (s == 401 || s == 403)
		return fail(err, -EACCES, "the link was refused (HTTP %ld):"
			    " check Prowlarr's API key", s);
	if (s == 404 || s == 410)
		return fail(err, -EIDRM, "the release is no longer there"
			    " (HTTP %ld)", s);
	if (s == 400)
		return fail(err, -ENOLINK, "the link was refused (HTTP %ld)",
			    s);
	if (s >= 500)
		return fail(err, -EIO, "the indexer failed (HTTP %ld)", s);
	if (s >= 300 && s < 400)
		return fail(err, -EPROTO, "a redirect without a place to go"
			    " (HTTP %ld)", s);
	return fail(err, -EPROTO, "unexpected answer (HTTP %ld)", s);
}

/* Keep the file the answer holds: it is handed on, never copied. */
static void take_file(struct links_target *out, enum links_kind kind,
		      struct http_response *resp)
{
	out->kind = kind;
	out->data = resp->body;
	strbuf_init(&resp->body, 0);
}

int links_fetch(const char *url, int wanted, long timeout_ms,
		const int *cancel, struct links_target *out,
		struct strbuf *err)
{
	struct http_request req = {
		.url = url,
		.timeout_ms = timeout_ms,
		.max_body = LINKS_MAX_FILE,
		.follow_redirects = 1,
		.cancel = cancel,
	};
	struct http_response resp;
	int ret;

	links_target_release(out);
	strbuf_reset(err);
	if (!links_is_web(url))
		return fail(err, -EINVAL, "not a web link");
	ret = http_perform(&req, &resp);
	if (ret == -ELOOP) {
		strbuf_addstr(err, "a redirect loop");
	} else if (ret < 0) {
		strbuf_addstr(err, resp.error);
	} else if (resp.location) {
		ret = redirected(&resp, wanted, out, err);
	} else if (resp.status != 200) {
		ret = status_error(&resp, err);
	} else if ((wanted & LINKS_TORRENT) && is_torrent(&resp.body)) {
		take_file(out, LINKS_TORRENT, &resp);
	} else if ((wanted & LINKS_NZB) && is_nzb(&resp.body)) {
		take_file(out, LINKS_NZB, &resp);
	} else {
		ret = fail(err, -EPROTO, "the link gave %s, not %s",
			   what_it_is(&resp.body),
			   wanted & LINKS_TORRENT ? "a torrent" : "an NZB");
	}
	http_response_release(&resp);
	return ret;
}

void links_target_release(struct links_target *t)
{
	strbuf_release(&t->data);
	t->kind = 0;
}
