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

#include "common/clock.h"
#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/throttle.h"
#include "indexer/realdebrid/rd_client.h"

#define TOKEN "rdTOKEN-test"		/* the fake's */
#define WRONG_TOKEN "rdWRONG-token-0123"
#define NR_TORRENTS 5			/* the fake's built-in set */
#define JAN_15_2024_1030 1705314600.0
#define SHOW "Show.S01.1080p.WEB"
#define SHOW_HASH "096c2f01bf895e152702e4aa6237b147344e3fed"

static struct fake fake;
static char base[64];
static struct throttle *throttle;
static struct rd_client c;
static struct rd_result res;

/* A throttle fast enough not to slow the tests down. */
static struct throttle *fast_throttle(void)
{
	struct throttle *t;

	assert_int_equal(throttle_new("rd", 60000, NULL, NULL, &t), 0);
	return t;
}

/* The fake's JSON answer to a request of a control path. */
static json_t *fake_call(const char *method, const char *path,
			 const char *body)
{
	json_t *doc = fake_json(&fake, method, path, body);

	assert_non_null(doc);
	return doc;
}

/* Make the next API request whose path matches regex answer spec. */
static void inject(json_t *spec)
{
	char *text = json_dumps(spec, JSON_COMPACT);

	assert_non_null(text);
	json_decref(fake_call("POST", "/_inject", text));
	free(text);
	json_decref(spec);
}

/* The same, for an answer of status with body sent as it is. */
static void inject_answer(const char *regex, int status, const char *body,
			  const char *retry_after)
{
	json_t *spec = json_pack("{s:s, s:i, s:s}", "path_regex", regex,
				 "status", status, "body", body);

	if (retry_after)
		json_object_set_new(spec, "headers",
				    json_pack("{s:s}", "Retry-After",
					      retry_after));
	inject(spec);
}

static json_t *requests(void)
{
	return fake_call("GET", "/_requests", NULL);
}

/* The last API request the fake saw; json_decref() it. */
static json_t *last_request(void)
{
	json_t *last = fake_last_request(&fake);

	assert_non_null(last);
	return last;
}

static const char *member(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Value 0 of the form or query field name in a recorded request. */
static const char *field(json_t *req, const char *where, const char *name)
{
	json_t *v = json_object_get(json_object_get(req, where), name);

	assert_int_equal(json_array_size(v), 1);
	return json_string_value(json_array_get(v, 0));
}

/* Start the fake Real-Debrid for the whole group. */
static int start_fake(void **state)
{
	(void)state;
	if (fake_start("realdebrid_fake.py", &fake))
		return -1;
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/rest/1.0/",
		 fake.port);
	return 0;
}

static int stop_fake(void **state)
{
	(void)state;
	fake_stop(&fake);
	return 0;
}

/*
 * Each test starts from the fake's built-in torrents, with no request
 * logged, and a fresh throttle, so one test's 429 never pauses the next.
 */
static int new_client(void **state)
{
	(void)state;
	json_decref(fake_call("POST", "/_reset", NULL));
	throttle = fast_throttle();
	c = (struct rd_client){
		.url = base,
		.token = TOKEN,
		.throttle = throttle,
		.timeout_ms = 10000,
	};
	return 0;
}

static int free_client(void **state)
{
	(void)state;
	throttle_free(throttle);
	throttle = NULL;
	return 0;
}

/* The id of the built-in torrent named name, from a list. */
static char *id_of(const char *name)
{
	struct rd_torrent *t;
	size_t nr, i;
	long total;
	char *id = NULL;

	assert_int_equal(rd_list(&c, 0, 100, NULL, &t, &nr, &total, &res), 0);
	for (i = 0; i < nr; i++)
		if (!strcmp(t[i].filename, name))
			id = strdup(t[i].id);
	rd_torrents_free(t, nr);
	assert_non_null(id);
	return id;
}

/* Requests from where the last ended cover the account once, newest
 * first. */
