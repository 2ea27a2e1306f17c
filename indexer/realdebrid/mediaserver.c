/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The media servers told of the folders a repair changed (mediaserver.h):
 * Plex, Jellyfin and Emby, each only when configured. Each request is sent
 * once; a server that fails is logged and noted, never retried here.
 */
#include "indexer/realdebrid/mediaserver.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/http.h"
#include "common/listener.h"
#include "common/log.h"
#include "common/path.h"
#include "common/strbuf.h"

/* Send one request with its secret header, where user (the service's
 * section's) or root or the daemon's listens; the status as an error. */
static int send_request(const char *service, const char *base,
			const struct config_user *user, const char *method,
			const char *path, const char *secret,
			const char *body, struct http_response *resp)
{
	struct strbuf url = STRBUF_INIT;
	const char *headers[3] = { secret, "Accept: application/json", NULL };
	struct http_request req = {
		.method = method,
		.max_body = MEDIASERVER_MAX_BODY,
		.headers = headers,
	};
	int ret;

	*resp = (struct http_response){ .body = STRBUF_INIT };
	ret = listener_check(service, service, base, user);
	if (ret)
		return ret;
	http_join(&url, base, path);
	req.url = url.buf;
	http_json_body(&req, body);
	ret = http_perform(&req, resp);
	strbuf_release(&url);
	if (ret < 0)
		return log_error(ret, "%s: %s: %s", service, method,
				 strerror(-ret));
	if (resp->status == 401 || resp->status == 403)
		return log_error(-EACCES, "%s: %s: HTTP %ld, the token was"
				 " refused", service, method, resp->status);
	if (resp->status != 200 && resp->status != 202 &&
	    resp->status != 204)
		return log_error(-EIO, "%s: %s: HTTP %ld", service, method,
				 resp->status);
	return 0;
}

/* A GET of path whose answer is JSON, into *doc (NULL when it is not:
 * the caller says what it lacks). */
static int get_json(const char *service, const char *base,
		    const struct config_user *user, const char *path,
		    const char *secret, json_t **doc)
{
	struct http_response resp;
	int rc = send_request(service, base, user, "GET", path, secret, NULL,
			      &resp);

	*doc = rc ? NULL : json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	http_response_release(&resp);
	return rc;
}

/* A header holding a secret, wiped before it is freed. */
static void secret_release(struct strbuf *h)
{
	if (h->buf)
		memset(h->buf, 0, h->len);
	strbuf_release(h);
}

/* The key of the Plex section whose folder holds folder, deepest first,
 * into key (of size len); -ENOENT when none does. */
static int plex_section(json_t *dirs, const char *folder, char *key,
			size_t len)
{
	size_t best = 0, i, j, n;
	json_t *d, *loc;

	json_array_foreach(dirs, i, d) {
		const char *k = json_string_value(json_object_get(d, "key"));

		json_array_foreach(json_object_get(d, "Location"), j, loc) {
			n = path_holds(json_string_value(json_object_get(loc,
				  "path")), folder);
			if (!k || n <= best)
				continue;
			best = n;
			snprintf(key, len, "%s", k);
		}
	}
	return best ? 0 : -ENOENT;
}

/* Plex: the sections, then one refresh of each folder in its own. */
static int plex(const struct config *cfg, const char *const *folders,
		size_t nr, int (*note)(void *, const char *, const char *,
				       int),
		void *arg, struct mediaserver_told *told)
{
	struct strbuf token = STRBUF_INIT, path = STRBUF_INIT;
	struct http_response resp;
	json_t *doc = NULL, *dirs;
	int rc, ret = 0;

	strbuf_addf(&token, "X-Plex-Token: %s", cfg->plex_token);
	rc = get_json("plex", cfg->plex_url, &cfg->plex_user,
		      "/library/sections", token.buf, &doc);
	dirs = json_object_get(json_object_get(doc, "MediaContainer"),
			       "Directory");
	if (!rc && !json_is_array(dirs))
		rc = log_error(-EPROTO, "plex: GET /library/sections: no"
			       " MediaContainer.Directory list");
	if (rc) {
		told->failed++;
		ret = note(arg, "plex", "/library/sections", rc);
	}
	for (size_t i = 0; !rc && !ret && i < nr; i++) {
		char key[64];

		rc = plex_section(dirs, folders[i], key, sizeof(key));
		if (!rc) {
			strbuf_reset(&path);
			strbuf_addf(&path, "/library/sections/%s/refresh?path=",
				    key);
			http_escape(folders[i], 0, &path);
			rc = send_request("plex", cfg->plex_url,
					  &cfg->plex_user, "GET", path.buf,
					  token.buf, NULL, &resp);
			http_response_release(&resp);
		} else {
			log_warn("plex: no library section holds %s",
				 folders[i]);
		}
		if (rc && rc != -ENOENT)
			told->failed++;
		else if (!rc)
			told->asked++;
		ret = note(arg, "plex", folders[i], rc);
		/* A server that fails is not asked again in this call. */
		if (rc == -ENOENT)
			rc = 0;
	}
	json_decref(doc);
	secret_release(&token);
	strbuf_release(&path);
	return ret;
}

