/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ANALYSIS_WORKER_H
#define MEDIAMON_ANALYSIS_WORKER_H

/*
 * The background analysis: [analysis] threads workers at the lowest CPU
 * and I/O priority take queued tracks one at a time (analysis_store.h),
 * analyse them in a mediamon-analyse child each (analysis_child.h) and
 * record what they found through the writer. They never start a track
 * while a scan runs or waits, while the mount served a read of a library
 * file in the last moments, or while the queue is paused.
 *
 *	analysis_worker_start(cfg, scanning, indexer_open_file);
 *	analysis_worker_pause(1);
 *	analysis_worker_status(&s);
 *	...
 *	analysis_worker_stop();
 *
 * The pause holds until the daemon exits, also across a reload's stop
 * and start.
 */

#include <stdint.h>

struct config;

#define ANALYSIS_ERROR_LEN 256

struct analysis_worker_status {
	int enabled;		/* [analysis] enabled, as started */
	int paused;
	int threads;		/* workers running */
	int busy;		/* tracks being analysed now */
	uint64_t done;		/* tracks analysed since start, failed too */
	uint64_t failed;	/* of which failed */
	double busy_s;		/* wall time while any track was analysed */
	double audio_s;		/* audio analysed, in seconds */
	double cpu_s;		/* the workers' CPU time analysing */
	int analyser_missing;	/* the last track found no mediamon-analyse */
	double last_error_at;	/* wall clock; 0: no error since start */
	char last_error[ANALYSIS_ERROR_LEN];	/* "PATH: why" */
	char last_error_path[ANALYSIS_ERROR_LEN];	/* PATH, whole or "" */
};

/*
 * Start cfg's workers (none when [analysis] enabled is off); cfg must
 * outlive them. scanning() says whether a scan runs or waits;
 * open_file() opens a track by the mount's rules for links (as
 * indexer_open_file()), returning the descriptor or -errno (-EXDEV for a
 * link out of the roots), which the worker passes to its child, confined
 * as [analysis] user. Returns 0 or a negative errno value; a worker that
 * cannot start is logged and the others run.
 */
int analysis_worker_start(const struct config *cfg, int (*scanning)(void),
			  int (*open_file)(const char *path, int flags));

/* Let the tracks being analysed finish and stop the workers. */
void analysis_worker_stop(void);

/* Pause (on) or resume the queue; a track under way is finished. */
void analysis_worker_pause(int on);

/* Note that the mount served a read: workers hold back for a moment. */
void analysis_worker_note_read(void);

/* Copy the live figures; callable from any thread. */
void analysis_worker_status(struct analysis_worker_status *out);

/*
 * Set the counters since the start (done, failed, busy_s, audio_s, cpu_s)
 * to zero; the last error stays. Callable from any thread.
 */
void analysis_worker_reset_counters(void);

#endif
