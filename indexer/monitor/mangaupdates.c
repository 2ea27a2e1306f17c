/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The manga source MangaUpdates (a row of common/manga_sources.def): how
 * many volumes of a series are out in its original language, from its
 * public API v1 (https://api.mangaupdates.com/v1); the monitor asks it
 * through published_ask_mangaupdates() (published_private.h), which
 * answers from the cache or its requests and reports how it went.
 * Which sources are asked and what a count changes is published.c's.
 *
 * The search is POST URL/v1/series/search with {"search": TITLE,
 * "perpage": MANGAUPDATES_SEARCH_LIMIT}. Of its results, those whose
 * record's title or hit_title names TITLE (remote_title_rank()) are
 * candidates: the exact title and one with its "(AUTHOR)", "(YEAR)" or
 * "~Subtitle~" set aside as good (MangaUpdates adds the author only
 * because another series bears the plain title: "Jigokuraku" and
 * "Jigokuraku (KAKU Yuuji)" are two works), before one that names
 * another edition ("(Webtoon)"). Only those of the edition's kind (a
 * Manga for "ja", a Manhwa for "ko", a Manhua for "zh") are candidates,
 * which sets novels and other kinds aside: no record of another kind is
 * written into a series' source. The best is the series; none is
 * -ENOENT, and two as good are -EEXIST, with neither taken. The record
 * gives the series_id and the type ("Manga", "Manhwa", "Novel", ...).
 * A result not of the documented shape is passed over, and refuses the
 * search only when no other one is taken. A series its source names as
 * "mangaupdates:ID" is not searched.
 *
 * The count is GET URL/v1/series/ID: the first line of its "status" text
 * that names volumes gives those published in the original language,
 * "14 Volumes (Ongoing)" or "1 Volume (Complete)", wherever that line
 * stands (manhwa records open with their chapters; with several
 * editions, the original's line comes first). The series is over when
 * that line (or the first, when none names volumes) says "(Complete)",
 * or "completed" is true: the trimmed records public projects keep have
 * no "completed", and MangaUpdates' own flag is about the scanlation;
 * it was stopped ("cancelled") when the line says "(Discontinued)" or
 * "(Cancelled)", and pauses ("hiatus") with "(Hiatus)".
 *
 * An answer with "status": "exception" (MangaUpdates' error body, with
 * its "reason"), HTML, or any other shape is refused whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

#define MANGAUPDATES_URL "https://api.mangaupdates.com"
#define MANGAUPDATES_SEARCH_LIMIT 10
#define MANGAUPDATES_MAX_COUNT 9999
#define MANGAUPDATES_MAX_ANSWER (2u << 20)	/* bytes */

struct mangaupdates_info {
	long long id;			/* series_id, > 0 */
	char type[16];			/* "Manga", ..., or "" */
	int count;			/* volumes in the original language */
	char line[96];			/* the status line count was read
					 * from (cut), or "" */
	int completed;			/* enum run_state (the cache's
					 * name: 0 and 1 were all it had) */
	long long other;		/* with -EEXIST: the other record */
	struct series_meta meta;	/* what the series record says */
};

static const struct lookup_pair type_editions[] = {
	{ "Manga", "ja" },
	{ "Manhwa", "ko" },
	{ "Manhua", "zh" },
};

/* The edition the original of type is: "ja" for Manga, "ko" for
 * Manhwa, "zh" for Manhua, NULL for another or an unknown type. */
static const char *mangaupdates_edition(const char *type)
{
	return LOOKUP(type_editions, type);
}

/* Load an answer that must be a JSON object; MangaUpdates' error body
 * {"status": "exception", "reason": ...} is refused with its reason. */
static int load(const char *body, size_t len, const char *what,
		json_t **root)
{
	const char *status, *reason;
	int rc = remote_load("mangaupdates", what, body, len,
			     MANGAUPDATES_MAX_ANSWER, root);

	if (rc)
		return rc;
	status = json_string_value(json_object_get(*root, "status"));
	reason = json_string_value(json_object_get(*root, "reason"));
	if (json_is_object(*root) && !(status && reason &&
				       !strcmp(status, "exception")))
		return 0;
	if (json_is_object(*root))
		log_error(-EPROTO, "mangaupdates: %s: an error answer: %.120s",
			  what, reason);
	else
		log_error(-EPROTO, "mangaupdates: %s: not the documented"
			  " answer (not an object)", what);
	json_decref(*root);
	*root = NULL;
	return -EPROTO;
}

/* How well the result r names title (remote_title_rank() of its
 * record's title or hit_title, an exact title no better than one told
 * apart by its author): 0 when it does not, or when its type is not the
 * edition's kind (a Manga for "ja": a manhwa or a novel of that title is
 * not the Japanese edition's record), -1 when r is not of the
 * documented shape. Its id and type go to *id and type. */
static int rank_result(json_t *r, const char *title, const char *edition,
		       long long *id, char type[16])
{
	json_t *record = json_object_get(r, "record");
	json_t *sid = json_object_get(record, "series_id");
	const char *name = json_string_value(json_object_get(record, "title"));
	const char *hit = json_string_value(json_object_get(r, "hit_title"));
	const char *kind = json_string_value(json_object_get(record, "type"));
	const char *original;
	int rank, other;

	if (!json_is_object(record) || !name || !json_is_integer(sid) ||
	    json_integer_value(sid) <= 0)
		return -1;
	rank = remote_title_rank(name, title);
	other = hit ? remote_title_rank(hit, title) : 0;
	if (other > rank)
		rank = other;
	if (!rank)
		return 0;
	if (rank > 2)
		rank = 2;
	*id = json_integer_value(sid);
	type[0] = '\0';
	if (kind && strlen(kind) < 16)
		strcpy(type, kind);
	original = mangaupdates_edition(type);
	return original && !strcmp(original, edition) ? rank : 0;
}

/* Parse a search answer as mangaupdates_search() does. */
static int mangaupdates_parse_search(const char *body, size_t len,
				     const char *title, const char *edition,
				     struct mangaupdates_info *out)
{
	struct remote_best b = { 0 };
	json_t *root, *results, *r;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = load(body, len, title, &root);
	if (rc)
		return rc;
	results = json_object_get(root, "results");
	b.odd = !json_is_array(results);
	json_array_foreach(results, i, r) {
		struct mangaupdates_info seen = { 0 };
		int rank = rank_result(r, title, edition, &seen.id, seen.type);

		b.odd |= rank < 0;
		rc = remote_best_offer(&b, rank);
		if (rc == 1)
			*out = seen;
		else if (rc == 2)
			out->other = seen.id;
	}
	json_decref(root);
	rc = remote_best_end(&b, "mangaupdates", title, "a result");
	if (rc == -EPROTO)
		memset(out, 0, sizeof(*out));
	if (rc == -EEXIST)
		log_warn("mangaupdates: %s: records %lld and %lld both bear"
			 " this title; none is taken", title, out->id,
			 out->other);
	else
		out->other = 0;
	return rc;
}

/* The number at p when it stands alone and is followed by " Volume";
 * 0 otherwise. */
static int volume_count(const char *line, const char *p)
{
	long v = 0;

	if (p > line && p[-1] != ' ' && p[-1] != '\t' && p[-1] != '(')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > MANGAUPDATES_MAX_COUNT)
			return 0;
	}
	if (strncasecmp(p, " Volume", 7) && strncasecmp(p, " Vol.", 5))
		return 0;
	return (int)v;
}

