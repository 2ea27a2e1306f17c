/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/throttle.h"
#include "join.h"

#define EPS 1e-9

/*
 * A fake clock: sleeping moves time forward at once, so a simulated hour
 * takes no time. The same value serves as both monotonic and wall clock.
 */
static double fake_now;
static double fake_slept;
static int fake_sleeps;
static double fake_longest_sleep;
static int *fake_cancel;		/* set after fake_cancel_after sleeps */
static int fake_cancel_after;

/* Sleeping is the only thing that moves the fake clock. */
static double fake_time(void)
{
	return fake_now;
}

/* Record every sleep, and cancel on the one the test asked for. */
static void fake_sleep(double seconds)
{
	assert_true(seconds > 0);
	fake_now += seconds;
	fake_slept += seconds;
	fake_longest_sleep = fmax(fake_longest_sleep, seconds);
	if (++fake_sleeps == fake_cancel_after && fake_cancel)
		*fake_cancel = 1;
}

static const struct throttle_clock fake_clock = {
	fake_time, fake_time, fake_sleep
};

/*
 * Each test starts at the same time with nothing slept. Not a real epoch
 * time: at 1.8e9 a double's steps (2.4e-7 s) would blur exact checks.
 */
static int reset_clock(void **state)
{
	(void)state;
	fake_now = 1e6;
	fake_slept = 0;
	fake_sleeps = 0;
	fake_longest_sleep = 0;
	fake_cancel = NULL;
	fake_cancel_after = 0;
	return 0;
}

/* Every fake-clock test wants a throttle that cannot fail to exist. */
static struct throttle *make(int rpm, const struct throttle_state *saved)
{
	struct throttle *t = NULL;

	assert_int_equal(throttle_new("svc", rpm, saved, &fake_clock, &t), 0);
	assert_non_null(t);
	return t;
}

/* Acquire and return how long it waited. */
static double acquire(struct throttle *t)
{
	double before = fake_slept;

	assert_int_equal(throttle_acquire(t, NULL), 0);
	return fake_slept - before;
}

/* Length of the current pause, 0 when not paused. */
static double pause_left(struct throttle *t)
{
	double until = 0;

	if (!throttle_paused(t, &until))
		return 0;
	return until - fake_now;
}

static void test_bad_input(void **state)
{
	struct throttle *t = NULL;

	(void)state;
	assert_int_equal(throttle_new("svc", 0, NULL, NULL, &t), -EINVAL);
	assert_int_equal(throttle_new("svc", -30, NULL, NULL, &t), -EINVAL);
	assert_int_equal(throttle_new(NULL, 30, NULL, NULL, &t), -EINVAL);
	assert_null(t);
	throttle_free(NULL);
}

static void test_real_clock_default(void **state)
{
	struct throttle *t;
	struct throttle_stats st;

	(void)state;
	assert_int_equal(throttle_new("prowlarr", 30, NULL, NULL, &t), 0);
	assert_string_equal(throttle_name(t), "prowlarr");
	assert_int_equal(throttle_acquire(t, NULL), 0);
	assert_int_equal(throttle_paused(t, NULL), 0);
	throttle_stats(t, &st);
	assert_int_equal(st.requests, 1);
	assert_int_equal(st.waits, 0);
	throttle_free(t);
}

static void test_first_request_immediate(void **state)
{
	struct throttle *t = make(30, NULL);

	(void)state;
	assert_true(acquire(t) == 0);
	assert_true(fabs(acquire(t) - 2.0) < 1e-6);
	throttle_free(t);
}

/*
 * 500 requests at 30 per minute, sometimes back to back and sometimes
 * after idling: no 60-second window [s, s + 60) may hold more than 30,
 * which for sorted times means ts[i + 30] - ts[i] >= 60.
 */
