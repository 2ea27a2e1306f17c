#include "indexer/jobs.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "indexer/maintenance.h"
#include "indexer/realdebrid/rd_repair.h"
#include "indexer/realdebrid/rd_watch.h"

#define NR_JOBS 6

/* The jobs auto_check_interval queues. */
#define AUTO_JOBS (JOBS_CHECK_MISSING | JOBS_CHECK_NEW | JOBS_REPAIR_RUN)
#define TRIGGER_LEN 16

/* How long an auto check waits for a scan before looking again. */
#define SCAN_WAIT_S 5.0

static struct {
	const struct config *cfg;
	int (*scanning)(void);
	struct monitor *monitor;
	struct rd_repair *repair;	/* NULL: repairs switched off */
	double next_repair;		/* a follow-up pass; 0: none */
	double next_maintenance;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int started, stopping, cancel;
	int wake_ready;
	unsigned pending;
	char trigger[NR_JOBS][TRIGGER_LEN];
	int running;
	double next_auto;
	int dry_run;
} jobs = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.dry_run = 1,
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
		return cfg->missing_volumes;
	case JOBS_CHECK_NEW:
		return cfg->new_volumes;
	case JOBS_REPAIR_SCAN:
	case JOBS_REPAIR_LINKS:
		return cfg->rd_mount && cfg->rd_libraries.nr;
	case JOBS_REPAIR_RUN:
		return cfg->rd_mount && cfg->rd_libraries.nr &&
			cfg->rd_api_token;
	case JOBS_MAINTENANCE:
		return 1;
	}
	return 0;
}

/* When the last check of either flow finished, from the store, so the
 * interval holds across restarts; 0 when none ever did. */
static double last_check_at(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	double at = 0;

	if (db_open(jobs.cfg->database, 1, &db))
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT max(finished_at) FROM checks",
			       -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			at = sqlite3_column_double(st, 0);
		sqlite3_finalize(st);
	}
	db_close(db);
	return at;
}

/* Carry out one job; a job that waits for something later (a repair's
 * follow-up, the next backup) leaves its time for the timers. */
static void run(unsigned job, const char *trigger)
{
	enum monitor_flow flow = job == JOBS_CHECK_NEW ? MONITOR_NEW :
		MONITOR_MISSING;
	double next;

	if (job == JOBS_REPAIR_LINKS) {
		char **paths;
		size_t nr;
		int all = rd_watch_take(&paths, &nr);

		/* A request merged into the run before found nothing. */
		if (all || nr)
			rd_repair_links(jobs.repair, all ? NULL : paths, nr);
		rd_watch_free(paths, nr);
		return;
	}
	if (job == JOBS_MAINTENANCE) {
		maintenance_run(jobs.cfg, clock_wall());
		next = maintenance_next_at(jobs.cfg);
		pthread_mutex_lock(&jobs.lock);
		jobs.next_maintenance = next;
		pthread_mutex_unlock(&jobs.lock);
		return;
	}
	if (!(job & (JOBS_REPAIR_SCAN | JOBS_REPAIR_RUN))) {
		monitor_check(jobs.monitor, flow, trigger);
		return;
	}
	rd_repair_pass(jobs.repair, job == JOBS_REPAIR_RUN ? RD_PASS_RUN :
		       RD_PASS_SCAN, jobs_dry_run(), trigger);
	next = rd_repair_next_at(jobs.repair);
	pthread_mutex_lock(&jobs.lock);
	jobs.next_repair = next;
	pthread_mutex_unlock(&jobs.lock);
}

