/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "fake.h"
#include "join.h"

#include "common/http.h"
#include "common/log.h"
#include "common/strbuf.h"

#define SECRET_HEADER "X-Api-Key: hdrS3CRET"
#define SECRET_QUERY "qryS3CRET"

static struct fake fake;
static char url[512];

/* Start the fake server for the whole group. */
static int start_fake(void **state)
{
	(void)state;
	return fake_start("http_fake.py", &fake);
}

static int stop_fake(void **state)
{
	(void)state;
	fake_stop(&fake);
	return 0;
}

/* The fake's URL for path. */
static const char *at(const char *path)
{
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", fake.port, path);
	return url;
}

/* A GET of path with default settings; returns http_perform's result. */
static int get(const char *path, struct http_response *resp)
{
	struct http_request req = { .url = at(path) };

	return http_perform(&req, resp);
}

static void test_ok(void **state)
{
	struct http_response resp;

	(void)state;
	assert_int_equal(get("/ok", &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.body.buf, "{\"ok\": true}");
	assert_int_equal(resp.body.len, 12);
	assert_null(resp.location);
	assert_string_equal(resp.error, "");
	assert_true(resp.retry_after_s == 0);
	assert_true(resp.elapsed_s > 0 && resp.elapsed_s < 2);
	http_response_release(&resp);
}

/* The one header asked for comes back, whatever its case; none: NULL. */
static void test_read_header(void **state)
{
	struct http_request req = {
		.url = at("/retry-after/7"),
		.read_header = "retry-AFTER",
	};
	struct http_response resp;

	(void)state;
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_string_equal(resp.header_value, "7");
	http_response_release(&resp);
	assert_null(resp.header_value);

	req.read_header = "X-Total-Count";
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_null(resp.header_value);
	assert_true(resp.retry_after_s == 7);
	http_response_release(&resp);
}

/* An error status is an answer: the caller decides what it means. */
static void test_error_status(void **state)
{
	struct http_response resp;

	(void)state;
	assert_int_equal(get("/status/404", &resp), 0);
	assert_int_equal(resp.status, 404);
	http_response_release(&resp);
	assert_int_equal(get("/status/500", &resp), 0);
	assert_int_equal(resp.status, 500);
	assert_string_equal(resp.error, "");
	http_response_release(&resp);
}

static void test_retry_after_seconds(void **state)
{
	struct http_response resp;

	(void)state;
	assert_int_equal(get("/retry-after/7", &resp), 0);
	assert_int_equal(resp.status, 429);
	assert_true(resp.retry_after_s == 7);
	http_response_release(&resp);
}

static void test_retry_after_date(void **state)
{
	struct http_response resp;

	(void)state;
	assert_int_equal(get("/retry-after-date", &resp), 0);
	assert_int_equal(resp.status, 429);
	/* Two seconds ahead, to the second. */
	assert_true(resp.retry_after_s >= 0.5 && resp.retry_after_s <= 3.5);
	http_response_release(&resp);
}

/* Both with a Content-Length (refused up front) and without one. */
static void test_body_cap(void **state)
{
	struct http_request req = { .max_body = 1000 };
	struct http_response resp;

	(void)state;
	req.url = at("/big/1000");
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_int_equal(resp.body.len, 1000);
	http_response_release(&resp);

	req.url = at("/big/1001");
	assert_int_equal(http_perform(&req, &resp), -EFBIG);
	assert_int_equal(resp.body.len, 0);
	assert_non_null(strstr(resp.error, "larger than 1000 bytes"));
	http_response_release(&resp);

	req.url = at("/stream/1000");
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_int_equal(resp.body.len, 1000);
	http_response_release(&resp);

	req.url = at("/stream/300000");
	assert_int_equal(http_perform(&req, &resp), -EFBIG);
	assert_int_equal(resp.body.len, 0);
	http_response_release(&resp);
}

static void test_timeout(void **state)
{
	struct http_request req = { .url = at("/slow/3000"),
				    .timeout_ms = 200 };
	struct http_response resp;
	char want[128];

	(void)state;
	assert_int_equal(http_perform(&req, &resp), -ETIMEDOUT);
	assert_true(resp.elapsed_s < 1.5);
	snprintf(want, sizeof(want),
		 "GET http://127.0.0.1:%d/slow/3000: timed out after 200 ms",
		 fake.port);
	assert_string_equal(resp.error, want);
	http_response_release(&resp);
}

static void *cancel_soon(void *arg)
{
	usleep(200 * 1000);
	__atomic_store_n((int *)arg, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* A stopping daemon cancels a request a slow service holds up, and a
 * flag already set stops a request too. */
static void test_cancel(void **state)
{
	int cancel = 0;
	struct http_request req = { .url = at("/slow/3000"),
				    .cancel = &cancel };
	struct http_response resp;
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, cancel_soon, &cancel), 0);
	assert_int_equal(http_perform(&req, &resp), -ECANCELED);
	assert_int_equal(join_within(t, JOIN_S, NULL), 0);
	assert_int_equal(resp.status, 0);
	assert_int_equal(resp.body.len, 0);
	assert_non_null(strstr(resp.error, "cancelled"));
	http_response_release(&resp);
	req.url = at("/ok");
	assert_int_equal(http_perform(&req, &resp), -ECANCELED);
	http_response_release(&resp);
	cancel = 0;
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_int_equal(resp.status, 200);
	http_response_release(&resp);
}

/* A port that was just free, so nothing listens on it. */
static int closed_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static void test_refused(void **state)
{
	struct http_request req = { 0 };
	struct http_response resp;
	char u[128];

	(void)state;
	snprintf(u, sizeof(u), "http://127.0.0.1:%d/ok", closed_port());
	req.url = u;
	assert_int_equal(http_perform(&req, &resp), -ECONNREFUSED);
	assert_int_equal(resp.status, 0);
	assert_non_null(strstr(resp.error, "cannot connect"));
	http_response_release(&resp);
}

/* curl 7.88 takes "NOT HTTP" for HTTP/0.9, which it refuses: -EPROTO. */
static void test_garbage(void **state)
{
	struct http_response resp;

	(void)state;
	assert_int_equal(get("/garbage", &resp), -EPROTO);
	http_response_release(&resp);
}

static void test_closed_without_answer(void **state)
{
	struct http_response resp;

	(void)state;
	assert_int_equal(get("/close", &resp), -ECONNRESET);
	http_response_release(&resp);
}

static void test_bad_url(void **state)
{
	struct http_request req = { .url = "ftp://127.0.0.1/x" };
	struct http_response resp;

	(void)state;
	assert_int_equal(http_perform(&req, &resp), -EINVAL);
	http_response_release(&resp);
	req.url = "magnet:?xt=urn:btih:abc";
	assert_int_equal(http_perform(&req, &resp), -EINVAL);
	http_response_release(&resp);
}

static void test_redirect_followed(void **state)
{
	struct http_request req = { .url = at("/redirect-http"),
				    .follow_redirects = 1 };
	struct http_response resp;

	(void)state;
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.body.buf, "{\"ok\": true}");
	assert_null(resp.location);
	http_response_release(&resp);
}

