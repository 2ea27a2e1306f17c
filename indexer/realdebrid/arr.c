/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Sonarr and Radarr client (arr.h): the item holding a path found, and
 * its rescan, its files' records dropped or a search asked. It never sends
 * a command without an item's id, which would touch the whole library.
 */
#include "indexer/realdebrid/arr.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/http.h"
#include "common/json.h"
#include "common/listener.h"
#include "common/log.h"
#include "common/path.h"
#include "common/strbuf.h"

const char *arr_name(const struct arr *a)
{
	return a->kind == ARR_RADARR ? "radarr" : "sonarr";
}

/* Send one request with the key (where a's user, root or the daemon's
 * listens) and turn its status into an error; a 404 is -ENOENT,
 * unlogged, when the caller takes it for "gone". */
static int send_request(const struct arr *a, const char *method,
			const char *path, const char *body, int missing_ok,
			struct http_response *resp)
{
	struct strbuf url = STRBUF_INIT, key = STRBUF_INIT;
	const char *headers[3];
	struct http_request req = {
		.method = method,
		.timeout_ms = a->timeout_ms,
		.max_body = ARR_MAX_BODY,
		.headers = headers,
	};
	int ret;

	*resp = (struct http_response){ .body = STRBUF_INIT };
	ret = listener_check(arr_name(a), arr_name(a), a->url, a->user);
	if (ret)
		return ret;
	http_join(&url, a->url, path);
	strbuf_addf(&key, "X-Api-Key: %s", a->api_key);
	headers[0] = key.buf;
	headers[1] = "Accept: application/json";
	headers[2] = NULL;
	req.url = url.buf;
	http_json_body(&req, body);
	ret = http_perform(&req, resp);
	/* The key is a secret: leave no copy of it lying in freed memory. */
	memset(key.buf, 0, key.len);
	strbuf_release(&key);
	strbuf_release(&url);
	if (ret < 0)
		return ret;
	if (missing_ok && resp->status == 404)
		return -ENOENT;
	if (resp->status == 401 || resp->status == 403)
		return log_error(-EACCES, "%s: %s %s: HTTP %ld, the API key"
				 " was refused", arr_name(a), method, path,
				 resp->status);
	if (resp->status != 200 && resp->status != 201)
		return log_error(-EIO, "%s: %s %s: HTTP %ld", arr_name(a),
				 method, path, resp->status);
	return 0;
}

/* GET what, a JSON array of objects, into *doc. */
static int get_array(const struct arr *a, const char *what, int missing_ok,
		     json_t **doc)
{
	struct http_response resp;
	json_t *item;
	size_t i;
	int ret;

	ret = send_request(a, "GET", what, NULL, missing_ok, &resp);
	*doc = ret ? NULL : json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	http_response_release(&resp);
	if (ret < 0)
		return ret;
	if (!json_is_array(*doc)) {
		json_decref(*doc);
		return log_error(-EPROTO, "%s: GET %s: not a JSON array",
				 arr_name(a), what);
	}
	json_array_foreach(*doc, i, item)
		if (!json_is_object(item)) {
			json_decref(*doc);
			return log_error(-EPROTO, "%s: GET %s: an item that is"
					 " not an object", arr_name(a), what);
		}
	return 0;
}

/* The id and the path of item; -EPROTO (logged) when one is missing. */
static int id_and_path(const struct arr *a, const char *what, json_t *item,
		       json_int_t *id, const char **path)
{
	if (json_member_str(item, "path", path) ||
	    json_member_int(item, "id", 0, id))
		return log_error(-EPROTO, "%s: GET %s: an item without id or"
				 " path", arr_name(a), what);
	return 0;
}

int arr_find(const struct arr *a, const char *path, int64_t *id)
{
	const char *what = a->kind == ARR_RADARR ? "/api/v3/movie" :
		"/api/v3/series";
	size_t best = 0, i;
	json_t *doc, *item;
	int ret;

	if (!a->url || !a->api_key || path[0] != '/')
		return log_error(-EINVAL, "%s: no url, no key or a relative"
				 " path", arr_name(a));
	ret = get_array(a, what, 0, &doc);
	if (ret < 0)
		return ret;
	json_array_foreach(doc, i, item) {
		const char *folder;
		json_int_t n;
		size_t len;

		if (id_and_path(a, what, item, &n, &folder)) {
			json_decref(doc);
			return -EPROTO;
		}
		len = folder && n > 0 ? path_holds(folder, path) : 0;
		if (len > best) {
			best = len;
			*id = n;
		}
	}
	json_decref(doc);
	return best ? 0 : -ENOENT;
}

/* POST the command cmd (taken; NULL: no memory) to the Arr a. */
static int post_command(const struct arr *a, json_t *cmd)
{
	struct http_response resp;
	char *body = cmd ? json_dumps(cmd, JSON_COMPACT) : NULL;
	int ret;

	json_decref(cmd);
	if (!body)
		return log_error(-ENOMEM, "%s: out of memory", arr_name(a));
	ret = send_request(a, "POST", "/api/v3/command", body, 0, &resp);
	free(body);
	http_response_release(&resp);
	return ret;
}

