#include "fs/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "indexer/reads.h"

#define LOOP_SPARE_JOBS 8

/* One request read from the device, with the buffer it was read into,
 * or a function handed over by loop_defer(). */
struct job {
	struct job *next;
	struct fuse_buf buf;
	void (*fn)(void *arg);
	void *arg;
};

/* Whether this thread is the lane. */
static __thread int on_lane;

static struct {
	struct fuse_session *se;
	int fd;
	pid_t lane_tid;
	cpu_set_t cpus;		/* the process's own, given back at rest */
	int can_follow;

	pthread_mutex_t lock;	/* everything down to the atomics */
	pthread_cond_t work;	/* a job was queued, or stopping */
	pthread_cond_t watch;	/* the lane became busy, or stopping */
	struct job *head, *tail, *spare;
	unsigned int nr_queued, nr_spare;
	unsigned int max_workers, workers, idle;
	pthread_t *threads;	/* workers, then the watchdog */
	int running, stopping, active;
	int cpu;		/* the lane's while it follows, else -1 */
	uint64_t moves, rescues, demotions;
	double cool_until;	/* no following before (CLOCK_MONOTONIC s) */

	atomic_ulong taken;	/* requests the lane read */
	atomic_ulong inline_done, handed;
	atomic_int busy;	/* the lane is answering one */

	/* The lane's own: the process it follows and its stat file. */
	pid_t pid;
	int pid_fd;
	unsigned int since_follow;
} loop = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.watch = PTHREAD_COND_INITIALIZER,
	.cpu = -1,
	.pid_fd = -1,
};

/*
 * Quick requests are answered from the store, from memory or by opening
 * and closing a file: the lane answers them where it is, and an open
 * answered there costs no second thread woken (the watchdog hands the
 * others on should a file take long to open). Reads go to the workers,
 * which answer a file's read-ahead side by side and may wait on a disk.
 */
static int quick(uint32_t opcode)
{
	switch (opcode) {
	case FUSE_OPEN:
	case FUSE_FLUSH:
	case FUSE_RELEASE:
	case FUSE_LOOKUP:
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_GETATTR:
	case FUSE_STATFS:
	case FUSE_ACCESS:
	case FUSE_GETXATTR:
	case FUSE_LISTXATTR:
	case FUSE_OPENDIR:
	case FUSE_READDIR:
	case FUSE_READDIRPLUS:
	case FUSE_RELEASEDIR:
	case FUSE_INTERRUPT:
	case FUSE_INIT:
	case FUSE_DESTROY:
		return 1;
	default:
		return 0;
	}
}

/* A job to read the next request into: a spare one with its buffer, or
 * a new one whose buffer libfuse allocates at the first read. */
static struct job *job_get(void)
{
	struct job *job;

	pthread_mutex_lock(&loop.lock);
	job = loop.spare;
	if (job) {
		loop.spare = job->next;
		loop.nr_spare--;
	}
	pthread_mutex_unlock(&loop.lock);
	if (!job) {
		job = calloc(1, sizeof(*job));
		if (!job)
			log_error(-ENOMEM, "loop: no memory for a request");
	}
	return job;
}

static void job_free(struct job *job)
{
	free(job->buf.mem);
	free(job);
}

/* Keep a few jobs for the next reads: a buffer is a megabyte, which
 * malloc() maps and unmaps each time. Called with loop.lock held. */
static void job_put_locked(struct job *job)
{
	if (loop.nr_spare >= LOOP_SPARE_JOBS) {
		job_free(job);
		return;
	}
	job->next = loop.spare;
	loop.spare = job;
	loop.nr_spare++;
}

static void *worker_main(void *arg);

/* Start a thread with every signal blocked: they are the lane's. */
static int start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -rc;
}

/* Queue job for a worker, and start one more when every worker is busy
 * and there is room. Called with loop.lock held. */
