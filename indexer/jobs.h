/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_JOBS_H
#define MEDIAMON_JOBS_H

/*
 * The jobs threads: network work and timed work, in lanes that never
 * wait for each other, one job at a time within a lane, so each
 * service's rate limit is simple to hold (every service is used by one
 * lane only):
 *
 *   checks        the monitor's two checks, on request and every
 *                 [monitor] auto_check_interval, and the poll of the
 *                 download clients for the hand-offs on their way
 *                 every [download] poll_interval (tracker.h; a failed
 *                 one queues a missing check, which sends the next
 *                 release), and the releases sent by hand
 *                 (control/send, picked.h)
 *   repair        the Real-Debrid repair (rd_repair.h): passes on request
 *                 and every [realdebrid] check_interval, the follow-up
 *                 pass a repair waiting for a download or a retry asks
 *                 for, the links the watcher saw change (rd_watch.h; the
 *                 links are walked once at start), and the commands of
 *                 /control/repair (rd_commands.h)
 *   maintenance   retention every [retention] cleanup_interval, backups
 *                 every backup_interval (maintenance.h), and vacuum on
 *                 request
 *
 *	jobs_start(cfg, scanning);
 *	jobs_submit(JOBS_CHECK_MISSING, "control");
 *	jobs_submit_repair(&(struct rd_ask){ .mode = -1, .limit = 5 },
 *			   "control");
 *	jobs_submit_torrent(RD_COMMAND_RETRY, "ABCDEF123", "control");
 *	...
 *	jobs_stop();
 *
 * Requests never wait: they are queued, and a request for a job already
 * queued is merged with it. A job that is running when a request for it
 * arrives runs once more afterwards, so it sees the latest state.
 */

#include "indexer/monitor/monitor.h"
#include "indexer/realdebrid/rd_commands.h"
#include "indexer/realdebrid/rd_repair.h"

struct config;

enum jobs_job {
	JOBS_CHECK_MISSING = 1 << 0,
	JOBS_CHECK_NEW = 1 << 1,
	JOBS_REPAIR_TORRENTS = 1 << 2,	/* retry and forget, as asked */
	JOBS_REPAIR_RESYNC = 1 << 3,	/* list the whole account again */
	JOBS_REPAIR_SCAN = 1 << 4,	/* detect and map dead links */
	JOBS_REPAIR_RUN = 1 << 5,	/* and repair them */
	JOBS_REPAIR_LINKS = 1 << 6,	/* links the watcher saw change */
	JOBS_PRUNE = 1 << 7,		/* retention */
	JOBS_BACKUP = 1 << 8,
	JOBS_VACUUM = 1 << 9,
	JOBS_TRACK = 1 << 10,		/* follow the hand-offs (tracker.h) */
	JOBS_SEND = 1 << 11,		/* releases sent by hand (picked.h) */
};

/* The jobs of each lane. */
#define JOBS_CHECKS (JOBS_CHECK_MISSING | JOBS_CHECK_NEW)
#define JOBS_REPAIR (JOBS_REPAIR_TORRENTS | JOBS_REPAIR_RESYNC | \
		     JOBS_REPAIR_SCAN | JOBS_REPAIR_RUN | JOBS_REPAIR_LINKS)
#define JOBS_MAINTENANCE (JOBS_PRUNE | JOBS_BACKUP | JOBS_VACUUM)

/* Releases sent by hand waiting at most, beyond which one is refused. */
#define JOBS_SENDS_MAX 64

/* Torrent commands waiting at most, beyond which a request is refused. */
#define JOBS_TORRENTS_MAX 64

/* The longest reason a backup's folder was refused that is shown. */
#define JOBS_WHY_LEN 512

struct jobs_status {
	unsigned running;		/* the jobs running, one per lane */
	unsigned pending;		/* jobs queued */
	unsigned enabled;		/* jobs the configuration allows */
	double next_auto_at;		/* wall clock; 0: no auto checks */
	double next_repair_at;		/* the next timed or follow-up pass */
	double next_prune_at, next_backup_at;
	int backup_error;		/* the last backup's errno, 0: it
					 * went */
	double backup_failed_at;	/* when it failed; 0 when it went */
	int far_error;			/* the last copy into backup_dir's
					 * errno, 0: it went (or none) */
	double far_failed_at;		/* when it failed */
	char backup_why[JOBS_WHY_LEN];	/* why the folder of the failed
					 * one was refused, "" */
	int repair_mode;		/* enum rd_mode of passes nobody asked
					 * for */
	int have_monitor;		/* monitor holds figures */
	struct monitor_stats monitor;
};

/*
 * Start the lanes for cfg (which must outlive them). Auto checks run
 * every auto_check_interval after the last one recorded in the store,
 * timed repair passes every check_interval after the last run pass
 * recorded (each at once when it is overdue), but never while scanning()
 * says a scan runs or waits: they wait for it. Returns 0 or a negative
 * errno value.
 */
int jobs_start(const struct config *cfg, int (*scanning)(void));

/* Stop the running jobs early (nothing is lost) and the threads. */
void jobs_stop(void);

/*
 * Queue jobs (an OR of enum jobs_job); trigger names the cause. Returns
 * 0, -EPERM when the configuration switches a job off, -EAGAIN while the
 * jobs are stopped (between a reload's stop and start), or -EINVAL for
 * an unknown job.
 */
int jobs_submit(unsigned jobs, const char *trigger);

/*
 * Queue a run pass of ask's mode and limit (rd_repair.h); it takes the
 * place of the ask of a run pass queued and not started yet. Returns as
 * jobs_submit().
 */
int jobs_submit_repair(const struct rd_ask *ask, const char *trigger);

/*
 * Queue the retry or the forgetting (cmd) of the repair of torrent id
 * (checked with rd_commands_check() first), then, for a retry, a run
 * pass. Returns as jobs_submit(), or -EBUSY when JOBS_TORRENTS_MAX
 * commands wait already.
 */
int jobs_submit_torrent(enum rd_command cmd, const char *id,
			const char *trigger);

/*
 * Queue the sending of release id (checked with picked_check() first) by
 * the checks' lane, then a tracker pass. Returns as jobs_submit() (-EPERM:
 * no download client, or no manga root), or -EBUSY when JOBS_SENDS_MAX
 * wait already.
 */
int jobs_submit_send(const char *id, const char *trigger);

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
 * Whether the configuration lets job run: the checks when there is a
 * manga root and [monitor] allows them, a repair scan (and the update of
 * links the watcher saw change) once [realdebrid] has a mount and a
 * library, the other repair jobs once it has an api_token too,
 * maintenance always.
 */
int jobs_enabled(const struct config *cfg, enum jobs_job job);

#endif
