/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The indexer's top: its state, its start and stop (the writer, the
 * notifier, the watcher, the jobs and analysis threads started and
 * stopped around it), the indexer thread that takes the pending scan
 * order and runs it again after a wait when its reason may pass, the
 * live status, and the commands it hands on to the jobs and the
 * analysis. A request is queued by indexer_queue.c, an order run by
 * indexer_runs.c, the roots kept by indexer_roots.c, the store's faults
 * mended by indexer_store.c; this file holds no SQL.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/thread.h"
#include "indexer/indexer_private.h"
#include "indexer/jobs.h"
#include "indexer/library/covers.h"
#include "indexer/library/gone.h"
#include "indexer/library/music.h"
#include "indexer/library/root_guard.h"
#include "indexer/library/watch.h"
#include "indexer/manga/manga_gone.h"
#include "indexer/manga/pages.h"
#include "indexer/monitor/download.h"
#include "indexer/monitor/picked.h"
#include "indexer/notifier.h"
#include "indexer/recovery.h"
#include "indexer/store/reader.h"
#include "indexer/store/storefile.h"
#include "indexer/store/writer.h"

struct indexer_state indexer = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.retry_wait = RETRY_FIRST_S,
	.mend_wait = RETRY_FIRST_S,
};

/* Wait on indexer.wake until the monotonic time at. */
static void wait_until(double at)
{
	struct timespec ts;
	double t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = ts.tv_sec + ts.tv_nsec / 1e9 + (at - clock_mono());
	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - ts.tv_sec) * 1e9);
	pthread_cond_timedwait(&indexer.wake, &indexer.lock, &ts);
}

static void *indexer_main(void *unused)
{
	enum indexer_outcome retry;
	double first, most;

	(void)unused;
	pthread_mutex_lock(&indexer.lock);
	while (!indexer.stopping) {
		if (indexer.settling ||
		    (!indexer.has_pending && !indexer_roots_down())) {
			pthread_cond_wait(&indexer.wake, &indexer.lock);
			continue;
		}
		if (!indexer.has_pending) {
			if (indexer.guard_at > clock_mono()) {
				wait_until(indexer.guard_at);
				continue;
			}
			indexer.guard_at = clock_mono() + ROOT_GUARD_EVERY_S;
			pthread_mutex_unlock(&indexer.lock);
			indexer_roots_recheck();
			pthread_mutex_lock(&indexer.lock);
			continue;
		}
		if (indexer.retry_at > clock_mono()) {
			wait_until(indexer.retry_at);
			continue;
		}
		indexer.current = indexer.pending;
		memset(&indexer.pending, 0, sizeof(indexer.pending));
		indexer.has_pending = 0;
		indexer.busy = 1;
		indexer.starting = 1;
		pthread_mutex_unlock(&indexer.lock);

		retry = indexer_run_order();

		pthread_mutex_lock(&indexer.lock);
		indexer.busy = 0;
		indexer.starting = 0;
		if (retry && !indexer.stopping) {
			indexer_order_requeue(&indexer.current);
			first = retry == RUN_AGAIN_STORE ? RETRY_FIRST_S :
				LATER_FIRST_S;
			most = retry == RUN_AGAIN_STORE ? RETRY_MAX_S :
				LATER_MAX_S;
			indexer.retry_wait = fmin(fmax(indexer.retry_wait,
						       first), most);
			indexer.retry_at = clock_mono() + indexer.retry_wait;
			log_warn("scan: run again in %.0f s%s",
				 indexer.retry_wait,
				 retry == RUN_AGAIN_STORE ? ", or once the"
				 " store takes writes again" : "");
			indexer.retry_wait = fmin(indexer.retry_wait * 2, most);
		} else if (!retry) {
			indexer.retry_at = 0;
			indexer.retry_wait = RETRY_FIRST_S;
		}
		indexer_order_clear(&indexer.current);
	}
	pthread_mutex_unlock(&indexer.lock);
	return NULL;
}

/* Whether a scan runs or waits, or the store fails: the jobs thread's
 * auto checks and the analysis wait for both. */
static int scanning(void)
{
	int busy;

	pthread_mutex_lock(&indexer.lock);
	busy = indexer.busy || indexer.has_pending;
	pthread_mutex_unlock(&indexer.lock);
	return busy || storefile_fault() != STOREFILE_OK;
}

/* The tables indexer_names_generation() follows: what the views, /manga
 * and /opds list by name. */