/* The volumes of a status text's first line that names some: manhwa
 * records open with their chapters ("200 Chapters (Complete)\n15
 * Volumes (Complete)"), and when several editions are listed the
 * original's line comes first; that line into io->line. 0 when no line
 * names volumes. */
static int status_volumes(const char *status, struct mangaupdates_info *io)
{
	const char *line = status, *p;

	for (p = status; *p; p++) {
		int v;

		if (*p == '\n') {
			line = p + 1;
			continue;
		}
		if (*p < '0' || *p > '9' ||
		    (p > line && p[-1] >= '0' && p[-1] <= '9'))
			continue;
		v = volume_count(line, p);
		if (v) {
			int n = (int)strcspn(line, "\n");

			while (n > 0 && (line[n - 1] == ' ' ||
					 line[n - 1] == '\r'))
				n--;
			snprintf(io->line, sizeof(io->line), "%.*s", n, line);
			return v;
		}
	}
	return 0;
}

/* Where a series stands, as a status line says it; its texts are those
 * MangaDex and AniList give (status.json's status). */
enum run_state { RUN_ONGOING, RUN_COMPLETED, RUN_CANCELLED, RUN_HIATUS };

static const char *const run_texts[] = {
	[RUN_ONGOING] = "ongoing", [RUN_COMPLETED] = "completed",
	[RUN_CANCELLED] = "cancelled", [RUN_HIATUS] = "hiatus",
};

