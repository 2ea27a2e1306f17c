/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The jobs threads (jobs.h): the lanes, their queues of requests merged by
 * job, and the timed jobs. The work itself is the domains' (monitor,
 * rd_repair, maintenance); a request never waits for it.
 */
#include "indexer/jobs.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/thread.h"
#include "indexer/maintenance.h"
#include "indexer/monitor/release.h"
#include "indexer/realdebrid/debrid.h"
#include "indexer/realdebrid/rd_client.h"
#include "indexer/realdebrid/rd_repair.h"
#include "indexer/realdebrid/rd_watch.h"
#include "indexer/store/services.h"
#include "indexer/store/writer.h"

#define NR_JOBS 12
#define TRIGGER_LEN 16

/* How long a timed job waits for a scan before looking again. */
#define SCAN_WAIT_S 5.0

enum lane_id { LANE_CHECKS, LANE_REPAIR, LANE_MAINTENANCE, NR_LANES };

struct lane {
	const char *name;
	const char *thread_name;
	unsigned jobs;			/* the jobs it runs */
	pthread_t thread;
	pthread_cond_t wake;
	unsigned pending;
	unsigned running;
	int started;
};

/* A timed job: due at `at` (wall clock, 0: off), then every interval
 * (0: once, set again by the job's own run). */
enum timer_id { T_CHECKS, T_TRACK, T_REPAIR, T_FOLLOW_UP, T_PRUNE,
		T_BACKUP, NR_TIMERS };

struct timer {
	unsigned jobs;
	const char *trigger;
	int waits_for_scans;
	double at;
	long interval;
};

/* A retry or forget asked through the mount, for the repair lane. */
struct torrent_cmd {
	enum rd_command cmd;
	char id[RD_ID_MAX + 1];
};

static struct {
	const struct config *cfg;
	int (*scanning)(void);
	struct monitor *monitor;
	struct rd_repair *repair;	/* NULL: repairs switched off */
	struct lane lanes[NR_LANES];
	struct timer timers[NR_TIMERS];
	struct torrent_cmd cmds[JOBS_TORRENTS_MAX];
	size_t nr_cmds;
	char sends[JOBS_SENDS_MAX][RELEASE_ID_LEN + 1];
	size_t nr_sends;
	struct rd_ask ask;		/* of the next run pass */
	pthread_mutex_t lock;
	int started, stopping, cancel;
	int wake_ready;
	char trigger[NR_JOBS][TRIGGER_LEN];
	int dry_run;
	int backup_error;		/* the last backup's, 0 when it went */
	double backup_failed_at;
	int far_error;			/* the copy into backup_dir's */
	double far_failed_at;
	char backup_why[JOBS_WHY_LEN];	/* the refused folder of either */
} jobs = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.dry_run = 1,
	.ask = { .mode = -1 },
	.lanes = {
		[LANE_CHECKS] = { .name = "checks", .thread_name = "mm-checks",
				  .jobs = JOBS_CHECKS | JOBS_TRACK |
					  JOBS_SEND },
		[LANE_REPAIR] = { .name = "repair", .thread_name = "mm-repair",
				  .jobs = JOBS_REPAIR },
		[LANE_MAINTENANCE] = { .name = "maintenance",
					.thread_name = "mm-maintenance",
					.jobs = JOBS_MAINTENANCE },
	},
	.timers = {
		[T_CHECKS] = { .jobs = JOBS_CHECKS, .trigger = "schedule",
			       .waits_for_scans = 1 },
		[T_TRACK] = { .jobs = JOBS_TRACK, .trigger = "schedule",
			      .waits_for_scans = 0 },
		[T_REPAIR] = { .jobs = JOBS_REPAIR_RUN, .trigger = "schedule",
			       .waits_for_scans = 1 },
		[T_FOLLOW_UP] = { .jobs = JOBS_REPAIR_RUN,
				  .trigger = "follow-up",
				  .waits_for_scans = 0 },
		[T_PRUNE] = { .jobs = JOBS_PRUNE, .trigger = "schedule",
			       .waits_for_scans = 1 },
		[T_BACKUP] = { .jobs = JOBS_BACKUP, .trigger = "schedule",
			       .waits_for_scans = 1 },
	},
};

