#ifndef MEDIAMON_ALERTS_H
#define MEDIAMON_ALERTS_H

/*
 * Alerts through the [notify] webhooks: a Discord webhook
 * (discord_webhook, {"content": TEXT}) and any receiver of a plain JSON
 * POST (webhook, {"source": "mediamon", "event", "message", "at", ...}).
 * They fire once per change, not once per check:
 *
 *   health_error   /status/health turned to error (its error lines)
 *   health_ok      it is no longer in error
 *   error_rate     a finished scan could not read more than
 *                  [notify] error_rate of the files it saw, after one
 *                  that did not (or the first scan looked at)
 *
 * One thread calls alerts_check() from time to time (the service thread,
 * every few seconds); it may wait on the network, never a FUSE callback.
 *
 *	for (;;) {
 *		sleep(2);
 *		alerts_check(cfg);
 *	}
 */

struct config;

/*
 * Look at the health and the last finished scan, and post what changed
 * since the last call to every webhook cfg configures (nothing at all
 * when none is). Failures to post are logged, without the webhook's
 * address, and not retried: the next change sends again.
 */
void alerts_check(const struct config *cfg);

#endif