static void job_queue_locked(struct job *job)
{
	job->next = NULL;
	if (loop.tail)
		loop.tail->next = job;
	else
		loop.head = job;
	loop.tail = job;
	loop.nr_queued++;
	atomic_fetch_add(&loop.handed, 1);
	if (loop.idle >= loop.nr_queued) {
		pthread_cond_signal(&loop.work);
		return;
	}
	if (loop.workers < loop.max_workers &&
	    !start_thread(&loop.threads[loop.workers], worker_main, NULL))
		loop.workers++;
	else if (!loop.workers)
		log_error(-EAGAIN, "loop: cannot start a worker; a request"
			  " waits for the next one");
}

/* Answer queued requests until the loop stops; what is still queued
 * then is dropped, as the kernel ends its requests at the unmount. */
static void *worker_main(void *arg)
{
	struct job *job;

	(void)arg;
	pthread_mutex_lock(&loop.lock);
	for (;;) {
		while (!loop.head && !loop.stopping) {
			loop.idle++;
			pthread_cond_wait(&loop.work, &loop.lock);
			loop.idle--;
		}
		if (loop.stopping)
			break;
		job = loop.head;
		loop.head = job->next;
		if (!loop.head)
			loop.tail = NULL;
		loop.nr_queued--;
		pthread_mutex_unlock(&loop.lock);
		if (job->fn) {
			reader_refresh();
			job->fn(job->arg);
			job->fn = NULL;
			pthread_mutex_lock(&loop.lock);
			job_put_locked(job);
			continue;
		}
		/* The reads of a stream come faster than the lane hands
		 * them over: the next is often waiting already. */
		for (;;) {
			reader_refresh();
			fuse_session_process_buf(loop.se, &job->buf);
			if (fuse_session_receive_buf(loop.se, &job->buf) <= 0)
				break;
			atomic_fetch_add(&loop.handed, 1);
		}
		pthread_mutex_lock(&loop.lock);
		job_put_locked(job);
	}
	pthread_mutex_unlock(&loop.lock);
	return NULL;
}

int loop_stat_cpu(const char *stat)
{
	const char *p = strrchr(stat, ')');
	char *end;
	long cpu;
	int field;

	if (!p)
		return -1;
	for (field = 2; *p && field < 39; p++)
		field += *p == ' ';
	if (*p < '0' || *p > '9')
		return -1;
	cpu = strtol(p, &end, 10);
	return (*end == ' ' || *end == '\n' || !*end) && cpu < CPU_SETSIZE ?
		(int)cpu : -1;
}

/* The CPU the task pid last ran on. The file of the last pid stays
 * open: pread() renders it again. */
static int task_cpu(pid_t pid)
{
	char buf[1024];
	ssize_t n;

	if (pid != loop.pid) {
		if (loop.pid_fd >= 0)
			close(loop.pid_fd);
		snprintf(buf, sizeof(buf), "/proc/%d/stat", (int)pid);
		loop.pid_fd = open(buf, O_RDONLY | O_CLOEXEC);
		loop.pid = pid;
	}
	if (loop.pid_fd < 0)
		return -1;
	n = pread(loop.pid_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		close(loop.pid_fd);
		loop.pid_fd = -1;
		loop.pid = 0;
		return -1;
	}
	buf[n] = '\0';
	return loop_stat_cpu(buf);
}

/* Set the policy and the CPUs of the thread tid; cpu -1 gives back the
 * process's own. Called with loop.lock held. */
static int lane_place_locked(pid_t tid, int policy, int cpu)
{
	struct sched_param sp = { 0 };
	cpu_set_t one;

	if (sched_setscheduler(tid, policy, &sp))
		return -errno;
	if (cpu < 0)
		return sched_setaffinity(tid, sizeof(loop.cpus), &loop.cpus) ?
			-errno : 0;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(tid, sizeof(one), &one) ? -errno : 0;
}

/* Stop following: the normal policy on any CPU. A lane that cannot
 * leave SCHED_IDLE would starve behind any busy process, so following
 * ends for good then. Called with loop.lock held. */
