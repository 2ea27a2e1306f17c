/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The manga source Kitsu (a row of common/manga_sources.def): how many
 * volumes of a manga, manhwa or manhua are out in its original
 * language, from Kitsu's public JSON:API (https://kitsu.io/api/edge);
 * the monitor asks it through published_ask_kitsu()
 * (published_private.h), which answers from the cache or one request
 * and reports how it went. Which sources are asked and what a count
 * changes is published.c's; this file must not write the store but
 * through published_keep_id().
 *
 * One GET, with "Accept: application/vnd.api+json": URL/manga/ID when
 * the series' source names "kitsu:ID", whose answer is {"data": {a
 * manga}}; URL/manga?filter[text]=TITLE&page[limit]=20 otherwise,
 * whose answer is {"data": [manga...], "meta", "links"}. A manga is
 * {"id": "38", "type": "manga", "attributes": {"canonicalTitle",
 * "titles": {"en", "en_jp", "ja_jp", ...}, "abbreviatedTitles",
 * "synopsis", "slug", "status", "subtype", "volumeCount",
 * "posterImage": {"original", ...}, ...}}: its id a string of digits.
 * "volumeCount" is null, or 0, while Kitsu has no count (a series that
 * runs); "status" is "current", "finished", "tba", "unreleased" or
 * "upcoming"; "subtype" "manga", "manhwa", "manhua", "oneshot",
 * "doujin", "novel" or "oel": a novel is never taken, and the subtype
 * tells the edition of the original (ja, ko, zh; none for "oel").
 *
 * Of the records of a search that bear the title (canonical, in one of
 * its titles or abbreviated ones), one of the edition's original goes
 * first, a series before a one-shot; two as good are a tie, neither
 * taken (-EEXIST). A record of another shape is passed over; an answer
 * with no "data" of the form asked is refused whole.
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

#define KITSU_URL "https://kitsu.io/api/edge"
#define KITSU_PAGE_URL "https://kitsu.io/manga/"
#define KITSU_MAX_COUNT 9999
#define KITSU_MAX_ANSWER (2u << 20)	/* bytes: 20 records are ~150 kB */

/* What Kitsu says of a manga: kept in the cache as its form. */
struct kitsu_info {
	long long id;			/* the record's id, > 0 */
	char subtype[12];		/* "manga", "manhwa", ... or "" */
	char status[16];		/* "current", "finished", ... or "" */
	int count;			/* volumeCount, 0 when null */
	long long other;		/* with -EEXIST: the other record */
	struct series_meta meta;	/* what the record says */
};

/* Its form in the cache: remote_info_dump() and remote_info_load(). */
static const struct remote_field kitsu_fields[] = {
	REMOTE_META(struct kitsu_info, meta),
	REMOTE_INT(struct kitsu_info, count),
	REMOTE_TEXT(struct kitsu_info, status),
	REMOTE_TEXT(struct kitsu_info, subtype),
	REMOTE_ID(struct kitsu_info, id),
};

static const struct remote_form kitsu_info_form =
	REMOTE_FORM(kitsu_fields, struct kitsu_info, NULL);

/* JSON:API's media type, which Kitsu answers in */
static const char *const kitsu_headers[] = {
	"Accept: application/vnd.api+json",
	NULL
};

/* The edition the original of a record of subtype is: ja for a manga,
 * a one-shot or a doujin, ko for a manhwa, zh for a manhua; NULL for
 * none ("oel", a novel, an unknown subtype). */
static const char *kitsu_edition(const char *subtype)
{
	if (!subtype)
		return NULL;
	if (!strcmp(subtype, "manhwa"))
		return "ko";
	if (!strcmp(subtype, "manhua"))
		return "zh";
	return !strcmp(subtype, "manga") || !strcmp(subtype, "oneshot") ||
	       !strcmp(subtype, "doujin") ? "ja" : NULL;
}

/* The record's id: a string of decimal digits above 0, else 0. */
static long long kitsu_id(json_t *id)
{
	const char *s = json_string_value(id);
	char *end;
	long long n;

	if (!s || !*s || strspn(s, "0123456789") != strlen(s) ||
	    strlen(s) > 15)
		return 0;
	n = strtoll(s, &end, 10);
	return n > 0 ? n : 0;
}

/* A text member of attr that is null or a string shorter than size. */
static int kitsu_text_ok(json_t *attr, const char *key, size_t size)
{
	json_t *v = json_object_get(attr, key);

	return !v || json_is_null(v) ||
	       (json_is_string(v) && json_string_length(v) < size);
}

