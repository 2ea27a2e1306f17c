/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake.h"
#include <jansson.h>

#include "common/bytes.h"
#include "common/config.h"
#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/throttle.h"
#include "indexer/monitor/download.h"
#include "indexer/monitor/prowlarr.h"

#define USER "admin"			/* the fake qBittorrent's */
#define PASSWORD "adminadmin"
#define MAX_FAILS 5
#define PROWLARR_KEY "fakeKEY-0123456789abcdef"	/* the fake Prowlarr's */
#define MAGNET "magnet:?xt=urn:btih:0123456789abcdef&dn=One+Piece+T105"

static struct fake qbit, prowlarr;
static char qbit_url[64], prowlarr_url[64], dir[64];
static struct download_session session;
static struct download_client c;
static struct strbuf err = STRBUF_INIT;

/* Start both fakes for the whole group. */
static int start_fakes(void **state)
{
	(void)state;
	if (fake_start("qbittorrent_fake.py", &qbit) ||
	    fake_start("prowlarr_fake.py", &prowlarr))
		return -1;
	snprintf(qbit_url, sizeof(qbit_url), "http://127.0.0.1:%d/",
		 qbit.port);
	snprintf(prowlarr_url, sizeof(prowlarr_url), "http://127.0.0.1:%d",
		 prowlarr.port);
	return 0;
}

static int stop_fakes(void **state)
{
	(void)state;
	fake_stop(&qbit);
	fake_stop(&prowlarr);
	strbuf_release(&err);
	return 0;
}

/* The answer of a fake at path, which must be 200 JSON; json_decref() it. */
static json_t *fake_call(const struct fake *f, const char *method,
			 const char *path)
{
	json_t *doc = fake_json(f, method, path, NULL);

	assert_non_null(doc);
	return doc;
}

static void fake_post(const struct fake *f, const char *path)
{
	json_decref(fake_call(f, "POST", path));
}

/* Entry i of the fake qBittorrent's log at path; json_decref() it. */
static json_t *entry(const char *path, long i)
{
	json_t *e = fake_entry(&qbit, path, i);

	assert_non_null(e);
	return e;
}

