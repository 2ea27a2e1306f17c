/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Prowlarr client (prowlarr.h): a series' releases searched and
 * matched to its volumes, and a grab of one. It ranks and stores nothing;
 * the check does.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/cleanup.h"
#include "common/clock.h"
#include "common/http.h"
#include "common/json.h"
#include "common/listener.h"
#include "common/log.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "common/throttle.h"
#include "indexer/manga/names.h"
#include "indexer/monitor/prowlarr.h"

/*
 * Append "&name=N" for each number of the comma-separated list: Prowlarr
 * binds repeated keys to its lists, not commas. Checking that they are
 * numbers keeps a bad setting from slipping other keys into the URL.
 */
static int add_ids(struct strbuf *url, const char *name, const char *list)
{
	const char *s = list;
	char *end;
	long v;

	if (!list || !*list)
		return 0;
	for (;;) {
		errno = 0;
		v = strtol(s, &end, 10);
		if (end == s || errno || v < INT_MIN || v > INT_MAX)
			return -EINVAL;
		strbuf_addf(url, "&%s=%ld", name, v);
		for (s = end; *s == ' '; s++)
			;
		if (!*s)
			return 0;
		if (*s++ != ',')
			return -EINVAL;
	}
}

/*
 * The message of one of Prowlarr's JSON errors ({"message": ...}), as
 * its client exceptions answer: "Search failed due to all selected
 * indexers being unavailable", "Getting release from indexer failed".
 * An answer may echo the request: the message is redact()ed, key among
 * the secrets, before it reaches a log line. Kept in body.
 */
static const char *message(struct strbuf *body, const char *key)
{
	json_t *doc = json_loadb(body->buf, body->len, 0, NULL);
	const char *m = json_string_value(json_object_get(doc, "message"));
	struct strbuf out = STRBUF_INIT;

	redact_learn(key);
	redact(m ? m : "no message", REDACT_MASK, &out);
	json_decref(doc);
	memset(body->buf, 0, body->len);
	strbuf_release(body);
	*body = out;
	return body->buf;
}

/* Whether the users listening at p's url on this machine (if any) may
 * be Prowlarr: 0, or -EPERM, logged once per listener. */
static int listener_is_prowlarrs(const struct prowlarr *p)
{
	static uid_t told = (uid_t)-1;
	char name[64];
	uid_t uid;

	if (listener_trusted(p->url, &p->user_uid, !!p->user, &uid))
		return 0;
	if (__atomic_exchange_n(&told, uid, __ATOMIC_RELAXED) == uid)
		return -EPERM;
	listener_name(uid, name, sizeof(name));
	return log_error(-EPERM, "prowlarr: the port of %s is user %s's, not"
			 " Prowlarr's: not asked, the API key not sent (name"
			 " that user as user in [prowlarr] if it runs"
			 " Prowlarr)", p->url, name);
}

/*
 * Send req through the throttle and turn the status into an error, so
 * that both calls answer alike; what names the request in log lines.
 * Returns 0 for a 2xx answer, which the caller reads and releases, or a
 * negative errno value with resp already released.
 */
static int send_request(const struct prowlarr *p, struct http_request *req,
			const int *cancel, const char *what,
			struct http_response *resp)
{
	struct strbuf key = STRBUF_INIT;
	const char *headers[3];
	int ret;

	ret = listener_is_prowlarrs(p);
	if (!ret)
		ret = throttle_acquire(p->throttle, cancel);
	if (ret < 0)
		return ret;
	strbuf_addf(&key, "X-Api-Key: %s", p->api_key);
	headers[0] = key.buf;
	headers[1] = "Accept: application/json";
	headers[2] = NULL;
	req->headers = headers;
	req->timeout_ms = p->timeout_ms;
	req->cancel = cancel;
	req->max_body = PROWLARR_MAX_BODY;
	ret = http_perform(req, resp);
	req->headers = NULL;
	/* The key is a secret: leave no copy of it lying in freed memory. */
	memset(key.buf, 0, key.len);
	strbuf_release(&key);

