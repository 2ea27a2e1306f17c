/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The qBittorrent client (client.h): a release added through its WebUI
 * API v2, its torrents listed and read (tracker.h), its version asked.
 * It chooses no release and reads no link: download.c hands it both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/clock.h"
#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/client.h"
#include "indexer/monitor/infohash.h"
#include "indexer/monitor/tracker.h"

/* qBittorrent answers a few words to an add, and a listing of the
 * torrents tracked in about 2 kB each; anything bigger is not its
 * answer. */
#define QBIT_MAX_BODY (4u << 20)

/* The tag an add of a web link sets, by which the torrent is found. */
#define QBIT_TAG "mediamon-"
/* Asks of torrents/info after a "Fails.", a quarter second apart. */
#define QBIT_HAS_TRIES 8

#define URLENCODED "application/x-www-form-urlencoded"

/* A form: urlencoded in body, or multipart (parts, which libcurl
 * writes) with a file. */
struct form {
	struct strbuf body;
	struct http_part parts[3];
	size_t nr_parts;
};

/* Add the field name of value to f's parts, when value is set. */
static void add_part(struct form *f, const char *name, const char *value)
{
	if (value && *value)
		f->parts[f->nr_parts++] = (struct http_part){
			.name = name, .data = value, .data_len = strlen(value)
		};
}

/*
 * A multipart form with the torrent p holds as the file `torrents`, and
 * the category and save path: the one way qBittorrent takes a file.
 */
static void multipart(const struct client_payload *p,
		      const struct download_client *c, struct form *f)
{
	f->parts[f->nr_parts++] = (struct http_part){
		.name = "torrents", .data = p->data, .data_len = p->len,
		.filename = "release.torrent",
		.type = "application/x-bittorrent",
	};
	add_part(f, "category", c->category);
	add_part(f, "savepath", c->save_path);
}

/*
 * Ask qBittorrent at path: a POST of the form f, or a GET when f is NULL;
 * with the session's cookie, and the Referer and Origin its CSRF check
 * wants. On a transport failure err gets http_perform()'s text, which it
 * has logged.
 */
static int qbit_request(const struct download_client *c,
			const struct download_session *s, const char *path,
			const struct form *f, struct http_response *resp,
			struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT, referer = STRBUF_INIT;
	struct strbuf origin = STRBUF_INIT, cookie = STRBUF_INIT;
	const char *headers[4] = { NULL };
	struct http_request req = {
		.method = f ? "POST" : "GET",
		.headers = headers,
		.body = f && !f->nr_parts ? f->body.buf : NULL,
		.body_len = f && !f->nr_parts ? f->body.len : 0,
		.content_type = f && !f->nr_parts ? URLENCODED : NULL,
		.parts = f ? f->parts : NULL,
		.nr_parts = f ? f->nr_parts : 0,
		.timeout_ms = c->timeout_ms,
		.max_body = QBIT_MAX_BODY,
	};
	const char *host = strstr(c->url, "://");
	int ret;

	http_join(&url, c->url, path);
	strbuf_addstr(&referer, "Referer: ");
	http_join(&referer, c->url, "/");
	/* The Origin is the scheme and host of the url, without a path. */
	strbuf_addstr(&origin, "Origin: ");
	if (host)
		strbuf_add(&origin, c->url, (size_t)(host + 3 - c->url) +
			   strcspn(host + 3, "/?#"));
	else
		strbuf_addstr(&origin, c->url);
	headers[0] = referer.buf;
	headers[1] = origin.buf;
	if (s->cookie[0]) {
		strbuf_addf(&cookie, "Cookie: %s", s->cookie);
		headers[2] = cookie.buf;
	}
	req.url = url.buf;
	ret = http_perform(&req, resp);
	client_wipe(cookie.buf);
	strbuf_release(&cookie);
	strbuf_release(&origin);
	strbuf_release(&referer);
	strbuf_release(&url);
	if (ret < 0)
		strbuf_addf(err, "qbittorrent: %s", resp->error);
	else
		strbuf_rtrim(&resp->body);
	return ret;
}

/* Forget the session's cookie, which qBittorrent no longer knows. */
static void qbit_forget(struct download_session *s)
{
	memset(s->cookie, 0, sizeof(s->cookie));
	s->logged_in = 0;
}

/*
 * Log in and keep the session cookie. A wrong user name or password, a
 * ban and a refused origin are -EACCES, which download_send() remembers
 * so that no later send asks again and gets the address banned.
 */
static int qbit_login(const struct download_client *c,
		      struct download_session *s, struct strbuf *err)
{
	struct form f = { .body = STRBUF_INIT };
	struct http_response resp;
	int ret;

