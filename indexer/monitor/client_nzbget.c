/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The NZBGet client (client.h): a release appended through its JSON-RPC,
 * its downloads listed and read (tracker.h), its version asked. It
 * chooses no release and reads no link: download.c hands it both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/client.h"
#include "indexer/monitor/tracker.h"

/* NZBGet answers a small JSON-RPC document; its history may be long. */
#define NZBGET_MAX_BODY (16u << 20)

/*
 * The append call for the web link p holds (NZBGet fetches it), with
 * the ten parameters of NZBGet 16 and later; a Filename ending in .nzb
 * tells it what the link gives.
 */
static char *append_request(const struct download_client *c,
			    const struct download_release *r,
			    const struct client_payload *p)
{
	struct strbuf name = STRBUF_INIT;
	json_t *doc;
	char *body;

	strbuf_addf(&name, "%s.nzb", r->title);
	doc = json_pack("{s:s, s:s, s:[s, s, s, i, b, b, s, i, s, []], s:i}",
			"version", "1.1", "method", "append",
			"params", name.buf, p->text,
			c->category ? c->category : "", 0, 0, 0, "", 0,
			"SCORE", "id", 1);
	body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	strbuf_release(&name);
	return body;
}

/* A result above 0 is the queue id (into id); 0 or less, or an error, a
 * refusal. */
static int append_answer(json_t *doc, char *id, struct strbuf *err)
{
	json_t *result = json_object_get(doc, "result");
	int ret = 0;

	if (!json_is_integer(result) && !json_is_boolean(result))
		ret = client_fail(err, -EPROTO, "nzbget: unexpected answer"
				  " (no result)");
	else if (json_is_integer(result) ? json_integer_value(result) <= 0 :
		 json_is_false(result))
		ret = client_fail(err, -EPROTO, "nzbget: the NZB was refused"
				  " (result %s)", json_is_integer(result) ?
				  "0 or less" : "false");
	else
		log_info("nzbget: NZB queued");
	if (!ret && json_is_integer(result))
		snprintf(id, DOWNLOAD_ID_MAX, "%lld",
			 (long long)json_integer_value(result));
	return ret;
}

/*
 * Call the JSON-RPC with body; *doc gets NZBGet's answer (to
 * json_decref()), unless it is an error object, which is a refusal in
 * its words after what ("the NZB was refused"). Returns 0 or a
 * negative errno value with err set.
 */
static int nzbget_call(const struct download_client *c, const char *body,
		       const char *what, const int *cancel, json_t **doc,
		       struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT, auth = STRBUF_INIT;
	const char *headers[2] = { NULL };
	struct http_request req = {
		.method = "POST",
		.headers = headers,
		.content_type = "application/json",
		.timeout_ms = c->timeout_ms,
		.max_body = NZBGET_MAX_BODY,
		.cancel = cancel,
		.body = body,
		.body_len = strlen(body),
	};
	struct http_response resp;
	const char *why;
	int ret;

	*doc = NULL;
	http_join(&url, c->url, "/jsonrpc");
	client_basic_auth(c->username, c->password, &auth);
	if (auth.len)
		headers[0] = auth.buf;
	req.url = url.buf;
	ret = http_perform(&req, &resp);
	client_wipe(auth.buf);
	strbuf_release(&auth);
	strbuf_release(&url);
	if (ret < 0) {
		strbuf_addf(err, "nzbget: %s", resp.error);
		return ret;
	}
	if (resp.status == 200)
		*doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	else if (resp.status == 401 || resp.status == 403)
		ret = client_fail(err, -EACCES, "nzbget: the user name or"
				  " password was refused (HTTP %ld)",
				  resp.status);
	else
		ret = client_http_fail(err, "nzbget", resp.status);
	http_response_release(&resp);
	why = json_string_value(json_object_get(json_object_get(*doc,
								"error"),
						"message"));
	if (why) {
		ret = client_fail(err, -EPROTO, "nzbget: %s: %.100s", what,
				  why);
		json_decref(*doc);
		*doc = NULL;
	}
	return ret;
}

static int nzbget_send(const struct download_client *c,
		       const struct download_release *r,
		       const struct client_payload *p, const int *cancel,
		       char *id, struct strbuf *err)
{
	char *body = append_request(c, r, p);
	json_t *doc;
	int ret;

	if (!body)
		return client_fail(err, -ENOMEM, "nzbget: out of memory");
	ret = nzbget_call(c, body, "the NZB was refused", cancel, &doc,
			  err);
	free(body);
	if (!ret)
		ret = append_answer(doc, id, err);
	json_decref(doc);
	return ret;
}

