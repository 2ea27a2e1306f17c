/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The aria2 client (client.h): aria2c's JSON-RPC (--enable-rpc, url
 * "http://host:6800/jsonrpc"), its RPC secret the [download] password,
 * sent as the "token:" first parameter of every call. A web link or a
 * magnet goes by aria2.addUri, a torrent's bytes by aria2.addTorrent,
 * save_path as the "dir" option; its downloads are listed by
 * tellStopped, tellWaiting and tellActive, its default folder is
 * getGlobalOption's dir, its version getVersion's. It chooses no release
 * and reads no link: download.c hands it both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/base64.h"
#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/client.h"
#include "indexer/monitor/tracker.h"

/* An answer of one value is small; a list may be long. */
#define ARIA2_MAX_BODY (64u << 10)
#define ARIA2_MAX_LIST (16u << 20)
/* aria2 keeps up to 1000 stopped downloads (--max-download-result). */
#define ARIA2_LIST_MAX 1000

/* The request's body: method with params (stolen), the secret first
 * when one is set. NULL when out of memory. A secret: client_wipe() it. */
static char *rpc_body(const struct download_client *c, const char *method,
		      json_t *params)
{
	struct strbuf token = STRBUF_INIT;
	json_t *req;
	char *body = NULL;

	if (params && c->password && *c->password) {
		strbuf_addf(&token, "token:%s", c->password);
		if (json_array_insert_new(params, 0, json_string(token.buf))) {
			json_decref(params);
			params = NULL;
		}
		client_wipe(token.buf);
		strbuf_release(&token);
	}
	if (!params)
		return NULL;
	req = json_pack("{s:s, s:s, s:s, s:o}", "jsonrpc", "2.0", "id",
			"mediamon", "method", method, "params", params);
	if (req)
		body = json_dumps(req, JSON_COMPACT);
	if (req && json_array_size(params) && c->password && *c->password)
		client_wipe((char *)json_string_value(json_array_get(params,
								     0)));
	json_decref(req);
	return body;
}

/*
 * aria2's error object: "Unauthorized" (a wrong or missing secret) is
 * -EACCES, any other its refusal, -EPROTO, in its words.
 */
static int rpc_error(json_t *error, const char *method, struct strbuf *err)
{
	const char *msg = tracker_text(error, "message");

	if (!strcmp(msg, "Unauthorized"))
		return client_fail(err, -EACCES, "aria2: the RPC secret was"
				   " refused: [download] password must be"
				   " aria2c's --rpc-secret");
	return client_fail(err, -EPROTO, "aria2: %s refused: %.200s", method,
			   *msg ? msg : "no reason given");
}

/*
 * Call method with params (stolen) and give its result in *result (to
 * json_decref()): 0, or a negative errno value with err set. aria2
 * answers an error object with 400 (its secret refused included).
 */
static int rpc(const struct download_client *c, const char *method,
	       json_t *params, size_t max_body, const int *cancel,
	       json_t **result, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT;
	struct http_request req = { .method = "POST", .max_body = max_body,
				    .timeout_ms = c->timeout_ms,
				    .content_type = "application/json",
				    .cancel = cancel };
	struct http_response resp;
	char *body = rpc_body(c, method, params);
	json_t *doc = NULL;
	int ret;

	*result = NULL;
	if (!body)
		return client_fail(err, -ENOMEM, "aria2: out of memory");
	client_rpc_url(c->url, "/jsonrpc", &url);
	req.url = url.buf;
	req.body = body;
	req.body_len = strlen(body);
	ret = http_perform(&req, &resp);
	client_wipe(body);
	free(body);
	strbuf_release(&url);
	if (ret < 0)
		strbuf_addf(err, "aria2: %s", resp.error);
	else if (resp.status != 200 && resp.status != 400)
		ret = client_http_fail(err, "aria2", resp.status);
	else if (!(doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL)))
		ret = client_fail(err, -EPROTO, "aria2: unexpected answer"
				  " (not JSON)");
	else if (json_object_get(doc, "error"))
		ret = rpc_error(json_object_get(doc, "error"), method, err);
	else if (!(*result = json_incref(json_object_get(doc, "result"))))
		ret = client_fail(err, -EPROTO, "aria2: unexpected answer"
				  " (no result)");
	json_decref(doc);
	http_response_release(&resp);
	return ret;
}

/* The params of an add: the link or the torrent (base64, no web seed),
 * then the options, save_path as dir. NULL when out of memory. */
