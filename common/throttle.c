/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Rate limits and backoff per remote service (throttle.h), and the
 * registry that /metrics/requests.json and Prometheus read. It sends
 * no request itself.
 */
#include "common/throttle.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/clock.h"
#include "common/log.h"

#define CANCEL_CHECK_S 0.1
#define WINDOW_S 60.0

struct throttle {
	pthread_mutex_t lock;
	char *name;
	struct throttle_clock clock;
	int rpm;
	double interval;
	int has_last;
	double last;		/* monotonic, when has_last */
	double paused_until;	/* monotonic; in the past when not paused */
	double backoff;
	int consecutive_failures;
	int successes;		/* since the backoff last changed */
	uint64_t requests;
	uint64_t waits;
	uint64_t http_429;
	uint64_t failures;
	double window_start;	/* monotonic; the minute counted from it */
	uint64_t window_requests;
	int refusal;		/* the last refusal's HTTP status, or 0 */
	int blocked;		/* it was not for the rate */
	double refusal_at;	/* wall clock */
	unsigned long serial;	/* made after every lower one */
};

/* Every throttle alive, for throttle_all(). */
static struct {
	pthread_mutex_t lock;
	struct throttle **v;
	size_t nr, alloc;
	unsigned long serial;
} reg = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int reg_add(struct throttle *t)
{
	struct throttle **v;

	pthread_mutex_lock(&reg.lock);
	v = array_grow(reg.v, reg.nr, &reg.alloc, sizeof(*v), 8);
	if (v) {
		reg.v = v;
		t->serial = ++reg.serial;
		reg.v[reg.nr++] = t;
	}
	pthread_mutex_unlock(&reg.lock);
	return v ? 0 : -ENOMEM;
}

static void reg_del(struct throttle *t)
{
	pthread_mutex_lock(&reg.lock);
	for (size_t i = 0; i < reg.nr; i++)
		if (reg.v[i] == t) {
			reg.v[i] = reg.v[--reg.nr];
			break;
		}
	if (!reg.nr) {
		free(reg.v);
		reg.v = NULL;
		reg.alloc = 0;
	}
	pthread_mutex_unlock(&reg.lock);
}

static const struct throttle_clock real_clock = {
	clock_mono, clock_wall, clock_sleep
};

/* Saved and reported times are wall clock, waiting is monotonic. */
static double to_wall(const struct throttle *t, double mono)
{
	return mono - t->clock.mono() + t->clock.wall();
}

/* Bring back the state of the last run, trusting none of its values. */
static void restore(struct throttle *t, const struct throttle_state *saved)
{
	double now_m = t->clock.mono(), now_w = t->clock.wall();

	t->paused_until = now_m;
	if (!saved)
		return;
	if (saved->last_request_at > 0) {
		t->has_last = 1;
		t->last = now_m + fmin(saved->last_request_at - now_w, 0);
	}
	if (saved->paused_until > now_w)
		t->paused_until = now_m + fmin(saved->paused_until - now_w,
					       THROTTLE_RETRY_AFTER_MAX);
	if (saved->backoff_s > 0)
		t->backoff = fmin(saved->backoff_s, THROTTLE_BACKOFF_MAX);
}

int throttle_new(const char *name, int requests_per_minute,
		 const struct throttle_state *saved,
		 const struct throttle_clock *clock, struct throttle **out)
{
	struct throttle *t;
	int ret;

	if (!name || requests_per_minute < 1)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->name = strdup(name);
	if (!t->name) {
		free(t);
		return -ENOMEM;
	}
	ret = pthread_mutex_init(&t->lock, NULL);
	if (ret) {
		free(t->name);
		free(t);
		return -ret;
	}
	t->clock = clock ? *clock : real_clock;
	t->rpm = requests_per_minute;
	t->interval = 60.0 / requests_per_minute;
	restore(t, saved);
	ret = reg_add(t);
	if (ret) {
		pthread_mutex_destroy(&t->lock);
		free(t->name);
		free(t);
		return ret;
	}
	*out = t;
	return 0;
}

