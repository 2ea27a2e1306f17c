/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake.h"
#include <jansson.h>

#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/download.h"
#include "indexer/monitor/tracker.h"

/*
 * Transmission, SABnzbd and NZBGet against their fakes, and the links a
 * torrent release is read into for them, from the fake Prowlarr's proxy
 * links.
 */

#define MAGNET "magnet:?xt=urn:btih:0123456789abcdef&dn=Berserk+T12"
#define SAB_KEY "sabKEY0123456789abcdef0123456789"	/* the fake's */
#define NZBGET_USER "nzbget"
#define NZBGET_PASSWORD "tegbzn6789"
#define PROWLARR_KEY "fakeKEY-0123456789abcdef"

static struct fake tr, sab, nzbget, prowlarr;
static struct download_session session;
static struct download_client c;
static struct strbuf err = STRBUF_INIT;
static char tr_url[64], sab_url[64], nzbget_url[64];

static int start_fakes(void **state)
{
	(void)state;
	if (fake_start("transmission_fake.py", &tr) ||
	    fake_start("sabnzbd_fake.py", &sab) ||
	    fake_start("nzbget_fake.py", &nzbget) ||
	    fake_start("prowlarr_fake.py", &prowlarr))
		return -1;
	snprintf(tr_url, sizeof(tr_url), "http://127.0.0.1:%d", tr.port);
	snprintf(sab_url, sizeof(sab_url), "http://127.0.0.1:%d/", sab.port);
	snprintf(nzbget_url, sizeof(nzbget_url), "http://127.0.0.1:%d",
		 nzbget.port);
	return 0;
}

static int stop_fakes(void **state)
{
	(void)state;
	fake_stop(&tr);
	fake_stop(&sab);
	fake_stop(&nzbget);
	fake_stop(&prowlarr);
	strbuf_release(&err);
	return 0;
}

/* A fake's JSON answer at path, which must come; json_decref() it. */
static json_t *call(const struct fake *f, const char *method,
		    const char *path)
{
	json_t *doc = fake_json(f, method, path, NULL);

	assert_non_null(doc);
	return doc;
}

/* Entry i of a fake's log at path (-1: the last); json_decref() it. */
static json_t *entry(const struct fake *f, const char *path, long i)
{
	json_t *e = fake_entry(f, path, i);

	assert_non_null(e);
	return e;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int send_release(const struct download_release *r)
{
	return download_send(&c, r, NULL, NULL, &err);
}

/* A Prowlarr torrent release whose link is a magnet. */
static struct download_release magnet_release(const char *magnet)
{
	return (struct download_release){
		.title = "Berserk T12", .source = "prowlarr",
		.protocol = "torrent", .link = magnet, .guid = "b-12",
		.indexer_id = 1,
	};
}

/* A Prowlarr usenet release whose link is link. */
static struct download_release nzb_release(const char *link)
{
	return (struct download_release){
		.title = "Berserk T12 FRENCH", .source = "prowlarr",
		.protocol = "usenet", .link = link, .guid = "b-12n",
		.indexer_id = 2,
	};
}

/* The fake Prowlarr's proxy link for an indexer's link. */
static void proxy_link(const char *indexer_link, int indexer,
		       struct strbuf *out)
{
	fake_prowlarr_link(&prowlarr, indexer, PROWLARR_KEY, indexer_link,
			   out);
}

static int new_transmission(void **state)
{
	(void)state;
	json_decref(call(&tr, "POST", "/_reset"));
	memset(&session, 0, sizeof(session));
	c = (struct download_client){
		.client = "transmission", .url = tr_url, .category = "manga",
		.session = &session, .timeout_ms = 10000,
	};
	return 0;
}

/*
 * The first request meets the CSRF handshake: 409 with the token, the
 * same request again with it; the next add reuses the token.
 */
static void test_transmission_handshake(void **state)
{
	struct download_release r = magnet_release(MAGNET);
	json_t *req, *args;

	(void)state;
	assert_int_equal(send_release(&r), 0);
	assert_string_equal(err.buf, "");
	/* the 409, the add, and the torrent-set of the label */
	assert_int_equal(fake_count(&tr, "/_requests"), 3);
	req = entry(&tr, "/_requests", 0);
	assert_int_equal(json_integer_value(json_object_get(req, "status")),
			 409);
	assert_null(str(req, "token"));
	json_decref(req);
	req = entry(&tr, "/_requests", 1);
	assert_int_equal(json_integer_value(json_object_get(req, "status")),
			 200);
	assert_string_equal(str(req, "token"), session.token);
	assert_string_equal(str(req, "path"), "/transmission/rpc");
	assert_null(str(req, "auth"));
	args = json_object_get(json_object_get(req, "body"), "arguments");
	assert_string_equal(str(json_object_get(req, "body"), "method"),
			    "torrent-add");
	assert_string_equal(str(args, "filename"), MAGNET);
	assert_true(json_is_false(json_object_get(args, "paused")));
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(args, "labels"), 0)), "manga");
	json_decref(req);

	r.link = "magnet:?xt=urn:btih:second";
	assert_int_equal(send_release(&r), 0);
	assert_int_equal(fake_count(&tr, "/_requests"), 5);
	assert_int_equal(fake_count(&tr, "/_adds"), 2);

	/* Transmission changed its token: one more 409, then the add. */
	json_decref(call(&tr, "POST", "/_rotate"));
	r.link = "magnet:?xt=urn:btih:third";
	assert_int_equal(send_release(&r), 0);
	assert_int_equal(fake_count(&tr, "/_requests"), 8);
	assert_int_equal(fake_count(&tr, "/_adds"), 3);
}

