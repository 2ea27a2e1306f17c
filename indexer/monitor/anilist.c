/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The manga source AniList (a row of common/manga_sources.def): how many
 * volumes of a manga are out in its original language, from AniList's
 * public GraphQL API (https://graphql.anilist.co); the monitor asks it
 * through published_ask_anilist() (published_private.h), which answers
 * from the cache or one request and reports how it went. Which sources
 * are asked and what a count changes is published.c's.
 *
 * One request: POST URL {"query": ..., "variables": {...}}, by id when
 * the series' source names "anilist:ID": "query ($id: Int) { Media(id:
 * $id, type: MANGA, format_not: NOVEL) { FIELDS } }"; by title
 * otherwise: "query ($search: String) { Page(perPage: 50) {
 * media(search: $search, type: MANGA, format_not: NOVEL) { FIELDS } }
 * }", FIELDS being "id format volumes status countryOfOrigin title {
 * romaji english native } synonyms description genres coverImage { large
 * } siteUrl staff(perPage: 8) { edges { role node { name { full } } }
 * }".
 *
 * AniList's search is fuzzy and files light novels as MANGA under the
 * comic's title: of the records that bear the title (in one of their
 * titles or synonyms, trimmed, ASCII case ignored), a light novel is
 * never taken, nor one from another country than the edition's (JP for
 * "ja", KR for "ko", CN or TW for "zh": a manhwa is not the Japanese
 * edition), a series goes before a one-shot, and two as good are a tie,
 * neither taken (-EEXIST, with io->id and io->other). A record of
 * another shape is passed over. "volumes" is null while a series runs:
 * RELEASING, NOT_YET_RELEASED, or HIATUS (paused, running as much).
 *
 * The answer is {"data": {"Page": {"media": [...]}}} to a search,
 * {"data": {"Media": {...}}} by id; one with an "errors" array (which
 * AniList sends with a 200 as with a 4xx), HTML, or any other shape is
 * refused whole.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/bytes.h"
#include "common/http.h"
#include "common/log.h"
#include "common/lookup.h"
#include "common/strbuf.h"
#include "indexer/monitor/monitor_private.h"
#include "indexer/monitor/published_private.h"
#include "indexer/monitor/remote.h"
#include "indexer/monitor/series_meta.h"

#define ANILIST_URL "https://graphql.anilist.co"
#define ANILIST_MAX_COUNT 9999
#define ANILIST_MAX_ANSWER (1u << 20)	/* bytes */

struct anilist_info {
	long long id;			/* the media's id, > 0 */
	char country[4];		/* countryOfOrigin: "JP", ... or "" */
	char status[20];		/* "RELEASING", "FINISHED", ... or "" */
	int count;			/* volumes, 0 when null */
	long long other;		/* with -EEXIST: the other record */
	struct series_meta meta;	/* what the media says */
};

#define FIELDS " id format volumes status countryOfOrigin" \
	" title { romaji english native } synonyms description genres" \
	" coverImage { large } siteUrl" \
	" staff(perPage: 8) { edges { role node { name { full } } } }"
#define BY_ID "query ($id: Int) {" \
	" Media(id: $id, type: MANGA, format_not: NOVEL) {" FIELDS " } }"
/* 50 a page, as the recorded answers of tests/data/anilist were asked */
#define SEARCH "query ($search: String) { Page(perPage: 50) {" \
	" media(search: $search, type: MANGA, format_not: NOVEL) {" \
	FIELDS " } } }"

static const struct lookup_pair country_editions[] = {
	{ "JP", "ja" },
	{ "KR", "ko" },
	{ "CN", "zh" },
	{ "TW", "zh" },
};

/* The edition the original of country is: "ja" for JP, "ko" for KR,
 * "zh" for CN and TW, NULL for another. */
static const char *anilist_edition(const char *country)
{
	return LOOKUP(country_editions, country);
}

