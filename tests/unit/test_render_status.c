/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "fs/tree/render_status.h"
#include "indexer/store/reader.h"
#include "tests/unit/testdb.h"

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

static int setup(void **state)
{
	return testdb_reader_setup(state, "INSERT INTO scans (id, trigger,"
				   " scope, started_at, finished_at,"
				   " duration_s, success) VALUES"
				   " (4, 'startup', 'all', 400, 403, 3, 1),"
				   " (5, 'manual', 'all', 500, NULL, NULL,"
				   " NULL)");
}

/* A scan whose row the store has finished is not shown running any more,
 * while the indexer still says it is; the one after it is. */
static void test_finished_not_running(void **state)
{
	struct indexer_status s = { .state = "scanning", .scan_id = 4 };
	struct library_scan last;
	int found = 0;

	(void)state;
	assert_int_equal(reader_hold(), 0);
	assert_int_equal(render_last_scan(&s, &last, &found), 0);
	assert_true(found);
	assert_int_equal(last.id, 4);
	assert_string_equal(s.state, "idle");
	s.state = "scanning";
	s.scan_id = 5;
	assert_int_equal(render_last_scan(&s, &last, &found), 0);
	assert_int_equal(last.id, 4);
	assert_string_equal(s.state, "scanning");
	s.state = "checking";
	s.scan_id = 4;
	assert_int_equal(render_last_scan(&s, &last, &found), 0);
	assert_string_equal(s.state, "checking");
	reader_release();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_share),
		cmocka_unit_test_setup_teardown(test_finished_not_running,
						setup, testdb_reader_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
