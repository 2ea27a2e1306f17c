/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Threads (common/thread.h): a thread started named, or naming itself,
 * shows that name to the kernel (pthread_getname_np reads
 * /proc/self/task/TID/comm); a sleeping one told to stop wakes and is
 * joined. Each name is a row of common/threads.def, whose rows are names
 * the kernel keeps whole, each once, each with its line of help.
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
	assert_int_equal(thread_start(&thread, sleeper, NULL, "mm-watch"),
			 0);
	assert_int_equal(pthread_getname_np(thread, name, sizeof(name)), 0);
	assert_string_equal(name, "mm-watch");
	thread_stop(thread, &t.lock, &t.wake, &t.stopping);
	assert_int_equal(t.stopping, 1);
}

static void test_names_itself(void **state)
{
	pthread_t thread;

	(void)state;
	t.stopping = 0;
	assert_int_equal(pthread_create(&thread, NULL, sleeper,
					(void *)"mm-notify"), 0);
	thread_stop(thread, &t.lock, &t.wake, &t.stopping);
	assert_string_equal(t.seen, "mm-notify");
}

static void test_rows(void **state)
{
	const struct thread_row *r;
	size_t i, j;

	(void)state;
	assert_true(thread_rows_nr >= 20);
	for (i = 0; i < thread_rows_nr; i++) {
		r = &thread_rows[i];
		assert_int_equal(strncmp(r->name, "mm-", 3), 0);
		/* what /proc/PID/task/TID/comm keeps: 15 bytes */
		assert_true(strlen(r->name) <= 15);
		assert_true(r->help && strlen(r->help) > 10);
		assert_int_equal(r->help[strlen(r->help) - 1], '.');
		for (j = 0; j < i; j++)
			assert_string_not_equal(thread_rows[j].name, r->name);
		assert_true(thread_known(r->name));
	}
	assert_false(thread_known("mm-nobody"));
	assert_false(thread_known("mm-fus"));
	assert_false(thread_known(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_started_named),
		cmocka_unit_test(test_names_itself),
		cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
