/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Redaction (common/redact.h): a URL's credentials by their shape, and
 * learned secrets and URLs inside any text (an error that echoes a
 * request, a guid that is a proxy link), in the log too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/redact.h"
#include "common/strbuf.h"

static void check_url(const char *in, int masked, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(redact_url(in, "XX", &sb), masked);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

/* What --check-config shows of a URL: no user, password or key. */
static void test_url(void **state)
{
	(void)state;
	check_url("http://h:9696/api", 0, "http://h:9696/api");
	check_url("http://admin:pw@h:8080/", 1, "http://XX@h:8080/");
	check_url("https://tok@h", 1, "https://XX@h");
	check_url("http://a@b:c@h/p@q?x=@#@", 1, "http://XX@h/p@q?x=@#@");
	check_url("http://h/?apikey=K&q=one&API_KEY=K2#token=f", 1,
		  "http://h/?apikey=XX&q=one&API_KEY=XX#token=f");
	check_url("http://h/x?passkey=1&token&password=p&secret=",
		  1, "http://h/x?passkey=XX&token&password=XX&secret=XX");
	check_url("http://h/x#?apikey=K", 0, "http://h/x#?apikey=K");
	check_url("http://h/x?keys=1&tokens=2", 0,
		  "http://h/x?keys=1&tokens=2");
	check_url("magnet:?xt=urn:btih:A&apikey=K&as=http://u@h/f", 1,
		  "magnet:?xt=urn:btih:A&apikey=XX&as=http://u@h/f");
	check_url("", 0, "");
}

static void check(const char *in, int masked, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(redact(in, "XX", &sb), masked);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

/* Text: URLs and requests among words, learned secrets anywhere. */
static void test_text(void **state)
{
	(void)state;
	check("no secret here", 0, "no secret here");
	check("", 0, "");
	check("GET http://u:p@h/a?apikey=K&x=1 failed: 404", 1,
	      "GET http://XX@h/a?apikey=XX&x=1 failed: 404");
	check("Invalid request /api/v1/search?query=x&apikey=K (see log)", 1,
	      "Invalid request /api/v1/search?query=x&apikey=XX (see log)");
	check("<error description=\"http://h/1?token=T\" />", 1,
	      "<error description=\"http://h/1?token=XX\" />");
	assert_int_equal(redact_learn("S3cretKEY-42"), 0);
	assert_int_equal(redact_learn("S3cretKEY-42"), 0);
	assert_int_equal(redact_learn("ab"), 0);
	assert_int_equal(redact_learn(NULL), 0);
	check("(X-Api-Key: S3cretKEY-42) and S3cretKEY-42S3cretKEY-42", 1,
	      "(X-Api-Key: XX) and XXXX");
	check("ab abc", 0, "ab abc");
	check("https://h/dl/S3cretKEY-42/x.torrent", 1,
	      "https://h/dl/XX/x.torrent");
	/* the longer of two secrets that start at one place */
	assert_int_equal(redact_learn("S3cretKEY-42-longer"), 0);
	check("k=S3cretKEY-42-longer.", 1, "k=XX.");
}

/* A configured URL's password and secret parameters, learned: masked
 * where an answer echoes them alone. */
static void test_learn_url(void **state)
{
	(void)state;
	assert_int_equal(redact_learn_url(NULL), 0);
	assert_int_equal(redact_learn_url("http://h/x?q=plain-one"), 0);
	assert_int_equal(redact_learn_url("http://user:UrlPass-1@h:80/p@q"
					  "?q=1&ApiKey=UrlKey-22&token=ab#x"),
			 0);
	assert_int_equal(redact_learn_url("https://justuser@h/"), 0);
	check("UrlPass-1 UrlKey-22 ab plain-one user justuser", 1,
	      "XX XX ab plain-one user justuser");
}

/* The log and its ring show no learned secret, even one cut in two at
 * the end of a long line. */
static void test_log(void **state)
{
	struct strbuf ring = STRBUF_INIT;
	char pad[1100];

	(void)state;
	log_set_stderr(0);
	assert_int_equal(redact_learn("L0gSecret-99"), 0);
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	log_warn("refused L0gSecret-99 at http://h/?passkey=P");
	log_warn("%.*s L0gSecret-99", 990, pad);
	log_ring_dump(&ring);
	assert_null(strstr(ring.buf, "L0gSecret-99"));
	assert_null(strstr(ring.buf, "L0gSec"));
	assert_null(strstr(ring.buf, "passkey=P"));
	assert_non_null(strstr(ring.buf, "refused REDACTED at "
			       "http://h/?passkey=REDACTED"));
	strbuf_release(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_learn_url),
		cmocka_unit_test(test_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