/* A torrent already there is taken (torrent-duplicate, "success"). */
static void test_transmission_duplicate(void **state)
{
	struct download_release r = magnet_release(MAGNET);

	(void)state;
	assert_int_equal(send_release(&r), 0);
	assert_int_equal(send_release(&r), 0);
	assert_int_equal(fake_count(&tr, "/_adds"), 1);
	assert_true(fake_logged("transmission: the torrent was there already"));
}

/* Transmission's refusals, in its words; a server error. */
static void test_transmission_refused(void **state)
{
	struct download_release r = magnet_release(
		"magnet:?xt=urn:btih:corrupt-me");

	(void)state;
	assert_int_equal(send_release(&r), -EPROTO);
	assert_string_equal(err.buf, "transmission: the torrent was refused:"
			    " invalid or corrupt torrent file");
	assert_true(download_release_fault(-EPROTO));
	r.link = "magnet:?xt=urn:btih:http-404-me";
	assert_int_equal(send_release(&r), -EPROTO);
	assert_non_null(strstr(err.buf, "http error 404"));
	r.link = "magnet:?xt=urn:btih:error500";
	assert_int_equal(send_release(&r), -EIO);
	assert_string_equal(err.buf, "transmission: HTTP 500");
	assert_int_equal(fake_count(&tr, "/_adds"), 0);
}

/*
 * With a user set, the credentials go as HTTP Basic; wrong ones are 401,
 * before any handshake, and never shown.
 */
static void test_transmission_auth(void **state)
{
	struct download_release r = magnet_release(MAGNET);
	json_t *req;

	(void)state;
	json_decref(call(&tr, "POST", "/_reset?user=admin&password=s3cr3t"));
	assert_int_equal(send_release(&r), -EACCES);
	assert_non_null(strstr(err.buf, "transmission: the user name or"
			       " password was refused (HTTP 401) (not asked"
			       " again"));
	assert_false(download_release_fault(-EACCES));
	/* The refusal is remembered: Transmission is not asked again. */
	assert_int_equal(send_release(&r), -EACCES);
	assert_non_null(strstr(err.buf, "(HTTP 401)"));
	assert_int_equal(fake_count(&tr, "/_requests"), 1);
	/* New settings, a new session: asked again. */
	memset(&session, 0, sizeof(session));
	c.username = "admin";
	c.password = "wrongPASSWORD";
	assert_int_equal(send_release(&r), -EACCES);
	assert_false(fake_logged("wrongPASSWORD"));
	/* download_retry() lets it be asked again too. */
	c.password = "s3cr3t";
	download_retry();
	assert_int_equal(send_release(&r), 0);
	req = entry(&tr, "/_requests", -1);
	assert_string_equal(str(req, "auth"), "admin:s3cr3t");
	json_decref(req);
	assert_false(fake_logged("s3cr3t"));
}

