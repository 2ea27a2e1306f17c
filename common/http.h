/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HTTP_H
#define MEDIAMON_HTTP_H

/*
 * HTTP requests to remote services, the one way the daemon talks to them
 * (over libcurl).
 *
 *	struct http_request req = {
 *		.method = "GET",
 *		.url = "http://prowlarr:9696/api/v1/search?query=one+piece",
 *		.headers = (const char *const[]){ key_header, NULL },
 *	};
 *	struct http_response resp;
 *	int ret = http_perform(&req, &resp);
 *
 *	if (ret < 0)
 *		health_error("prowlarr: %s", resp.error);
 *	else if (resp.status == 429)
 *		throttle_pause(t, resp.retry_after_s);
 *	else if (resp.status == 200)
 *		parse(resp.body.buf, resp.body.len);
 *	http_response_release(&resp);
 *
 * Every request has a connect and a total timeout and a cap on the size
 * of the answer, so a slow or hostile service costs a bounded time and
 * memory. Only http and https are spoken. Throttling is the caller's: the
 * response gives back what Retry-After asked for.
 *
 * Secrets never reach a log line or the error text: header values are
 * never shown, and a URL is shown as its scheme, host, port and path only,
 * without user name, password, query string or fragment. When a redirect
 * leaves the origin (scheme, host and port), the caller's headers, which
 * may hold an API key, are not sent to the new one.
 *
 * A transport failure is logged here, at error level, with the same text
 * as `error`; callers show that text (e.g. in /status/health) but do not
 * log it again. An HTTP answer of any status is not a failure here: the
 * caller decides what a 404 or a 503 means.
 */

#include <stddef.h>

#include "common/strbuf.h"

#define HTTP_CONNECT_TIMEOUT_MS 5000
#define HTTP_TIMEOUT_MS 30000
#define HTTP_MAX_BODY (8u << 20)
#define HTTP_MAX_REDIRECTS 5

/* One field of a multipart/form-data body (RFC 7578), which libcurl
 * writes, boundary included: a file when it has a filename. */
struct http_part {
	const char *name;		/* the field's name */
	const char *data;		/* its value or the file's bytes */
	size_t data_len;
	const char *filename;		/* NULL: a plain field */
	const char *type;		/* the file's type; NULL: none */
};

struct http_request {
	const char *method;		/* "GET" (or NULL), "POST", "DELETE" */
	const char *url;		/* http:// or https:// */
	const char *const *headers;	/* "Name: value", NULL-terminated */
	const char *body;		/* sent when not NULL */
	size_t body_len;
	const char *content_type;	/* of body; NULL: none given */
	const struct http_part *parts;	/* a multipart form, sent instead
					 * of body with its own type */
	size_t nr_parts;
	long connect_timeout_ms;	/* 0: HTTP_CONNECT_TIMEOUT_MS */
	long timeout_ms;		/* whole request, redirects included */
	size_t max_body;		/* 0: HTTP_MAX_BODY */
	int follow_redirects;		/* to http and https only */
	const char *read_header;	/* a header to give back, e.g.
					 * "X-Total-Count"; NULL: none */
	const int *cancel;		/* read atomically: nonzero stops
					 * the request within about a
					 * second; NULL: never */
	int secret_path;		/* the path holds a secret (a
					 * webhook's token): errors and logs
					 * name scheme, host and port only */
};

struct http_response {
	long status;			/* of the last answer, 0 if none */
	struct strbuf body;		/* emptied on failure */
	double retry_after_s;		/* from Retry-After, 0 if none */
	char *location;			/* a redirect not followed, or NULL */
	char *cookies;			/* Set-Cookie's name=value, or NULL */
	char *header_value;		/* read_header's value, trimmed, or
					 * NULL when the answer had none */
	int challenged;			/* a Cloudflare challenge, not the
					 * answer asked: it said
					 * "cf-mitigated: challenge" */
	double elapsed_s;
	char error[256];		/* "" on success */
};