static void test_redirect_not_asked(void **state)
{
	struct http_response resp;

	(void)state;
	assert_int_equal(get("/redirect-http", &resp), 0);
	assert_int_equal(resp.status, 302);
	assert_string_equal(resp.location, "/ok");
	http_response_release(&resp);
}

static void test_redirect_magnet(void **state)
{
	struct http_request req = { .url = at("/redirect-magnet"),
				    .follow_redirects = 1 };
	struct http_response resp;

	(void)state;
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_int_equal(resp.status, 302);
	assert_string_equal(resp.location, "magnet:?xt=urn:btih:abc");
	http_response_release(&resp);
}

static void test_redirect_loop(void **state)
{
	struct http_request req = { .url = at("/redirect-loop"),
				    .follow_redirects = 1 };
	struct http_response resp;

	(void)state;
	assert_int_equal(http_perform(&req, &resp), -ELOOP);
	assert_int_equal(resp.status, 302);
	assert_null(resp.location);
	http_response_release(&resp);
}

/* A JSON body (http_json_body()) goes with its type; none for NULL. */
static void test_post_echo(void **state)
{
	const char *headers[] = { "X-Test: one", "X-Other: two", NULL };
	struct http_request req = {
		.method = "POST",
		.url = at("/echo?a=b"),
		.headers = headers,
	};
	struct http_response resp;

	(void)state;
	http_json_body(&req, "{\"guid\":\"g\"}");
	assert_int_equal(req.body_len, 12);
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(resp.body.buf, "\"method\": \"POST\""));
	assert_non_null(strstr(resp.body.buf, "\"X-Test\": \"one\""));
	assert_non_null(strstr(resp.body.buf, "\"X-Other\": \"two\""));
	assert_non_null(strstr(resp.body.buf,
			       "\"Content-Type\": \"application/json\""));
	assert_non_null(strstr(resp.body.buf,
			       "\"User-Agent\": \"mediamon/0.1.0\""));
	assert_non_null(strstr(resp.body.buf,
			       "\"body\": \"{\\\"guid\\\":\\\"g\\\"}\""));
	assert_non_null(strstr(resp.body.buf, "\"a\": [\"b\"]"));
	http_response_release(&resp);
	http_json_body(&req, NULL);
	assert_null(req.body);
	assert_int_equal(req.body_len, 0);
	assert_null(req.content_type);
}