int jobs_dry_run(void)
{
	return __atomic_load_n(&jobs.dry_run, __ATOMIC_RELAXED);
}

void jobs_set_dry_run(int on)
{
	__atomic_store_n(&jobs.dry_run, !!on, __ATOMIC_RELAXED);
}

int jobs_enabled(const struct config *cfg, enum jobs_job job)
{
	switch (job) {
	case JOBS_CHECK_MISSING:
		return cfg->missing_volumes && cfg->manga_roots.nr;
	case JOBS_CHECK_NEW:
		return cfg->new_volumes && cfg->manga_roots.nr;
	case JOBS_REPAIR_SCAN:
	case JOBS_REPAIR_LINKS:
		return cfg->rd_mount && cfg->rd_libraries.nr;
	case JOBS_REPAIR_TORRENTS:
	case JOBS_REPAIR_RESYNC:
	case JOBS_REPAIR_RUN:
		return cfg->rd_mount && cfg->rd_libraries.nr &&
			debrid_key(cfg);
	case JOBS_TRACK:
	case JOBS_SEND:
		return cfg->manga_roots.nr &&
			((cfg->download_client &&
			  strcmp(cfg->download_client, "none")) ||
			 (cfg->usenet_client &&
			  strcmp(cfg->usenet_client, "none")) ||
			 (cfg->ed2k_client && strcmp(cfg->ed2k_client, "none")));
	case JOBS_PRUNE:
	case JOBS_BACKUP:
	case JOBS_VACUUM:
		return 1;
	}
	return 0;
}

/* The lane that runs job. */
static struct lane *lane_of(unsigned job)
{
	for (int i = 0; i < NR_LANES; i++)
		if (jobs.lanes[i].jobs & job)
			return &jobs.lanes[i];
	return NULL;
}

/* Set a one-time timer from a job's own run. */
static void set_timer(enum timer_id t, double at)
{
	pthread_mutex_lock(&jobs.lock);
	jobs.timers[t].at = at;
	pthread_mutex_unlock(&jobs.lock);
}

/* Queue a job with its trigger, unless it is queued already. */
static void queue(unsigned job, const char *trigger)
{
	int i = __builtin_ctz(job);
	struct lane *l = lane_of(job);

	if (l->pending & job)
		return;
	l->pending |= job;
	snprintf(jobs.trigger[i], TRIGGER_LEN, "%s", trigger);
	pthread_cond_signal(&l->wake);
}

/* Take the *nr entries of size bytes queued at from into to, emptying
 * the queue, under the lock; returns how many. */
static size_t take_queued(void *to, const void *from, size_t *nr,
			  size_t size)
{
	size_t n;

	pthread_mutex_lock(&jobs.lock);
	n = *nr;
	memcpy(to, from, n * size);
	*nr = 0;
	pthread_mutex_unlock(&jobs.lock);
	return n;
}

/* Carry out the retries and forgettings asked, then a pass for the
 * retries. */
static void run_torrent_cmds(const char *trigger)
{
	struct torrent_cmd cmds[JOBS_TORRENTS_MAX];
	size_t nr = take_queued(cmds, jobs.cmds, &jobs.nr_cmds,
				sizeof(*cmds));
	int retry = 0;

	for (size_t i = 0; i < nr; i++)
		if (!rd_commands_apply(cmds[i].cmd, cmds[i].id))
			retry |= cmds[i].cmd == RD_COMMAND_RETRY;
	if (retry)
		jobs_submit(JOBS_REPAIR_RUN, trigger);
}

/* Send the releases picked by hand, then follow them. */
static void run_sends(void)
{
	char sends[JOBS_SENDS_MAX][RELEASE_ID_LEN + 1];
	size_t nr = take_queued(sends, jobs.sends, &jobs.nr_sends,
				sizeof(*sends));

	for (size_t i = 0; i < nr; i++)
		monitor_send(jobs.monitor, sends[i]);
	jobs_submit(JOBS_TRACK, "send");
}