/*
 * A Prowlarr torrent link is read here: its torrent goes as metainfo,
 * base64; a proxy link redirecting to a magnet goes as that magnet.
 */
static void test_transmission_proxy_links(void **state)
{
	struct strbuf link = STRBUF_INIT, magnet = STRBUF_INIT;
	struct download_release r;
	json_t *add;

	(void)state;
	proxy_link("torrent:berserk-12", 1, &link);
	r = magnet_release(link.buf);
	assert_int_equal(send_release(&r), 0);
	add = entry(&tr, "/_adds", 0);
	assert_null(str(add, "filename"));
	assert_int_equal(strncmp(str(add, "metainfo"), "d8:announce", 11), 0);
	json_decref(add);

	/* A magnet-only indexer: no download link, a proxy magnet link. */
	proxy_link(MAGNET, 3, &magnet);
	r = magnet_release(NULL);
	r.magnet = magnet.buf;
	assert_int_equal(send_release(&r), 0);
	add = entry(&tr, "/_adds", 1);
	assert_string_equal(str(add, "filename"), MAGNET);
	json_decref(add);
	assert_false(fake_logged(PROWLARR_KEY));
	strbuf_release(&link);
	strbuf_release(&magnet);
}

/* The url may name the host only: the RPC's default path is added. */
static void test_transmission_url(void **state)
{
	struct download_release r = magnet_release(MAGNET);
	char url[96];

	(void)state;
	snprintf(url, sizeof(url), "%s/transmission/rpc", tr_url);
	c.url = url;
	assert_int_equal(send_release(&r), 0);
	c.url = NULL;
	assert_int_equal(send_release(&r), -EINVAL);
	assert_string_equal(err.buf, "transmission: no url set");
	c.url = "http://127.0.0.1:1";
	assert_int_equal(send_release(&r), -ECONNREFUSED);
	assert_false(download_release_fault(-ECONNREFUSED));
}

static int new_sabnzbd(void **state)
{
	(void)state;
	c = (struct download_client){
		.client = "sabnzbd", .url = sab_url, .api_key = SAB_KEY,
		.category = "manga", .timeout_ms = 10000,
	};
	return 0;
}

/* addurl with the link, the title, the category and the key. */
static void test_sabnzbd_addurl(void **state)
{
	struct strbuf link = STRBUF_INIT;
	struct download_release r;
	json_t *req, *args;

	(void)state;
	proxy_link("nzb:berserk-12", 2, &link);
	r = nzb_release(link.buf);
	assert_int_equal(send_release(&r), 0);
	assert_string_equal(err.buf, "");
	req = entry(&sab, "/_requests", -1);
	args = json_object_get(req, "args");
	assert_string_equal(str(req, "path"), "/api");
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(args, "mode"), 0)), "addurl");
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(args, "output"), 0)), "json");
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(args, "name"), 0)), link.buf);
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(args, "nzbname"), 0)), "Berserk T12 FRENCH");
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(args, "cat"), 0)), "manga");
	json_decref(req);
	assert_int_equal(fake_count(&sab, "/_adds"), 1);
	/* Neither key reaches the log: SABnzbd's, nor Prowlarr's. */
	assert_false(fake_logged(SAB_KEY));
	assert_false(fake_logged(PROWLARR_KEY));
	strbuf_release(&link);
}