static json_t *add_params(const struct download_client *c,
			  const struct client_payload *p)
{
	struct strbuf b64 = STRBUF_INIT;
	json_t *opts = json_object(), *params;

	if (opts && c->save_path && *c->save_path &&
	    json_object_set_new(opts, "dir", json_string(c->save_path))) {
		json_decref(opts);
		return NULL;
	}
	if (p->kind == LINKS_TORRENT) {
		base64_encode(p->data, p->len, &b64);
		params = json_pack("[s, [], o]", b64.buf, opts);
	} else {
		params = json_pack("[[s], o]", p->text, opts);
	}
	strbuf_release(&b64);
	return params;
}

/* Hand p to aria2: taken when it answers the download's gid, its id. */
static int aria2_send(const struct download_client *c,
		      const struct download_release *r,
		      const struct client_payload *p, const int *cancel,
		      char *id, struct strbuf *err)
{
	const char *method = p->kind == LINKS_TORRENT ? "aria2.addTorrent" :
		"aria2.addUri";
	json_t *gid;
	int ret = rpc(c, method, add_params(c, p), ARIA2_MAX_BODY, cancel,
		      &gid, err);

	if (!ret && (!json_is_string(gid) || !*json_string_value(gid)))
		ret = client_fail(err, -EPROTO, "aria2: unexpected answer"
				  " (no gid)");
	if (!ret) {
		snprintf(id, DOWNLOAD_ID_MAX, "%s", json_string_value(gid));
		log_info("aria2: \"%s\" added as %s", r->title, id);
	}
	json_decref(gid);
	return ret;
}

/* Whether a download is one of ids: its gid, or the gid it follows (the
 * torrent a magnet's metadata led to). */
static int aria2_wanted(json_t *obj, const char *const *ids, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(tracker_text(obj, "gid"), ids[i]) ||
		    !strcmp(tracker_text(obj, "following"), ids[i]))
			return 1;
	return 0;
}

/* The params of a list call: its window (none for tellActive) and the
 * keys read. */
static json_t *list_params(int window)
{
	json_t *keys = json_pack("[s,s,s,s,s,s,s,s,s,s,s,s]", "gid", "status",
				 "totalLength", "completedLength",
				 "downloadSpeed", "errorCode", "errorMessage",
				 "dir", "files", "following", "followedBy",
				 "bittorrent");

	if (!window)
		return json_pack("[o]", keys);
	return json_pack("[i, i, o]", 0, ARIA2_LIST_MAX, keys);
}

/* list with the downloads that follow another (a magnet's torrent) put
 * last, where tracker_find() finds them before the one they follow. */
static int followers_last(json_t **list)
{
	json_t *sorted = json_array(), *obj;
	size_t i;
	int ret = sorted ? 0 : -ENOMEM;

	for (int pass = 0; !ret && pass < 2; pass++)
		json_array_foreach(*list, i, obj)
			if (!ret && !*tracker_text(obj, "following") == !pass &&
			    json_array_append(sorted, obj))
				ret = -ENOMEM;
	json_decref(ret ? sorted : *list);
	if (!ret)
		*list = sorted;
	return ret;
}

/*
 * The waiting downloads of ids, then the active, then the stopped ones,
 * in the order a download goes through them, so that one that moves on
 * between two calls is listed twice rather than missed (the last says
 * most); those following another last of all.
 */
static int aria2_list(const struct download_client *c,
		      const char *const *ids, size_t nr, json_t **out,
		      struct strbuf *err)
{
	static const char *const methods[] = { "aria2.tellWaiting",
		"aria2.tellActive", "aria2.tellStopped" };
	json_t *got, *obj;
	size_t i;
	int ret = 0;

	*out = json_array();
	if (!*out)
		return -ENOMEM;
	for (size_t k = 0; !ret && k < 3; k++) {
		ret = rpc(c, methods[k], list_params(k != 1), ARIA2_MAX_LIST,
			  NULL, &got, err);
		if (!ret && !json_is_array(got))
			ret = client_fail(err, -EPROTO, "aria2: unexpected"
					  " answer of %s", methods[k]);
		json_array_foreach(got, i, obj)
			if (!ret && aria2_wanted(obj, ids, nr) &&
			    json_array_append(*out, obj))
				ret = -ENOMEM;
		json_decref(got);
	}
	if (!ret)
		ret = followers_last(out);
	if (ret) {
		json_decref(*out);
		*out = NULL;
	}
	return ret;
}

