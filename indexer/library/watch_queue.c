/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The kernel's event queue drained into memory by a thread of its own,
 * which only reads: the watcher thread, which handles the events, may
 * fall behind (a folder renamed among thousands of watches, a lock a
 * scan holds) without the kernel's queue of max_queued_events filling
 * up, overflowing, and costing a rescan of every root. What it read
 * waits here, in order, up to WATCH_QUEUE_MAX bytes; past that, the
 * kernel's queue holds the rest, and its overflow stays the last
 * resort; and the wake of the watcher's poll(), which every file of the
 * watcher may ask for. It handles no event; that is watch_events.c's.
 */
#include <errno.h>
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

/* What one read() gave, and when: the events follow it. */
struct chunk {
	double at;
	uint32_t len;
	uint32_t pad;
};

/* The bytes a chunk of len bytes of events takes in the queue, aligned
 * for the next one's header. */
static size_t chunk_size(size_t len)
{
	return (sizeof(struct chunk) + len + 15) & ~(size_t)15;
}

int watch_queue_drain(void)
{
	int got = 0;

	pthread_mutex_lock(&watch_wt.qlock);
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
		n = read(watch_wt.fd, c + 1, READ_SIZE);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				log_error(-errno, "watch: read: %s",
					  strerror(errno));
			break;
		}
		c->at = clock_mono();
		c->len = (uint32_t)n;
		watch_wt.q_len += chunk_size(n);
		got = 1;
	}
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
		const char *p = (const char *)(c + 1);

		while (p < (const char *)(c + 1) + c->len) {
			const struct inotify_event *ev = (const void *)p;

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
	(void)unused;
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = watch_wt.fd, .events = POLLIN },
			{ .fd = watch_wt.reader_stop, .events = POLLIN },
		};

		if (poll(fds, 2, -1) < 0 && errno != EINTR) {
			log_error(-errno, "watch: poll: %s", strerror(errno));
			break;
		}
		if (!__atomic_load_n(&watch_wt.running, __ATOMIC_ACQUIRE))
			break;
		if (!fds[0].revents)
			continue;
		if (watch_queue_drain())
			watch_wake();
		wait_room();
	}
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