/* Its refusals: a duplicate (status false), a wrong key (403). */
static void test_sabnzbd_refused(void **state)
{
	struct download_release r = nzb_release(
		"https://nzb.example/get/duplicate-me.nzb");

	(void)state;
	assert_int_equal(send_release(&r), -EPROTO);
	assert_string_equal(err.buf, "sabnzbd: the NZB was refused (a"
			    " duplicate, or a link it cannot fetch)");
	r.link = "https://nzb.example/get/error500.nzb";
	assert_int_equal(send_release(&r), -EIO);
	c.api_key = "wrongKEY";
	r.link = "https://nzb.example/get/one.nzb";
	assert_int_equal(send_release(&r), -EACCES);
	assert_string_equal(err.buf, "sabnzbd: refused (HTTP 403): API Key"
			    " Incorrect");
	assert_false(fake_logged("wrongKEY"));
	c.api_key = NULL;
	assert_int_equal(send_release(&r), -EINVAL);
	assert_string_equal(err.buf, "sabnzbd: no api_key set");
	/* A torrent is not for SABnzbd. */
	c.api_key = SAB_KEY;
	r = magnet_release(MAGNET);
	assert_int_equal(send_release(&r), -EINVAL);
	assert_string_equal(err.buf, "sabnzbd: cannot take this release");
}

static int new_nzbget(void **state)
{
	(void)state;
	json_decref(call(&nzbget, "POST", "/_reset"));
	c = (struct download_client){
		.client = "nzbget", .url = nzbget_url,
		.username = NZBGET_USER, .password = NZBGET_PASSWORD,
		.category = "manga", .timeout_ms = 10000,
	};
	return 0;
}

/* append with the ten parameters; a positive id is taken. */
static void test_nzbget_append(void **state)
{
	struct download_release r = nzb_release(
		"https://nzb.example/get/berserk-12.nzb");
	json_t *add, *req;

	(void)state;
	assert_int_equal(send_release(&r), 0);
	add = entry(&nzbget, "/_adds", 0);
	assert_string_equal(str(add, "filename"), "Berserk T12 FRENCH.nzb");
	assert_string_equal(str(add, "content"), r.link);
	assert_string_equal(str(add, "category"), "manga");
	assert_string_equal(str(add, "dupe_mode"), "SCORE");
	assert_true(json_is_false(json_object_get(add, "add_paused")));
	json_decref(add);
	req = entry(&nzbget, "/_requests", 0);
	assert_string_equal(str(req, "path"), "/jsonrpc");
	assert_string_equal(str(req, "auth"), NZBGET_USER ":"
			    NZBGET_PASSWORD);
	assert_string_equal(str(json_object_get(req, "body"), "method"),
			    "append");
	json_decref(req);
	assert_false(fake_logged(NZBGET_PASSWORD));
}

/* An error object, a result of 0, a server error, a wrong password. */
static void test_nzbget_refused(void **state)
{
	struct download_release r = nzb_release(
		"https://nzb.example/get/refuse-me.nzb");

	(void)state;
	assert_int_equal(send_release(&r), -EPROTO);
	assert_string_equal(err.buf, "nzbget: the NZB was refused: Invalid"
			    " parameter (Content)");
	r.link = "https://nzb.example/get/zero-me.nzb";
	assert_int_equal(send_release(&r), -EPROTO);
	assert_string_equal(err.buf, "nzbget: the NZB was refused (result 0"
			    " or less)");
	r.link = "https://nzb.example/get/error500.nzb";
	assert_int_equal(send_release(&r), -EIO);
	c.password = "wrongPASSWORD";
	r.link = "https://nzb.example/get/one.nzb";
	assert_int_equal(send_release(&r), -EACCES);
	assert_string_equal(err.buf, "nzbget: the user name or password was"
			    " refused (HTTP 401)");
	assert_false(fake_logged("wrongPASSWORD"));
	assert_int_equal(fake_count(&nzbget, "/_adds"), 0);
}

/* One NZBGet group or history item of id in status, of 1000 bytes with
 * left to come. */
#define GROUP(id, status, left) \
	"{\"NZBID\":" id ",\"Status\":\"" status "\",\"FileSizeLo\":1000," \
	"\"FileSizeHi\":0,\"RemainingSizeLo\":" left "," \
	"\"RemainingSizeHi\":0,\"DestDir\":\"/dl\"}"

