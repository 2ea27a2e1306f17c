/*
 * The caps on files open through the mount: the descriptor limit raised
 * at start, with a reserve the mount's files never take; one user held
 * to its cap while others and the owner go on; what is given back counted
 * back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "fs/open_caps.h"

#define LIMIT 600	/* the hard limit the tests run under */

/* Take n handles of uid (with a descriptor when fd), each expected to
 * pass. */
static void take(uid_t uid, int owner, int fd, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(open_caps_take(uid, owner, fd), 0);
}

static void put(uid_t uid, int fd, int n)
{
	for (int i = 0; i < n; i++)
		open_caps_put(uid, fd, 0);
}

/* A soft limit below the hard one is raised to it; half of a limit
 * below twice the reserve is the mount's. */
static void test_limit_raised_and_reserved(void **state)
{
	struct rlimit rl = { 100, LIMIT };

	(void)state;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	open_caps_init();
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_int_equal(rl.rlim_cur, LIMIT);
	open_caps_set(100000);
	take(1000, 0, 1, LIMIT / 2);
	assert_int_equal(open_caps_take(1001, 0, 1), -ENFILE);
	assert_int_equal(open_caps_take(0, 1, 1), -ENFILE);
	/* what holds no descriptor is held by the user's cap alone */
	assert_int_equal(open_caps_take(1001, 0, 0), 0);
	open_caps_put(1001, 0, 0);
	open_caps_put(1000, 1, 0);
	assert_int_equal(open_caps_take(1001, 0, 1), 0);
	open_caps_put(1001, 1, 0);
	put(1000, 1, LIMIT / 2 - 1);
}

/* A user at its cap gets EMFILE, for descriptors and renderings alike,
 * until it gives one back; another user and the owner do not. */
static void test_cap_per_user(void **state)
{
	(void)state;
	open_caps_set(4);
	take(1000, 0, 1, 2);
	take(1000, 0, 0, 2);
	assert_int_equal(open_caps_take(1000, 0, 0), -EMFILE);
	assert_int_equal(open_caps_take(1000, 0, 1), -EMFILE);
	take(1001, 0, 0, 4);
	take(0, 1, 0, 10);
	open_caps_put(1000, 0, 0);
	assert_int_equal(open_caps_take(1000, 0, 1), 0);
	assert_int_equal(open_caps_take(1000, 0, 1), -EMFILE);
	/* a lower cap holds from the next open on */
	open_caps_set(1);
	put(1001, 0, 3);
	assert_int_equal(open_caps_take(1001, 0, 0), -EMFILE);
	put(1001, 0, 1);
	assert_int_equal(open_caps_take(1001, 0, 0), 0);
	put(1001, 0, 1);
	put(1000, 1, 3);
	put(1000, 0, 1);
	put(0, 0, 10);
	open_caps_set(2);
	take(1000, 0, 0, 2);
	put(1000, 0, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_raised_and_reserved),
		cmocka_unit_test(test_cap_per_user),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