void throttle_free(struct throttle *t)
{
	if (!t)
		return;
	reg_del(t);
	pthread_mutex_destroy(&t->lock);
	free(t->name);
	free(t);
}

const char *throttle_name(const struct throttle *t)
{
	return t->name;
}

/* The lock is dropped while sleeping so reports and stats are not held up. */
int throttle_acquire(struct throttle *t, const int *cancel)
{
	int waited = 0;
	double now, ready;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		if (cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED)) {
			pthread_mutex_unlock(&t->lock);
			return -ECANCELED;
		}
		now = t->clock.mono();
		ready = t->paused_until;
		if (t->has_last)
			ready = fmax(ready, t->last + t->interval);
		if (now >= ready)
			break;
		waited = 1;
		pthread_mutex_unlock(&t->lock);
		t->clock.sleep(fmin(ready - now, CANCEL_CHECK_S));
		pthread_mutex_lock(&t->lock);
	}
	t->has_last = 1;
	t->last = now;
	t->requests++;
	if (!t->window_requests || now >= t->window_start + WINDOW_S) {
		t->window_start = now;
		t->window_requests = 0;
	}
	t->window_requests++;
	if (waited)
		t->waits++;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

/* Each refusal or run of failures in a row doubles the backoff. */
static void back_off(struct throttle *t)
{
	if (t->backoff < THROTTLE_BACKOFF_MIN)
		t->backoff = THROTTLE_BACKOFF_MIN;
	else
		t->backoff = fmin(t->backoff * 2, THROTTLE_BACKOFF_MAX);
	t->successes = 0;
}

/* A shorter pause never cuts a longer one that is already running. */
static void pause_for(struct throttle *t, double seconds)
{
	double until = t->clock.mono() + seconds;

	if (until > t->paused_until)
		t->paused_until = until;
}

/* The backoff is only halved after a run of successes, to recover slowly. */
void throttle_ok(struct throttle *t)
{
	pthread_mutex_lock(&t->lock);
	t->consecutive_failures = 0;
	if (t->backoff > 0 && ++t->successes >= THROTTLE_RECOVER_AFTER) {
		t->successes = 0;
		t->backoff /= 2;
		if (t->backoff < THROTTLE_BACKOFF_MIN)
			t->backoff = 0;
	}
	pthread_mutex_unlock(&t->lock);
}

/* A refused request already took its token in throttle_acquire(). */
void throttle_rate_limited(struct throttle *t, double retry_after_s)
{
	double pause;

	if (!(retry_after_s > 0))
		retry_after_s = 0;
	retry_after_s = fmin(retry_after_s, THROTTLE_RETRY_AFTER_MAX);
	pthread_mutex_lock(&t->lock);
	t->http_429++;
	t->refusal = 429;
	t->blocked = 0;
	t->refusal_at = t->clock.wall();
	back_off(t);
	pause = fmax(retry_after_s, t->backoff);
	pause_for(t, pause);
	pthread_mutex_unlock(&t->lock);
	log_info("%s: rate limited, pausing for %.0f s", t->name, pause);
}

/* Isolated failures only count; a run of them pauses the service. */
void throttle_failed(struct throttle *t)
{
	int run;
	double pause = 0;

	pthread_mutex_lock(&t->lock);
	t->failures++;
	run = ++t->consecutive_failures;
	if (run >= THROTTLE_FAILURES_PAUSE) {
		back_off(t);
		pause = t->backoff;
		pause_for(t, pause);
	}
	pthread_mutex_unlock(&t->lock);
	if (pause > 0)
		log_warn("%s: %d failures in a row, pausing for %.0f s",
			 t->name, run, pause);
}

void throttle_answered(struct throttle *t, int rc, long status,
		       double retry_after_s)
{
	if (rc == -EAGAIN)
		throttle_rate_limited(t, retry_after_s);
	else if (rc == -EIO && status >= 500)
		throttle_failed(t);
	else
		throttle_ok(t);
}

/* A refusal is not a glitch: the next request would be refused as well
 * (a block, a key gone), so it backs off at once, longer each time. */
