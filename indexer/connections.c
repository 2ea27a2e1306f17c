/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mediamon --check-connections: a table of the services a configuration
 * may name, each with whether it is configured and a probe that asks it
 * one request changing nothing (a status, a version, a login). It only
 * reads the configuration and the answers: it starts no daemon, opens no
 * store and sends no download, message or refresh.
 */
#include <errno.h>
#include <jansson.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/http.h"
#include "common/strbuf.h"
#include "indexer/connections.h"
#include "indexer/monitor/client.h"

#define PROBE_TIMEOUT_MS 15000
#define PROBE_MAX_BODY (1u << 20)
#define WORD_MAX 40

/* Append at most WORD_MAX printable bytes of a service's answer: what it
 * says of itself (a version, a name) and nothing that could be a line. */
static void add_word(struct strbuf *msg, const char *s, size_t len)
{
	for (size_t i = 0; i < len && i < WORD_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		strbuf_addch(msg, ch >= 0x20 && ch < 0x7f ? (char)ch : '?');
	}
}

/*
 * Ask url; returns 0 when a 2xx came back (resp to release), else 1 with
 * msg saying why: unreachable, refused credentials or the HTTP status.
 */
static int ask(const char *method, const char *url,
	       const char *const *headers, const char *body,
	       int secret_path, struct http_response *resp,
	       struct strbuf *msg)
{
	struct http_request req = {
		.method = method,
		.url = url,
		.headers = headers,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.content_type = body ? (body[0] == '{' ? "application/json" :
				"application/x-www-form-urlencoded") : NULL,
		.timeout_ms = PROBE_TIMEOUT_MS,
		.max_body = PROBE_MAX_BODY,
		.secret_path = secret_path,
	};

	if (http_perform(&req, resp) < 0) {
		strbuf_addf(msg, "unreachable (%s)", resp->error);
		http_response_release(resp);
		return 1;
	}
	if (resp->status >= 200 && resp->status < 300)
		return 0;
	if (resp->status == 401 || resp->status == 403)
		strbuf_addf(msg, "refused credentials (HTTP %ld)",
			    resp->status);
	else
		strbuf_addf(msg, "HTTP %ld", resp->status);
	http_response_release(resp);
	return 1;
}

/* The string at key of a JSON answer (key NULL: the answer is the
 * string), as "what WORD"; else 1 with msg "bad answer". */
static int answer_word(struct http_response *resp, const char *key,
		       const char *what, struct strbuf *msg)
{
	json_t *doc = json_loadb(resp->body.buf, resp->body.len,
				 JSON_DECODE_ANY, NULL);
	json_t *v = key ? json_object_get(doc, key) : doc;
	int ret = 0;

	if (!json_is_string(v)) {
		strbuf_addf(msg, "bad answer (no %s)", key ? key : what);
		ret = 1;
	} else {
		strbuf_addf(msg, "%s ", what);
		add_word(msg, json_string_value(v), json_string_length(v));
	}
	json_decref(doc);
	http_response_release(resp);
	return ret;
}

/* GET base + path with header (NULL: none), then answer_word(). */
static int get_word(const char *base, const char *path, const char *header,
		    const char *key, const char *what, struct strbuf *msg)
{
	struct strbuf url = STRBUF_INIT;
	const char *headers[2] = { header, NULL };
	struct http_response resp;
	int ret;

	http_join(&url, base, path);
	ret = ask("GET", url.buf, headers, NULL, 0, &resp, msg);
	strbuf_release(&url);
	return ret ? ret : answer_word(&resp, key, what, msg);
}

/* An "X-Api-Key: KEY" (or other name) header, the secret wiped after. */
static int keyed_word(const char *base, const char *path, const char *name,
		      const char *key, const char *field, struct strbuf *msg)
{
	struct strbuf h = STRBUF_INIT;
	int ret;

	strbuf_addf(&h, "%s: %s", name, key ? key : "");
	ret = get_word(base, path, h.buf, field, "version", msg);
	client_wipe(h.buf);
	strbuf_release(&h);
	return ret;
}

static int probe_prowlarr(const struct config *c, struct strbuf *msg)
{
	return keyed_word(c->prowlarr_url, "/api/v1/system/status",
			  "X-Api-Key", c->prowlarr_api_key, "version", msg);
}

static int probe_sonarr(const struct config *c, struct strbuf *msg)
{
	return keyed_word(c->sonarr_url, "/api/v3/system/status",
			  "X-Api-Key", c->sonarr_api_key, "version", msg);
}