static void test_list_paging(void **state)
{
	struct rd_torrent *t;
	char *ids[NR_TORRENTS];
	size_t nr, n = 0, i, j;
	long offset = 0;
	int pages = 0;
	double last_added = 1e12;
	long total;
	json_t *req;

	(void)state;
	for (;;) {
		total = -2;
		assert_int_equal(rd_list(&c, offset, 2, NULL, &t, &nr,
					 &total, &res), 0);
		assert_int_equal(total, NR_TORRENTS);
		assert_true(res.elapsed_s > 0);
		if (!nr) {
			assert_null(t);
			assert_int_equal(res.http_status, 204);
			break;
		}
		assert_int_equal(res.http_status, 200);
		assert_true(nr <= 2);
		pages++;
		for (i = 0; i < nr; i++) {
			assert_true(t[i].added_at <= last_added);
			last_added = t[i].added_at;
			assert_null(t[i].files);
			assert_int_equal(t[i].nr_files, 0);
			assert_null(t[i].original_filename);
			if (!strcmp(t[i].filename, SHOW)) {
				assert_string_equal(t[i].hash, SHOW_HASH);
				assert_string_equal(t[i].status, "downloaded");
				assert_int_equal(t[i].bytes, 2900000000LL);
				assert_true(t[i].added_at == JAN_15_2024_1030);
			}
			assert_true(n < NR_TORRENTS);
			ids[n++] = strdup(t[i].id);
		}
		rd_torrents_free(t, nr);
		offset += nr;
	}
	assert_int_equal(pages, 3);
	assert_int_equal(n, NR_TORRENTS);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			assert_string_not_equal(ids[i], ids[j]);
	for (i = 0; i < n; i++)
		free(ids[i]);

	req = last_request();
	assert_string_equal(member(req, "method"), "GET");
	assert_string_equal(member(req, "path"), "/torrents");
	assert_string_equal(field(req, "args", "offset"), "5");
	assert_string_equal(field(req, "args", "limit"), "2");
	assert_string_equal(member(req, "auth"), "ok");
	assert_null(strstr(member(req, "query"), TOKEN));
	json_decref(req);
	assert_int_equal(fake_nr_requests(&fake), 4);
}

/* Info gives the files with their ids, paths, sizes and selection. */
static void test_info(void **state)
{
	static const char *const paths[] = {
		"/" SHOW "/Show.S01E01.mkv", "/" SHOW "/Show.S01E02.mkv",
		"/" SHOW "/sample.mkv", "/" SHOW "/Show.nfo",
	};
	static const int64_t bytes[] = {
		1500000000, 1400000000, 20000000, 2000,
	};
	struct rd_torrent t;
	char *id = id_of(SHOW);
	size_t i;
	json_t *req;

	(void)state;
	assert_int_equal(rd_info(&c, id, NULL, &t, &res), 0);
	assert_int_equal(res.http_status, 200);
	assert_int_equal(res.error_code, 0);
	assert_string_equal(res.error, "");
	assert_string_equal(t.id, id);
	assert_string_equal(t.filename, SHOW);
	assert_string_equal(t.original_filename, SHOW);
	assert_string_equal(t.hash, SHOW_HASH);
	assert_string_equal(t.status, "downloaded");
	assert_int_equal(t.bytes, 2900000000LL);
	assert_true(t.added_at == JAN_15_2024_1030);
	assert_int_equal(t.nr_files, 4);
	for (i = 0; i < t.nr_files; i++) {
		assert_int_equal(t.files[i].id, i + 1);
		assert_string_equal(t.files[i].path, paths[i]);
		assert_int_equal(t.files[i].bytes, bytes[i]);
		assert_int_equal(t.files[i].selected, i < 2);
	}
	rd_torrent_release(&t);
	assert_null(t.id);
	assert_null(t.files);

	req = last_request();
	assert_string_equal(member(req, "method"), "GET");
	assert_non_null(strstr(member(req, "path"), id));
	json_decref(req);
	free(id);
}

/* Expect torrent id's status to be status now. */
static void expect_status(const char *id, const char *status)
{
	struct rd_torrent t;

	assert_int_equal(rd_info(&c, id, NULL, &t, &res), 0);
	assert_string_equal(t.status, status);
	rd_torrent_release(&t);
}

/*
 * A repair as the issue tells it: re-add by hash, select the same files,
 * watch it download, delete the old torrent.
 */