	if (ret < 0) {
		if (ret != -ECANCELED)
			throttle_failed(p->throttle);
	} else if (resp->status == 429) {
		throttle_rate_limited(p->throttle, resp->retry_after_s);
		ret = log_error(-EAGAIN, "prowlarr: %s: rate limited "
				"(retry after %.0f s)", what,
				resp->retry_after_s);
	} else if (resp->status >= 500) {
		throttle_failed(p->throttle);
		ret = log_error(-EIO, "prowlarr: %s: HTTP %ld", what,
				resp->status);
	} else {
		throttle_ok(p->throttle);
		if (resp->status == 401 || resp->status == 403)
			ret = log_error(-EACCES, "prowlarr: %s: HTTP %ld, "
					"the API key was refused", what,
					resp->status);
		else if (resp->status == 404)
			ret = log_error(-ENOENT, "prowlarr: %s: HTTP 404",
					what);
		else if (resp->status == 400 || resp->status == 409)
			ret = log_error(-EREMOTEIO, "prowlarr: %s: HTTP %ld:"
					" %.200s",
					what, resp->status,
					message(&resp->body, p->api_key));
		else if (resp->status < 200 || resp->status > 299)
			ret = log_error(-EPROTO,
					"prowlarr: %s: unexpected HTTP %ld",
					what, resp->status);
	}
	if (ret < 0)
		http_response_release(resp);
	return ret;
}

/* Free what one release owns, for a release half made too. */
static void release_clear(struct prowlarr_release *r)
{
	CLEANUP_FREE_ALL(r->guid, r->title, r->indexer, r->download_url,
			 r->magnet_url);
}

/* Copy s, which may be NULL, so a release owns all its strings. */
static int dup_str(const char *s, char **out)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

/*
 * The protocol of release o: Prowlarr's DownloadProtocol enum, by name
 * (its JSON converter writes "torrent", "usenet", "unknown") or by number
 * (2, 1, 0). Returns 0 with *out a static name or NULL, or -EPROTO.
 */
static int read_protocol(json_t *o, const char **out)
{
	json_t *v = json_object_get(o, "protocol");
	const char *s;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);

		*out = n == 2 ? PROWLARR_TORRENT : n == 1 ? PROWLARR_USENET :
			NULL;
		return 0;
	}
	if (!json_is_string(v))
		return -EPROTO;
	s = json_string_value(v);
	if (!strcasecmp(s, PROWLARR_TORRENT))
		*out = PROWLARR_TORRENT;
	else if (!strcasecmp(s, PROWLARR_USENET))
		*out = PROWLARR_USENET;
	return 0;
}

/*
 * Read one release of the answer into r when its title names a volume
 * or a range of volumes of series. Returns 1 when kept, 0 when not, or
 * -EPROTO for a release without the members every release has (guid,
 * title, indexerId) or with members of the wrong type, or -ENOMEM.
 */
static int read_release(json_t *o, const char *series,
			struct names_result *names,
			struct prowlarr_release *r)
{
	const char *guid, *title, *indexer, *download, *magnet, *date;
	const char *protocol;
	json_int_t indexer_id, size, seeders;
	int ret;

	if (!json_is_object(o))
		return -EPROTO;
	if (json_member_str(o, "guid", &guid) ||
	    json_member_str(o, "title", &title) ||
	    json_member_str(o, "indexer", &indexer) ||
	    json_member_str(o, "downloadUrl", &download) ||
	    json_member_str(o, "magnetUrl", &magnet) ||
	    json_member_str(o, "publishDate", &date) ||
	    read_protocol(o, &protocol) ||
	    json_member_int(o, "indexerId", -1, &indexer_id) ||
	    json_member_int(o, "size", 0, &size) ||
	    json_member_int(o, "seeders", -1, &seeders))
		return -EPROTO;
	if (!guid || !*guid || !title || indexer_id < 0 ||
	    indexer_id > INT_MAX || size < 0 || seeders < -1 ||
	    seeders > INT_MAX)
		return -EPROTO;

	if (!names_match_release(title, series, names))
		return 0;