	qbit_forget(s);
	strbuf_addstr(&f.body, "username=");
	http_escape(c->username ? c->username : "", 1, &f.body);
	strbuf_addstr(&f.body, "&password=");
	http_escape(c->password ? c->password : "", 1, &f.body);
	ret = qbit_request(c, s, "/api/v2/auth/login", &f, &resp, err);
	client_wipe(f.body.buf);
	strbuf_release(&f.body);
	if (ret < 0)
		return ret;

	/* A wrong login is 200 "Fails." (401 from API 2.14), a ban 403;
	 * the CSRF and Host header checks answer 401 before the login. */
	if (resp.status == 403) {
		ret = client_fail(err, -EACCES, "qbittorrent: login refused:"
				  " this address is banned after too many"
				  " failed logins (HTTP 403)");
	} else if (resp.status == 200 && !strcmp(resp.body.buf, "Fails.")) {
		ret = client_fail(err, -EACCES, "qbittorrent: login refused"
				  " (Fails.): check the user name and"
				  " password");
	} else if (resp.status == 401) {
		ret = client_fail(err, -EACCES, "qbittorrent: login refused"
				  " (HTTP 401): qBittorrent refused the"
				  " request's origin (its CSRF or Host header"
				  " check: the url must be the address it is"
				  " reached at), or, from qBittorrent 5.2, the"
				  " user name and password");
	} else if (!(resp.status == 200 && !strcmp(resp.body.buf, "Ok.")) &&
		   resp.status != 204) {
		/* the client's fault, never the release's (-EPROTO would
		 * blocklist it) */
		ret = client_fail(err, -EIO, "qbittorrent: login: HTTP %ld",
				  resp.status);
	} else if (resp.cookies &&
		   strlen(resp.cookies) >= sizeof(s->cookie)) {
		ret = client_fail(err, -EIO, "qbittorrent: login: the"
				  " session cookie is too long");
	} else {
		/* No cookie: qBittorrent lets this address in without one. */
		snprintf(s->cookie, sizeof(s->cookie), "%s",
			 resp.cookies ? resp.cookies : "");
		s->logged_in = 1;
		log_debug("qbittorrent: logged in");
	}
	client_wipe(resp.cookies);
	http_response_release(&resp);
	return ret;
}

/*
 * Whether an add answer says the torrent was taken: "Ok." up to API 2.13;
 * since 2.14 nothing (204) or a summary counting the torrents added and
 * those still pending (200, 202).
 */
static int add_taken(const struct http_response *resp)
{
	json_int_t taken = 0;
	json_t *doc;

	if (resp->status == 204)
		return 1;
	if (resp->status != 200 && resp->status != 202)
		return 0;
	if (!strcmp(resp->body.buf, "Ok."))
		return 1;
	doc = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	if (json_is_object(doc))
		taken = json_integer_value(json_object_get(doc,
							   "success_count")) +
			json_integer_value(json_object_get(doc,
							   "pending_count"));
	json_decref(doc);
	return taken > 0;
}

/*
 * Whether qBittorrent has the torrent p holds already (1 or 0), asked
 * by its info hash: its answer "Fails." to an add says no more. A
 * torrent it is still loading (added a moment ago, by us or another)
 * refuses a second add but is listed only once loaded, so an empty list
 * is asked again a few times, a quarter second apart. A negative errno
 * value when it cannot tell (err set).
 */
static int qbit_has(const struct download_client *c,
		    const struct download_session *s,
		    const struct client_payload *p, struct strbuf *err)
{
	char hash[INFOHASH_HEX], path[80];
	struct http_response resp;
	json_t *doc;
	int ret = p->kind == LINKS_TORRENT ?
		infohash_torrent(p->data, p->len, hash) :
		p->kind == LINKS_MAGNET ? infohash_magnet(p->text, hash) :
		-EINVAL;

	if (ret)
		return 0;
	snprintf(path, sizeof(path), "/api/v2/torrents/info?hashes=%s", hash);
	for (int tries = 0; !ret && tries < QBIT_HAS_TRIES; tries++) {
		if (tries)
			clock_sleep(0.25);
		ret = qbit_request(c, s, path, NULL, &resp, err);
		if (ret < 0)
			return ret;
		if (resp.status != 200) {
			ret = client_http_fail(err, "qbittorrent: torrents/info",
					       resp.status);
		} else {
			doc = json_loadb(resp.body.buf, resp.body.len, 0,
					 NULL);
			ret = json_is_array(doc) && json_array_size(doc) > 0;
			json_decref(doc);
		}
		http_response_release(&resp);
	}
	if (ret > 0)
		log_info("qbittorrent: torrent %s was there already: adopted",
			 hash);
	return ret;
}

