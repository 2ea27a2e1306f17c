/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a door calls after a control write took (fs/tree/nodes.h,
 * nodes_written()): the function the mount's invalidation set, each time,
 * and nothing before one is set or once it is unset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fs/tree/nodes.h"

static int told;

static void tell(void)
{
	told++;
}

static int teardown(void **state)
{
	(void)state;
	nodes_on_written(NULL);
	told = 0;
	return 0;
}

static void test_nothing_set_nothing_told(void **state)
{
	(void)state;
	nodes_written();
	assert_int_equal(told, 0);
}

static void test_each_write_told_until_unset(void **state)
{
	(void)state;
	nodes_on_written(tell);
	nodes_written();
	nodes_written();
	assert_int_equal(told, 2);
	nodes_on_written(NULL);
	nodes_written();
	assert_int_equal(told, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_nothing_set_nothing_told,
					  teardown),
		cmocka_unit_test_teardown(test_each_write_told_until_unset,
					  teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