/* Wait on the condition until the wall-clock time at (0: forever). */
static void wait_until(double at)
{
	struct timespec ts;

	if (!at) {
		pthread_cond_wait(&jobs.wake, &jobs.lock);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	at = ts.tv_sec + ts.tv_nsec / 1e9 + fmax(0, at - clock_wall());
	ts.tv_sec = (time_t)at;
	ts.tv_nsec = (long)((at - ts.tv_sec) * 1e9);
	pthread_cond_timedwait(&jobs.wake, &jobs.lock, &ts);
}

/* Queue a job with its trigger, unless it is queued already. */
static void queue(unsigned job, const char *trigger)
{
	int i = __builtin_ctz(job);

	if (jobs.pending & job)
		return;
	jobs.pending |= job;
	snprintf(jobs.trigger[i], TRIGGER_LEN, "%s", trigger);
}

/* Queue the jobs the configuration allows when the interval is up, and a
 * repair pass's follow-up when it is due. */
static void queue_auto(void)
{
	if (jobs.next_repair && clock_wall() >= jobs.next_repair) {
		jobs.next_repair = 0;
		queue(JOBS_REPAIR_RUN, "follow-up");
	}
	if (jobs.next_maintenance && clock_wall() >= jobs.next_maintenance) {
		if (jobs.scanning && jobs.scanning()) {
			jobs.next_maintenance = clock_wall() + SCAN_WAIT_S;
		} else {
			jobs.next_maintenance = 0;
			queue(JOBS_MAINTENANCE, "schedule");
		}
	}
	if (!jobs.next_auto || clock_wall() < jobs.next_auto)
		return;
	if (jobs.scanning && jobs.scanning()) {
		jobs.next_auto = clock_wall() + SCAN_WAIT_S;
		return;
	}
	for (int i = 0; i < NR_JOBS; i++)
		if (((1u << i) & AUTO_JOBS) && jobs_enabled(jobs.cfg, 1u << i))
			queue(1u << i, "schedule");
	jobs.next_auto = clock_wall() + jobs.cfg->auto_check_interval_s;
}

/* The soonest of the timers that are set, or 0 when none is. */
static double next_timer(void)
{
	const double t[] = {
		jobs.next_auto, jobs.next_repair, jobs.next_maintenance,
	};
	double next = 0;

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
		if (t[i] && (!next || t[i] < next))
			next = t[i];
	return next;
}

/* One job at a time, so each service's rate is simple to hold; timed
 * checks are queued like requested ones. */
static void *jobs_main(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&jobs.lock);
	while (!jobs.stopping) {
		char trigger[TRIGGER_LEN];
		unsigned job;
		int i;

		queue_auto();
		if (!jobs.pending) {
			wait_until(next_timer());
			continue;
		}
		i = __builtin_ctz(jobs.pending);
		job = 1u << i;
		jobs.pending &= ~job;
		memcpy(trigger, jobs.trigger[i], TRIGGER_LEN);
		jobs.running = job;
		pthread_mutex_unlock(&jobs.lock);

		run(job, trigger);

		pthread_mutex_lock(&jobs.lock);
		jobs.running = 0;
	}
	pthread_mutex_unlock(&jobs.lock);
	return NULL;
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
	jobs.pending = 0;
	jobs.next_auto = 0;
	jobs.next_repair = 0;
	jobs.next_maintenance = maintenance_next_at(cfg);
	rc = monitor_new(cfg, &jobs.cancel, &jobs.dry_run, &jobs.monitor);
	if (!rc && jobs_enabled(cfg, JOBS_REPAIR_SCAN))
		rc = rd_repair_new(cfg, &jobs.cancel, &jobs.repair);
	if (rc) {
		monitor_free(jobs.monitor);
		jobs.monitor = NULL;
		return rc;
	}
	if (cfg->auto_check_interval_s > 0 &&
	    (cfg->missing_volumes || cfg->new_volumes ||
	     jobs_enabled(cfg, JOBS_REPAIR_RUN))) {
		double last = last_check_at();

		jobs.next_auto = last ? last + cfg->auto_check_interval_s :
			clock_wall();
	}
	/* Made once and never destroyed: FUSE threads signal it also
	 * while a reload stops and starts the jobs. */
	if (!jobs.wake_ready) {
		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&jobs.wake, &attr);
		pthread_condattr_destroy(&attr);
		jobs.wake_ready = 1;
	}
	rc = -pthread_create(&jobs.thread, NULL, jobs_main, NULL);
	if (rc) {
		monitor_free(jobs.monitor);
		jobs.monitor = NULL;
		rd_repair_free(jobs.repair);
		jobs.repair = NULL;
		return log_error(rc, "jobs: cannot start thread");
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
	struct monitor *monitor;
	struct rd_repair *repair;

	if (!jobs.started)
		return;
	pthread_mutex_lock(&jobs.lock);
	jobs.stopping = 1;
	__atomic_store_n(&jobs.cancel, 1, __ATOMIC_RELAXED);
	pthread_cond_signal(&jobs.wake);
	pthread_mutex_unlock(&jobs.lock);
	pthread_join(jobs.thread, NULL);
	/* FUSE threads read the monitor's figures under the lock. */
	pthread_mutex_lock(&jobs.lock);
	jobs.started = 0;
	monitor = jobs.monitor;
	repair = jobs.repair;
	jobs.monitor = NULL;
	jobs.repair = NULL;
	pthread_mutex_unlock(&jobs.lock);
	monitor_free(monitor);
	rd_repair_free(repair);
}

int jobs_submit(unsigned which, const char *trigger)
{
	int rc = 0;

	if (!which || (which >> NR_JOBS))
		return -EINVAL;
	pthread_mutex_lock(&jobs.lock);
	/* Stopped, or restarting for a reload: ask again in a moment. */
	if (!jobs.started || jobs.stopping)
		rc = -EAGAIN;
	for (int i = 0; !rc && i < NR_JOBS; i++)
		if ((which & (1u << i)) && !jobs_enabled(jobs.cfg, 1u << i))
			rc = -EPERM;
	for (int i = 0; !rc && i < NR_JOBS; i++)
		if (which & (1u << i))
			queue(1u << i, trigger);
	if (!rc)
		pthread_cond_signal(&jobs.wake);
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
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&jobs.lock);
	if (jobs.started) {
		out->running = jobs.running;
		out->pending = jobs.pending;
		for (int i = 0; i < NR_JOBS; i++)
			if (jobs_enabled(jobs.cfg, 1u << i))
				out->enabled |= 1u << i;
		out->next_auto_at = jobs.next_auto;
		out->have_monitor = 1;
		monitor_stats(jobs.monitor, &out->monitor);
	}
	pthread_mutex_unlock(&jobs.lock);
}
