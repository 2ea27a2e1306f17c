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
#include "indexer/monitor/links.h"

/*
 * Where Prowlarr's proxy links lead, read before a client gets anything
 * (the fake Prowlarr answers them as NewznabController.GetDownload
 * does), what qBittorrent then gets, and the recorded real answers of
 * ../shared/realworld/answers (the "accepts" and "qbit" cases).
 */

#define KEY "fakeKEY-0123456789abcdef"	/* the fake Prowlarr's */
#define MAGNET "magnet:?xt=urn:btih:89abcdef&dn=Undead+Unluck+T03"

static struct fake prowlarr, qbit, routes;
static char qbit_url[64];
static struct links_target t = LINKS_TARGET_INIT;
static struct strbuf err = STRBUF_INIT;

static int start_fakes(void **state)
{
	(void)state;
	if (fake_start("prowlarr_fake.py", &prowlarr) ||
	    fake_start("qbittorrent_fake.py", &qbit) ||
	    fake_start("routes_fake.py", &routes))
		return -1;
	snprintf(qbit_url, sizeof(qbit_url), "http://127.0.0.1:%d", qbit.port);
	return 0;
}

static int stop_fakes(void **state)
{
	(void)state;
	fake_stop(&prowlarr);
	fake_stop(&qbit);
	fake_stop(&routes);
	links_target_release(&t);
	strbuf_release(&err);
	return 0;
}

/* The fake Prowlarr's proxy link for an indexer's link, into out. */
static const char *proxy(const char *link, struct strbuf *out)
{
	fake_prowlarr_link(&prowlarr, 12, KEY, link, out);
	return out->buf;
}

/* Fetch the proxy link of an indexer's link, wanting the kinds in mask. */
static int fetch(const char *link, int mask)
{
	struct strbuf url = STRBUF_INIT;
	int ret = links_fetch(proxy(link, &url), mask, 10000, NULL, &t, &err);

	strbuf_release(&url);
	return ret;
}

/* A torrent's bytes; a magnet, read from the redirect, not followed. */
static void test_torrent_and_magnet(void **state)
{
	(void)state;
	assert_int_equal(fetch("torrent:undead-3", LINKS_TORRENT), 0);
	assert_int_equal(t.kind, LINKS_TORRENT);
	assert_int_equal(strncmp(t.data.buf, "d8:announce", 11), 0);

	assert_int_equal(fetch(MAGNET, LINKS_TORRENT | LINKS_MAGNET), 0);
	assert_int_equal(t.kind, LINKS_MAGNET);
	assert_string_equal(t.data.buf, MAGNET);
	/* A magnet where none was asked for is an error. */
	assert_int_equal(fetch(MAGNET, LINKS_TORRENT), -EPROTO);
	assert_non_null(strstr(err.buf, "magnet link"));
	assert_false(fake_logged(KEY));
}

/* A usenet proxy link redirects to the indexer, whose NZB is read. */
static void test_nzb(void **state)
{
	(void)state;
	assert_int_equal(fetch("/indexer/nzb/undead-3", LINKS_NZB), 0);
	assert_int_equal(t.kind, LINKS_NZB);
	assert_non_null(strstr(t.data.buf, "<nzb xmlns="));
	/* An NZB is no torrent. */
	assert_int_equal(fetch("/indexer/nzb/undead-3", LINKS_TORRENT),
			 -EPROTO);
	assert_string_equal(err.buf, "the link gave an NZB, not a torrent");
}

/* Each way a link fails, with its words and no key. */
static void test_bad_links(void **state)
{
	struct strbuf url = STRBUF_INIT;
	int all = LINKS_TORRENT | LINKS_MAGNET;

	(void)state;
	assert_int_equal(fetch("loop", all), -ELOOP);
	assert_string_equal(err.buf, "a redirect loop");
	assert_int_equal(fetch("ftp", all), -EPROTO);
	assert_string_equal(err.buf, "the link redirects to a ftp: link,"
			    " neither a magnet nor a web link");
	assert_int_equal(fetch("bad-location", all), -EPROTO);
	assert_non_null(strstr(err.buf, "HTTP 301"));
	assert_int_equal(fetch("gone", all), -EIDRM);
	assert_string_equal(err.buf, "the release is no longer there"
			    " (HTTP 410)");
	assert_int_equal(fetch("limited", all), -EAGAIN);
	assert_string_equal(err.buf, "the indexer's grab limit is reached"
			    " (HTTP 429, retry after 30 s)");
	assert_int_equal(fetch("failing", all), -EIO);
	assert_int_equal(fetch("html", all), -EPROTO);
	assert_string_equal(err.buf, "the link gave an HTML or XML page, not"
			    " a torrent");

	/* Prowlarr refuses a wrong key in the link. */
	proxy("torrent:x", &url);
	memcpy(strstr(url.buf, "apikey=") + 7, "WRONG", 5);
	assert_int_equal(links_fetch(url.buf, all, 10000, NULL, &t, &err),
			 -EACCES);
	assert_int_equal(links_fetch("ftp://x/y", all, 0, NULL, &t, &err),
			 -EINVAL);
	assert_false(fake_logged(KEY));
	strbuf_release(&url);
}

