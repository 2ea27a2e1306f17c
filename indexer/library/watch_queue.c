/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The kernel's event queue drained into memory by a thread of its own,
 * which only reads: the watcher thread, which handles the events, may
 * fall behind (a folder renamed among thousands of watches, a lock a
 * scan holds) without the kernel's queue of max_queued_events filling
 * up, overflowing, and costing a rescan of every root. What it read
 * waits here, in order, up to WATCH_QUEUE_MAX bytes; past that, the
 * kernel's queue holds the rest, and its overflow stays the last
 * resort. The instances are one per root and library folder, so that
 * an overflow costs a rescan of its root alone; their descriptors are
 * made one space here. It also owns the wake of the watcher's poll(),
 * which every file of the watcher may ask for. It handles no event; that
 * is watch_events.c's.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/thread.h"
#include "indexer/library/watch_private.h"

#define READ_SIZE (64 * 1024)

/* What one read() of instance from gave, and when: the events follow
 * it. */
struct chunk {
	double at;
	uint32_t len;
	uint32_t from;
};

int watch_queue_open(void)
{
	size_t n = watch_wt.nr_roots + watch_wt.nr_libs;
	int rc;

	watch_wt.fds = malloc((n ? n : 1) * sizeof(*watch_wt.fds));
	if (!watch_wt.fds)
		return log_error(-ENOMEM, "watch: out of memory");
	watch_wt.nr_fds = n ? n : 1;
	for (size_t i = 0; i < watch_wt.nr_fds; i++)
		watch_wt.fds[i] = -1;
	for (size_t i = 0; i < watch_wt.nr_fds; i++) {
		watch_wt.fds[i] = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (watch_wt.fds[i] >= 0)
			continue;
		rc = -errno;
		/* past max_user_instances, a root shares the first's */
		if (!i || rc != -EMFILE) {
			watch_queue_close();
			return log_error(rc, "watch: inotify unavailable: %s",
					 strerror(-rc));
		}
	}
	return 0;
}

void watch_queue_close(void)
{
	for (size_t i = 0; i < watch_wt.nr_fds; i++)
		if (watch_wt.fds[i] >= 0)
			close(watch_wt.fds[i]);
	free(watch_wt.fds);
	watch_wt.fds = NULL;
	watch_wt.nr_fds = 0;
}

size_t watch_queue_instance(size_t root)
{
	return root < watch_wt.nr_fds && watch_wt.fds[root] >= 0 ? root : 0;
}

int watch_queue_add(size_t root, const char *path, uint32_t mask)
{
	size_t i = watch_queue_instance(root);
	int wd = inotify_add_watch(watch_wt.fds[i], path, mask);

	if (wd < 0)
		return wd;
	if ((size_t)wd > (INT_MAX - i) / watch_wt.nr_fds) {
		inotify_rm_watch(watch_wt.fds[i], wd);
		errno = ENOSPC;
		return -1;
	}
	return wd * (int)watch_wt.nr_fds + (int)i;
}

void watch_queue_rm(int wd)
{
	size_t i = (size_t)wd % watch_wt.nr_fds;

	inotify_rm_watch(watch_wt.fds[i], wd / (int)watch_wt.nr_fds);
}

/* An overflow's descriptor is -1: it becomes -1 - its instance. */
size_t watch_queue_overflowed(const struct inotify_event *ev)
{
	return (size_t)(-1 - ev->wd);
}

/* The bytes a chunk of len bytes of events takes in the queue, aligned
 * for the next one's header. */
static size_t chunk_size(size_t len)
{
	return (sizeof(struct chunk) + len + 15) & ~(size_t)15;
}

/* Read what instance i holds behind the queue, under qlock, until it is
 * empty or the queue full. Returns 1 when something was read. */
static int drain_one(size_t i)
{
	int got = 0;

	while (watch_wt.q_len < WATCH_QUEUE_MAX) {
		size_t need = watch_wt.q_len + chunk_size(READ_SIZE);
		struct chunk *c;
		ssize_t n;

		if (need > watch_wt.q_alloc) {
			size_t size = watch_wt.q_alloc ? watch_wt.q_alloc * 2 :
				chunk_size(READ_SIZE);
			char *q;

			while (size < need)
				size *= 2;
			q = realloc(watch_wt.q, size);
			if (!q) {
				/* the kernel's queue keeps the events */
				log_error(-ENOMEM, "watch: out of memory");
				break;
			}
			watch_wt.q = q;
			watch_wt.q_alloc = size;
		}
		c = (struct chunk *)(watch_wt.q + watch_wt.q_len);
		n = read(watch_wt.fds[i], c + 1, READ_SIZE);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				log_error(-errno, "watch: read: %s",
					  strerror(errno));
			break;
		}
		c->at = clock_mono();
		c->len = (uint32_t)n;
		c->from = (uint32_t)i;
		watch_wt.q_len += chunk_size(n);
		got = 1;
	}
	return got;
}

