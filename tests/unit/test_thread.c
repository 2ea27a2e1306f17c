/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Threads (common/thread.h): a thread started named, or naming itself,
 * shows that name to the kernel (pthread_getname_np reads
 * /proc/self/task/TID/comm); a sleeping one told to stop wakes and is
 * joined.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "common/thread.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
	char seen[16];
} t = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
};

/* Name itself arg if given, keep the name it runs under, then sleep
 * until told to stop. */
static void *sleeper(void *arg)
{
	if (arg)
		thread_name(arg);
	pthread_mutex_lock(&t.lock);
	pthread_getname_np(pthread_self(), t.seen, sizeof(t.seen));
	while (!t.stopping)
		pthread_cond_wait(&t.wake, &t.lock);
	pthread_mutex_unlock(&t.lock);
	return NULL;
}

static void test_started_named(void **state)
{
	pthread_t thread;
	char name[16];

	(void)state;
	t.stopping = 0;
	assert_int_equal(thread_start(&thread, sleeper, NULL, "mm-started"),
			 0);
	assert_int_equal(pthread_getname_np(thread, name, sizeof(name)), 0);
	assert_string_equal(name, "mm-started");
	thread_stop(thread, &t.lock, &t.wake, &t.stopping);
	assert_int_equal(t.stopping, 1);
}

static void test_names_itself(void **state)
{
	pthread_t thread;

	(void)state;
	t.stopping = 0;
	assert_int_equal(pthread_create(&thread, NULL, sleeper,
					(void *)"mm-own-name"), 0);
	thread_stop(thread, &t.lock, &t.wake, &t.stopping);
	assert_string_equal(t.seen, "mm-own-name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_started_named),
		cmocka_unit_test(test_names_itself),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