int arr_rescan(const struct arr *a, int64_t id)
{
	int radarr = a->kind == ARR_RADARR;
	int ret;

	if (!a->url || !a->api_key || id < 1)
		return log_error(-EINVAL, "%s: no url, no key or no id to"
				 " rescan", arr_name(a));
	ret = post_command(a, json_pack("{s:s, s:I}", "name",
					radarr ? "RescanMovie" :
					"RescanSeries",
					radarr ? "movieId" : "seriesId",
					(json_int_t)id));
	if (!ret)
		log_info("%s: rescan of %s %lld asked", arr_name(a),
			 radarr ? "movie" : "series", (long long)id);
	return ret;
}

int arr_ids_add(struct arr_ids *ids, int64_t id)
{
	int64_t *v;

	for (size_t i = 0; i < ids->nr; i++)
		if (ids->v[i] == id)
			return 0;
	v = array_grow(ids->v, ids->nr, &ids->alloc, sizeof(*v), 8);
	if (!v)
		return log_error(-ENOMEM, "arr: out of memory");
	ids->v = v;
	ids->v[ids->nr++] = id;
	return 0;
}

void arr_ids_release(struct arr_ids *ids)
{
	free(ids->v);
	*ids = (struct arr_ids){ 0 };
}

int arr_files(const struct arr *a, int64_t id, const char *const *paths,
	      size_t nr, struct arr_ids *out)
{
	int radarr = a->kind == ARR_RADARR;
	char what[96];
	json_t *doc, *item;
	size_t i;
	int ret;

	if (!a->url || !a->api_key || id < 1)
		return log_error(-EINVAL, "%s: no url, no key or no id to"
				 " list the files of", arr_name(a));
	snprintf(what, sizeof(what), radarr ?
		 "/api/v3/moviefile?movieId=%lld" :
		 "/api/v3/episodefile?seriesId=%lld", (long long)id);
	ret = get_array(a, what, 0, &doc);
	json_array_foreach(doc, i, item) {
		const char *path;
		json_int_t file;

		ret = id_and_path(a, what, item, &file, &path);
		for (size_t j = 0; !ret && path && j < nr; j++)
			if (file > 0 && !strcmp(path, paths[j]))
				ret = arr_ids_add(out, file);
		if (ret)
			break;
	}
	json_decref(doc);
	return ret;
}

int arr_episodes(const struct arr *a, int64_t file, struct arr_ids *out)
{
	char what[96];
	json_t *doc, *item;
	size_t i;
	int ret;

	if (a->kind != ARR_SONARR || !a->url || !a->api_key || file < 1)
		return log_error(-EINVAL, "%s: episodes of file %lld asked",
				 arr_name(a), (long long)file);
	snprintf(what, sizeof(what), "/api/v3/episode?episodeFileId=%lld",
		 (long long)file);
	ret = get_array(a, what, 1, &doc);
	json_array_foreach(doc, i, item) {
		json_int_t episode;

		if (json_member_int(item, "id", 0, &episode) || episode < 1)
			ret = log_error(-EPROTO, "%s: GET %s: an episode"
					" without id", arr_name(a), what);
		else
			ret = arr_ids_add(out, episode);
		if (ret)
			break;
	}
	json_decref(doc);
	return ret;
}

int arr_delete_file(const struct arr *a, int64_t file)
{
	struct http_response resp;
	char what[64];
	int ret;

	if (!a->url || !a->api_key || file < 1)
		return log_error(-EINVAL, "%s: no url, no key or no file to"
				 " delete", arr_name(a));
	snprintf(what, sizeof(what), a->kind == ARR_RADARR ?
		 "/api/v3/moviefile/%lld" : "/api/v3/episodefile/%lld",
		 (long long)file);
	ret = send_request(a, "DELETE", what, NULL, 1, &resp);
	http_response_release(&resp);
	if (!ret)
		log_info("%s: record of file %lld deleted", arr_name(a),
			 (long long)file);
	return ret;
}

int arr_search(const struct arr *a, const int64_t *ids, size_t nr)
{
	int radarr = a->kind == ARR_RADARR;
	json_t *list = json_array();
	int ret;

	if (!a->url || !a->api_key || !nr) {
		json_decref(list);
		return log_error(-EINVAL, "%s: no url, no key or nothing to"
				 " search", arr_name(a));
	}
	for (size_t i = 0; list && i < nr; i++)
		if (json_array_append_new(list, json_integer(ids[i]))) {
			json_decref(list);
			list = NULL;
		}
	ret = post_command(a, list ? json_pack("{s:s, s:o}", "name",
					       radarr ? "MoviesSearch" :
					       "EpisodeSearch",
					       radarr ? "movieIds" :
					       "episodeIds", list) : NULL);
	if (!ret)
		log_info("%s: search of %zu %s asked", arr_name(a), nr,
			 radarr ? "movies" : "episodes");
	return ret;
}