static void test_rate_never_exceeded(void **state)
{
	enum { N = 500, RPM = 30 };
	struct throttle *t = make(RPM, NULL);
	double ts[N];
	unsigned seed = 42;
	int i, back_to_back = 0;

	(void)state;
	for (i = 0; i < N; i++) {
		int r = rand_r(&seed) % 4;

		if (r == 1)
			fake_now += (rand_r(&seed) % 3000) / 1000.0;
		else if (r == 2)
			fake_now += 60 + rand_r(&seed) % 60;
		acquire(t);
		ts[i] = fake_now;
		if (i % 7 == 0)
			throttle_ok(t);
	}
	for (i = 0; i + 1 < N; i++) {
		assert_true(ts[i + 1] - ts[i] >= 2.0 - EPS);
		if (ts[i + 1] - ts[i] < 2.0 + EPS)
			back_to_back++;
	}
	for (i = 0; i + RPM < N; i++)
		assert_true(ts[i + RPM] - ts[i] >= 60.0 - EPS);
	/* And it is not slower than it must be. */
	assert_true(back_to_back > N / 5);
	throttle_free(t);
}

static void test_restart_in_quick_succession(void **state)
{
	struct throttle *t = make(30, NULL);
	struct throttle_state saved;
	double first;

	(void)state;
	acquire(t);
	first = fake_now;
	throttle_save(t, &saved);
	throttle_free(t);
	assert_true(fabs(saved.last_request_at - first) < EPS);
	assert_true(saved.paused_until == 0);

	fake_now += 1;
	t = make(30, &saved);
	assert_true(fabs(acquire(t) - 1.0) < 1e-6);
	assert_true(fake_now - first >= 2.0 - EPS);
	throttle_free(t);

	/* Long after, nothing is left to wait. */
	fake_now += 3600;
	t = make(30, &saved);
	assert_true(acquire(t) == 0);
	throttle_free(t);
}

static void test_restart_keeps_pause_and_backoff(void **state)
{
	struct throttle *t = make(30, NULL);
	struct throttle_state saved;
	struct throttle_stats st;

	(void)state;
	acquire(t);
	throttle_rate_limited(t, 30);
	throttle_save(t, &saved);
	throttle_free(t);
	assert_true(fabs(saved.paused_until - (fake_now + 30)) < EPS);
	assert_true(saved.backoff_s == THROTTLE_BACKOFF_MIN);

	fake_now += 5;
	t = make(30, &saved);
	assert_true(fabs(pause_left(t) - 25) < 1e-6);
	throttle_stats(t, &st);
	assert_true(st.backoff_s == THROTTLE_BACKOFF_MIN);
	assert_true(fabs(acquire(t) - 25) < 1e-6);
	throttle_free(t);
}

/* A wall clock that went back, or garbage, must not stall the service. */
static void test_restart_bad_saved_state(void **state)
{
	struct throttle_state saved = {
		fake_now + 1e6, fake_now + 1e9, 1e9
	};
	struct throttle_state nan_state = { NAN, NAN, NAN };
	struct throttle_stats st;
	struct throttle *t;

	(void)state;
	t = make(30, &saved);
	assert_true(pause_left(t) <= THROTTLE_RETRY_AFTER_MAX + EPS);
	throttle_stats(t, &st);
	assert_true(st.backoff_s == THROTTLE_BACKOFF_MAX);
	throttle_free(t);

	saved.paused_until = 0;
	t = make(30, &saved);
	assert_true(fabs(acquire(t) - 2.0) < 1e-6);
	throttle_free(t);

	t = make(30, &nan_state);
	assert_true(acquire(t) == 0);
	assert_int_equal(throttle_paused(t, NULL), 0);
	throttle_stats(t, &st);
	assert_true(st.backoff_s == 0);
	throttle_free(t);
}

static void test_retry_after_honoured(void **state)
{
	struct throttle *t = make(30, NULL);
	struct throttle_stats st;
	double start;

	(void)state;
	acquire(t);
	start = fake_now;
	throttle_rate_limited(t, 10);
	assert_true(pause_left(t) >= 10 - EPS);
	acquire(t);
	assert_true(fake_now - start >= 10 - EPS);

	/* A Retry-After longer than the backoff wins. */
	start = fake_now;
	throttle_rate_limited(t, 45);
	assert_true(fabs(pause_left(t) - 45) < 1e-6);
	acquire(t);
	assert_true(fake_now - start >= 45 - EPS);

	/* An absurd one is capped, a negative one ignored. */
	throttle_rate_limited(t, 1e12);
	assert_true(fabs(pause_left(t) - THROTTLE_RETRY_AFTER_MAX) < 1e-6);
	throttle_stats(t, &st);
	assert_int_equal(st.http_429, 3);
	throttle_free(t);

	t = make(30, NULL);
	throttle_rate_limited(t, -5);
	assert_true(fabs(pause_left(t) - THROTTLE_BACKOFF_MIN) < 1e-6);
	throttle_free(t);
}