static void lane_rest_locked(pid_t tid, int always)
{
	int rc;

	if (loop.cpu < 0 && !always)
		return;
	rc = lane_place_locked(tid, SCHED_OTHER, -1);
	if (rc) {
		log_error(rc, "loop: cannot put the lane back to the normal"
			  " policy: %s; it follows no more", strerror(-rc));
		loop.can_follow = 0;
	}
	loop.cpu = -1;
}

/* Go to the CPU of the process that asked (pid), every
 * LOOP_FOLLOW_EVERY requests, unless the watchdog has just put the lane
 * back. */
static void lane_follow(pid_t pid)
{
	int cpu, rc;

	if (!loop.can_follow || !pid || loop.since_follow++ % LOOP_FOLLOW_EVERY)
		return;
	cpu = task_cpu(pid);
	if (cpu < 0 || !CPU_ISSET(cpu, &loop.cpus))
		return;
	pthread_mutex_lock(&loop.lock);
	if (cpu != loop.cpu && clock_mono() >= loop.cool_until) {
		rc = lane_place_locked(0, SCHED_IDLE, cpu);
		if (!rc) {
			loop.cpu = cpu;
			loop.moves++;
		} else {
			lane_rest_locked(0, 1);
		}
	}
	pthread_mutex_unlock(&loop.lock);
}

/* Mark the lane busy or resting, for the watchdog, which ticks only
 * while it is busy. */
static void lane_set_active(int active)
{
	pthread_mutex_lock(&loop.lock);
	loop.active = active;
	if (active)
		pthread_cond_signal(&loop.watch);
	else
		lane_rest_locked(0, 0);
	pthread_mutex_unlock(&loop.lock);
}

/* Wait for the next request: LOOP_LINGER_MS while the lane is busy,
 * then, resting, as long as it takes. A signal ends the wait early. */
static void lane_wait(void)
{
	struct pollfd p = { .fd = loop.fd, .events = POLLIN };

	loop.since_follow = 0;
	if (loop.active) {
		if (poll(&p, 1, LOOP_LINGER_MS) != 0)
			return;
		lane_set_active(0);
	}
	if (poll(&p, 1, -1) > 0)
		lane_set_active(1);
}

int loop_on_lane(void)
{
	return on_lane;
}

int loop_defer(void (*fn)(void *arg), void *arg)
{
	struct job *job;

	pthread_mutex_lock(&loop.lock);
	if (!loop.running || loop.stopping) {
		pthread_mutex_unlock(&loop.lock);
		return -ESHUTDOWN;
	}
	pthread_mutex_unlock(&loop.lock);
	job = job_get();
	if (!job)
		return -ENOMEM;
	job->fn = fn;
	job->arg = arg;
	pthread_mutex_lock(&loop.lock);
	job_queue_locked(job);
	pthread_mutex_unlock(&loop.lock);
	return 0;
}

/* Read and answer requests until the session ends. */
static int lane_run(void)
{
	const struct fuse_in_header *in;
	struct job *job = NULL;
	int res, rc = 0;

	on_lane = 1;
	while (!fuse_session_exited(loop.se)) {
		if (!job && !(job = job_get())) {
			rc = -ENOMEM;
			break;
		}
		res = fuse_session_receive_buf(loop.se, &job->buf);
		if (res == -EAGAIN) {
			lane_wait();
			continue;
		}
		if (res == -EINTR)
			continue;
		if (res <= 0) {
			if (res < 0)
				rc = log_error(res, "loop: cannot read the"
					       " device: %s", strerror(-res));
			break;
		}
		atomic_fetch_add(&loop.taken, 1);
		in = job->buf.mem;
		if (job->buf.flags & FUSE_BUF_IS_FD || !quick(in->opcode)) {
			pthread_mutex_lock(&loop.lock);
			job_queue_locked(job);
			pthread_mutex_unlock(&loop.lock);
			job = NULL;
			continue;
		}
		/* a forget has no answer: nobody waits on it */
		atomic_store(&loop.busy, in->opcode != FUSE_FORGET &&
			     in->opcode != FUSE_BATCH_FORGET);
		lane_follow(in->pid);
		reader_refresh();
		fuse_session_process_buf(loop.se, &job->buf);
		atomic_store(&loop.busy, 0);
		atomic_fetch_add(&loop.inline_done, 1);
	}
	if (job)
		job_free(job);
	fuse_session_exit(loop.se);
	return rc;
}