/* What the record says besides its count: its English title, else its
 * canonical one; the others and its abbreviated titles. */
static void kitsu_take_meta(json_t *attr, struct kitsu_info *io)
{
	struct series_meta *out = &io->meta;
	json_t *titles = json_object_get(attr, "titles"), *v;
	const char *canon = json_string_value(json_object_get(
		attr, "canonicalTitle"));
	const char *title = json_string_value(json_object_get(titles, "en"));
	const char *key, *slug;
	struct strbuf url = STRBUF_INIT;

	memset(out, 0, sizeof(*out));
	if (!title || !*title)
		title = canon;
	series_meta_set(out->title, sizeof(out->title), title);
	if (canon != title)
		series_meta_add(out->alt_titles, sizeof(out->alt_titles),
				canon);
	json_object_foreach(titles, key, v)
		if (json_is_string(v) && strcmp(json_string_value(v),
						title ? title : ""))
			series_meta_add(out->alt_titles,
					sizeof(out->alt_titles),
					json_string_value(v));
	series_meta_add_each(out->alt_titles, sizeof(out->alt_titles),
			     json_object_get(attr, "abbreviatedTitles"), NULL);
	series_meta_set(out->status, sizeof(out->status), io->status);
	series_meta_summary(out->summary, sizeof(out->summary),
			    json_string_value(json_object_get(attr,
							      "synopsis")));
	series_meta_set_url(out->cover, sizeof(out->cover),
			    json_string_value(json_object_get(json_object_get(
				attr, "posterImage"), "original")));
	slug = json_string_value(json_object_get(attr, "slug"));
	if (slug && *slug) {
		strbuf_addstr(&url, KITSU_PAGE_URL);
		http_escape(slug, 0, &url);
		series_meta_set_url(out->url, sizeof(out->url), url.buf);
	}
	strbuf_release(&url);
	series_meta_set(out->original, sizeof(out->original),
			kitsu_edition(io->subtype));
}

/* Fill io in from the record rec; -EPROTO for one of another shape: no
 * id, not a manga, no attributes, no "volumeCount" (null is a count
 * not known), or a member of another type. */
static int kitsu_take(json_t *rec, struct kitsu_info *io)
{
	json_t *attr = json_object_get(rec, "attributes");
	json_t *volumes = json_object_get(attr, "volumeCount");
	const char *type = json_string_value(json_object_get(rec, "type"));
	json_int_t n = json_integer_value(volumes);
	long long id = kitsu_id(json_object_get(rec, "id"));

	if (!id || !type || strcmp(type, "manga") || !json_is_object(attr) ||
	    !volumes || !(json_is_null(volumes) || (json_is_integer(volumes)
		&& n >= 0 && n <= KITSU_MAX_COUNT)) ||
	    !kitsu_text_ok(attr, "status", sizeof(io->status)) ||
	    !kitsu_text_ok(attr, "subtype", sizeof(io->subtype)))
		return -EPROTO;
	memset(io, 0, sizeof(*io));
	io->id = id;
	io->count = (int)n;
	snprintf(io->status, sizeof(io->status), "%s",
		 json_string_value(json_object_get(attr, "status")) ?: "");
	snprintf(io->subtype, sizeof(io->subtype), "%s",
		 json_string_value(json_object_get(attr, "subtype")) ?: "");
	kitsu_take_meta(attr, io);
	return 0;
}

/* Whether the record's attributes bear title. */
static int kitsu_bears_title(json_t *attr, const char *title)
{
	json_t *v;
	const char *key;
	size_t i;

	v = json_object_get(attr, "canonicalTitle");
	if (json_is_string(v) && remote_same_title(json_string_value(v),
						   title))
		return 1;
	json_object_foreach(json_object_get(attr, "titles"), key, v)
		if (json_is_string(v) &&
		    remote_same_title(json_string_value(v), title))
			return 1;
	json_array_foreach(json_object_get(attr, "abbreviatedTitles"), i, v)
		if (json_is_string(v) &&
		    remote_same_title(json_string_value(v), title))
			return 1;
	return 0;
}

/* How well the record read into seen is the comic titled title in
 * edition: 2 a series, 1 a one-shot, 0 not it (a novel, another
 * edition's original, or none of its titles is title). */
