/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_IO_H
#define MEDIAMON_SCAN_IO_H

/*
 * The scan's reads in flight, apart from its parsing CPUs: a pool of
 * I/O threads (as many as [general] scan_io_depth) that open the files
 * a worker will parse next and ask the kernel for the bytes its tag
 * readers read (posix_fadvise WILLNEED on the head, and on the tail of
 * the formats that keep tags there), so that a disk or a network share
 * that answers many requests at once is kept busy while the workers
 * parse. On a local file system, where handing a file over costs more
 * than it saves while the page cache answers, the pool sleeps until the
 * workers are seen to read the disk. A worker walks a folder's files
 * through a window (struct scan_io_window) of at most depth files opened
 * ahead, in the order it takes them; what it does not take is closed at
 * the end of the folder. The pool's threads start with the first file asked of
 * them, so a scan that opens nothing (a rescan that finds no change)
 * starts none.
 *
 *	struct scan_io io;
 *	scan_io_init(&io, depth, asleep, &noatime_refused);
 *	... each worker, each folder:
 *	scan_io_note_reads(&io, &seen);
 *	scan_io_window_start(&w, &io, dfd, nr, want, arg);
 *	for (i = 0; i < nr; i++) {
 *		scan_io_window_at(&w, i);
 *		fd = scan_io_window_take(&w, name, &st);   (-1: none)
 *		...
 *	}
 *	scan_io_window_end(&w);
 *	...
 *	scan_io_stop(&io);
 */

#include <pthread.h>
#include <stddef.h>
#include <sys/stat.h>

/* One file opened ahead. */
struct scan_io_req {
	struct scan_io_req *next;	/* in the pool's queue */
	int dfd;
	const char *name;
	int tail;		/* its tags may be at its end too */
	int fd;			/* the result: a descriptor, or -errno */
	int done;		/* under the pool's lock */
	long blocks;		/* read from the disk by its opening */
	size_t idx;		/* the entry of the window's folder */
	struct stat st;
};

struct scan_io {
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct scan_io_req *queue, **queue_end;
	int depth;		/* 0: no reads ahead */
	int asleep;		/* none until scan_io_note_reads() wakes it */
	int may_sleep;		/* a window whose files were all in the page
				 * cache puts the pool back to sleep */
	int wakes;		/* times it woke: logged the first */
	int nr_threads, started, stop;
	pthread_t *tids;
	int *noatime_refused;	/* the scan's: O_NOATIME refused once */
};

/* Whether the file of entry i is to be opened ahead: its name, or NULL. */
typedef const char *scan_io_want_fn(void *arg, size_t i, int *tail);

/* One worker's files opened ahead in the folder it reads. */
struct scan_io_window {
	struct scan_io *io;	/* NULL: none, every file opened in place */
	struct scan_io_req *ring;
	size_t alloc, head, nr;	/* the ring: nr files in flight */
	size_t next, nr_ents, cur;
	size_t opened;		/* files taken off the ring, and the */
	long blocks;		/* blocks their opening read from the disk */
	scan_io_want_fn *want;
	void *arg;
	int dfd;
};

/* Set up the pool of depth threads (0 for none); starts no thread.
 * asleep: it opens nothing ahead until scan_io_note_reads() sees the
 * scan wait for the disk. */
void scan_io_init(struct scan_io *io, int depth, int asleep,
		  int *noatime_refused);

/*
 * A worker's look, at each folder, at what its thread read from the
 * disk since the last (*seen, -1 before the first look: getrusage()'s
 * blocks read in): once it reads from the disk rather than the page
 * cache, the pool asleep wakes, until a folder's files opened ahead are
 * all found in the cache (scan_io_window_end()). 1 when this look woke
 * it, else 0.
 */
int scan_io_note_reads(struct scan_io *io, long *seen);

/* Whether the pool sleeps: no file is opened ahead. */
int scan_io_asleep(struct scan_io *io);

/* End the pool's threads; every window must have ended. */
void scan_io_stop(struct scan_io *io);

/*
 * Open name in dfd (or what the link pfd of symlinks_follow() leads to,
 * when it is not -1) for reading without touching atime and fill *st;
 * returns the descriptor, -EINVAL when it is not a regular file (or a
 * link was put in its place), or another negative errno value. O_NOATIME
 * is refused for files the daemon does not own: then a plain read-only
 * open, and once refused in a scan (*noatime_refused), no more tries.
 */
int scan_io_open(int *noatime_refused, int dfd, const char *name, int pfd,
		 struct stat *st);

/* Start opening ahead the files want names among the nr entries of the
 * folder dfd. A window of a pool of depth 0 opens nothing. */
void scan_io_window_start(struct scan_io_window *w, struct scan_io *io,
			  int dfd, size_t nr, scan_io_want_fn *want,
			  void *arg);

/* The worker is at entry i now: the files it passed are closed. */
void scan_io_window_at(struct scan_io_window *w, size_t i);

/* The descriptor of name, the current entry, opened ahead, with *st its
 * fstat(); -1 when it was not, or could not be, opened ahead. */
int scan_io_window_take(struct scan_io_window *w, const char *name,
			struct stat *st);

/* Wait for the files still in flight and close them. A pool that may
 * sleep goes back to sleep when the folder's files came from the page
 * cache. */
void scan_io_window_end(struct scan_io_window *w);

/* End the window and free what it holds. */
void scan_io_window_release(struct scan_io_window *w);

#endif
