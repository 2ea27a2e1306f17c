/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Starting, naming and stopping the daemon's threads (thread.h), the
 * table of their names, and the name each thread gave itself, for the
 * assertions of who may do what (thread_is()). It owns none of their
 * state.
 */
#include "common/thread.h"

#include <assert.h>
#include <string.h>

const struct thread_row thread_rows[] = {
#define THREAD(name, help) { name, help },
#include "common/threads.def"
#undef THREAD
};
const size_t thread_rows_nr = sizeof(thread_rows) / sizeof(thread_rows[0]);

int thread_known(const char *name)
{
	for (size_t i = 0; i < thread_rows_nr; i++)
		if (!strcmp(thread_rows[i].name, name))
			return 1;
	return 0;
}

void thread_stop(pthread_t thread, pthread_mutex_t *lock,
		 pthread_cond_t *cond, int *flag)
{
	pthread_mutex_lock(lock);
	*flag = 1;
	pthread_cond_broadcast(cond);
	pthread_mutex_unlock(lock);
	pthread_join(thread, NULL);
}

/* The name the calling thread gave itself (thread_name()), a row's. */
static __thread const char *self;

void thread_name(const char *name)
{
	assert(thread_known(name));
	self = name;
	pthread_setname_np(pthread_self(), name);
}

int thread_is(const char *name)
{
	return self && !strcmp(self, name);
}

int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg,
		 const char *name)
{
	int rc;

	assert(thread_known(name));
	rc = pthread_create(thread, NULL, fn, arg);

	if (!rc)
		pthread_setname_np(*thread, name);
	return -rc;
}
