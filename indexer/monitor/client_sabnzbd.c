#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/client.h"

/* SABnzbd answers a small JSON document. */
#define SAB_MAX_BODY (64u << 10)

/* The API call adding the web link p holds, named as the release. */
static void addurl(const struct download_client *c,
		   const struct download_release *r,
		   const struct client_payload *p, struct strbuf *url)
{
	http_join(url, c->url, "/api?mode=addurl&output=json&name=");
	http_escape(p->text, 0, url);
	strbuf_addstr(url, "&nzbname=");
	http_escape(r->title, 0, url);
	if (c->category && *c->category) {
		strbuf_addstr(url, "&cat=");
		http_escape(c->category, 0, url);
	}
	strbuf_addstr(url, "&apikey=");
	http_escape(c->api_key, 0, url);
}

/*
 * Read addurl's answer: {"status": true, "nzo_ids": [...]} when queued;
 * status false with an "error", or with no nzo_ids (a duplicate it
 * rejects, a link that is not http), when not.
 */
static int add_answer(const struct http_response *resp, char *id,
		      struct strbuf *err)
{
	json_t *doc = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	json_t *status = json_object_get(doc, "status");
	const char *why = json_string_value(json_object_get(doc, "error"));
	int ret = 0;

	if (!json_is_boolean(status))
		ret = client_fail(err, -EPROTO, "sabnzbd: unexpected answer"
				  " (no status)");
	else if (json_is_false(status) && why)
		ret = client_fail(err, -EPROTO, "sabnzbd: the NZB was"
				  " refused: %.100s", why);
	else if (json_is_false(status))
		ret = client_fail(err, -EPROTO, "sabnzbd: the NZB was"
				  " refused (a duplicate, or a link it cannot"
				  " fetch)");
	else
		log_info("sabnzbd: NZB queued");
	if (!ret)
		snprintf(id, DOWNLOAD_ID_MAX, "%s", json_string_value(
				 json_array_get(json_object_get(doc, "nzo_ids"),
						0)) ?: "");
	json_decref(doc);
	return ret;
}

/* Whether an answer is a line of plain words, fit to quote. */
static int plain(const struct strbuf *b)
{
	if (!b->len || b->buf[0] == '<')
		return 0;
	for (size_t i = 0; i < b->len; i++)
		if ((unsigned char)b->buf[i] < 0x20)
			return 0;
	return 1;
}

static int sab_send(const struct download_client *c,
		    const struct download_release *r,
		    const struct client_payload *p, const int *cancel,
		    char *id, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT;
	struct http_request req = {
		.timeout_ms = c->timeout_ms,
		.max_body = SAB_MAX_BODY,
		.cancel = cancel,
	};
	struct http_response resp;
	int ret;

	addurl(c, r, p, &url);
	req.url = url.buf;
	ret = http_perform(&req, &resp);
	client_wipe(url.buf);
	strbuf_release(&url);
	if (ret < 0) {
		strbuf_addf(err, "sabnzbd: %s", resp.error);
		return ret;
	}
	strbuf_rtrim(&resp.body);
	if (resp.status == 200)
		ret = add_answer(&resp, id, err);
	else if (resp.status == 401 || resp.status == 403)
		/* Its words: "API Key Incorrect", "API Key Required", or
		 * "External internet access denied ..." */
		ret = client_fail(err, -EACCES, "sabnzbd: refused (HTTP %ld):"
				  " %.100s", resp.status, plain(&resp.body) ?
				  resp.body.buf : "check the API key");
	else
		ret = client_http_fail(err, "sabnzbd", resp.status);
	http_response_release(&resp);
	return ret;
}

static int sab_ready(const struct download_client *c, struct strbuf *err)
{
	if (!c->url || !*c->url)
		return client_fail(err, -EINVAL, "sabnzbd: no url set");
	if (!c->api_key || !*c->api_key)
		return client_fail(err, -EINVAL, "sabnzbd: no api_key set");
	return 0;
}

const struct client_kind client_sabnzbd = {
	.name = "sabnzbd",
	.protocol = "usenet",
	.takes = CLIENT_URL,
	.url = 1,
	.ready = sab_ready,
	.send = sab_send,
};
