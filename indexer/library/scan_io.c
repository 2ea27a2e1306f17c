/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The scan's reads in flight (scan_io.h): the pool of I/O threads that
 * open files ahead of the workers, and each worker's window over a
 * folder's files. It parses nothing and knows nothing of the store.
 */
#include "indexer/library/scan_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/log.h"
#include "common/symlinks.h"
#include "common/thread.h"

/* The bytes asked of the kernel at a file's head, where most tags are
 * (the floor of the bench reads as much), and at the end of a file
 * whose tags may be there too (ID3v1, APE, a zip's directory). */
#define HEAD_BYTES (64 * 1024)
#define TAIL_BYTES (16 * 1024)
/* The blocks (of 512 bytes) a worker reads from the disk between two
 * folders that wake a pool asleep: a cold cache's, not a file or two
 * evicted from a warm one. */
#define WAKE_BLOCKS 256
/* The blocks a folder's files opened ahead read from the disk, on
 * average, under which its cache is warm again: half a page a file. */
#define COLD_FILE_BLOCKS 4

/* Open name in dfd, or what the link pfd (symlinks_follow()) leads to
 * when it is not -1. */
static int open_flags(int dfd, const char *name, int pfd, int flags)
{
	int fd;

	if (pfd >= 0)
		return symlinks_reopen(pfd, flags);
	fd = openat(dfd, name, flags);
	return fd < 0 ? -errno : fd;
}

/* What is opened may not be what was listed or stat()ed (it may have
 * been replaced since): O_NOFOLLOW keeps a link put in its place from
 * being followed, O_NONBLOCK a FIFO from blocking the worker forever,
 * and what is not a regular file is not read. */
int scan_io_open(int *noatime_refused, int dfd, const char *name, int pfd,
		 struct stat *st)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (pfd < 0 ? O_NOFOLLOW :
							 0);
	int fd = -EPERM;

	if (!__atomic_load_n(noatime_refused, __ATOMIC_RELAXED))
		fd = open_flags(dfd, name, pfd, flags | O_NOATIME);
	if (fd == -EPERM) {
		__atomic_store_n(noatime_refused, 1, __ATOMIC_RELAXED);
		fd = open_flags(dfd, name, pfd, flags);
	}
	if (fd < 0)
		return fd == -ELOOP ? -EINVAL : fd;
	if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* The blocks this thread has read from the disk so far; 0 unknown. */
static long blocks_read(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) ? 0 : ru.ru_inblock;
}

/* Open r's file and ask for the bytes its tags are in; in a pool that
 * may sleep, count what that read from the disk (the readahead is
 * submitted, and counted, by the call that asks for it). */
static void open_ahead(struct scan_io *io, struct scan_io_req *r)
{
	long before = io->may_sleep ? blocks_read() : 0;
	off_t size;

	r->fd = scan_io_open(io->noatime_refused, r->dfd, r->name, -1,
			     &r->st);
	if (r->fd >= 0) {
		size = r->st.st_size;
		posix_fadvise(r->fd, 0, HEAD_BYTES, POSIX_FADV_WILLNEED);
		if (r->tail && size > HEAD_BYTES)
			posix_fadvise(r->fd, size > HEAD_BYTES + TAIL_BYTES ?
				      size - TAIL_BYTES : HEAD_BYTES,
				      TAIL_BYTES, POSIX_FADV_WILLNEED);
	}
	r->blocks = io->may_sleep ? blocks_read() - before : 0;
}

static void *io_thread(void *arg)
{
	struct scan_io *io = arg;

	thread_name("mm-scan-io");
	pthread_mutex_lock(&io->lock);
	for (;;) {
		struct scan_io_req *r;

		while (!io->queue && !io->stop)
			pthread_cond_wait(&io->work, &io->lock);
		if (!io->queue)
			break;
		r = io->queue;
		io->queue = r->next;
		if (!io->queue)
			io->queue_end = &io->queue;
		pthread_mutex_unlock(&io->lock);
		open_ahead(io, r);
		pthread_mutex_lock(&io->lock);
		r->done = 1;
		pthread_cond_broadcast(&io->done);
	}
	pthread_mutex_unlock(&io->lock);
	return NULL;
}

void scan_io_init(struct scan_io *io, int depth, int asleep,
		  int *noatime_refused)
{
	*io = (struct scan_io){
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.work = PTHREAD_COND_INITIALIZER,
		.done = PTHREAD_COND_INITIALIZER,
		.queue_end = &io->queue,
		.depth = depth > 0 ? depth : 0,
		.asleep = asleep,
		.may_sleep = asleep && depth > 0,
		.noatime_refused = noatime_refused,
	};
}

/* Under the lock: start the threads, once. None started: opening ahead
 * is given up, the workers open in place. */
static void io_start(struct scan_io *io)
{
	io->started = 1;
	io->tids = calloc(io->depth, sizeof(*io->tids));
	if (!io->tids) {
		log_warn("scan: out of memory for the i/o threads; files are"
			 " opened one at a time");
		io->depth = 0;
		return;
	}
	while (io->nr_threads < io->depth &&
	       !pthread_create(&io->tids[io->nr_threads], NULL, io_thread, io))
		io->nr_threads++;
	if (!io->nr_threads) {
		log_warn("scan: no i/o thread could start; files are opened"
			 " one at a time");
		io->depth = 0;
	}
}

