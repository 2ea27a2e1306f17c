/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Transmission client (client.h): a release added through its RPC,
 * with the session id it asks for, its torrents listed and read
 * (tracker.h), its version asked. It chooses no release and reads no
 * link: download.c hands it both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/base64.h"
#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/client.h"
#include "indexer/monitor/tracker.h"

/* Transmission answers small documents: a torrent-add's is a few lines,
 * a torrent-get of the torrents tracked about 300 bytes each. */
#define TR_MAX_BODY (4u << 20)
#define TR_TOKEN "X-Transmission-Session-Id"

/*
 * POST body to the RPC with the session's token and the credentials.
 * On a transport failure err gets http_perform()'s text, which it has
 * logged.
 */
static int rpc_post(const struct download_client *c,
		    const struct download_session *s, const char *body,
		    struct http_response *resp, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT, token = STRBUF_INIT;
	struct strbuf auth = STRBUF_INIT;
	const char *headers[3] = { NULL };
	struct http_request req = {
		.method = "POST",
		.headers = headers,
		.body = body,
		.body_len = strlen(body),
		.content_type = "application/json",
		.timeout_ms = c->timeout_ms,
		.max_body = TR_MAX_BODY,
		.read_header = TR_TOKEN,
	};
	int n = 0, ret;

	client_rpc_url(c->url, "/transmission/rpc", &url);
	client_basic_auth(c->username, c->password, &auth);
	if (auth.len)
		headers[n++] = auth.buf;
	if (s->token[0]) {
		strbuf_addf(&token, TR_TOKEN ": %s", s->token);
		headers[n++] = token.buf;
	}
	req.url = url.buf;
	ret = http_perform(&req, resp);
	client_wipe(auth.buf);
	strbuf_release(&auth);
	strbuf_release(&token);
	strbuf_release(&url);
	if (ret < 0)
		strbuf_addf(err, "transmission: %s", resp->error);
	return ret;
}

/* The torrent-add request for what p holds, labelled with the category. */
static char *add_request(const struct download_client *c,
			 const struct client_payload *p)
{
	json_t *args = json_object(), *doc;
	struct strbuf b64 = STRBUF_INIT;
	char *body = NULL;
	int bad;

	if (p->kind == LINKS_TORRENT) {
		base64_encode(p->data, p->len, &b64);
		bad = json_object_set_new(args, "metainfo",
					  json_stringn(b64.buf, b64.len));
	} else {
		bad = json_object_set_new(args, "filename",
					  json_string(p->text));
	}
	bad |= json_object_set_new(args, "paused", json_false());
	if (c->category && *c->category)
		bad |= json_object_set_new(args, "labels",
					   json_pack("[s]", c->category));
	if (c->save_path && *c->save_path)
		bad |= json_object_set_new(args, "download-dir",
					   json_string(c->save_path));
	doc = json_pack("{s:s, s:o}", "method", "torrent-add", "arguments",
			args);
	if (doc && !bad)
		body = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	strbuf_release(&b64);
	return body;
}

/*
 * Whether a torrent-add answer says the torrent is in: "success" with
 * torrent-added, or torrent-duplicate when Transmission had it already
 * (the kebab-case names, and the snake_case ones of Transmission 4.1);
 * *id gets its id, hash its hashString. Otherwise err gets
 * Transmission's words.
 */
static int add_answer(const struct http_response *resp, json_int_t *id,
		      char *hash, struct strbuf *err)
{
	json_t *doc = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	json_t *args = json_object_get(doc, "arguments"), *t;
	const char *result = json_string_value(json_object_get(doc,
								"result"));
	int ret = 0;

	*id = 0;
	if (!result) {
		ret = client_fail(err, -EPROTO, "transmission: unexpected"
				  " answer (not an RPC response)");
	} else if (strcmp(result, "success")) {
		ret = client_fail(err, -EPROTO, "transmission: the torrent"
				  " was refused: %.100s", result);
	} else if ((t = json_object_get(args, "torrent-duplicate")) ||
		   (t = json_object_get(args, "torrent_duplicate"))) {
		log_info("transmission: the torrent was there already");
	} else if ((t = json_object_get(args, "torrent-added")) ||
		   (t = json_object_get(args, "torrent_added"))) {
		log_info("transmission: torrent added");
	} else {
		ret = client_fail(err, -EPROTO, "transmission: unexpected"
				  " answer (success, but no torrent)");
	}
	if (!ret) {
		*id = json_integer_value(json_object_get(t, "id"));
		snprintf(hash, DOWNLOAD_ID_MAX, "%s", json_string_value(
				 json_object_get(t, "hashString")) ?: "");
	}
	json_decref(doc);
	return ret;
}

/* Keep the token a 409 gave; a 409 without one is not Transmission's. */
static int keep_token(struct download_session *s,
		      const struct http_response *resp, struct strbuf *err)
{
	const char *v = resp->header_value;

	if (!v || !*v || strlen(v) >= sizeof(s->token))
		return client_fail(err, -EPROTO, "transmission: HTTP 409"
				   " without a usable " TR_TOKEN);
	snprintf(s->token, sizeof(s->token), "%s", v);
	return 0;
}

