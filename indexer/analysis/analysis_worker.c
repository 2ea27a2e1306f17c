/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The background analysis workers (analysis_worker.h): which track
 * next, when to hold back, a child each, and the results handed to the
 * writer. They never write the store themselves.
 */
#include "indexer/analysis/analysis_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/thread.h"
#include "indexer/analysis/analysis.h"
#include "indexer/analysis/analysis_child.h"
#include "indexer/analysis/analysis_store.h"
#include "indexer/analysis/analysis_user.h"
#include "indexer/store/writer.h"

#define MAX_THREADS 256

/* How long a read of a library file through the mount holds workers. */
#define READ_QUIET_S 0.5

/* How many queued tracks are looked at in one go for files that are
 * gone, once one track failed so. */
#define GONE_BATCH 4096

/* How long a worker waits after the store failed it, before it tries
 * again. */
#define RETRY_WAIT_S 1.0

/* linux/ioprio.h, which libc does not wrap. */
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_IDLE 3
#define IOPRIO_CLASS_SHIFT 13

static struct {
	const struct config *cfg;
	int (*scanning)(void);
	int (*open_file)(const char *path, int flags);
	pthread_t thread[MAX_THREADS];
	int64_t busy_id[MAX_THREADS];	/* the track each analyses, or 0 */
	int64_t last_owner;		/* whose track was taken last */
	int nr_threads;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int wake_ready;
	int started, stopping;
	unsigned uid, gid;		/* the children's user */
	double busy_since;		/* monotonic, while st.busy */
	struct analysis_worker_status st;
	uint64_t pass_short;		/* too short since the queue emptied */
	int64_t last_read_ns;		/* monotonic; atomic */
} aw = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/* A priority not lowered (err, errno): refused by a system call filter
 * (EPERM, which lowering one's own priority gets from nothing else; the
 * unit's leaves @resources out) is said once (*told), anything else each
 * time. */
static void not_lowered(int err, const char *what, int *told)
{
	if (!err)
		return;
	if (err != EPERM)
		log_warn("analysis: cannot lower the %s priority: %s", what,
			 strerror(err));
	else if (!__atomic_exchange_n(told, 1, __ATOMIC_RELAXED))
		log_info("analysis: runs at the daemon's %s priority: the "
			 "system call filter refuses to lower it", what);
}

/* Nice 19 and the idle I/O class per thread, so that the analysis takes
 * only what scans, reads and the rest of the machine leave. */
static void lower_priority(void)
{
	static int told_cpu, told_io;
	pid_t tid = syscall(SYS_gettid);

	not_lowered(setpriority(PRIO_PROCESS, tid, 19) ? errno : 0, "CPU",
		    &told_cpu);
	not_lowered(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, tid,
			    IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT) ?
		    errno : 0, "I/O", &told_io);
}

/* Whether the daemon may start its analyser as [analysis] user: as root,
 * or as a user of its own holding CAP_SETUID and CAP_SETGID (the unit's
 * ambient ones), which the analyser then drops with every other. */
static int may_change_user(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	const uint32_t want = 1u << CAP_SETUID | 1u << CAP_SETGID;

	if (!geteuid())
		return 1;
	if (syscall(SYS_capget, &hdr, caps))
		return 0;
	return (caps[0].effective & want) == want;
}

/* Wait on the condition for at most seconds (monotonic). */
static void wait_for(double seconds)
{
	struct timespec ts;
	double at;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	at = ts.tv_sec + ts.tv_nsec / 1e9 + seconds;
	ts.tv_sec = (time_t)at;
	ts.tv_nsec = (long)((at - ts.tv_sec) * 1e9);
	pthread_cond_timedwait(&aw.wake, &aw.lock, &ts);
}

/* The store moved: an empty queue may have work again. */
static void store_moved(void)
{
	pthread_mutex_lock(&aw.lock);
	if (aw.wake_ready)
		pthread_cond_broadcast(&aw.wake);
	pthread_mutex_unlock(&aw.lock);
}

/* Whether a worker must hold back: scans and readers come first. */
static int held_back(void)
{
	double read = __atomic_load_n(&aw.last_read_ns, __ATOMIC_RELAXED) /
		1e9;

	return aw.st.paused || (aw.scanning && aw.scanning()) ||
		(read && clock_mono() - read < READ_QUIET_S);
}