/* Value i of a form field name in a recorded request. */
static const char *form(json_t *req, const char *name)
{
	json_t *v = json_object_get(json_object_get(req, "form"), name);

	return json_string_value(json_array_get(v, 0));
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A fresh fake qBittorrent and a fresh session for each test. */
static int new_qbit(void **state)
{
	(void)state;
	fake_post(&qbit, "/_reset");
	memset(&session, 0, sizeof(session));
	c = (struct download_client){
		.client = "qbittorrent",
		.url = qbit_url,
		.username = USER,
		.password = PASSWORD,
		.category = "manga",
		.session = &session,
		.timeout_ms = 10000,
	};
	return 0;
}

/* A release from Prowlarr, with its download URL and magnet. */
static struct download_release release(const char *link)
{
	return (struct download_release){
		.title = "One Piece T105 FRENCH CBZ",
		.source = "prowlarr",
		.link = link,
		.magnet = MAGNET,
		.guid = "op-105",
		.indexer_id = 1,
	};
}

static int send_release(const struct download_release *r)
{
	return download_send(&c, r, NULL, NULL, &err);
}

static void test_accepts(void **state)
{
	struct download_release r = release(MAGNET);
	struct download_release web = release("https://x.example/t.torrent");
	struct download_release catalog = {
		.title = "One Piece T01", .source = "catalog",
		.link = "https://files.example/one-piece-t01.cbz",
	};
	struct download_release odd = {
		.title = "One Piece T02", .source = "catalog",
		.link = "ed2k://|file|One.Piece.T02.cbz|1|ABC|/",
	};
	struct download_release nothing = { .title = "Nothing" };

	(void)state;
	c.client = "qbittorrent";
	assert_true(download_accepts(&c, &r));
	assert_true(download_accepts(&c, &web));
	assert_true(download_accepts(&c, &catalog));
	assert_false(download_accepts(&c, &odd));
	odd.magnet = MAGNET;
	assert_true(download_accepts(&c, &odd));
	odd.magnet = NULL;
	assert_false(download_accepts(&c, &nothing));

	c.client = "prowlarr";
	assert_true(download_accepts(&c, &r));
	assert_false(download_accepts(&c, &catalog));
	r.indexer_id = 0;
	assert_false(download_accepts(&c, &r));
	r.indexer_id = 1;
	r.guid = NULL;
	assert_false(download_accepts(&c, &r));

	c.client = "blackhole";
	assert_true(download_accepts(&c, &r));
	assert_true(download_accepts(&c, &catalog));
	assert_true(download_accepts(&c, &odd));
	assert_false(download_accepts(&c, &nothing));

	c.client = "none";
	assert_false(download_accepts(&c, &web));
	c.client = NULL;
	assert_false(download_accepts(&c, &web));
	c.client = "deluge";
	assert_false(download_accepts(&c, &web));
	assert_false(download_accepts(NULL, &web));
}

/* Each client takes the releases of its protocol, Prowlarr either. */
static void test_accepts_protocol(void **state)
{
	struct download_release usenet = release(
		"http://127.0.0.1:9696/2/download?apikey=k&link=x&file=y");
	struct download_release torrent = release(MAGNET);
	struct download_release nzb = {
		.title = "Berserk T12", .source = "catalog",
		.link = "https://nzb.example/get/berserk-t12.nzb?key=k",
	};
	static const char *const torrent_clients[] = {
		"qbittorrent", "transmission", "blackhole",
	};
	static const char *const usenet_clients[] = { "sabnzbd", "nzbget" };

	(void)state;
	usenet.protocol = "usenet";
	usenet.magnet = NULL;
	assert_string_equal(download_protocol(&usenet), "usenet");
	assert_string_equal(download_protocol(&nzb), "usenet");
	assert_string_equal(download_protocol(&torrent), "torrent");
	torrent.protocol = NULL;
	assert_string_equal(download_protocol(&torrent), "torrent");
	for (size_t i = 0; i < 3; i++) {
		c.client = torrent_clients[i];
		assert_true(download_accepts(&c, &torrent));
		assert_false(download_accepts(&c, &usenet));
		assert_false(download_accepts(&c, &nzb));
	}
	for (size_t i = 0; i < 2; i++) {
		c.client = usenet_clients[i];
		assert_false(download_accepts(&c, &torrent));
		assert_true(download_accepts(&c, &usenet));
		assert_true(download_accepts(&c, &nzb));
	}
	/* A usenet folder takes NZBs: the links it fetches. */
	c.client = "blackhole";
	c.protocol = "usenet";
	assert_true(download_accepts(&c, &usenet));
	assert_true(download_accepts(&c, &nzb));
	assert_false(download_accepts(&c, &torrent));
	c.client = "prowlarr";
	assert_true(download_accepts(&c, &usenet));
	assert_true(download_accepts(&c, &torrent));
	assert_false(download_accepts(&c, &nzb));
}

/* No client, an unknown one, or a release it cannot take: -EINVAL. */
static void test_no_client(void **state)
{
	struct download_release r = release(MAGNET);
	struct download_release nothing = { .title = "Nothing" };

	(void)state;
	c.client = "none";
	assert_int_equal(send_release(&r), -EINVAL);
	assert_string_equal(err.buf, "download: no download client is set up");
	c.client = NULL;
	assert_int_equal(send_release(&r), -EINVAL);
	c.client = "deluge";
	assert_int_equal(send_release(&r), -EINVAL);
	assert_non_null(strstr(err.buf, "unknown client \"deluge\""));
	c.client = "qbittorrent";
	assert_int_equal(send_release(&nothing), -EINVAL);
	assert_string_equal(err.buf, "qbittorrent: cannot take this release");
	c.url = NULL;
	assert_int_equal(send_release(&r), -EINVAL);
	assert_string_equal(err.buf, "qbittorrent: no url set");
	assert_int_equal(fake_count(&qbit, "/_requests"), 0);
}

/* d asked its version is refused before any request, saying why. */
static void refused(const struct download_client *d, const char *why)
{
	struct strbuf out = STRBUF_INIT, e = STRBUF_INIT;

	assert_int_equal(download_version(d, &out, &e), -EINVAL);
	assert_string_equal(e.buf, why);
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
	strbuf_release(&e);
}

/*
 * A section's client as the hand-off and --check-connections make it
 * (download_client_of()): [download]'s, [usenet]'s with its key and
 * "none" for no client, [ed2k]'s host; a client reached at an address
 * is refused before any request while it has none, then its own check
 * runs (SABnzbd's key).
 */
static void test_client_of(void **state)
{
	struct config cfg = {
		.download_client = "qbittorrent",
		.download_url = "http://127.0.0.1:1",
		.download_category = "manga",
		.download_client_user = { .name = "qb", .uid = 1001 },
		.usenet_api_key = "KEY",
		.usenet_save_path = "/srv/usenet",
		.ed2k_client = "amule",
		.ed2k_password = "secret",
	};
	struct download_client d;

	(void)state;
	download_client_of(&cfg, PROWLARR_TORRENT, &d);
	assert_true(!strcmp(d.client, "qbittorrent") &&
		    !strcmp(d.protocol, "torrent"));
	assert_string_equal(d.url, "http://127.0.0.1:1");
	assert_string_equal(d.category, "manga");
	assert_true(!strcmp(d.client_user, "qb") && d.client_uid == 1001);
	assert_true(!d.api_key && !d.session);
	download_client_of(&cfg, PROWLARR_USENET, &d);
	assert_true(!strcmp(d.client, "none") && !d.url && !d.category);
	assert_true(!strcmp(d.api_key, "KEY") &&
		    !strcmp(d.save_path, "/srv/usenet"));
	d.client = "sabnzbd";
	refused(&d, "sabnzbd: no url set");
	cfg.usenet_api_key = NULL;
	download_client_of(&cfg, PROWLARR_USENET, &d);
	d.client = "sabnzbd";
	d.url = "http://127.0.0.1:1";
	refused(&d, "sabnzbd: no api_key set");
	download_client_of(&cfg, DOWNLOAD_ED2K, &d);
	assert_true(!strcmp(d.client, "amule") &&
		    !strcmp(d.protocol, "ed2k"));
	assert_true(!strcmp(d.password, "secret") && !d.username &&
		    !d.save_path);
	refused(&d, "amule: no host set");
}

/*
 * One login, then one add with the URL and the category, the cookie and
 * a Referer naming qBittorrent's own host; the next add reuses the
 * session.
 */
static void test_qbit_login_then_add(void **state)
{
	struct download_release r = release(MAGNET);
	json_t *login, *add;
	char host_referer[96];

	(void)state;
	assert_int_equal(send_release(&r), 0);
	assert_string_equal(err.buf, "");
	assert_int_equal(fake_count(&qbit, "/_requests"), 2);
	assert_int_equal(fake_count(&qbit, "/_adds"), 1);

	login = entry("/_requests", 0);
	assert_string_equal(str(login, "path"), "/api/v2/auth/login");
	assert_string_equal(str(login, "method"), "POST");
	assert_string_equal(form(login, "username"), USER);
	assert_string_equal(form(login, "password"), PASSWORD);
	snprintf(host_referer, sizeof(host_referer), "http://%s/",
		 str(login, "host"));
	assert_string_equal(str(login, "referer"), host_referer);
	assert_null(str(login, "cookie"));

	add = entry("/_requests", 1);
	assert_string_equal(str(add, "path"), "/api/v2/torrents/add");
	assert_string_equal(str(add, "referer"), host_referer);
	assert_non_null(str(add, "cookie"));
	assert_int_equal(strncmp(str(add, "cookie"), "SID=", 4), 0);
	assert_string_equal(str(add, "cookie"), session.cookie);
	json_decref(login);
	json_decref(add);

	add = entry("/_adds", 0);
	assert_int_equal(json_array_size(json_object_get(add, "urls")), 1);
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(add, "urls"), 0)), MAGNET);
	assert_string_equal(str(add, "category"), "manga");
	json_decref(add);

	/* A catalog's web link goes as it is, for qBittorrent to fetch. */
	r = (struct download_release){
		.title = "One Piece T01", .source = "catalog",
		.link = "https://files.example/one-piece-t01.torrent",
	};
	assert_int_equal(send_release(&r), 0);
	assert_int_equal(fake_count(&qbit, "/_requests"), 3);
	add = entry("/_adds", 1);
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(add, "urls"), 0)), r.link);
	json_decref(add);
}

