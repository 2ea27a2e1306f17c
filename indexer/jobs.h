#ifndef MEDIAMON_JOBS_H
#define MEDIAMON_JOBS_H

/*
 * The jobs thread: network work and timed work, one job at a time, so a
 * service's rate limit is simple to hold. Its jobs are the monitor's two
 * checks and the Real-Debrid repair passes (rd_repair.h), run on request
 * and every auto_check_interval; a repair pass that waits for a download
 * or a retry asks for a follow-up pass, which runs when it is due.
 * Changes under the library folders (rd_watch.h) update the links the
 * repair knows between passes, and the links are walked once at start.
 * Maintenance (maintenance.h) runs when a backup is due.
 *
 *	jobs_start(cfg, scanning);
 *	jobs_submit(JOBS_CHECK_MISSING, "control");
 *	...
 *	jobs_stop();
 *
 * Requests never wait: they are queued, and a request for a job already
 * queued is merged with it. A job that is running when a request for it
 * arrives runs once more afterwards, so it sees the latest state.
 */

#include "indexer/monitor/monitor.h"

struct config;

enum jobs_job {
	JOBS_CHECK_MISSING = 1 << 0,
	JOBS_CHECK_NEW = 1 << 1,
	JOBS_REPAIR_SCAN = 1 << 2,	/* detect and map dead links */
	JOBS_REPAIR_RUN = 1 << 3,	/* and repair them */
	JOBS_MAINTENANCE = 1 << 4,	/* retention and backups */
	JOBS_REPAIR_LINKS = 1 << 5,	/* links the watcher saw change */
};

struct jobs_status {
	int running;			/* the job running, or 0 */
	unsigned pending;		/* jobs queued */
	unsigned enabled;		/* jobs the configuration allows */
	double next_auto_at;		/* wall clock; 0: no auto checks */
	int have_monitor;		/* monitor holds figures */
	struct monitor_stats monitor;
};

/*
 * Start the thread for cfg (which must outlive it). Auto checks run every
 * auto_check_interval after the last one recorded in the store (at once
 * when it is overdue), but never while scanning() says a scan runs or
 * waits: they wait for it. Returns 0 or a negative errno value.
 */
int jobs_start(const struct config *cfg, int (*scanning)(void));

/* Stop the running job early (nothing is lost) and the thread. */
void jobs_stop(void);

/*
 * Queue jobs (an OR of enum jobs_job); trigger names the cause. Returns
 * 0, -EPERM when the configuration switches a job off, -EAGAIN while the
 * jobs are stopped (between a reload's stop and start), or -EINVAL for
 * an unknown job.
 */
int jobs_submit(unsigned jobs, const char *trigger);

/* Copy the status; callable from any thread. */
void jobs_status(struct jobs_status *out);

/* Set the counters of the monitor's figures to zero. */
void jobs_reset_stats(void);

/*
 * Dry-run: when on, jobs compute and show what they would do and send,
 * delete or command nothing. It starts as [general] dry_run says; the
 * mount may switch it (/control/dry-run) until the daemon stops.
 */
int jobs_dry_run(void);
void jobs_set_dry_run(int on);

/*
 * Whether the configuration lets job run: the checks as [monitor] says,
 * a repair scan (and the update of links the watcher saw change) once
 * [realdebrid] has a mount and a library, a repair run once it has an
 * api_token too, maintenance always.
 */
int jobs_enabled(const struct config *cfg, enum jobs_job job);

#endif
