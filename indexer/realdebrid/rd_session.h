/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_SESSION_H
#define MEDIAMON_RD_SESSION_H

/*
 * The debrid service's requests of one repairer: the client and its one
 * throttle, and the bookkeeping every request gets: its row in
 * rd_attempts, the service's state in services (for /status/health and
 * for the rate across restarts), and what it means for the pass running.
 *
 *	struct rd_session s;
 *
 *	rd_session_init(&s, cfg, db, &cancel);
 *	rd_session_begin(&s, db);		(each pass)
 *	if (rd_session_ready(&s)) {
 *		rc = s.ops->info(&s.c, id, s.cancel, &t, &res);
 *		rd_session_note(&s, "info", id, rc, &res);
 *	}
 *	rd_session_release(&s);
 *
 * A pass never waits out a pause of the throttle: rd_session_ready()
 * says no, and the pass ends, to come back when the pause is over.
 */

#include <sqlite3.h>

#include "indexer/realdebrid/debrid.h"

struct config;

struct rd_session {
	const struct debrid_ops *ops;	/* the service configured */
	struct rd_client c;		/* c.throttle: every call's */
	const int *cancel;
	int stop;			/* no more requests in this pass:
					 * paused, token refused, cancelled */
	double paused_until;		/* the pause that stopped it, or 0 */
	double rate_limited_at;		/* the last rate-limit answer, or 0 */
	int requests;			/* sent since rd_session_begin() */
	int rate_limits;		/* of them, refused for the rate */
};

/*
 * Set s up for the debrid service cfg chose (debrid_configured(); cfg
 * must outlive s), loading the throttle's state from db. *cancel (read
 * atomically) stops requests. Returns 0 or a negative errno value.
 */
int rd_session_init(struct rd_session *s, const struct config *cfg,
		    sqlite3 *db, const int *cancel);

void rd_session_release(struct rd_session *s);

/* Start a pass: nothing stopped, no request counted, and the last
 * rate-limit answer as the store remembers it. */
void rd_session_begin(struct rd_session *s, sqlite3 *db);

/*
 * Whether a request may be sent now: 0 once the pass stopped, when
 * cancelled, or when the throttle is paused (which stops the pass and
 * sets paused_until).
 */
int rd_session_ready(struct rd_session *s);

/*
 * Record a request to endpoint ("list", "info", "addMagnet",
 * "selectFiles", "delete") about torrent id (or NULL) that returned rc
 * with res. A refused token stops the pass; a rate limit sets
 * rate_limited_at.
 */
void rd_session_note(struct rd_session *s, const char *endpoint,
		     const char *id, int rc, const struct rd_result *res);

/* How a request went, in a few words: "ok", Real-Debrid's error string
 * ("infringing_file"), or what rc means ("rate limited", "timed out"). */
const char *rd_session_result(int rc, const struct rd_result *res);

#endif