static int probe_radarr(const struct config *c, struct strbuf *msg)
{
	return keyed_word(c->radarr_url, "/api/v3/system/status",
			  "X-Api-Key", c->radarr_api_key, "version", msg);
}

static int probe_jellyfin(const struct config *c, struct strbuf *msg)
{
	return keyed_word(c->jellyfin_url, "/System/Info", "X-Emby-Token",
			  c->jellyfin_api_key, "Version", msg);
}

static int probe_emby(const struct config *c, struct strbuf *msg)
{
	return keyed_word(c->emby_url, "/System/Info", "X-Emby-Token",
			  c->emby_api_key, "Version", msg);
}

/* Plex's root answers a MediaContainer with its version attribute (JSON
 * when asked with Accept: application/json); unlike /identity, it wants
 * the token, so a wrong one is told. */
static int probe_plex(const struct config *c, struct strbuf *msg)
{
	struct strbuf h = STRBUF_INIT, url = STRBUF_INIT;
	const char *headers[3] = { NULL, "Accept: application/json", NULL };
	struct http_response resp;
	json_t *doc, *v;
	int ret;

	strbuf_addf(&h, "X-Plex-Token: %s", c->plex_token);
	headers[0] = h.buf;
	http_join(&url, c->plex_url, "/");
	ret = ask("GET", url.buf, headers, NULL, 0, &resp, msg);
	client_wipe(h.buf);
	strbuf_release(&h);
	strbuf_release(&url);
	if (ret)
		return ret;
	doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	v = json_object_get(json_object_get(doc, "MediaContainer"),
			    "version");
	if (json_is_string(v)) {
		strbuf_addstr(msg, "version ");
		add_word(msg, json_string_value(v), json_string_length(v));
	} else {
		strbuf_addstr(msg, "bad answer (no MediaContainer version)");
		ret = 1;
	}
	json_decref(doc);
	http_response_release(&resp);
	return ret;
}

static int probe_realdebrid(const struct config *c, struct strbuf *msg)
{
	struct strbuf h = STRBUF_INIT;
	int ret;

	strbuf_addf(&h, "Authorization: Bearer %s", c->rd_api_token);
	ret = get_word(c->rd_url, "/user", h.buf, "type", "account", msg);
	client_wipe(h.buf);
	strbuf_release(&h);
	return ret;
}

/* A catalogue's site: any answer under 500 shows it is there. */
static int probe_site(const char *base, struct strbuf *msg)
{
	struct http_request req = {
		.url = base,
		.timeout_ms = PROBE_TIMEOUT_MS,
		.max_body = PROBE_MAX_BODY,
		.follow_redirects = 1,
	};
	struct http_response resp;
	int ret = 0;

	if (http_perform(&req, &resp) < 0) {
		strbuf_addf(msg, "unreachable (%s)", resp.error);
		ret = 1;
	} else if (resp.status >= 500) {
		strbuf_addf(msg, "HTTP %ld", resp.status);
		ret = 1;
	} else {
		strbuf_addf(msg, "HTTP %ld", resp.status);
	}
	http_response_release(&resp);
	return ret;
}

static int probe_nautiljon(const struct config *c, struct strbuf *msg)
{
	return probe_site(c->nautiljon_url, msg);
}

static int probe_mangadex(const struct config *c, struct strbuf *msg)
{
	return probe_site(c->mangadex_url, msg);
}

/* The Referer and Origin qBittorrent's CSRF check wants, into h[0..1]. */
static void qbit_origin(const char *base, struct strbuf *referer,
			struct strbuf *origin)
{
	const char *host = strstr(base, "://");

	strbuf_addstr(referer, "Referer: ");
	http_join(referer, base, "/");
	strbuf_addstr(origin, "Origin: ");
	if (host)
		strbuf_add(origin, base, (size_t)(host + 3 - base) +
			   strcspn(host + 3, "/?#"));
	else
		strbuf_addstr(origin, base);
}