/*
 * Add what p holds, in the category and save path if set: a magnet or a
 * web link as `urls` (a form), a torrent as the file `torrents`
 * (multipart). "Fails." for a torrent qBittorrent has already is taken.
 * Sets *expired, with -EACCES, when qBittorrent no longer knows the
 * session: the caller logs in again and decides.
 */
static int qbit_add(const struct download_client *c,
		    struct download_session *s,
		    const struct client_payload *p, int *expired, char *id,
		    struct strbuf *err)
{
	struct form f = { .body = STRBUF_INIT };
	struct http_response resp;
	int ret;

	*expired = 0;
	if (p->kind == LINKS_TORRENT) {
		multipart(p, c, &f);
	} else {
		strbuf_addstr(&f.body, "urls=");
		http_escape(p->text, 1, &f.body);
		if (!strncmp(id, QBIT_TAG, strlen(QBIT_TAG))) {
			strbuf_addstr(&f.body, "&tags=");
			http_escape(id, 1, &f.body);
		}
		if (c->category && *c->category) {
			strbuf_addstr(&f.body, "&category=");
			http_escape(c->category, 1, &f.body);
		}
		if (c->save_path && *c->save_path) {
			strbuf_addstr(&f.body, "&savepath=");
			http_escape(c->save_path, 1, &f.body);
		}
	}
	ret = qbit_request(c, s, "/api/v2/torrents/add", &f, &resp, err);
	strbuf_release(&f.body);
	if (ret < 0)
		return ret;

	if (add_taken(&resp)) {
		log_info("qbittorrent: torrent added");
	} else if (resp.status == 403) {
		*expired = 1;
		ret = -EACCES;
	} else if (resp.status == 200 && !strcmp(resp.body.buf, "Fails.")) {
		ret = qbit_has(c, s, p, err);
		if (!ret)
			ret = client_fail(err, -EPROTO, "qbittorrent: the"
					  " torrent was refused (Fails.)");
		else if (ret > 0)
			ret = 0;
	} else if (resp.status == 200 || resp.status == 202 ||
		   resp.status == 409 || resp.status == 415) {
		ret = client_fail(err, -EPROTO, "qbittorrent: the torrent"
				  " was refused (HTTP %ld)", resp.status);
	} else {
		ret = client_http_fail(err, "qbittorrent: add", resp.status);
	}
	http_response_release(&resp);
	return ret;
}

/*
 * The torrent's identity in qBittorrent into id: its info hash when the
 * magnet or the torrent gives it, else a tag of its own for the add to
 * set, since a web link's torrent is known only once qBittorrent
 * fetched it.
 */
static void qbit_identity(const struct client_payload *p, char *id)
{
	char hash[INFOHASH_HEX];
	int ret = p->kind == LINKS_TORRENT ?
		infohash_torrent(p->data, p->len, hash) :
		p->kind == LINKS_MAGNET ? infohash_magnet(p->text, hash) :
		-EINVAL;

	if (!ret)
		snprintf(id, DOWNLOAD_ID_MAX, "%s", hash);
	else
		snprintf(id, DOWNLOAD_ID_MAX, QBIT_TAG "%016llx",
			 (unsigned long long)(clock_wall() * 1e6) ^
			 ((unsigned long long)random() << 20));
}

/*
 * Add r, logging in first when the session has none, and once more when
 * qBittorrent forgot the session since.
 */
static int qbit_send(const struct download_client *c,
		     const struct download_release *r,
		     const struct client_payload *p, const int *cancel,
		     char *id, struct strbuf *err)
{
	struct download_session local = { 0 };
	struct download_session *s = c->session ? c->session : &local;
	int ret = 0, fresh = 0, expired = 0;

	(void)r;
	(void)cancel;
	qbit_identity(p, id);
	if (!s->logged_in) {
		ret = qbit_login(c, s, err);
		fresh = 1;
	}
	if (!ret)
		ret = qbit_add(c, s, p, &expired, id, err);
	if (expired && !fresh) {
		log_info("qbittorrent: the session expired, logging in again");
		expired = 0;
		ret = qbit_login(c, s, err);
		if (!ret)
			ret = qbit_add(c, s, p, &expired, id, err);
	}
	if (expired) {
		qbit_forget(s);
		ret = client_fail(err, -EACCES, "qbittorrent: the add was"
				  " refused (HTTP 403) just after a login");
	}
	qbit_forget(&local);
	return ret;
}

