/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_NOTIFIER_H
#define MEDIAMON_NOTIFIER_H

/*
 * The delivery of notifications: the events producers hand over
 * (common/notify.h) reach the [notify] targets (common/notify_targets.h)
 * from a thread of its own, the notifier. Not the jobs thread, where an
 * alert would wait behind a slow check; never a FUSE callback or a scan,
 * which only hand events over in memory.
 *
 *	notifier_start(cfg);	(after writer_start)
 *	...
 *	notifier_stop();	(before writer_stop)
 *
 * Each event taken is written to the store through the writer: one row
 * of notify_queue per target whose events list holds its kind. A kind
 * told once per subject (notify_kind_once()) is queued only the first
 * time that subject is seen within [retention] attempts (notify_once).
 * Rows are deleted once delivered, so an alert queued while a target is
 * down is still there after a restart, and sent then.
 *
 * Each target gets its alerts oldest first, at most one a second
 * (NOTIFIER_PACE, Slack's rate). When it cannot take one now (a 429, a
 * 5xx, no answer), nothing more goes to it until the time it asked for
 * (Retry-After, or Discord's retry_after) or, when it did not say,
 * NOTIFIER_BACKOFF doubled at each failure in a row up to
 * NOTIFIER_BACKOFF_MAX; the first failure of a run is logged, and shown
 * in /status/health ("warn: notify discord: ..."), until one goes
 * through. An alert still undelivered [notify] retry_for (1 day) after
 * it happened is given up: deleted, with one log line per target and
 * round. A target that refuses its address (a deleted webhook, a wrong
 * token: 401, 403, 404, 410) gets nothing more until the configuration
 * is read again, which is logged once and shown in health as an error;
 * an alert it refuses as such (another 4xx) is dropped and logged. Alerts
 * queued for a target no longer configured are dropped at start.
 */

struct config;

#define NOTIFIER_PACE 1.0
#define NOTIFIER_BACKOFF 5.0
#define NOTIFIER_BACKOFF_MAX 3600.0

/*
 * Route the events cfg's targets want to the store and start the thread
 * (none when no target is configured). cfg must stay valid until
 * notifier_stop(); the writer must run. Returns 0 or a negative errno
 * value.
 */
int notifier_start(const struct config *cfg);

/*
 * Stop the thread, cutting a request short, and write to the store the
 * events still waiting in memory. Safe to call when not started.
 */
void notifier_stop(void);

#endif