/* Log in, then GET /api/v2/app/version with the session's cookie. */
static int probe_qbittorrent(const struct config *c, struct strbuf *msg)
{
	struct strbuf url = STRBUF_INIT, form = STRBUF_INIT;
	struct strbuf referer = STRBUF_INIT, origin = STRBUF_INIT;
	struct strbuf cookie = STRBUF_INIT;
	const char *headers[4] = { NULL };
	struct http_response resp;
	int ret;

	qbit_origin(c->download_url, &referer, &origin);
	headers[0] = referer.buf;
	headers[1] = origin.buf;
	strbuf_addstr(&form, "username=");
	http_escape(c->download_username ? c->download_username : "", 1,
		    &form);
	strbuf_addstr(&form, "&password=");
	http_escape(c->download_password ? c->download_password : "", 1,
		    &form);
	http_join(&url, c->download_url, "/api/v2/auth/login");
	ret = ask("POST", url.buf, headers, form.buf, 0, &resp, msg);
	client_wipe(form.buf);
	if (!ret) {
		strbuf_rtrim(&resp.body);
		if (strcmp(resp.body.buf, "Ok.") || !resp.cookies) {
			strbuf_addstr(msg, "refused credentials (login: ");
			add_word(msg, resp.body.buf, resp.body.len);
			strbuf_addstr(msg, ")");
			ret = 1;
		} else {
			strbuf_addf(&cookie, "Cookie: %s", resp.cookies);
			headers[2] = cookie.buf;
		}
		http_response_release(&resp);
	}
	strbuf_reset(&url);
	http_join(&url, c->download_url, "/api/v2/app/version");
	if (!ret)
		ret = ask("GET", url.buf, headers, NULL, 0, &resp, msg);
	if (!ret) {
		strbuf_rtrim(&resp.body);
		strbuf_addstr(msg, "version ");
		add_word(msg, resp.body.buf, resp.body.len);
		http_response_release(&resp);
	}
	client_wipe(cookie.buf);
	strbuf_release(&cookie);
	strbuf_release(&form);
	strbuf_release(&origin);
	strbuf_release(&referer);
	strbuf_release(&url);
	return ret;
}

#define TR_TOKEN "X-Transmission-Session-Id"

/* session-get, with the token handshake: the first 409 gives the token. */
static int probe_transmission(const struct config *c, struct strbuf *msg)
{
	static const char body[] = "{\"method\":\"session-get\","
		"\"arguments\":{\"fields\":[\"version\"]}}";
	struct strbuf url = STRBUF_INIT, auth = STRBUF_INIT;
	struct strbuf token = STRBUF_INIT;
	const char *headers[3] = { NULL };
	struct http_request req = {
		.method = "POST",
		.headers = headers,
		.body = body,
		.body_len = sizeof(body) - 1,
		.content_type = "application/json",
		.timeout_ms = PROBE_TIMEOUT_MS,
		.max_body = PROBE_MAX_BODY,
		.read_header = TR_TOKEN,
	};
	struct http_response resp;
	json_t *doc, *v;
	int n = 0, ret = 0;

	const char *host = strstr(c->download_url, "://");
	const char *path = host ? strchr(host + 3, '/') : NULL;

	if (path && path[strspn(path, "/")])
		strbuf_addstr(&url, c->download_url);
	else
		http_join(&url, c->download_url, "/transmission/rpc");
	client_basic_auth(c->download_username, c->download_password, &auth);
	if (auth.len)
		headers[n++] = auth.buf;
	req.url = url.buf;
	for (int tries = 0; !ret && tries < 2; tries++) {
		if (http_perform(&req, &resp) < 0) {
			strbuf_addf(msg, "unreachable (%s)", resp.error);
			ret = 1;
		} else if (resp.status == 409 && !tries &&
			   resp.header_value) {
			strbuf_addf(&token, TR_TOKEN ": %s",
				    resp.header_value);
			headers[n] = token.buf;
		} else {
			break;
		}
		http_response_release(&resp);
	}
	client_wipe(auth.buf);
	strbuf_release(&auth);
	strbuf_release(&token);
	strbuf_release(&url);
	if (ret)
		return ret;
	if (resp.status == 401 || resp.status == 403) {
		strbuf_addf(msg, "refused credentials (HTTP %ld)",
			    resp.status);
		ret = 1;
	} else if (resp.status != 200) {
		strbuf_addf(msg, "HTTP %ld", resp.status);
		ret = 1;
	}
	if (ret) {
		http_response_release(&resp);
		return ret;
	}
	doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	v = json_object_get(json_object_get(doc, "arguments"), "version");
	if (json_is_string(v)) {
		strbuf_addstr(msg, "version ");
		add_word(msg, json_string_value(v), json_string_length(v));
	} else {
		strbuf_addstr(msg, "bad answer (no arguments.version)");
		ret = 1;
	}
	json_decref(doc);
	http_response_release(&resp);
	return ret;
}