	memset(r, 0, sizeof(*r));
	r->protocol = protocol;
	r->indexer_id = (int)indexer_id;
	r->size = size;
	r->seeders = (int)seeders;
	r->published_at = clock_parse_iso8601(date);
	r->first = names->first;
	r->last = names->last;
	ret = dup_str(guid, &r->guid);
	if (!ret)
		ret = dup_str(title, &r->title);
	if (!ret)
		ret = dup_str(indexer, &r->indexer);
	if (!ret)
		ret = dup_str(download, &r->download_url);
	if (!ret)
		ret = dup_str(magnet, &r->magnet_url);
	if (ret < 0) {
		release_clear(r);
		return ret;
	}
	return 1;
}

/*
 * Whether an answer that is not JSON is a web page: Prowlarr's own user
 * interface when the url misses its base, or a proxy's login page.
 */
static int is_html(const char *body, size_t len)
{
	while (len && (*body == ' ' || *body == '\n' || *body == '\r' ||
		       *body == '\t')) {
		body++;
		len--;
	}
	return len && *body == '<';
}

/*
 * Turn a search answer into the releases of series' volumes. A release
 * of the wrong shape is left out with a warning, as one indexer's odd
 * record says nothing of the others'; an answer with no release of the
 * documented shape is refused.
 */
static int read_releases(const char *body, size_t len, const char *series,
			 const char *what, struct prowlarr_release **out,
			 size_t *nr)
{
	struct names_result names = NAMES_RESULT_INIT;
	struct prowlarr_release *r = NULL;
	json_error_t jerr;
	json_t *root;
	size_t i, n = 0, total, odd = 0, first_odd = 0;
	int ret = 0;

	root = json_loadb(body, len, 0, &jerr);
	if (!root && is_html(body, len))
		return log_error(-EBADMSG, "prowlarr: %s: an HTML page, not"
				 " JSON (is the url Prowlarr's, with its url"
				 " base?)", what);
	if (!root)
		return log_error(-EPROTO, "prowlarr: %s: invalid JSON: %s",
				 what, jerr.text);
	if (!json_is_array(root)) {
		json_decref(root);
		return log_error(-EPROTO, "prowlarr: %s: not a JSON array",
				 what);
	}
	if (json_array_size(root)) {
		r = calloc(json_array_size(root), sizeof(*r));
		if (!r) {
			json_decref(root);
			return log_error(-ENOMEM, "prowlarr: %s: out of memory",
					 what);
		}
	}
	total = json_array_size(root);
	for (i = 0; i < total; i++) {
		ret = read_release(json_array_get(root, i), series, &names,
				   &r[n]);
		if (ret == -EPROTO) {
			if (!odd++)
				first_odd = i;
			ret = 0;
			continue;
		}
		if (ret < 0)
			break;
		n += ret;
	}
	names_release(&names);
	json_decref(root);
	if (ret < 0) {
		prowlarr_releases_free(r, n);
		return log_error(ret, "prowlarr: %s: out of memory", what);
	}
	if (odd && odd == total) {
		free(r);
		return log_error(-EPROTO, "prowlarr: %s: no release of the"
				 " documented shape (%zu)", what, total);
	}
	if (odd)
		log_warn("prowlarr: %s: %zu of %zu releases not of the"
			 " documented shape, left out (the first: release"
			 " %zu)", what, odd, total, first_odd);
	if (!n) {
		free(r);
		r = NULL;
	}
	*out = r;
	*nr = n;
	return 0;
}

int prowlarr_parse(const char *body, size_t len, const char *series,
		   struct prowlarr_release **out, size_t *nr)
{
	char what[160];

	snprintf(what, sizeof(what), "answer for \"%s\"", series);
	return read_releases(body, len, series, what, out, nr);
}

