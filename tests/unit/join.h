/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TEST_JOIN_H
#define MEDIAMON_TEST_JOIN_H

/*
 * Bounded joins for the unit tests that start threads: a thread stuck in
 * the code under test fails its test instead of hanging the suite.
 *
 *	assert_int_equal(pthread_create(&t, NULL, work, arg), 0);
 *	...
 *	assert_int_equal(join_within(t, JOIN_S, NULL), 0);
 */

#include <pthread.h>

/* How long a test's thread may take to end: the slowest end within
 * seconds, also on a loaded machine. */
#define JOIN_S 60

/*
 * Join thread t if it ends within seconds, storing what it returned in
 * *ret when ret is not NULL. Returns 0, -ETIMEDOUT when it still runs
 * (it is left running), or the join's error as a negative errno.
 */
int join_within(pthread_t t, int seconds, void **ret);

#endif