/*
 * POST body with the token handshake (one 409 is answered, not a
 * second), and say what an answer other than 200 means. Returns 0 with
 * resp to release, or a negative errno value.
 */
static int rpc_call(const struct download_client *c,
		    struct download_session *s, const char *body,
		    struct http_response *resp, struct strbuf *err)
{
	int ret;

	for (int tries = 0;; tries++) {
		ret = rpc_post(c, s, body, resp, err);
		if (ret < 0)
			return ret;
		if (resp->status != 409 || tries)
			break;
		ret = keep_token(s, resp, err);
		http_response_release(resp);
		if (ret)
			return ret;
		log_debug("transmission: new session id, asking again");
	}
	if (resp->status == 200)
		return 0;
	if (resp->status == 401)
		ret = client_fail(err, -EACCES, "transmission: the user name"
				  " or password was refused (HTTP 401)");
	else if (resp->status == 403)
		ret = client_fail(err, -EACCES, "transmission: this address"
				  " is not allowed, or is blocked after failed"
				  " logins (HTTP 403)");
	else if (resp->status == 421)
		ret = client_fail(err, -EACCES, "transmission: the url's host"
				  " name is not in rpc-host-whitelist (HTTP"
				  " 421)");
	else if (resp->status == 409)
		ret = client_fail(err, -EPROTO, "transmission: a second 409"
				  " after a new session id");
	else
		ret = client_http_fail(err, "transmission", resp->status);
	http_response_release(resp);
	return ret;
}

/* rpc_call() with a body made for it, freed here: NULL is a body that
 * could not be made. */
static int rpc_call_body(const struct download_client *c,
			 struct download_session *s, char *body,
			 struct http_response *resp, struct strbuf *err)
{
	int ret;

	if (!body)
		return client_fail(err, -ENOMEM, "transmission: out of"
				   " memory");
	ret = rpc_call(c, s, body, resp, err);
	free(body);
	return ret;
}

/*
 * Label torrent id with the category: Transmission before 4.0 ignores
 * labels in torrent-add. A failure leaves the torrent in, unlabelled.
 */
static void set_label(const struct download_client *c,
		      struct download_session *s, json_int_t id)
{
	struct strbuf err = STRBUF_INIT;
	struct http_response resp;
	json_t *doc = json_pack("{s:s, s:{s:[I], s:[s]}}", "method",
				"torrent-set", "arguments", "ids", id,
				"labels", c->category);
	char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

	json_decref(doc);
	if (!body) {
		log_error(-ENOMEM, "transmission: out of memory");
		return;
	}
	if (!rpc_call(c, s, body, &resp, &err)) {
		if (!strstr(resp.body.buf, "\"success\""))
			log_warn("transmission: torrent %lld not labelled:"
				 " %.100s", (long long)id, resp.body.buf);
		http_response_release(&resp);
	}
	free(body);
	strbuf_release(&err);
}

static int tr_send(const struct download_client *c,
		   const struct download_release *r,
		   const struct client_payload *p, const int *cancel,
		   char *hash, struct strbuf *err)
{
	struct download_session local = { 0 };
	struct download_session *s = c->session ? c->session : &local;
	struct http_response resp;
	char *body = add_request(c, p);
	json_int_t id;
	int ret;

	(void)r;
	(void)cancel;
	ret = rpc_call_body(c, s, body, &resp, err);
	if (ret < 0)
		return ret;
	ret = add_answer(&resp, &id, hash, err);
	http_response_release(&resp);
	if (!ret && id > 0 && c->category && *c->category)
		set_label(c, s, id);
	return ret;
}

/* torrent-get of the torrents whose hashStrings are ids, with the fields
 * download.h names. */
static int tr_list(const struct download_client *c, const char *const *ids,
		   size_t nr, json_t **out, struct strbuf *err)
{
	struct download_session local = { 0 };
	struct download_session *s = c->session ? c->session : &local;
	struct http_response resp;
	json_t *hashes = json_array(), *doc, *list;
	char *body = NULL;
	int ret;

	*out = NULL;
	for (size_t i = 0; hashes && i < nr; i++)
		if (json_array_append_new(hashes, json_string(ids[i]))) {
			json_decref(hashes);
			hashes = NULL;
		}
	doc = hashes ? json_pack("{s:s, s:{s:o, s:[s,s,s,s,s,s,s,s,s,s,s,s,"
				 "s]}}", "method", "torrent-get", "arguments",
				 "ids", hashes, "fields", "hashString",
				 "status", "percentDone", "leftUntilDone",
				 "metadataPercentComplete", "error",
				 "errorString", "downloadDir", "name",
				 "sizeWhenDone", "rateDownload", "files",
				 "wanted") : NULL;
	if (doc)
		body = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	ret = rpc_call_body(c, s, body, &resp, err);
	if (ret < 0)
		return ret;
	doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	http_response_release(&resp);
	list = json_object_get(json_object_get(doc, "arguments"), "torrents");
	if (!json_is_array(list))
		ret = client_fail(err, -EPROTO, "transmission: torrent-get:"
				  " unexpected answer (no torrents)");
	else
		*out = json_incref(list);
	json_decref(doc);
	return ret;
}