/* Whether the n bytes of a status line say the series is over: "18
 * Volumes (Complete)", "4 Volumes (In TK Collection, Complete)"; was
 * stopped: "29 Volumes (Discontinued)", "(Cancelled)"; or pauses:
 * "(Hiatus)". */
static enum run_state line_state(const char *line, size_t n)
{
	if (memmem(line, n, "(Complete", 9) ||
	    memmem(line, n, ", Complete)", 11))
		return RUN_COMPLETED;
	if (memmem(line, n, "Discontinued)", 13) ||
	    memmem(line, n, "Cancelled)", 10))
		return RUN_CANCELLED;
	if (memmem(line, n, "Hiatus)", 7))
		return RUN_HIATUS;
	return RUN_ONGOING;
}

/* What the series record says besides its count; a member of another
 * shape is passed over (the count does not hang on it). */
static void take_record_meta(json_t *root, struct mangaupdates_info *io)
{
	struct series_meta *out = &io->meta;
	const char *original = mangaupdates_edition(io->type);

	memset(out, 0, sizeof(*out));
	series_meta_set(out->title, sizeof(out->title),
			json_string_value(json_object_get(root, "title")));
	series_meta_add_each(out->alt_titles, sizeof(out->alt_titles),
			     json_object_get(root, "associated"), "title");
	series_meta_set(out->status, sizeof(out->status),
			json_string_value(json_object_get(root, "status")));
	series_meta_summary(out->summary, sizeof(out->summary),
			    json_string_value(json_object_get(root,
							"description")));
	series_meta_add_each(out->genres, sizeof(out->genres),
			     json_object_get(root, "genres"), "genre");
	series_meta_add_each(out->authors, sizeof(out->authors),
			     json_object_get(root, "authors"), "name");
	series_meta_set_url(out->cover, sizeof(out->cover),
			    json_string_value(json_object_get(json_object_get(
				json_object_get(root, "image"), "url"),
				"original")));
	series_meta_set_url(out->url, sizeof(out->url),
			    json_string_value(json_object_get(root, "url")));
	series_meta_set(out->original, sizeof(out->original), original);
}

/* Parse a series record as mangaupdates_series() does. */
static int mangaupdates_parse_series(const char *body, size_t len,
				     struct mangaupdates_info *io)
{
	char what[32];
	json_t *root, *status, *completed, *type;
	const char *text;
	int rc;

	snprintf(what, sizeof(what), "series %lld", io->id);
	io->count = 0;
	rc = load(body, len, what, &root);
	if (rc)
		return rc;
	status = json_object_get(root, "status");
	completed = json_object_get(root, "completed");
	type = json_object_get(root, "type");
	if ((status && !json_is_string(status) && !json_is_null(status)) ||
	    (completed && !json_is_boolean(completed)) ||
	    (type && !json_is_string(type)) ||
	    !json_is_integer(json_object_get(root, "series_id"))) {
		json_decref(root);
		return log_error(-EPROTO, "mangaupdates: %s: a record not of"
				 " the documented shape", what);
	}
	io->line[0] = '\0';
	text = json_is_string(status) ? json_string_value(status) : "";
	io->count = status_volumes(text, io);
	io->completed = json_is_true(completed) ? RUN_COMPLETED :
		io->line[0] ? line_state(io->line, strlen(io->line)) :
		line_state(text, strcspn(text, "\n"));
	if (type && json_string_length(type) < sizeof(io->type))
		strcpy(io->type, json_string_value(type));
	take_record_meta(root, io);
	json_decref(root);
	return io->count ? 0 : -ENODATA;
}