/*
 * GET path with the session, logging in first when it has none, and once
 * more when qBittorrent forgot it (403). Returns 0 with resp (status 200)
 * to release, or a negative errno value with err set.
 */
static int qbit_get(const struct download_client *c,
		    struct download_session *s, const char *path,
		    struct http_response *resp, struct strbuf *err)
{
	int ret = 0;

	for (int tries = 0; tries < 2; tries++) {
		if (!s->logged_in)
			ret = qbit_login(c, s, err);
		if (!ret)
			ret = qbit_request(c, s, path, NULL, resp, err);
		if (ret)
			return ret;
		if (resp->status != 403)
			break;
		http_response_release(resp);
		qbit_forget(s);
		ret = -EACCES;
	}
	if (ret)
		return client_fail(err, ret, "qbittorrent: the listing was"
				   " refused (HTTP 403) just after a login");
	if (resp->status == 200)
		return 0;
	ret = client_http_fail(err, "qbittorrent: torrents/info",
			       resp->status);
	http_response_release(resp);
	return ret;
}

/* The JSON list qBittorrent answers at path (what names the call in the
 * error) in *doc. */
static int qbit_get_list(const struct download_client *c,
			 struct download_session *s, const char *path,
			 const char *what, json_t **doc, struct strbuf *err)
{
	struct http_response resp;
	int ret = qbit_get(c, s, path, &resp, err);

	if (ret)
		return ret;
	*doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	http_response_release(&resp);
	if (json_is_array(*doc))
		return 0;
	json_decref(*doc);
	*doc = NULL;
	return client_fail(err, -EPROTO, "qbittorrent: %s: unexpected"
			   " answer (not a list)", what);
}

/* Append the torrents qBittorrent lists at path to out. */
static int qbit_list_path(const struct download_client *c,
			  struct download_session *s, const char *path,
			  json_t *out, struct strbuf *err)
{
	json_t *doc;
	int ret = qbit_get_list(c, s, path, "torrents/info", &doc, err);

	if (ret)
		return ret;
	ret = json_array_extend(out, doc) ? -ENOMEM : 0;
	json_decref(doc);
	return ret;
}

/* The torrents of the hashes in ids in one request, those of each tag in
 * one of their own. */
static int qbit_list(const struct download_client *c,
		     const char *const *ids, size_t nr, json_t **out,
		     struct strbuf *err)
{
	struct download_session local = { 0 };
	struct download_session *s = c->session ? c->session : &local;
	struct strbuf hashes = STRBUF_INIT, path = STRBUF_INIT;
	int ret = 0;

	*out = json_array();
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; !ret && i < nr; i++) {
		if (strncmp(ids[i], QBIT_TAG, strlen(QBIT_TAG))) {
			strbuf_addstr(&hashes, hashes.len ? "%7C" : "");
			http_escape(ids[i], 0, &hashes);
			continue;
		}
		strbuf_reset(&path);
		strbuf_addstr(&path, "/api/v2/torrents/info?tag=");
		http_escape(ids[i], 0, &path);
		ret = qbit_list_path(c, s, path.buf, *out, err);
	}
	if (!ret && hashes.len) {
		strbuf_reset(&path);
		strbuf_addf(&path, "/api/v2/torrents/info?hashes=%s",
			    hashes.buf);
		ret = qbit_list_path(c, s, path.buf, *out, err);
	}
	qbit_forget(&local);
	strbuf_release(&hashes);
	strbuf_release(&path);
	if (ret) {
		json_decref(*out);
		*out = NULL;
	}
	return ret;
}

/* Whether s ends with end. */
static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && !strcmp(s + n - m, end);
}

/*
 * A torrents/info object (its states from 4.1 to 5.1: stoppedDL/stoppedUP
 * are 5.0's names of pausedDL/pausedUP): error and missingFiles failed,
 * uploading (seeding to peers) and the ...UP states with all pieces
 * completed, the waiting ones queued, any other on its way. Its bytes:
 * completed, size (of the files wanted), dlspeed.
 */