static void test_repair_cycle(void **state)
{
	static const int ids[] = { 1, 2 };
	struct rd_torrent t;
	char *old = id_of(SHOW), *id = NULL;
	json_t *req;
	size_t i;

	(void)state;
	assert_int_equal(rd_add_magnet(&c, SHOW_HASH, NULL, &id, &res), 0);
	assert_int_equal(res.http_status, 201);
	assert_non_null(id);
	assert_string_not_equal(id, old);
	req = last_request();
	assert_string_equal(member(req, "method"), "POST");
	assert_string_equal(member(req, "path"), "/torrents/addMagnet");
	assert_string_equal(field(req, "form", "magnet"),
			    "magnet:?xt=urn:btih:" SHOW_HASH);
	json_decref(req);

	expect_status(id, "magnet_conversion");
	assert_int_equal(rd_info(&c, id, NULL, &t, &res), 0);
	assert_string_equal(t.status, "waiting_files_selection");
	assert_string_equal(t.hash, SHOW_HASH);
	assert_int_equal(t.nr_files, 4);
	for (i = 0; i < t.nr_files; i++)
		assert_int_equal(t.files[i].selected, 0);
	rd_torrent_release(&t);

	assert_int_equal(rd_select_files(&c, id, ids, 2, NULL, &res), 0);
	assert_int_equal(res.http_status, 204);
	req = last_request();
	assert_string_equal(member(req, "method"), "POST");
	assert_non_null(strstr(member(req, "path"), "/torrents/selectFiles/"));
	assert_non_null(strstr(member(req, "path"), id));
	assert_string_equal(field(req, "form", "files"), "1,2");
	json_decref(req);
	/* Selecting again is "already done", not an error. */
	assert_int_equal(rd_select_files(&c, id, ids, 2, NULL, &res), 0);
	assert_int_equal(res.http_status, 202);

	expect_status(id, "queued");
	expect_status(id, "downloading");
	assert_int_equal(rd_info(&c, id, NULL, &t, &res), 0);
	assert_string_equal(t.status, "downloaded");
	assert_int_equal(t.bytes, 2900000000LL);
	for (i = 0; i < t.nr_files; i++)
		assert_int_equal(t.files[i].selected, i < 2);
	rd_torrent_release(&t);

	assert_int_equal(rd_delete(&c, old, NULL, &res), 0);
	assert_int_equal(res.http_status, 204);
	req = last_request();
	assert_string_equal(member(req, "method"), "DELETE");
	assert_non_null(strstr(member(req, "path"), old));
	json_decref(req);
	assert_int_equal(rd_delete(&c, old, NULL, &res), -ENOENT);
	assert_int_equal(res.http_status, 404);
	assert_int_equal(res.error_code, 7);
	assert_string_equal(res.error, "unknown_ressource");
	assert_int_equal(rd_info(&c, old, NULL, &t, &res), -ENOENT);
	expect_status(id, "downloaded");
	free(old);
	free(id);
}

/* A whole magnet link goes as it is; an uppercase hash is a hash too. */
static void test_add_magnet_link(void **state)
{
	static const char magnet[] = "magnet:?xt=urn:btih:" SHOW_HASH
		"&dn=Show+S01&tr=udp%3A%2F%2Ftracker.example%3A80";
	char *id = NULL;
	json_t *req;

	(void)state;
	assert_int_equal(rd_add_magnet(&c, magnet, NULL, &id, &res), 0);
	req = last_request();
	assert_string_equal(field(req, "form", "magnet"),
			    "magnet:?xt=urn:btih:" SHOW_HASH
			    "&dn=Show+S01&tr=udp%3A%2F%2Ftracker.example%3A80");
	json_decref(req);
	free(id);

	assert_int_equal(rd_add_magnet(&c, "096C2F01BF895E152702E4AA6237B147"
				       "344E3FED", NULL, &id, &res), 0);
	req = last_request();
	assert_string_equal(field(req, "form", "magnet"),
			    "magnet:?xt=urn:btih:096C2F01BF895E152702E4AA6237B"
			    "147344E3FED");
	json_decref(req);
	free(id);
}

