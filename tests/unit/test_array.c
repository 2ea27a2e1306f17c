/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Growing arrays: the first growth, doubling after, the elements kept,
 * no growth while there is room, and a size that cannot be reached.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "common/array.h"

static void test_grows_by_doubling(void **state)
{
	int *v = NULL, *same;
	size_t nr = 0, alloc = 0;

	(void)state;
	for (int i = 0; i < 100; i++) {
		int *grown = array_grow(v, nr, &alloc, sizeof(*v), 4);

		assert_non_null(grown);
		v = grown;
		v[nr++] = i;
		if (nr == 1)
			assert_int_equal(alloc, 4);
		if (nr == 5)
			assert_int_equal(alloc, 8);
	}
	assert_int_equal(alloc, 128);
	for (int i = 0; i < 100; i++)
		assert_int_equal(v[i], i);
	same = array_grow(v, nr, &alloc, sizeof(*v), 4);
	assert_ptr_equal(same, v);
	assert_int_equal(alloc, 128);
	free(v);
}

static void test_too_large_is_refused(void **state)
{
	char one[1] = { 7 };
	size_t alloc = SIZE_MAX / 2 + 1;

	(void)state;
	/* doubling would wrap around: refused, the array left as it is */
	assert_null(array_grow(one, alloc, &alloc, 1, 4));
	assert_int_equal(alloc, SIZE_MAX / 2 + 1);
	alloc = 8;
	assert_null(array_grow(one, 8, &alloc, SIZE_MAX / 8, 4));
	assert_int_equal(alloc, 8);
	assert_int_equal(one[0], 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_by_doubling),
		cmocka_unit_test(test_too_large_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