/* Carry out one job of the repair lane. */
static void run_repair(unsigned job, const char *trigger)
{
	struct rd_ask ask;
	char **paths;
	size_t nr;
	int all;

	switch (job) {
	case JOBS_REPAIR_TORRENTS:
		run_torrent_cmds(trigger);
		return;
	case JOBS_REPAIR_RESYNC:
		if (!rd_commands_resync())
			jobs_submit(JOBS_REPAIR_RUN, trigger);
		return;
	case JOBS_REPAIR_LINKS:
		all = rd_watch_take(&paths, &nr);
		/* A request merged into the run before found nothing. */
		if (all || nr)
			rd_repair_links(jobs.repair, all ? NULL : paths, nr);
		array_free_strings(paths, nr);
		return;
	}
	pthread_mutex_lock(&jobs.lock);
	ask = jobs.ask;
	if (job == JOBS_REPAIR_RUN)
		jobs.ask = (struct rd_ask){ .mode = -1 };
	pthread_mutex_unlock(&jobs.lock);
	rd_repair_pass(jobs.repair, job == JOBS_REPAIR_RUN ? RD_PASS_RUN :
		       RD_PASS_SCAN, jobs_dry_run(), trigger,
		       job == JOBS_REPAIR_RUN ? &ask : NULL);
	set_timer(T_FOLLOW_UP, rd_repair_next_at(jobs.repair));
}

/* Carry out one job; a job that waits for something later (a repair's
 * follow-up, the next backup) leaves its time for the timers. */
/* A backup, and what health is to tell of it: no far copy tried (the
 * local one failed), the last word on backup_dir stands until one is
 * tried. */
static void backup(void)
{
	struct strbuf why = STRBUF_INIT;
	int failed, far;

	failed = maintenance_backup_now(jobs.cfg, clock_wall(), &far, &why);
	pthread_mutex_lock(&jobs.lock);
	jobs.backup_error = failed;
	jobs.backup_failed_at = failed ? clock_wall() : 0;
	if (!failed) {
		jobs.far_error = far;
		jobs.far_failed_at = far ? clock_wall() : 0;
	}
	snprintf(jobs.backup_why, sizeof(jobs.backup_why), "%s",
		 why.len ? why.buf : "");
	pthread_mutex_unlock(&jobs.lock);
	strbuf_release(&why);
}

static void run(unsigned job, const char *trigger)
{
	int failed;

	switch (job) {
	case JOBS_CHECK_MISSING:
	case JOBS_CHECK_NEW:
		monitor_check(jobs.monitor, job == JOBS_CHECK_NEW ?
			      MONITOR_NEW : MONITOR_MISSING, trigger);
		return;
	case JOBS_TRACK:
		/* A failed download's volume gets its next release now. */
		if (monitor_track(jobs.monitor) > 0 &&
		    jobs_enabled(jobs.cfg, JOBS_CHECK_MISSING)) {
			pthread_mutex_lock(&jobs.lock);
			queue(JOBS_CHECK_MISSING, "tracker");
			pthread_mutex_unlock(&jobs.lock);
		}
		return;
	case JOBS_SEND:
		run_sends();
		return;
	case JOBS_PRUNE:
		maintenance_prune(jobs.cfg, clock_wall());
		return;
	case JOBS_BACKUP:
		backup();
		failed = jobs.backup_error;
		/* A backup that failed is tried again later, not at once. */
		if (jobs.cfg->backup_interval_s > 0)
			set_timer(T_BACKUP, failed ? clock_wall() +
				  MAINTENANCE_RETRY_S :
				  maintenance_next_at(jobs.cfg));
		return;
	case JOBS_VACUUM:
		maintenance_vacuum();
		return;
	}
	run_repair(job, trigger);
}

/* Wait on the lane's condition until the wall-clock time at (0:
 * forever). */