/* Whether the media bears title in its titles or synonyms. */
static int media_bears_title(json_t *media, const char *title)
{
	json_t *titles = json_object_get(media, "title"), *v;
	const char *key;
	size_t i;

	json_object_foreach(titles, key, v)
		if (json_is_string(v) &&
		    remote_same_title(json_string_value(v), title))
			return 1;
	json_array_foreach(json_object_get(media, "synonyms"), i, v)
		if (json_is_string(v) &&
		    remote_same_title(json_string_value(v), title))
			return 1;
	return 0;
}

/* What the media says besides its count: its English title, else its
 * romaji one; the others and its synonyms; its authors are its staff
 * credited with the story or the art. A member of another shape is
 * passed over. */
static void take_media_meta(json_t *media, struct anilist_info *io)
{
	struct series_meta *out = &io->meta;
	json_t *titles = json_object_get(media, "title"), *v;
	const char *title = json_string_value(json_object_get(titles,
							      "english"));
	const char *key;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!title)
		title = json_string_value(json_object_get(titles, "romaji"));
	series_meta_set(out->title, sizeof(out->title), title);
	json_object_foreach(titles, key, v)
		if (json_is_string(v) && json_string_value(v) != title)
			series_meta_add(out->alt_titles,
					sizeof(out->alt_titles),
					json_string_value(v));
	series_meta_add_each(out->alt_titles, sizeof(out->alt_titles),
			     json_object_get(media, "synonyms"), NULL);
	series_meta_set(out->status, sizeof(out->status), io->status);
	series_meta_summary(out->summary, sizeof(out->summary),
			    json_string_value(json_object_get(media,
							"description")));
	series_meta_add_each(out->genres, sizeof(out->genres),
			     json_object_get(media, "genres"), NULL);
	json_array_foreach(json_object_get(json_object_get(media, "staff"),
					   "edges"), i, v) {
		const char *role = json_string_value(json_object_get(v,
								     "role"));

		if (role && (strstr(role, "Story") || strstr(role, "Art")))
			series_meta_add(out->authors, sizeof(out->authors),
				json_string_value(json_object_get(
				json_object_get(json_object_get(v, "node"),
						"name"), "full")));
	}
	series_meta_set_url(out->cover, sizeof(out->cover),
			    json_string_value(json_object_get(json_object_get(
				media, "coverImage"), "large")));
	series_meta_set_url(out->url, sizeof(out->url),
			    json_string_value(json_object_get(media,
							      "siteUrl")));
	series_meta_set(out->original, sizeof(out->original),
			anilist_edition(io->country));
}

/* Fill io in from the media; -EPROTO for a field of another shape. */
static int take_media(json_t *media, struct anilist_info *io)
{
	json_t *id = json_object_get(media, "id");
	json_t *volumes = json_object_get(media, "volumes");
	json_t *status = json_object_get(media, "status");
	json_t *country = json_object_get(media, "countryOfOrigin");
	json_int_t n = json_integer_value(volumes);

	if (!json_is_integer(id) || json_integer_value(id) <= 0 ||
	    !(json_is_null(volumes) || (json_is_integer(volumes) &&
					n >= 0 && n <= ANILIST_MAX_COUNT)) ||
	    !(json_is_null(status) || (json_is_string(status) &&
		json_string_length(status) < sizeof(io->status))) ||
	    !(json_is_null(country) || (json_is_string(country) &&
		json_string_length(country) < sizeof(io->country))))
		return -EPROTO;
	io->id = json_integer_value(id);
	io->count = (int)n;
	snprintf(io->status, sizeof(io->status), "%s",
		 json_is_string(status) ? json_string_value(status) : "");
	snprintf(io->country, sizeof(io->country), "%s",
		 json_is_string(country) ? json_string_value(country) : "");
	take_media_meta(media, io);
	return 0;
}