struct refusal {
	const char *regex;		/* which call gets it */
	int status;
	const char *body;
	int ret;
	int error_code;
	const char *error;
};

/* Each call of the client, on the call an injection names. */
static int call(const char *which)
{
	static const int ids[] = { 3 };
	struct rd_torrent *list, t;
	size_t nr;
	long total;
	char *id = NULL;
	int ret;

	if (!strcmp(which, "torrents$")) {
		ret = rd_list(&c, 0, 10, NULL, &list, &nr, &total, &res);
		if (!ret)
			rd_torrents_free(list, nr);
	} else if (!strcmp(which, "info")) {
		ret = rd_info(&c, "NOSUCHID", NULL, &t, &res);
		if (!ret)
			rd_torrent_release(&t);
	} else if (!strcmp(which, "addMagnet")) {
		ret = rd_add_magnet(&c, SHOW_HASH, NULL, &id, &res);
		free(id);
	} else if (!strcmp(which, "selectFiles")) {
		ret = rd_select_files(&c, "NOSUCHID", ids, 1, NULL, &res);
	} else {
		ret = rd_delete(&c, "NOSUCHID", NULL, &res);
	}
	return ret;
}

/* Every refusal maps to its error, with Real-Debrid's code and text. */
static void test_refusals(void **state)
{
	static const struct refusal cases[] = {
		{ "addMagnet", 451,
		  "{\"error\":\"infringing_file\",\"error_code\":35}",
		  -EPERM, 35, "infringing_file" },
		{ "addMagnet", 403,
		  "{\"error\":\"infringing_file\",\"error_code\":35}",
		  -EPERM, 35, "infringing_file" },
		{ "addMagnet", 451, "", -EPERM, 0, "" },
		{ "info", 401, "", -EACCES, 0, "" },
		{ "addMagnet", 509, "{\"error\":\"no slot\"}",
		  -ENOSPC, 0, "no slot" },
		{ "selectFiles", 509, "", -ENOSPC, 0, "" },
		{ "addMagnet", 400, "{\"error\":\"too_many_active_downloads\","
		  "\"error_code\":21}", -ENOSPC, 21,
		  "too_many_active_downloads" },
		{ "delete", 500, "<html>Internal Server Error</html>",
		  -EIO, 0, "" },
		{ "info", 503, "{\"error\":\"service_unavailable\","
		  "\"error_code\":25}", -EIO, 25, "service_unavailable" },
		{ "torrents$", 502, "", -EIO, 0, "" },
		{ "selectFiles", 400, "{\"error\":\"parameter_bad_value\","
		  "\"error_code\":2}", -EIO, 2, "parameter_bad_value" },
		{ "info", 302, "", -EIO, 0, "" },
		{ "info", 401, "{\"error\":\"bad_token\",\"error_code\":8}",
		  -EACCES, 8, "bad_token" },
		{ "delete", 403, "{\"error\":\"permission_denied\","
		  "\"error_code\":9}", -EACCES, 9, "permission_denied" },
		{ "torrents$", 400, "{\"error\":\"bad_token\","
		  "\"error_code\":8}", -EACCES, 8, "bad_token" },
		{ "info", 404, "", -ENOENT, 0, "" },
		{ "delete", 404, "{\"error\":\"unknown_method\","
		  "\"error_code\":3}", -EIO, 3, "unknown_method" },
		{ "selectFiles", 400, "{\"error\":\"unknown_ressource\","
		  "\"error_code\":7}", -ENOENT, 7, "unknown_ressource" },
		{ "delete", 418, "{\"error\":\"\\u0007bell\\nline\","
		  "\"error_code\":\"x\"}", -EIO, 0, "?bell?line" },
	};
	struct throttle_stats st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct refusal *r = &cases[i];

		print_message("refusal %zu: %s %d\n", i, r->regex, r->status);
		inject_answer(r->regex, r->status, r->body, NULL);
		memset(&res, 0x55, sizeof(res));
		assert_int_equal(call(r->regex), r->ret);
		assert_int_equal(res.http_status, r->status);
		assert_int_equal(res.error_code, r->error_code);
		assert_string_equal(res.error, r->error);
		assert_true(res.elapsed_s > 0);
		/* Only 5xx count as failures; nothing here pauses. */
		throttle_stats(throttle, &st);
		assert_int_equal(st.consecutive_failures,
				 r->ret == -EIO && r->status >= 500);
		assert_int_equal(throttle_paused(throttle, NULL), 0);
		throttle_ok(throttle);
	}
	assert_int_equal(fake_nr_requests(&fake), i);
}

