/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MONITOR_PRIVATE_H
#define MEDIAMON_MONITOR_PRIVATE_H

/*
 * The monitor's state and the helpers its parts share (monitor.c and
 * published.c), for the monitor's own files only: the rest of mediamon
 * goes through monitor.h.
 */

#include <sqlite3.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "indexer/monitor/checks.h"
#include "indexer/monitor/digest.h"
#include "indexer/monitor/handoff.h"
#include "indexer/monitor/prowlarr.h"
#include "indexer/monitor/remote.h"

struct config;
struct throttle;

struct series {
	int64_t id;
	char *name;
	char *source;		/* the ids the user wrote, then those found
				 * by searches (published_keep_id()) */
	char *prefs;		/* its own preferences (prefs.h), or NULL */
	char *edition;		/* its own edition, or NULL: the config's */
	double latest, published;
};

struct monitor {
	const struct config *cfg;
	const int *cancel;
	sqlite3 *db;
	struct throttle *prowlarr_t;
	struct prowlarr prowlarr;
	/* each manga source's throttle and client: m->NAME_t, m->NAME */
#define MANGA_SOURCE(name, title, editions, rank, ...) \
	struct throttle *name##_t; \
	struct remote_source name;
#include "common/manga_sources.def"
#undef MANGA_SOURCE
	struct handoff handoff;
	struct digest digest;	/* the check's notifications */
	int catalog_order, prowlarr_order;	/* of the flow checked */
	uint64_t hits, misses;
	struct checks_row c;		/* the check running: its flow, its
					 * start, what it cost and found */
};

/* Make *out, the throttle of the service name at rpm requests a
 * minute, starting where the last run left it (so a restart in quick
 * succession never sends faster than the rate). Returns 0 or -errno. */
int monitor_throttle(struct monitor *m, const char *name, int rpm,
		     struct throttle **out);

/* A service's error as /status/health shows it. */
const char *monitor_error_text(int rc);

/* Look source and key up in the cache, counting the hit or the miss;
 * returns what cache_get() returns. */
int monitor_cached(struct monitor *m, const char *source, const char *key,
		   struct strbuf *value, double *stored_at);

/* Keep an answer (value, malloc'd, freed here; NULL when it could not
 * be made) in the cache, through the writer, as given now
 * (monitor_keep()) or at at, the time its caller told of it already
 * (monitor_keep_at(): a release's found_at, which a later check taking
 * the answer from the cache must see the same). */
void monitor_keep(const char *source, const char *key, char *value);
void monitor_keep_at(const char *source, const char *key, char *value,
		     double at);

/*
 * Send a request through its throttle t: a 429 is waited out once, and
 * a service paused for longer than a check waits is not asked at all
 * (-EAGAIN). What it cost in requests is added to *sent.
 */
int monitor_with_retry(struct monitor *m, struct throttle *t,
		       int (*send)(struct monitor *m, void *arg), void *arg,
		       int *sent);

#endif