/*
 * AniList files light novels under the type MANGA too, often with the
 * title of the comic they were drawn from and a volume count of their
 * own (issue 61: "Fate/strange Fake", novel 50006 and manga 86753).
 */
static int is_novel(json_t *media)
{
	const char *format = json_string_value(json_object_get(media,
							       "format"));

	return format && !strcmp(format, "NOVEL");
}

/* How well a record of a search is the comic titled title in edition:
 * 2 a series, 1 a one-shot (a one-chapter side story of a series' name),
 * 0 not it: a light novel, a record from another country than the
 * edition's, or one none of whose titles is title. */
static int rank(json_t *media, const char *title, const char *edition)
{
	const char *format = json_string_value(json_object_get(media,
							       "format"));
	const char *country = json_string_value(json_object_get(media,
							"countryOfOrigin"));
	const char *original = country ? anilist_edition(country) : NULL;

	if (is_novel(media) || !media_bears_title(media, title) ||
	    !original || strcmp(original, edition))
		return 0;
	return format && !strcmp(format, "ONE_SHOT") ? 1 : 2;
}

/*
 * The record of a search's answer (data.Page.media) that is the comic
 * titled title in edition: of those bearing it, as rank() orders them. A
 * record of another shape is passed over, not the whole answer. Two as
 * good are -EEXIST (io->id and io->other: "FAKE" 30314 and "Fake"
 * 176957), none -ENOENT.
 */
static int take_search(json_t *list, const char *title,
		       const char *edition, struct anilist_info *io)
{
	json_t *m, *best = NULL, *tie = NULL;
	int top = 0, r, rc;
	size_t i;

	io->other = 0;
	if (!json_is_array(list))
		return log_error(-EPROTO, "anilist: %s: not the documented"
				 " answer (no data.Page.media)", title);
	json_array_foreach(list, i, m) {
		if (take_media(m, io)) {
			log_warn("anilist: %s: record %zu of the search is"
				 " not of the documented shape: passed over",
				 title, i);
			continue;
		}
		r = rank(m, title, edition);
		if (r > top) {
			top = r;
			best = m;
			tie = NULL;
		} else if (r && r == top && !tie) {
			tie = m;
		}
	}
	if (!best)
		return -ENOENT;
	if (tie) {
		take_media(tie, io);
		io->other = io->id;
	}
	rc = take_media(best, io);
	return rc ? rc : tie ? -EEXIST : 0;
}

/* The record an answer by id (data.Media) holds. */
static int take_by_id(json_t *media, const char *subject,
		      struct anilist_info *io)
{
	if (!json_is_object(media))
		return log_error(-EPROTO, "anilist: %s: not the documented"
				 " answer (no data.Media)", subject);
	if (take_media(media, io))
		return log_error(-EPROTO, "anilist: %s: a media not of the"
				 " documented shape", subject);
	if (is_novel(media)) {
		log_warn("anilist: %s: record %lld is a light novel, not"
			 " the comic", subject, io->id);
		return -ENOENT;
	}
	return 0;
}

/* Parse an answer as anilist_media() does (title NULL: asked by id). */
static int anilist_parse(const char *body, size_t len, const char *title,
			 const char *edition, struct anilist_info *io)
{
	char what[32];
	const char *subject = title;
	json_t *root, *errors, *data;
	int rc;

	if (!title) {
		snprintf(what, sizeof(what), "media %lld", io->id);
		subject = what;
	}
	rc = remote_load("anilist", subject, body, len, ANILIST_MAX_ANSWER,
			 &root);
	if (rc)
		return rc;
	errors = json_object_get(root, "errors");
	data = json_object_get(root, "data");
	if (errors) {
		const char *msg = json_string_value(json_object_get(
			json_array_get(errors, 0), "message"));

		rc = log_error(-EPROTO, "anilist: %s: an error answer: %.120s",
			       subject, msg ? msg : "no message");
	} else if (title) {
		rc = take_search(json_object_get(json_object_get(data,
				 "Page"), "media"), title, edition, io);
	} else {
		rc = take_by_id(json_object_get(data, "Media"), subject, io);
	}
	json_decref(root);
	if (rc && rc != -EEXIST)
		memset(io, 0, sizeof(*io));
	return rc;
}