static void wait_until(struct lane *l, double at)
{
	struct timespec ts;

	if (!at) {
		pthread_cond_wait(&l->wake, &jobs.lock);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	at = ts.tv_sec + ts.tv_nsec / 1e9 + fmax(0, at - clock_wall());
	ts.tv_sec = (time_t)at;
	ts.tv_nsec = (long)((at - ts.tv_sec) * 1e9);
	pthread_cond_timedwait(&l->wake, &jobs.lock, &ts);
}

/* Queue the lane's timed jobs that are due and that the configuration
 * allows; those that wait for scans look again a moment later while
 * one runs. Returns the soonest timer of the lane left, or 0. */
static double queue_due(struct lane *l)
{
	double now = clock_wall(), next = 0;

	for (int i = 0; i < NR_TIMERS; i++) {
		struct timer *t = &jobs.timers[i];

		if (!(t->jobs & l->jobs) || !t->at)
			continue;
		if (now >= t->at && t->waits_for_scans && jobs.scanning &&
		    jobs.scanning()) {
			t->at = now + SCAN_WAIT_S;
		} else if (now >= t->at) {
			for (unsigned j = t->jobs; j; j &= j - 1)
				if (jobs_enabled(jobs.cfg, j & -j))
					queue(j & -j, t->trigger);
			t->at = t->interval ? now + t->interval : 0;
		}
		if (t->at && (!next || t->at < next))
			next = t->at;
	}
	return next;
}

/* One job at a time in a lane, so each service's rate is simple to
 * hold; timed jobs are queued like requested ones. */
static void *lane_main(void *arg)
{
	struct lane *l = arg;

	thread_name(l->thread_name);
	pthread_mutex_lock(&jobs.lock);
	while (!jobs.stopping) {
		char trigger[TRIGGER_LEN];
		double next = queue_due(l);
		unsigned job;
		int i;

		if (!l->pending) {
			wait_until(l, next);
			continue;
		}
		i = __builtin_ctz(l->pending);
		job = 1u << i;
		l->pending &= ~job;
		memcpy(trigger, jobs.trigger[i], TRIGGER_LEN);
		l->running = job;
		pthread_mutex_unlock(&jobs.lock);

		run(job, trigger);

		pthread_mutex_lock(&jobs.lock);
		l->running = 0;
	}
	pthread_mutex_unlock(&jobs.lock);
	return NULL;
}

/* Arm the timers for cfg: each due its interval after the last time its
 * job ran, as the store remembers it, at once when that is overdue. */
static void arm_timers(const struct config *cfg)
{
	struct timer *t = jobs.timers;
	double now = clock_wall(), last;

	for (int i = 0; i < NR_TIMERS; i++)
		t[i].at = 0;
	t[T_CHECKS].interval = cfg->auto_check_interval_s;
	t[T_TRACK].interval = cfg->download_poll_interval_s;
	if (jobs_enabled(cfg, JOBS_TRACK))
		t[T_TRACK].at = now;
	t[T_REPAIR].interval = cfg->rd_check_interval_s;
	t[T_PRUNE].interval = cfg->cleanup_interval_s;
	if (t[T_CHECKS].interval > 0 &&
	    (jobs_enabled(cfg, JOBS_CHECK_MISSING) ||
	     jobs_enabled(cfg, JOBS_CHECK_NEW))) {
		last = monitor_last_check_at(jobs.monitor);
		t[T_CHECKS].at = last ? last + t[T_CHECKS].interval : now;
	}
	if (jobs.repair && t[T_REPAIR].interval > 0 &&
	    jobs_enabled(cfg, JOBS_REPAIR_RUN)) {
		last = rd_repair_last_run_at(jobs.repair);
		t[T_REPAIR].at = last ? last + t[T_REPAIR].interval : now;
	}
	/* A resync asked before a restart goes on at once. */
	if (jobs.repair && jobs_enabled(cfg, JOBS_REPAIR_RUN) &&
	    rd_repair_resyncing(jobs.repair))
		t[T_FOLLOW_UP].at = now;
	if (t[T_PRUNE].interval > 0)
		t[T_PRUNE].at = now + fmin(t[T_PRUNE].interval,
					   MAINTENANCE_FIRST_DELAY);
	if (cfg->backup_interval_s > 0)
		t[T_BACKUP].at = maintenance_next_at(cfg);
}

/* Free what the lanes worked with; the threads are stopped. */
static void release(void)
{
	struct monitor *monitor;
	struct rd_repair *repair;

	/* FUSE threads read the monitor's figures under the lock. */
	pthread_mutex_lock(&jobs.lock);
	monitor = CLEANUP_STEAL(jobs.monitor);
	repair = CLEANUP_STEAL(jobs.repair);
	pthread_mutex_unlock(&jobs.lock);
	monitor_free(monitor);
	rd_repair_free(repair);
}

/* Stop the lanes that started, the jobs they run first, and wait for
 * them. */
static void stop_lanes(void)
{
	__atomic_store_n(&jobs.cancel, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < NR_LANES; i++) {
		struct lane *l = &jobs.lanes[i];

		if (l->started)
			thread_stop(l->thread, &jobs.lock, &l->wake,
				    &jobs.stopping);
		l->started = 0;
	}
}

/* Health names no service a reload took out of the configuration. */
static int forget_unconfigured(const struct config *cfg)
{
	const char *kept[7];
	size_t n = 0;

	if (cfg->prowlarr_url)
		kept[n++] = "prowlarr";
	if (cfg->manga_source[CONFIG_MANGA_nautiljon].url)
		kept[n++] = "nautiljon";
	if (cfg->download_client)
		kept[n++] = cfg->download_client;
	if (cfg->usenet_client)
		kept[n++] = cfg->usenet_client;
	if (cfg->ed2k_client)
		kept[n++] = cfg->ed2k_client;
	if (debrid_key(cfg))
		kept[n++] = debrid_configured(cfg)->name;
	kept[n] = NULL;
	return writer_call(services_forget_unconfigured, (void *)kept);
}

int jobs_start(const struct config *cfg, int (*scanning)(void))
{
	pthread_condattr_t attr;
	int rc;

	jobs.cfg = cfg;
	jobs.scanning = scanning;
	jobs_set_dry_run(cfg->dry_run);
	jobs.stopping = 0;
	jobs.cancel = 0;
	jobs.nr_cmds = 0;
	jobs.ask = (struct rd_ask){ .mode = -1 };
	/* a reload that drops backup_dir drops what was said of it */
	if (!cfg->backup_dir) {
		jobs.far_error = 0;
		if (!jobs.backup_error)
			jobs.backup_why[0] = '\0';
	}
	rc = forget_unconfigured(cfg);
	if (!rc)
		rc = monitor_new(cfg, &jobs.cancel, &jobs.dry_run,
				 &jobs.monitor);
	if (!rc && jobs_enabled(cfg, JOBS_REPAIR_SCAN))
		rc = rd_repair_new(cfg, &jobs.cancel, &jobs.repair);
	if (rc) {
		monitor_free(jobs.monitor);
		jobs.monitor = NULL;
		return rc;
	}
	arm_timers(cfg);
	/* Made once and never destroyed: FUSE threads signal them also
	 * while a reload stops and starts the jobs. */
	if (!jobs.wake_ready) {
		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		for (int i = 0; i < NR_LANES; i++)
			pthread_cond_init(&jobs.lanes[i].wake, &attr);
		pthread_condattr_destroy(&attr);
		jobs.wake_ready = 1;
	}
	for (int i = 0; !rc && i < NR_LANES; i++) {
		struct lane *l = &jobs.lanes[i];

		l->pending = l->running = 0;
		rc = -pthread_create(&l->thread, NULL, lane_main, l);
		l->started = !rc;
		if (rc)
			log_error(rc, "jobs: cannot start the %s thread",
				  l->name);
	}
	if (rc) {
		stop_lanes();
		release();
		return rc;
	}
	pthread_mutex_lock(&jobs.lock);
	jobs.started = 1;
	pthread_mutex_unlock(&jobs.lock);
	/* The links as they are now, and the watches on their folders. */
	if (jobs.repair) {
		rd_watch_changed(NULL, 0);
		jobs_submit(JOBS_REPAIR_LINKS, "start");
	}
	return 0;
}

void jobs_stop(void)
{
	if (!jobs.started)
		return;
	stop_lanes();
	pthread_mutex_lock(&jobs.lock);
	jobs.started = 0;
	pthread_mutex_unlock(&jobs.lock);
	release();
}

/* Whether jobs may be queued now: started, and every one allowed.
 * Called with the lock held. */
static int may_queue(unsigned which)
{
	if (!which || (which >> NR_JOBS))
		return -EINVAL;
	/* Stopped, or restarting for a reload: ask again in a moment. */
	if (!jobs.started || jobs.stopping)
		return -EAGAIN;
	for (unsigned j = which; j; j &= j - 1)
		if (!jobs_enabled(jobs.cfg, j & -j))
			return -EPERM;
	return 0;
}

/* may_queue() of a job whose queue holds used of its max entries. */
static int may_queue_one(unsigned which, size_t used, size_t max)
{
	int rc = may_queue(which);

	return !rc && used == max ? -EBUSY : rc;
}

int jobs_submit(unsigned which, const char *trigger)
{
	int rc;

	pthread_mutex_lock(&jobs.lock);
	rc = may_queue(which);
	for (unsigned j = which; !rc && j; j &= j - 1)
		queue(j & -j, trigger);
	pthread_mutex_unlock(&jobs.lock);
	return rc;
}

int jobs_submit_repair(const struct rd_ask *ask, const char *trigger)
{
	int rc;

	pthread_mutex_lock(&jobs.lock);
	rc = may_queue(JOBS_REPAIR_RUN);
	if (!rc) {
		jobs.ask = *ask;
		queue(JOBS_REPAIR_RUN, trigger);
	}
	pthread_mutex_unlock(&jobs.lock);
	return rc;
}

int jobs_submit_torrent(enum rd_command cmd, const char *id,
			const char *trigger)
{
	struct torrent_cmd *c;
	int rc;

	pthread_mutex_lock(&jobs.lock);
	rc = may_queue_one(JOBS_REPAIR_TORRENTS, jobs.nr_cmds,
			   JOBS_TORRENTS_MAX);
	if (!rc) {
		c = &jobs.cmds[jobs.nr_cmds++];
		c->cmd = cmd;
		snprintf(c->id, sizeof(c->id), "%s", id);
		queue(JOBS_REPAIR_TORRENTS, trigger);
	}
	pthread_mutex_unlock(&jobs.lock);
	return rc;
}

int jobs_submit_send(const char *id, const char *trigger)
{
	int rc;

	pthread_mutex_lock(&jobs.lock);
	rc = may_queue_one(JOBS_SEND, jobs.nr_sends, JOBS_SENDS_MAX);
	if (!rc) {
		snprintf(jobs.sends[jobs.nr_sends++], RELEASE_ID_LEN + 1,
			 "%s", id);
		queue(JOBS_SEND, trigger);
	}
	pthread_mutex_unlock(&jobs.lock);
	return rc;
}

void jobs_reset_stats(void)
{
	pthread_mutex_lock(&jobs.lock);
	if (jobs.started)
		monitor_reset_stats(jobs.monitor);
	pthread_mutex_unlock(&jobs.lock);
}

void jobs_status(struct jobs_status *out)
{
	const struct timer *t = jobs.timers;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&jobs.lock);
	if (jobs.started) {
		for (int i = 0; i < NR_LANES; i++) {
			out->running |= jobs.lanes[i].running;
			out->pending |= jobs.lanes[i].pending;
		}
		for (int i = 0; i < NR_JOBS; i++)
			if (jobs_enabled(jobs.cfg, 1u << i))
				out->enabled |= 1u << i;
		out->next_auto_at = t[T_CHECKS].at;
		out->next_repair_at = t[T_FOLLOW_UP].at && (!t[T_REPAIR].at ||
			t[T_FOLLOW_UP].at < t[T_REPAIR].at) ?
			t[T_FOLLOW_UP].at : t[T_REPAIR].at;
		out->next_prune_at = t[T_PRUNE].at;
		out->next_backup_at = t[T_BACKUP].at;
		out->backup_error = jobs.backup_error;
		out->backup_failed_at = jobs.backup_failed_at;
		out->far_error = jobs.far_error;
		out->far_failed_at = jobs.far_failed_at;
		snprintf(out->backup_why, sizeof(out->backup_why), "%s",
			 jobs.backup_why);
		out->repair_mode = rd_mode_configured(jobs.cfg);
		out->have_monitor = 1;
		monitor_stats(jobs.monitor, &out->monitor);
	}
	pthread_mutex_unlock(&jobs.lock);
}