/* Rate limits, however told, pause the throttle for the Retry-After. */
static void test_rate_limited(void **state)
{
	static const struct refusal cases[] = {
		{ "torrents$", 429, "{\"error\":\"too_many_requests\","
		  "\"error_code\":34}", -EAGAIN, 34, "too_many_requests" },
		{ "addMagnet", 429, "", -EAGAIN, 0, "" },
		{ "info", 503, "{\"error\":\"too_many_requests\","
		  "\"error_code\":34}", -EAGAIN, 34, "too_many_requests" },
		{ "delete", 400, "{\"error\":\"slow_down\",\"error_code\":5}",
		  -EAGAIN, 5, "slow_down" },
		{ "addMagnet", 451, "{\"error\":\"too_many_requests\","
		  "\"error_code\":34}", -EAGAIN, 34, "too_many_requests" },
	};
	struct throttle_stats st;
	double until;
	size_t i, before;
	int cancel = 1;
	char *id = NULL;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct refusal *r = &cases[i];

		print_message("rate limit %zu: %s %d\n", i, r->regex,
			      r->status);
		throttle_free(throttle);
		c.throttle = throttle = fast_throttle();
		inject_answer(r->regex, r->status, r->body, "30");
		assert_int_equal(call(r->regex), r->ret);
		assert_int_equal(res.http_status, r->status);
		assert_int_equal(res.error_code, r->error_code);
		assert_string_equal(res.error, r->error);
		assert_int_equal(throttle_paused(throttle, &until), 1);
		assert_true(until >= clock_wall() + 25);
		throttle_stats(throttle, &st);
		assert_int_equal(st.http_429, 1);
	}

	/* Paused: the next call waits, and can be cancelled unsent. */
	before = fake_nr_requests(&fake);
	assert_int_equal(rd_add_magnet(&c, SHOW_HASH, &cancel, &id, &res),
			 -ECANCELED);
	assert_null(id);
	assert_int_equal(res.http_status, 0);
	assert_int_equal(fake_nr_requests(&fake), before);
}

