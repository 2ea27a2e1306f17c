/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The lists of files a scan compares a folder with (scan_store.h): every
 * file added is found by its name, whatever moved the list's array in
 * between, and no other is; names are kept terminated; a list emptied for
 * the next folder finds nothing of the last one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "indexer/library/scan_store.h"

#define MANY 20000

static int name_of(char *buf, size_t size, const char *prefix, int i)
{
	return snprintf(buf, size, "%s%05d.flac", prefix, i);
}

/* Adds of MANY names found between the adds (the array moving under the
 * map) and after; a name that differs by its length or its last byte
 * is not found. */
static void test_found_by_name(void **state)
{
	struct scan_store_files l = { 0 };
	char name[64];
	int len;

	(void)state;
	for (int i = 0; i < MANY; i++) {
		struct scan_store_file *k;

		len = name_of(name, sizeof(name), "track ", i);
		k = scan_store_files_add(&l, name, len);
		assert_non_null(k);
		k->id = i + 1;
		if (i % 997 == 0) {
			len = name_of(name, sizeof(name), "track ", i / 2);
			assert_int_equal(
				scan_store_files_find(&l, name, len)->id,
				i / 2 + 1);
		}
	}
	for (int i = 0; i < MANY; i++) {
		const struct scan_store_file *k;

		len = name_of(name, sizeof(name), "track ", i);
		k = scan_store_files_find(&l, name, len);
		assert_non_null(k);
		assert_int_equal(k->id, i + 1);
		assert_int_equal(k->name_len, len);
		assert_string_equal(l.names.buf + k->name, name);
		assert_null(scan_store_files_find(&l, name, len - 1));
		name[len - 1] = 'x';
		assert_null(scan_store_files_find(&l, name, len));
	}
	scan_store_files_release(&l);
}

/* Emptied for the next folder, the list finds only that folder's files. */
static void test_cleared_for_next_folder(void **state)
{
	struct scan_store_files l = { 0 };
	char name[64];
	int len;

	(void)state;
	for (int i = 0; i < 100; i++) {
		len = name_of(name, sizeof(name), "a", i);
		assert_non_null(scan_store_files_add(&l, name, len));
	}
	scan_store_files_clear(&l);
	assert_int_equal(l.nr, 0);
	for (int i = 0; i < 10; i++) {
		len = name_of(name, sizeof(name), "b", i);
		scan_store_files_add(&l, name, len)->id = 100 + i;
	}
	for (int i = 0; i < 100; i++) {
		len = name_of(name, sizeof(name), "a", i);
		assert_null(scan_store_files_find(&l, name, len));
	}
	len = name_of(name, sizeof(name), "b", 7);
	assert_int_equal(scan_store_files_find(&l, name, len)->id, 107);
	scan_store_files_release(&l);
	assert_null(scan_store_files_find(&l, name, len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_by_name),
		cmocka_unit_test(test_cleared_for_next_folder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
