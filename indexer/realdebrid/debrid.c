/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The debrid services behind one interface (debrid.h): which one the
 * configuration chose, Real-Debrid's table, and what the AllDebrid and
 * Premiumize clients share (a request and its answer's envelope, magnet
 * links, paging). It stores nothing and keeps no state.
 */
#include "indexer/realdebrid/debrid.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/config.h"
#include "common/http.h"
#include "common/json.h"
#include "common/listener.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/throttle.h"

#define HASH_LEN 40
#define BTIH "urn:btih:"

const struct debrid_ops debrid_realdebrid = {
	.name = "realdebrid",
	.title = "Real-Debrid",
	.list = rd_list,
	.info = rd_info,
	.add_magnet = rd_add_magnet,
	.select_files = rd_select_files,
	.del = rd_delete,
};

/* The services with their key and url, in the order they are chosen
 * (config_finish() refuses two keys). */
static const struct {
	const struct debrid_ops *ops;
	size_t key, url, user;
} services[] = {
	{ &debrid_realdebrid, offsetof(struct config, rd_api_token),
	  offsetof(struct config, rd_url), offsetof(struct config, rd_user) },
	{ &debrid_alldebrid, offsetof(struct config, ad_api_key),
	  offsetof(struct config, ad_url), offsetof(struct config, ad_user) },
	{ &debrid_premiumize, offsetof(struct config, pm_api_key),
	  offsetof(struct config, pm_url), offsetof(struct config, pm_user) },
};

static const char *field(const struct config *cfg, size_t offset)
{
	return *(char *const *)((const char *)cfg + offset);
}

static size_t configured(const struct config *cfg)
{
	for (size_t i = 0; i < ARRAY_SIZE(services); i++)
		if (field(cfg, services[i].key))
			return i;
	return 0;
}

const struct debrid_ops *debrid_configured(const struct config *cfg)
{
	return services[configured(cfg)].ops;
}

const char *debrid_key(const struct config *cfg)
{
	return field(cfg, services[configured(cfg)].key);
}

const char *debrid_url(const struct config *cfg)
{
	return field(cfg, services[configured(cfg)].url);
}

const struct config_user *debrid_user(const struct config *cfg)
{
	return (const struct config_user *)((const char *)cfg +
					    services[configured(cfg)].user);
}

static int is_hash(const char *s, size_t n)
{
	return n == HASH_LEN && strspn(s, "0123456789abcdefABCDEF") >= n;
}

int debrid_magnet_hash(const char *magnet, char **hash)
{
	const char *p = magnet ? strstr(magnet, BTIH) : NULL;
	size_t n;

	*hash = NULL;
	if (!p)
		return 0;
	p += strlen(BTIH);
	n = strcspn(p, "&");
	if (!is_hash(p, n))
		return 0;
	*hash = strndup(p, n);
	return *hash ? 0 : -ENOMEM;
}

