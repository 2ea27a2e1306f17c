/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The one HTTP client (http.h), over libcurl: timeouts, a cap on the
 * body, and the answer's status, body and error text. It must not
 * interpret any service's answers; each client module does.
 */
#include "common/http.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/log.h"

#define USER_AGENT "mediamon/" MEDIAMON_VERSION

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static int initialized;

/* The state of one transfer, shared with libcurl's callbacks. */
struct transfer {
	struct http_response *resp;
	const char *read_header;
	size_t max_body;
	int over_cap;
	int nomem;
	const int *cancel;
};

/* A lock rather than pthread_once, so that http_cleanup() can undo it. */
int http_init(void)
{
	int ret = 0;

	pthread_mutex_lock(&init_lock);
	if (!initialized) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT))
			ret = log_error(-ENOMEM, "http: cannot set up libcurl");
		else
			initialized = 1;
	}
	pthread_mutex_unlock(&init_lock);
	return ret;
}

void http_cleanup(void)
{
	pthread_mutex_lock(&init_lock);
	if (initialized)
		curl_global_cleanup();
	initialized = 0;
	pthread_mutex_unlock(&init_lock);
}

/*
 * Describe url as "scheme://host[:port]" and, with path, its path: never
 * its user, password, query or fragment, which may hold secrets. With
 * default_port the port is always there, so that two origins compare as
 * strings.
 */
static void url_describe(const char *url, int path, int default_port,
			 struct strbuf *out)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *p = NULL;
	CURLU *u = curl_url();

	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0)) {
		strbuf_addstr(out, "(malformed URL)");
		goto out;
	}
	strbuf_addf(out, "%s://%s", scheme, host);
	if (!curl_url_get(u, CURLUPART_PORT, &port,
			  default_port ? CURLU_DEFAULT_PORT : 0))
		strbuf_addf(out, ":%s", port);
	if (path && !curl_url_get(u, CURLUPART_PATH, &p, 0))
		strbuf_addstr(out, p);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(p);
	curl_url_cleanup(u);
}

/* Fill resp->error with what failed, naming the URL without its secrets
 * (and without its path when the path is one). */
static void set_error(struct http_response *resp, const char *method,
		      const char *url, int path, const char *what)
{
	struct strbuf sb = STRBUF_INIT;

	url_describe(url, path, 0, &sb);
	snprintf(resp->error, sizeof(resp->error), "%s %s: %s", method,
		 sb.buf, what);
	strbuf_release(&sb);
}

/* Whether two URLs share scheme, host and port, so may share secrets. */
static int same_origin(const char *a, const char *b)
{
	struct strbuf sa = STRBUF_INIT, sb = STRBUF_INIT;
	int same;

	url_describe(a, 0, 1, &sa);
	url_describe(b, 0, 1, &sb);
	same = !strcmp(sa.buf, sb.buf);
	strbuf_release(&sa);
	strbuf_release(&sb);
	return same;
}

/*
 * The length of the scheme of an absolute URL (RFC 3986: a letter, then
 * letters, digits, '+', '-' or '.', then ':'), 0 for a relative one.
 */
static size_t scheme_len(const char *url)
{
	size_t i = 0;

	if (!((url[0] >= 'a' && url[0] <= 'z') ||
	      (url[0] >= 'A' && url[0] <= 'Z')))
		return 0;
	while (url[++i] && url[i] != ':')
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.", url[i]))
			return 0;
	return url[i] == ':' ? i : 0;
}

/* Only http and https are spoken, for requests and redirects alike. */
static int is_web_scheme(const char *url)
{
	size_t n = scheme_len(url);

	return (n == 4 && !strncasecmp(url, "http", 4)) ||
	       (n == 5 && !strncasecmp(url, "https", 5));
}

/* Whether url is an http or https URL that libcurl can parse. */
static int is_web_url(const char *url)
{
	CURLU *u;
	int ok;

	if (!is_web_scheme(url))
		return 0;
	if (!(u = curl_url()))
		return 0;
	ok = !curl_url_set(u, CURLUPART_URL, url, 0);
	curl_url_cleanup(u);
	return ok;
}