static void test_backoff_doubles_and_is_capped(void **state)
{
	struct throttle *t = make(200, NULL);
	struct throttle_stats st;
	double expect = THROTTLE_BACKOFF_MIN;
	int i;

	(void)state;
	for (i = 0; i < 12; i++) {
		acquire(t);
		throttle_rate_limited(t, 0);
		assert_true(fabs(pause_left(t) - expect) < 1e-6);
		expect = fmin(expect * 2, THROTTLE_BACKOFF_MAX);
	}
	throttle_stats(t, &st);
	assert_true(st.backoff_s == THROTTLE_BACKOFF_MAX);
	assert_int_equal(st.http_429, 12);
	/* A short Retry-After does not cut the backoff. */
	acquire(t);
	throttle_rate_limited(t, 1);
	assert_true(fabs(pause_left(t) - THROTTLE_BACKOFF_MAX) < 1e-6);
	throttle_free(t);
}

/* The backoff is only visible through the stats. */
static double backoff_of(struct throttle *t)
{
	struct throttle_stats st;

	throttle_stats(t, &st);
	return st.backoff_s;
}

static void test_successes_shrink_backoff_slowly(void **state)
{
	struct throttle *t = make(200, NULL);
	double expect;
	int i, round;

	(void)state;
	for (i = 0; i < 4; i++)
		throttle_rate_limited(t, 0);
	expect = THROTTLE_BACKOFF_MIN * 8;
	assert_true(backoff_of(t) == expect);
	for (round = 0; round < 4; round++) {
		for (i = 0; i < THROTTLE_RECOVER_AFTER - 1; i++)
			throttle_ok(t);
		assert_true(backoff_of(t) == expect);
		throttle_ok(t);
		expect /= 2;
		if (expect < THROTTLE_BACKOFF_MIN)
			expect = 0;
		assert_true(backoff_of(t) == expect);
	}
	assert_true(backoff_of(t) == 0);

	/* A refusal in the middle of a run starts the count again. */
	throttle_rate_limited(t, 0);
	throttle_rate_limited(t, 0);
	for (i = 0; i < THROTTLE_RECOVER_AFTER - 1; i++)
		throttle_ok(t);
	throttle_rate_limited(t, 0);
	for (i = 0; i < THROTTLE_RECOVER_AFTER - 1; i++)
		throttle_ok(t);
	assert_true(backoff_of(t) == THROTTLE_BACKOFF_MIN * 4);
	throttle_free(t);
}

static void test_failures_pause_service(void **state)
{
	struct throttle *t = make(30, NULL);
	struct throttle_stats st;
	double until = 0;
	int i;

	(void)state;
	for (i = 0; i < THROTTLE_FAILURES_PAUSE - 1; i++)
		throttle_failed(t);
	assert_int_equal(throttle_paused(t, &until), 0);
	throttle_ok(t);
	for (i = 0; i < THROTTLE_FAILURES_PAUSE - 1; i++)
		throttle_failed(t);
	assert_int_equal(throttle_paused(t, NULL), 0);
	throttle_failed(t);
	assert_int_equal(throttle_paused(t, &until), 1);
	assert_true(fabs(until - (fake_now + THROTTLE_BACKOFF_MIN)) < 1e-6);
	throttle_stats(t, &st);
	assert_int_equal(st.failures, 2 * THROTTLE_FAILURES_PAUSE - 1);
	assert_int_equal(st.consecutive_failures, THROTTLE_FAILURES_PAUSE);
	assert_true(fabs(st.paused_until - until) < 1e-6);

	/* The probe after the pause fails too: a pause twice as long. */
	assert_true(fabs(acquire(t) - THROTTLE_BACKOFF_MIN) < 1e-6);
	throttle_failed(t);
	assert_true(fabs(pause_left(t) - 2 * THROTTLE_BACKOFF_MIN) < 1e-6);

	/* Once it answers again, the count starts over. */
	acquire(t);
	throttle_ok(t);
	assert_int_equal(throttle_paused(t, NULL), 0);
	throttle_stats(t, &st);
	assert_int_equal(st.consecutive_failures, 0);
	assert_true(st.paused_until == 0);
	throttle_failed(t);
	assert_int_equal(throttle_paused(t, NULL), 0);
	throttle_free(t);
}