/*
 * Log the reason AniList gave with a refusal, its GraphQL error: an API
 * switched off for all is then not taken for a bad setting.
 */
static void log_refusal(const struct http_response *resp)
{
	json_t *root;
	const char *msg;

	if (!resp->body.len)
		return;
	root = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	msg = json_string_value(json_object_get(json_array_get(
		json_object_get(root, "errors"), 0), "message"));
	if (msg)
		log_warn("anilist: refused with: %.200s", msg);
	json_decref(root);
}

/*
 * Fill io in from the media io->id, or from the manga titled title in
 * edition when io->id is 0. Returns 0 (io->count 0 when volumes is null), or:
 *
 *   -EINVAL     no id and an empty title, or no throttle
 *   -ECANCELED  *cancel became nonzero while waiting for the throttle
 *   -ENOENT     a 404 (no such media), a light novel, or no record of
 *               the title
 *   -EEXIST     two records as good bear it (io->id and io->other)
 *   -EACCES     401 or 403
 *   -EAGAIN     429: the throttle is paused for its Retry-After
 *   -EIO        a 5xx answer, or another unexpected status
 *   -EBADMSG    an HTML page where JSON was expected
 *   -EPROTO     another answer than the documented one, an error body
 *   -EFBIG      the answer is larger than ANILIST_MAX_ANSWER
 *
 * or http_perform()'s other errors.
 */
static int anilist_media(const struct remote_source *al, const char *title,
			 const char *edition, const int *cancel,
			 struct anilist_info *io)
{
	static const char *const headers[] = {
		"Accept: application/json",
		NULL
	};
	struct http_request req = {
		.method = "POST",
		.url = al->url ? al->url : ANILIST_URL,
		.headers = headers,
		.content_type = "application/json",
		.timeout_ms = al->timeout_ms,
		.max_body = ANILIST_MAX_ANSWER,
		.follow_redirects = 1,
		.cancel = cancel,
	};
	struct http_response resp;
	long long id = io->id;
	json_t *q;
	char *body;
	int err;

	memset(io, 0, sizeof(*io));
	if ((id <= 0 && (!title || !*title)) || !al->throttle)
		return -EINVAL;
	q = id > 0 ? json_pack("{s:s, s:{s:I}}", "query", BY_ID, "variables",
			       "id", (json_int_t)id) :
		json_pack("{s:s, s:{s:s}}", "query", SEARCH, "variables",
			  "search", title);
	body = q ? json_dumps(q, JSON_COMPACT) : NULL;
	json_decref(q);
	if (!body)
		return log_error(-ENOMEM, "anilist: out of memory");
	req.body = body;
	req.body_len = strlen(body);
	io->id = id;
	err = remote_send(al->throttle, &req, &resp);
	if (!err)
		err = anilist_parse(resp.body.buf, resp.body.len,
				    id > 0 ? NULL : title, edition, io);
	else
		memset(io, 0, sizeof(*io));
	if (err == -EACCES)
		log_refusal(&resp);
	http_response_release(&resp);
	free(body);
	return err;
}

/* The form of a struct anilist_info in the cache, one line of JSON:
 * remote_info_dump() writes it, remote_info_load() reads it back. */
static const struct remote_field anilist_fields[] = {
	REMOTE_ID(struct anilist_info, id),
	REMOTE_TEXT(struct anilist_info, country),
	REMOTE_TEXT(struct anilist_info, status),
	REMOTE_INT(struct anilist_info, count),
	REMOTE_META(struct anilist_info, meta),
};

static const struct remote_form anilist_info_form =
	REMOTE_FORM(anilist_fields, struct anilist_info, NULL);