/* Whether the NZBID of item is one of ids. */
static int nzbget_wanted(json_t *item, const char *const *ids, size_t nr)
{
	char id[32];

	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(
			 json_object_get(item, "NZBID")));
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(ids[i], id))
			return 1;
	return 0;
}

/*
 * The status' DownloadRate (bytes/s, of all NZBGet downloads) given to
 * the one group of list in state DOWNLOADING, as its own: with two or
 * more, whose it is cannot be told. A status that cannot be read costs
 * the speed only, not the listing.
 */
static int nzbget_rate(const struct download_client *c, json_t *list,
		       struct strbuf *err)
{
	json_t *item, *one = NULL, *doc, *rate;
	size_t i, n = 0;
	int ret;

	json_array_foreach(list, i, item) {
		const char *status = json_string_value(
			json_object_get(item, "Status"));

		if (status && !strcmp(status, "DOWNLOADING")) {
			one = item;
			n++;
		}
	}
	if (n != 1)
		return 0;
	if (nzbget_call(c, "{\"version\":\"1.1\",\"method\":\"status\","
			"\"params\":[],\"id\":1}", "status refused", NULL,
			&doc, err)) {
		strbuf_reset(err);
		return 0;
	}
	rate = json_object_get(json_object_get(doc, "result"),
			       "DownloadRate");
	ret = rate && json_object_set(one, "DownloadRate", rate) ? -ENOMEM : 0;
	json_decref(doc);
	return ret;
}

/* The queue's groups (listgroups) and the history's items whose NZBID is
 * one of ids, a URL that could not be fetched in the history; the one
 * group downloading with its speed (nzbget_rate()). */
static int nzbget_list(const struct download_client *c,
		       const char *const *ids, size_t nr, json_t **out,
		       struct strbuf *err)
{
	static const char *const calls[] = {
		"{\"version\":\"1.1\",\"method\":\"listgroups\","
		"\"params\":[0],\"id\":1}",
		"{\"version\":\"1.1\",\"method\":\"history\","
		"\"params\":[false],\"id\":1}",
	};
	json_t *doc, *item;
	size_t i;
	int ret = 0;

	*out = json_array();
	if (!*out)
		return -ENOMEM;
	for (size_t k = 0; !ret && k < 2; k++) {
		ret = nzbget_call(c, calls[k], "listing refused", NULL,
				  &doc, err);
		if (ret)
			break;
		if (!json_is_array(json_object_get(doc, "result")))
			ret = client_fail(err, -EPROTO, "nzbget: unexpected"
					  " answer (no list)");
		json_array_foreach(json_object_get(doc, "result"), i, item)
			if (!ret && nzbget_wanted(item, ids, nr) &&
			    json_array_append(*out, item))
				ret = -ENOMEM;
		json_decref(doc);
	}
	if (!ret)
		ret = nzbget_rate(c, *out, err);
	if (ret) {
		json_decref(*out);
		*out = NULL;
	}
	return ret;
}

/* The 64-bit count name of g, in nameLo and nameHi (unsigned 32-bit
 * halves), or TRACKER_UNKNOWN. */
static long long lo_hi_of(json_t *g, const char *name)
{
	char lo_key[32], hi_key[32];
	long long lo, hi;

	snprintf(lo_key, sizeof(lo_key), "%sLo", name);
	snprintf(hi_key, sizeof(hi_key), "%sHi", name);
	lo = tracker_bytes(g, lo_key);
	hi = tracker_bytes(g, hi_key);
	if (lo < 0 || hi < 0 || lo > 0xffffffffLL || hi >= 1LL << 30)
		return TRACKER_UNKNOWN;
	return hi << 32 | lo;
}

/*
 * A listgroups or history object: in the history, SUCCESS/... (and
 * WARNING/SCRIPT: only a script complained) completed, any other status
 * failed (FAILURE/FETCH: the link could not be fetched; DELETED/MANUAL:
 * removed by the user); in the queue, QUEUED, PAUSED and FETCHING
 * queued, downloading and post-processing on its way. Its bytes:
 * FileSize - RemainingSize, the whole FileSize once in the history as a
 * success, and DownloadRate: its status' rate, which nzbget_list() gives
 * the one group downloading.
 */