char *prowlarr_releases_dump(const struct prowlarr_release *r, size_t nr)
{
	json_t *a = json_array();
	char *s;

	for (size_t i = 0; a && i < nr; i++) {
		char date[CLOCK_RFC3339_LEN] = "";

		if (r[i].published_at > 0)
			clock_rfc3339((time_t)r[i].published_at, date);
		if (json_array_append_new(a, json_pack(
			"{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:i, s:I,"
			" s:o}",
			"guid", r[i].guid, "title", r[i].title,
			"indexer", r[i].indexer,
			"downloadUrl", r[i].download_url,
			"magnetUrl", r[i].magnet_url,
			"protocol", r[i].protocol,
			"publishDate", *date ? date : NULL,
			"indexerId", r[i].indexer_id,
			"size", (json_int_t)r[i].size,
			"seeders", r[i].seeders < 0 ? json_null() :
				json_integer(r[i].seeders)))) {
			json_decref(a);
			return NULL;
		}
	}
	s = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return s;
}

/* Settings the caller must give, checked once for both calls. */
static int check_settings(const struct prowlarr *p)
{
	if (!p || !p->url || !*p->url || !p->api_key || !*p->api_key ||
	    !p->throttle)
		return log_error(-EINVAL, "prowlarr: no URL or API key set");
	return 0;
}

int prowlarr_search(const struct prowlarr *p, const char *series,
		    const int *cancel, struct prowlarr_release **out,
		    size_t *nr)
{
	struct http_request req = { .method = "GET" };
	struct http_response resp;
	struct strbuf url = STRBUF_INIT;
	char what[160], *title;
	int ret;

	ret = check_settings(p);
	if (ret < 0)
		return ret;
	if (!series || !*series)
		return log_error(-EINVAL, "prowlarr: search without a series");
	title = strndup(series, names_title_len(series));
	if (!title)
		return log_error(-ENOMEM, "prowlarr: no memory");
	/* the folder's year or tag is no word of the releases' titles,
	 * which indexers matching every word would then never give */
	snprintf(what, sizeof(what), "search for \"%s\"", title);

	http_join(&url, p->url, "/api/v1/search?query=");
	http_escape(title, 0, &url);
	free(title);
	strbuf_addstr(&url, "&type=search");
	if (add_ids(&url, "categories", p->categories) < 0 ||
	    add_ids(&url, "indexerIds", p->indexer_ids) < 0) {
		strbuf_release(&url);
		return log_error(-EINVAL, "prowlarr: categories and "
				 "indexer ids must be comma-separated numbers");
	}
	req.url = url.buf;
	ret = send_request(p, &req, cancel, what, &resp);
	strbuf_release(&url);
	if (ret < 0)
		return ret;
	ret = read_releases(resp.body.buf, resp.body.len, series, what, out,
			    nr);
	if (!ret)
		log_debug("prowlarr: %s: %zu volume releases", what, *nr);
	http_response_release(&resp);
	return ret;
}

int prowlarr_grab(const struct prowlarr *p, const struct prowlarr_release *r,
		  const int *cancel)
{
	struct http_request req = {
		.method = "POST",
		.content_type = "application/json",
	};
	struct http_response resp;
	struct strbuf url = STRBUF_INIT;
	char what[160];
	json_t *doc;
	char *body;
	int ret;

	ret = check_settings(p);
	if (ret < 0)
		return ret;
	if (!r || !r->guid)
		return log_error(-EINVAL, "prowlarr: grab without a release");
	snprintf(what, sizeof(what), "grab of \"%s\"",
		 r->title ? r->title : r->guid);

	doc = json_pack("{s:s, s:i}", "guid", r->guid, "indexerId",
			r->indexer_id);
	body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!body)
		return log_error(-ENOMEM, "prowlarr: %s: out of memory", what);

	http_join(&url, p->url, "/api/v1/search");
	req.url = url.buf;
	req.body = body;
	req.body_len = strlen(body);
	ret = send_request(p, &req, cancel, what, &resp);
	strbuf_release(&url);
	free(body);
	if (ret < 0)
		return ret;
	http_response_release(&resp);
	log_info("prowlarr: %s: sent to the download client", what);
	return 0;
}

void prowlarr_releases_free(struct prowlarr_release *r, size_t nr)
{
	CLEANUP_FREE_ROWS(r, nr, release_clear);
}