/* Jellyfin or Emby: every folder in one request. */
static int jellyfin(const char *service, const char *url,
		    const struct config_user *user, const char *secret, const char *const *folders, size_t nr,
		    int (*note)(void *, const char *, const char *, int),
		    void *arg, struct mediaserver_told *told)
{
	json_t *updates = json_array(), *doc;
	struct http_response resp;
	char *body = NULL, target[32];
	int rc;

	for (size_t i = 0; updates && i < nr; i++)
		if (json_array_append_new(updates, json_pack("{s:s, s:s}",
					  "Path", folders[i], "UpdateType",
					  "Modified"))) {
			json_decref(updates);
			updates = NULL;
		}
	doc = updates ? json_pack("{s:o}", "Updates", updates) : NULL;
	if (doc)
		body = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!body)
		return log_error(-ENOMEM, "%s: out of memory", service);
	rc = send_request(service, url, user, "POST",
			  "/Library/Media/Updated", secret, body, &resp);
	free(body);
	http_response_release(&resp);
	if (rc)
		told->failed++;
	else
		told->asked++;
	snprintf(target, sizeof(target), "%zu folders", nr);
	return note(arg, service, target, rc);
}

/* Komga: the libraries, then a scan of the one whose root holds folder
 * (the deepest). */
static int komga(const struct config *cfg, const char *folder)
{
	struct strbuf key = STRBUF_INIT, path = STRBUF_INIT;
	struct http_response resp;
	const char *id = NULL;
	json_t *doc = NULL, *lib;
	size_t best = 0, i, n;
	int rc;

	strbuf_addf(&key, "X-API-Key: %s", cfg->komga_api_key);
	rc = get_json("komga", cfg->komga_url, &cfg->komga_user,
		      "/api/v1/libraries", key.buf, &doc);
	if (!rc && !json_is_array(doc))
		rc = log_error(-EPROTO, "komga: GET /api/v1/libraries: not a"
			       " list of libraries");
	json_array_foreach(rc ? NULL : doc, i, lib) {
		n = path_holds(json_string_value(json_object_get(lib, "root")),
			  folder);
		if (n > best && json_string_value(json_object_get(lib, "id"))) {
			best = n;
			id = json_string_value(json_object_get(lib, "id"));
		}
	}
	if (!rc && !id) {
		log_warn("komga: no library holds %s", folder);
		rc = -ENOENT;
	}
	if (!rc) {
		strbuf_addstr(&path, "/api/v1/libraries/");
		http_escape(id, 0, &path);
		strbuf_addstr(&path, "/scan");
		rc = send_request("komga", cfg->komga_url, &cfg->komga_user,
				  "POST", path.buf, key.buf, NULL, &resp);
		http_response_release(&resp);
	}
	json_decref(doc);
	secret_release(&key);
	strbuf_release(&path);
	return rc;
}

/* Kavita: a scan of the folder (the key in the body too, as the
 * endpoint documents it). */
static int kavita(const struct config *cfg, const char *folder)
{
	struct strbuf key = STRBUF_INIT;
	struct http_response resp;
	json_t *doc = json_pack("{s:s, s:s}", "apiKey", cfg->kavita_api_key,
				"folderPath", folder);
	char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	int rc;

	json_decref(doc);
	if (!body)
		return log_error(-ENOMEM, "kavita: out of memory");
	strbuf_addf(&key, "x-api-key: %s", cfg->kavita_api_key);
	rc = send_request("kavita", cfg->kavita_url, &cfg->kavita_user,
			  "POST", "/api/Library/scan-folder", key.buf, body,
			  &resp);
	http_response_release(&resp);
	explicit_bzero(body, strlen(body));
	free(body);
	secret_release(&key);
	return rc;
}

/* A note() that keeps nothing: an import's outcome is in the log. */
static int no_note(void *arg, const char *service, const char *target,
		   int rc)
{
	(void)arg;
	(void)service;
	(void)target;
	(void)rc;
	return 0;
}

void mediaserver_imported(const struct config *cfg, const char *folder,
			  struct mediaserver_told *told)
{
	int rc;

	mediaserver_refresh(cfg, &folder, 1, no_note, NULL, told);
	if (cfg->komga_url && cfg->komga_api_key) {
		rc = komga(cfg, folder);
		told->asked += !rc;
		told->failed += rc && rc != -ENOENT;
	}
	if (cfg->kavita_url && cfg->kavita_api_key) {
		rc = kavita(cfg, folder);
		told->asked += !rc;
		told->failed += !!rc;
	}
}

int mediaserver_refresh(const struct config *cfg, const char *const *folders,
			size_t nr,
			int (*note)(void *arg, const char *service,
				    const char *target, int rc),
			void *arg, struct mediaserver_told *told)
{
	struct strbuf h = STRBUF_INIT;
	int ret = 0;

	*told = (struct mediaserver_told){ 0 };
	if (!nr)
		return 0;
	if (cfg->plex_url && cfg->plex_token)
		ret = plex(cfg, folders, nr, note, arg, told);
	if (!ret && cfg->jellyfin_url && cfg->jellyfin_api_key) {
		strbuf_addf(&h, "Authorization: MediaBrowser Token=\"%s\"",
			    cfg->jellyfin_api_key);
		ret = jellyfin("jellyfin", cfg->jellyfin_url,
			       &cfg->jellyfin_user, h.buf, folders, nr, note,
			       arg, told);
		secret_release(&h);
	}
	if (!ret && cfg->emby_url && cfg->emby_api_key) {
		strbuf_addf(&h, "X-Emby-Token: %s", cfg->emby_api_key);
		ret = jellyfin("emby", cfg->emby_url, &cfg->emby_user,
			       h.buf, folders, nr, note, arg, told);
		secret_release(&h);
	}
	return ret;
}
