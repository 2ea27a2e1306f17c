/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_THROTTLE_H
#define MEDIAMON_THROTTLE_H

/*
 * A rate limit for one remote service (Prowlarr, Nautiljon, Real-Debrid),
 * with backoff when the service refuses requests or keeps failing.
 *
 *	struct throttle *t;
 *	int ret = throttle_new("prowlarr", cfg->rpm, saved, NULL, &t);
 *	...
 *	ret = throttle_acquire(t, &cancel);
 *	if (ret < 0)
 *		return ret;
 *	status = send_request(...);
 *	if (status == 429)
 *		throttle_rate_limited(t, retry_after);
 *	else if (status < 0 || status >= 500)
 *		throttle_failed(t);
 *	else
 *		throttle_ok(t);
 *	...
 *	throttle_save(t, &state);	(the caller stores state)
 *	throttle_free(t);
 *
 * The guarantee: two requests are never allowed less than
 * 60 / requests_per_minute seconds apart (the minimum interval), so any
 * 60-second window [s, s + 60) holds at most requests_per_minute requests.
 * This is a token bucket whose capacity is one token: there is no burst.
 * Every request granted counts, whether the service then accepts it or
 * refuses it (Real-Debrid counts refused requests against the limit).
 *
 * The interval holds across a restart in quick succession too: the state
 * from throttle_save(), stored by the caller and given back to
 * throttle_new(), makes the first request wait what is left of the
 * interval and of any pause. Saved times are wall-clock seconds; waiting
 * uses the monotonic clock. A saved time in the future (the wall clock
 * went back) is brought back to at most one interval, or the longest
 * pause, from now.
 *
 * Backoff: a refusal (HTTP 429, Real-Debrid error codes 34 and 5) pauses
 * the service for the longer of its Retry-After and the current backoff,
 * a refusal not for the rate (HTTP 401, 403) for the current backoff,
 * which starts at THROTTLE_BACKOFF_MIN seconds and doubles with each
 * refusal up to THROTTLE_BACKOFF_MAX. THROTTLE_FAILURES_PAUSE failures in
 * a row (network errors, 5xx) pause it the same way, and each further
 * failure pauses it again with a doubled backoff. Recovery is slow: the
 * backoff halves after every THROTTLE_RECOVER_AFTER successes, and is
 * cleared once it falls below THROTTLE_BACKOFF_MIN.
 *
 * All functions are thread-safe. throttle_acquire() sleeps, so it belongs
 * on the jobs thread, never on a FUSE thread.
 */

#include <stddef.h>
#include <stdint.h>

#define THROTTLE_BACKOFF_MIN 10.0		/* seconds */
#define THROTTLE_BACKOFF_MAX (15 * 60.0)	/* seconds */
#define THROTTLE_RETRY_AFTER_MAX (60 * 60.0)	/* seconds */
#define THROTTLE_FAILURES_PAUSE 5
#define THROTTLE_RECOVER_AFTER 10

struct throttle;

/*
 * What must survive a restart, in plain values for the caller to store.
 * Times are wall-clock seconds since the epoch, 0 for never.
 */
struct throttle_state {
	double last_request_at;
	double paused_until;
	double backoff_s;
};

/* Counters since throttle_new(), for /metrics and /status/health. */
struct throttle_stats {
	int requests_per_minute;
	double min_interval_s;
	uint64_t requests;	/* granted by throttle_acquire() */
	uint64_t waits;		/* of those, the ones that had to wait */
	uint64_t http_429;	/* throttle_rate_limited() calls */
	uint64_t failures;	/* throttle_failed() calls */
	int consecutive_failures;
	double backoff_s;
	double paused_until;	/* wall clock, 0 when not paused */
	uint64_t window_requests;	/* granted in the open window: the
					 * minute from the first request after
					 * the last window ended */
	double window_resets_at;	/* wall clock end of that window, 0
					 * when none is open */
	int last_refusal;		/* HTTP status of the last refusal
					 * (429, or 403 from a blocking proxy),
					 * 0 for none */
	int last_refusal_blocked;	/* it came to throttle_refused():
					 * not for the rate, whatever its
					 * status */
	double last_refusal_at;		/* wall clock */
};

