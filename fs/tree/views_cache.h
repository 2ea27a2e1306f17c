/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_VIEWS_CACHE_H
#define MEDIAMON_VIEWS_CACHE_H

/*
 * The folders of the library views as listed (struct views_listing), and
 * the small cache that keeps them until the store moves, so a walk of the
 * tree reads each folder once.
 *
 * Everything here runs under the cache's one lock, views_cache_lock(),
 * but the making of a listing, which takes the time: a listing is begun
 * under the lock (views_cache_begin()), made without it, and finished
 * under it again (views_cache_finish()); a thread that wants a folder
 * another one is making waits for it (views_cache_wait()) rather than
 * make it too.
 *
 *	views_cache_lock();
 *	views_cache_check();
 *	while (!(ls = views_cache_find(path, len)) &&
 *	       views_cache_wait(path, len))
 *		;
 *	...
 *	views_cache_unlock();
 */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/tree/views_name.h"
#include "indexer/reads.h"

#define VIEWS_MAX_KEYS 8

enum views_item_type { VIEWS_ITEM_DIR, VIEWS_ITEM_FILE, VIEWS_ITEM_MISSING };

/* What an entry of a folder stands for: a folder, selected by its keys
 * (of a music view: with the files.id of one of its tracks); a file (its
 * files.id, negated for an embedded picture), with its path on disk when
 * known; or a missing volume. */
struct views_item {
	enum views_item_type type;
	int64_t file;
	char *real;		/* a track's file on disk, or NULL */
	struct query_key key[2];
	int nkeys;		/* a folder's: how many of key select it */
	int file_decides;	/* a folder's name is file's track's alone
				 * (query_group): who may not read file
				 * may not see it */
};

/* Which entries of a folder one caller (caller_who()) may see, judged
 * at when: per entry 0 (not judged yet), VIEWS_HIDDEN or VIEWS_SHOWN. */
#define VIEWS_SEEN 4
enum { VIEWS_HIDDEN = 1, VIEWS_SHOWN };

struct views_seen {
	uint64_t who;
	double at;
	unsigned char *verdict;
};

/* One folder as listed: its names, what each stands for, the keys that
 * select its own content (its ancestors' and its own), and what the last
 * few callers other than the owner may see of it. A folder whose names
 * depend on who asks is made for one caller (who, its caller_who()):
 * only what that caller may see is in it, told apart among itself. */
struct views_listing {
	char *path;
	size_t len;		/* of path */
	uint64_t who;		/* the caller it is made for, or 0: all */
	double made;		/* when, for a caller's (clock_mono()) */
	unsigned long serial;	/* tells it from a later one at its address */
	unsigned long used;
	uint64_t generation;	/* the cache's generation when begun */
	uint64_t epoch;		/* the cache's epoch then */
	struct views_listing *next_building;
	struct views_list names;
	struct views_item *items;
	size_t nr, alloc;
	struct query_key chain[VIEWS_MAX_KEYS];
	int nchain;
	char *anchor;		/* a file on disk a caller must be able to
				 * read to see any of it, or NULL */
	double stated;		/* when its files were last queued to be
				 * stated ahead (clock_mono()), or 0 */
	struct views_seen seen[VIEWS_SEEN];
};

/*
 * Add an entry named name (made with views_name_add(), its last ext_len
 * bytes the extension) standing for *it, whose key texts and real path
 * the listing then owns. Returns 0 or -ENOMEM (nothing taken).
 */
int views_listing_add(struct views_listing *ls, const struct strbuf *name,
		      size_t ext_len, const struct views_item *it);

/* Keep only the entries i of ls where keep[i] is nonzero, before its
 * names are settled (views_list_settle()), so that only those are told
 * apart. */
void views_listing_keep(struct views_listing *ls, const unsigned char *keep);

/* Free a listing that is in no cache. Takes NULL. */
void views_listing_free(struct views_listing *ls);

void views_cache_lock(void);
void views_cache_unlock(void);

/*
 * Drop every cached folder once the store has moved (indexer_generation())
 * and begin a new epoch, keeping what was dropped for
 * views_cache_retired() while there is room.
 */
void views_cache_check(void);

/* The epoch: how many times the cache was dropped, from 1. */
uint64_t views_cache_epoch(void);

/*
 * The cached folder at the len bytes of path made for who (0: for all),
 * begun in this generation (and, for a caller, less than CALLER_KEEP_S
 * ago), marked as used now; NULL when there is none.
 */
struct views_listing *views_cache_find(const char *path, size_t len,
				       uint64_t who);

/* Whether the folder at path is being made for who by some thread. */
int views_cache_building(const char *path, size_t len, uint64_t who);

/*
 * When the folder at path is being made for who, wait until it is done
 * (the lock is let go meanwhile) and return 1; else return 0 at once.
 */
int views_cache_wait(const char *path, size_t len, uint64_t who);

/* Wait for cond to be signalled, letting the lock go meanwhile. */
void views_cache_wait_on(pthread_cond_t *cond);

/* A new empty listing for path made for who (0: for all), marked as
 * being made, of the cache's generation of the store (of the read this
 * thread holds, reader_generation(), when that is older: it is not kept
 * as the store's now). NULL: no memory. */
struct views_listing *views_cache_begin(const char *path, size_t len,
					uint64_t who);

/*
 * End the making of ls: on success (rc 0) keep it in place of the folder
 * used longest ago, else free it; wake the threads waiting for it.
 */
void views_cache_finish(struct views_listing *ls, int rc);

/*
 * Take the folders dropped since the last call into gone (room for
 * VIEWS_CACHE_SLOTS); returns how many. They are the caller's to free.
 */
#define VIEWS_CACHE_SLOTS 64
size_t views_cache_retired(struct views_listing **gone);

#endif