/* Without a category none is sent; a bad link gives way to the magnet. */
static void test_qbit_no_category(void **state)
{
	struct download_release r = release("ed2k://|file|x|1|ABC|/");
	json_t *add;

	(void)state;
	c.category = NULL;
	assert_int_equal(send_release(&r), 0);
	add = entry("/_adds", 0);
	assert_true(json_is_null(json_object_get(add, "category")));
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(add, "urls"), 0)), MAGNET);
	json_decref(add);
}

/*
 * "Fails." is a refused login: no add, and no second try on the next
 * send, which would lead to a ban. Neither the password nor the error
 * text nor the log show the password.
 */
static void test_qbit_login_fails(void **state)
{
	struct download_release r = release(MAGNET);

	(void)state;
	c.password = "wrongS3CRET";
	assert_int_equal(send_release(&r), -EACCES);
	assert_non_null(strstr(err.buf, "qbittorrent: login refused (Fails.)"));
	assert_null(strstr(err.buf, "S3CRET"));
	assert_int_equal(fake_count(&qbit, "/_requests"), 1);
	assert_int_equal(fake_count(&qbit, "/_adds"), 0);

	assert_int_equal(send_release(&r), -EACCES);
	assert_non_null(strstr(err.buf, "login refused (Fails.)"));
	assert_int_equal(fake_count(&qbit, "/_requests"), 1);
	assert_false(fake_logged("S3CRET"));

	/* A reset session (new settings) asks again. */
	memset(&session, 0, sizeof(session));
	c.password = PASSWORD;
	assert_int_equal(send_release(&r), 0);
	assert_int_equal(fake_count(&qbit, "/_adds"), 1);
}