/* Keep the body, and refuse to grow it past the cap. */
static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;

	if (len > t->max_body - t->resp->body.len) {
		t->over_cap = 1;
		return 0;
	}
	strbuf_add(&t->resp->body, data, len);
	return len;
}

/* The delay Retry-After asks for: seconds, or an HTTP date. */
static double parse_retry_after(const char *value)
{
	char *end;
	double secs = strtod(value, &end);
	time_t when;

	if (end != value && *end == '\0')
		return secs > 0 ? secs : 0;
	when = curl_getdate(value, NULL);
	if (when == -1)
		return 0;
	secs = difftime(when, time(NULL));
	return secs > 0 ? secs : 0;
}

/* A header's value without the spaces around it, malloc'd. */
static char *trimmed(const char *s, size_t len)
{
	while (len && strchr(" \t", *s)) {
		s++;
		len--;
	}
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	return strndup(s, len);
}

/* Whether the header line data names the header name. */
static int is_header(const char *data, size_t name_len, const char *name)
{
	return name && name_len == strlen(name) &&
	       !strncasecmp(data, name, name_len);
}

/*
 * Append a Set-Cookie's name=value (what comes before its attributes) to
 * the cookies of the answer. Returns 0 or -ENOMEM.
 */
static int add_cookie(struct http_response *resp, const char *value)
{
	size_t len = strcspn(value, ";");
	char *joined;

	while (len && strchr(" \t", value[len - 1]))
		len--;
	if (!len || !memchr(value, '=', len))
		return 0;
	if (asprintf(&joined, "%s%s%.*s", resp->cookies ? resp->cookies : "",
		     resp->cookies ? "; " : "", (int)len, value) < 0)
		return -ENOMEM;
	free(resp->cookies);
	resp->cookies = joined;
	return 0;
}

/* Drop what the headers of an answer set: a redirect's next answer, or
 * the end of the response, brings its own. */
static void forget_headers(struct http_response *resp)
{
	free(resp->location);
	resp->location = NULL;
	free(resp->cookies);
	resp->cookies = NULL;
	free(resp->header_value);
	resp->header_value = NULL;
}

/*
 * Note Retry-After, Location, Set-Cookie, cf-mitigated and the caller's
 * header from the headers of each answer, the last answer winning (a
 * "100 Continue" comes before the real one).
 */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	struct http_response *resp = t->resp;
	size_t len = size * n, name_len;
	const char *colon = memchr(data, ':', len);
	char *value;

	if (len >= 5 && !memcmp(data, "HTTP/", 5)) {
		resp->retry_after_s = 0;
		resp->challenged = 0;
		forget_headers(resp);
		return len;
	}
	if (!colon)
		return len;
	name_len = colon - data;
	if (!is_header(data, name_len, "Retry-After") &&
	    !is_header(data, name_len, "cf-mitigated") &&
	    !is_header(data, name_len, "Location") &&
	    !is_header(data, name_len, "Set-Cookie") &&
	    !is_header(data, name_len, t->read_header))
		return len;
	value = trimmed(colon + 1, len - name_len - 1);
	if (!value) {
		t->nomem = 1;
		return 0;
	}
	if (is_header(data, name_len, t->read_header)) {
		free(resp->header_value);
		resp->header_value = value;
		value = NULL;
	} else if (is_header(data, name_len, "Retry-After")) {
		resp->retry_after_s = parse_retry_after(value);
	} else if (is_header(data, name_len, "cf-mitigated")) {
		resp->challenged = !strcasecmp(value, "challenge");
	} else if (is_header(data, name_len, "Location")) {
		free(resp->location);
		resp->location = value;
		value = NULL;
	} else if (add_cookie(resp, value)) {
		t->nomem = 1;
		len = 0;
	}
	free(value);
	return len;
}

/* Build the header list of one hop; secrets stay with their origin. */
static int build_headers(const struct http_request *req, int with_caller,
			 struct curl_slist **out)
{
	struct curl_slist *list = NULL, *next;
	char *ct;