static const char *const named_tables[] = {
	"roots", "directories", "files", "tracks", "artists", "albums",
	"pictures", "album_covers", "series", "volumes", "wanted",
	"comicinfo", NULL
};

int indexer_start(const struct config *cfg)
{
	int rc;

	indexer.cfg = cfg;
	indexer.started_at = clock_wall();
	/* the pid a second instance is told of: ours, since daemonizing */
	storefile_note_pid();
	indexer.stopping = 0;
	indexer.cancel = 0;
	indexer.block = indexer_roots_new(cfg);
	if (!indexer.block)
		return -ENOMEM;
	indexer.roots = indexer.block->r;
	indexer.nr_roots = indexer.block->nr;
	indexer_guard_roots();
	rc = writer_register(&music_writer_ops);
	writer_names_tables(named_tables);
	if (!rc)
		rc = writer_start(cfg->database);
	if (rc)
		goto fail;
	writer_on_loss(indexer_on_loss);
	covers_enable(cfg->covers);
	covers_set_max_picture(cfg->max_picture);
	pages_set_cpu_budget(cfg->page_walk_cpu_ms);
	gone_set_keep(cfg->keep_gone_s);
	manga_gone_set_keep(cfg->keep_gone_s);
	rc = writer_call(indexer_sync_roots, NULL);
	if (!rc)
		rc = writer_call(indexer_sync_covers, NULL);
	if (!rc)
		rc = writer_call(indexer_sync_volume_from_chapters, NULL);
	if (!rc)
		rc = writer_call(indexer_sync_edition, NULL);
	/* Without notifications the index still works, silently. */
	if (!rc && !indexer.silent && notifier_start(cfg))
		log_warn("indexer: no notifier, so no notifications");
	if (!rc) {
		indexer_start_watch(cfg);
		rc = thread_start(&indexer.thread, indexer_main, NULL,
				  "mm-indexer");
		if (rc)
			log_error(rc, "indexer: cannot start thread");
	}
	if (rc) {
		watch_stop();
		notifier_stop();
		writer_stop();
		goto fail;
	}
	pthread_mutex_lock(&indexer.lock);
	indexer.running = 1;
	pthread_mutex_unlock(&indexer.lock);
	indexer_roots_show(indexer.block);
	/* a restored store holds the library of its backup, or nothing:
	 * every file is read again */
	rc = indexer_rescan(indexer.recovered ? "recovery" :
			    indexer.started ? "reload" : "startup",
			    indexer.recovered, NULL);
	indexer.recovered = 0;
	indexer.started = 1;
	/* Without the jobs thread the index still works, unmonitored. */
	if (!rc && jobs_start(cfg, scanning))
		log_warn("indexer: no jobs thread, so no checks");
	if (!rc && analysis_worker_start(cfg, scanning, indexer_open_file))
		log_warn("indexer: no analysis workers, so no analysis");
	return rc;
fail:
	root_guard_reset(NULL, 0);
	free(indexer.block);
	indexer.block = NULL;
	indexer.roots = NULL;
	indexer.nr_roots = 0;
	return rc;
}

void indexer_stop(void)
{
	if (!indexer.running)
		return;
	jobs_stop();
	analysis_worker_stop();
	__atomic_store_n(&indexer.cancel, CANCEL_STOP, __ATOMIC_RELAXED);
	/* Scan workers add watches: they must be gone before the watcher. */
	thread_stop(indexer.thread, &indexer.lock, &indexer.wake,
		    &indexer.stopping);
	watch_stop();
	indexer_order_clear(&indexer.pending);
	indexer.has_pending = 0;
	indexer.retry_at = 0;
	indexer.retry_wait = RETRY_FIRST_S;
	writer_on_loss(NULL);
	notifier_stop();
	writer_stop();
	indexer_roots_show(NULL);
	pthread_mutex_lock(&indexer.lock);
	indexer_roots_retire(indexer.block);
	indexer.block = NULL;
	indexer.roots = NULL;
	indexer.nr_roots = 0;
	indexer.running = 0;
	pthread_mutex_unlock(&indexer.lock);
}