/* SABnzbd's mode=version needs no key: mode=queue with limit=0 checks
 * it (403 "API Key Incorrect") and tells the version too. */
static int probe_sabnzbd(const struct config *c, struct strbuf *msg)
{
	struct strbuf url = STRBUF_INIT;
	struct http_response resp;
	json_t *doc, *v;
	int ret;

	http_join(&url, c->usenet_url, "/api?mode=queue&limit=0&output=json"
		  "&apikey=");
	http_escape(c->usenet_api_key ? c->usenet_api_key : "", 0, &url);
	ret = ask("GET", url.buf, NULL, NULL, 0, &resp, msg);
	client_wipe(url.buf);
	strbuf_release(&url);
	if (ret)
		return ret;
	doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	v = json_object_get(json_object_get(doc, "queue"), "version");
	if (json_is_string(v)) {
		strbuf_addstr(msg, "version ");
		add_word(msg, json_string_value(v), json_string_length(v));
	} else {
		strbuf_addstr(msg, "bad answer (no queue.version)");
		ret = 1;
	}
	json_decref(doc);
	http_response_release(&resp);
	return ret;
}

static int probe_nzbget(const struct config *c, struct strbuf *msg)
{
	struct strbuf url = STRBUF_INIT, auth = STRBUF_INIT;
	const char *headers[2] = { NULL };
	struct http_response resp;
	int ret;

	http_join(&url, c->usenet_url, "/jsonrpc");
	client_basic_auth(c->usenet_username, c->usenet_password, &auth);
	if (auth.len)
		headers[0] = auth.buf;
	ret = ask("POST", url.buf, headers,
		  "{\"version\":\"1.1\",\"method\":\"version\",\"params\":[]}",
		  0, &resp, msg);
	client_wipe(auth.buf);
	strbuf_release(&auth);
	strbuf_release(&url);
	return ret ? ret : answer_word(&resp, "result", "version", msg);
}

static int probe_folder(const char *dir, struct strbuf *msg)
{
	if (!dir) {
		strbuf_addstr(msg, "no blackhole_dir set");
		return 1;
	}
	if (access(dir, W_OK | X_OK)) {
		strbuf_addf(msg, "folder %s: %s", dir, strerror(errno));
		return 1;
	}
	strbuf_addf(msg, "folder %s writable", dir);
	return 0;
}

static int probe_torrent_hole(const struct config *c, struct strbuf *msg)
{
	return probe_folder(c->download_blackhole_dir, msg);
}

static int probe_usenet_hole(const struct config *c, struct strbuf *msg)
{
	return probe_folder(c->usenet_blackhole_dir, msg);
}

/* getMe answers the bot's own user: {"ok":true,"result":{"username"}}. */
static int probe_telegram(const struct config *c, struct strbuf *msg)
{
	struct strbuf url = STRBUF_INIT;
	struct http_response resp;
	json_t *doc, *v;
	int ret;

	http_join(&url, c->notify_telegram_url, "/bot");
	strbuf_addf(&url, "%s/getMe", c->notify_telegram_token);
	ret = ask("GET", url.buf, NULL, NULL, 1, &resp, msg);
	client_wipe(url.buf);
	strbuf_release(&url);
	if (ret)
		return ret;
	doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	v = json_object_get(json_object_get(doc, "result"), "username");
	if (json_is_string(v)) {
		strbuf_addstr(msg, "bot ");
		add_word(msg, json_string_value(v), json_string_length(v));
	} else {
		strbuf_addstr(msg, "bad answer (no result.username)");
		ret = 1;
	}
	json_decref(doc);
	http_response_release(&resp);
	return ret;
}

/* ntfy's server, the topic's URL without its path, at /v1/health. */
static int probe_ntfy(const struct config *c, struct strbuf *msg)
{
	const char *u = c->notify_ntfy_url, *host = strstr(u, "://");
	struct strbuf base = STRBUF_INIT, url = STRBUF_INIT;
	struct http_response resp;
	json_t *doc;
	int ret;

	strbuf_add(&base, u, host ? (size_t)(host + 3 - u) +
		   strcspn(host + 3, "/?#") : strlen(u));
	http_join(&url, base.buf, "/v1/health");
	strbuf_release(&base);
	ret = ask("GET", url.buf, NULL, NULL, 0, &resp, msg);
	strbuf_release(&url);
	if (ret)
		return ret;
	doc = json_loadb(resp.body.buf, resp.body.len, 0, NULL);
	if (json_is_true(json_object_get(doc, "healthy"))) {
		strbuf_addstr(msg, "healthy");
	} else {
		strbuf_addstr(msg, "bad answer (not healthy)");
		ret = 1;
	}
	json_decref(doc);
	http_response_release(&resp);
	return ret;
}