	/* Without this curl waits a second for "100 Continue" on big POSTs. */
	if (!(list = curl_slist_append(list, "Expect:")))
		return -ENOMEM;
	for (size_t i = 0; with_caller && req->headers && req->headers[i];
	     i++) {
		if (!(next = curl_slist_append(list, req->headers[i])))
			goto nomem;
		list = next;
	}
	if (req->content_type) {
		if (asprintf(&ct, "Content-Type: %s", req->content_type) < 0)
			goto nomem;
		next = curl_slist_append(list, ct);
		free(ct);
		if (!next)
			goto nomem;
		list = next;
	}
	*out = list;
	return 0;
nomem:
	curl_slist_free_all(list);
	return -ENOMEM;
}

/* libcurl asks about once a second, and at every chunk: a daemon that
 * stops must not wait for a slow service's whole timeout. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	const struct transfer *t = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return __atomic_load_n(t->cancel, __ATOMIC_RELAXED) != 0;
}

/* Set every option of one hop on a freshly reset handle. */
static int setup(CURL *h, const char *method, const char *url,
		 const char *body, size_t body_len, struct curl_slist *hdrs,
		 const struct http_request *req, long timeout_ms,
		 struct transfer *t)
{
	long connect_ms = req->connect_timeout_ms ? req->connect_timeout_ms :
		HTTP_CONNECT_TIMEOUT_MS;
	CURLcode c = CURLE_OK;

#define SET(opt, val) \
	do { \
		if (!c) \
			c = curl_easy_setopt(h, opt, val); \
	} while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_USERAGENT, USER_AGENT);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms < timeout_ms ? connect_ms :
	    timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, timeout_ms);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max_body);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, t);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, t);
	SET(CURLOPT_HTTPHEADER, hdrs);
	if (t->cancel) {
		SET(CURLOPT_NOPROGRESS, 0L);
		SET(CURLOPT_XFERINFOFUNCTION, on_progress);
		SET(CURLOPT_XFERINFODATA, t);
	}
	if (body) {
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
		SET(CURLOPT_POSTFIELDS, body);
	}
	if (!strcmp(method, "HEAD"))
		SET(CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") && strcmp(method, "POST"))
		SET(CURLOPT_CUSTOMREQUEST, method);
	else if (!strcmp(method, "POST") && !body)
		SET(CURLOPT_POSTFIELDS, "");
#undef SET
	return c == CURLE_OUT_OF_MEMORY ? -ENOMEM : c ? -EINVAL : 0;
}

/* Turn a libcurl failure into an errno value and a plain reason. */
static int map_error(CURL *h, CURLcode c, const struct transfer *t,
		     long timeout_ms, char *why, size_t size)
{
	long os_errno = 0;

	switch (c) {
	case CURLE_ABORTED_BY_CALLBACK:
		snprintf(why, size, "cancelled");
		return -ECANCELED;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(why, size, "timed out after %ld ms", timeout_ms);
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
		if (os_errno != EHOSTUNREACH && os_errno != ENETUNREACH)
			os_errno = ECONNREFUSED;
		snprintf(why, size, "cannot connect: %s", strerror(os_errno));
		return -os_errno;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(why, size, "%s", curl_easy_strerror(c));
		return -EHOSTUNREACH;
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		snprintf(why, size, "connection closed without an answer");
		return -ECONNRESET;
	case CURLE_FILESIZE_EXCEEDED:
		snprintf(why, size, "answer larger than %zu bytes",
			 t->max_body);
		return -EFBIG;
	case CURLE_WRITE_ERROR:
		if (t->nomem)
			break;
		snprintf(why, size, "answer larger than %zu bytes",
			 t->max_body);
		return -EFBIG;
	case CURLE_OUT_OF_MEMORY:
		break;
	case CURLE_URL_MALFORMAT:
		snprintf(why, size, "%s", curl_easy_strerror(c));
		return -EINVAL;
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* The URL was checked: this is an HTTP/0.9 answer. */
		snprintf(why, size, "bad answer: not HTTP");
		return -EPROTO;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_PARTIAL_FILE:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
		snprintf(why, size, "bad answer: %s", curl_easy_strerror(c));
		return -EPROTO;
	default:
		snprintf(why, size, "%s", curl_easy_strerror(c));
		return -EIO;
	}
	snprintf(why, size, "out of memory");
	return -ENOMEM;
}

