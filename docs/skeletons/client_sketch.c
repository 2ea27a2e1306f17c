/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The skeleton of a download client (ARCHITECTURE.md, "A download
 * client"): the least a client is, here speaking SABnzbd's API (version
 * and addurl) so that tests/unit/test_skeletons.c drives it against
 * tests/fakes/sabnzbd_fake.py. Copy it to indexer/monitor/client_NAME.c,
 * rename sketch, and add its row to common/download_clients.def. It
 * lists no download (no CLIENT_LISTS(): the tracker then only probes
 * it); it chooses no release and reads no link: download.c does.
 */
#include <errno.h>
#include <stdio.h>

#include <jansson.h>

#include "common/http.h"
#include "common/strbuf.h"
#include "indexer/monitor/client.h"

/*
 * GET base + path + the escaped key and read the JSON answer into *doc
 * (to json_decref()): 0, or a negative errno value with err set.
 */
static int sketch_get(const struct download_client *c, const char *path,
		      const int *cancel, json_t **doc, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT;
	struct http_request req = { .timeout_ms = c->timeout_ms,
				    .cancel = cancel };
	struct http_response resp;
	int ret;

	http_join(&url, c->url, path);
	http_escape(c->api_key ? c->api_key : "", 0, &url);
	req.url = url.buf;
	ret = http_perform(&req, &resp);
	client_wipe(url.buf);
	strbuf_release(&url);
	*doc = NULL;
	if (ret < 0)
		strbuf_addf(err, "sketch: %s", resp.error);
	else if (resp.status == 403)
		ret = client_fail(err, -EACCES, "sketch: the API key is"
				  " refused");
	else if (resp.status != 200)
		ret = client_http_fail(err, "sketch", resp.status);
	else if (!(*doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL)))
		ret = client_fail(err, -EPROTO, "sketch: not JSON");
	http_response_release(&resp);
	return ret;
}

/* Hand the web link p holds to the client: queued when it says status
 * true, the first of its nzo_ids the download's id. */
static int sketch_send(const struct download_client *c,
		       const struct download_release *r,
		       const struct client_payload *p, const int *cancel,
		       char *id, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	json_t *doc;
	int ret;

	strbuf_addstr(&path, "/api?mode=addurl&output=json&name=");
	http_escape(p->text, 0, &path);
	strbuf_addstr(&path, "&nzbname=");
	http_escape(r->title, 0, &path);
	strbuf_addstr(&path, "&apikey=");
	ret = sketch_get(c, path.buf, cancel, &doc, err);
	strbuf_release(&path);
	if (!ret && !json_is_true(json_object_get(doc, "status")))
		ret = client_fail(err, -EPROTO, "sketch: the link was"
				  " refused");
	if (!ret)
		snprintf(id, DOWNLOAD_ID_MAX, "%s", json_string_value(
			 json_array_get(json_object_get(doc, "nzo_ids"), 0)) ?:
			 "");
	json_decref(doc);
	return ret;
}

/* What the client says of itself: one request that changes nothing. */
static int sketch_version(const struct download_client *c,
			  struct strbuf *out, struct strbuf *err)
{
	json_t *doc;
	int ret = sketch_get(c, "/api?mode=version&output=json&apikey=",
			     NULL, &doc, err);

	if (!ret && !json_is_string(json_object_get(doc, "version")))
		ret = client_fail(err, -EPROTO, "sketch: no version");
	if (!ret)
		strbuf_addstr(out, json_string_value(json_object_get(
				       doc, "version")));
	json_decref(doc);
	return ret;
}

static int sketch_ready(const struct download_client *c, struct strbuf *err)
{
	if (!c->api_key || !*c->api_key)
		return client_fail(err, -EINVAL, "sketch: no api_key set");
	return 0;
}

const struct client_kind client_sketch = {
	.takes = CLIENT_URL,
	.url = 1,
	.ready = sketch_ready,
	.send = sketch_send,
	.version = sketch_version,
};
