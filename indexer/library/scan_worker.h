/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_WORKER_H
#define MEDIAMON_SCAN_WORKER_H

/*
 * The state the scanner's files share: the scan's (the stack of folders
 * to walk under its lock, what renames took and what went) and each
 * worker's own (its records not yet queued, its counters and times, the
 * entries of the folder it reads, its read connection to the store). A
 * worker adds its counters to the scan's every STATS_EVERY_NS and at its
 * end (scan_worker_flush()).
 *
 *	struct scan_worker wk = { .s = s, .batch = WRITER_BATCH_INIT,
 *				  .names = STRBUF_INIT, .path = STRBUF_INIT };
 *	...
 *	scan_worker_flush(&wk);
 *	scan_worker_release(&wk);
 */

#include <pthread.h>
#include <semaphore.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "common/strbuf.h"
#include "indexer/library/scan_request.h"
#include "indexer/library/scan_dirs.h"
#include "indexer/library/scan_io.h"
#include "indexer/library/scan_store.h"
#include "indexer/library/music.h"
#include "common/symlinks.h"
#include "indexer/store/writer.h"

/* A file the store knows under a path the walk did not find: deleted at
 * the end, unless a rename claimed it meanwhile. */
struct scan_worker_gone {
	struct scan_worker_gone *next;
	int64_t id;
};

/* A file the store knew under the scanned paths, by inode, for renames;
 * read from the store the first time a new file is met. */
struct scan_worker_by_inode {
	int64_t inode, id, size, mtime_ns;
};

struct scan_worker_dir_job {
	size_t len;
	char path[];		/* NUL-terminated */
};

/* A folder's subfolders, gathered to be pushed at once. */
struct scan_worker_subdirs {
	struct scan_worker_dir_job **v;
	size_t nr, alloc;
};

struct scan {
	const char *db_path;
	const struct scan_request *req;
	struct scan_stats *stats;
	double started;		/* clock_mono() */
	int root_fd;
	struct symlinks_rule rule;
	int refused;		/* links not followed, said once */
	int noatime_refused;	/* O_NOATIME refused once: not tried again */
	int for_now;		/* a failure a later scan may not meet */
	int bulk;		/* the store has nothing under the paths: a
				 * bulk load (music_rec.wr.bulk) */
	/* The root's file system gives a folder a new change time whenever
	 * a name in it comes or goes: a folder of the root's device whose
	 * change time and inode are still those the store keeps with its
	 * listing is not listed again (scan_listing_load()). */
	int listings;
	dev_t root_dev;
	struct scan_dirs dirs;
	/* The files known at exactly a subpath: a file rescanned alone. */
	struct scan_store_files alone;
	/* The files opened ahead of the workers (req->io_depth). */
	struct scan_io io;
	/* The workers that parse at once: req->threads (scan.c may start
	 * more, to list more folders at once). */
	sem_t parsing;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* The walkers beyond req->threads wait on it while the pool of
	 * files opened ahead sleeps (a local file system's warm cache). */
	pthread_cond_t woken;
	int nr_walkers;		/* started so far */
	/* The directories to walk, a stack: a folder's subfolders go on it
	 * in the reverse of their paths' order, so the walk goes depth
	 * first in about the order of the store's path index, and a first
	 * scan adds its rows near the index's end instead of splitting its
	 * pages all over it. */
	struct scan_worker_dir_job **jobs;
	size_t nr_jobs, alloc_jobs;
	size_t busy;		/* jobs queued or being worked on */

	/* Under lock: renames and what went. */
	struct scan_worker_by_inode *inodes;
	size_t nr_inodes;
	int inodes_loaded;
	void *claimed;		/* tsearch() tree of what renames took */
	int renamed;		/* one did (atomic: read without the lock) */
	struct scan_worker_gone *gone;
};

/* One entry of the directory being scanned. */
struct scan_worker_listed {
	size_t name;		/* in the worker's names */
	size_t len;
	unsigned char type;	/* d_type */
	int stated;		/* st holds the entry's stat */
	struct stat st;
};

/* One worker's own state: the records it has not queued yet, its times
 * (its walk is the time it was neither parsing nor waiting for a
 * folder, so that a folder costs no clock reading), its counters, added
 * to the scan's every STATS_EVERY_NS and at its end (atomics shared by
 * every worker, bumped per file or even per folder, would bounce one
 * cache line between the cores), the entries of the directory it reads
 * and, once needed, a read connection to look up the files a directory
 * held. */
struct scan_worker {
	struct scan *s;
	struct writer_batch batch;
	uint64_t started_ns;	/* 0: not a walk's worker, whose walk is
				 * not timed */
	uint64_t parse_ns, idle_ns;
	uint64_t walk_added_ns;	/* the walk time local held so far */
	struct scan_stats local;
	uint64_t added_ns;	/* when local was last added to the scan's
				 * (coarse clock) */
	struct scan_worker_listed *ents;
	size_t nr_ents, alloc_ents;
	struct strbuf names;
	struct strbuf path;
	struct scan_worker_subdirs subdirs;
	size_t near; /* scan_dirs_find()'s first guess */
	struct scan_store_files known;
	struct scan_io_window io;	/* the folder's files opened ahead */
	long inblock;		/* scan_io_note_reads()'s last look */
	int extra;		/* a walker beyond req->threads */
	/* getdents64()'s, its records 8-byte aligned as struct dirent64 */
	_Alignas(8) char dents[32768];
	sqlite3 *db;
	sqlite3_stmt *files_of_dir, *path_of_file, *listing_of_dir;
	int db_failed;
	int reading;		/* a read transaction of listings is open */
};

/* How often a worker adds its counters to the scan's: progress is read
 * by people, every second or so. */
#define STATS_EVERY_NS 20000000ull

static inline void scan_worker_stat_add(uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

static inline uint64_t scan_worker_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline uint64_t scan_worker_now_ns(void)
{
	return scan_worker_clock_ns(CLOCK_MONOTONIC);
}

static inline int64_t scan_worker_ts_ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000ll + t->tv_nsec;
}

static inline int64_t scan_worker_mtime_ns(const struct stat *st)
{
	return scan_worker_ts_ns(&st->st_mtim);
}

/* What rec records of the file as st saw it: size, times, inode, owner. */
static inline void scan_worker_rec_stat(struct music_rec *rec,
					const struct stat *st)
{
	rec->size = st->st_size;
	rec->mtime_ns = scan_worker_mtime_ns(st);
	rec->inode = st->st_ino;
	rec->uid = st->st_uid;
}

void scan_worker_flush(struct scan_worker *wk);

/* The worker's read connection, opened the first time it is needed. */
sqlite3 *scan_worker_open(struct scan_worker *wk);

/* End the read transaction the listings are looked up in, so that what is
 * read next is what the writer has committed since. */
void scan_worker_read_end(struct scan_worker *wk);

/* The worker's read connection for a statement that must see the
 * writer's latest. */
sqlite3 *scan_worker_db(struct scan_worker *wk);

/* Free what a worker holds, its read connection too. */
void scan_worker_release(struct scan_worker *wk);

#endif