/* After too many failures qBittorrent bans the address: 403. */
static void test_qbit_banned(void **state)
{
	struct download_release r = release(MAGNET);

	(void)state;
	c.password = "wrong";
	for (int i = 0; i < MAX_FAILS; i++) {
		memset(&session, 0, sizeof(session));
		assert_int_equal(send_release(&r), -EACCES);
	}
	memset(&session, 0, sizeof(session));
	c.password = PASSWORD;
	assert_int_equal(send_release(&r), -EACCES);
	assert_non_null(strstr(err.buf, "banned"));
	assert_non_null(strstr(err.buf, "HTTP 403"));
	assert_true(session.refused);
	assert_int_equal(fake_count(&qbit, "/_requests"), MAX_FAILS + 1);
	assert_int_equal(fake_count(&qbit, "/_adds"), 0);
}

/* An expired session logs in again, once, and the add is sent again. */
static void test_qbit_session_expired(void **state)
{
	struct download_release r = release(MAGNET);
	char old[DOWNLOAD_COOKIE_MAX];
	json_t *req;

	(void)state;
	assert_int_equal(send_release(&r), 0);
	strcpy(old, session.cookie);
	fake_post(&qbit, "/_expire");
	assert_int_equal(send_release(&r), 0);
	assert_string_equal(err.buf, "");
	assert_int_equal(fake_count(&qbit, "/_requests"), 5);
	assert_int_equal(fake_count(&qbit, "/_adds"), 2);
	req = entry("/_requests", 2);
	assert_string_equal(str(req, "path"), "/api/v2/torrents/add");
	assert_string_equal(str(req, "cookie"), old);
	json_decref(req);
	req = entry("/_requests", 3);
	assert_string_equal(str(req, "path"), "/api/v2/auth/login");
	json_decref(req);
	req = entry("/_requests", 4);
	assert_string_equal(str(req, "cookie"), session.cookie);
	assert_string_not_equal(session.cookie, old);
	json_decref(req);
}

/*
 * qBittorrent 5.2 (API 2.14): 204 for a login, a cookie named after its
 * port, 401 for a wrong login, summaries for adds, 409 for a refusal.
 */
static void test_qbit_api_2_14(void **state)
{
	struct download_release r = release(MAGNET);
	char want[32];

	(void)state;
	fake_post(&qbit, "/_reset?api=2.14");
	assert_int_equal(send_release(&r), 0);
	snprintf(want, sizeof(want), "QBT_SID_%d=", qbit.port);
	assert_int_equal(strncmp(session.cookie, want, strlen(want)), 0);
	assert_int_equal(fake_count(&qbit, "/_adds"), 1);

	r.link = "magnet:?xt=urn:btih:pending-me";
	assert_int_equal(send_release(&r), 0);
	r.link = "magnet:?xt=urn:btih:fails-me";
	assert_int_equal(send_release(&r), -EPROTO);
	assert_string_equal(err.buf, "qbittorrent: the torrent was refused "
			    "(HTTP 409)");
	assert_int_equal(fake_count(&qbit, "/_requests"), 4);

	memset(&session, 0, sizeof(session));
	c.password = "wrong";
	assert_int_equal(send_release(&r), -EACCES);
	assert_non_null(strstr(err.buf, "login refused (HTTP 401)"));
	assert_int_equal(send_release(&r), -EACCES);
	assert_non_null(strstr(err.buf, "login refused (HTTP 401)"));
	assert_int_equal(fake_count(&qbit, "/_requests"), 5);
}