struct anilist_ask {
	const char *title, *edition;
	long long id;			/* 0: search the title */
	struct anilist_info info;
};

/* An AniList request, in the shape monitor_with_retry() sends. */
static int send_anilist(struct monitor *m, void *arg)
{
	struct anilist_ask *a = arg;

	a->info.id = a->id;
	return anilist_media(&m->anilist, a->title, a->edition, m->cancel,
			     &a->info);
}

/* Whether the cache knows that key's search found nothing. */
static int found_nothing(struct monitor *m, const char *key)
{
	struct strbuf value = STRBUF_INIT;
	int none = !monitor_cached(m, "anilist", key, &value, NULL) &&
		   !strcmp(value.buf, PUBLISHED_NOT_FOUND);

	strbuf_release(&value);
	return none;
}

/* Whether the record i, without a count, is the edition's and runs, its
 * volumes null until it ends: out, not out yet, or on hiatus. */
static int anilist_none_yet(const struct anilist_info *i,
			    const char *edition)
{
	const char *original = anilist_edition(i->country);

	if (i->count || (original && strcmp(original, edition)))
		return 0;
	return !strcmp(i->status, "RELEASING") ||
	       !strcmp(i->status, "NOT_YET_RELEASED") ||
	       !strcmp(i->status, "HIATUS");
}

/* AniList's count of the volumes out in the original language, for an
 * original edition only, and only when the manga's country of origin is
 * that language's: from the cache, or one request (a search the first
 * time, whose id is kept in the series' source). Volumes are null while
 * a series runs: that answer is kept and passes to the next source. */
int published_ask_anilist(struct monitor *m, const struct series *s,
			  const char *edition, struct answer *out)
{
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	struct anilist_ask a = {
		.title = s->name,
		.edition = edition,
		.id = published_number_id(s->source, PREFIX(anilist)),
	};
	char id[24];
	const char *original;
	int rc = 0;

	if (!published_original(edition))
		return -ENODATA;
	if (a.id) {
		strbuf_addf(&key, "%lld", a.id);
	} else {
		published_search_key(edition, s->name, &key);
	}
	if (a.id && !monitor_cached(m, "anilist", key.buf, &value, NULL) &&
	    !remote_info_load(&anilist_info_form, value.buf, value.len,
			      &a.info))
		goto take;
	if (!a.id && found_nothing(m, key.buf)) {
		rc = -ENOENT;
		goto out;
	}
	rc = monitor_with_retry(m, m->anilist_t, send_anilist, &a,
				&m->c.anilist);
	if (rc == -ENOENT && !a.id)
		monitor_keep("anilist", key.buf, strdup(PUBLISHED_NOT_FOUND));
	if (rc)
		goto out;
	strbuf_reset(&key);
	strbuf_addf(&key, "%lld", a.info.id);
	monitor_keep("anilist", key.buf,
		     remote_info_dump(&anilist_info_form, &a.info));
	snprintf(id, sizeof(id), "%lld", a.info.id);
	if (!a.id)
		rc = published_keep_id(s->id, PREFIX(anilist), id);
	if (rc)
		goto out;
take:
	original = anilist_edition(a.info.country);
	if (!a.info.count || (original && strcmp(original, edition))) {
		out->none_yet = anilist_none_yet(&a.info, edition);
		rc = -ENODATA;
		goto out;
	}
	out->count = a.info.count;
	snprintf(out->record, sizeof(out->record), PREFIX(anilist) "%lld",
		 a.info.id);
	snprintf(out->status, sizeof(out->status), "%s", a.info.status);
	out->meta = a.info.meta;
	for (char *c = out->status; *c; c++)
		*c = *c == '_' ? ' ' : (char)tolower((unsigned char)*c);
out:
	published_report_ids(m->anilist_t, s, rc, a.id, a.info.id,
			     a.info.other, out);
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}
