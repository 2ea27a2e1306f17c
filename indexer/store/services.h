/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SERVICES_H
#define MEDIAMON_SERVICES_H

/*
 * What the store remembers of each remote service (Prowlarr, Nautiljon,
 * a download client, Real-Debrid): its throttle's state, so the rate
 * holds across a restart, and how its last request went, so
 * /status/health can name a service that fails.
 *
 *	struct throttle_state saved;
 *	struct throttle *t;
 *
 *	services_load(db, "prowlarr", &saved);
 *	throttle_new("prowlarr", rpm, &saved, NULL, &t);
 *	...	a request
 *	struct services_report rep = { .throttle = t, .ok = 1 };
 *	writer_call(services_store, &rep);
 *
 * The rows live in the table services: name, last_request_at,
 * paused_until, backoff_s, failures (in a row), last_ok_at, last_error,
 * error_level ("warn" or "error") and last_error_at. A service is in
 * trouble while its last error is newer than its last success.
 */

#include <sqlite3.h>

#include "common/throttle.h"

/*
 * Read the throttle state saved for name into *out (zeroes when there is
 * none). Returns 0 or a negative errno value (logged).
 */
int services_load(sqlite3 *db, const char *name, struct throttle_state *out);

struct services_report {
	const char *name;		/* NULL: throttle's name */
	struct throttle *throttle;	/* its state is saved; may be NULL */
	int ok;				/* 1: the request succeeded */
	const char *error;		/* else: what went wrong, or NULL to
					 * record nothing about the outcome */
	const char *level;		/* "warn" or "error" (NULL: error) */
	double at;			/* wall clock; 0: now */
};

/*
 * A writer_call() function taking a struct services_report: save the
 * throttle's state and the outcome. Returns 0 or a negative errno value
 * (logged).
 */
int services_store(sqlite3 *db, void *report);

/*
 * Store through the writer how a request of service name (NULL: t's
 * name) went: rc 0 for a success, else error (may be NULL) at level
 * ("warn" or "error"), without a leading "NAME: " (health adds it); t's
 * state is saved with it when t is not NULL.
 * Returns what services_store() returned.
 */
int services_record(struct throttle *t, const char *name, int rc,
		    const char *error, const char *level);

/*
 * Whether service name's last request failed (health names it): 1 or 0,
 * or a negative errno value (logged).
 */
int services_failing(sqlite3 *db, const char *name);

/*
 * A writer_call() function taking the NULL-terminated array of the
 * services configured now: forget the rows of the services the monitor
 * and the repairer know (Prowlarr, Nautiljon, each download client,
 * Real-Debrid) that are not among them, so that health no longer names
 * one a reload took out of the configuration. (The notifier forgets its
 * own targets.) Returns 0 or a negative errno value (logged).
 */
int services_forget_unconfigured(sqlite3 *db, void *configured);

#endif
