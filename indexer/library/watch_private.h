/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_WATCH_PRIVATE_H
#define MEDIAMON_WATCH_PRIVATE_H

/*
 * What the watcher's files share, for them alone: its one state, the
 * places it keeps, the watches by descriptor and by path
 * (watch_map.c), the thread that reads events and hands batches to the
 * scanner (watch_events.c), and its start, stop and counters
 * (watch.c). The fields after lock are read and written under it; the
 * batch at the end is the watcher thread's own.
 */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/inotify.h>

#include "common/hmap.h"
#include "indexer/library/watch.h"

#define LATENCY_RING 1024
#define MOVES_KEPT 1024		/* moves away remembered for scans */
#define WATCH_QUEUE_MAX (16 << 20)	/* bytes of events read ahead */
#define STORM_MOVES 64		/* renames in a folder in one window that
				 * make a storm (watch_events.c) */
#define STORM_HOLD_S 30		/* the longest renames keep a folder */

/* A path under a root: what a watch covers, or what an event touched. */
struct watch_place {
	struct hmap_entry ent;	/* watched: in watch_wt.watched */
	size_t root;
	char *rel;
	int wd;			/* watched: its descriptor */
	double at;		/* touched: when it was seen; watched: when
				 * its watch was last made (monotonic) */
	uint32_t cookie;	/* pending move: the kernel's pairing cookie */
	int isdir;
	/* touched: the renames that touched it in this window (they keep
	 * it for the next), and whether they made a storm; pending move:
	 * 1 once it may end (watch_events.c's move_due()) */
	unsigned moves;
	int storm;
	/* watched: the watched folder right above it (NULL: none, or it is
	 * its root's own), and its siblings' list below that one; its own
	 * first one below it */
	struct watch_place *parent, *next, *prev, *child;
};

struct watch_place_list {
	struct watch_place *v;
	size_t nr, alloc;
};

struct watch_state {
	struct watch_setup set;		/* for its callbacks */
	char **roots;			/* copies of the roots */
	size_t nr_roots;
	char **libs;			/* Real-Debrid library folders, roots
					 * nr_roots and up, normalized */
	size_t nr_libs;
	long debounce_ms, poll_s;
	long max_watches;		/* [general] max_watches; 0: none */
	/* one inotify instance per root and library folder (fds[i] of
	 * number i), so that an overflow tells whose events it lost; -1:
	 * one the kernel refused, whose root shares fds[0]'s */
	int *fds;
	size_t nr_fds;
	int wake_fd;			/* stop, events read, or start
					 * polling */
	pthread_t thread;
	int running;

	/* the events read ahead by the reader (watch_queue.c) */
	pthread_t reader;
	int reader_stop;		/* eventfd: the reader stops */
	pthread_mutex_t qlock;		/* the four below */
	pthread_cond_t qroom;		/* the watcher took the queue */
	char *q;
	size_t q_len, q_alloc;

	pthread_mutex_t lock;		/* everything below */
	struct watch_place **map;	/* watched, by descriptor */
	size_t map_alloc;
	struct hmap watched;		/* the same, by path */
	double lost_at;			/* when an overflow was read, which
					 * may have lost a watch's IN_IGNORED:
					 * a place made before is made again
					 * at its next walk (watch_map.c) */
	size_t orphans;			/* watched below a root, with no
					 * watched folder above: a move
					 * then looks at every watch */
	struct hmap polled;		/* directories the limit left out, by
					 * path, as watched */
	struct watch_status st;
	double ring[LATENCY_RING];
	size_t ring_nr, ring_next;
	/* what moved away lately, for scans that met it nowhere */
	struct watch_place gone[MOVES_KEPT];
	size_t gone_next;
	double gone_lost_at;		/* of the latest record written over */
	/* watch_settle(): asks counted, and the last ask answered */
	pthread_cond_t settled;
	unsigned long settle_asked, settle_done;
	char *settle_scope;		/* their path, NULL for all */
	int settle_scoped;		/* settle_scope is set */

	/* the watcher thread's own batch */
	struct watch_place_list touched, moves;
	double window_start, next_poll;
	int overflowed;			/* a library folder's instance did:
					 * every link looked at */
};

/* The watcher's state; watch.c holds it. */
extern struct watch_state watch_wt;