void indexer_status(struct indexer_status *out)
{
	const uint64_t *src = (const uint64_t *)&indexer.stats;
	uint64_t *dst = (uint64_t *)&out->scan;

	memset(out, 0, sizeof(*out));
	out->started_at = indexer.started_at;
	out->dry_run = jobs_dry_run();
	pthread_mutex_lock(&indexer.lock);
	out->counters_since = indexer.counters_since ? indexer.counters_since :
			      indexer.started_at;
	/* an order taken whose scan does not run yet (its plan and row
	 * being made) still waits: a client asking right after it asked
	 * would else take it as over */
	out->scan_pending = indexer.has_pending || indexer.starting;
	if (indexer.has_pending && indexer.retry_at)
		out->scan_retry_in_s = fmax(0, indexer.retry_at - clock_mono());
	out->has_last = indexer.has_last;
	out->last = indexer.last;
	out->unstored_failures = indexer.unstored_failures;
	out->state = indexer.scanning ? "scanning" : "idle";
	if (indexer.scanning) {
		out->scan_id = indexer.scan_id;
		memcpy(out->scan_trigger, indexer.current.trigger,
		       sizeof(out->scan_trigger));
		out->scan_full = indexer.current.full;
		indexer_scope(&indexer.current, out->scan_scope);
		out->scan_started_at = indexer.scan_started_wall;
		out->scan_elapsed_s = clock_mono() - indexer.scan_started_mono;
		out->scan_write_s = writer_busy_seconds() -
			indexer.write_s_start;
		for (size_t i = 0; i < sizeof(indexer.stats) / sizeof(*src);
		     i++)
			dst[i] = scan_stat(&src[i]);
	}
	pthread_mutex_unlock(&indexer.lock);
	jobs_status(&out->jobs);
	analysis_worker_status(&out->analysis);
	if (!strcmp(out->state, "idle") && (out->jobs.running &
					     (JOBS_REPAIR_SCAN |
					      JOBS_REPAIR_RUN)))
		out->state = "repairing";
	else if (!strcmp(out->state, "idle") &&
		 (out->jobs.running & JOBS_CHECKS))
		out->state = "checking";
	if (!strcmp(out->state, "idle") && out->analysis.paused)
		out->state = "paused";
}

void indexer_pause_analysis(int on)
{
	log_info("analysis %s", on ? "paused" : "resumed");
	analysis_worker_pause(on);
}

void indexer_reset_metrics(void)
{
	pthread_mutex_lock(&indexer.lock);
	indexer.counters_since = clock_wall();
	pthread_mutex_unlock(&indexer.lock);
	watch_reset_counters();
	jobs_reset_stats();
	analysis_worker_reset_counters();
	log_info("metrics: the counters since the start set to zero");
}

void indexer_note_read(void)
{
	analysis_worker_note_read();
}

int indexer_check(unsigned jobs, const char *trigger)
{
	return jobs_submit(jobs, trigger);
}

int indexer_retry_clients(const char *trigger)
{
	log_info("download: clients that refused their credentials will be"
		 " asked again (%s)", trigger);
	download_retry();
	return jobs_submit(JOBS_CHECK_MISSING, trigger);
}

int indexer_repair(const struct rd_ask *ask, const char *trigger)
{
	return jobs_submit_repair(ask, trigger);
}

int indexer_repair_torrent(enum rd_command cmd, const char *id,
			   const char *trigger)
{
	return jobs_submit_torrent(cmd, id, trigger);
}

int indexer_send(const char *id)
{
	sqlite3 *db = reader_db();
	int rc = db ? picked_check(db, id) : -EIO;

	if (!rc)
		rc = jobs_submit_send(id, "control");
	if (rc == -EPERM)
		log_warn("send: no download client is set up, or no manga"
			 " root: release %s cannot go", id);
	else if (rc == -EBUSY)
		log_warn("send: %d releases wait to be sent already: send %s"
			 " again later", JOBS_SENDS_MAX, id);
	return rc;
}

void indexer_set_dry_run(int on)
{
	log_info("dry-run %s", on ? "on: nothing is sent or deleted" :
		 "off: downloads and repairs are carried out");
	jobs_set_dry_run(on);
}

/* A damaged store recovered with the indexer stopped (recovery.h), and
 * every file read again into what it became. */
static void recover_store(void)
{
	const struct config *cfg = indexer.cfg;
	int rc;

	indexer_stop();
	rc = recovery_check(cfg->database);
	indexer.recovered = rc > 0;
	if (rc >= 0 && !indexer_start(cfg))
		return;
	log_error(rc < 0 ? rc : -EIO, "database %s: the indexer stays"
		  " stopped: the store could not be recovered (see above)",
		  cfg->database);
}

void indexer_watch_store(void)
{
	if (indexer_store_watch() > 0)
		recover_store();
}