/* qBittorrent for a release of Prowlarr, read through its links. */
static struct download_client qbit_client(struct download_session *s)
{
	memset(s, 0, sizeof(*s));
	json_decref(fake_json(&qbit, "POST", "/_reset", NULL));
	return (struct download_client){
		.client = "qbittorrent", .url = qbit_url, .username = "admin",
		.password = "adminadmin", .session = s, .timeout_ms = 10000,
	};
}

/* The last add the fake qBittorrent took; json_decref() it. */
static json_t *last_add(void)
{
	json_t *adds = fake_json(&qbit, NULL, "/_adds", NULL);
	size_t n = json_array_size(adds);
	json_t *a = n ? json_incref(json_array_get(adds, n - 1)) : NULL;

	json_decref(adds);
	return a;
}

/*
 * A torrent goes as a file (multipart), a magnet-only release's proxy
 * link as the magnet it leads to; qBittorrent never sees Prowlarr's key.
 */
static void test_qbit_gets_what_links_lead_to(void **state)
{
	struct download_session s;
	struct download_client c = qbit_client(&s);
	struct strbuf link = STRBUF_INIT, magnet = STRBUF_INIT;
	struct download_release r = {
		.title = "Undead Unluck T03", .source = "prowlarr",
		.protocol = "torrent", .guid = "g", .indexer_id = 12,
	};
	json_t *add, *reqs;
	char *text;

	(void)state;
	r.link = proxy("torrent:undead-3", &link);
	assert_int_equal(download_send(&c, &r, NULL, NULL, &err), 0);
	add = last_add();
	assert_int_equal(json_array_size(json_object_get(add, "urls")), 0);
	assert_int_equal(strncmp(json_string_value(json_array_get(
		json_object_get(add, "torrents"), 0)), "d8:announce", 11), 0);
	json_decref(add);

	r.link = NULL;
	r.magnet = proxy(MAGNET, &magnet);
	assert_int_equal(download_send(&c, &r, NULL, NULL, &err), 0);
	add = last_add();
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(add, "urls"), 0)), MAGNET);
	json_decref(add);

	reqs = fake_json(&qbit, NULL, "/_requests", NULL);
	text = json_dumps(reqs, 0);
	assert_null(strstr(text, KEY));
	free(text);
	json_decref(reqs);
	strbuf_release(&link);
	strbuf_release(&magnet);
}

/*
 * A link that loops or leads elsewhere fails the release, unless its guid
 * is a magnet, the fallback; nothing reaches qBittorrent then.
 */
static void test_qbit_fallback_to_guid(void **state)
{
	struct download_session s;
	struct download_client c = qbit_client(&s);
	struct strbuf link = STRBUF_INIT;
	struct download_release r = {
		.title = "Undead Unluck T03", .source = "prowlarr",
		.protocol = "torrent", .guid = "https://tracker.example/t/3",
		.indexer_id = 12,
	};
	json_t *add;

	(void)state;
	r.magnet = proxy("loop", &link);
	assert_int_equal(download_send(&c, &r, NULL, NULL, &err), -ENOLINK);
	assert_string_equal(err.buf, "qbittorrent: no link of the release"
			    " works: a redirect loop");
	r.magnet = proxy("ftp", &link);
	assert_int_equal(download_send(&c, &r, NULL, NULL, &err), -ENOLINK);
	assert_non_null(strstr(err.buf, "a ftp: link"));
	/* gone from the indexer: for good */
	r.magnet = proxy("gone", &link);
	assert_int_equal(download_send(&c, &r, NULL, NULL, &err), -EIDRM);
	assert_string_equal(err.buf, "qbittorrent: no link of the release"
			    " works: the release is no longer there"
			    " (HTTP 410)");
	add = last_add();
	assert_null(add);

	r.guid = MAGNET;
	assert_int_equal(download_send(&c, &r, NULL, NULL, &err), 0);
	add = last_add();
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(add, "urls"), 0)), MAGNET);
	json_decref(add);
	strbuf_release(&link);
}