static int kitsu_rank(json_t *rec, const struct kitsu_info *seen,
		      const char *title, const char *edition)
{
	const char *original = kitsu_edition(seen->subtype);

	if (!original || strcmp(original, edition) ||
	    !kitsu_bears_title(json_object_get(rec, "attributes"), title))
		return 0;
	return strcmp(seen->subtype, "oneshot") ? 2 : 1;
}

/* The record of a search's answer (its "data" list) that is the comic
 * titled title in edition, as kitsu_rank() orders them. */
static int kitsu_take_search(json_t *list, const char *title,
			     const char *edition, struct kitsu_info *io)
{
	struct remote_best b = { .odd = !json_is_array(list) };
	struct kitsu_info seen;
	json_t *rec;
	size_t i;
	int rc;

	memset(io, 0, sizeof(*io));
	json_array_foreach(list, i, rec) {
		if (kitsu_take(rec, &seen)) {
			b.odd = 1;
			continue;
		}
		rc = remote_best_offer(&b, kitsu_rank(rec, &seen, title,
						      edition));
		if (rc == 1)
			*io = seen;
		else if (rc == 2)
			io->other = seen.id;
	}
	rc = remote_best_end(&b, "kitsu", title, "a manga");
	if (rc == -EEXIST)
		log_warn("kitsu: %s: manga %lld and %lld both bear this"
			 " title; none is taken", title, io->id, io->other);
	else if (rc)
		memset(io, 0, sizeof(*io));
	else
		io->other = 0;
	return rc;
}

/* The detail (else the title) of the first of the JSON:API errors of
 * the document root, or "no message". */
static const char *kitsu_error(json_t *root)
{
	json_t *e = json_array_get(json_object_get(root, "errors"), 0);
	const char *msg = json_string_value(json_object_get(e, "detail"));

	if (!msg)
		msg = json_string_value(json_object_get(e, "title"));
	return msg ? msg : "no message";
}

/* Parse an answer of len bytes: a search's for title in edition, or
 * (title NULL) the record io->id's. Returns 0, -ENOENT (a search that
 * found none, a novel asked by id), -EEXIST, or remote_load()'s
 * errors and -EPROTO for an error document or another shape. */
static int kitsu_parse(const char *body, size_t len, const char *title,
		       const char *edition, struct kitsu_info *io)
{
	char what[40];
	json_t *root, *data;
	int rc;

	snprintf(what, sizeof(what), "manga %lld", io->id);
	rc = remote_load("kitsu", title ? title : what, body, len,
			 KITSU_MAX_ANSWER, &root);
	if (rc) {
		memset(io, 0, sizeof(*io));
		return rc;
	}
	data = json_object_get(root, "data");
	if (json_object_get(root, "errors")) {
		rc = log_error(-EPROTO, "kitsu: %s: an error answer: %.120s",
			       title ? title : what, kitsu_error(root));
		memset(io, 0, sizeof(*io));
	} else if (title) {
		rc = kitsu_take_search(data, title, edition, io);
	} else if (!json_is_object(data) || kitsu_take(data, io)) {
		rc = log_error(-EPROTO, "kitsu: %s: not the documented answer"
			       " (no data of a manga)", what);
		memset(io, 0, sizeof(*io));
	} else if (!strcmp(io->subtype, "novel")) {
		log_warn("kitsu: %s is a novel, not the comic", what);
		rc = -ENOENT;
	}
	json_decref(root);
	return rc;
}

/* A request in the shape monitor_with_retry() sends. */
struct kitsu_ask {
	const char *title, *edition;
	long long id;			/* 0: search the title */
	struct kitsu_info info;
};

/* The request's URL: the record id's, or a search of title. */
static void kitsu_url(const struct remote_source *src, long long id,
		      const char *title, struct strbuf *url)
{
	struct strbuf path = STRBUF_INIT;

	if (id > 0) {
		strbuf_addf(&path, "/manga/%lld", id);
	} else {
		strbuf_addstr(&path, "/manga?filter%5Btext%5D=");
		http_escape(title, 0, &path);
		strbuf_addstr(&path, "&page%5Blimit%5D=20");
	}
	http_join(url, src->url ? src->url : KITSU_URL, path.buf);
	strbuf_release(&path);
}

/*
 * Fill io in from the record io->id, or from the comic titled title in
 * edition when io->id is 0. Returns 0 (io->count 0 when Kitsu has no
 * count), -EINVAL (neither an id nor a title, or no throttle), -ENOENT
 * (a 404, a novel, no record of the title), -EEXIST, -ENXIO (a search
 * answered 404: the url is not Kitsu's), remote_send()'s and
 * kitsu_parse()'s errors.
 */
