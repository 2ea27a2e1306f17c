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
#include <time.h>

#include "common/config.h"
#include "common/http.h"
#include "common/listener.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "indexer/connections.h"
#include "indexer/monitor/client.h"
#include "indexer/monitor/download.h"
#include "indexer/monitor/prowlarr.h"
#include "indexer/realdebrid/ad_client.h"
#include "indexer/realdebrid/pm_client.h"

#define PROBE_TIMEOUT_MS 15000
#define PROBE_MAX_BODY (1u << 20)
#define WORD_MAX 200

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
 * GET url; returns 0 when a 2xx came back (resp to release), else 1 with
 * msg saying why: unreachable, refused credentials or the HTTP status.
 */
static int ask(const char *url, const char *const *headers,
	       int secret_path, struct http_response *resp,
	       struct strbuf *msg)
{
	struct http_request req = {
		.url = url,
		.headers = headers,
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

/* The string at key of a JSON answer (inside its obj when obj is not
 * NULL), as "what WORD"; else 1 with msg "bad answer"; resp released. */
static int answer_word(struct http_response *resp, const char *obj,
		       const char *key, const char *what, struct strbuf *msg)
{
	json_t *doc = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	json_t *v = json_object_get(obj ? json_object_get(doc, obj) : doc,
				    key);
	int ret = 0;

	if (!json_is_string(v)) {
		strbuf_addf(msg, "bad answer (no %s%s%s)", obj ? obj : "",
			    obj ? "." : "", key);
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
	ret = ask(url.buf, headers, 0, &resp, msg);
	strbuf_release(&url);
	return ret ? ret : answer_word(&resp, NULL, key, what, msg);
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

/* Whether url's listeners on this machine may be given its secret: 0,
 * else 1 with msg naming the other listener's user and the key to set
 * (as the daemon asks it, see common/listener.h). */
static int not_theirs(const char *service, const char *section,
		      const char *url, const struct config_user *user,
		      struct strbuf *msg)
{
	char name[64];

	if (!listener_refused(url, user, name, sizeof(name)))
		return 0;
	strbuf_addf(msg, "not asked: its port is user %s's, not %s's ([%s]"
		    " user)", name, service, section);
	return 1;
}

/* Plex's root answers a MediaContainer with its version attribute (JSON
 * when asked with Accept: application/json); unlike /identity, it wants
 * the token, so a wrong one is told. */
static int probe_plex(const struct config *c, struct strbuf *msg)
{
	struct strbuf h = STRBUF_INIT, url = STRBUF_INIT;
	const char *headers[3] = { NULL, "Accept: application/json", NULL };
	struct http_response resp;
	int ret;

	if (not_theirs("Plex", "plex", c->plex_url, &c->plex_user, msg))
		return 1;
	strbuf_addf(&h, "X-Plex-Token: %s", c->plex_token);
	headers[0] = h.buf;
	http_join(&url, c->plex_url, "/");
	ret = ask(url.buf, headers, 0, &resp, msg);
	client_wipe(h.buf);
	strbuf_release(&h);
	strbuf_release(&url);
	return ret ? ret : answer_word(&resp, "MediaContainer", "version",
				       "version", msg);
}

static int probe_realdebrid(const struct config *c, struct strbuf *msg)
{
	struct strbuf h = STRBUF_INIT;
	int ret;

	if (not_theirs("Real-Debrid", "realdebrid", c->rd_url, &c->rd_user,
		       msg))
		return 1;
	strbuf_addf(&h, "Authorization: Bearer %s", c->rd_api_token);
	ret = get_word(c->rd_url, "/user", h.buf, "type", "account", msg);
	client_wipe(h.buf);
	strbuf_release(&h);
	return ret;
}

/*
 * AllDebrid and Premiumize refuse a key with HTTP 200 and {"status":
 * "error"}: their answer's error code (AllDebrid's error.code, else
 * Premiumize's message), or the account's kind from premium, a member of
 * the object at path (NULL-terminated keys) that is true or a time
 * still to come.
 */
static int debrid_answer(struct http_response *resp,
			 const char *const *path, const char *premium,
			 struct strbuf *msg)
{
	json_t *doc = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	const char *status = json_string_value(json_object_get(doc,
								"status"));
	json_t *o = doc, *e = json_object_get(doc, "error"), *v;
	const char *code = NULL;
	int ret = 0;

	if (json_is_object(e))
		code = json_string_value(json_object_get(e, "code"));
	if (!code)
		code = json_string_value(json_object_get(doc, "message"));
	for (; *path; path++)
		o = json_object_get(o, *path);
	v = json_object_get(o, premium);
	if (status && !strcmp(status, "error")) {
		strbuf_addstr(msg, "refused (");
		add_word(msg, code ? code : "", code ? strlen(code) : 0);
		strbuf_addch(msg, ')');
		ret = 1;
	} else if (!status || strcmp(status, "success") || !o) {
		strbuf_addstr(msg, "bad answer (not a success)");
		ret = 1;
	} else {
		strbuf_addf(msg, "account %s", json_is_true(v) ||
			    (json_is_integer(v) && json_integer_value(v) >
			     (json_int_t)time(NULL)) ? "premium" : "free");
	}
	json_decref(doc);
	http_response_release(resp);
	return ret;
}

/*
 * GET url, with the header h when it holds one, then debrid_answer(); url
 * and h, which hold the key, are wiped and released after.
 */
static int debrid_ask(struct strbuf *url, struct strbuf *h,
		      const char *const *path, const char *premium,
		      struct strbuf *msg)
{
	const char *headers[2] = { h->len ? h->buf : NULL, NULL };
	struct http_response resp;
	int ret = ask(url->buf, headers, 0, &resp, msg);

	client_wipe(url->buf);
	client_wipe(h->buf);
	strbuf_release(url);
	strbuf_release(h);
	return ret ? ret : debrid_answer(&resp, path, premium, msg);
}

static int probe_alldebrid(const struct config *c, struct strbuf *msg)
{
	static const char *const path[] = { "data", "user", NULL };
	struct strbuf url = STRBUF_INIT, h = STRBUF_INIT;
	const char *base = c->ad_url ? c->ad_url : AD_URL;

	if (not_theirs("AllDebrid", "alldebrid", base, &c->ad_user, msg))
		return 1;
	http_join(&url, base, "/user?agent=" AD_AGENT);
	strbuf_addf(&h, "Authorization: Bearer %s", c->ad_api_key);
	return debrid_ask(&url, &h, path, "isPremium", msg);
}

/* Premiumize takes the key in the query only; http.c never shows a
 * query. */
static int probe_premiumize(const struct config *c, struct strbuf *msg)
{
	static const char *const path[] = { NULL };
	struct strbuf url = STRBUF_INIT, none = STRBUF_INIT;
	const char *base = c->pm_url ? c->pm_url : PM_URL;

	if (not_theirs("Premiumize", "premiumize", base, &c->pm_user, msg))
		return 1;
	http_join(&url, base, "/account/info?apikey=");
	http_escape(c->pm_api_key, 0, &url);
	return debrid_ask(&url, &none, path, "premium_until", msg);
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

/* Why a client's request failed, in the line's words: err without the
 * client's name, which starts the line already. */
static void client_reason(int ret, const char *name, const char *err,
			  struct strbuf *msg)
{
	size_t n = strlen(name);

	if (!strncmp(err, name, n) && !strncmp(err + n, ": ", 2))
		err += n + 2;
	if (ret == -EACCES) {
		strbuf_addf(msg, "refused credentials (%s)", err);
		return;
	}
	if (http_out_of_reach(ret))
		strbuf_addf(msg, "unreachable (%s)", err);
	else
		strbuf_addstr(msg, err);
}

/* A download client's own harmless request (download_version()). */
static int probe_client(const struct download_client *dc,
			struct strbuf *msg)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int ret = download_version(dc, &out, &err);

	if (ret) {
		client_reason(ret, dc->client, err.buf, msg);
	} else if (!strcmp(dc->client, "blackhole")) {
		/* its folder as configured, whole: no remote's word */
		strbuf_add(msg, out.buf, out.len);
	} else {
		strbuf_addstr(msg, "version ");
		add_word(msg, out.buf, out.len);
	}
	strbuf_release(&out);
	strbuf_release(&err);
	return !!ret;
}

/* The client of protocol's section (download_client_of()). */
static int probe_section(const struct config *c, const char *protocol,
			 struct strbuf *msg)
{
	struct download_client dc;

	download_client_of(c, protocol, &dc);
	dc.timeout_ms = PROBE_TIMEOUT_MS;
	return probe_client(&dc, msg);
}

static int probe_torrent(const struct config *c, struct strbuf *msg)
{
	return probe_section(c, PROWLARR_TORRENT, msg);
}

static int probe_usenet(const struct config *c, struct strbuf *msg)
{
	return probe_section(c, PROWLARR_USENET, msg);
}

static int probe_ed2k(const struct config *c, struct strbuf *msg)
{
	return probe_section(c, DOWNLOAD_ED2K, msg);
}

/* getMe answers the bot's own user: {"ok":true,"result":{"username"}}. */
static int probe_telegram(const struct config *c, struct strbuf *msg)
{
	struct strbuf url = STRBUF_INIT;
	struct http_response resp;
	int ret;

	if (not_theirs("Telegram", "notify", c->notify_telegram_url,
		       &c->notify_user, msg))
		return 1;
	http_join(&url, c->notify_telegram_url, "/bot");
	strbuf_addf(&url, "%s/getMe", c->notify_telegram_token);
	ret = ask(url.buf, NULL, 1, &resp, msg);
	client_wipe(url.buf);
	strbuf_release(&url);
	return ret ? ret : answer_word(&resp, "result", "username", "bot",
				       msg);
}

/* ntfy's server, the topic's URL without its path, at /v1/health. */
static int probe_ntfy(const struct config *c, struct strbuf *msg)
{
	const char *u = c->notify_ntfy_url, *host = strstr(u, "://");
	struct strbuf base = STRBUF_INIT, url = STRBUF_INIT;
	struct http_response resp;
	json_t *doc;
	int ret;

	if (not_theirs("ntfy", "notify", u, &c->notify_user, msg))
		return 1;
	strbuf_add(&base, u, host ? (size_t)(host + 3 - u) +
		   strcspn(host + 3, "/?#") : strlen(u));
	http_join(&url, base.buf, "/v1/health");
	strbuf_release(&base);
	ret = ask(url.buf, NULL, 0, &resp, msg);
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
	int ret;

	if (not_theirs("Discord", "notify", c->notify_discord_webhook,
		       &c->notify_user, msg))
		return 1;
	ret = ask(c->notify_discord_webhook, NULL, 1, &resp, msg);

	if (ret && strstr(msg->buf, "HTTP 404")) {
		strbuf_reset(msg);
		strbuf_addstr(msg, "refused credentials (HTTP 404: unknown"
			      " webhook)");
	}
	return ret ? ret : answer_word(&resp, NULL, "name", "webhook", msg);
}

static int not_asked(const struct config *c, struct strbuf *msg)
{
	(void)c;
	strbuf_addstr(msg, "not asked (no harmless request)");
	return -1;
}

/* What makes a service configured, besides its field being set. */
enum need {
	NEED_FIELD,
	NEED_CLIENT,		/* the field names a client mediamon asks */
	NEED_MANGA,		/* a manga root and the new-volume check
				 * asking it ([monitor] new_sources); its
				 * site is probed (probe_site()) */
};

/*
 * A service asked with its key in a header, whose answer's member field
 * tells its version: GET url + path with "header: key", the offsets in
 * struct config of its url, user and key.
 */
struct keyed {
	const char *title, *path, *header, *field;
	size_t url, user, key;
};

static const struct service {
	const char *name;	/* NULL: the client the field names */
	size_t field;		/* offset of the char * that sets it up */
	enum need need;
	int (*probe)(const struct config *c, struct strbuf *msg);
	const struct keyed *keyed;	/* instead of probe */
} services[] = {
#define F(field) offsetof(struct config, field)
#define KEYED(name, title, path, header, field) NULL, &(const struct keyed){ \
	title, path, header, field, F(name##_url), F(name##_user), \
	F(name##_api_key) }
#define ARR(name, title, v) \
	{ #name, F(name##_url), NEED_FIELD, KEYED(name, title, \
	  "/api/" #v "/system/status", "X-Api-Key", "version") }
#define EMBY(name, title) \
	{ #name, F(name##_url), NEED_FIELD, KEYED(name, title, \
	  "/System/Info", "X-Emby-Token", "Version") }
	ARR(prowlarr, "Prowlarr", v1),
	{ NULL, F(download_client), NEED_CLIENT, probe_torrent, NULL },
	{ NULL, F(usenet_client), NEED_CLIENT, probe_usenet, NULL },
	{ NULL, F(ed2k_client), NEED_CLIENT, probe_ed2k, NULL },
	{ "realdebrid", F(rd_api_token), NEED_FIELD, probe_realdebrid, NULL },
	{ "alldebrid", F(ad_api_key), NEED_FIELD, probe_alldebrid, NULL },
	{ "premiumize", F(pm_api_key), NEED_FIELD, probe_premiumize, NULL },
	ARR(sonarr, "Sonarr", v3),
	ARR(radarr, "Radarr", v3),
	{ "plex", F(plex_url), NEED_FIELD, probe_plex, NULL },
	EMBY(jellyfin, "Jellyfin"),
	EMBY(emby, "Emby"),
#define MANGA_SOURCE(name, title, editions, rank, ...) \
	{ #name, F(manga_source[CONFIG_MANGA_##name].url), NEED_MANGA, \
	  NULL, NULL },
#include "common/manga_sources.def"
#undef MANGA_SOURCE
	{ "telegram", F(notify_telegram_token), NEED_FIELD, probe_telegram,
	  NULL },
	{ "ntfy", F(notify_ntfy_url), NEED_FIELD, probe_ntfy, NULL },
	{ "discord", F(notify_discord_webhook), NEED_FIELD, probe_discord,
	  NULL },
	{ "slack", F(notify_slack_webhook), NEED_FIELD, not_asked, NULL },
	{ "webhook", F(notify_webhook), NEED_FIELD, not_asked, NULL },
#undef EMBY
#undef ARR
#undef KEYED
#undef F
};

/* The char * of cfg at offset off. */
static const char *text_at(const struct config *cfg, size_t off)
{
	return *(char *const *)((const char *)cfg + off);
}

static int probe_keyed(const struct config *c, const struct service *s,
		       struct strbuf *msg)
{
	const struct keyed *k = s->keyed;
	const char *url = text_at(c, k->url);

	if (not_theirs(k->title, s->name, url, (const struct config_user *)
		       ((const char *)c + k->user), msg))
		return 1;
	return keyed_word(url, k->path, k->header, text_at(c, k->key),
			  k->field, msg);
}

/* Whether the new-volume check may ask the source named name: an empty
 * new_sources lets each series' edition choose among all of them. */
static int source_used(const struct config *cfg, const char *name)
{
	if (!cfg->new_volumes)
		return 0;
	for (size_t i = 0; i < cfg->new_sources.nr; i++)
		if (!strcmp(cfg->new_sources.items[i], name))
			return 1;
	return !cfg->new_sources.nr;
}

/* The field that sets s up, or NULL when it is not configured (Prowlarr
 * as a client is asked as Prowlarr). */
static const char *configured(const struct config *cfg,
			      const struct service *s)
{
	const char *field = text_at(cfg, s->field);

	if (!field || !*field)
		return NULL;
	if (s->need == NEED_CLIENT && (!strcmp(field, "none") ||
				       !strcmp(field, "prowlarr")))
		return NULL;
	if (s->need == NEED_MANGA &&
	    (!cfg->manga_roots.nr || !source_used(cfg, s->name)))
		return NULL;
	return field;
}

int connections_check(const struct config *cfg, FILE *out)
{
	struct strbuf msg = STRBUF_INIT, shown = STRBUF_INIT;
	int failed = 0, ret;

	if (http_init()) {
		fprintf(stderr, "mediamon: cannot set up HTTP: out of"
			" memory\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		const struct service *s = &services[i];
		const char *field = configured(cfg, s);

		if (!field)
			continue;
		strbuf_reset(&msg);
		if (s->need == NEED_MANGA)
			ret = probe_site(field, &msg);
		else if (s->keyed)
			ret = probe_keyed(cfg, s, &msg);
		else
			ret = s->probe(cfg, &msg);
		if (ret > 0)
			failed = 1;
		/* an answer or an error may echo a key the request carried */
		strbuf_reset(&shown);
		redact(msg.buf, REDACT_MASK, &shown);
		fprintf(out, "%s%s: %s%s%s\n", s->name ? s->name : field,
			s->probe == probe_usenet &&
			!strcmp(field, "blackhole") ? " (usenet)" : "",
			ret ? "" : "ok (", shown.buf, ret ? "" : ")");
	}
	strbuf_release(&msg);
	strbuf_release(&shown);
	fflush(out);
	return failed;
}
