#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fs/loop.h"

/* A /proc/PID/stat line of a task named comm that last ran on cpu,
 * with the fields of a real one (Linux 6). */
static void stat_line(char *buf, size_t size, const char *comm, int cpu)
{
	snprintf(buf, size, "9946 (%s) S 1 9942 1202 0 -1 4194304 144 0 1 0"
		 " 0 0 0 0 20 0 1 0 990799 2990080 428 18446744073709551615"
		 " 94902955307008 94902955324937 140726325273104 0 0 0 0 6 0"
		 " 1 0 0 17 %d 0 0 0 0 0 94902955339024 94902955340288"
		 " 94903998234624 140726325275069 140726325275088"
		 " 140726325275088 140726325276647 0\n", comm, cpu);
}

static void test_plain_name(void **state)
{
	char buf[512];

	(void)state;
	stat_line(buf, sizeof(buf), "find", 1);
	assert_int_equal(loop_stat_cpu(buf), 1);
	stat_line(buf, sizeof(buf), "find", 0);
	assert_int_equal(loop_stat_cpu(buf), 0);
	stat_line(buf, sizeof(buf), "find", 63);
	assert_int_equal(loop_stat_cpu(buf), 63);
}

/* Counted from the first ")", the field read would be the exit signal
 * (17) or one further back. */
static void test_name_with_parentheses_and_spaces(void **state)
{
	static const char *const names[] = {
		"walk) x", "a) b) c", "(", ")", ") 1 2 3 4 5", " ", "x)",
	};
	char buf[512];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		stat_line(buf, sizeof(buf), names[i], 1);
		assert_int_equal(loop_stat_cpu(buf), 1);
	}
}

static void test_not_a_stat_line(void **state)
{
	char buf[512];

	(void)state;
	assert_int_equal(loop_stat_cpu(""), -1);
	assert_int_equal(loop_stat_cpu("9946 find S 1"), -1);
	assert_int_equal(loop_stat_cpu("9946 (find) S 1 2 3"), -1);
	stat_line(buf, sizeof(buf), "find", 1);
	buf[strlen(buf) - 200] = '\0';	/* cut before field 39 */
	assert_int_equal(loop_stat_cpu(buf), -1);
	stat_line(buf, sizeof(buf), "find", -1);
	assert_int_equal(loop_stat_cpu(buf), -1);
	stat_line(buf, sizeof(buf), "find", 99999999);
	assert_int_equal(loop_stat_cpu(buf), -1);
	assert_int_equal(loop_stat_cpu("1 (f) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14"
				       " 15 16 17 18 19 20 21 22 23 24 25 26 27"
				       " 28 29 30 31 32 33 34 35 x1 0"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_name),
		cmocka_unit_test(test_name_with_parentheses_and_spaces),
		cmocka_unit_test(test_not_a_stat_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