static int kitsu_media(const struct remote_source *src, const char *title,
		       const char *edition, const int *cancel,
		       struct kitsu_info *io)
{
	struct http_request req = {
		.headers = kitsu_headers,
		.timeout_ms = src->timeout_ms,
		.max_body = KITSU_MAX_ANSWER,
		.follow_redirects = 1,
		.cancel = cancel,
	};
	struct http_response resp;
	struct strbuf url = STRBUF_INIT;
	long long id = io->id;
	int rc;

	memset(io, 0, sizeof(*io));
	if ((id <= 0 && (!title || !*title)) || !src->throttle)
		return -EINVAL;
	kitsu_url(src, id, title, &url);
	req.url = url.buf;
	rc = remote_send(src->throttle, &req, &resp);
	io->id = id;
	if (!rc)
		rc = kitsu_parse(resp.body.buf, resp.body.len,
				 id > 0 ? NULL : title, edition, io);
	else if (id <= 0)
		rc = remote_route_missing("kitsu", url.buf, rc);
	if (rc && rc != -EEXIST)
		memset(io, 0, sizeof(*io));
	http_response_release(&resp);
	strbuf_release(&url);
	return rc;
}

static int kitsu_send(struct monitor *m, void *arg)
{
	struct kitsu_ask *a = arg;

	a->info.id = a->id;
	return kitsu_media(&m->kitsu, a->title, a->edition, m->cancel,
			   &a->info);
}

/* Keep the record a got in the cache under its id, and that id among the
 * series' found ids when a search found it. Returns 0 or the writer's
 * error. */
static int kitsu_keep(const struct series *s, const struct kitsu_ask *a)
{
	char id[24];

	snprintf(id, sizeof(id), "%lld", a->info.id);
	monitor_keep("kitsu", id, remote_info_dump(&kitsu_info_form,
						   &a->info));
	return a->id ? 0 : published_keep_id(s->id, PREFIX(kitsu), id);
}

/* The record a asks, from the cache or one request, a search's id kept
 * among the series' found ids; its count not yet checked. */
static int kitsu_record(struct monitor *m, const struct series *s,
			struct kitsu_ask *a)
{
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	int rc;

	if (a->id)
		strbuf_addf(&key, "%lld", a->id);
	else
		published_search_key(a->edition, s->name, &key);
	rc = monitor_cached(m, "kitsu", key.buf, &value, NULL);
	if (!rc && a->id && !remote_info_load(&kitsu_info_form, value.buf,
					      value.len, &a->info))
		goto out;
	if (!rc && !a->id && !strcmp(value.buf, PUBLISHED_NOT_FOUND)) {
		rc = -ENOENT;
		goto out;
	}
	rc = monitor_with_retry(m, m->kitsu_t, kitsu_send, a, &m->c.kitsu);
	if (rc == -ENOENT && !a->id)
		monitor_keep("kitsu", key.buf, strdup(PUBLISHED_NOT_FOUND));
	else if (!rc)
		rc = kitsu_keep(s, a);
out:
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}

/* Kitsu's count of the volumes out in the original language, for an
 * original edition only, and only when the record's subtype is that
 * language's. A count Kitsu has not (null or 0) passes to the next
 * source, a record that runs marked as none yet. */
int published_ask_kitsu(struct monitor *m, const struct series *s,
			const char *edition, struct answer *out)
{
	struct kitsu_ask a = {
		.title = s->name,
		.edition = edition,
		.id = published_number_id(s->source, PREFIX(kitsu)),
	};
	const char *original;
	int rc;

	if (!published_original(edition))
		return -ENODATA;
	rc = kitsu_record(m, s, &a);
	original = kitsu_edition(a.info.subtype);
	if (!rc && (!a.info.count || !original || strcmp(original, edition))) {
		out->none_yet = !a.info.count && original &&
				!strcmp(original, edition) &&
				strcmp(a.info.status, "finished");
		rc = -ENODATA;
	}
	if (!rc) {
		out->count = a.info.count;
		snprintf(out->record, sizeof(out->record), PREFIX(kitsu)
			 "%lld", a.info.id);
		snprintf(out->status, sizeof(out->status), "%s",
			 a.info.status);
		out->meta = a.info.meta;
	}
	published_report_ids(m->kitsu_t, s, rc, a.id, a.info.id,
			     a.info.other, out);
	return rc;
}