/* The value of argv[i] of a case, NULL for "-". */
static const char *arg(json_t *argv, size_t i)
{
	const char *s = json_string_value(json_array_get(argv, i));

	return s && strcmp(s, "-") ? s : NULL;
}

/* An "accepts" case: whether a client takes a Prowlarr torrent release
 * with those links. */
static void check_accepts(json_t *c)
{
	json_t *argv = json_object_get(c, "argv");
	struct download_client dc = { .client = arg(argv, 1) };
	struct download_release r = {
		.title = "release", .source = "prowlarr", .protocol = "torrent",
		.link = arg(argv, 2), .magnet = arg(argv, 3), .guid = "g",
		.indexer_id = 1,
	};
	json_int_t want = json_integer_value(json_object_get(
		json_object_get(c, "expect"), "accepts"));

	if (download_accepts(&dc, &r) != want)
		fail_msg("%s: accepts is not %d",
			 json_string_value(json_object_get(c, "id")),
			 (int)want);
}

/*
 * A "qbit" case: qBittorrent's recorded answers replayed, a magnet sent;
 * the return value, and a header the requests must hold.
 */
static void check_qbit(json_t *c, const char *dir)
{
	json_t *argv = json_object_get(c, "argv");
	json_t *expect = json_object_get(c, "expect"), *doc, *reqs, *req;
	const char *id = json_string_value(json_object_get(c, "id"));
	const char *header = json_string_value(json_object_get(expect,
								"@request"));
	struct download_session s = { 0 };
	char url[64];
	struct download_client dc = {
		.client = "qbittorrent", .url = url, .username = "admin",
		.password = "adminadmin", .session = &s, .timeout_ms = 10000,
	};
	struct download_release r = {
		.title = "release", .source = "prowlarr", .protocol = "torrent",
		.link = arg(argv, 2), .guid = "g", .indexer_id = 1,
	};
	size_t i;
	char *body;
	int ret, found = !header;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", routes.port);
	doc = json_pack("{s:s, s:O}", "dir", dir, "routes",
			json_object_get(c, "routes"));
	body = json_dumps(doc, 0);
	json_decref(fake_json(&routes, "POST", "/_routes", body));
	free(body);
	json_decref(doc);
	ret = download_send(&dc, &r, NULL, NULL, &err);
	if (ret != json_integer_value(json_object_get(expect, "ret")))
		fail_msg("%s: ret %d: %s", id, ret, err.buf);
	reqs = fake_json(&routes, NULL, "/_requests", NULL);
	json_array_foreach(reqs, i, req) {
		json_t *h;
		size_t j;

		json_array_foreach(json_object_get(req, "headers"), j, h)
			if (header && !strcmp(json_string_value(h), header))
				found = 1;
	}
	json_decref(reqs);
	if (!found)
		fail_msg("%s: no request holds %s", id, header);
}

/* The recorded cases of ../shared/realworld/answers/expect.json. */
static void test_realworld(void **state)
{
	char dir[512];
	json_t *doc = fake_realworld_expect(dir, sizeof(dir)), *c;
	size_t i, checked = 0;

	(void)state;
	if (!doc)
		skip();
	json_array_foreach(json_object_get(doc, "cases"), i, c) {
		const char *what = json_string_value(json_array_get(
			json_object_get(c, "argv"), 0));

		if (!strcmp(what, "accepts"))
			check_accepts(c);
		else if (!strcmp(what, "qbit"))
			check_qbit(c, dir);
		else
			continue;
		checked++;
	}
	assert_true(checked > 0);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_torrent_and_magnet),
		cmocka_unit_test(test_nzb),
		cmocka_unit_test(test_bad_links),
		cmocka_unit_test(test_qbit_gets_what_links_lead_to),
		cmocka_unit_test(test_qbit_fallback_to_guid),
		cmocka_unit_test(test_realworld),
	};

	return cmocka_run_group_tests(tests, start_fakes, stop_fakes);
}