/* The body and Content-Type /echo saw, out of its JSON answer. */
static void echoed(const struct http_response *resp, const char **type,
		   const char **body, json_t **root)
{
	*root = json_loads(resp->body.buf, 0, NULL);
	assert_non_null(*root);
	*type = json_string_value(json_object_get(json_object_get(*root,
		"headers"), "Content-Type"));
	*body = json_string_value(json_object_get(*root, "body"));
	assert_non_null(*body);
}

/* A form of parts goes as multipart/form-data, written by libcurl with
 * its boundary: a file with its name and type, the plain fields. */
static void test_post_form(void **state)
{
	static const char torrent[] = "d4:infod4:name1:Aee";
	const struct http_part parts[] = {
		{ "torrents", torrent, sizeof(torrent) - 1, "release.torrent",
		  "application/x-bittorrent" },
		{ "category", "Manga", 5, NULL, NULL },
	};
	struct http_request req = {
		.method = "POST", .url = at("/echo"),
		.parts = parts, .nr_parts = 2,
	};
	struct http_response resp;
	const char *type, *body;
	json_t *root;

	(void)state;
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_int_equal(resp.status, 200);
	echoed(&resp, &type, &body, &root);
	assert_non_null(type);
	assert_true(!strncmp(type, "multipart/form-data; boundary=", 30));
	assert_non_null(strstr(body, "Content-Disposition: form-data;"
			       " name=\"torrents\";"
			       " filename=\"release.torrent\"\r\n"
			       "Content-Type: application/x-bittorrent\r\n"
			       "\r\nd4:infod4:name1:Aee\r\n"));
	assert_non_null(strstr(body, "Content-Disposition: form-data;"
			       " name=\"category\"\r\n\r\nManga\r\n"));
	assert_non_null(strstr(body, type + 30));
	json_decref(root);
	http_response_release(&resp);
}

/* A 303 after a form goes on as a GET, without the form. */
static void test_redirect_303_form(void **state)
{
	const struct http_part part = { "category", "Manga", 5, NULL, NULL };
	struct http_request req = {
		.method = "POST",
		.url = at("/redirect?to=/echo&status=303"),
		.parts = &part, .nr_parts = 1, .follow_redirects = 1,
	};
	struct http_response resp;
	const char *type, *body;
	json_t *root;

	(void)state;
	assert_int_equal(http_perform(&req, &resp), 0);
	echoed(&resp, &type, &body, &root);
	assert_non_null(strstr(resp.body.buf, "\"method\": \"GET\""));
	assert_string_equal(body, "");
	assert_null(type);
	json_decref(root);
	http_response_release(&resp);
}

static void test_delete(void **state)
{
	struct http_request req = { .method = "DELETE", .url = at("/echo") };
	struct http_response resp;

	(void)state;
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_non_null(strstr(resp.body.buf, "\"method\": \"DELETE\""));
	http_response_release(&resp);
}

/* A 303 after a POST goes on as a GET, without the body. */
static void test_redirect_303(void **state)
{
	struct http_request req = {
		.method = "POST",
		.url = at("/redirect?to=/echo&status=303"),
		.body = "x=1",
		.body_len = 3,
		.follow_redirects = 1,
	};
	struct http_response resp;

	(void)state;
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_non_null(strstr(resp.body.buf, "\"method\": \"GET\""));
	assert_non_null(strstr(resp.body.buf, "\"body\": \"\""));
	http_response_release(&resp);
}

/* Secrets in headers follow a redirect on the same origin only. */
static void test_redirect_keeps_secrets_home(void **state)
{
	const char *headers[] = { SECRET_HEADER, NULL };
	struct http_request req = { .headers = headers,
				    .follow_redirects = 1 };
	struct http_response resp;
	char u[256];

	(void)state;
	req.url = at("/redirect?to=/echo");
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_non_null(strstr(resp.body.buf, "hdrS3CRET"));
	http_response_release(&resp);

	snprintf(u, sizeof(u), "/redirect?to=http://localhost:%d/echo",
		 fake.port);
	req.url = at(u);
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_null(strstr(resp.body.buf, "hdrS3CRET"));
	assert_non_null(strstr(resp.body.buf, "\"Host\": \"localhost:"));
	http_response_release(&resp);
}

