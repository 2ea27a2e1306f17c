/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Hash tables of the caller's entries: found by hash and key, many under
 * one hash told apart by their keys, growth that keeps every entry,
 * removal from the middle of a chain, room made at once, a table that
 * cannot have the room it asks for going on as it was, a walk meeting
 * each entry once while it removes some, and release handing each entry
 * back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/hmap.h"

struct item {
	int key;
	struct hmap_entry ent;
};

/* The item with key under hash, or NULL. */
static struct item *find(const struct hmap *m, uint64_t hash, int key)
{
	struct hmap_entry *e;

	for (e = hmap_get(m, hash); e; e = hmap_get_next(e)) {
		struct item *it = hmap_entry_of(e, struct item, ent);

		if (it->key == key)
			return it;
	}
	return NULL;
}

static void test_add_find_remove(void **state)
{
	struct hmap m = HMAP_INIT;
	struct item v[5000];

	(void)state;
	assert_null(hmap_get(&m, 1));
	for (int i = 0; i < 5000; i++) {
		v[i].key = i;
		assert_int_equal(hmap_add(&m, &v[i].ent, i * 7919u), 0);
	}
	assert_int_equal(m.nr, 5000);
	/* grown as it filled: no more entries than buckets */
	assert_true(m.nr_buckets >= 5000);
	for (int i = 0; i < 5000; i++)
		assert_ptr_equal(find(&m, i * 7919u, i), &v[i]);
	assert_null(find(&m, 5000 * 7919u, 5000));
	for (int i = 0; i < 5000; i += 2)
		hmap_remove(&m, &v[i].ent);
	assert_int_equal(m.nr, 2500);
	for (int i = 0; i < 5000; i++)
		assert_ptr_equal(find(&m, i * 7919u, i),
				 i % 2 ? &v[i] : NULL);
	hmap_release(&m, NULL);
	assert_int_equal(m.nr, 0);
	assert_null(hmap_get(&m, 7919));
}

/* Entries under one hash, and under hashes one bucket apart, are told
 * apart by their keys; one taken from the middle leaves the others. */
static void test_same_hash(void **state)
{
	struct hmap m = HMAP_INIT;
	struct item v[6];
	int seen = 0;

	(void)state;
	for (int i = 0; i < 6; i++) {
		v[i].key = i;
		assert_int_equal(hmap_add(&m, &v[i].ent,
					  i < 4 ? 42 : 42 + m.nr_buckets), 0);
	}
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(find(&m, 42, i), &v[i]);
	assert_null(find(&m, 42, 4));
	hmap_remove(&m, &v[1].ent);
	for (struct hmap_entry *e = hmap_get(&m, 42); e; e = hmap_get_next(e))
		seen |= 1 << hmap_entry_of(e, struct item, ent)->key;
	assert_int_equal(seen, 0xd);
	assert_ptr_equal(find(&m, 42 + 64, 4), &v[4]);
	hmap_release(&m, NULL);
}

static void test_reserve(void **state)
{
	struct hmap m = HMAP_INIT;
	struct item v[3000];
	size_t buckets;

	(void)state;
	hmap_reserve(&m, 0);
	assert_int_equal(m.nr_buckets, 0);
	hmap_reserve(&m, 3000);
	buckets = m.nr_buckets;
	assert_true(buckets >= 3000);
	assert_int_equal(buckets & (buckets - 1), 0);
	for (int i = 0; i < 3000; i++) {
		v[i].key = i;
		assert_int_equal(hmap_add(&m, &v[i].ent, i), 0);
	}
	assert_int_equal(m.nr_buckets, buckets);
	/* room beyond what memory can hold: the table stays as it was */
	hmap_reserve(&m, SIZE_MAX / 4);
	assert_int_equal(m.nr_buckets, buckets);
	hmap_reserve(&m, SIZE_MAX);
	assert_int_equal(m.nr_buckets, buckets);
	for (int i = 0; i < 3000; i++)
		assert_ptr_equal(find(&m, i, i), &v[i]);
	hmap_release(&m, NULL);
}

static int released;

static void release_item(struct hmap_entry *e)
{
	released += hmap_entry_of(e, struct item, ent)->key;
	free(hmap_entry_of(e, struct item, ent));
}

static void test_walk_removing(void **state)
{
	struct hmap m = HMAP_INIT;
	struct hmap_iter it = HMAP_ITER_INIT;
	struct hmap_entry *e;
	int seen = 0, sum = 0;

	(void)state;
	assert_null(hmap_next(&m, &it));
	for (int i = 1; i <= 300; i++) {
		struct item *x = malloc(sizeof(*x));

		assert_non_null(x);
		x->key = i;
		/* chains of several entries, as after a removal */
		assert_int_equal(hmap_add(&m, &x->ent, i % 50), 0);
	}
	while ((e = hmap_next(&m, &it))) {
		struct item *x = hmap_entry_of(e, struct item, ent);

		seen++;
		sum += x->key;
		if (x->key % 3 == 0) {
			hmap_remove(&m, e);
			free(x);
		}
	}
	assert_int_equal(seen, 300);
	assert_int_equal(sum, 300 * 301 / 2);
	assert_int_equal(m.nr, 200);
	assert_null(find(&m, 3 % 50, 3));
	assert_non_null(find(&m, 4 % 50, 4));
	hmap_release(&m, release_item);
}

static void test_release_hands_back(void **state)
{
	struct hmap m = HMAP_INIT;

	(void)state;
	for (int i = 1; i <= 100; i++) {
		struct item *it = malloc(sizeof(*it));

		assert_non_null(it);
		it->key = i;
		assert_int_equal(hmap_add(&m, &it->ent, i % 7), 0);
	}
	released = 0;
	hmap_release(&m, release_item);
	assert_int_equal(released, 5050);
	assert_int_equal(m.nr, 0);
	assert_int_equal(m.nr_buckets, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find_remove),
		cmocka_unit_test(test_same_hash),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_walk_removing),
		cmocka_unit_test(test_release_hands_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
