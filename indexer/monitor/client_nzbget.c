#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/client.h"

/* NZBGet answers a small JSON-RPC document. */
#define NZBGET_MAX_BODY (64u << 10)

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

/* A result above 0 is the queue id; 0 or less, or an error, a refusal. */
static int append_answer(const struct http_response *resp,
			 struct strbuf *err)
{
	json_t *doc = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	json_t *result = json_object_get(doc, "result");
	const char *why = json_string_value(json_object_get(
		json_object_get(doc, "error"), "message"));
	int ret = 0;

	if (why)
		ret = client_fail(err, -EPROTO, "nzbget: the NZB was refused:"
				  " %.100s", why);
	else if (!json_is_integer(result) && !json_is_boolean(result))
		ret = client_fail(err, -EPROTO, "nzbget: unexpected answer"
				  " (no result)");
	else if (json_is_integer(result) ? json_integer_value(result) <= 0 :
		 json_is_false(result))
		ret = client_fail(err, -EPROTO, "nzbget: the NZB was refused"
				  " (result %s)", json_is_integer(result) ?
				  "0 or less" : "false");
	else
		log_info("nzbget: NZB queued");
	json_decref(doc);
	return ret;
}

static int nzbget_send(const struct download_client *c,
		       const struct download_release *r,
		       const struct client_payload *p, const int *cancel,
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
	};
	struct http_response resp;
	char *body = append_request(c, r, p);
	int ret;

	if (!body)
		return client_fail(err, -ENOMEM, "nzbget: out of memory");
	http_join(&url, c->url, "/jsonrpc");
	client_basic_auth(c->username, c->password, &auth);
	if (auth.len)
		headers[0] = auth.buf;
	req.url = url.buf;
	req.body = body;
	req.body_len = strlen(body);
	ret = http_perform(&req, &resp);
	client_wipe(auth.buf);
	strbuf_release(&auth);
	strbuf_release(&url);
	free(body);
	if (ret < 0) {
		strbuf_addf(err, "nzbget: %s", resp.error);
		return ret;
	}
	if (resp.status == 200)
		ret = append_answer(&resp, err);
	else if (resp.status == 401 || resp.status == 403)
		ret = client_fail(err, -EACCES, "nzbget: the user name or"
				  " password was refused (HTTP %ld)",
				  resp.status);
	else
		ret = client_http_fail(err, "nzbget", resp.status);
	http_response_release(&resp);
	return ret;
}

static int nzbget_ready(const struct download_client *c, struct strbuf *err)
{
	if (!c->url || !*c->url)
		return client_fail(err, -EINVAL, "nzbget: no url set");
	return 0;
}

const struct client_kind client_nzbget = {
	.name = "nzbget",
	.protocol = "usenet",
	.takes = CLIENT_URL,
	.url = 1,
	.ready = nzbget_ready,
	.send = nzbget_send,
};