/* Without a session to keep, every send logs in. */
static void test_qbit_without_session(void **state)
{
	struct download_release r = release(MAGNET);

	(void)state;
	c.session = NULL;
	assert_int_equal(send_release(&r), 0);
	assert_int_equal(send_release(&r), 0);
	assert_int_equal(fake_count(&qbit, "/_requests"), 4);
	assert_int_equal(fake_count(&qbit, "/_adds"), 2);
}

/* The torrent refused ("Fails.", 415) or a server error, after login. */
static void test_qbit_add_refused(void **state)
{
	struct download_release r = release("magnet:?xt=urn:btih:fails-me");

	(void)state;
	assert_int_equal(send_release(&r), -EPROTO);
	assert_string_equal(err.buf, "qbittorrent: the torrent was refused "
			    "(Fails.)");
	r.link = "magnet:?xt=urn:btih:invalid-me";
	assert_int_equal(send_release(&r), -EPROTO);
	assert_non_null(strstr(err.buf, "HTTP 415"));
	r.link = "magnet:?xt=urn:btih:error500";
	assert_int_equal(send_release(&r), -EIO);
	assert_string_equal(err.buf, "qbittorrent: add: HTTP 500");
	assert_int_equal(fake_count(&qbit, "/_requests"), 4);
	assert_int_equal(fake_count(&qbit, "/_adds"), 0);
}

/* A login answering 500, or 400 (a proxy, an odd build), is the client's
 * fault and not the release's (which would be blocklisted), and no add
 * follows. */
static void test_qbit_login_500(void **state)
{
	static const char *const statuses[] = { "500", "400", "404" };
	struct download_release r = release(MAGNET);
	char url[96];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(statuses); i++) {
		snprintf(url, sizeof(url), "%sstatus/%s?", qbit_url,
			 statuses[i]);
		c.url = url;
		memset(&session, 0, sizeof(session));
		assert_int_equal(send_release(&r), -EIO);
		assert_false(download_release_fault(-EIO));
		assert_non_null(strstr(err.buf, "qbittorrent: login: HTTP"));
		assert_non_null(strstr(err.buf, statuses[i]));
		assert_false(session.logged_in);
	}
}

static void test_qbit_refused_connection(void **state)
{
	struct download_release r = release(MAGNET);

	(void)state;
	c.url = "http://127.0.0.1:1";
	assert_int_equal(send_release(&r), -ECONNREFUSED);
	assert_non_null(strstr(err.buf, "qbittorrent: POST http://127.0.0.1:1"
				"/api/v2/auth/login: cannot connect"));
	assert_false(session.logged_in);
}

/* The session cookie stays out of the error text and the log. */
static void test_qbit_cookie_secret(void **state)
{
	struct download_release r = release("magnet:?xt=urn:btih:fails-me");
	const char *value;

	(void)state;
	assert_int_equal(send_release(&r), -EPROTO);
	value = strchr(session.cookie, '=');
	assert_non_null(value);
	assert_true(strlen(value + 1) >= 16);
	assert_null(strstr(err.buf, value + 1));
	assert_false(fake_logged(value + 1));
	assert_false(fake_logged(PASSWORD));
}

static void test_cancelled(void **state)
{
	struct download_release r = release(MAGNET);
	int cancel = 1;

	(void)state;
	assert_int_equal(download_send(&c, &r, &cancel, NULL, &err),
			 -ECANCELED);
	assert_int_equal(fake_count(&qbit, "/_requests"), 0);
}