/* req's parts as a form libcurl writes, set on h; *out to free after
 * the transfer. */
static int add_form(CURL *h, const struct http_request *req, curl_mime **out)
{
	curl_mime *form = curl_mime_init(h);
	curl_mimepart *part;
	CURLcode c = form ? CURLE_OK : CURLE_OUT_OF_MEMORY;

	for (size_t i = 0; !c && i < req->nr_parts; i++) {
		const struct http_part *p = &req->parts[i];

		if (!(part = curl_mime_addpart(form))) {
			c = CURLE_OUT_OF_MEMORY;
			break;
		}
		c = curl_mime_name(part, p->name);
		if (!c)
			c = curl_mime_data(part, p->data, p->data_len);
		if (!c && p->filename)
			c = curl_mime_filename(part, p->filename);
		if (!c && p->type)
			c = curl_mime_type(part, p->type);
	}
	if (!c)
		c = curl_easy_setopt(h, CURLOPT_MIMEPOST, form);
	*out = form;
	return c == CURLE_OUT_OF_MEMORY ? -ENOMEM : c ? -EINVAL : 0;
}

/* Where one hop goes and what it sends: a redirect may change both. */
struct hop {
	const char *method;
	char *url;
	const char *body;
	size_t body_len;
	int form;			/* send req's parts */
	int with_caller;		/* send the caller's headers */
};

/* Perform one hop on the handle made afresh; *c: what libcurl said. */
static int perform_hop(CURL *h, const struct http_request *req,
		       const struct hop *hp, long left_ms, struct transfer *t,
		       CURLcode *c)
{
	struct curl_slist *hdrs;
	curl_mime *form = NULL;
	int ret;

	if ((ret = build_headers(req, hp->with_caller, &hdrs)))
		return ret;
	curl_easy_reset(h);
	strbuf_reset(&t->resp->body);
	ret = setup(h, hp->method, hp->url, hp->body, hp->body_len, hdrs, req,
		    left_ms, t);
	if (!ret && hp->form)
		ret = add_form(h, req, &form);
	*c = ret ? CURLE_OK : curl_easy_perform(h);
	curl_mime_free(form);
	curl_slist_free_all(hdrs);
	return ret;
}

/* Whether status is a redirect that names where to go. */
static int is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

/*
 * Perform the request one hop at a time, so that each redirect's target
 * is checked before it is followed: curl would follow it blindly.
 */
static int run(CURL *h, const struct http_request *req,
	       struct http_response *resp, char *why, size_t why_size,
	       char **url_out)
{
	struct hop hp = { req->method ? req->method : "GET", NULL,
			  req->body, req->body_len, req->nr_parts > 0, 1 };
	long total_ms = req->timeout_ms ? req->timeout_ms : HTTP_TIMEOUT_MS;
	double start = clock_mono();
	struct transfer t = { resp, req->read_header, req->max_body ?
			      req->max_body : HTTP_MAX_BODY, 0, 0,
			      req->cancel };
	int ret;
	char *next;

	if (!(hp.url = strdup(req->url)))
		return -ENOMEM;
	*url_out = hp.url;
	if (!is_web_url(hp.url)) {
		snprintf(why, why_size, "not a valid http or https URL");
		return -EINVAL;
	}
	for (int hop = 0;; hop++) {
		long left_ms = total_ms - (long)((clock_mono() - start) * 1e3);
		CURLcode c;

		if (left_ms <= 0) {
			snprintf(why, why_size, "timed out after %ld ms",
				 total_ms);
			return -ETIMEDOUT;
		}
		if ((ret = perform_hop(h, req, &hp, left_ms, &t, &c)))
			return ret;
		if (c)
			return map_error(h, c, &t, total_ms, why, why_size);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
		if (!is_redirect(resp->status) || !resp->location) {
			free(resp->location);
			resp->location = NULL;
			return 0;
		}
		if (!req->follow_redirects ||
		    (!is_web_scheme(resp->location) &&
		     scheme_len(resp->location)))
			return 0;
		if (hop == HTTP_MAX_REDIRECTS) {
			snprintf(why, why_size, "more than %d redirects",
				 HTTP_MAX_REDIRECTS);
			return -ELOOP;
		}
		if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &next) ||
		    !next || !is_web_url(next)) {
			snprintf(why, why_size, "bad redirect");
			return -EPROTO;
		}
		if (!(next = strdup(next)))
			return -ENOMEM;
		hp.with_caller = hp.with_caller && same_origin(hp.url, next);
		free(hp.url);
		*url_out = hp.url = next;
		free(resp->location);
		resp->location = NULL;
		if (resp->status == 303 || (!strcmp(hp.method, "POST") &&
		    (resp->status == 301 || resp->status == 302))) {
			hp.method = "GET";
			hp.body = NULL;
			hp.body_len = 0;
			hp.form = 0;
		}
	}
}