/* Add what one track came to to the figures; called with the lock. */
static void count(const struct analysis_job *job,
		  const struct analysis_outcome *o, double cpu)
{
	aw.st.done++;
	aw.st.cpu_s += cpu;
	if (!o->error) {
		aw.st.audio_s += o->result.duration_s;
		return;
	}
	if (o->error == -ENODATA) {
		aw.pass_short++;
		return;
	}
	aw.st.failed++;
	aw.st.last_error_at = o->at;
	snprintf(aw.st.last_error, sizeof(aw.st.last_error), "%s: %s",
		 job->path, o->why ? o->why :
		 analysis_store_error_text(o->error));
	/* a path cut short names no file the reader may be checked for */
	if (snprintf(aw.st.last_error_path, sizeof(aw.st.last_error_path),
		     "%s", job->path) >= (int)sizeof(aw.st.last_error_path))
		aw.st.last_error_path[0] = '\0';
}

/* Open the track as the mount would (no link out of the roots), without
 * waiting on a FIFO, for the child, which cannot open it itself. */
static int open_track(const struct analysis_job *job, char *why,
		      size_t why_len)
{
	int fd = aw.open_file(job->path, O_RDONLY | O_NONBLOCK);

	if (fd == -EXDEV) {
		snprintf(why, why_len, "not analysed: a link leads out of "
			 "the roots");
		log_warn("analysis: %s: %s", job->path, why);
	}
	return fd;
}

/*
 * Run the child on the track open at fd; a child killed by a signal (by
 * the kernel's OOM killer, or a process of the same user) costs the track
 * a second try, in a new child, before it counts as failed.
 */
static int run(struct analysis_child *child, const char *exe, int fd,
	       const char *path, struct analysis_result *r, double *cpu,
	       char *why, size_t why_len)
{
	static const char killed[] = "analyser crashed: signal";
	int rc = analysis_child_run(child, exe, fd, path, r, cpu, why,
				    why_len);

	if (rc != -ECHILD || strncmp(why, killed, sizeof(killed) - 1) ||
	    lseek(fd, 0, SEEK_SET))
		return rc;
	log_info("analysis: %s: tried once more", path);
	*why = '\0';
	return analysis_child_run(child, exe, fd, path, r, cpu, why, why_len);
}

static int file_gone(const char *path)
{
	struct stat st;

	return lstat(path, &st) && (errno == ENOENT || errno == ENOTDIR);
}

/*
 * The track after's file was found gone: the queued tracks whose files
 * are gone too (a folder deleted, a flood made and removed) are taken
 * off the queue a batch at a time, while batches find some, rather than
 * each failing in turn ahead of every other track; the scan then takes
 * their rows away.
 */
static void drop_gone(sqlite3 *db, int64_t after)
{
	struct analysis_gone g = { .next = after + 1 };
	size_t dropped = 0;
	int rc;

	do {
		rc = analysis_store_gone(db, g.next, GONE_BATCH, file_gone,
					 &g);
		if (!rc && g.nr)
			rc = writer_call(analysis_store_drop, &g);
		if (!rc)
			dropped += g.nr;
		free(g.v);
	} while (!rc && g.nr && g.next &&
		 !__atomic_load_n(&aw.stopping, __ATOMIC_RELAXED));
	if (dropped)
		log_info("analysis: %zu queued track%s whose files are gone"
			 " taken off the queue", dropped,
			 dropped == 1 ? "" : "s");
}

/* Analyse one track in the worker's child and record it. The lock is
 * not held: a track takes long, and FUSE threads read the figures
 * meanwhile. The duplicates are looked for here, on the worker's
 * connection, so that the writer only writes (a failed lookup leaves it
 * to the writer). */