/* A GET of a Discord webhook answers its object, with its name. */
static int probe_discord(const struct config *c, struct strbuf *msg)
{
	struct http_response resp;
	int ret = ask("GET", c->notify_discord_webhook, NULL, NULL, 1,
		      &resp, msg);

	if (ret && strstr(msg->buf, "HTTP 404")) {
		strbuf_reset(msg);
		strbuf_addstr(msg, "refused credentials (HTTP 404: unknown"
			      " webhook)");
	}
	return ret ? ret : answer_word(&resp, "name", "webhook", msg);
}

static int not_asked(const struct config *c, struct strbuf *msg)
{
	(void)c;
	strbuf_addstr(msg, "not asked (no harmless request)");
	return -1;
}

static int uses(const char *client, const char *name)
{
	return client && !strcmp(client, name);
}

static const struct service {
	const char *name;
	size_t set;		/* offset of the field that names it */
	const char *client;	/* download or usenet client it must be */
	int usenet;
	int (*probe)(const struct config *c, struct strbuf *msg);
} services[] = {
#define F(field) offsetof(struct config, field)
	{ "prowlarr", F(prowlarr_url), NULL, 0, probe_prowlarr },
	{ "qbittorrent", F(download_url), "qbittorrent", 0,
	  probe_qbittorrent },
	{ "transmission", F(download_url), "transmission", 0,
	  probe_transmission },
	{ "blackhole", F(download_client), "blackhole", 0,
	  probe_torrent_hole },
	{ "sabnzbd", F(usenet_url), "sabnzbd", 1, probe_sabnzbd },
	{ "nzbget", F(usenet_url), "nzbget", 1, probe_nzbget },
	{ "usenet blackhole", F(usenet_client), "blackhole", 1,
	  probe_usenet_hole },
	{ "realdebrid", F(rd_api_token), NULL, 0, probe_realdebrid },
	{ "sonarr", F(sonarr_url), NULL, 0, probe_sonarr },
	{ "radarr", F(radarr_url), NULL, 0, probe_radarr },
	{ "plex", F(plex_url), NULL, 0, probe_plex },
	{ "jellyfin", F(jellyfin_url), NULL, 0, probe_jellyfin },
	{ "emby", F(emby_url), NULL, 0, probe_emby },
	{ "nautiljon", F(nautiljon_url), NULL, 0, probe_nautiljon },
	{ "mangadex", F(mangadex_url), NULL, 0, probe_mangadex },
	{ "telegram", F(notify_telegram_token), NULL, 0, probe_telegram },
	{ "ntfy", F(notify_ntfy_url), NULL, 0, probe_ntfy },
	{ "discord", F(notify_discord_webhook), NULL, 0, probe_discord },
	{ "slack", F(notify_slack_webhook), NULL, 0, not_asked },
	{ "webhook", F(notify_webhook), NULL, 0, not_asked },
#undef F
};

/* Nautiljon and MangaDex are asked only when the monitor reads them:
 * their url has a default, so its being set says nothing. */
static int wanted(const struct config *cfg, const struct service *s)
{
	const char *field = *(char *const *)((const char *)cfg + s->set);

	if (!field || !*field)
		return 0;
	if (s->client)
		return uses(s->usenet ? cfg->usenet_client :
			    cfg->download_client, s->client);
	if (s->probe == probe_nautiljon || s->probe == probe_mangadex)
		return cfg->manga_roots.nr > 0;
	return 1;
}

int connections_check(const struct config *cfg, FILE *out)
{
	struct strbuf msg = STRBUF_INIT;
	int failed = 0, ret;

	if (http_init()) {
		fprintf(stderr, "mediamon: cannot set up HTTP: out of"
			" memory\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		const struct service *s = &services[i];

		if (!wanted(cfg, s))
			continue;
		strbuf_reset(&msg);
		ret = s->probe(cfg, &msg);
		if (ret > 0)
			failed = 1;
		fprintf(out, "%s: %s%s%s\n", s->name, ret ? "" : "ok (",
			msg.buf, ret ? "" : ")");
	}
	strbuf_release(&msg);
	fflush(out);
	return failed;
}
