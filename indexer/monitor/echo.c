/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The manga source echo (a row of common/manga_sources.def), a toy: how
 * many volumes of a series are out, from GET URL/volumes/ID where the
 * series' source names "echo:ID", answered {"id": ID, "volumes": N,
 * "status": TEXT}. A series whose source names no echo id has no count
 * here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/monitor_private.h"
#include "indexer/monitor/published_private.h"
#include "indexer/monitor/remote.h"
#include "indexer/monitor/series_meta.h"

#define ECHO_URL "http://127.0.0.1:1"
#define ECHO_MAX_ANSWER (1u << 16)	/* bytes */

struct echo_info {
	long long id;
	int count;
	char status[20];
	struct series_meta meta;
};

static int echo_parse(const char *body, size_t len, struct echo_info *io)
{
	json_t *root, *vol, *status;
	char what[32];
	int rc;

	snprintf(what, sizeof(what), "series %lld", io->id);
	rc = remote_load("echo", what, body, len, ECHO_MAX_ANSWER, &root);
	if (rc)
		return rc;
	vol = json_object_get(root, "volumes");
	status = json_object_get(root, "status");
	if (!json_is_integer(vol) || json_integer_value(vol) < 0 ||
	    json_integer_value(vol) > 9999 || !json_is_string(status)) {
		json_decref(root);
		return log_error(-EPROTO, "echo: %s: not the documented answer",
				 what);
	}
	io->count = (int)json_integer_value(vol);
	snprintf(io->status, sizeof(io->status), "%s",
		 json_string_value(status));
	series_meta_set(io->meta.status, sizeof(io->meta.status), io->status);
	json_decref(root);
	return 0;
}

static int echo_volumes(const struct remote_source *src, const int *cancel,
			struct echo_info *io)
{
	struct strbuf url = STRBUF_INIT;
	struct http_request req = {
		.method = "GET",
		.timeout_ms = src->timeout_ms,
		.max_body = ECHO_MAX_ANSWER,
		.cancel = cancel,
	};
	struct http_response resp;
	int err;

	if (!src->throttle)
		return -EINVAL;
	strbuf_addf(&url, "%s/volumes/%lld", src->url ? src->url : ECHO_URL,
		    io->id);
	req.url = url.buf;
	err = remote_send(src->throttle, &req, &resp);
	if (!err)
		err = echo_parse(resp.body.buf, resp.body.len, io);
	http_response_release(&resp);
	strbuf_release(&url);
	return err;
}

static const struct remote_field echo_fields[] = {
	REMOTE_ID(struct echo_info, id),
	REMOTE_INT(struct echo_info, count),
	REMOTE_TEXT(struct echo_info, status),
	REMOTE_META(struct echo_info, meta),
};

static const struct remote_form echo_info_form =
	REMOTE_FORM(echo_fields, struct echo_info, NULL);

static int send_echo(struct monitor *m, void *arg)
{
	return echo_volumes(&m->echo, m->cancel, arg);
}

int published_ask_echo(struct monitor *m, const struct series *s,
		       const char *edition, struct answer *out)
{
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	struct echo_info info = {
		.id = published_number_id(s->source, PREFIX(echo)),
	};
	long long asked = info.id;
	int rc;

	(void)edition;
	if (!info.id)
		return -ENODATA;
	strbuf_addf(&key, "%lld", info.id);
	if (!monitor_cached(m, "echo", key.buf, &value, NULL) &&
	    !remote_info_load(&echo_info_form, value.buf, value.len, &info))
		goto take;
	rc = monitor_with_retry(m, m->echo_t, send_echo, &info, &m->c.echo);
	if (rc)
		goto out;
	monitor_keep("echo", key.buf,
		     remote_info_dump(&echo_info_form, &info));
take:
	rc = 0;
	out->count = info.count;
	snprintf(out->record, sizeof(out->record), PREFIX(echo) "%lld",
		 info.id);
	snprintf(out->status, sizeof(out->status), "%s", info.status);
	out->meta = info.meta;
out:
	published_report_ids(m->echo_t, s->name, rc, asked, info.id, 0, out);
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}