void throttle_refused(struct throttle *t, long status, double retry_after_s)
{
	double pause;

	if (!(retry_after_s > 0))
		retry_after_s = 0;
	retry_after_s = fmin(retry_after_s, THROTTLE_RETRY_AFTER_MAX);
	pthread_mutex_lock(&t->lock);
	t->refusal = status;
	t->blocked = 1;
	t->refusal_at = t->clock.wall();
	t->failures++;
	t->consecutive_failures++;
	back_off(t);
	pause = fmax(retry_after_s, t->backoff);
	pause_for(t, pause);
	pthread_mutex_unlock(&t->lock);
	log_warn("%s: refused (HTTP %ld), pausing for %.0f s", t->name, status,
		 pause);
}

int throttle_blocked(struct throttle *t)
{
	int blocked;

	pthread_mutex_lock(&t->lock);
	blocked = t->consecutive_failures && t->blocked;
	pthread_mutex_unlock(&t->lock);
	return blocked;
}

int throttle_paused(struct throttle *t, double *until)
{
	int paused;

	pthread_mutex_lock(&t->lock);
	paused = t->paused_until > t->clock.mono();
	if (paused && until)
		*until = to_wall(t, t->paused_until);
	pthread_mutex_unlock(&t->lock);
	return paused;
}

void throttle_save(struct throttle *t, struct throttle_state *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&t->lock);
	if (t->has_last)
		out->last_request_at = to_wall(t, t->last);
	if (t->paused_until > t->clock.mono())
		out->paused_until = to_wall(t, t->paused_until);
	out->backoff_s = t->backoff;
	pthread_mutex_unlock(&t->lock);
}

void throttle_stats(struct throttle *t, struct throttle_stats *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&t->lock);
	out->requests_per_minute = t->rpm;
	out->min_interval_s = t->interval;
	out->requests = t->requests;
	out->waits = t->waits;
	out->http_429 = t->http_429;
	out->failures = t->failures;
	out->consecutive_failures = t->consecutive_failures;
	out->backoff_s = t->backoff;
	if (t->paused_until > t->clock.mono())
		out->paused_until = to_wall(t, t->paused_until);
	if (t->window_requests &&
	    t->clock.mono() < t->window_start + WINDOW_S) {
		out->window_requests = t->window_requests;
		out->window_resets_at = to_wall(t, t->window_start +
						WINDOW_S);
	}
	out->last_refusal = t->refusal;
	out->last_refusal_blocked = t->blocked;
	out->last_refusal_at = t->refusal_at;
	pthread_mutex_unlock(&t->lock);
}

static int cmp_info(const void *a, const void *b)
{
	const struct throttle_info *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int throttle_all(struct throttle_info **out, size_t *nr)
{
	struct throttle_info *v;
	unsigned long *serial;
	size_t n = 0;

	pthread_mutex_lock(&reg.lock);
	v = calloc(reg.nr ? reg.nr : 1, sizeof(*v));
	serial = calloc(reg.nr ? reg.nr : 1, sizeof(*serial));
	if (!v || !serial) {
		pthread_mutex_unlock(&reg.lock);
		free(v);
		free(serial);
		return -ENOMEM;
	}
	/* During a reload a service's old and new throttles both live:
	 * the newer one speaks for it. */
	for (size_t i = 0; i < reg.nr; i++) {
		struct throttle *t = reg.v[i];
		size_t k;

		for (k = 0; k < n; k++)
			if (!strcmp(v[k].name, t->name))
				break;
		if (k < n && serial[k] > t->serial)
			continue;
		snprintf(v[k].name, sizeof(v[k].name), "%s", t->name);
		throttle_stats(t, &v[k].stats);
		serial[k] = t->serial;
		if (k == n)
			n++;
	}
	pthread_mutex_unlock(&reg.lock);
	free(serial);
	qsort(v, n, sizeof(*v), cmp_info);
	*out = v;
	*nr = n;
	return 0;
}

void throttle_reset_stats(struct throttle *t)
{
	pthread_mutex_lock(&t->lock);
	t->requests = 0;
	t->waits = 0;
	t->http_429 = 0;
	t->failures = 0;
	pthread_mutex_unlock(&t->lock);
}
