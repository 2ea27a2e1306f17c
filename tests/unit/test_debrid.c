/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The debrid interface's own parts (debrid.h): the service chosen, magnet
 * links and their hashes, paging over a whole list, and the clients'
 * refusal of bad input before any request.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/config.h"
#include "common/throttle.h"
#include "indexer/realdebrid/debrid.h"
#include "indexer/realdebrid/rd_client.h"

#define HASH "096c2f01bf895e152702e4aa6237b147344e3fed"

static void test_service_chosen(void **state)
{
	struct config cfg;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_ptr_equal(debrid_configured(&cfg), &debrid_realdebrid);
	assert_null(debrid_key(&cfg));
	cfg.ad_api_key = "adKEY";
	cfg.ad_url = "http://ad.example/v4";
	cfg.rd_url = "http://rd.example";
	assert_ptr_equal(debrid_configured(&cfg), &debrid_alldebrid);
	assert_string_equal(debrid_key(&cfg), "adKEY");
	assert_string_equal(debrid_url(&cfg), "http://ad.example/v4");
	cfg.ad_api_key = NULL;
	cfg.pm_api_key = "pmKEY";
	assert_ptr_equal(debrid_configured(&cfg), &debrid_premiumize);
	assert_null(debrid_url(&cfg));
	assert_string_equal(debrid_configured(&cfg)->name, "premiumize");
	/* Real-Debrid and AllDebrid download every file but Real-Debrid's */
	assert_non_null(debrid_realdebrid.select_files);
	assert_null(debrid_alldebrid.select_files);
	assert_null(debrid_premiumize.select_files);
}

static void test_magnet_hash(void **state)
{
	static const struct {
		const char *magnet, *hash;
	} cases[] = {
		{ "magnet:?xt=urn:btih:" HASH, HASH },
		{ "magnet:?xt=urn:btih:" HASH "&dn=Show", HASH },
		{ "magnet:?dn=Show&xt=urn:btih:" HASH, HASH },
		{ "magnet:?xt=urn:btih:" HASH "0", NULL },
		{ "magnet:?xt=urn:btih:0123", NULL },
		{ "magnet:?xt=urn:btih:zz6c2f01bf895e152702"
		  "e4aa6237b147344e3fed", NULL },
		{ "https://example.com/x.torrent", NULL },
		{ NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *hash = (char *)"unset";

		assert_int_equal(debrid_magnet_hash(cases[i].magnet, &hash),
				 0);
		if (cases[i].hash)
			assert_string_equal(hash, cases[i].hash);
		else
			assert_null(hash);
		free(hash);
	}
}

static void test_magnet_of(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(debrid_magnet_of(HASH, &out), 0);
	assert_string_equal(out, "magnet:?xt=urn:btih:" HASH);
	free(out);
	assert_int_equal(debrid_magnet_of("magnet:?xt=urn:btih:" HASH
					  "&tr=x", &out), 0);
	assert_string_equal(out, "magnet:?xt=urn:btih:" HASH "&tr=x");
	free(out);
	assert_int_equal(debrid_magnet_of("0123", &out), -EINVAL);
	assert_int_equal(debrid_magnet_of("http://x/y", &out), -EINVAL);
	assert_int_equal(debrid_magnet_of("magnet:?xt=a\r\nX: y", &out),
			 -EINVAL);
	assert_int_equal(debrid_magnet_of(NULL, &out), -EINVAL);
}

static void test_page(void **state)
{
	struct rd_torrent *all = calloc(5, sizeof(*all)), *out;
	size_t nr;

	(void)state;
	assert_non_null(all);
	for (int i = 0; i < 5; i++)
		assert_int_not_equal(asprintf(&all[i].id, "%d", i), -1);
	assert_int_equal(debrid_page(all, 5, 2, 2, &out, &nr), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(out[0].id, "2");
	assert_string_equal(out[1].id, "3");
	assert_null(all[2].id);		/* moved out */
	rd_torrents_free(out, nr);
	assert_int_equal(debrid_page(all, 5, 4, 2, &out, &nr), 0);
	assert_int_equal(nr, 1);
	assert_string_equal(out[0].id, "4");
	rd_torrents_free(out, nr);
	/* past the end: nothing, as Real-Debrid's 204 */
	assert_int_equal(debrid_page(all, 5, 5, 2, &out, &nr), 0);
	assert_int_equal(nr, 0);
	assert_null(out);
	rd_torrents_free(all, 5);
}

/* Bad input is refused before any request: the url leads nowhere. */
static void test_bad_input_sends_nothing(void **state)
{
	const struct debrid_ops *ops[] = { &debrid_alldebrid,
					   &debrid_premiumize };
	struct rd_client c = { .url = "http://127.0.0.1:1", .token = "KEY" };
	struct rd_torrent *list, t;
	struct rd_result res;
	size_t nr;
	long total;
	char *id;

	(void)state;
	assert_int_equal(throttle_new("debrid", 60000, NULL, NULL,
				      &c.throttle), 0);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(ops[i]->list(&c, -1, 10, NULL, &list, &nr,
					      &total, &res), -EINVAL);
		assert_int_equal(ops[i]->list(&c, 0, RD_LIST_MAX + 1, NULL,
					      &list, &nr, &total, &res),
				 -EINVAL);
		assert_int_equal(ops[i]->info(&c, "../x", NULL, &t, &res),
				 -EINVAL);
		assert_int_equal(ops[i]->del(&c, "a b", NULL, &res), -EINVAL);
		assert_int_equal(ops[i]->add_magnet(&c, "12", NULL, &id,
						    &res), -EINVAL);
	}
	c.token = "KEY\r\nX-Injected: 1";
	assert_int_equal(debrid_alldebrid.del(&c, "12", NULL, &res),
			 -EINVAL);
	assert_int_equal(debrid_premiumize.del(&c, "12", NULL, &res),
			 -EINVAL);
	c.token = "";
	assert_int_equal(debrid_alldebrid.del(&c, "12", NULL, &res),
			 -EINVAL);
	throttle_free(c.throttle);
}

/* The ids of every service (Premiumize's hold '-' and '_') pass, and
 * so does nothing that would leave its URL path segment. */
static void test_ids(void **state)
{
	char longest[RD_ID_MAX + 2];

	(void)state;
	assert_true(rd_valid_id("ABCDEF123"));
	assert_true(rd_valid_id("pm-Ab_3x"));
	assert_false(rd_valid_id(NULL));
	assert_false(rd_valid_id(""));
	assert_false(rd_valid_id("a/b"));
	assert_false(rd_valid_id("a?b"));
	assert_false(rd_valid_id("a b"));
	assert_false(rd_valid_id(".."));
	memset(longest, 'a', sizeof(longest) - 1);
	longest[RD_ID_MAX] = '\0';
	assert_true(rd_valid_id(longest));
	longest[RD_ID_MAX] = 'a';
	longest[RD_ID_MAX + 1] = '\0';
	assert_false(rd_valid_id(longest));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_chosen),
		cmocka_unit_test(test_magnet_hash),
		cmocka_unit_test(test_magnet_of),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_bad_input_sends_nothing),
		cmocka_unit_test(test_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