int watch_queue_drain(void)
{
	int got = 0;

	pthread_mutex_lock(&watch_wt.qlock);
	for (size_t i = 0; i < watch_wt.nr_fds; i++)
		if (watch_wt.fds[i] >= 0)
			got |= drain_one(i);
	pthread_mutex_unlock(&watch_wt.qlock);
	return got;
}

void watch_queue_take(void (*fn)(const struct inotify_event *ev,
				 double at))
{
	char *q;
	size_t len;

	pthread_mutex_lock(&watch_wt.qlock);
	q = watch_wt.q;
	len = watch_wt.q_len;
	watch_wt.q = NULL;
	watch_wt.q_len = watch_wt.q_alloc = 0;
	pthread_cond_broadcast(&watch_wt.qroom);
	pthread_mutex_unlock(&watch_wt.qlock);
	for (size_t off = 0; off < len;) {
		const struct chunk *c = (const struct chunk *)(q + off);
		char *p = (char *)(c + 1);

		while (p < (const char *)(c + 1) + c->len) {
			struct inotify_event *ev = (void *)p;

			/* the queue's own copy: its descriptor made one of
			 * watch_queue_add()'s */
			ev->wd = ev->wd < 0 ? -1 - (int)c->from :
				ev->wd * (int)watch_wt.nr_fds + (int)c->from;
			fn(ev, c->at);
			p += sizeof(*ev) + ev->len;
		}
		off += chunk_size(c->len);
	}
	free(q);
}

/* Wait until the watcher took what the queue holds, or stop. */
static void wait_room(void)
{
	pthread_mutex_lock(&watch_wt.qlock);
	while (watch_wt.q_len >= WATCH_QUEUE_MAX &&
	       __atomic_load_n(&watch_wt.running, __ATOMIC_ACQUIRE))
		pthread_cond_wait(&watch_wt.qroom, &watch_wt.qlock);
	pthread_mutex_unlock(&watch_wt.qlock);
}

static void *reader_main(void *unused)
{
	size_t n = watch_wt.nr_fds;
	struct pollfd *fds = calloc(n + 1, sizeof(*fds));

	(void)unused;
	if (!fds) {
		log_error(-ENOMEM, "watch: out of memory: no events read");
		return NULL;
	}
	/* an instance the kernel refused (-1) is left out by poll() */
	for (size_t i = 0; i < n; i++)
		fds[i] = (struct pollfd){ .fd = watch_wt.fds[i],
					  .events = POLLIN };
	fds[n] = (struct pollfd){ .fd = watch_wt.reader_stop,
				  .events = POLLIN };
	for (;;) {
		int ready = 0;

		if (poll(fds, n + 1, -1) < 0 && errno != EINTR) {
			log_error(-errno, "watch: poll: %s", strerror(errno));
			break;
		}
		if (!__atomic_load_n(&watch_wt.running, __ATOMIC_ACQUIRE))
			break;
		for (size_t i = 0; i < n; i++)
			ready |= !!fds[i].revents;
		if (!ready)
			continue;
		if (watch_queue_drain())
			watch_wake();
		wait_room();
	}
	free(fds);
	return NULL;
}

void watch_wake(void)
{
	uint64_t one = 1;

	if (write(watch_wt.wake_fd, &one, sizeof(one)) != sizeof(one))
		log_error(-errno, "watch: cannot wake the watcher");
}

int watch_queue_start(void)
{
	int rc;

	watch_wt.reader_stop = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (watch_wt.reader_stop < 0)
		return log_error(-errno, "watch: eventfd: %s",
				 strerror(errno));
	rc = thread_start(&watch_wt.reader, reader_main, NULL,
			  "mm-watchread");
	if (rc) {
		log_error(rc, "watch: cannot start thread");
		close(watch_wt.reader_stop);
		watch_wt.reader_stop = -1;
	}
	return rc;
}

void watch_queue_stop(void)
{
	uint64_t one = 1;

	if (write(watch_wt.reader_stop, &one, sizeof(one)) != sizeof(one))
		log_error(-errno, "watch: cannot wake the reader");
	pthread_mutex_lock(&watch_wt.qlock);
	pthread_cond_broadcast(&watch_wt.qroom);
	pthread_mutex_unlock(&watch_wt.qlock);
	pthread_join(watch_wt.reader, NULL);
	close(watch_wt.reader_stop);
	watch_wt.reader_stop = -1;
	free(watch_wt.q);
	watch_wt.q = NULL;
	watch_wt.q_len = watch_wt.q_alloc = 0;
}