/* One throttled request of url (POST when body is given). */
static int ask(const struct remote_source *mu, const char *url,
	       const char *body, const int *cancel,
	       struct http_response *resp)
{
	static const char *const headers[] = {
		"Accept: application/json",
		NULL
	};
	struct http_request req = {
		.method = body ? "POST" : "GET",
		.url = url,
		.headers = headers,
		.timeout_ms = mu->timeout_ms,
		.max_body = MANGAUPDATES_MAX_ANSWER,
		.follow_redirects = 1,
		.cancel = cancel,
	};

	http_json_body(&req, body);
	return remote_send(mu->throttle, &req, resp);
}

/*
 * Search the series titled title and fill out's id and type in. Returns
 * 0, or:
 *
 *   -EINVAL     title is empty, or no throttle
 *   -ECANCELED  *cancel became nonzero while waiting for the throttle
 *   -ENOENT     no result bears that title
 *   -EEXIST     two results as good bear it (out->id and out->other)
 *   -EACCES     401 or 403
 *   -EAGAIN     429: the throttle is paused for its Retry-After
 *   -EIO        a 5xx answer, or another unexpected status
 *   -ENXIO      a 404: the url is not MangaUpdates' (logged, naming it)
 *   -EBADMSG    an HTML page where JSON was expected
 *   -EPROTO     another answer than the documented one, an error body
 *   -EFBIG      the answer is larger than MANGAUPDATES_MAX_ANSWER
 *
 * or http_perform()'s other errors.
 */
static int mangaupdates_search(const struct remote_source *mu,
			       const char *title, const char *edition,
			       const int *cancel,
			       struct mangaupdates_info *out)
{
	struct strbuf url = STRBUF_INIT;
	struct http_response resp;
	json_t *q;
	char *body;
	int err;

	memset(out, 0, sizeof(*out));
	if (!title || !*title || !mu->throttle)
		return -EINVAL;
	q = json_pack("{s:s, s:i}", "search", title, "perpage",
		      MANGAUPDATES_SEARCH_LIMIT);
	body = q ? json_dumps(q, JSON_COMPACT) : NULL;
	json_decref(q);
	if (!body)
		return log_error(-ENOMEM, "mangaupdates: out of memory");
	http_join(&url, mu->url ? mu->url : MANGAUPDATES_URL,
		  "/v1/series/search");
	err = remote_route_missing("mangaupdates", url.buf,
				   ask(mu, url.buf, body, cancel, &resp));
	if (!err)
		err = mangaupdates_parse_search(resp.body.buf, resp.body.len,
						title, edition, out);
	http_response_release(&resp);
	strbuf_release(&url);
	free(body);
	return err;
}

/*
 * Fill io->count, completed, type and meta in from the series io->id:
 * meta is its title, associated titles, status, description, genres,
 * authors' names, image (url.original), page (url), and the language of
 * its type. Returns 0, -ENODATA when its status names no volumes,
 * -ENOENT for a 404, or the other errors of mangaupdates_search().
 */
static int mangaupdates_series(const struct remote_source *mu,
			       const int *cancel,
			       struct mangaupdates_info *io)
{
	struct strbuf url = STRBUF_INIT, path = STRBUF_INIT;
	struct http_response resp;
	int err;

	io->count = 0;
	if (io->id <= 0 || !mu->throttle)
		return -EINVAL;
	strbuf_addf(&path, "/v1/series/%lld", io->id);
	http_join(&url, mu->url ? mu->url : MANGAUPDATES_URL, path.buf);
	err = ask(mu, url.buf, NULL, cancel, &resp);
	if (!err)
		err = mangaupdates_parse_series(resp.body.buf, resp.body.len,
						io);
	http_response_release(&resp);
	strbuf_release(&url);
	strbuf_release(&path);
	return err;
}

/* The form of a struct mangaupdates_info in the cache, one line of
 * JSON: remote_info_dump() writes it, remote_info_load() reads it
 * back. */
static const struct remote_field mangaupdates_fields[] = {
	REMOTE_ID(struct mangaupdates_info, id),
	REMOTE_TEXT(struct mangaupdates_info, type),
	REMOTE_INT(struct mangaupdates_info, count),
	REMOTE_TEXT(struct mangaupdates_info, line),
	REMOTE_INT(struct mangaupdates_info, completed),
	REMOTE_META(struct mangaupdates_info, meta),
};

static const struct remote_form mangaupdates_info_form =
	REMOTE_FORM(mangaupdates_fields, struct mangaupdates_info, NULL);