void scan_io_stop(struct scan_io *io)
{
	pthread_mutex_lock(&io->lock);
	io->stop = 1;
	pthread_cond_broadcast(&io->work);
	pthread_mutex_unlock(&io->lock);
	for (int i = 0; i < io->nr_threads; i++)
		pthread_join(io->tids[i], NULL);
	free(io->tids);
	io->tids = NULL;
	io->nr_threads = 0;
}

int scan_io_asleep(struct scan_io *io)
{
	return !io->depth || __atomic_load_n(&io->asleep, __ATOMIC_RELAXED);
}

int scan_io_note_reads(struct scan_io *io, long *seen)
{
	long was = *seen;

	if (!io->may_sleep)
		return 0;
	*seen = blocks_read();
	if (was < 0 || *seen - was < WAKE_BLOCKS ||
	    !__atomic_exchange_n(&io->asleep, 0, __ATOMIC_RELAXED))
		return 0;
	if (!__atomic_fetch_add(&io->wakes, 1, __ATOMIC_RELAXED))
		log_info("scan: the page cache is cold, the disk is read: "
			 "files are opened %d ahead while it is "
			 "(scan_io_depth)", io->depth);
	return 1;
}

/* Queue the next files the window wants, while it has room. */
static void window_fill(struct scan_io_window *w)
{
	struct scan_io *io = w->io;
	int queued = 0;

	pthread_mutex_lock(&io->lock);
	if (!io->started)
		io_start(io);
	while (io->depth && w->nr < w->alloc && w->next < w->nr_ents) {
		size_t i = w->next++;
		struct scan_io_req *r = &w->ring[(w->head + w->nr) % w->alloc];
		int tail = 0;
		const char *name = w->want(w->arg, i, &tail);

		if (!name)
			continue;
		*r = (struct scan_io_req){ .dfd = w->dfd, .name = name,
					   .tail = tail, .idx = i };
		*io->queue_end = r;
		io->queue_end = &r->next;
		w->nr++;
		queued++;
	}
	/* a thread a file: waking them all for one costs more than it
	 * opens, on a warm cache */
	while (queued--)
		pthread_cond_signal(&io->work);
	pthread_mutex_unlock(&io->lock);
}

/* Wait for the oldest file in flight and take it off the ring. */
static struct scan_io_req *window_pop(struct scan_io_window *w)
{
	struct scan_io *io = w->io;
	struct scan_io_req *r = &w->ring[w->head];

	pthread_mutex_lock(&io->lock);
	while (!r->done)
		pthread_cond_wait(&io->done, &io->lock);
	pthread_mutex_unlock(&io->lock);
	w->head = (w->head + 1) % w->alloc;
	w->nr--;
	w->opened++;
	w->blocks += r->blocks;
	return r;
}

void scan_io_window_start(struct scan_io_window *w, struct scan_io *io,
			  int dfd, size_t nr, scan_io_want_fn *want,
			  void *arg)
{
	w->io = NULL;
	if (!io || scan_io_asleep(io))
		return;
	if (!w->ring) {
		w->ring = calloc(io->depth, sizeof(*w->ring));
		if (!w->ring)
			return;
		w->alloc = io->depth;
	}
	w->io = io;
	w->head = w->nr = w->next = w->cur = w->opened = 0;
	w->blocks = 0;
	w->nr_ents = nr;
	w->want = want;
	w->arg = arg;
	w->dfd = dfd;
	window_fill(w);
}

void scan_io_window_at(struct scan_io_window *w, size_t i)
{
	if (!w->io)
		return;
	w->cur = i;
	while (w->nr && w->ring[w->head].idx < i) {
		struct scan_io_req *r = window_pop(w);

		if (r->fd >= 0)
			close(r->fd);
	}
	window_fill(w);
}

int scan_io_window_take(struct scan_io_window *w, const char *name,
			struct stat *st)
{
	struct scan_io_req *r;
	int fd;

	if (!w->io || !w->nr || w->ring[w->head].idx != w->cur ||
	    strcmp(w->ring[w->head].name, name))
		return -1;
	r = window_pop(w);
	fd = r->fd;
	if (fd >= 0)
		*st = r->st;
	/* r's slot is free now: the next file may take it */
	window_fill(w);
	return fd >= 0 ? fd : -1;
}

void scan_io_window_end(struct scan_io_window *w)
{
	if (!w->io)
		return;
	while (w->nr) {
		struct scan_io_req *r = window_pop(w);

		if (r->fd >= 0)
			close(r->fd);
	}
	if (w->io->may_sleep && w->opened &&
	    w->blocks < COLD_FILE_BLOCKS * (long)w->opened)
		__atomic_store_n(&w->io->asleep, 1, __ATOMIC_RELAXED);
	w->io = NULL;
}

void scan_io_window_release(struct scan_io_window *w)
{
	scan_io_window_end(w);
	free(w->ring);
	w->ring = NULL;
	w->alloc = 0;
}