/* Prowlarr grabs a release it knows, and no longer knows another. */
static void test_prowlarr(void **state)
{
	struct download_release r = release(MAGNET);
	struct throttle *t;
	struct prowlarr p = {
		.url = prowlarr_url,
		.api_key = PROWLARR_KEY,
		.timeout_ms = 10000,
	};
	json_t *grabs, *g;
	long before;

	(void)state;
	assert_int_equal(throttle_new("prowlarr", 60000, NULL, NULL, &t), 0);
	p.throttle = t;
	c = (struct download_client){ .client = "prowlarr", .prowlarr = &p };
	before = fake_count(&prowlarr, "/_grabs");
	assert_true(before >= 0);
	assert_int_equal(send_release(&r), 0);
	assert_string_equal(err.buf, "");
	grabs = fake_call(&prowlarr, "GET", "/_grabs");
	assert_int_equal(json_array_size(grabs), before + 1);
	g = json_array_get(grabs, before);
	assert_string_equal(str(g, "guid"), "op-105");
	assert_int_equal(json_integer_value(json_object_get(g, "indexerId")),
			 1);
	json_decref(grabs);

	r.guid = "op-999";
	assert_int_equal(send_release(&r), -ESTALE);
	assert_true(download_release_fault(-ESTALE));
	assert_non_null(strstr(err.buf, "30 minutes"));
	assert_int_equal(fake_count(&prowlarr, "/_grabs"), before + 1);

	/* its indexer failed the grab: Prowlarr's refusal, not the
	 * release's fault */
	r.guid = "fg-1";
	assert_int_equal(send_release(&r), -EREMOTEIO);
	assert_false(download_release_fault(-EREMOTEIO));
	assert_string_equal(err.buf, "prowlarr: the grab was refused (HTTP"
			    " 400 or 409: the log says why)");
	assert_int_equal(fake_count(&prowlarr, "/_grabs"), before + 1);

	c.prowlarr = NULL;
	assert_int_equal(send_release(&r), -EINVAL);
	throttle_free(t);
}

/* A fresh empty folder for each blackhole test. */
static int new_blackhole(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_download.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	c = (struct download_client){
		.client = "blackhole",
		.blackhole_dir = dir,
		.timeout_ms = 10000,
	};
	return 0;
}

static int remove_blackhole(void **state)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	char path[512];

	(void)state;
	if (!dp)
		return -1;
	while ((d = readdir(dp)))
		if (d->d_name[0] != '.' || (strcmp(d->d_name, ".") &&
					     strcmp(d->d_name, ".."))) {
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			unlink(path);
		}
	closedir(dp);
	return rmdir(dir);
}

/*
 * The names in the folder, sorted, joined by '|'; a temporary file left
 * behind fails the test.
 */
static void listing(struct strbuf *out)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	assert_true(n >= 2);
	strbuf_reset(out);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") &&
		    strcmp(names[i]->d_name, "..")) {
			assert_null(strstr(names[i]->d_name, ".tmp-"));
			if (out->len)
				strbuf_addch(out, '|');
			strbuf_addstr(out, names[i]->d_name);
		}
		free(names[i]);
	}
	free(names);
}

/* Check that the folder holds just the names in want ('|'-joined). */
static void check_listing(const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	listing(&sb);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

/* Check that file name in the folder holds want (len bytes), mode 0644. */
static void check_file(const char *name, const char *want, size_t len)
{
	char path[512], buf[4096];
	struct stat st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, len);
	assert_memory_equal(buf, want, len);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
}

static void test_blackhole_magnet(void **state)
{
	struct download_release r = release(MAGNET);

	(void)state;
	assert_int_equal(send_release(&r), 0);
	assert_string_equal(err.buf, "");
	check_listing("One Piece T105 FRENCH CBZ.magnet");
	check_file("One Piece T105 FRENCH CBZ.magnet", MAGNET "\n",
		   strlen(MAGNET) + 1);
}

/* A Prowlarr release without a download URL writes its magnet. */
static void test_blackhole_magnet_field(void **state)
{
	struct download_release r = release(NULL);

	(void)state;
	assert_int_equal(send_release(&r), 0);
	check_file("One Piece T105 FRENCH CBZ.magnet", MAGNET "\n",
		   strlen(MAGNET) + 1);
}

/* A download URL giving a torrent: the torrent, byte for byte. */
static void test_blackhole_torrent(void **state)
{
	struct download_release r;
	struct http_request req = { .url = NULL };
	struct http_response resp;
	char url[128];

	(void)state;
	snprintf(url, sizeof(url), "%sfiles/sample.torrent", qbit_url);
	r = release(url);
	assert_int_equal(send_release(&r), 0);
	check_listing("One Piece T105 FRENCH CBZ.torrent");

	req.url = url;
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_int_equal(resp.body.buf[0], 'd');
	check_file("One Piece T105 FRENCH CBZ.torrent", resp.body.buf,
		   resp.body.len);
	http_response_release(&resp);
}