static int analyse(sqlite3 *db, struct analysis_child *child,
		   const struct analysis_job *job)
{
	struct analysis_outcome o = { .job = job };
	char exe[PATH_MAX], why[ANALYSIS_CHILD_WHY_LEN] = "";
	double cpu = 0;
	int rc, missing, fd = -1;

	o.error = analysis_child_locate(exe, sizeof(exe));
	missing = o.error != 0;
	if (missing)
		snprintf(why, sizeof(why), "mediamon-analyse not found");
	else
		o.error = fd = open_track(job, why, sizeof(why));
	if (fd >= 0)
		o.error = run(child, exe, fd, job->path, &o.result, &cpu, why,
			      sizeof(why));
	if (fd >= 0)
		close(fd);
	o.why = *why ? why : NULL;
	o.at = clock_wall();
	if (o.error && o.error != -ENODATA && !o.why)
		log_warn("analysis: %s: %s", job->path,
			 analysis_store_error_text(o.error));
	if (!o.error)
		analysis_store_lookup(db, &o);
	rc = writer_call(analysis_store_record, &o);
	analysis_store_lookup_release(&o);
	if (!rc && (o.error == -ENOENT || o.error == -ENOTDIR))
		drop_gone(db, job->track_id);
	pthread_mutex_lock(&aw.lock);
	aw.st.analyser_missing = missing;
	if (!rc)
		count(job, &o, cpu);
	pthread_mutex_unlock(&aw.lock);
	if (!o.error)
		analysis_result_release(&o.result);
	return rc;
}

/* A pass over the queue ends when it is found empty: the tracks too
 * short to analyse in it are one line, not one each (jingles, intros),
 * logged by whichever worker finds it so; called with the lock. */
static void end_pass(void)
{
	if (!aw.pass_short)
		return;
	log_info("analysis: %llu track%s too short to analyse, counted"
		 " as too_short in metrics/analysis.json",
		 (unsigned long long)aw.pass_short,
		 aw.pass_short == 1 ? "" : "s");
	aw.pass_short = 0;
}

/* The child is ended without the lock, which FUSE threads wait for. */
static void end_child(struct analysis_child *child)
{
	if (!child->pid)
		return;
	pthread_mutex_unlock(&aw.lock);
	analysis_child_end(child);
	pthread_mutex_lock(&aw.lock);
}

/* One track at a time, oldest queued first; the queue is read again
 * only once the store has moved since it was last found empty. The
 * worker's analyser child lives while there are tracks to analyse, so
 * that an idle daemon keeps none of its memory. */
static void *worker_main(void *arg)
{
	struct analysis_child child = ANALYSIS_CHILD_INIT;
	int slot = (int)(intptr_t)arg;
	uint64_t empty_at = 0;
	int empty = 0;
	sqlite3 *db;

	thread_name("mm-analysis");
	lower_priority();
	child.confined = 1;
	child.as_user = may_change_user();
	child.uid = aw.uid;
	child.gid = aw.gid;
	if (db_open(aw.cfg->database, 1, &db))
		return NULL;
	pthread_mutex_lock(&aw.lock);
	while (!aw.stopping) {
		struct analysis_job job;
		uint64_t generation = writer_generation();
		int rc;

		if (held_back() || (empty && generation == empty_at)) {
			if (aw.st.paused || empty)
				end_child(&child);
			/* a resume, a move of the store (store_moved()) or
			 * the stop wakes it; a scan or a reader only holds
			 * it back for a while */
			if (held_back() && !aw.st.paused)
				wait_for(READ_QUIET_S);
			else
				pthread_cond_wait(&aw.wake, &aw.lock);
			continue;
		}
		rc = analysis_store_next(db, aw.busy_id, aw.nr_threads,
					 aw.last_owner, &job);
		empty = rc == -ENOENT;
		empty_at = generation;
		if (empty)
			end_pass();
		if (rc) {
			end_child(&child);
			if (!empty)
				wait_for(RETRY_WAIT_S);
			continue;
		}
		aw.busy_id[slot] = job.track_id;
		aw.last_owner = job.owner;
		if (!aw.st.busy++)
			aw.busy_since = clock_mono();
		pthread_mutex_unlock(&aw.lock);

		rc = analyse(db, &child, &job);
		analysis_job_release(&job);

		pthread_mutex_lock(&aw.lock);
		aw.busy_id[slot] = 0;
		if (!--aw.st.busy)
			aw.st.busy_s += clock_mono() - aw.busy_since;
		/* a store that cannot take the result: not in a loop */
		if (rc && !aw.stopping)
			wait_for(RETRY_WAIT_S);
	}
	pthread_mutex_unlock(&aw.lock);
	analysis_child_end(&child);
	db_close(db);
	return NULL;
}