static int requests_waiting(void)
{
	struct pollfd p = { .fd = loop.fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/* Nanoseconds the lane has waited for a CPU while it could run
 * (/proc/self/task/TID/schedstat), or -1 where the kernel does not
 * count them. */
static long long lane_run_delay(int *fd)
{
	char buf[128];
	long long ran, waited;
	ssize_t n;

	if (*fd < 0) {
		snprintf(buf, sizeof(buf), "/proc/self/task/%d/schedstat",
			 (int)loop.lane_tid);
		*fd = open(buf, O_RDONLY | O_CLOEXEC);
		if (*fd < 0)
			return -1;
	}
	n = pread(*fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return sscanf(buf, "%lld %lld", &ran, &waited) == 2 ? waited : -1;
}

/* Hand the requests waiting in the device to the workers, while the
 * lane is kept from them. */
static void rescue(void)
{
	struct job *job;
	int res;

	while (requests_waiting() && (job = job_get())) {
		res = fuse_session_receive_buf(loop.se, &job->buf);
		pthread_mutex_lock(&loop.lock);
		if (res > 0)
			job_queue_locked(job);
		else
			job_put_locked(job);
		pthread_mutex_unlock(&loop.lock);
		if (res <= 0)
			break;
	}
}

/*
 * Every LOOP_TICK_MS while the lane is busy: a lane that took no
 * request in a tick while some wait, or while it answers one, is stuck
 * behind a long answer or kept off its CPU. The waiting requests go to
 * the workers; a following lane that waited for its CPU more than half
 * the tick goes back to the normal policy for LOOP_COOL_MS.
 */
static void *watchdog_main(void *arg)
{
	unsigned long last = 0, taken;
	long long delay, last_delay = -1;
	struct timespec at;
	int fd = -1, stuck, starved = 0;

	(void)arg;
	pthread_mutex_lock(&loop.lock);
	while (!loop.stopping) {
		if (!loop.active) {
			pthread_cond_wait(&loop.watch, &loop.lock);
			last = atomic_load(&loop.taken);
			last_delay = -1;
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_nsec += LOOP_TICK_MS * 1000000L;
		if (at.tv_nsec >= 1000000000L) {
			at.tv_sec++;
			at.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&loop.watch, &loop.lock, &at);
		if (loop.stopping)
			break;
		taken = atomic_load(&loop.taken);
		stuck = taken == last &&
			(atomic_load(&loop.busy) || requests_waiting());
		last = taken;
		delay = loop.cpu >= 0 ? lane_run_delay(&fd) : -1;
		starved = stuck && loop.cpu >= 0 &&
			  (delay < 0 || (last_delay >= 0 && delay - last_delay >
					 LOOP_TICK_MS * 500000LL)) ?
			  starved + 1 : 0;
		if (starved >= 2) {
			starved = 0;
			lane_rest_locked(loop.lane_tid, 0);
			loop.cool_until = clock_mono() + LOOP_COOL_MS / 1000.0;
			loop.demotions++;
		}
		last_delay = delay;
		if (stuck && requests_waiting()) {
			loop.rescues++;
			pthread_mutex_unlock(&loop.lock);
			rescue();
			pthread_mutex_lock(&loop.lock);
		}
	}
	pthread_mutex_unlock(&loop.lock);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Whether this process may leave SCHED_IDLE once in it: tried on a
 * thread of its own, which ends with whatever policy it got. */
static void *probe_main(void *arg)
{
	struct sched_param sp = { 0 };

	*(int *)arg = !sched_setscheduler(0, SCHED_IDLE, &sp) &&
		      !sched_setscheduler(0, SCHED_OTHER, &sp);
	return NULL;
}

static int may_follow(void)
{
	pthread_t t;
	int ok = 0;

	if (start_thread(&t, probe_main, &ok) == 0) {
		pthread_join(t, NULL);
		return ok;
	}
	return 0;
}

int loop_run(struct fuse_session *se, unsigned int max_threads, int follow)
{
	struct job *job;
	int rc, flags;

	loop.se = se;
	loop.fd = fuse_session_fd(se);
	loop.lane_tid = gettid();
	loop.max_workers = max_threads ? max_threads : 1;
	loop.threads = calloc(loop.max_workers + 1, sizeof(*loop.threads));
	if (!loop.threads)
		return log_error(-ENOMEM, "loop: no memory for the threads");
	flags = fcntl(loop.fd, F_GETFL);
	if (flags < 0 || fcntl(loop.fd, F_SETFL, flags | O_NONBLOCK)) {
		rc = log_error(-errno, "loop: cannot make the device"
			       " non-blocking: %s", strerror(errno));
		free(loop.threads);
		return rc;
	}
	if (sched_getaffinity(0, sizeof(loop.cpus), &loop.cpus))
		follow = 0;
	loop.can_follow = follow && may_follow();
	if (follow && !loop.can_follow)
		log_info("loop: no right to leave SCHED_IDLE (CAP_SYS_NICE):"
			 " walks are answered on any CPU");
	rc = start_thread(&loop.threads[loop.max_workers], watchdog_main,
			  NULL);
	if (rc) {
		free(loop.threads);
		return log_error(rc, "loop: cannot start the watchdog: %s",
				 strerror(-rc));
	}
	pthread_mutex_lock(&loop.lock);
	loop.running = 1;
	pthread_mutex_unlock(&loop.lock);

	rc = lane_run();

	pthread_mutex_lock(&loop.lock);
	loop.stopping = 1;
	lane_rest_locked(0, 0);
	pthread_cond_broadcast(&loop.work);
	pthread_cond_broadcast(&loop.watch);
	pthread_mutex_unlock(&loop.lock);
	pthread_join(loop.threads[loop.max_workers], NULL);
	for (unsigned int i = 0; i < loop.workers; i++)
		pthread_join(loop.threads[i], NULL);
	/* a request handed over is answered, or its kernel waits */
	while ((job = loop.head)) {
		loop.head = job->next;
		if (job->fn)
			job->fn(job->arg);
		job_free(job);
	}
	while ((job = loop.spare)) {
		loop.spare = job->next;
		job_free(job);
	}
	if (loop.pid_fd >= 0)
		close(loop.pid_fd);
	free(loop.threads);
	pthread_mutex_lock(&loop.lock);
	loop.running = 0;
	pthread_mutex_unlock(&loop.lock);
	return rc;
}

void loop_get_stats(struct loop_stats *out)
{
	pthread_mutex_lock(&loop.lock);
	out->running = loop.running;
	out->can_follow = loop.can_follow;
	out->following = loop.cpu >= 0;
	out->cpu = loop.cpu;
	out->moves = loop.moves;
	out->rescues = loop.rescues;
	out->demotions = loop.demotions;
	out->workers = loop.workers;
	out->workers_busy = loop.workers - loop.idle;
	pthread_mutex_unlock(&loop.lock);
	out->lane_requests = atomic_load(&loop.inline_done);
	out->worker_requests = atomic_load(&loop.handed);
}

void loop_reset_stats(void)
{
	pthread_mutex_lock(&loop.lock);
	loop.moves = 0;
	loop.rescues = 0;
	loop.demotions = 0;
	pthread_mutex_unlock(&loop.lock);
	atomic_store(&loop.inline_done, 0);
	atomic_store(&loop.handed, 0);
}