/* Answers of the wrong shape are -EPROTO, and hand nothing back. */
static void test_malformed(void **state)
{
	static const struct {
		const char *regex;
		const char *body;
	} cases[] = {
		{ "torrents$", "[{\"id\": \"ABC\", \"status\": " },
		{ "torrents$", "" },
		{ "torrents$", "{\"id\": \"ABC\", \"status\": \"queued\"}" },
		{ "torrents$", "[{\"id\": 12, \"status\": \"queued\"}]" },
		{ "torrents$", "[{\"id\": \"A/../B\", \"status\": "
		  "\"queued\"}]" },
		{ "torrents$", "[{\"id\": \"ABC\", \"status\": \"queued\"}, "
		  "3]" },
		{ "torrents$", "[{\"id\": \"ABC\", \"status\": \"queued\", "
		  "\"bytes\": \"12\"}]" },
		{ "torrents$", "[{\"id\": \"ABC\"}]" },
		{ "info", "[]" },
		{ "info", "{\"id\": \"NOSUCHID\", \"status\": \"queued\", "
		  "\"files\": {}}" },
		{ "info", "{\"id\": \"NOSUCHID\", \"status\": \"queued\", "
		  "\"files\": [{\"id\": 1, \"path\": \"/a\", "
		  "\"selected\": 2}]}" },
		{ "info", "{\"id\": \"NOSUCHID\", \"status\": \"queued\", "
		  "\"files\": [{\"id\": -1, \"path\": \"/a\"}]}" },
		{ "info", "{\"id\": \"NOSUCHID\", \"status\": \"queued\", "
		  "\"files\": [{\"id\": 1, \"bytes\": 3}]}" },
		{ "info", "{\"id\": \"OTHERID\", \"status\": \"queued\"}" },
		{ "info", "{\"id\": \"NOSUCHID\", \"status\": \"queued\", "
		  "\"bytes\": -1}" },
		{ "addMagnet", "{\"uri\": \"https://x/torrents/info/X\"}" },
		{ "addMagnet", "{\"id\": \"X Y\"}" },
		{ "addMagnet", "[\"X\"]" },
	};
	struct rd_torrent *list = (void *)1, t = { .id = (void *)1 };
	size_t nr = 42, i;
	long total = 42;
	char *id = (void *)1;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		print_message("malformed %zu: %s\n", i, cases[i].body);
		inject_answer(cases[i].regex, 200, cases[i].body, NULL);
		if (!strcmp(cases[i].regex, "torrents$"))
			assert_int_equal(rd_list(&c, 0, 10, NULL, &list, &nr,
						 &total, &res), -EPROTO);
		else if (!strcmp(cases[i].regex, "info"))
			assert_int_equal(rd_info(&c, "NOSUCHID", NULL, &t,
						 &res), -EPROTO);
		else
			assert_int_equal(rd_add_magnet(&c, SHOW_HASH, NULL,
						       &id, &res), -EPROTO);
		assert_int_equal(res.http_status, 200);
	}
	assert_ptr_equal(list, (void *)1);
	assert_int_equal(nr, 42);
	assert_int_equal(total, 42);
	assert_ptr_equal(t.id, (void *)1);
	assert_ptr_equal(id, (void *)1);

	/* Members the API may leave out or null are no error. */
	inject_answer("info", 200, "{\"id\": \"NOSUCHID\", \"status\": "
		      "\"magnet_conversion\", \"filename\": null, \"files\": "
		      "null, \"added\": \"yesterday\"}", NULL);
	assert_int_equal(rd_info(&c, "NOSUCHID", NULL, &t, &res), 0);
	assert_null(t.filename);
	assert_null(t.hash);
	assert_int_equal(t.nr_files, 0);
	assert_true(t.added_at == 0);
	rd_torrent_release(&t);

	/* A count that is not one is unknown, not an error. */
	inject(json_pack("{s:s, s:i, s:s, s:{s:s}}", "path_regex",
			 "torrents$", "status", 200, "body", "[]", "headers",
			 "X-Total-Count", "many"));
	assert_int_equal(rd_list(&c, 0, 10, NULL, &list, &nr, &total, &res),
			 0);
	assert_int_equal(nr, 0);
	assert_int_equal(total, -1);
}

/* Answers above the caps are refused before they are parsed. */
static void test_huge(void **state)
{
	struct rd_torrent *list, t;
	size_t nr;
	long total;

	(void)state;
	inject(json_pack("{s:s, s:i, s:i}", "path_regex", "info", "status",
			 200, "body_bytes", RD_INFO_MAX_BODY + 1));
	assert_int_equal(rd_info(&c, "NOSUCHID", NULL, &t, &res), -EFBIG);
	inject(json_pack("{s:s, s:i, s:i}", "path_regex", "torrents$",
			 "status", 200, "body_bytes", RD_LIST_MAX_BODY + 1));
	assert_int_equal(rd_list(&c, 0, 10, NULL, &list, &nr, &total, &res),
			 -EFBIG);
}

/* A slow answer runs out of time; a slow enough one does not. */
static void test_slow(void **state)
{
	struct rd_torrent t;
	char *id = id_of(SHOW);

	(void)state;
	c.timeout_ms = 300;
	inject(json_pack("{s:s, s:i, s:i}", "path_regex", "info",
			 "delay_ms", 1500, "status", 200));
	assert_int_equal(rd_info(&c, id, NULL, &t, &res), -ETIMEDOUT);
	assert_int_equal(res.http_status, 0);

	c.timeout_ms = 10000;
	inject(json_pack("{s:s, s:i}", "path_regex", "info", "delay_ms",
			 300));
	assert_int_equal(rd_info(&c, id, NULL, &t, &res), 0);
	assert_true(res.elapsed_s >= 0.25);
	rd_torrent_release(&t);
	free(id);
}

