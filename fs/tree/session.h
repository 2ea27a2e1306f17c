/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SESSION_H
#define MEDIAMON_SESSION_H

/*
 * The session loop: libfuse's fuse_session_loop_mt(), each of its
 * threads reading the kernel's requests from its own clone of the FUSE
 * device (clone_fd), up to -o max_threads of them, the idle ones ended
 * past -o max_idle_threads when given (libfuse's defaults otherwise: 10
 * threads, none ended); fuse_session_loop() on the calling thread alone
 * under -s. A callback may take as long as it must: the other threads
 * answer meanwhile.
 *
 *	rc = session_run(se, &cmd);
 *
 * Every request of fs_operations is framed by session_begin() and
 * session_end() (fs.c), which count it for /metrics/fuse.json and give
 * the thread's read connection the store's current file first.
 */

#include <stdint.h>

struct fuse_cmdline_opts;
struct fuse_session;

/* How the mount answers, and what it answered, for /metrics/fuse.json. */
struct session_stats {
	int multithreaded;		/* fuse_session_loop_mt(), not -s */
	unsigned int max_threads;	/* 1 under -s */
	unsigned int max_idle_threads;	/* or SESSION_NO_IDLE_LIMIT */
	uint64_t requests;		/* answered since start or reset */
	unsigned int in_flight;		/* being answered now */
	/* moves of the store (indexer_generation()) the kernel was not yet
	 * told to forget in full; -1 while no invalidation thread runs */
	int64_t invalidation_behind;
};

#define SESSION_NO_IDLE_LIMIT ((unsigned int)-1)

/*
 * Serve se, mounted, until it ends (unmounted, or a signal), with the
 * command line's loop options in cmd (fuse_parse_cmdline()). Returns
 * 0, the number of the signal that ended it, or a negative errno value
 * (logged).
 */
int session_run(struct fuse_session *se, const struct fuse_cmdline_opts *cmd);

/* Before a request is answered: counts it as in flight and closes the
 * thread's read connection if the store's file was replaced (it holds
 * no statement between requests). */
void session_begin(void);

/* After it was answered: counts it as answered. */
void session_end(void);

/* Copy how the mount answers into out; safe from any thread. */
void session_get_stats(struct session_stats *out);

/* Set the requests answered to zero (control/reset-metrics); safe from
 * any thread. */
void session_reset_stats(void);

/* The invalidation thread (fs/mount/invalidate.h) has told the kernel to
 * forget all that the store's moves up to generation made stale; safe
 * from any thread. */
void session_invalidated(uint64_t generation);

#endif