/* watch_map.c */

/*
 * watch_dir() (watch.h) but for waking the watcher: returns 1 when the
 * folder is now polled and the watcher must be woken to start its poll
 * clock (watch_wake()), else 0. The map calls no other file of the
 * watcher: its callers act on what it returns.
 */
int watch_map_dir(size_t root, const char *rel, size_t len, int dirfd);

/* Add a place at rel (len bytes) under root to l. Returns 0 or -ENOMEM
 * (logged). */
int watch_list_add(struct watch_place_list *l, size_t root, const char *rel,
		   size_t len);

/* Remove the place at i from l, the last one taking its slot. */
void watch_list_del(struct watch_place_list *l, size_t i);

/* Remove every place of l, keeping its array. */
void watch_list_clear(struct watch_place_list *l);

/* The folder of root number root: an indexed root, or a library folder
 * of Real-Debrid links after them. */
const char *watch_root_path(size_t root);

/* Free a watched or polled place, an entry of watch_wt.watched or
 * watch_wt.polled. */
void watch_map_entry_free(struct hmap_entry *e);

/* Poll rel under root no more; under the lock. */
void watch_polled_drop(size_t root, const char *rel);

/* The watched place of descriptor wd, or NULL. */
struct watch_place *watch_map_get(int wd);

/* Forget the watch of descriptor wd, which the kernel removed. */
void watch_map_drop(int wd);

/* A directory renamed inside the tree keeps its watches: only the paths
 * the map gives them change, at the cost of the folders below it. */
void watch_map_move(size_t root, const char *from, size_t to_root,
		    const char *to);

/* A directory moved out of every root is no longer ours to watch. */
void watch_map_forget(size_t root, const char *dir);

/* Set mark[r] for each root r that a watch made in instance (of
 * watch_queue_add()) lies in now: a folder renamed into another root
 * keeps the instance its watch was made in. Under the lock. */
void watch_map_roots_of(size_t instance, unsigned char *mark);

/* watch_queue.c */

/* Wake the watcher thread from its poll(): to stop, to take what the
 * reader drained, or to start the clock of the polled directories. */
void watch_wake(void);

/* Open the inotify instances, one per root and library folder (at least
 * one: a root the kernel gives none shares the first's). Returns 0 or a
 * negative errno value (logged). */
int watch_queue_open(void);

/* Close them. */
void watch_queue_close(void);

/* Watch path (a folder of root number root) in root's instance with
 * mask: the descriptor, unique across the instances (the kernel's is
 * per instance), or -1 with errno set, as inotify_add_watch(). */
int watch_queue_add(size_t root, const char *path, uint32_t mask);

/* Remove the watch of descriptor wd (watch_queue_add()'s). */
void watch_queue_rm(int wd);

/* The instance root's events come through (a number of root). */
size_t watch_queue_instance(size_t root);

/* The instance an overflow event (IN_Q_OVERFLOW) handed by
 * watch_queue_take() lost events of. */
size_t watch_queue_overflowed(const struct inotify_event *ev);

/* Start the thread that reads the kernel's events ahead into memory.
 * Returns 0 or a negative errno value (logged). */
int watch_queue_start(void);

/* Stop it, and drop what it read that was not taken. */
void watch_queue_stop(void);

/* Read what the kernel's queue holds now into memory, behind what is
 * there; from either thread. Returns 1 when something was read. */
int watch_queue_drain(void);

/* Take what was read, and hand each event to fn, in each instance's
 * order, with the time it was read (monotonic) and its descriptor as
 * watch_queue_add() gave it. */
void watch_queue_take(void (*fn)(const struct inotify_event *ev,
				 double at));

/* watch_events.c */

/* The watcher thread: reads the events, gathers them for a window of
 * debounce_ms, hands each batch to the scanner, polls what has no
 * watch. */
void *watch_main(void *unused);

/* An event read at now (monotonic), as watch_queue_take() hands it: the
 * watcher thread's. */
void watch_event(const struct inotify_event *ev, double now);

/* The window is over: the moves that may end do, and what it
 * touched goes to the scanner in one batch, but for what renames hold,
 * which stays in the window that opens. The watcher thread's. */
void watch_flush(void);

#endif
