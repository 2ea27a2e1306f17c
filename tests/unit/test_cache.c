/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The search cache on a real store: keys, the time to live, replacement,
 * pruning and its size, and that entries outlive the connection.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cache.h"
#include "common/db.h"
#include "testdb.h"
#include "indexer/store/schema.h"

static void expect_key(const char *query, const char *want)
{
	struct strbuf key = STRBUF_INIT;

	cache_key(query, &key);
	assert_string_equal(key.buf, want);
	strbuf_release(&key);
}

static void test_keys(void **state)
{
	(void)state;
	expect_key("One Piece", "one piece");
	expect_key("  One \t PIECE\n", "one piece");
	expect_key("", "");
	expect_key("   ", "");
	expect_key("L'Attaque des Titans", "l'attaque des titans");
	expect_key("Étoile ÉTÉ", "Étoile ÉtÉ");
}

static void test_hit_within_ttl_only(void **state)
{
	struct testdb *e = *state;
	struct strbuf v = STRBUF_INIT;
	double at = 0;

	assert_int_equal(cache_get(e->db, "prowlarr", "one piece", 3600,
				   1000, &v, &at), -ENOENT);
	assert_int_equal(cache_put(e->db, "prowlarr", "one piece", 1000,
				   "[1]", 3), 0);
	assert_int_equal(cache_get(e->db, "prowlarr", "one piece", 3600,
				   4599, &v, &at), 0);
	assert_string_equal(v.buf, "[1]");
	assert_true(at == 1000);
	/* Exactly one TTL later the entry is stale. */
	assert_int_equal(cache_get(e->db, "prowlarr", "one piece", 3600,
				   4600, &v, NULL), -ENOENT);
	/* The source is part of the key. */
	assert_int_equal(cache_get(e->db, "nautiljon", "one piece", 3600,
				   1001, &v, NULL), -ENOENT);
	strbuf_release(&v);
}

static void test_replace_prune_size(void **state)
{
	struct testdb *e = *state;
	struct strbuf v = STRBUF_INIT;
	int64_t n = -1, bytes = -1;

	assert_int_equal(cache_size(e->db, 60, 210, &n, &bytes), 0);
	assert_int_equal(n, 0);
	assert_int_equal(bytes, 0);
	assert_int_equal(cache_put(e->db, "prowlarr", "a", 100, "old", 3), 0);
	assert_int_equal(cache_put(e->db, "prowlarr", "a", 200, "new!", 4), 0);
	assert_int_equal(cache_put(e->db, "nautiljon", "b", 150, "x", 1), 0);
	assert_int_equal(cache_size(e->db, 1e9, 210, &n, &bytes), 0);
	assert_int_equal(n, 2);
	assert_int_equal(bytes, 8 + 1 + 4 + 9 + 1 + 1);
	/* Only live entries count: at 210, one stored at 150 is 60 s old. */
	assert_int_equal(cache_size(e->db, 60, 210, &n, &bytes), 0);
	assert_int_equal(n, 1);
	assert_int_equal(bytes, 8 + 1 + 4);
	assert_int_equal(cache_get(e->db, "prowlarr", "a", 60, 210, &v, NULL),
			 0);
	assert_string_equal(v.buf, "new!");
	assert_int_equal(cache_prune(e->db, 60, 230), 0);
	assert_int_equal(cache_size(e->db, 1e9, 230, &n, &bytes), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cache_get(e->db, "nautiljon", "b", 1e9, 230, &v,
				   NULL), -ENOENT);
	strbuf_release(&v);
}

static void test_survives_reopen(void **state)
{
	struct testdb *e = *state;
	struct strbuf v = STRBUF_INIT;
	static const char value[] = "{\"vf\": 12, \"status\": \"Terminé\"}";

	assert_int_equal(cache_put(e->db, "nautiljon", "berserk", 500, value,
				   strlen(value)), 0);
	db_close(e->db);
	assert_int_equal(db_open(e->path, 1, &e->db), 0);
	assert_int_equal(cache_get(e->db, "nautiljon", "berserk", 60, 510,
				   &v, NULL), 0);
	assert_string_equal(v.buf, value);
	/* A read-only connection reads, and reports a failed write. */
	assert_true(cache_put(e->db, "nautiljon", "x", 1, "y", 1) < 0);
	strbuf_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test_setup_teardown(test_hit_within_ttl_only,
						testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_replace_prune_size,
						testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_survives_reopen,
						testdb_setup, testdb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
