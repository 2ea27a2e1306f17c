/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_THREAD_H
#define MEDIAMON_THREAD_H

/*
 * The one way the daemon's long-lived threads are stopped. Such a thread
 * sleeps on a condition under a lock and checks a flag each time it
 * wakes; its owner sets the flag under the lock, wakes it, and waits for
 * it to end:
 *
 *	thread_stop(w.thread, &w.lock, &w.wake, &w.stopping);
 *
 * Anything else the thread must see first (a cancel flag a running scan
 * polls) is set before the call.
 *
 * Each thread is named, so that top -H, perf and /proc/PID/task/TID/comm
 * say who works, by a row of common/threads.def (thread_rows[], which
 * mediamon(8) lists): it names itself first thing, or its creator starts
 * it named:
 *
 *	thread_name("mm-writer");
 *	rc = thread_start(&w.thread, watch_main, NULL, "mm-watch");
 */

#include <pthread.h>
#include <stddef.h>

/* A row of common/threads.def: a thread's name and what it does. */
struct thread_row {
	const char *name, *help;
};

extern const struct thread_row thread_rows[];
extern const size_t thread_rows_nr;

/* Whether name is a row's. */
int thread_known(const char *name);

/* Set *flag under lock, wake every waiter on cond, and join thread. */
void thread_stop(pthread_t thread, pthread_mutex_t *lock,
		 pthread_cond_t *cond, int *flag);

/* Name the calling thread: "mm-" and at most 12 more characters, a
 * row's name (asserted). */
void thread_name(const char *name);

/* Whether the calling thread named itself name with thread_name(): 1,
 * else 0 (a thread started named by thread_start() is not asked). For
 * the assertions of the rules of who does what, as "only the writer
 * thread commits on the writer's connection". */
int thread_is(const char *name);

/*
 * Start fn(arg) on a new thread named name (as thread_name()). Returns 0
 * or a negative errno value.
 */
int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg,
		 const char *name);

#endif