struct mangaupdates_ask {
	const char *title, *edition;
	struct mangaupdates_info info;
};

/* A MangaUpdates search or record, in the shape monitor_with_retry()
 * sends. */
static int send_mu_search(struct monitor *m, void *arg)
{
	struct mangaupdates_ask *a = arg;

	return mangaupdates_search(&m->mangaupdates, a->title, a->edition,
				   m->cancel, &a->info);
}

static int send_mu_series(struct monitor *m, void *arg)
{
	struct mangaupdates_ask *a = arg;

	return mangaupdates_series(&m->mangaupdates, m->cancel, &a->info);
}

/* The series at MangaUpdates: the id its source names (named, 0 none),
 * or one from a search (cached, and the id kept in its source). */
static int find_mu_series(struct monitor *m, const struct series *s,
			  long long named, struct mangaupdates_ask *a)
{
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	char id[24];
	int rc = 0;

	if (named) {
		a->info.id = named;
		return 0;
	}
	published_search_key(a->edition, s->name, &key);
	if (!monitor_cached(m, "mangaupdates", key.buf, &value, NULL)) {
		rc = !strcmp(value.buf, PUBLISHED_NOT_FOUND) ? -ENOENT :
			remote_info_load(&mangaupdates_info_form, value.buf,
					 value.len, &a->info);
		if (rc != -EPROTO)
			goto out;
	}
	rc = monitor_with_retry(m, m->mangaupdates_t, send_mu_search, a,
				&m->c.mangaupdates);
	if (rc == -ENOENT)
		monitor_keep("mangaupdates", key.buf, strdup(PUBLISHED_NOT_FOUND));
	if (rc)
		goto out;
	monitor_keep("mangaupdates", key.buf,
		     remote_info_dump(&mangaupdates_info_form, &a->info));
	snprintf(id, sizeof(id), "%lld", a->info.id);
	rc = published_keep_id(s->id, PREFIX(mangaupdates), id);
out:
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}

/* MangaUpdates' count of the volumes out in the original language, for
 * an original edition only, and only when the series' type is that
 * language's (a Manhwa has no Japanese count). */
int published_ask_mangaupdates(struct monitor *m, const struct series *s,
			       const char *edition, struct answer *out)
{
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	struct mangaupdates_ask a = { .title = s->name, .edition = edition };
	long long named = published_number_id(s->source,
					      PREFIX(mangaupdates));
	const char *original;
	int rc;

	if (!published_original(edition))
		return -ENODATA;
	rc = find_mu_series(m, s, named, &a);
	if (rc)
		goto out;
	original = mangaupdates_edition(a.info.type);
	if (original && strcmp(original, edition)) {
		rc = -ENODATA;
		goto out;
	}
	strbuf_addf(&key, "%lld", a.info.id);
	if (!monitor_cached(m, "mangaupdates", key.buf, &value, NULL) &&
	    !remote_info_load(&mangaupdates_info_form, value.buf, value.len,
			      &a.info))
		goto take;
	rc = monitor_with_retry(m, m->mangaupdates_t, send_mu_series, &a,
				&m->c.mangaupdates);
	/* a record without volumes is kept too: it is not asked again */
	if (!rc || rc == -ENODATA)
		monitor_keep("mangaupdates", key.buf,
			     remote_info_dump(&mangaupdates_info_form,
					      &a.info));
	if (rc && rc != -ENODATA)
		goto out;
take:
	original = mangaupdates_edition(a.info.type);
	if ((original && strcmp(original, edition)) || !a.info.count) {
		out->none_yet = !a.info.count &&
				(!original || !strcmp(original, edition));
		rc = -ENODATA;
		goto out;
	}
	out->count = a.info.count;
	snprintf(out->record, sizeof(out->record), PREFIX(mangaupdates) "%lld",
		 a.info.id);
	snprintf(out->line, sizeof(out->line), "%s", a.info.line);
	out->meta = a.info.meta;
	snprintf(out->status, sizeof(out->status), "%s",
		 a.info.completed > 0 && a.info.completed <=
		 RUN_HIATUS ? run_texts[a.info.completed] : "ongoing");
out:
	published_report_ids(m->mangaupdates_t, s, rc, named, a.info.id,
			     a.info.other, out);
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}
