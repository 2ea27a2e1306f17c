/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The page's own POSTs told from other sites' (page_post.h): the origin
 * against the Host, the form's token and value. It writes no control
 * file itself (fs/http/http.c does, as for any POST).
 */
#include "fs/http/page_post.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "fs/http/page_token.h"
#include "fs/tree/http_form.h"

/* Whether the URL's (or an origin's) authority, after its "scheme://"
 * and up to its path, is host. */
static int same_host(const char *url, const char *host)
{
	const char *at = strstr(url, "://");
	size_t len;

	if (!at || !host)
		return 0;
	at += 3;
	len = strcspn(at, "/?#");
	return len == strlen(host) && !strncasecmp(at, host, len);
}

int page_post_from(struct MHD_Connection *c)
{
	const char *from = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       "Origin");

	if (!from)
		from = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						   "Referer");
	if (!from)
		return 0;
	return same_host(from, MHD_lookup_connection_value(c,
			 MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)) ? 1 : -1;
}

int page_post_value(struct MHD_Connection *c, uid_t uid,
		    struct strbuf *body)
{
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		MHD_HTTP_HEADER_CONTENT_TYPE);
	struct http_form form;
	const char *value;
	int rc;

	if (!http_form_type(type))
		return -EACCES;
	rc = http_form_parse(&form, body->buf ? body->buf : "", body->len);
	if (rc)
		return rc == -ENOMEM ? rc : -EACCES;
	value = http_form_get(&form, "value");
	rc = value && page_token_ok(uid, http_form_get(&form, "token")) ?
	     0 : -EACCES;
	if (!rc) {
		strbuf_reset(body);
		strbuf_addstr(body, value);
		strbuf_addch(body, '\n');
	}
	http_form_free(&form);
	return rc;
}