/* A wrong token is refused by the service; a bad one is never sent. */
static void test_bad_token(void **state)
{
	struct rd_torrent *list;
	size_t nr;
	long total;
	json_t *req;

	(void)state;
	c.token = WRONG_TOKEN;
	assert_int_equal(rd_list(&c, 0, 10, NULL, &list, &nr, &total, &res),
			 -EACCES);
	assert_int_equal(res.http_status, 401);
	assert_int_equal(res.error_code, 8);
	req = last_request();
	assert_string_equal(member(req, "auth"), "wrong");
	json_decref(req);
	assert_int_equal(fake_nr_requests(&fake), 1);

	c.token = "";
	assert_int_equal(rd_delete(&c, "ABC", NULL, &res), -EINVAL);
	c.token = NULL;
	assert_int_equal(rd_delete(&c, "ABC", NULL, &res), -EINVAL);
	c.token = TOKEN "\r\nX-Evil: 1";
	assert_int_equal(rd_delete(&c, "ABC", NULL, &res), -EINVAL);
	c.token = TOKEN;
	c.throttle = NULL;
	assert_int_equal(rd_delete(&c, "ABC", NULL, &res), -EINVAL);
	assert_int_equal(fake_nr_requests(&fake), 1);
}

/* Arguments that could reach a URL path or the account badly send nothing. */
static void test_bad_arguments(void **state)
{
	static const char *const bad_ids[] = {
		"", "../torrents", "A/B", "A B", "A%2F", "ABC\n", "ABC?x=1",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		"AAAAA", NULL,
	};
	static const char *const bad_adds[] = {
		"", SHOW_HASH "0", "096c2f01bf895e152702e4aa6237b147344e3fe",
		"g96c2f01bf895e152702e4aa6237b147344e3fed",
		"http://example.com/x.torrent", "magnet:", "magnet:?",
		"urn:btih:" SHOW_HASH, NULL,
	};
	static const int ids[] = { 1, -2 };
	struct rd_torrent *list, t;
	size_t nr, i;
	long total;
	char *id = NULL;

	(void)state;
	for (i = 0; i < sizeof(bad_ids) / sizeof(*bad_ids); i++) {
		assert_int_equal(rd_info(&c, bad_ids[i], NULL, &t, &res),
				 -EINVAL);
		assert_int_equal(rd_delete(&c, bad_ids[i], NULL, &res),
				 -EINVAL);
		assert_int_equal(rd_select_files(&c, bad_ids[i], ids, 1, NULL,
						 &res), -EINVAL);
	}
	for (i = 0; i < sizeof(bad_adds) / sizeof(*bad_adds); i++)
		assert_int_equal(rd_add_magnet(&c, bad_adds[i], NULL, &id,
					       &res), -EINVAL);
	assert_null(id);
	assert_int_equal(rd_select_files(&c, "ABC", ids, 0, NULL, &res),
			 -EINVAL);
	assert_int_equal(rd_select_files(&c, "ABC", ids, 2, NULL, &res),
			 -EINVAL);
	assert_int_equal(rd_select_files(&c, "ABC", NULL, 1, NULL, &res),
			 -EINVAL);
	assert_int_equal(rd_list(&c, 0, 0, NULL, &list, &nr, &total, &res),
			 -EINVAL);
	assert_int_equal(rd_list(&c, 0, RD_LIST_MAX + 1, NULL, &list, &nr,
				 &total, &res), -EINVAL);
	assert_int_equal(rd_list(&c, -1, 10, NULL, &list, &nr, &total, &res),
			 -EINVAL);
	assert_int_equal(res.http_status, 0);
	assert_int_equal(fake_nr_requests(&fake), 0);

	/* The longest id allowed still goes. */
	assert_int_equal(rd_delete(&c, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
				   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL,
				   &res), -ENOENT);
	assert_int_equal(fake_nr_requests(&fake), 1);
}

/*
 * At 600 a minute, requests leave at least 0.1 s apart: six of them take
 * at least 0.5 s on the client's own clock, however loaded the machine
 * (load only stretches the time), and all six reach the fake.
 */