/* Neither the error text nor the log may show a header or the query. */
static void test_secrets_hidden(void **state)
{
	const char *headers[] = { SECRET_HEADER, NULL };
	struct http_request req = { .headers = headers, .timeout_ms = 200 };
	struct http_response resp;
	struct strbuf ring = STRBUF_INIT;
	char u[256];

	(void)state;
	req.url = at("/slow/3000?apikey=" SECRET_QUERY "#frag");
	assert_int_equal(http_perform(&req, &resp), -ETIMEDOUT);
	assert_non_null(strstr(resp.error, "/slow/3000"));
	assert_null(strstr(resp.error, SECRET_QUERY));
	assert_null(strstr(resp.error, "hdrS3CRET"));
	http_response_release(&resp);

	snprintf(u, sizeof(u), "http://user:pw%s@127.0.0.1:%d/x?k=%s",
		 SECRET_QUERY, closed_port(), SECRET_QUERY);
	req.url = u;
	assert_int_equal(http_perform(&req, &resp), -ECONNREFUSED);
	assert_null(strstr(resp.error, SECRET_QUERY));
	http_response_release(&resp);

	req.url = at("/ok?apikey=" SECRET_QUERY);
	assert_int_equal(http_perform(&req, &resp), 0);
	http_response_release(&resp);

	log_ring_dump(&ring);
	assert_non_null(strstr(ring.buf, "/slow/3000"));
	assert_non_null(strstr(ring.buf, "/ok: 200"));
	assert_null(strstr(ring.buf, SECRET_QUERY));
	assert_null(strstr(ring.buf, "hdrS3CRET"));
	strbuf_release(&ring);
}

/* A webhook's token is its path: with secret_path only the origin shows,
 * in the error text and in the debug line of a request that worked. */
static void test_secret_path(void **state)
{
	struct http_request req = { .method = "POST", .secret_path = 1 };
	struct http_response resp;
	struct strbuf ring = STRBUF_INIT;
	enum log_level level = log_get_level();
	char u[128];

	(void)state;
	snprintf(u, sizeof(u), "http://127.0.0.1:%d/hook/PATHS3CRET",
		 closed_port());
	req.url = u;
	assert_int_equal(http_perform(&req, &resp), -ECONNREFUSED);
	assert_non_null(strstr(resp.error, "POST http://127.0.0.1:"));
	assert_null(strstr(resp.error, "PATHS3CRET"));
	assert_null(strstr(resp.error, "/hook"));
	http_response_release(&resp);

	log_set_level(LOG_DEBUG);
	req.url = at("/hook/PATHS3CRET");
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_int_equal(resp.status, 404);
	http_response_release(&resp);
	log_set_level(level);

	log_ring_dump(&ring);
	assert_null(strstr(ring.buf, "PATHS3CRET"));
	strbuf_release(&ring);
}

/*
 * Set-Cookie pairs come back without their attributes, joined for a
 * Cookie header; those of a redirect followed are not the answer's.
 */
static void test_cookies(void **state)
{
	struct http_request req = { .follow_redirects = 1 };
	struct http_response resp;
	struct strbuf ring = STRBUF_INIT;

	(void)state;
	req.url = at("/set-cookie?c=SID%3Dck1S3CRET%3B%20HttpOnly%3B%20path%3D/"
		     "&c=lang%3Dfr&c=broken");
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_string_equal(resp.cookies, "SID=ck1S3CRET; lang=fr");
	http_response_release(&resp);
	assert_null(resp.cookies);

	assert_int_equal(get("/ok", &resp), 0);
	assert_null(resp.cookies);
	http_response_release(&resp);

	req.url = at("/redirect?to=/ok");
	assert_int_equal(http_perform(&req, &resp), 0);
	assert_int_equal(resp.status, 200);
	assert_null(resp.cookies);
	http_response_release(&resp);

	log_ring_dump(&ring);
	assert_null(strstr(ring.buf, "ck1S3CRET"));
	strbuf_release(&ring);
}

static void check_escape(const char *in, int plus, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	http_escape(in, plus, &sb);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void test_escape(void **state)
{
	(void)state;
	check_escape("one piece", 1, "one+piece");
	check_escape("one piece", 0, "one%20piece");
	check_escape("Dr. Stone-2_~", 0, "Dr.%20Stone-2_~");
	check_escape("Pokémon", 1, "Pok%C3%A9mon");
	check_escape("&=?/#+%", 1, "%26%3D%3F%2F%23%2B%25");
	check_escape("", 0, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_error_status),
		cmocka_unit_test(test_read_header),
		cmocka_unit_test(test_retry_after_seconds),
		cmocka_unit_test(test_retry_after_date),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_closed_without_answer),
		cmocka_unit_test(test_bad_url),
		cmocka_unit_test(test_redirect_followed),
		cmocka_unit_test(test_redirect_not_asked),
		cmocka_unit_test(test_redirect_magnet),
		cmocka_unit_test(test_redirect_loop),
		cmocka_unit_test(test_post_echo),
		cmocka_unit_test(test_post_form),
		cmocka_unit_test(test_redirect_303_form),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_redirect_303),
		cmocka_unit_test(test_redirect_keeps_secrets_home),
		cmocka_unit_test(test_secrets_hidden),
		cmocka_unit_test(test_secret_path),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, start_fake, stop_fake);
}
