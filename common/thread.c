/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Starting, naming and stopping the daemon's threads (thread.h). It
 * owns none of their state.
 */
#include "common/thread.h"

void thread_stop(pthread_t thread, pthread_mutex_t *lock,
		 pthread_cond_t *cond, int *flag)
{
	pthread_mutex_lock(lock);
	*flag = 1;
	pthread_cond_broadcast(cond);
	pthread_mutex_unlock(lock);
	pthread_join(thread, NULL);
}

void thread_name(const char *name)
{
	pthread_setname_np(pthread_self(), name);
}

int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg,
		 const char *name)
{
	int rc = pthread_create(thread, NULL, fn, arg);

	if (!rc)
		pthread_setname_np(*thread, name);
	return -rc;
}
