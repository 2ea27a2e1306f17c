/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The manga source MangaDex (a row of common/manga_sources.def): how
 * many volumes of a manga series are out in one translated language,
 * from its public API (https://api.mangadex.org); the monitor asks it
 * through published_ask_mangadex() (published_private.h): the series
 * found by a search or by the id its source names, the count of its
 * edition from the aggregate, and its record (status, last volume,
 * metadata) from the search or from GET /manga/ID, each answer cached,
 * and how it went reported. Which sources are asked and what a count
 * changes is published.c's.
 *
 * The search is GET URL/manga?title=TITLE&limit=MANGADEX_SEARCH_LIMIT
 * (with includes[] of its authors, artists and cover, which the answer
 * then names in the manga's relationships);
 * of the mangas it lists, the one that bears TITLE best (remote_title_
 * rank(), its title before its alternative titles, in any language) is
 * the series, and none is -ENOENT: MangaDex's search is fuzzy, and
 * another series' count would be wrong. A re-edition whose own title
 * labels it ("Tower of God (Book Version)") goes after the work's record
 * that bears the title too; two as good are -EEXIST, with neither
 * taken; a manga not of the documented shape is passed over, and refuses
 * the search only when no other one is taken. Its attributes give the
 * status ("ongoing", "completed", "hiatus", "cancelled") and lastVolume,
 * the last volume of a completed series in its original language, and its
 * metadata (series_meta.h): title and altTitles (in English, else the
 * first language given), status, description, originalLanguage, the
 * tags of the group "genre", the names of its authors and artists, its
 * cover (MANGADEX_COVERS/ID/FILENAME) and page (MANGADEX_PAGES/ID).
 *
 * The count is GET URL/manga/ID/aggregate?translatedLanguage[]=LANG: the
 * volumes with chapters translated into LANG, keyed by their number
 * ("none" for chapters without one), each an object that names its
 * number in "volume". Its encoder (PHP's) writes a map whose keys are
 * 0, 1, ... in order, the empty one too, as a list: the volumes are then
 * its items, each still naming its number, and a volume's chapters may
 * be a list as well (they are not read). The count of volumes out in that
 * edition is the last of the run of consecutive whole volumes that starts
 * at the lowest: a gap is no volume to want, and a chapter filed under a
 * far volume does not make the ones before it exist.
 *
 * A manga its id names in the series' source ("mangadex:UUID") is not
 * searched: its record is GET URL/manga/ID (with the same includes[]),
 * {"result": "ok", "response": "entity", "data": MANGA}, the manga as a
 * search lists it, which gives its status, lastVolume and metadata, read
 * at most once per check and per cache_ttl.
 *
 * Every answer is a JSON object with "result": "ok"; one with "result":
 * "error" (and its "errors" array), HTML, or any other shape is refused
 * whole. Each request goes through the source's throttle and is sent
 * with mediamon's User-Agent, which MangaDex asks every client to set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/bytes.h"
#include "common/cache.h"
#include "common/http.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/monitor_private.h"
#include "indexer/monitor/published_private.h"
#include "indexer/monitor/remote.h"
#include "indexer/monitor/series_meta.h"

#define MANGADEX_URL "https://api.mangadex.org"
#define MANGADEX_PAGES "https://mangadex.org/title"
#define MANGADEX_COVERS "https://uploads.mangadex.org/covers"
#define MANGADEX_SEARCH_LIMIT 10
#define MANGADEX_MAX_COUNT 9999
#define MANGADEX_MAX_ANSWER (2u << 20)	/* bytes */
#define MANGADEX_ID_LEN 36		/* a UUID */

struct mangadex_info {
	char id[MANGADEX_ID_LEN + 1];	/* the manga's UUID, lowercase */
	char status[16];		/* as MangaDex spells it, or "" */
	int last_volume;		/* lastVolume, 0 when not given */
	int count;			/* volumes out in the language */
	char other[MANGADEX_ID_LEN + 1];	/* with -EEXIST: the other */
	struct series_meta meta;	/* what the manga's record says */
};

/* Whether id is a UUID as MangaDex writes them (lowercase hex, dashes). */
static int mangadex_id_ok(const char *id)
{
	size_t i;

	for (i = 0; id[i] && i < MANGADEX_ID_LEN; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? id[i] != '-' :
		    !((id[i] >= '0' && id[i] <= '9') ||
		      (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	}
	return i == MANGADEX_ID_LEN && !id[i];
}

/* Whether lang is a language code MangaDex knows the form of: two
 * lowercase letters, perhaps "-" and two more ("pt-br", "es-la"). */
static int mangadex_lang_ok(const char *lang)
{
	size_t n = strlen(lang);

	if (n != 2 && n != 5)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (i == 2 ? lang[i] != '-' :
		    !(lang[i] >= 'a' && lang[i] <= 'z'))
			return 0;
	return 1;
}

/*
 * Load an answer that must be {"result": "ok", ...}; *root is then
 * owned by the caller. The API's own error body, even with a 200, is
 * refused with its first detail.
 */
static int load_ok(const char *body, size_t len, const char *what,
		   json_t **root)
{
	const char *result, *detail;
	json_t *errors;
	int rc = remote_load("mangadex", what, body, len, MANGADEX_MAX_ANSWER,
			     root);

	if (rc)
		return rc;
	result = json_string_value(json_object_get(*root, "result"));
	if (result && !strcmp(result, "ok"))
		return 0;
	errors = json_object_get(*root, "errors");
	detail = json_string_value(json_object_get(json_array_get(errors, 0),
						   "detail"));
	if (result && !strcmp(result, "error"))
		log_error(-EPROTO, "mangadex: %s: an error answer: %.120s",
			  what, detail ? detail : "no detail");
	else
		log_error(-EPROTO, "mangadex: %s: not the documented answer"
			  " (no \"result\": \"ok\")", what);
	json_decref(*root);
	*root = NULL;
	return -EPROTO;
}

/* The best remote_title_rank() of the strings of the object o (a
 * localized title) for title; a value of another type is a shape not
 * documented. */
static int names_title(json_t *o, const char *title, int *bad)
{
	const char *key;
	json_t *v;
	int best = 0;

	if (!json_is_object(o)) {
		*bad = 1;
		return 0;
	}
	json_object_foreach(o, key, v) {
		int rank = remote_title_rank(json_string_value(v), title);

		if (!json_is_string(v))
			*bad = 1;
		else if (rank > best)
			best = rank;
	}
	return best;
}

/* How well the manga's attributes attr bear title: its own title before
 * its altTitles, and each as remote_title_rank() ranks it (6 down to 1),
 * one less for a re-edition, whose own title is title with the label of
 * another edition ("Tower of God (Book Version)": the work's own record
 * goes first); 0 when none does. */
static int bears_title(json_t *attr, const char *title, int *bad)
{
	json_t *alt = json_object_get(attr, "altTitles"), *v;
	int own = names_title(json_object_get(attr, "title"), title, bad);
	int best = 2 * own;
	size_t i;

	if (alt && !json_is_array(alt))
		*bad = 1;
	json_array_foreach(alt, i, v) {
		int rank = 2 * names_title(v, title, bad) - 1;

		if (rank > best)
			best = rank;
	}
	return own == 1 && best > 2 ? best - 1 : best;
}

/* A volume number: digits only, nothing beyond MANGADEX_MAX_COUNT;
 * "none", "10.5" and the like are 0. */
static int whole_volume(const char *s)
{
	long v = 0;

	if (!s || !*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
		if (v > MANGADEX_MAX_COUNT)
			return 0;
	}
	return (int)v;
}

/* The string of the localized text o in English, or its first. */
static const char *localized(json_t *o)
{
	const char *key, *first = NULL;
	json_t *v;

	json_object_foreach(o, key, v) {
		if (!json_is_string(v))
			continue;
		if (!strcmp(key, "en"))
			return json_string_value(v);
		if (!first)
			first = json_string_value(v);
	}
	return first;
}

/* What the manga m says of the series besides its count: its genres are
 * its tags of the group "genre", its authors and cover its relationships
 * expanded by the search's includes[] (those of another shape are passed
 * over: they are not the count's). */
static void take_manga_meta(json_t *m, json_t *attr, const char *id,
		      struct series_meta *out)
{
	json_t *v, *a, *alt = json_object_get(attr, "altTitles");
	const char *text;
	struct strbuf b = STRBUF_INIT;
	size_t i;

	series_meta_set(out->title, sizeof(out->title),
			localized(json_object_get(attr, "title")));
	json_array_foreach(alt, i, v)
		series_meta_add(out->alt_titles, sizeof(out->alt_titles),
				localized(v));
	series_meta_set(out->status, sizeof(out->status),
			json_string_value(json_object_get(attr, "status")));
	series_meta_summary(out->summary, sizeof(out->summary),
			    localized(json_object_get(attr, "description")));
	series_meta_set(out->original, sizeof(out->original),
			json_string_value(json_object_get(attr,
						"originalLanguage")));
	json_array_foreach(json_object_get(attr, "tags"), i, v) {
		a = json_object_get(v, "attributes");
		text = json_string_value(json_object_get(a, "group"));
		if (text && !strcmp(text, "genre"))
			series_meta_add(out->genres, sizeof(out->genres),
					localized(json_object_get(a, "name")));
	}
	json_array_foreach(json_object_get(m, "relationships"), i, v) {
		const char *type = json_string_value(json_object_get(v,
								     "type"));

		a = json_object_get(v, "attributes");
		if (!type || !json_is_object(a))
			continue;
		text = json_string_value(json_object_get(a, "name"));
		if (!strcmp(type, "author") || !strcmp(type, "artist"))
			series_meta_add(out->authors, sizeof(out->authors),
					text);
		text = json_string_value(json_object_get(a, "fileName"));
		if (!strcmp(type, "cover_art") && text && !out->cover[0] &&
		    !strchr(text, '/')) {
			strbuf_reset(&b);
			strbuf_addf(&b, MANGADEX_COVERS "/%s/%s", id, text);
			series_meta_set_url(out->cover, sizeof(out->cover),
					    b.buf);
		}
	}
	strbuf_reset(&b);
	strbuf_addf(&b, MANGADEX_PAGES "/%s", id);
	series_meta_set_url(out->url, sizeof(out->url), b.buf);
	strbuf_release(&b);
}

/* Fill the series' fields in from the manga m that bears the title. */
static int take_manga(json_t *m, json_t *attr, struct mangadex_info *out)
{
	const char *id = json_string_value(json_object_get(m, "id"));
	const char *status, *last;

	if (!id || !mangadex_id_ok(id) ||
	    json_member_str(attr, "status", &status) ||
	    json_member_str(attr, "lastVolume", &last))
		return -EPROTO;
	strcpy(out->id, id);
	if (status && strlen(status) < sizeof(out->status))
		strcpy(out->status, status);
	out->last_volume = whole_volume(last);
	take_manga_meta(m, attr, id, &out->meta);
	return 0;
}

/* Parse a search answer of len bytes as mangadex_search() does. */
static int mangadex_parse_search(const char *body, size_t len,
				 const char *title, struct mangadex_info *out)
{
	struct remote_best b = { 0 };
	json_t *root, *data, *m;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = load_ok(body, len, title, &root);
	if (rc)
		return rc;
	data = json_object_get(root, "data");
	b.odd = !json_is_array(data);
	json_array_foreach(data, i, m) {
		json_t *attr = json_object_get(m, "attributes");
		struct mangadex_info seen = { 0 };
		int bad = !json_is_object(attr);
		int rank = bad ? 0 : bears_title(attr, title, &bad);

		if (rank && take_manga(m, attr, &seen))
			bad = 1;
		b.odd |= bad;
		rc = remote_best_offer(&b, bad ? 0 : rank);
		if (rc == 1)
			*out = seen;
		else if (rc == 2)
			strcpy(out->other, seen.id);
	}
	json_decref(root);
	rc = remote_best_end(&b, "mangadex", title, "a manga");
	if (rc == -EPROTO)
		memset(out, 0, sizeof(*out));
	if (rc == -EEXIST)
		log_warn("mangadex: %s: manga %s and %s both bear this title;"
			 " none is taken", title, out->id, out->other);
	else
		out->other[0] = '\0';
	return rc;
}

/* Parse a record answer of len bytes into io, as mangadex_manga() does. */
static int mangadex_parse_manga(const char *body, size_t len,
				struct mangadex_info *io)
{
	json_t *root, *m, *attr;
	const char *id;
	int rc = load_ok(body, len, io->id, &root);

	if (rc)
		return rc;
	m = json_object_get(root, "data");
	attr = json_object_get(m, "attributes");
	id = json_string_value(json_object_get(m, "id"));
	if (!json_is_object(attr) || !id || strcmp(id, io->id))
		rc = -EPROTO;
	else {
		struct mangadex_info seen = { 0 };

		rc = take_manga(m, attr, &seen);
		if (!rc) {
			strcpy(io->status, seen.status);
			io->last_volume = seen.last_volume;
			io->meta = seen.meta;
		}
	}
	json_decref(root);
	if (rc)
		return log_error(rc, "mangadex: %s: a record not of the"
				 " documented shape", io->id);
	return 0;
}

/* The last volume of the run of consecutive volumes that starts at the
 * lowest one seen: 1-11 and a chapter filed under 24 are 11 volumes, as
 * 12-23 do not exist in that language. 0 when none was seen. */
static int run_end(const unsigned char *seen)
{
	int v = 1;

	while (v <= MANGADEX_MAX_COUNT && !(seen[v / 8] & 1 << v % 8))
		v++;
	while (v + 1 <= MANGADEX_MAX_COUNT &&
	       seen[(v + 1) / 8] & 1 << (v + 1) % 8)
		v++;
	return v > MANGADEX_MAX_COUNT ? 0 : v;
}

/* Mark in seen the volume v of the aggregate, keyed key in a map (NULL
 * in a list): an object whose "volume" is its key. */
static int take_volume(const char *key, json_t *v, unsigned char *seen)
{
	const char *n = json_string_value(json_object_get(v, "volume"));
	int number;

	if (!json_is_object(v) || !n || (key && strcmp(n, key)))
		return -EPROTO;
	number = whole_volume(n);
	if (number)
		seen[number / 8] |= 1 << number % 8;
	return 0;
}

/* Parse an aggregate answer of len bytes into *count, as
 * mangadex_volumes() does. */
static int mangadex_parse_aggregate(const char *body, size_t len,
				    int *count)
{
	unsigned char seen[MANGADEX_MAX_COUNT / 8 + 1] = { 0 };
	json_t *root, *volumes, *v;
	const char *key;
	size_t i;
	int rc, high;

	*count = 0;
	rc = load_ok(body, len, "aggregate", &root);
	if (rc)
		return rc;
	volumes = json_object_get(root, "volumes");
	if (!json_is_object(volumes) && !json_is_array(volumes))
		rc = -EPROTO;
	json_object_foreach(volumes, key, v) {
		rc = take_volume(key, v, seen);
		if (rc)
			break;
	}
	json_array_foreach(volumes, i, v) {
		rc = take_volume(NULL, v, seen);
		if (rc)
			break;
	}
	json_decref(root);
	if (rc)
		return log_error(rc, "mangadex: aggregate: a volume not of"
				 " the documented shape");
	high = run_end(seen);
	*count = high;
	return high ? 0 : -ENODATA;
}

/* Log a 400's detail: a request the API refused is a bug to report. */
static void log_refused(const char *what, const struct http_response *resp)
{
	json_t *root = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	const char *detail = json_string_value(json_object_get(
		json_array_get(json_object_get(root, "errors"), 0), "detail"));

	log_error(-EIO, "mangadex: %s: request refused (HTTP 400): %.120s",
		  what, detail ? detail : "no detail");
	json_decref(root);
}

/* The relationships a search or a record is asked to expand. */
#define INCLUDES "includes[]=author&includes[]=artist&includes[]=cover_art"

/* One throttled GET of url; on 0, resp holds the 200 answer. */
static int get(const struct remote_source *md, const char *url,
	       const char *what, const int *cancel, struct http_response *resp)
{
	static const char *const headers[] = {
		"Accept: application/json",
		NULL
	};
	struct http_request req = {
		.url = url,
		.headers = headers,
		.timeout_ms = md->timeout_ms,
		.max_body = MANGADEX_MAX_ANSWER,
		.follow_redirects = 1,
		.read_header = "X-RateLimit-Retry-After",
		.cancel = cancel,
	};
	int err = remote_send(md->throttle, &req, resp);

	if (err == -EIO && resp->status == 400)
		log_refused(what, resp);
	return err;
}

/*
 * Search the series titled title and fill out's id, status and
 * last_volume in (count 0). Returns 0, or:
 *
 *   -EINVAL     title is empty, or no throttle
 *   -ECANCELED  *cancel became nonzero while waiting for the throttle
 *   -ENOENT     no manga listed bears that title
 *   -EEXIST     two bear it as well (out->id and out->other)
 *   -EACCES     401 or 403
 *   -EAGAIN     429: the throttle is paused until the Unix time of its
 *               X-RateLimit-Retry-After (or for its Retry-After)
 *   -EIO        a 5xx answer, or any other unexpected status
 *   -ENXIO      a 404: the url is not MangaDex's (logged, naming it)
 *   -EBADMSG    an HTML page where JSON was expected
 *   -EPROTO     another answer than the documented one, an error body
 *   -EFBIG      the answer is larger than MANGADEX_MAX_ANSWER
 *
 * or http_perform()'s other errors. A 400 (the API refused the request's
 * parameters) is -EIO too, and is logged with the API's own detail.
 */
static int mangadex_search(const struct remote_source *md, const char *title,
			   const int *cancel, struct mangadex_info *out)
{
	struct strbuf url = STRBUF_INIT;
	struct http_response resp;
	int err;

	memset(out, 0, sizeof(*out));
	if (!title || !*title || !md->throttle)
		return -EINVAL;
	strbuf_addf(&url, "%s/manga?title=", md->url ? md->url : MANGADEX_URL);
	http_escape(title, 0, &url);
	strbuf_addf(&url, "&limit=%d&" INCLUDES, MANGADEX_SEARCH_LIMIT);
	err = remote_route_missing("mangadex", url.buf,
				   get(md, url.buf, title, cancel, &resp));
	if (!err)
		err = mangadex_parse_search(resp.body.buf, resp.body.len,
					    title, out);
	http_response_release(&resp);
	strbuf_release(&url);
	return err;
}

/*
 * Fill io's status, last_volume and meta in from the record of the manga
 * io->id (its count is left as it is). Returns 0, -ENOENT for a 404 (no
 * such manga), -EINVAL for an id of another form, -EPROTO for a record
 * of another manga or of another shape, or the other errors of
 * mangadex_search().
 */
static int mangadex_manga(const struct remote_source *md, const int *cancel,
			  struct mangadex_info *io)
{
	struct strbuf url = STRBUF_INIT;
	struct http_response resp;
	int err;

	if (!mangadex_id_ok(io->id) || !md->throttle)
		return -EINVAL;
	strbuf_addf(&url, "%s/manga/%s?" INCLUDES,
		    md->url ? md->url : MANGADEX_URL, io->id);
	err = get(md, url.buf, io->id, cancel, &resp);
	if (!err)
		err = mangadex_parse_manga(resp.body.buf, resp.body.len, io);
	http_response_release(&resp);
	strbuf_release(&url);
	return err;
}

/*
 * Fill io->count in with the highest volume translated into lang of the
 * manga io->id. Returns 0, -ENODATA when no volume is numbered in that
 * language, -ENOENT for a 404 (no such manga), -EINVAL for an id or a
 * lang of another form, or the other errors of mangadex_search().
 */
static int mangadex_volumes(const struct remote_source *md,
			    const char *lang, const int *cancel,
			    struct mangadex_info *io)
{
	struct strbuf url = STRBUF_INIT;
	struct http_response resp;
	int err;

	io->count = 0;
	if (!mangadex_id_ok(io->id) || !mangadex_lang_ok(lang) ||
	    !md->throttle)
		return -EINVAL;
	strbuf_addf(&url, "%s/manga/%s/aggregate?translatedLanguage%%5B%%5D=%s",
		    md->url ? md->url : MANGADEX_URL, io->id, lang);
	err = get(md, url.buf, io->id, cancel, &resp);
	if (!err)
		err = mangadex_parse_aggregate(resp.body.buf, resp.body.len,
					       &io->count);
	http_response_release(&resp);
	strbuf_release(&url);
	return err;
}

/* The form of a struct mangadex_info in the cache, one line of JSON:
 * remote_info_dump() writes it, remote_info_load() reads it back and
 * refuses an id that is no UUID. */
static const struct remote_field mangadex_fields[] = {
	REMOTE_TEXT(struct mangadex_info, id),
	REMOTE_TEXT(struct mangadex_info, status),
	REMOTE_INT(struct mangadex_info, last_volume),
	REMOTE_INT(struct mangadex_info, count),
	REMOTE_META(struct mangadex_info, meta),
};

/* A cached line whose id is no UUID is refused. */
static int id_valid(const void *info)
{
	return mangadex_id_ok(((const struct mangadex_info *)info)->id);
}

static const struct remote_form mangadex_info_form =
	REMOTE_FORM(mangadex_fields, struct mangadex_info, id_valid);

struct mangadex_ask {
	const char *title, *lang;
	struct mangadex_info info;
};

/* A MangaDex search, aggregate or record, in the shape
 * monitor_with_retry() sends. */
static int send_search(struct monitor *m, void *arg)
{
	struct mangadex_ask *a = arg;

	return mangadex_search(&m->mangadex, a->title, m->cancel, &a->info);
}

static int send_volumes(struct monitor *m, void *arg)
{
	struct mangadex_ask *a = arg;

	return mangadex_volumes(&m->mangadex, a->lang, m->cancel, &a->info);
}

static int send_manga(struct monitor *m, void *arg)
{
	struct mangadex_ask *a = arg;

	return mangadex_manga(&m->mangadex, m->cancel, &a->info);
}

/* Keep what the record of a->info.id said (a search's, or its own) in
 * the cache, as "record:ID". */
static void keep_record(const struct mangadex_ask *a)
{
	struct strbuf key = STRBUF_INIT;
	struct mangadex_info record = a->info;

	record.count = 0;
	strbuf_addf(&key, "record:%s", a->info.id);
	monitor_keep("mangadex", key.buf,
		     remote_info_dump(&mangadex_info_form, &record));
	strbuf_release(&key);
}

/* The status, last volume and metadata of a manga its id names in the
 * series' source, which no search gave: from the record the cache keeps
 * (a search's, or the last GET /manga/ID), else one request, so at most
 * once per check and per cache_ttl. */
static int read_record(struct monitor *m, struct mangadex_ask *a)
{
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	struct mangadex_info record;
	int rc = 0;

	strbuf_addf(&key, "record:%s", a->info.id);
	if (!monitor_cached(m, "mangadex", key.buf, &value, NULL) &&
	    !remote_info_load(&mangadex_info_form, value.buf,
			      value.len, &record) &&
	    !strcmp(record.id, a->info.id)) {
		strcpy(a->info.status, record.status);
		a->info.last_volume = record.last_volume;
		a->info.meta = record.meta;
		goto out;
	}
	rc = monitor_with_retry(m, m->mangadex_t, send_manga, a,
				&m->c.mangadex);
	if (!rc)
		keep_record(a);
out:
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}

/* The UUID the series' source names ("mangadex:UUID") into named, or
 * "". */
static void named_id(const struct series *s,
		     char named[MANGADEX_ID_LEN + 1])
{
	const char *at;

	named[0] = '\0';
	if (published_id(s->source, PREFIX(mangadex), 0, &at) !=
	    MANGADEX_ID_LEN)
		return;
	memcpy(named, at, MANGADEX_ID_LEN);
	named[MANGADEX_ID_LEN] = '\0';
	if (!mangadex_id_ok(named))
		named[0] = '\0';
}

/* The series at MangaDex: the id its source names (named, "" none), or
 * one from a search (cached, and the id kept in its source). */
static int find_manga(struct monitor *m, const struct series *s,
		      const char *named, struct mangadex_ask *a)
{
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	int rc = 0;

	if (*named) {
		strcpy(a->info.id, named);
		return 0;
	}
	strbuf_addstr(&key, "search:");
	cache_key(s->name, &key);
	if (!monitor_cached(m, "mangadex", key.buf, &value, NULL) &&
	    !remote_info_load(&mangadex_info_form, value.buf,
			      value.len, &a->info))
		goto out;
	rc = monitor_with_retry(m, m->mangadex_t, send_search, a,
				&m->c.mangadex);
	if (rc)
		goto out;
	monitor_keep("mangadex", key.buf,
		     remote_info_dump(&mangadex_info_form, &a->info));
	keep_record(a);
	rc = published_keep_id(s->id, PREFIX(mangadex), a->info.id);
out:
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}

/* MangaDex's count of the volumes translated into the edition, from the
 * cache or one request (two the first time, with the search). */
int published_ask_mangadex(struct monitor *m, const struct series *s,
			   const char *edition, struct answer *out)
{
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	struct mangadex_ask a = { .title = s->name, .lang = edition };
	char named[MANGADEX_ID_LEN + 1];
	int rc;

	named_id(s, named);
	rc = find_manga(m, s, named, &a);
	if (rc)
		goto out;
	strbuf_addf(&key, "%s:%s", a.info.id, edition);
	if (!monitor_cached(m, "mangadex", key.buf, &value, NULL) &&
	    !remote_info_load(&mangadex_info_form, value.buf,
			      value.len, &a.info))
		goto take;
	rc = monitor_with_retry(m, m->mangadex_t, send_volumes, &a,
				&m->c.mangadex);
	/* the manga is there, no volume of the edition yet */
	out->none_yet = rc == -ENODATA;
	if (rc)
		goto out;
	monitor_keep("mangadex", key.buf,
		     remote_info_dump(&mangadex_info_form, &a.info));
take:
	if (*named)
		rc = read_record(m, &a);
	if (rc)
		goto out;
	out->count = a.info.count;
	snprintf(out->record, sizeof(out->record), PREFIX(mangadex) "%s",
		 a.info.id);
	out->meta = a.info.meta;
	if (a.info.last_volume && !strcmp(a.info.status, "completed")) {
		/* a finished record's own last volume bounds the count: an
		 * aggregate may number on into later parts (JoJo Part 3) */
		if (out->count > a.info.last_volume)
			out->count = a.info.last_volume;
		snprintf(out->status, sizeof(out->status), "completed, %d"
			 " volumes in all", a.info.last_volume);
		/* the record's status and total are the original's: an
		 * edition with fewer volumes out (Bleach's colored English
		 * edition, 7 of 74) is not complete (issue 81) */
		if (out->count < a.info.last_volume)
			snprintf(out->status, sizeof(out->status), "ongoing");
	} else
		snprintf(out->status, sizeof(out->status), "%s",
			 a.info.status);
out:
	published_report(m->mangadex_t, s, rc, named, a.info.id,
			 a.info.other, out);
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}
