/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The skeletons the recipes of ARCHITECTURE.md start from
 * (docs/skeletons/), built here so that they cannot drift from the
 * interfaces they use: the download client against the fake SABnzbd,
 * the manga source against the fake AniList, each with its bad cases.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake.h"

#include "../../docs/skeletons/client_sketch.c"
#include "../../docs/skeletons/sketch.c"

#include "common/throttle.h"

#define SAB_KEY "sabKEY0123456789abcdef0123456789"	/* the fake's */
/* What the fake AniList serves: SERIES.json of anilist_fake.py. */
#define SERIES "{\"Saga\": {\"id\": 4242, \"volumes\": 9, \"status\":" \
	" \"FINISHED\"}, \"Running\": {\"id\": 77, \"volumes\": null," \
	" \"status\": \"RELEASING\"}}"

static struct fake sab, al;
static char sab_url[64], al_url[64];
static char dir[] = "/tmp/test_skeletons.XXXXXX", series[64];
static struct throttle *t;
static struct strbuf err = STRBUF_INIT;

static int start_fakes(void **state)
{
	FILE *f;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(series, sizeof(series), "%s/series.json", dir);
	f = fopen(series, "w");
	if (!f || fputs(SERIES, f) < 0 || fclose(f) ||
	    fake_start("sabnzbd_fake.py", &sab) ||
	    fake_start_with("anilist_fake.py", series, &al) ||
	    throttle_new("sketch", 60000, NULL, NULL, &t)) {
		unlink(series);
		rmdir(dir);
		return -1;
	}
	snprintf(sab_url, sizeof(sab_url), "http://127.0.0.1:%d/", sab.port);
	snprintf(al_url, sizeof(al_url), "http://127.0.0.1:%d/", al.port);
	return 0;
}

static int stop_fakes(void **state)
{
	(void)state;
	throttle_free(t);
	fake_stop(&al);
	fake_stop(&sab);
	unlink(series);
	rmdir(dir);
	strbuf_release(&err);
	return 0;
}

/* send of link with the key key (NULL: none) to the url: its return,
 * the id into id. */
static int send_link(const char *url, const char *key, const char *link,
		     char *id)
{
	struct download_client c = { .url = url, .api_key = key,
				     .timeout_ms = 10000 };
	struct download_release r = { .title = "Saga T09" };
	struct client_payload p = { .kind = CLIENT_URL, .text = link };
	int cancel = 0;

	strbuf_reset(&err);
	*id = '\0';
	return client_sketch.send(&c, &r, &p, &cancel, id, &err);
}

static void test_client_sends_and_says_its_version(void **state)
{
	struct download_client c = { .url = sab_url, .api_key = SAB_KEY };
	struct strbuf out = STRBUF_INIT;
	char id[DOWNLOAD_ID_MAX];
	json_t *add;

	(void)state;
	assert_int_equal(client_sketch.ready(&c, &err), 0);
	assert_int_equal(client_sketch.version(&c, &out, &err), 0);
	assert_string_equal(out.buf, "4.5.1");
	assert_int_equal(send_link(sab_url, SAB_KEY, "http://x/saga.nzb",
				   id), 0);
	assert_memory_equal(id, "SABnzbd_nzo_", 12);
	add = fake_entry(&sab, "/_adds", -1);
	assert_string_equal(json_string_value(json_object_get(add, "name")),
			    "http://x/saga.nzb");
	assert_string_equal(json_string_value(json_object_get(add,
							      "nzbname")),
			    "Saga T09");
	assert_false(fake_logged(SAB_KEY));
	json_decref(add);
	strbuf_release(&out);
}

static void test_client_refusals(void **state)
{
	struct download_client c = { .url = sab_url };
	char id[DOWNLOAD_ID_MAX];
	long adds = fake_count(&sab, "/_adds");

	(void)state;
	assert_int_equal(client_sketch.ready(&c, &err), -EINVAL);
	assert_int_equal(send_link(sab_url, "wrong", "http://x/a.nzb", id),
			 -EACCES);
	assert_int_equal(send_link(sab_url, SAB_KEY, "ftp://x/a.nzb", id),
			 -EPROTO);
	assert_string_equal(err.buf, "sketch: the link was refused");
	assert_string_equal(id, "");
	assert_int_equal(send_link("http://127.0.0.1:1", SAB_KEY,
				   "http://x/b.nzb", id), -ECONNREFUSED);
	assert_int_equal(fake_count(&sab, "/_adds"), adds);
}

static void test_source_asks_a_record(void **state)
{
	struct remote_source src = { .url = al_url, .throttle = t };
	struct sketch_info info, back;
	json_t *req;
	char *dump;

	(void)state;
	assert_int_equal(sketch_record(&src, 4242, NULL, &info), 0);
	assert_true(info.id == 4242);
	assert_int_equal(info.count, 9);
	assert_string_equal(info.status, "FINISHED");
	req = fake_last_request(&al);
	assert_true(json_integer_value(json_object_get(json_object_get(
		json_object_get(req, "body"), "variables"), "id")) == 4242);
	json_decref(req);
	/* kept in the cache as its form, and read back */
	dump = remote_info_dump(&sketch_info_form, &info);
	assert_non_null(dump);
	assert_int_equal(remote_info_load(&sketch_info_form, dump,
					  strlen(dump), &back), 0);
	assert_int_equal(back.count, 9);
	free(dump);
	/* a record running has no count yet */
	assert_int_equal(sketch_record(&src, 77, NULL, &info), 0);
	assert_int_equal(info.count, 0);
	assert_string_equal(info.status, "RELEASING");
}

static void test_source_bad_answers(void **state)
{
	struct remote_source src = { .url = al_url, .throttle = t };
	struct remote_source none = { .url = "http://127.0.0.1:1",
				      .throttle = t };
	struct sketch_info info;

	(void)state;
	assert_int_equal(sketch_record(&src, 5, NULL, &info), -ENOENT);
	assert_int_equal(sketch_record(&none, 4242, NULL, &info),
			 -ECONNREFUSED);
	assert_int_equal(sketch_parse("{}", 2, &info), -EPROTO);
	assert_int_equal(sketch_parse("<html>", 6, &info), -EPROTO);
#define NO_STATUS "{\"data\": {\"Media\": {\"id\": 1, \"volumes\": 2}}}"
	assert_int_equal(sketch_parse(NO_STATUS, strlen(NO_STATUS), &info),
			 -EPROTO);
#define NEGATIVE "{\"data\": {\"Media\": {\"id\": 1, \"volumes\": -2," \
	" \"status\": \"FINISHED\"}}}"
	assert_int_equal(sketch_parse(NEGATIVE, strlen(NEGATIVE), &info),
			 -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_sends_and_says_its_version),
		cmocka_unit_test(test_client_refusals),
		cmocka_unit_test(test_source_asks_a_record),
		cmocka_unit_test(test_source_bad_answers),
	};

	return cmocka_run_group_tests(tests, start_fakes, stop_fakes);
}