static int qbit_read(json_t *t, struct tracker_seen *out)
{
	static const char *const waiting[] = {
		"queuedDL", "pausedDL", "stoppedDL", "checkingDL",
		"checkingResumeData", "allocating",
	};
	const char *state = tracker_text(t, "state");
	const char *content = tracker_text(t, "content_path");

	if (!*tracker_text(t, "hash") || !*state)
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%s", tracker_text(t, "hash"));
	out->progress = tracker_number(t, "progress");
	tracker_set_bytes(out, tracker_bytes(t, "completed"),
			  tracker_bytes(t, "size"),
			  tracker_bytes(t, "dlspeed"));
	if (*content)
		snprintf(out->path, sizeof(out->path), "%s", content);
	else
		snprintf(out->path, sizeof(out->path), "%s/%s",
			 tracker_text(t, "save_path"),
			 tracker_text(t, "name"));
	out->state = TRACKER_DOWNLOADING;
	if (!strcmp(state, "error") || !strcmp(state, "missingFiles")) {
		out->state = TRACKER_FAILED;
		snprintf(out->reason, sizeof(out->reason), "qbittorrent: the"
			 " torrent is in state %s", state);
	} else if ((ends_with(state, "UP") || !strcmp(state, "uploading"))
		   && out->progress >= 1) {
		out->state = TRACKER_COMPLETED;
	} else {
		for (size_t i = 0; i < sizeof(waiting) / sizeof(*waiting);
		     i++)
			if (!strcmp(state, waiting[i]))
				out->state = TRACKER_QUEUED;
	}
	return 0;
}

/* Whether the torrent t is id: its hash, or one of its tags ("a, b"). */
static int qbit_matches(json_t *t, const char *id)
{
	const char *tags = tracker_text(t, "tags");
	size_t len = strlen(id);

	if (!strcasecmp(tracker_text(t, "hash"), id))
		return 1;
	for (const char *p = strstr(tags, id); p; p = strstr(p + 1, id))
		if ((p == tags || p[-1] == ' ' || p[-1] == ',') &&
		    (p[len] == '\0' || p[len] == ','))
			return 1;
	return 0;
}

/* /api/v2/torrents/files of obj's hash: the paths below its save_path
 * of those of a priority above 0 (0: not downloaded). */
static int qbit_files(const struct download_client *c, json_t *obj,
		      json_t **out, struct strbuf *err)
{
	struct download_session local = { 0 };
	struct download_session *s = c->session ? c->session : &local;
	const char *hash = json_string_value(json_object_get(obj, "hash"));
	const char *dir = json_string_value(json_object_get(obj,
							    "save_path"));
	struct strbuf path = STRBUF_INIT;
	json_t *doc = NULL, *f;
	size_t i;
	int ret;

	if (!hash || !*hash || !dir)
		return client_fail(err, -EPROTO, "qbittorrent: torrents/info:"
				   " a torrent without its hash or save_path");
	strbuf_addstr(&path, "/api/v2/torrents/files?hash=");
	http_escape(hash, 0, &path);
	ret = qbit_get_list(c, s, path.buf, "torrents/files", &doc, err);
	qbit_forget(&local);
	strbuf_release(&path);
	if (ret)
		return ret;
	*out = json_array();
	json_array_foreach(doc, i, f) {
		json_t *name = json_object_get(f, "name");

		if (!*out || !json_is_string(name) ||
		    !json_integer_value(json_object_get(f, "priority")))
			continue;
		if (client_add_path(*out, dir, json_string_value(name))) {
			json_decref(*out);
			*out = NULL;
		}
	}
	json_decref(doc);
	return *out ? 0 : -ENOMEM;
}

/* The body of path's answer, after a login, appended to out. */
static int qbit_text(const struct download_client *c, const char *path,
		     struct strbuf *out, struct strbuf *err)
{
	struct download_session local = { 0 };
	struct download_session *s = c->session ? c->session : &local;
	struct http_response resp;
	int ret = qbit_get(c, s, path, &resp, err);

	if (!ret) {
		strbuf_add(out, resp.body.buf, resp.body.len);
		http_response_release(&resp);
	}
	qbit_forget(&local);
	return ret;
}

/* /api/v2/app/version ("v4.5.2"). */
static int qbit_version(const struct download_client *c, struct strbuf *out,
			struct strbuf *err)
{
	return qbit_text(c, "/api/v2/app/version", out, err);
}

/* /api/v2/app/defaultSavePath, where a torrent added without a savepath
 * goes (qBittorrent 4.1 and later). */
static int qbit_home(const struct download_client *c, struct strbuf *out,
		     struct strbuf *err)
{
	return qbit_text(c, "/api/v2/app/defaultSavePath", out, err);
}

/* Only a url is needed: a user and password may be unset, for a
 * qBittorrent that lets this address in without a login. */
const struct client_kind client_qbittorrent = {
	.takes = LINKS_MAGNET | LINKS_TORRENT | CLIENT_URL,
	.url = 1,
	.send = qbit_send,
	CLIENT_LISTS(qbit),
	.files = qbit_files,
	.version = qbit_version,
	.home = qbit_home,
};
