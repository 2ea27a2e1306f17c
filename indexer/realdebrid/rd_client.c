/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Real-Debrid client (rd_client.h): the torrent API's requests, sent
 * through the caller's throttle, and their answers read. It stores
 * nothing; the session records each request (rd_session.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/clock.h"
#include "common/http.h"
#include "common/json.h"
#include "common/listener.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/throttle.h"
#include "indexer/realdebrid/rd_client.h"

#define HASH_LEN 40			/* hex digits of a SHA-1 info hash */
#define MAGNET_MAX 8192			/* bytes of a magnet link sent */

/* One request: what to send, and what to call it in log lines. */
struct rd_call {
	const char *method;
	char path[32 + RD_ID_MAX];	/* after the base URL */
	char what[32 + RD_ID_MAX];	/* "info of ID" */
	const char *form;		/* urlencoded POST body, or NULL */
	size_t max_body;
	const char *read_header;
};

int rd_valid_id(const char *id)
{
	size_t n = id ? strspn(id, "abcdefghijklmnopqrstuvwxyz"
			       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") : 0;

	return n && n <= RD_ID_MAX && !id[n];
}

/* Only a SHA-1 info hash makes a magnet link on its own. */
static int valid_hash(const char *s)
{
	return strlen(s) == HASH_LEN &&
	       strspn(s, "0123456789abcdefABCDEF") == HASH_LEN;
}

/*
 * Start a call: res is filled in whatever happens, and the client's
 * settings are checked before any request. A token with a control
 * character would end the header early and inject another.
 */
static int check_client(const struct rd_client *c, struct rd_result *res)
{
	const char *s;

	memset(res, 0, sizeof(*res));
	if (!c || !c->token || !*c->token || !c->throttle)
		return log_error(-EINVAL, "rd: no token or throttle set");
	for (s = c->token; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return log_error(-EINVAL, "rd: the token holds a "
					 "control character");
	return 0;
}

/*
 * Keep Real-Debrid's error text to printable ASCII: it reaches log lines
 * and status files, and its length is bounded by the field.
 */
static void copy_error(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s && s[i] && i + 1 < size; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}

/*
 * Read {error, error_code} from an error answer into res. Error answers
 * of another shape (an HTML page from a proxy) just leave them empty:
 * the status alone still says what happened.
 */
static void read_error(const struct http_response *resp,
		       struct rd_result *res)
{
	json_t *doc = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	const char *error;
	json_int_t code;

	if (json_is_object(doc)) {
		if (!json_member_str(doc, "error", &error))
			copy_error(error, res->error, sizeof(res->error));
		if (!json_member_int(doc, "error_code", 0, &code) &&
		    code >= INT_MIN && code <= INT_MAX)
			res->error_code = (int)code;
	}
	json_decref(doc);
}

/*
 * What a refusal means, from its status and error_code; the order of the
 * tests is the documented precedence (a rate limit first, since the
 * caller must then wait whatever else the answer says).
 */
static int classify(long status, int code)
{
	if (status == 429 || code == RD_ERR_TOO_MANY_REQUESTS ||
	    code == RD_ERR_SLOW_DOWN)
		return -EAGAIN;
	if (status == 451 || code == RD_ERR_INFRINGING)
		return -EPERM;
	if (status == 509 || code == RD_ERR_TOO_MANY_ACTIVE)
		return -ENOSPC;
	if (code == RD_ERR_UNKNOWN_RESOURCE || (status == 404 && !code))
		return -ENOENT;
	if (status == 401 || status == 403 || code == RD_ERR_BAD_TOKEN)
		return -EACCES;
	return -EIO;
}

/*
 * Turn a refusal into an error, tell the throttle, and log it once.
 * Only rate limits pause and only 5xx count as failures: a 404 or a 451
 * is the service working.
 */
static int refusal_error(const struct rd_client *c,
			 const struct rd_call *call,
			 const struct http_response *resp,
			 struct rd_result *res)
{
	char detail[128];
	int ret, n;

	read_error(resp, res);
	n = snprintf(detail, sizeof(detail), "HTTP %ld", resp->status);
	if (res->error[0])
		n += snprintf(detail + n, sizeof(detail) - n, ", %s",
			      res->error);
	if (res->error_code)
		snprintf(detail + n, sizeof(detail) - n, ", error_code %d",
			 res->error_code);
	ret = classify(resp->status, res->error_code);
	throttle_answered(c->throttle, ret, resp->status, resp->retry_after_s);
	if (ret == -EAGAIN)
		return log_error(ret, "rd: %s: rate limited (%s), retry "
				 "after %.0f s", call->what, detail,
				 resp->retry_after_s);
	return log_error(ret, "rd: %s: %s (%s)", call->what,
			 ret == -EPERM ? "refused as infringing" :
			 ret == -ENOSPC ? "no slot free" :
			 ret == -ENOENT ? "no such torrent" :
			 ret == -EACCES ? "the token was refused" :
			 "failed", detail);
}

/*
 * Send call through the throttle, filling res in. Returns 0 for a 2xx
 * answer, which the caller reads and releases, or a negative errno value
 * with resp already released.
 */
static int send_request(const struct rd_client *c, const struct rd_call *call,
			const int *cancel, struct http_response *resp,
			struct rd_result *res)
{
	struct http_request req = {
		.method = call->method,
		.timeout_ms = c->timeout_ms,
		.max_body = call->max_body,
		.read_header = call->read_header,
		.cancel = cancel,
	};
	struct strbuf url = STRBUF_INIT, auth = STRBUF_INIT;
	const char *base = c->url && *c->url ? c->url : RD_URL;
	const char *headers[3];
	int ret;

	http_form_body(&req, call->form);
	ret = listener_check("realdebrid", "realdebrid", base, c->user);
	if (!ret)
		ret = throttle_acquire(c->throttle, cancel);
	if (ret < 0)
		return ret;
	http_join(&url, base, call->path);
	strbuf_addf(&auth, "Authorization: Bearer %s", c->token);
	headers[0] = auth.buf;
	headers[1] = "Accept: application/json";
	headers[2] = NULL;
	req.url = url.buf;
	req.headers = headers;
	ret = http_perform(&req, resp);
	/* The token is a secret: leave no copy of it lying in freed memory. */
	memset(auth.buf, 0, auth.len);
	strbuf_release(&auth);
	strbuf_release(&url);

	res->elapsed_s = resp->elapsed_s;
	res->http_status = resp->status;
	if (ret < 0) {
		if (ret != -ECANCELED)
			throttle_failed(c->throttle);
		return ret;
	}
	if (resp->status < 200 || resp->status > 299) {
		ret = refusal_error(c, call, resp, res);
		http_response_release(resp);
		return ret;
	}
	throttle_ok(c->throttle);
	return 0;
}

/*
 * Parse a 2xx answer, named what in log lines, that must be a JSON value
 * of the type wanted.
 */
static int parse_answer(const char *what, const char *body, size_t len,
			json_type type, json_t **out)
{
	json_error_t jerr;
	json_t *doc = json_loadb(body, len, 0, &jerr);

	if (!doc)
		return log_error(-EPROTO, "rd: %s: invalid JSON: %s", what,
				 jerr.text);
	if (json_typeof(doc) != type) {
		json_decref(doc);
		return log_error(-EPROTO, "rd: %s: not a JSON %s", what,
				 type == JSON_ARRAY ? "array" : "object");
	}
	*out = doc;
	return 0;
}

/* strdup() for optional members: NULL stays NULL, a failure is noted. */
static char *copy(const char *s, int *nomem)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*nomem = 1;
	return d;
}

/* Read one entry of a torrent's files; -EPROTO for a wrong shape. */
static int read_file(json_t *o, struct rd_file *f, int *nomem)
{
	const char *path;
	json_int_t id, bytes, selected;

	if (!json_is_object(o) || json_member_int(o, "id", -1, &id) ||
	    json_member_str(o, "path", &path) ||
	    json_member_int(o, "bytes", 0, &bytes) ||
	    json_member_int(o, "selected", 0, &selected))
		return -EPROTO;
	if (id < 0 || id > INT_MAX || !path || bytes < 0 ||
	    (selected != 0 && selected != 1))
		return -EPROTO;
	f->id = (int)id;
	f->bytes = bytes;
	f->selected = (int)selected;
	f->path = copy(path, nomem);
	return 0;
}

/* The files member of an info answer; absent or null: no files yet. */
static int read_files(json_t *o, struct rd_torrent *t, int *nomem)
{
	json_t *files = json_object_get(o, "files");
	size_t i, n;
	int ret;

	if (!files || json_is_null(files))
		return 0;
	if (!json_is_array(files))
		return -EPROTO;
	n = json_array_size(files);
	if (!n)
		return 0;
	t->files = calloc(n, sizeof(*t->files));
	if (!t->files) {
		*nomem = 1;
		return 0;
	}
	for (i = 0; i < n; i++) {
		ret = read_file(json_array_get(files, i), &t->files[i], nomem);
		if (ret < 0)
			return ret;
		t->nr_files++;
	}
	return 0;
}

/*
 * Read a torrent object of a list or info answer into t (zeroed first).
 * Returns 0, -EPROTO for a wrong shape or -ENOMEM, t released on error.
 */
static int read_torrent(json_t *o, int with_files, struct rd_torrent *t)
{
	const char *id, *filename, *original, *hash, *status, *added;
	json_int_t bytes;
	int nomem = 0, ret;

	memset(t, 0, sizeof(*t));
	if (!json_is_object(o) || json_member_str(o, "id", &id) ||
	    json_member_str(o, "filename", &filename) ||
	    json_member_str(o, "original_filename", &original) ||
	    json_member_str(o, "hash", &hash) ||
	    json_member_str(o, "status", &status) ||
	    json_member_str(o, "added", &added) ||
	    json_member_int(o, "bytes", 0, &bytes))
		return -EPROTO;
	if (!rd_valid_id(id) || !status || bytes < 0)
		return -EPROTO;
	t->bytes = bytes;
	t->added_at = clock_parse_iso8601(added);
	t->id = copy(id, &nomem);
	t->filename = copy(filename, &nomem);
	t->hash = copy(hash, &nomem);
	t->status = copy(status, &nomem);
	ret = 0;
	if (with_files) {
		t->original_filename = copy(original, &nomem);
		ret = read_files(o, t, &nomem);
	}
	if (!ret && nomem)
		ret = -ENOMEM;
	if (ret < 0)
		rd_torrent_release(t);
	return ret;
}

/* X-Total-Count, or -1 when absent or not a count. */
static long total_count(const char *value)
{
	char *end;
	long n;

	if (!value || !*value)
		return -1;
	errno = 0;
	n = strtol(value, &end, 10);
	return errno || *end || n < 0 ? -1 : n;
}

/*
 * Read the torrents of a list answer, named what in log lines; one of a
 * wrong shape spoils all.
 */
static int read_list(const char *what, const char *body, size_t len,
		     struct rd_torrent **out, size_t *nr)
{
	struct rd_torrent *t = NULL;
	json_t *doc;
	size_t i, n;
	int ret;

	ret = parse_answer(what, body, len, JSON_ARRAY, &doc);
	if (ret < 0)
		return ret;
	n = json_array_size(doc);
	if (n && !(t = calloc(n, sizeof(*t)))) {
		json_decref(doc);
		return log_error(-ENOMEM, "rd: %s: out of memory", what);
	}
	for (i = 0; i < n; i++) {
		ret = read_torrent(json_array_get(doc, i), 0, &t[i]);
		if (ret < 0)
			break;
	}
	json_decref(doc);
	if (ret < 0) {
		rd_torrents_free(t, i);
		if (ret == -EPROTO)
			return log_error(ret, "rd: %s: torrent %zu is not of "
					 "the documented shape", what, i);
		return log_error(ret, "rd: %s: out of memory", what);
	}
	*out = t;
	*nr = n;
	return 0;
}

int rd_parse_list(const char *body, size_t len, struct rd_torrent **out,
		  size_t *nr)
{
	return read_list("list answer", body, len, out, nr);
}

/* Read an info answer, named what in log lines, into *out. */
static int read_info(const char *what, const char *body, size_t len,
		     struct rd_torrent *out)
{
	json_t *doc;
	int ret;

	ret = parse_answer(what, body, len, JSON_OBJECT, &doc);
	if (ret < 0)
		return ret;
	ret = read_torrent(doc, 1, out);
	json_decref(doc);
	if (ret == -EPROTO)
		return log_error(ret, "rd: %s: not of the documented shape",
				 what);
	if (ret < 0)
		return log_error(ret, "rd: %s: out of memory", what);
	return 0;
}

int rd_parse_info(const char *body, size_t len, struct rd_torrent *out)
{
	return read_info("info answer", body, len, out);
}

int rd_list(const struct rd_client *c, long offset, int limit,
	    const int *cancel, struct rd_torrent **out, size_t *nr,
	    long *total, struct rd_result *res)
{
	struct rd_call call = {
		.method = "GET",
		.max_body = RD_LIST_MAX_BODY,
		.read_header = "X-Total-Count",
	};
	struct http_response resp;
	int ret;

	ret = check_client(c, res);
	if (ret < 0)
		return ret;
	if (offset < 0 || limit < 1 || limit > RD_LIST_MAX)
		return log_error(-EINVAL, "rd: %d torrents from %ld: out of"
				 " range", limit, offset);
	snprintf(call.path, sizeof(call.path),
		 "/torrents?offset=%ld&limit=%d", offset, limit);
	snprintf(call.what, sizeof(call.what), "list from %ld", offset);
	ret = send_request(c, &call, cancel, &resp, res);
	if (ret < 0)
		return ret;
	if (resp.status == 204) {
		*out = NULL;
		*nr = 0;
	} else {
		ret = read_list(call.what, resp.body.buf, resp.body.len, out,
				nr);
	}
	if (!ret) {
		*total = total_count(resp.header_value);
		log_debug("rd: %s: %zu torrents of %ld", call.what, *nr,
			  *total);
	}
	http_response_release(&resp);
	return ret;
}

/*
 * Start a call on torrent id, named name in its path and log lines: the
 * id is checked first, since it goes into the URL path.
 */
static int on_torrent(const struct rd_client *c, const char *name,
		      const char *id, struct rd_call *call,
		      struct rd_result *res)
{
	int ret = check_client(c, res);

	if (ret < 0)
		return ret;
	if (!rd_valid_id(id))
		return log_error(-EINVAL, "rd: %s: not a torrent id", name);
	snprintf(call->path, sizeof(call->path), "/torrents/%s/%s", name,
		 id);
	snprintf(call->what, sizeof(call->what), "%s of %s", name, id);
	return 0;
}

/* on_torrent(), then the call sent without a body into resp. */
static int send_on_torrent(const struct rd_client *c, const char *name,
			   const char *id, struct rd_call *call,
			   const int *cancel, struct http_response *resp,
			   struct rd_result *res)
{
	int ret = on_torrent(c, name, id, call, res);

	return ret < 0 ? ret : send_request(c, call, cancel, resp, res);
}

int rd_info(const struct rd_client *c, const char *id, const int *cancel,
	    struct rd_torrent *out, struct rd_result *res)
{
	struct rd_call call = {
		.method = "GET",
		.max_body = RD_INFO_MAX_BODY,
	};
	struct http_response resp;
	struct rd_torrent t;
	int ret;

	ret = send_on_torrent(c, "info", id, &call, cancel, &resp, res);
	if (ret < 0)
		return ret;
	ret = read_info(call.what, resp.body.buf, resp.body.len, &t);
	http_response_release(&resp);
	if (ret < 0)
		return ret;
	if (strcmp(t.id, id)) {
		rd_torrent_release(&t);
		return log_error(-EPROTO, "rd: %s: the answer is about "
				 "another torrent", call.what);
	}
	*out = t;
	return 0;
}

/*
 * The magnet link to send, as a form body, and the call's name. Anything
 * but a bare hash or a magnet link is refused here, so nothing else
 * reaches the account.
 */
static int magnet_form(const char *s, struct strbuf *form,
		       struct rd_call *call)
{
	size_t len = s ? strnlen(s, MAGNET_MAX + 1) : 0;

	strbuf_addstr(form, "magnet=");
	if (len == HASH_LEN && valid_hash(s)) {
		http_escape("magnet:?xt=urn:btih:", 1, form);
		http_escape(s, 1, form);
		snprintf(call->what, sizeof(call->what), "addMagnet of %s", s);
		return 0;
	}
	if (len > 8 && len <= MAGNET_MAX && !strncmp(s, "magnet:?", 8)) {
		http_escape(s, 1, form);
		snprintf(call->what, sizeof(call->what),
			 "addMagnet of a magnet link");
		return 0;
	}
	return -EINVAL;
}

int rd_add_magnet(const struct rd_client *c, const char *hash_or_magnet,
		  const int *cancel, char **id_out, struct rd_result *res)
{
	struct rd_call call = {
		.method = "POST",
		.path = "/torrents/addMagnet",
		.max_body = RD_INFO_MAX_BODY,
	};
	struct strbuf form = STRBUF_INIT;
	struct http_response resp;
	const char *id;
	json_t *doc;
	int ret;

	ret = check_client(c, res);
	if (ret < 0)
		return ret;
	if (magnet_form(hash_or_magnet, &form, &call) < 0) {
		strbuf_release(&form);
		return log_error(-EINVAL, "rd: addMagnet: neither an info "
				 "hash of 40 hex digits nor a magnet link");
	}
	call.form = form.buf;
	ret = send_request(c, &call, cancel, &resp, res);
	strbuf_release(&form);
	if (ret < 0)
		return ret;
	ret = parse_answer(call.what, resp.body.buf, resp.body.len, JSON_OBJECT,
			   &doc);
	http_response_release(&resp);
	if (ret < 0)
		return ret;
	if (json_member_str(doc, "id", &id) || !rd_valid_id(id)) {
		json_decref(doc);
		return log_error(-EPROTO, "rd: %s: no torrent id in the "
				 "answer", call.what);
	}
	*id_out = strdup(id);
	json_decref(doc);
	if (!*id_out)
		return log_error(-ENOMEM, "rd: %s: out of memory", call.what);
	log_info("rd: %s: added as %s", call.what, *id_out);
	return 0;
}

int rd_select_files(const struct rd_client *c, const char *id,
		    const int *file_ids, size_t nr, const int *cancel,
		    struct rd_result *res)
{
	struct rd_call call = {
		.method = "POST",
		.max_body = RD_INFO_MAX_BODY,
	};
	struct strbuf form = STRBUF_INIT;
	struct http_response resp;
	size_t i;
	int ret;

	ret = on_torrent(c, "selectFiles", id, &call, res);
	if (ret < 0)
		return ret;
	if (!file_ids || !nr)
		return log_error(-EINVAL, "rd: %s: no file to select",
				 call.what);
	strbuf_addstr(&form, "files=");
	for (i = 0; i < nr; i++) {
		if (file_ids[i] < 0) {
			strbuf_release(&form);
			return log_error(-EINVAL, "rd: %s: file id %d",
					 call.what, file_ids[i]);
		}
		strbuf_addf(&form, "%s%d", i ? "," : "", file_ids[i]);
	}
	call.form = form.buf;
	ret = send_request(c, &call, cancel, &resp, res);
	strbuf_release(&form);
	if (ret < 0)
		return ret;
	log_info("rd: %s: %zu files %sselected", call.what, nr,
		 resp.status == 202 ? "were already " : "");
	http_response_release(&resp);
	return 0;
}

int rd_delete(const struct rd_client *c, const char *id, const int *cancel,
	      struct rd_result *res)
{
	struct rd_call call = {
		.method = "DELETE",
		.max_body = RD_INFO_MAX_BODY,
	};
	struct http_response resp;
	int ret;

	ret = send_on_torrent(c, "delete", id, &call, cancel, &resp, res);
	if (ret < 0)
		return ret;
	http_response_release(&resp);
	log_info("rd: %s: deleted", call.what);
	return 0;
}

void rd_torrent_release(struct rd_torrent *t)
{
	size_t i;

	if (!t)
		return;
	CLEANUP_FREE_ALL(t->id, t->filename, t->original_filename, t->hash,
			 t->status);
	for (i = 0; i < t->nr_files; i++)
		free(t->files[i].path);
	free(t->files);
	memset(t, 0, sizeof(*t));
}

void rd_torrents_free(struct rd_torrent *t, size_t nr)
{
	CLEANUP_FREE_ROWS(t, nr, rd_torrent_release);
}