/*
 * A torrent-get object: a local error (error 3) failed, in its
 * errorString (a tracker's error or warning passes); status 0 stopped,
 * 1-2 checking, 3 waiting, 4 downloading, 5-6 seeding; complete when
 * nothing is left and the metadata is there. Its bytes: sizeWhenDone -
 * leftUntilDone, sizeWhenDone, rateDownload.
 */
static int tr_read(json_t *t, struct tracker_seen *out)
{
	json_t *status = json_object_get(t, "status");
	int done = tracker_number(t, "leftUntilDone") == 0 &&
		tracker_number(t, "metadataPercentComplete") >= 1;

	if (!*tracker_text(t, "hashString") || !json_is_integer(status))
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%s",
		 tracker_text(t, "hashString"));
	out->progress = tracker_number(t, "percentDone");
	tracker_set_bytes(out, tracker_less(tracker_bytes(t, "sizeWhenDone"),
					    tracker_bytes(t, "leftUntilDone")),
			  tracker_bytes(t, "sizeWhenDone"),
			  tracker_bytes(t, "rateDownload"));
	snprintf(out->path, sizeof(out->path), "%s/%s",
		 tracker_text(t, "downloadDir"), tracker_text(t, "name"));
	if (json_integer_value(json_object_get(t, "error")) == 3) {
		out->state = TRACKER_FAILED;
		snprintf(out->reason, sizeof(out->reason), "transmission:"
			 " %.200s", tracker_text(t, "errorString"));
	} else if (done) {
		out->state = TRACKER_COMPLETED;
	} else if (json_integer_value(status) == 4) {
		out->state = TRACKER_DOWNLOADING;
	} else {
		out->state = TRACKER_QUEUED;
	}
	return 0;
}

/* Whether the torrent t is id, its hashString. */
static int tr_matches(json_t *t, const char *id)
{
	return !strcasecmp(tracker_text(t, "hashString"), id);
}

/* The files of a torrent-get object that Transmission downloads: its
 * files' names, but those wanted says it skips. */
static int tr_files(const struct download_client *c, json_t *obj,
		    json_t **out, struct strbuf *err)
{
	json_t *files = json_object_get(obj, "files"), *f;
	json_t *wanted = json_object_get(obj, "wanted");
	const char *dir = json_string_value(json_object_get(obj,
							    "downloadDir"));
	size_t i;

	(void)c;
	if (!json_is_array(files) || !dir)
		return client_fail(err, -EPROTO, "transmission: torrent-get:"
				   " no files or downloadDir listed");
	*out = json_array();
	if (!*out)
		return -ENOMEM;
	json_array_foreach(files, i, f) {
		json_t *name = json_object_get(f, "name");
		json_t *want = json_array_get(wanted, i);

		if (!json_is_string(name) || (want && json_is_false(want)) ||
		    (json_is_integer(want) && !json_integer_value(want)))
			continue;
		if (client_add_path(*out, dir, json_string_value(name))) {
			json_decref(*out);
			*out = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

/* The string field of session-get's answer, appended to out. */
static int session_field(const struct download_client *c, const char *field,
			 struct strbuf *out, struct strbuf *err)
{
	struct download_session local = { 0 };
	struct download_session *s = c->session ? c->session : &local;
	struct http_response resp;
	json_t *doc = json_pack("{s:s, s:{s:[s]}}", "method", "session-get",
				"arguments", "fields", field);
	char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	int ret;

	json_decref(doc);
	if (!body)
		return -ENOMEM;
	ret = rpc_call(c, s, body, &resp, err);
	free(body);
	if (ret < 0)
		return ret;
	doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	http_response_release(&resp);
	ret = client_answer_string(doc, "arguments", field,
				   "transmission: session-get", out, err);
	json_decref(doc);
	return ret;
}

/* session-get of the version ("3.00 (bb6b5a062e)"). */
static int tr_version(const struct download_client *c, struct strbuf *out,
		      struct strbuf *err)
{
	return session_field(c, "version", out, err);
}

/* session-get of download-dir, where a torrent added without one goes. */
static int tr_home(const struct download_client *c, struct strbuf *out,
		   struct strbuf *err)
{
	return session_field(c, "download-dir", out, err);
}

const struct client_kind client_transmission = {
	.takes = LINKS_MAGNET | LINKS_TORRENT | CLIENT_URL,
	.url = 1,
	.send = tr_send,
	CLIENT_LISTS(tr),
	.files = tr_files,
	.version = tr_version,
	.home = tr_home,
};
