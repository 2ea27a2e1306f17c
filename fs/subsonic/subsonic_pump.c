/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The pump (subsonic_pump.h): the suspended connections, their pipes and
 * deadlines, and the thread that polls them. It reads no pipe and writes
 * no answer: it only resumes.
 */
#include "fs/subsonic/subsonic_pump.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/thread.h"

#define MAX_WAITING 256

struct waiting {
	struct MHD_Connection *c;
	int fd;
	int *stalled;
	double until;		/* monotonic */
};

static struct {
	pthread_mutex_t lock;
	struct waiting w[MAX_WAITING];
	int nr;
	int wake[2];		/* a new one to poll: the thread's pipe */
	int started;
} pump = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = { -1, -1 } };

/* Resume entry i and drop it, under the lock. */
static void resume(int i, int stalled)
{
	if (stalled)
		*pump.w[i].stalled = 1;
	MHD_resume_connection(pump.w[i].c);
	pump.w[i] = pump.w[--pump.nr];
}

/* One round: poll what waits (the first slot the wake pipe) for at most
 * a second, then resume what is ready or past its deadline. */
static void round_once(void)
{
	struct pollfd p[MAX_WAITING + 1];
	struct MHD_Connection *c[MAX_WAITING];
	char drain[64];
	int n, i, j;
	double now;

	pthread_mutex_lock(&pump.lock);
	n = pump.nr;
	p[0] = (struct pollfd){ .fd = pump.wake[0], .events = POLLIN };
	for (i = 0; i < n; i++) {
		p[i + 1] = (struct pollfd){ .fd = pump.w[i].fd,
					    .events = POLLIN };
		c[i] = pump.w[i].c;
	}
	pthread_mutex_unlock(&pump.lock);
	if (poll(p, n + 1, 1000) < 0)
		return;
	if (p[0].revents)
		while (read(pump.wake[0], drain, sizeof(drain)) > 0)
			;
	now = clock_mono();
	pthread_mutex_lock(&pump.lock);
	/* entries only leave here, and new ones come after the n polled */
	for (i = n - 1; i >= 0; i--) {
		for (j = 0; j < pump.nr && pump.w[j].c != c[i]; j++)
			;
		if (j == pump.nr)
			continue;
		if (p[i + 1].revents)
			resume(j, 0);
		else if (now >= pump.w[j].until)
			resume(j, 1);
	}
	pthread_mutex_unlock(&pump.lock);
}

static void *pump_main(void *arg)
{
	(void)arg;
	thread_name("mm-pump");
	for (;;)
		round_once();
	return NULL;
}

/* The thread and its wake pipe, once, under the lock. */
static int start_pump(void)
{
	pthread_t t;
	int rc;

	if (pump.started)
		return 0;
	if (pipe2(pump.wake, O_CLOEXEC | O_NONBLOCK))
		return log_error(-errno, "http: no pipe for the pump: %s",
				 strerror(errno));
	rc = -pthread_create(&t, NULL, pump_main, NULL);
	if (rc) {
		close(pump.wake[0]);
		close(pump.wake[1]);
		return log_error(rc, "http: cannot start the pump: %s",
				 strerror(-rc));
	}
	pthread_detach(t);
	pump.started = 1;
	return 0;
}

int subsonic_pump_wait(struct MHD_Connection *c, int fd, int *stalled)
{
	int rc;

	pthread_mutex_lock(&pump.lock);
	rc = start_pump();
	if (!rc && pump.nr == MAX_WAITING)
		rc = log_error(-EAGAIN, "http: %d answers already wait on "
			       "their transcoders", MAX_WAITING);
	if (!rc) {
		MHD_suspend_connection(c);
		pump.w[pump.nr++] = (struct waiting){
			.c = c, .fd = fd, .stalled = stalled,
			.until = clock_mono() + PUMP_STALL_S };
		if (write(pump.wake[1], "", 1) < 0 && errno != EAGAIN)
			log_debug("http: the pump was not woken: %s",
				  strerror(errno));
	}
	pthread_mutex_unlock(&pump.lock);
	return rc;
}

void subsonic_pump_stop(void)
{
	pthread_mutex_lock(&pump.lock);
	while (pump.nr)
		resume(pump.nr - 1, 1);
	pthread_mutex_unlock(&pump.lock);
}
