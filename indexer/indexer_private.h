/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_INDEXER_PRIVATE_H
#define MEDIAMON_INDEXER_PRIVATE_H

/*
 * What the indexer's files share, for them alone (the mount and the rest
 * of the daemon go through indexer.h): the one state of the indexer,
 * guarded by its lock, and the calls between its files: the queue of
 * scan orders (indexer_queue.c), one order's run (indexer_runs.c), the
 * roots of a start (indexer_roots.c), the store's faults
 * (indexer_store.c) and the settings the store keeps
 * (indexer_settings.c); the thread, start and stop are indexer.c's.
 */

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "indexer/indexer.h"

/* Why a scan is cancelled: the daemon stops (for good), or the writer
 * lost a transaction (for that scan only). */
#define CANCEL_STOP 1
#define CANCEL_LOSS 2

/* Subtree requests beyond this many merge into a scan of every root. */
#define PENDING_PATHS_MAX 256

/* A scan the store failed is run again after a wait that doubles each
 * time, from the first to the last, or as soon as the store's disk has
 * room again; one that failed for want of descriptors or memory, or on
 * an i/o error or a busy store, after a longer one, as what it waits for
 * is other programs (or users) letting go, or a disk coming back. */
#define RETRY_FIRST_S 1.0
#define RETRY_MAX_S 60.0
#define LATER_FIRST_S 10.0
#define LATER_MAX_S 600.0

/* What became of a scan order: done (or failed for good), or to run
 * again once the store takes writes, or later. */
enum indexer_outcome { RUN_DONE, RUN_AGAIN_STORE, RUN_AGAIN_LATER };

struct order_path {
	size_t root;
	char *sub;
	double event_at;	/* when the watcher saw it change, or 0 */
};

/* One queued scan: all roots, or a list of root-relative subtrees. */
struct scan_order {
	char trigger[INDEXER_TRIGGER_LEN];
	int all;
	int full;
	int confirm;		/* remove what is gone, however much */
	size_t nr;
	double event_at;	/* the earliest change behind it, or 0 */
	struct order_path paths[PENDING_PATHS_MAX];
};

/*
 * The roots of one start, as one block: FUSE threads read them (health)
 * while a reload stops and starts the indexer, so a block, once shown,
 * is kept until the daemon exits, in the list of retired ones.
 */
struct indexer_roots_block {
	struct indexer_roots_block *retired;
	size_t nr;
	const char **paths;	/* r's paths, for symlinks.h's rules */
	struct indexer_root r[];
};

/* The indexer's one state, defined in indexer.c. */
struct indexer_state {
	const struct config *cfg;
	struct indexer_roots_block *block;
	struct indexer_root *roots;	/* block's, while running */
	size_t nr_roots;
	double started_at;
	double counters_since;	/* 0: since the start */

	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int running, stopping;
	int cancel;		/* stops the running scan: CANCEL_STOP/LOSS */
	int busy;		/* an order is being carried out */
	int starting;		/* ... and its scan does not run yet */
	int recovered;		/* the store was restored: scan it all */
	int silent;		/* start no notifier: --check's dry-run */
	int started;		/* started once: a start is a reload's */

	struct scan_order pending;
	int has_pending;
	int settling;		/* rescans taking the watcher's window in */
	double retry_at;	/* monotonic: the pending scan waits until */
	double retry_wait;	/* the next wait after a failure */
	double mend_at, mend_wait;	/* the same for mending the store */
	double guard_at;	/* monotonic: next look at unavailable roots */
	struct indexer_scan_result last;
	int has_last;
	uint64_t unstored_failures;

	/* the running scan, read by indexer_status() */
	int scanning;
	int64_t scan_id;
	struct scan_order current;
	double scan_started_mono, scan_started_wall, write_s_start;
	struct scan_stats stats;
};

extern struct indexer_state indexer;

/* indexer_queue.c: fold a request into order o (the pending one, with
 * indexer.lock held); empty o, freeing its paths; put a failed order
 * back in front of the pending one. */
int indexer_order_merge(struct scan_order *o, const char *trigger, int full,
			int root, const char *sub, double event_at);
void indexer_order_clear(struct scan_order *o);
void indexer_order_requeue(const struct scan_order *o);

/* indexer_runs.c: carry out indexer.current, on the indexer thread; the
 * writer's loss callback, which cancels the running scan. */
enum indexer_outcome indexer_run_order(void);
void indexer_on_loss(void);
/* What order o covers, as the scan history says it: "all" (every root)
 * or "subtree", then ",full" when every file is read again. */
void indexer_scope(const struct scan_order *o, char out[INDEXER_SCOPE_LEN]);

/* indexer_roots.c: the configured roots in a new block; the roots table
 * made to match them (a writer call); the watcher started on them; the
 * root guard given them; whether one is unavailable, and a look again
 * at those (with indexer.lock released); a block shown to readers
 * (indexer_roots(), indexer_open_file()), or NULL; a block kept among
 * the retired ones until the daemon exits. */
struct indexer_roots_block *indexer_roots_new(const struct config *cfg);
int indexer_sync_roots(sqlite3 *db, void *unused);
void indexer_start_watch(const struct config *cfg);
void indexer_guard_roots(void);
int indexer_roots_down(void);
void indexer_roots_recheck(void);
void indexer_roots_show(struct indexer_roots_block *b);
void indexer_roots_retire(struct indexer_roots_block *b);

/* indexer_store.c: mend what can be mended of the store's fault; returns
 * 0 when the store takes writes again. */
int indexer_mend_store(void);

/* indexer_store.c: indexer_watch_store() (indexer.h) but for the
 * recovery: returns 1 when a corrupt page was met and the store is
 * damaged, for the caller to recover it with the indexer stopped; else
 * 0, what could be mended mended. */
int indexer_store_watch(void);

/* indexer_settings.c: the settings the store keeps of the configuration
 * (writer calls): covers, volume_from_chapters, and edition. */
int indexer_sync_covers(sqlite3 *db, void *unused);
int indexer_sync_volume_from_chapters(sqlite3 *db, void *unused);
int indexer_sync_edition(sqlite3 *db, void *unused);

#endif
