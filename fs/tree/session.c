/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The session loop (session.h): libfuse's loop, multi-threaded or not,
 * and each request counted for /metrics/fuse.json, with how far the
 * invalidation thread is behind the store. It answers no request
 * itself; fs.c does.
 */
#include "fs/tree/session.h"

#include <errno.h>
#include <fuse_lowlevel.h>
#include <stdatomic.h>

#include "common/log.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

static struct {
	atomic_int multithreaded;
	atomic_uint max_threads, max_idle_threads;
	atomic_ullong requests;
	atomic_uint in_flight;
	atomic_int invalidating;
	atomic_ullong invalidated;
} session = {
	.max_idle_threads = SESSION_NO_IDLE_LIMIT,
};

/* libfuse's multi-threaded loop with a clone of the device per thread:
 * raced against a loop of mediamon's own that answered walks on the
 * walker's CPU, it read faster and kept the status files quicker during
 * a scan (docs/PERFORMANCE.md). Idle threads are ended only when the
 * command line says how many may stay: libfuse's default keeps them
 * all. */
static int run_mt(struct fuse_session *se, const struct fuse_cmdline_opts *cmd)
{
	struct fuse_loop_config *lc = fuse_loop_cfg_create();
	int rc;

	if (!lc)
		return log_error(-ENOMEM, "out of memory for libfuse's loop");
	fuse_loop_cfg_set_clone_fd(lc, 1);
	fuse_loop_cfg_set_max_threads(lc, cmd->max_threads);
	if (cmd->max_idle_threads != SESSION_NO_IDLE_LIMIT)
		fuse_loop_cfg_set_idle_threads(lc, cmd->max_idle_threads);
	atomic_store(&session.multithreaded, 1);
	atomic_store(&session.max_threads, cmd->max_threads);
	atomic_store(&session.max_idle_threads, cmd->max_idle_threads);
	rc = fuse_session_loop_mt(se, lc);
	fuse_loop_cfg_destroy(lc);
	return rc;
}

int session_run(struct fuse_session *se, const struct fuse_cmdline_opts *cmd)
{
	if (!cmd->singlethread)
		return run_mt(se, cmd);
	atomic_store(&session.max_threads, 1);
	return fuse_session_loop(se);
}

void session_begin(void)
{
	atomic_fetch_add(&session.in_flight, 1);
	reader_refresh();
}

void session_end(void)
{
	atomic_fetch_add(&session.requests, 1);
	atomic_fetch_sub(&session.in_flight, 1);
}

void session_get_stats(struct session_stats *out)
{
	out->multithreaded = atomic_load(&session.multithreaded);
	out->max_threads = atomic_load(&session.max_threads);
	out->max_idle_threads = atomic_load(&session.max_idle_threads);
	out->requests = atomic_load(&session.requests);
	out->in_flight = atomic_load(&session.in_flight);
	out->invalidation_behind = -1;
	if (atomic_load(&session.invalidating)) {
		uint64_t done = atomic_load(&session.invalidated);
		uint64_t now = indexer_generation();

		out->invalidation_behind = now > done ?
					   (int64_t)(now - done) : 0;
	}
}

void session_reset_stats(void)
{
	atomic_store(&session.requests, 0);
}

void session_invalidated(uint64_t generation)
{
	atomic_store(&session.invalidated, generation);
	atomic_store(&session.invalidating, 1);
}
