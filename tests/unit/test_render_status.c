/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "fs/tree/render_status.h"

/* A scan's CPU share: of every CPU online, never past 100 %. */
static void test_cpu_share(void **state)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	json_t *v;

	(void)state;
	assert_true(cpus > 0);
	assert_float_equal(render_cpu_share_pct((double)cpus, 2), 50,
			   1e-9);
	assert_float_equal(render_cpu_share_pct(0, 3), 0, 1e-9);
	/* ticks counted past the wall time the scan took */
	assert_float_equal(render_cpu_share_pct(1.02 * cpus, 1), 100, 1e-9);
	assert_float_equal(render_cpu_share_pct(-0.01, 1), 0, 1e-9);
	assert_float_equal(render_cpu_share_pct(1, 0), 0, 1e-9);
	v = render_cpu_share_json(1, 0);
	assert_true(json_is_null(v));
	json_decref(v);
	v = render_cpu_share_json(3.0 * cpus, 1);
	assert_float_equal(json_number_value(v), 100, 1e-9);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_share),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