static void text_body(struct http_request *req, const char *text,
		      const char *type)
{
	req->body = text;
	req->body_len = text ? strlen(text) : 0;
	req->content_type = text ? type : NULL;
}

void http_form_body(struct http_request *req, const char *form)
{
	text_body(req, form, "application/x-www-form-urlencoded");
}

void http_json_body(struct http_request *req, const char *json)
{
	text_body(req, json, "application/json");
}

/* Failures are decided, so logged, here; successes only at debug level. */
int http_perform(const struct http_request *req, struct http_response *resp)
{
	const char *method = req->method ? req->method : "GET";
	double start = clock_mono();
	char why[160] = "";
	char *url = NULL;
	CURL *h;
	int ret;

	memset(resp, 0, sizeof(*resp));
	strbuf_init(&resp->body, 0);
	if ((ret = http_init())) {
		set_error(resp, method, req->url, !req->secret_path,
			  "cannot set up libcurl");
		return ret;
	}
	if (!(h = curl_easy_init()))
		ret = -ENOMEM;
	else
		ret = run(h, req, resp, why, sizeof(why), &url);
	curl_easy_cleanup(h);
	resp->elapsed_s = clock_mono() - start;
	if (!ret && log_get_level() > LOG_DEBUG) {
		free(url);
		return 0;
	}
	if (!ret) {
		set_error(resp, method, url, !req->secret_path, "");
		log_debug("http: %s%ld in %.3f s", resp->error, resp->status,
			  resp->elapsed_s);
		resp->error[0] = '\0';
		free(url);
		return 0;
	}
	if (ret == -ENOMEM && !why[0])
		snprintf(why, sizeof(why), "out of memory");
	set_error(resp, method, url ? url : req->url, !req->secret_path,
		  why);
	free(url);
	http_response_release(resp);
	if (ret == -ECANCELED) {
		log_info("http: %s", resp->error);
		return ret;
	}
	if (http_out_of_reach(ret)) {
		log_warn("http: %s", resp->error);
		return ret;
	}
	return log_error(ret, "http: %s", resp->error);
}

int http_out_of_reach(int rc)
{
	return rc == -ECONNREFUSED || rc == -EHOSTUNREACH ||
	       rc == -ENETUNREACH || rc == -ETIMEDOUT || rc == -ECONNRESET;
}

void http_response_release(struct http_response *resp)
{
	strbuf_release(&resp->body);
	forget_headers(resp);
}

void http_join(struct strbuf *out, const char *base, const char *path)
{
	size_t len = strlen(base);

	while (len && base[len - 1] == '/')
		len--;
	strbuf_add(out, base, len);
	strbuf_addstr(out, path);
}

void http_escape(const char *s, int space_as_plus, struct strbuf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			strbuf_addch(out, *p);
		} else if (*p == ' ' && space_as_plus) {
			strbuf_addch(out, '+');
		} else {
			strbuf_addch(out, '%');
			strbuf_addch(out, hex[*p >> 4]);
			strbuf_addch(out, hex[*p & 15]);
		}
	}
}