/* What the fake NZBGet lists next: its queue, history and status. */
static void nzbget_queue(const char *doc)
{
	json_decref(fake_json(&nzbget, "POST", "/_queue", doc));
}

/* Download n of list as tracker_read() reads it: done, total, speed. */
static void assert_seen(json_t *list, size_t n, long long done,
			long long total, long long speed)
{
	struct tracker_seen seen;

	assert_int_equal(tracker_read("nzbget", json_array_get(list, n),
				      &seen), 0);
	if (seen.done != done || seen.total != total || seen.speed != speed)
		fail_msg("item %zu: %lld %lld %lld", n, seen.done, seen.total,
			 seen.speed);
}

/*
 * The queue's groups and the history's items, and the status'
 * DownloadRate for the one group downloading: none for two downloading
 * (whose it is cannot be told), none when the status fails, the
 * listing kept.
 */
static void test_nzbget_list_rate(void **state)
{
	static const char *const ids[] = { "1", "2", "3" };
	json_t *list;

	(void)state;
	nzbget_queue("{\"groups\":[" GROUP("1", "DOWNLOADING", "400") ","
		     GROUP("2", "QUEUED", "1000") ",{\"NZBID\":9}],"
		     "\"history\":[" GROUP("3", "SUCCESS/ALL", "0") "],"
		     "\"status\":{\"DownloadRate\":2048}}");
	assert_int_equal(download_list(&c, ids, 3, &list, &err), 0);
	assert_int_equal(json_array_size(list), 3);
	assert_seen(list, 0, 600, 1000, 2048);
	assert_seen(list, 1, 0, 1000, TRACKER_UNKNOWN);
	assert_seen(list, 2, 1000, 1000, TRACKER_UNKNOWN);
	json_decref(list);
	nzbget_queue("{\"groups\":[" GROUP("1", "DOWNLOADING", "400") ","
		     GROUP("2", "DOWNLOADING", "1000") "],\"history\":[]}");
	assert_int_equal(download_list(&c, ids, 3, &list, &err), 0);
	assert_seen(list, 0, 600, 1000, TRACKER_UNKNOWN);
	assert_seen(list, 1, 0, 1000, TRACKER_UNKNOWN);
	json_decref(list);
	nzbget_queue("{\"groups\":[" GROUP("1", "DOWNLOADING", "400") "],"
		     "\"status\":null}");
	assert_int_equal(download_list(&c, ids, 3, &list, &err), 0);
	assert_int_equal(json_array_size(list), 1);
	assert_seen(list, 0, 600, 1000, TRACKER_UNKNOWN);
	json_decref(list);
	/* a rate that is no number: unknown */
	nzbget_queue("{\"status\":{\"DownloadRate\":\"fast\"}}");
	assert_int_equal(download_list(&c, ids, 3, &list, &err), 0);
	assert_seen(list, 0, 600, 1000, TRACKER_UNKNOWN);
	json_decref(list);
}

#define TR_TEST(t) cmocka_unit_test_setup(t, new_transmission)
#define SAB_TEST(t) cmocka_unit_test_setup(t, new_sabnzbd)
#define NZBGET_TEST(t) cmocka_unit_test_setup(t, new_nzbget)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TR_TEST(test_transmission_handshake),
		TR_TEST(test_transmission_duplicate),
		TR_TEST(test_transmission_refused),
		TR_TEST(test_transmission_auth),
		TR_TEST(test_transmission_proxy_links),
		TR_TEST(test_transmission_url),
		SAB_TEST(test_sabnzbd_addurl),
		SAB_TEST(test_sabnzbd_refused),
		NZBGET_TEST(test_nzbget_append),
		NZBGET_TEST(test_nzbget_refused),
		NZBGET_TEST(test_nzbget_list_rate),
	};

	return cmocka_run_group_tests(tests, start_fakes, stop_fakes);
}