/* A download URL redirecting to a magnet link: the link, not followed. */
static void test_blackhole_magnet_redirect(void **state)
{
	struct download_release r;
	char url[128];

	(void)state;
	snprintf(url, sizeof(url), "%sredirect-magnet", qbit_url);
	r = release(url);
	assert_int_equal(send_release(&r), 0);
	check_listing("One Piece T105 FRENCH CBZ.magnet");
	check_file("One Piece T105 FRENCH CBZ.magnet",
		   "magnet:?xt=urn:btih:abc\n", 24);
}

/* A download URL giving neither, or failing: nothing is written. */
static void test_blackhole_bad_download(void **state)
{
	struct download_release r;
	char url[128];

	(void)state;
	snprintf(url, sizeof(url), "%sfiles/page.html", qbit_url);
	r = release(url);
	r.magnet = NULL;
	assert_int_equal(send_release(&r), -ENOLINK);
	assert_string_equal(err.buf, "blackhole: no link of the release"
			    " works: the link gave an HTML or XML page, not a"
			    " torrent");
	/* a link that is gone is gone for good: its release is blocklisted */
	snprintf(url, sizeof(url), "%sstatus/404", qbit_url);
	assert_int_equal(send_release(&r), -EIDRM);
	assert_non_null(strstr(err.buf, "HTTP 404"));
	snprintf(url, sizeof(url), "%sstatus/503", qbit_url);
	assert_int_equal(send_release(&r), -ENOLINK);
	assert_non_null(strstr(err.buf, "HTTP 503"));
	r.link = "http://127.0.0.1:1/download?apikey=keyS3CRET";
	assert_int_equal(send_release(&r), -ENOLINK);
	assert_non_null(strstr(err.buf, "GET http://127.0.0.1:1/download:"));
	assert_null(strstr(err.buf, "S3CRET"));
	assert_false(fake_logged("S3CRET"));
	assert_true(download_release_fault(-ENOLINK));
	check_listing("");
}

/* A catalog link is written down as it is, never fetched. */
static void test_blackhole_catalog_link(void **state)
{
	struct download_release r = {
		.title = "Berserk T12",
		.source = "catalog",
		.link = "http://127.0.0.1:1/berserk-t12.cbz",
	};

	(void)state;
	assert_int_equal(send_release(&r), 0);
	check_listing("Berserk T12.link");
	check_file("Berserk T12.link", "http://127.0.0.1:1/berserk-t12.cbz\n",
		   35);
	r.link = "https://x.example/a\nb";
	assert_int_equal(send_release(&r), -EINVAL);
	check_listing("Berserk T12.link");
}

/* A name taken gets " (2)", " (3)": nothing is ever replaced. */
static void test_blackhole_collisions(void **state)
{
	struct download_release r = release(MAGNET);
	struct download_release other = release("magnet:?xt=urn:btih:other");

	(void)state;
	assert_int_equal(send_release(&r), 0);
	assert_int_equal(send_release(&other), 0);
	assert_int_equal(send_release(&other), 0);
	check_listing("One Piece T105 FRENCH CBZ (2).magnet|"
		      "One Piece T105 FRENCH CBZ (3).magnet|"
		      "One Piece T105 FRENCH CBZ.magnet");
	check_file("One Piece T105 FRENCH CBZ.magnet", MAGNET "\n",
		   strlen(MAGNET) + 1);
	check_file("One Piece T105 FRENCH CBZ (3).magnet",
		   "magnet:?xt=urn:btih:other\n", 26);
}

/* Send a magnet titled title and check the file name it gets. */
static void check_name(const char *title, const char *want)
{
	struct download_release r = { .title = title, .link = MAGNET };
	struct strbuf sb = STRBUF_INIT;

	remove_blackhole(NULL);
	assert_non_null(mkdtemp(strcpy(dir, "/tmp/test_download.XXXXXX")));
	assert_int_equal(send_release(&r), 0);
	strbuf_addf(&sb, "%s.magnet", want);
	check_listing(sb.buf);
	strbuf_release(&sb);
}