int analysis_worker_start(const struct config *cfg, int (*scanning)(void),
			  int (*open_file)(const char *path, int flags))
{
	pthread_condattr_t attr;
	int want = cfg->analysis_threads, rc = 0;

	pthread_mutex_lock(&aw.lock);
	/* Made once and never destroyed: FUSE threads signal it also while
	 * a reload stops and starts the workers. */
	if (!aw.wake_ready) {
		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&aw.wake, &attr);
		pthread_condattr_destroy(&attr);
		aw.wake_ready = 1;
	}
	rc = writer_on_move(store_moved);
	if (rc) {
		pthread_mutex_unlock(&aw.lock);
		return rc;
	}
	aw.cfg = cfg;
	aw.scanning = scanning;
	aw.open_file = open_file;
	aw.stopping = 0;
	aw.nr_threads = 0;
	memset(aw.busy_id, 0, sizeof(aw.busy_id));
	aw.last_owner = ANALYSIS_OWNER_NONE;
	aw.st.enabled = cfg->analysis_enabled;
	if (!cfg->analysis_enabled)
		want = 0;
	if (want > MAX_THREADS)
		want = MAX_THREADS;
	aw.uid = cfg->analysis_user.uid;
	aw.gid = cfg->analysis_user.gid;
	if (want && !cfg->analysis_user.name && may_change_user()) {
		if (analysis_user_pick(&aw.uid)) {
			log_error(-EAGAIN, "analysis: no mediamon-analyse user,"
				  " and no uid of %d-%d free for the analyser:"
				  " make one, or set [analysis] user; the"
				  " analysis is off", ANALYSIS_USER_FIRST,
				  ANALYSIS_USER_LAST);
			want = 0;
		} else {
			aw.gid = aw.uid;
			log_info("analysis: no mediamon-analyse user: the"
				 " analyser runs as uid %u, which no user and"
				 " no process has", aw.uid);
		}
	}
	/* workers read nr_threads (the busy list's length) under the lock,
	 * which they wait for until all are made */
	for (int i = 0; i < want; i++) {
		rc = -pthread_create(&aw.thread[aw.nr_threads], NULL,
				     worker_main, (void *)(intptr_t)i);
		if (rc) {
			log_error(rc, "analysis: cannot start worker %d", i);
			break;
		}
		aw.nr_threads++;
	}
	aw.st.threads = aw.nr_threads;
	aw.started = 1;
	pthread_mutex_unlock(&aw.lock);
	if (!cfg->analysis_enabled)
		log_info("analysis: switched off in [analysis]");
	return aw.nr_threads || !want ? 0 : rc;
}

void analysis_worker_stop(void)
{
	int n;

	pthread_mutex_lock(&aw.lock);
	if (!aw.started) {
		pthread_mutex_unlock(&aw.lock);
		return;
	}
	aw.stopping = 1;
	pthread_cond_broadcast(&aw.wake);
	n = aw.nr_threads;
	pthread_mutex_unlock(&aw.lock);
	for (int i = 0; i < n; i++)
		pthread_join(aw.thread[i], NULL);
	pthread_mutex_lock(&aw.lock);
	aw.started = 0;
	aw.nr_threads = 0;
	aw.st.threads = 0;
	pthread_mutex_unlock(&aw.lock);
}

void analysis_worker_pause(int on)
{
	pthread_mutex_lock(&aw.lock);
	aw.st.paused = !!on;
	if (aw.wake_ready)
		pthread_cond_broadcast(&aw.wake);
	pthread_mutex_unlock(&aw.lock);
}

void analysis_worker_note_read(void)
{
	int64_t now = clock_mono() * 1e9;

	__atomic_store_n(&aw.last_read_ns, now, __ATOMIC_RELAXED);
}

void analysis_worker_status(struct analysis_worker_status *out)
{
	pthread_mutex_lock(&aw.lock);
	*out = aw.st;
	if (aw.st.busy)
		out->busy_s += clock_mono() - aw.busy_since;
	pthread_mutex_unlock(&aw.lock);
}

void analysis_worker_reset_counters(void)
{
	pthread_mutex_lock(&aw.lock);
	aw.st.done = 0;
	aw.st.failed = 0;
	aw.st.busy_s = 0;
	aw.st.audio_s = 0;
	aw.st.cpu_s = 0;
	if (aw.st.busy)
		aw.busy_since = clock_mono();
	pthread_mutex_unlock(&aw.lock);
}