static void test_cancel_while_waiting(void **state)
{
	struct throttle *t = make(30, NULL);
	struct throttle_stats st;
	int cancel = 0;

	(void)state;
	acquire(t);
	throttle_rate_limited(t, 600);
	fake_cancel = &cancel;
	fake_cancel_after = 3;
	assert_int_equal(throttle_acquire(t, &cancel), -ECANCELED);
	assert_int_equal(fake_sleeps, 3);
	assert_true(fake_longest_sleep <= 0.1 + EPS);
	assert_true(fake_slept <= 0.3 + EPS);

	/* Already cancelled: no wait, no request. */
	fake_cancel = NULL;
	fake_now += 3600;
	assert_int_equal(throttle_acquire(t, &cancel), -ECANCELED);
	throttle_stats(t, &st);
	assert_int_equal(st.requests, 1);
	cancel = 0;
	assert_int_equal(throttle_acquire(t, &cancel), 0);
	throttle_free(t);
}

static void test_stats(void **state)
{
	struct throttle *t = make(120, NULL);
	struct throttle_stats st;

	(void)state;
	throttle_stats(t, &st);
	assert_int_equal(st.requests_per_minute, 120);
	assert_true(st.min_interval_s == 0.5);
	assert_int_equal(st.requests, 0);
	acquire(t);
	acquire(t);
	fake_now += 10;
	acquire(t);
	throttle_ok(t);
	throttle_failed(t);
	throttle_rate_limited(t, 0);
	throttle_stats(t, &st);
	assert_int_equal(st.requests, 3);
	assert_int_equal(st.waits, 1);
	assert_int_equal(st.http_429, 1);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.consecutive_failures, 1);
	assert_true(fabs(st.paused_until - (fake_now + 10)) < 1e-6);
	throttle_free(t);
}

/*
 * Real time, several threads. The throttle grants a request on its last
 * reading of the clock, which the wrapper keeps per thread, so the test
 * checks the grant times themselves rather than times taken later.
 */
enum { THREADS = 4, PER_THREAD = 5, FAST_RPM = 1200 };

static __thread double last_read;
static pthread_mutex_t grants_lock = PTHREAD_MUTEX_INITIALIZER;
static double grants[THREADS * PER_THREAD];
static int ngrants;
static int thread_errors;

/* The real monotonic clock, remembering its last reading per thread. */
static double recorded_mono(void)
{
	last_read = clock_mono();
	return last_read;
}

static const struct throttle_clock recorded_clock = {
	recorded_mono, clock_wall, clock_sleep
};

/* Collect grant times; cmocka's asserts are for the main thread only. */
static void *acquirer(void *arg)
{
	struct throttle *t = arg;
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		int ret = throttle_acquire(t, NULL);

		pthread_mutex_lock(&grants_lock);
		if (ret)
			thread_errors++;
		else
			grants[ngrants++] = last_read;
		pthread_mutex_unlock(&grants_lock);
	}
	return NULL;
}

/* Grants from several threads are checked in time order. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void test_threads_real_clock(void **state)
{
	pthread_t th[THREADS];
	struct throttle *t;
	struct throttle_stats st;
	double interval = 60.0 / FAST_RPM;
	int i;

	(void)state;
	assert_int_equal(throttle_new("fast", FAST_RPM, NULL, &recorded_clock,
				      &t), 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, acquirer, t), 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(join_within(th[i], JOIN_S, NULL), 0);
	assert_int_equal(thread_errors, 0);
	assert_int_equal(ngrants, THREADS * PER_THREAD);
	qsort(grants, ngrants, sizeof(grants[0]), cmp_double);
	for (i = 0; i + 1 < ngrants; i++)
		assert_true(grants[i + 1] - grants[i] >= interval - EPS);
	throttle_stats(t, &st);
	assert_int_equal(st.requests, THREADS * PER_THREAD);
	assert_true(st.waits >= THREADS * PER_THREAD - 1);
	throttle_free(t);
}

/* A minute counted from its first request; a request after it ends opens
 * the next one, and a minute with no request shows none. */