static int nzbget_read(json_t *g, struct tracker_seen *out)
{
	const char *status = tracker_text(g, "Status");
	const char *dir = tracker_text(g, "FinalDir");
	double size = tracker_number(g, "FileSizeMB");
	int history = strchr(status, '/') != NULL;

	if (!json_is_integer(json_object_get(g, "NZBID")) || !*status)
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%lld", (long long)
		 json_integer_value(json_object_get(g, "NZBID")));
	snprintf(out->path, sizeof(out->path), "%s",
		 *dir ? dir : tracker_text(g, "DestDir"));
	out->progress = size > 0 ?
		1 - tracker_number(g, "RemainingSizeMB") / size : 0;
	tracker_set_bytes(out, tracker_less(lo_hi_of(g, "FileSize"),
					    lo_hi_of(g, "RemainingSize")),
			  lo_hi_of(g, "FileSize"),
			  tracker_bytes(g, "DownloadRate"));
	if (history && (!strncmp(status, "SUCCESS/", 8) ||
			!strcmp(status, "WARNING/SCRIPT"))) {
		out->state = TRACKER_COMPLETED;
		out->progress = 1;
		out->done = out->total;
	} else if (history) {
		out->state = TRACKER_FAILED;
		snprintf(out->reason, sizeof(out->reason), "nzbget: %s%s",
			 status, !strcmp(status, "FAILURE/FETCH") ?
			 " (the NZB could not be fetched)" :
			 !strcmp(status, "DELETED/MANUAL") ?
			 " (removed by the user)" : "");
	} else if (!strcmp(status, "QUEUED") || !strcmp(status, "PAUSED") ||
		   !strcmp(status, "FETCHING")) {
		out->state = TRACKER_QUEUED;
	} else {
		out->state = TRACKER_DOWNLOADING;
	}
	return 0;
}

/* Whether the group or history item g is id, its NZBID. */
static int nzbget_matches(json_t *g, const char *id)
{
	char nzbid[32];

	snprintf(nzbid, sizeof(nzbid), "%lld", (long long)
		 json_integer_value(json_object_get(g, "NZBID")));
	return !strcmp(nzbid, id);
}

/* The version method ("21.1"). */
static int nzbget_version(const struct download_client *c,
			  struct strbuf *out, struct strbuf *err)
{
	json_t *doc;
	int ret = nzbget_call(c, "{\"version\":\"1.1\",\"method\":"
			      "\"version\",\"params\":[]}", "version", NULL,
			      &doc, err);

	if (ret)
		return ret;
	ret = client_answer_string(doc, NULL, "result", "nzbget: version",
				   out, err);
	json_decref(doc);
	return ret;
}

/* The value of the option name in the config method's answer, or NULL. */
static const char *option(json_t *opts, const char *name)
{
	size_t i;
	json_t *o;

	json_array_foreach(opts, i, o)
		if (!strcasecmp(json_string_value(json_object_get(o, "Name")) ?
				json_string_value(json_object_get(o, "Name")) :
				"", name))
			return json_string_value(json_object_get(o, "Value"));
	return NULL;
}

/*
 * The config method: where a download of the category goes, its
 * CategoryN.DestDir when it has one, else DestDir (with the category's
 * folder inside it, by AppendCategoryDir).
 */
static int nzbget_home(const struct download_client *c, struct strbuf *out,
		       struct strbuf *err)
{
	const char *dir = NULL;
	char key[48];
	json_t *doc, *opts;
	int ret = nzbget_call(c, "{\"version\":\"1.1\",\"method\":"
			      "\"config\",\"params\":[]}", "config", NULL,
			      &doc, err);

	if (ret)
		return ret;
	opts = json_object_get(doc, "result");
	for (int i = 1; c->category && *c->category && i < 100; i++) {
		const char *name;

		snprintf(key, sizeof(key), "Category%d.Name", i);
		name = option(opts, key);
		if (!name)
			break;
		if (strcasecmp(name, c->category))
			continue;
		snprintf(key, sizeof(key), "Category%d.DestDir", i);
		dir = option(opts, key);
		break;
	}
	if (!dir || !*dir)
		dir = option(opts, "DestDir");
	if (dir && *dir)
		strbuf_addstr(out, dir);
	else
		ret = client_fail(err, -EPROTO, "nzbget: config: unexpected"
				  " answer (no DestDir)");
	json_decref(doc);
	return ret;
}

const struct client_kind client_nzbget = {
	.takes = CLIENT_URL,
	.url = 1,
	.send = nzbget_send,
	CLIENT_LISTS(nzbget),
	.version = nzbget_version,
	.home = nzbget_home,
};