static void test_throttle_spacing(void **state)
{
	struct rd_torrent t;
	json_t *all;
	double start;
	size_t i;
	char *id = id_of(SHOW);

	(void)state;
	throttle_free(throttle);
	assert_int_equal(throttle_new("rd", 600, NULL, NULL, &throttle), 0);
	c.throttle = throttle;
	json_decref(fake_call("POST", "/_reset", NULL));
	start = clock_mono();
	for (i = 0; i < 6; i++) {
		assert_int_equal(rd_info(&c, id, NULL, &t, &res), 0);
		rd_torrent_release(&t);
	}
	assert_true(clock_mono() - start >= 0.5);
	all = requests();
	assert_int_equal(json_array_size(all), 6);
	json_decref(all);
	free(id);
}

/* Answers read without a request, as the fuzz harness feeds them. */
static void test_parse_answers(void **state)
{
	static const char list[] =
		"[{\"id\":\"AB12\",\"filename\":\"x\",\"bytes\":5,"
		"\"status\":\"downloaded\"},"
		"{\"id\":\"CD34\",\"status\":\"dead\"}]";
	static const char info[] =
		"{\"id\":\"AB12\",\"status\":\"downloaded\",\"files\":"
		"[{\"id\":1,\"path\":\"/a.mkv\",\"bytes\":7,"
		"\"selected\":1}]}";
	static const char bad_id[] = "[{\"id\":\"a/b\",\"status\":\"x\"}]";
	struct rd_torrent *t, one;
	size_t nr;

	(void)state;
	assert_int_equal(rd_parse_list(list, strlen(list), &t, &nr), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(t[0].id, "AB12");
	assert_int_equal(t[0].bytes, 5);
	assert_string_equal(t[1].status, "dead");
	assert_null(t[1].filename);
	rd_torrents_free(t, nr);
	assert_int_equal(rd_parse_list("[]", 2, &t, &nr), 0);
	assert_int_equal(nr, 0);
	assert_null(t);

	assert_int_equal(rd_parse_info(info, strlen(info), &one), 0);
	assert_int_equal(one.nr_files, 1);
	assert_string_equal(one.files[0].path, "/a.mkv");
	assert_int_equal(one.files[0].selected, 1);
	rd_torrent_release(&one);

	/* cut, wrong type, a bad id, NUL bytes: refused, nothing set */
	nr = 99;
	assert_int_equal(rd_parse_list(list, 20, &t, &nr), -EPROTO);
	assert_int_equal(rd_parse_list(info, strlen(info), &t, &nr), -EPROTO);
	assert_int_equal(rd_parse_list(bad_id, strlen(bad_id), &t, &nr),
			 -EPROTO);
	assert_int_equal(nr, 99);
	assert_int_equal(rd_parse_info(list, strlen(list), &one), -EPROTO);
	assert_int_equal(rd_parse_info("{\"id\":\0}", 8, &one), -EPROTO);
}

/* Nothing sent, refused or logged shows a token (runs last). */
static void test_token_not_logged(void **state)
{
	struct strbuf ring = STRBUF_INIT;

	(void)state;
	log_ring_dump(&ring);
	assert_non_null(strstr(ring.buf, "rd: "));
	assert_non_null(strstr(ring.buf, "the token was refused"));
	assert_non_null(strstr(ring.buf, "rate limited"));
	assert_null(strstr(ring.buf, TOKEN));
	assert_null(strstr(ring.buf, WRONG_TOKEN));
	assert_null(strstr(ring.buf, "tracker.example"));
	strbuf_release(&ring);
}

#define T(f) cmocka_unit_test_setup_teardown(f, new_client, free_client)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_list_paging),
		T(test_info),
		T(test_repair_cycle),
		T(test_add_magnet_link),
		T(test_refusals),
		T(test_rate_limited),
		T(test_malformed),
		T(test_huge),
		T(test_slow),
		T(test_bad_token),
		T(test_bad_arguments),
		T(test_throttle_spacing),
		T(test_parse_answers),
		T(test_token_not_logged),
	};

	return cmocka_run_group_tests(tests, start_fake, stop_fake);
}