static void test_window(void **state)
{
	struct throttle *t;
	struct throttle_stats s;

	(void)state;
	assert_int_equal(throttle_new("w", 6, NULL, &fake_clock, &t), 0);
	throttle_stats(t, &s);
	assert_true(s.window_requests == 0 && s.window_resets_at == 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(throttle_acquire(t, NULL), 0);
	throttle_stats(t, &s);
	assert_true(s.window_requests == 3);
	/* the third waited two intervals of 10 s */
	assert_true(fabs(s.window_resets_at - (1e6 + 60)) < EPS);
	fake_now += 30;
	assert_int_equal(throttle_acquire(t, NULL), 0);
	throttle_stats(t, &s);
	assert_true(s.window_requests == 4);
	fake_now += 15;
	throttle_stats(t, &s);
	assert_true(s.window_requests == 0 && s.window_resets_at == 0);
	assert_int_equal(throttle_acquire(t, NULL), 0);
	throttle_stats(t, &s);
	assert_true(s.window_requests == 1);
	assert_true(fabs(s.window_resets_at - (fake_now + 60)) < EPS);
	throttle_free(t);
}

/* The last refusal keeps its status and time: a 429, then a 403 of a
 * blocking proxy, which is a failure too; a success forgets neither. */
static void test_last_refusal(void **state)
{
	struct throttle *t;
	struct throttle_stats s;

	(void)state;
	assert_int_equal(throttle_new("r", 60, NULL, &fake_clock, &t), 0);
	throttle_stats(t, &s);
	assert_int_equal(s.last_refusal, 0);
	throttle_rate_limited(t, 5);
	throttle_stats(t, &s);
	assert_int_equal(s.last_refusal, 429);
	assert_true(fabs(s.last_refusal_at - 1e6) < EPS);
	fake_now += 100;
	throttle_refused(t, 403, 0);
	throttle_ok(t);
	throttle_stats(t, &s);
	assert_int_equal(s.last_refusal, 403);
	assert_true(fabs(s.last_refusal_at - (1e6 + 100)) < EPS);
	assert_true(s.failures == 1 && s.http_429 == 1);
	throttle_free(t);
}

/* A 403 pauses at once, for a backoff that doubles with each one, and
 * marks the service blocked until a request succeeds. */
static void test_refusal_pauses_at_once(void **state)
{
	struct throttle *t;

	(void)state;
	assert_int_equal(throttle_new("b", 60, NULL, &fake_clock, &t), 0);
	assert_false(throttle_blocked(t));
	throttle_refused(t, 403, 0);
	assert_true(fabs(pause_left(t) - THROTTLE_BACKOFF_MIN) < EPS);
	assert_true(throttle_blocked(t));
	fake_now += THROTTLE_BACKOFF_MIN + 1;
	assert_true(pause_left(t) == 0);
	throttle_refused(t, 401, 0);
	assert_true(fabs(pause_left(t) - 2 * THROTTLE_BACKOFF_MIN) < EPS);
	fake_now += 2 * THROTTLE_BACKOFF_MIN + 1;
	/* a Retry-After longer than the backoff is waited whole; a shorter
	 * one leaves the backoff, and a huge one is capped */
	throttle_refused(t, 403, 300);
	assert_true(fabs(pause_left(t) - 300) < EPS);
	fake_now += 301;
	throttle_refused(t, 403, 1);
	assert_true(fabs(pause_left(t) - 8 * THROTTLE_BACKOFF_MIN) < EPS);
	fake_now += 8 * THROTTLE_BACKOFF_MIN + 1;
	throttle_refused(t, 403, 1e9);
	assert_true(fabs(pause_left(t) - THROTTLE_RETRY_AFTER_MAX) < EPS);
	fake_now += THROTTLE_RETRY_AFTER_MAX + 1;
	throttle_ok(t);
	assert_false(throttle_blocked(t));
	/* a 429 or a 5xx is no block */
	throttle_rate_limited(t, 1);
	assert_false(throttle_blocked(t));
	throttle_failed(t);
	assert_false(throttle_blocked(t));
	/* a refusal is one whatever its status (a challenge sent with a
	 * 429), until a 429 that is only the rate */
	throttle_refused(t, 429, 0);
	assert_true(throttle_blocked(t));
	throttle_rate_limited(t, 1);
	assert_false(throttle_blocked(t));
	throttle_free(t);
}

/* The rate limit of the throttle throttle_all() lists under name, 0 when
 * it lists none; fails when it lists one twice or out of order. */
static int listed(const char *name)
{
	struct throttle_info *v;
	size_t n;
	int rpm = 0;

	assert_int_equal(throttle_all(&v, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_true(strcmp(v[i - 1].name, v[i].name) < 0);
		if (!strcmp(v[i].name, name))
			rpm = v[i].stats.requests_per_minute;
	}
	free(v);
	return rpm;
}

/* Every live throttle once, sorted by name; of two of one name (a
 * reload), the newer; a freed one is gone. */
static void test_all(void **state)
{
	struct throttle *a, *b, *old, *young;

	(void)state;
	assert_int_equal(throttle_new("t-zeta", 10, NULL, &fake_clock, &a),
			 0);
	assert_int_equal(throttle_new("t-alpha", 20, NULL, &fake_clock, &b),
			 0);
	assert_int_equal(throttle_new("t-mid", 30, NULL, &fake_clock, &old),
			 0);
	assert_int_equal(throttle_new("t-mid", 40, NULL, &fake_clock,
				      &young), 0);
	assert_int_equal(listed("t-alpha"), 20);
	assert_int_equal(listed("t-mid"), 40);
	assert_int_equal(listed("t-zeta"), 10);
	throttle_free(young);
	throttle_free(a);
	assert_int_equal(listed("t-mid"), 30);
	assert_int_equal(listed("t-zeta"), 0);
	throttle_free(old);
	throttle_free(b);
	assert_int_equal(listed("t-mid"), 0);
	assert_int_equal(listed("t-alpha"), 0);
}

/* An answer classified: -EAGAIN a refusal for the rate, -EIO of a 5xx a
 * failure, a -EIO of a 4xx or a refusal of the key a success (the
 * service answered), which ends a run of failures. */
static void test_answered(void **state)
{
	struct throttle *t = make(120, NULL);
	struct throttle_stats st;

	(void)state;
	throttle_answered(t, -EAGAIN, 429, 0);
	throttle_answered(t, -EIO, 503, 0);
	throttle_stats(t, &st);
	assert_int_equal(st.http_429, 1);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.consecutive_failures, 1);
	throttle_answered(t, -EIO, 404, 0);
	throttle_stats(t, &st);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.consecutive_failures, 0);
	throttle_answered(t, -EIO, 502, 0);
	throttle_answered(t, -EACCES, 401, 0);
	throttle_stats(t, &st);
	assert_int_equal(st.http_429, 1);
	assert_int_equal(st.failures, 2);
	assert_int_equal(st.consecutive_failures, 0);
	throttle_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bad_input, reset_clock),
		cmocka_unit_test_setup(test_real_clock_default, reset_clock),
		cmocka_unit_test_setup(test_first_request_immediate,
				       reset_clock),
		cmocka_unit_test_setup(test_rate_never_exceeded, reset_clock),
		cmocka_unit_test_setup(test_restart_in_quick_succession,
				       reset_clock),
		cmocka_unit_test_setup(test_restart_keeps_pause_and_backoff,
				       reset_clock),
		cmocka_unit_test_setup(test_restart_bad_saved_state,
				       reset_clock),
		cmocka_unit_test_setup(test_retry_after_honoured, reset_clock),
		cmocka_unit_test_setup(test_backoff_doubles_and_is_capped,
				       reset_clock),
		cmocka_unit_test_setup(test_successes_shrink_backoff_slowly,
				       reset_clock),
		cmocka_unit_test_setup(test_failures_pause_service,
				       reset_clock),
		cmocka_unit_test_setup(test_cancel_while_waiting, reset_clock),
		cmocka_unit_test_setup(test_stats, reset_clock),
		cmocka_unit_test_setup(test_answered, reset_clock),
		cmocka_unit_test_setup(test_window, reset_clock),
		cmocka_unit_test_setup(test_last_refusal, reset_clock),
		cmocka_unit_test_setup(test_refusal_pauses_at_once, reset_clock),
		cmocka_unit_test_setup(test_all, reset_clock),
		cmocka_unit_test_setup(test_threads_real_clock, reset_clock),
	};

	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