static void test_blackhole_unsafe_names(void **state)
{
	char title[400], want[256];
	size_t len;

	(void)state;
	check_name("../../etc/passwd", "\xe2\x88\x95..\xe2\x88\x95" "etc"
		   "\xe2\x88\x95passwd");
	check_name("..hidden", "hidden");
	check_name(" . ", "release");
	check_name("", "release");
	check_name("Tab\there\nnew\x7f\xc2\x85line", "Tab_here_new__line");
	check_name("Bad \xff byte\xc3", "Bad _ byte_");
	check_name("Pok\xc3\xa9mon T01 ", "Pok\xc3\xa9mon T01");

	/* Cut at 200 bytes, never inside a character. */
	len = (size_t)snprintf(title, sizeof(title), "a");
	while (len + 2 < sizeof(title))
		len += (size_t)snprintf(title + len, sizeof(title) - len,
					"\xc3\xa9");
	snprintf(want, sizeof(want), "%.199s", title);
	check_name(title, want);
}

/* A folder missing, or a file: -ENOENT, and nothing fetched or made. */
static void test_blackhole_missing_dir(void **state)
{
	struct download_release r = release(MAGNET);
	char path[128];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/nope", dir);
	c.blackhole_dir = path;
	assert_int_equal(send_release(&r), -ENOENT);
	assert_non_null(strstr(err.buf, "blackhole: cannot open the folder"));
	assert_non_null(strstr(err.buf, path));

	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(send_release(&r), -ENOENT);
	check_listing("nope");

	c.blackhole_dir = NULL;
	assert_int_equal(send_release(&r), -EINVAL);
	assert_string_equal(err.buf, "blackhole: no folder set");
}

/*
 * A write that fails half way (a file size limit stands in for a full
 * disk) leaves no temporary file behind.
 */
static void test_blackhole_write_fails(void **state)
{
	struct download_release r = release(MAGNET);
	struct rlimit old, small;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 10;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(send_release(&r), -EIO);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_non_null(strstr(err.buf, "blackhole: cannot write"));
	check_listing("");
}

/* A folder that cannot be written in: -EACCES (root may write anywhere). */
static void test_blackhole_unwritable(void **state)
{
	struct download_release r = release(MAGNET);

	(void)state;
	if (geteuid() == 0)
		skip();
	assert_int_equal(chmod(dir, 0555), 0);
	assert_int_equal(send_release(&r), -EACCES);
	assert_non_null(strstr(err.buf, "cannot write in"));
	assert_int_equal(chmod(dir, 0755), 0);
	check_listing("");
}

#define QBIT_TEST(t) cmocka_unit_test_setup(t, new_qbit)
#define BLACKHOLE_TEST(t) \
	cmocka_unit_test_setup_teardown(t, new_blackhole, remove_blackhole)

int main(void)
{
	const struct CMUnitTest tests[] = {
		QBIT_TEST(test_accepts),
		QBIT_TEST(test_accepts_protocol),
		QBIT_TEST(test_no_client),
		cmocka_unit_test(test_client_of),
		QBIT_TEST(test_qbit_login_then_add),
		QBIT_TEST(test_qbit_no_category),
		QBIT_TEST(test_qbit_login_fails),
		QBIT_TEST(test_qbit_banned),
		QBIT_TEST(test_qbit_session_expired),
		QBIT_TEST(test_qbit_api_2_14),
		QBIT_TEST(test_qbit_without_session),
		QBIT_TEST(test_qbit_add_refused),
		QBIT_TEST(test_qbit_login_500),
		QBIT_TEST(test_qbit_refused_connection),
		QBIT_TEST(test_qbit_cookie_secret),
		QBIT_TEST(test_cancelled),
		cmocka_unit_test(test_prowlarr),
		BLACKHOLE_TEST(test_blackhole_magnet),
		BLACKHOLE_TEST(test_blackhole_magnet_field),
		BLACKHOLE_TEST(test_blackhole_torrent),
		BLACKHOLE_TEST(test_blackhole_magnet_redirect),
		BLACKHOLE_TEST(test_blackhole_bad_download),
		BLACKHOLE_TEST(test_blackhole_catalog_link),
		BLACKHOLE_TEST(test_blackhole_collisions),
		BLACKHOLE_TEST(test_blackhole_unsafe_names),
		BLACKHOLE_TEST(test_blackhole_missing_dir),
		BLACKHOLE_TEST(test_blackhole_write_fails),
		BLACKHOLE_TEST(test_blackhole_unwritable),
	};

	return cmocka_run_group_tests(tests, start_fakes, stop_fakes);
}