/* A count aria2 gives as decimal text ("1234"), or TRACKER_UNKNOWN. */
static long long count_of(json_t *obj, const char *key)
{
	const char *s = tracker_text(obj, key);
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (!*s || *end || errno || n < 0)
		return TRACKER_UNKNOWN;
	return n;
}

/* Where a download's content is: a torrent's dir/name, else its first
 * file's path (a web link's one file); none for a magnet's metadata
 * ("[METADATA]NAME"). */
static void content_path(json_t *obj, struct tracker_seen *out)
{
	json_t *info = json_object_get(json_object_get(obj, "bittorrent"),
				       "info");
	const char *first = tracker_text(json_array_get(json_object_get(obj,
						"files"), 0), "path");

	if (!strncmp(first, "[METADATA]", 10))
		out->path[0] = '\0';
	else if (*tracker_text(info, "name"))
		snprintf(out->path, sizeof(out->path), "%s/%s",
			 tracker_text(obj, "dir"), tracker_text(info, "name"));
	else
		snprintf(out->path, sizeof(out->path), "%s", first);
}

/*
 * A download's status: active downloading, waiting and paused queued,
 * complete completed (but a magnet's metadata, complete with a
 * followedBy, is on its way: its torrent follows), error failed with its
 * errorMessage and errorCode (3: the link gave 404), removed failed.
 * Its bytes: completedLength of totalLength (0 until a torrent's
 * metadata came), at downloadSpeed.
 */
static int aria2_read(json_t *obj, struct tracker_seen *out)
{
	const char *status = tracker_text(obj, "status");
	long long done = count_of(obj, "completedLength");
	long long total = count_of(obj, "totalLength");

	if (!*tracker_text(obj, "gid") || !*status)
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%s", tracker_text(obj, "gid"));
	content_path(obj, out);
	out->progress = total > 0 && done >= 0 && done <= total ?
		(double)done / total : 0;
	tracker_set_bytes(out, done, total, count_of(obj, "downloadSpeed"));
	if (!strcmp(status, "active"))
		out->state = TRACKER_DOWNLOADING;
	else if (!strcmp(status, "waiting") || !strcmp(status, "paused"))
		out->state = TRACKER_QUEUED;
	else if (!strcmp(status, "complete"))
		out->state = json_array_size(json_object_get(obj,
				"followedBy")) ? TRACKER_DOWNLOADING :
			TRACKER_COMPLETED;
	else if (!strcmp(status, "error") || !strcmp(status, "removed"))
		out->state = TRACKER_FAILED;
	else
		return -EINVAL;
	if (out->state == TRACKER_FAILED)
		snprintf(out->reason, sizeof(out->reason), "aria2: %.200s"
			 " (error code %.20s)", *tracker_text(obj,
			 "errorMessage") ? tracker_text(obj, "errorMessage") :
			 status, *tracker_text(obj, "errorCode") ?
			 tracker_text(obj, "errorCode") : "none");
	return 0;
}

/* Whether obj is the download id: its gid, or the one it follows. */
static int aria2_matches(json_t *obj, const char *id)
{
	return !strcmp(tracker_text(obj, "gid"), id) ||
		!strcmp(tracker_text(obj, "following"), id);
}

/* One call without arguments but the secret, and its result's string
 * member as what. */
static int rpc_string(const struct download_client *c, const char *method,
		      const char *key, struct strbuf *out, struct strbuf *err)
{
	json_t *result;
	int ret = rpc(c, method, json_array(), ARIA2_MAX_BODY, NULL, &result,
		      err);

	if (!ret)
		ret = client_answer_string(result, NULL, key, method, out,
					   err);
	json_decref(result);
	return ret;
}

static int aria2_version(const struct download_client *c, struct strbuf *out,
			 struct strbuf *err)
{
	return rpc_string(c, "aria2.getVersion", "version", out, err);
}

/* Its --dir, where a download without the dir option goes. */
static int aria2_home(const struct download_client *c, struct strbuf *out,
		      struct strbuf *err)
{
	return rpc_string(c, "aria2.getGlobalOption", "dir", out, err);
}

const struct client_kind client_aria2 = {
	.takes = LINKS_MAGNET | LINKS_TORRENT | CLIENT_URL,
	.url = 1,
	.send = aria2_send,
	CLIENT_LISTS(aria2),
	.version = aria2_version,
	.home = aria2_home,
};