int debrid_magnet_of(const char *hash_or_magnet, char **out)
{
	const char *s = hash_or_magnet;

	if (!s)
		return -EINVAL;
	if (is_hash(s, strlen(s)))
		return asprintf(out, "magnet:?xt=" BTIH "%s", s) < 0 ?
			-ENOMEM : 0;
	if (strncmp(s, "magnet:?", 8) || strpbrk(s, "\r\n"))
		return -EINVAL;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

int debrid_page(struct rd_torrent *all, size_t nr_all, long offset,
		int limit, struct rd_torrent **out, size_t *nr)
{
	size_t from = (size_t)offset, n;

	*out = NULL;
	*nr = 0;
	if (offset < 0 || limit < 1 || from >= nr_all)
		return 0;
	n = nr_all - from < (size_t)limit ? nr_all - from : (size_t)limit;
	*out = calloc(n, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	memcpy(*out, all + from, n * sizeof(**out));
	memset(all + from, 0, n * sizeof(**out));
	*nr = n;
	return 0;
}

/* The error code of an answer {"status": "error", ...}: AllDebrid's
 * error.code, else Premiumize's message; "" if neither. */
static const char *error_code(json_t *doc)
{
	json_t *e = json_object_get(doc, "error");
	const char *s = NULL;

	if (json_is_object(e))
		s = json_string_value(json_object_get(e, "code"));
	if (!s)
		s = json_string_value(json_object_get(doc, "message"));
	return s ? s : "";
}

void debrid_copy_error(const char *s, struct rd_result *res)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < sizeof(res->error); i++)
		res->error[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	res->error[i] = '\0';
}

/* Read the answer: 0 with *doc for a success, else the error, the
 * throttle told. */
static int read_answer(const struct rd_client *c,
		       const struct debrid_call *call,
		       const struct http_response *resp, json_t **doc,
		       struct rd_result *res)
{
	json_t *d = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	const char *status = json_string_value(json_object_get(d, "status"));
	int ok = resp->status >= 200 && resp->status <= 299;
	int rc;

	if (ok && status && !strcmp(status, "success")) {
		throttle_ok(c->throttle);
		*doc = d;
		return 0;
	}
	if (status && !strcmp(status, "error"))
		debrid_copy_error(error_code(d), res);
	json_decref(d);
	if (ok && !res->error[0]) {
		throttle_ok(c->throttle);
		return log_error(-EPROTO, "%s: %s: not a success nor an "
				 "error answer", call->svc, call->what);
	}
	rc = call->classify(resp->status, res->error);
	throttle_answered(c->throttle, rc, resp->status, resp->retry_after_s);
	if (rc == -EAGAIN)
		return log_error(rc, "%s: %s: rate limited (HTTP %ld %s), "
				 "retry after %.0f s", call->svc, call->what,
				 resp->status, res->error,
				 resp->retry_after_s);
	return log_error(rc, "%s: %s: %s (HTTP %ld %s)", call->svc,
			 call->what,
			 rc == -ENOSPC ? "no slot free" :
			 rc == -ENOENT ? "no such torrent" :
			 rc == -EACCES ? "the key was refused" : "failed",
			 resp->status, res->error);
}

int debrid_send(const struct rd_client *c, const struct debrid_call *call,
		const int *cancel, json_t **doc, struct rd_result *res)
{
	struct http_request req = {
		.method = call->method,
		.timeout_ms = c ? c->timeout_ms : 0,
		.cancel = cancel,
	};
	struct strbuf url = STRBUF_INIT, auth = STRBUF_INIT;
	struct http_response resp;
	const char *headers[3] = { "Accept: application/json" };
	const char *s;
	int ret;

	memset(res, 0, sizeof(*res));
	*doc = NULL;
	http_form_body(&req, call->form);
	if (!c || !c->token || !*c->token || !c->throttle)
		return log_error(-EINVAL, "%s: no key or throttle set",
				 call->svc);
	/* a control character would end the header or the query early */
	for (s = c->token; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return log_error(-EINVAL, "%s: the key holds a "
					 "control character", call->svc);
	ret = listener_check(call->svc, call->svc, c->url && *c->url ? c->url :
			     call->base, c->user);
	if (!ret)
		ret = throttle_acquire(c->throttle, cancel);
	if (ret < 0)
		return ret;
	http_join(&url, c->url && *c->url ? c->url : call->base, call->path);
	if (call->key_param) {
		strbuf_addf(&url, "%c%s=", strchr(call->path, '?') ? '&' : '?',
			    call->key_param);
		http_escape(c->token, 0, &url);
	} else {
		strbuf_addf(&auth, "Authorization: Bearer %s", c->token);
		headers[1] = auth.buf;
	}
	req.url = url.buf;
	req.headers = headers;
	ret = http_perform(&req, &resp);
	/* The key is a secret: leave no copy of it in freed memory. */
	if (url.len)
		memset(url.buf, 0, url.len);
	if (auth.len)
		memset(auth.buf, 0, auth.len);
	strbuf_release(&url);
	strbuf_release(&auth);
	res->elapsed_s = resp.elapsed_s;
	res->http_status = resp.status;
	if (ret < 0) {
		if (ret != -ECANCELED)
			throttle_failed(c->throttle);
		return ret;
	}
	ret = read_answer(c, call, &resp, doc, res);
	http_response_release(&resp);
	return ret;
}

int debrid_send_magnet(const struct rd_client *c, struct debrid_call *call,
		       const char *field, const char *hash_or_magnet,
		       const int *cancel, json_t **doc,
		       struct rd_result *res)
{
	struct strbuf form = STRBUF_INIT;
	char *magnet;
	int rc = debrid_magnet_of(hash_or_magnet, &magnet);

	*doc = NULL;
	if (rc)
		return rc == -ENOMEM ?
			debrid_protocol(call->svc, call->what, rc) :
			log_error(rc, "%s: %s: not a magnet link", call->svc,
				  call->what);
	strbuf_addf(&form, "%s=", field);
	http_escape(magnet, 0, &form);
	free(magnet);
	call->form = form.buf;
	rc = debrid_send(c, call, cancel, doc, res);
	call->form = NULL;
	strbuf_release(&form);
	return rc;
}

int debrid_protocol(const char *svc, const char *what, int rc)
{
	return rc == -EPROTO ? log_error(rc, "%s: %s: not the documented "
					 "answer", svc, what) :
		rc == -ENOMEM ? log_error(rc, "%s: out of memory", svc) : rc;
}