/*
 * Where time comes from. For tests: a fake clock makes them instant and
 * deterministic. mono and wall may be the same function.
 */
struct throttle_clock {
	double (*mono)(void);		/* for waiting */
	double (*wall)(void);		/* for saved state and stats */
	void (*sleep)(double seconds);
};

/*
 * Make a throttle for the service called name (used in log lines), with
 * the state saved by a previous run (or NULL) and clock (NULL for the real
 * clocks). Returns 0, -EINVAL for a NULL name or requests_per_minute < 1,
 * or -ENOMEM.
 */
int throttle_new(const char *name, int requests_per_minute,
		 const struct throttle_state *saved,
		 const struct throttle_clock *clock, struct throttle **out);

/* Free t; NULL is allowed. No other thread may be using it. */
void throttle_free(struct throttle *t);

/* The name given to throttle_new(). */
const char *throttle_name(const struct throttle *t);

/*
 * Wait until a request may be sent, through the minimum interval and any
 * pause, and count it as sent. Returns 0, or -ECANCELED as soon as *cancel
 * (read atomically, checked at least every 100 ms; cancel may be NULL)
 * becomes nonzero. A pause may last minutes: check throttle_paused()
 * first to do something else meanwhile.
 */
int throttle_acquire(struct throttle *t, const int *cancel);

/* Report that the request just sent succeeded. */
void throttle_ok(struct throttle *t);

/*
 * Report that the service refused the request for its rate (HTTP 429,
 * Real-Debrid error_code 34 or 5). retry_after_s is its Retry-After
 * header, or 0 without one; it is capped at THROTTLE_RETRY_AFTER_MAX.
 */
void throttle_rate_limited(struct throttle *t, double retry_after_s);

/* Report that the request failed (network error, timeout, 5xx). */
void throttle_failed(struct throttle *t);

/*
 * Report an answer classified as rc: -EAGAIN is a refusal for the rate
 * (throttle_rate_limited() with retry_after_s), -EIO with an HTTP status
 * of 500 or more a failure, anything else a success: the service
 * answered, even to refuse.
 */
void throttle_answered(struct throttle *t, int rc, long status,
		       double retry_after_s);

/*
 * Report a refusal that is not for the rate (status, such as a 403 of a
 * proxy that blocks the client, or the 429 a Cloudflare challenge may
 * come with): a failure, kept as the last refusal,
 * that pauses the service at once for the longer of its Retry-After
 * (retry_after_s, 0 without one, capped as a 429's) and the current
 * backoff, doubled.
 */
void throttle_refused(struct throttle *t, long status, double retry_after_s);

/*
 * Return 1 if the last request was refused not for the rate (reported by
 * throttle_refused(), whatever its status) and none succeeded since:
 * waiting for the pause would not help.
 */
int throttle_blocked(struct throttle *t);

/*
 * Return 1 if the service is paused, setting *until (may be NULL) to the
 * wall-clock end of the pause, or 0.
 */
int throttle_paused(struct throttle *t, double *until);

/* Fill out with the state to store for the next run. */
void throttle_save(struct throttle *t, struct throttle_state *out);

void throttle_stats(struct throttle *t, struct throttle_stats *out);

/* A service's figures, as throttle_all() gives them. */
struct throttle_info {
	char name[32];
	struct throttle_stats stats;
};

/*
 * The figures of every throttle alive, one per name (the newest while a
 * reload makes a service's throttle anew), sorted by name, in *out
 * (free() it) and their count in *nr. Returns 0 or -ENOMEM. Never waits
 * on a request: throttle_acquire() sleeps without the lock.
 */
int throttle_all(struct throttle_info **out, size_t *nr);

/*
 * Set the counters of the stats (requests, waits, http_429, failures) to
 * zero; the limit, the backoff and a pause stay as they are.
 */
void throttle_reset_stats(struct throttle *t);

#endif
