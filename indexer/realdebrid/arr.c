#include "indexer/realdebrid/arr.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/http.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strbuf.h"

const char *arr_name(const struct arr *a)
{
	return a->kind == ARR_RADARR ? "radarr" : "sonarr";
}

/* Send one request with the key and turn its status into an error. */
static int send_request(const struct arr *a, const char *method,
			const char *path, const char *body,
			struct http_response *resp)
{
	struct strbuf url = STRBUF_INIT, key = STRBUF_INIT;
	const char *headers[3];
	struct http_request req = {
		.method = method,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.content_type = body ? "application/json" : NULL,
		.timeout_ms = a->timeout_ms,
		.max_body = ARR_MAX_BODY,
		.headers = headers,
	};
	int ret;

	http_join(&url, a->url, path);
	strbuf_addf(&key, "X-Api-Key: %s", a->api_key);
	headers[0] = key.buf;
	headers[1] = "Accept: application/json";
	headers[2] = NULL;
	req.url = url.buf;
	ret = http_perform(&req, resp);
	/* The key is a secret: leave no copy of it lying in freed memory. */
	memset(key.buf, 0, key.len);
	strbuf_release(&key);
	strbuf_release(&url);
	if (ret < 0)
		return ret;
	if (resp->status == 401 || resp->status == 403)
		return log_error(-EACCES, "%s: %s %s: HTTP %ld, the API key"
				 " was refused", arr_name(a), method, path,
				 resp->status);
	if (resp->status != 200 && resp->status != 201)
		return log_error(-EIO, "%s: %s %s: HTTP %ld", arr_name(a),
				 method, path, resp->status);
	return 0;
}

/* How many bytes of path folder holds as a prefix, or 0 when it does not
 * hold it; the folder's trailing slashes do not count. */
static size_t holds(const char *folder, const char *path)
{
	size_t len = strlen(folder);

	while (len > 1 && folder[len - 1] == '/')
		len--;
	if (!len || strncmp(folder, path, len) ||
	    (path[len] != '/' && path[len] != '\0'))
		return 0;
	return len;
}

int arr_find(const struct arr *a, const char *path, int64_t *id)
{
	struct http_response resp;
	const char *what = a->kind == ARR_RADARR ? "/api/v3/movie" :
		"/api/v3/series";
	size_t best = 0, i;
	json_t *doc, *item;
	int ret;

	if (!a->url || !a->api_key || path[0] != '/')
		return log_error(-EINVAL, "%s: no url, no key or a relative"
				 " path", arr_name(a));
	ret = send_request(a, "GET", what, NULL, &resp);
	if (ret < 0) {
		http_response_release(&resp);
		return ret;
	}
	doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	http_response_release(&resp);
	if (!json_is_array(doc)) {
		json_decref(doc);
		return log_error(-EPROTO, "%s: GET %s: not a JSON array",
				 arr_name(a), what);
	}
	json_array_foreach(doc, i, item) {
		const char *folder;
		json_int_t n;
		size_t len;

		if (!json_is_object(item) ||
		    json_member_str(item, "path", &folder) ||
		    json_member_int(item, "id", 0, &n)) {
			json_decref(doc);
			return log_error(-EPROTO, "%s: GET %s: an item without"
					 " id or path", arr_name(a), what);
		}
		len = folder && n > 0 ? holds(folder, path) : 0;
		if (len > best) {
			best = len;
			*id = n;
		}
	}
	json_decref(doc);
	return best ? 0 : -ENOENT;
}

int arr_rescan(const struct arr *a, int64_t id)
{
	struct http_response resp;
	int radarr = a->kind == ARR_RADARR;
	json_t *cmd;
	char *body;
	int ret;

	if (!a->url || !a->api_key || id < 1)
		return log_error(-EINVAL, "%s: no url, no key or no id to"
				 " rescan", arr_name(a));
	cmd = json_pack("{s:s, s:I}",
			"name", radarr ? "RescanMovie" : "RescanSeries",
			radarr ? "movieId" : "seriesId", (json_int_t)id);
	body = cmd ? json_dumps(cmd, JSON_COMPACT) : NULL;
	json_decref(cmd);
	if (!body)
		return log_error(-ENOMEM, "%s: out of memory", arr_name(a));
	ret = send_request(a, "POST", "/api/v3/command", body, &resp);
	free(body);
	http_response_release(&resp);
	if (!ret)
		log_info("%s: rescan of %s %lld asked", arr_name(a),
			 radarr ? "movie" : "series", (long long)id);
	return ret;
}