/* Post form, an application/x-www-form-urlencoded text, as req's body;
 * none when form is NULL. */
void http_form_body(struct http_request *req, const char *form);

/* Post json, a JSON text, as req's body; none when json is NULL. */
void http_json_body(struct http_request *req, const char *json);

/*
 * Set up libcurl. Call it once before starting threads; http_perform()
 * calls it too, for programs with a single thread. Returns 0 or -ENOMEM.
 */
int http_init(void);

/* Release libcurl's global state, after the last request. */
void http_cleanup(void);

/*
 * Perform req, filling resp in from scratch; release resp afterwards
 * whatever the result.
 *
 * Returns 0 when an HTTP answer came back, or:
 *
 *   -EINVAL        the URL is malformed or not http/https
 *   -ETIMEDOUT     connect_timeout_ms or timeout_ms ran out
 *   -ECONNREFUSED  nothing listens on the port (also the default for a
 *                  connection that fails for another reason)
 *   -EHOSTUNREACH, -ENETUNREACH
 *                  as the system said; also -EHOSTUNREACH when the name
 *                  does not resolve
 *   -ECONNRESET    the server closed the connection without answering
 *   -EFBIG         the body is larger than max_body
 *   -EPROTO        the answer is not valid HTTP (an HTTP/0.9 or garbage
 *                  answer included), a redirect has no usable Location,
 *                  or TLS failed
 *   -ELOOP         more than HTTP_MAX_REDIRECTS redirects
 *   -ECANCELED     *cancel became nonzero
 *   -ENOMEM
 *   -EIO           anything else libcurl reports
 *
 * With follow_redirects, redirects (301, 302, 303, 307, 308) to http and
 * https are followed: 303, and 301 or 302 after a POST, turn into a GET
 * without a body or form. A redirect elsewhere ("magnet:?xt=...") is not
 * followed: the call returns 0 with the 3xx status and `location` set to
 * it. Without follow_redirects, every such redirect is given back that
 * way, its Location as the server sent it (perhaps relative).
 * `retry_after_s` is the delay of a Retry-After given in seconds or as an
 * HTTP date (0 for a date already past). `challenged` is set when the
 * answer carries the header Cloudflare documents for its challenge pages,
 * of whatever status (a 403, or a 429 of its bot protection).
 *
 * `cookies` holds the name=value pair of every Set-Cookie of the last
 * answer, without their attributes, joined by "; " as a Cookie header
 * wants them ("SID=abc; lang=fr"), or is NULL when it set none. There is
 * no cookie jar: a caller that needs a session sends them back itself, as
 * a "Cookie: ..." header, which like every header of the caller stays
 * with the origin. Cookie values are secrets and are never logged.
 *
 * A failure is logged as an error, but one of http_out_of_reach() as a
 * warning: the network's state, not a fault of the request.
 */
int http_perform(const struct http_request *req, struct http_response *resp);

/*
 * Whether http_perform()'s error rc says the server is out of reach (no
 * network, the name unknown, nothing listening, no answer in time):
 * -ECONNREFUSED, -EHOSTUNREACH, -ENETUNREACH, -ETIMEDOUT, -ECONNRESET.
 * Returns 1 or 0.
 */
int http_out_of_reach(int rc);

void http_response_release(struct http_response *resp);

/*
 * Append the base URL of a service without its trailing slashes, then
 * path ("http://host:9696/" and "/api/v1/search"), to out: users write
 * the base either way.
 */
void http_join(struct strbuf *out, const char *base, const char *path);

/*
 * Percent-encode s (UTF-8 bytes as they are) for a query value or a path
 * segment, appending to out. Letters, digits and "-._~" stay; a space
 * becomes '+' when space_as_plus (Nautiljon slugs, form values), "%20"
 * otherwise.
 */
void http_escape(const char *s, int space_as_plus, struct strbuf *out);

#endif
