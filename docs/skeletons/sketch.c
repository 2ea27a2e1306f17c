/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The skeleton of a manga source (ARCHITECTURE.md, "A manga source"):
 * how many volumes of a series are out, asked by the id the series'
 * source names ("sketch:ID"), here in AniList's GraphQL shape so that
 * tests/unit/test_skeletons.c drives it against
 * tests/fakes/anilist_fake.py. Copy it to indexer/monitor/NAME.c, rename
 * sketch, add its row to common/manga_sources.def, and make its question
 * the row's:
 *
 *	int published_ask_NAME(struct monitor *m, const struct series *s,
 *			       const char *edition, struct answer *out)
 *	{
 *		return NAME_ask(m, m->NAME_t, &m->NAME, &m->c.NAME, s,
 *				edition, out);
 *	}
 *
 * (m->NAME_t, m->NAME and m->c.NAME exist once the row does), with
 * NAME_ask static. It searches no title: a source that does adds its
 * search and published_keep_id() (indexer/monitor/anilist.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/monitor_private.h"
#include "indexer/monitor/published_private.h"
#include "indexer/monitor/remote.h"
#include "indexer/monitor/series_meta.h"

#define SKETCH_URL "https://graphql.anilist.co"
#define SKETCH_MAX_ANSWER (1u << 20)	/* bytes */
#define SKETCH_QUERY "query ($id: Int) { Media(id: $id, type: MANGA)" \
	" { id volumes status } }"

/* What the source says of a series: kept in the cache as its form. */
struct sketch_info {
	long long id;			/* the record's id, > 0 */
	int count;			/* volumes out, 0 when unknown */
	char status[20];		/* "RELEASING", "FINISHED", ... */
	struct series_meta meta;	/* none asked here */
};

/* Read the answer {"data": {"Media": {"id", "volumes", "status"}}}
 * into info: 0, or -EPROTO for any other shape. */
static int sketch_parse(const char *body, size_t len,
			struct sketch_info *info)
{
	json_t *doc = json_loadb(body, len, 0, NULL);
	json_t *media = json_object_get(json_object_get(doc, "data"),
					"Media");
	json_t *volumes = json_object_get(media, "volumes");
	const char *status = json_string_value(json_object_get(media,
							       "status"));
	int rc = -EPROTO;

	memset(info, 0, sizeof(*info));
	info->id = json_integer_value(json_object_get(media, "id"));
	if (info->id > 0 && status &&
	    (json_is_null(volumes) || json_integer_value(volumes) > 0)) {
		info->count = (int)json_integer_value(volumes);
		snprintf(info->status, sizeof(info->status), "%s", status);
		rc = 0;
	}
	json_decref(doc);
	return rc;
}

/* Ask src for the record id into info: 0, or remote_send()'s errors,
 * -ENOMEM, or -EPROTO for an answer not of the documented shape. */
static int sketch_record(const struct remote_source *src, long long id,
			 const int *cancel, struct sketch_info *info)
{
	struct http_request req = {
		.method = "POST",
		.url = src->url ? src->url : SKETCH_URL,
		.content_type = "application/json",
		.timeout_ms = src->timeout_ms,
		.max_body = SKETCH_MAX_ANSWER,
		.cancel = cancel,
	};
	struct http_response resp;
	json_t *q = json_pack("{s:s,s:{s:I}}", "query", SKETCH_QUERY,
			      "variables", "id", (json_int_t)id);
	char *body = q ? json_dumps(q, JSON_COMPACT) : NULL;
	int rc;

	json_decref(q);
	if (!body)
		return log_error(-ENOMEM, "sketch: out of memory");
	req.body = body;
	req.body_len = strlen(body);
	rc = remote_send(src->throttle, &req, &resp);
	if (!rc)
		rc = sketch_parse(resp.body.buf, resp.body.len, info);
	http_response_release(&resp);
	free(body);
	return rc;
}

static const struct remote_field sketch_fields[] = {
	REMOTE_ID(struct sketch_info, id),
	REMOTE_INT(struct sketch_info, count),
	REMOTE_TEXT(struct sketch_info, status),
	REMOTE_META(struct sketch_info, meta),
};

static const struct remote_form sketch_info_form =
	REMOTE_FORM(sketch_fields, struct sketch_info, NULL);

/* A request in the shape monitor_with_retry() sends. */
struct sketch_ask_one {
	const struct remote_source *src;
	long long id;
	struct sketch_info info;
};

static int sketch_one(struct monitor *m, void *arg)
{
	struct sketch_ask_one *a = arg;

	return sketch_record(a->src, a->id, m->cancel, &a->info);
}

/* The row's question (see the opening comment): the count of the
 * record the series' source names, from the cache or one request. Not
 * static here only so that the skeleton builds with no row calling it. */
int sketch_ask(struct monitor *m, struct throttle *t,
	       const struct remote_source *src, int *requests,
	       const struct series *s, const char *edition,
	       struct answer *out)
{
	struct sketch_ask_one a = {
		.src = src, .id = published_number_id(s->source,
						       PREFIX(sketch)),
	};
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	int rc;

	(void)edition;		/* one count for every edition */
	if (!a.id)
		return -ENODATA;
	strbuf_addf(&key, "%lld", a.id);
	if (monitor_cached(m, "sketch", key.buf, &value, NULL) ||
	    remote_info_load(&sketch_info_form, value.buf, value.len,
			     &a.info)) {
		rc = monitor_with_retry(m, t, sketch_one, &a, requests);
		if (!rc)
			monitor_keep("sketch", key.buf, remote_info_dump(
					     &sketch_info_form, &a.info));
	} else {
		rc = 0;
	}
	if (!rc && !a.info.count)
		rc = -ENODATA;
	if (!rc) {
		out->count = a.info.count;
		snprintf(out->record, sizeof(out->record),
			 PREFIX(sketch) "%lld", a.info.id);
		snprintf(out->status, sizeof(out->status), "%s",
			 a.info.status);
	}
	published_report_ids(t, s, rc, a.id, a.info.id, 0, out);
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}
