#ifndef MEDIAMON_LOOP_H
#define MEDIAMON_LOOP_H

/*
 * The session loop: reads the kernel's requests and answers them, in
 * place of libfuse's fuse_session_loop_mt().
 *
 * A walk (find, du, a file manager) asks one question at a time and
 * waits for each answer. Answered by a thread on another CPU, every
 * question and every answer wakes a sleeping CPU, which in a virtual
 * machine costs tens of microseconds each way: more than the answer. So
 * one thread, the lane, reads every request and answers the quick ones
 * (lookups, attributes, listings, opens) itself, on the CPU
 * of the process that asked (read from /proc/PID/stat every
 * LOOP_FOLLOW_EVERY of them) and at the SCHED_IDLE policy. The scheduler
 * then wakes the asking process on that same CPU, where it takes over
 * from the lane at once; the lane reads the next question when the
 * process sleeps again, and no CPU is woken either way. Reads and
 * writes go to up to max_threads workers, which answer a file's
 * read-ahead side by side and may wait on a disk as long as they must,
 * and so does what the lane hands over with loop_defer() (a rendering).
 *
 * A lane at SCHED_IDLE gets no CPU while another process wants it. A
 * watchdog thread looks every LOOP_TICK_MS while the lane is busy: when
 * it took no request in a tick while some wait, the watchdog hands them
 * to the workers, and when it was also kept off its CPU, puts it back to
 * the normal policy on any CPU for LOOP_COOL_MS.
 *
 * Following needs the right to leave SCHED_IDLE again (CAP_SYS_NICE, or
 * an RLIMIT_NICE of 20); without it the lane answers at the normal policy
 * on any CPU.
 *
 *	rc = loop_run(se, cmd.max_threads, 1);
 */

#include <stdint.h>

struct fuse_session;

#define LOOP_FOLLOW_EVERY 64
#define LOOP_TICK_MS 2
#define LOOP_COOL_MS 1000
#define LOOP_LINGER_MS 50	/* a lane with no request this long rests */

/* What the loop did since it started, for /metrics/fuse.json. */
struct loop_stats {
	int running;		/* loop_run() serves a session */
	int can_follow;		/* the lane may follow (see above) */
	int following;		/* it does now: SCHED_IDLE on cpu */
	int cpu;
	uint64_t lane_requests;	/* answered by the lane */
	uint64_t worker_requests; /* handed to the workers */
	uint64_t moves;		/* times the lane changed CPU */
	uint64_t rescues;	/* ticks the watchdog handed requests over */
	uint64_t demotions;	/* times it put a starved lane back */
	unsigned int workers, workers_busy;
};

/*
 * Serve se, mounted, until it ends (unmounted, or fuse_session_exit()
 * from a signal handler), with at most max_threads workers (at least 1).
 * follow = 0 keeps the lane at the normal policy on any CPU. Call it from
 * the thread that receives the termination signals (the main thread):
 * the threads it starts block every signal. Returns 0 when the session
 * ended, or a negative errno value (logged).
 */
int loop_run(struct fuse_session *se, unsigned int max_threads, int follow);

/*
 * The CPU a task last ran on, from the text of its /proc/PID/stat: field
 * 39, counted after the command name, which is in parentheses and may
 * itself hold spaces and ")". -1 when the text has no such field.
 */
int loop_stat_cpu(const char *stat);

/* Whether the calling thread is the lane: what may take long is handed
 * to the workers from there. */
int loop_on_lane(void);

/*
 * Have a worker call fn(arg), once, soon: for a request whose answer
 * takes long, which the worker gives (a request may be answered from any
 * thread). Returns 0, or a negative errno value when the loop does not
 * run (-ESHUTDOWN) or has no memory: the caller does the work itself.
 */
int loop_defer(void (*fn)(void *arg), void *arg);

/* Copy what the loop did into out; safe from any thread. */
void loop_get_stats(struct loop_stats *out);

/*
 * Set the counters of the stats (requests, moves, rescues, demotions) to
 * zero; safe from any thread.
 */
void loop_reset_stats(void);

#endif
