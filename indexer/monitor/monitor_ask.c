/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * How the monitor's files ask a source (monitor_private.h): its throttle
 * made where the last run left it, a request sent through it with a 429
 * waited out once, the cache of answers (read and counted, written
 * through the writer), and an error as /status/health shows it. It calls
 * no other file of the monitor and decides nothing about a series.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cache.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/lookup.h"
#include "common/strbuf.h"
#include "indexer/monitor/monitor.h"
#include "indexer/monitor/monitor_private.h"
#include "indexer/store/services.h"
#include "indexer/store/writer.h"

int monitor_throttle(struct monitor *m, const char *name, int rpm,
		     struct throttle **out)
{
	struct throttle_state saved;
	int rc = services_load(m->db, name, &saved);

	return rc ? rc : throttle_new(name, rpm, &saved, NULL, out);
}

const char *monitor_error_text(int rc)
{
	static const struct lookup_errno words[] = {
		{ -EACCES, "access refused (HTTP 401 or 403)" },
		{ -EAGAIN, "rate limited (HTTP 429)" },
		{ -EIO, "server error" },
		{ -EREMOTEIO, "refused the request (HTTP 400 or 409: the log"
			      " says why)" },
		{ -EPROTO, "malformed answer" },
		{ -EBADMSG, "an HTML page, not JSON (check the url)" },
		{ -EFBIG, "answer too large" },
		{ -ETIMEDOUT, "timed out" },
		{ -ECONNREFUSED, "unreachable" },
		{ -EHOSTUNREACH, "unreachable" },
		{ -ENETUNREACH, "unreachable" },
		{ -ECONNRESET, "unreachable" },
		{ -ENOENT, "no such page" },
		{ -ENXIO, "no such route (HTTP 404: check the url)" },
		{ -ENODATA, "no count of volumes for the edition" },
	};

	return LOOKUP_ERRNO(words, rc);
}

/* Whether t is paused for longer than a check waits, or after a refusal
 * that waiting would not end: skipped until its pause ends. */
static int paused_too_long(struct throttle *t)
{
	double until;

	return throttle_paused(t, &until) &&
	       (until - clock_wall() > MONITOR_MAX_WAIT || throttle_blocked(t));
}

/* Requests t granted so far, to count what a call cost. */
static uint64_t granted(struct throttle *t)
{
	struct throttle_stats s;

	throttle_stats(t, &s);
	return s.requests;
}

struct cache_write {
	const char *source, *key, *value;
	double at;
};

/* A writer_call() function: the cache lives in the store, written by
 * the writer like everything else. */
static int store_cache(sqlite3 *db, void *arg)
{
	const struct cache_write *c = arg;

	return cache_put(db, c->source, c->key, c->at, c->value,
			 strlen(c->value));
}

/* Losing an answer costs one request later, no more. */
void monitor_keep_at(const char *source, const char *key, char *value,
		     double at)
{
	struct cache_write c = { source, key, value, at };

	if (value)
		writer_call(store_cache, &c);
	free(value);
}

void monitor_keep(const char *source, const char *key, char *value)
{
	monitor_keep_at(source, key, value, clock_wall());
}

int monitor_cached(struct monitor *m, const char *source, const char *key,
		   struct strbuf *value, double *stored_at)
{
	int rc = cache_get(m->db, source, key, m->cfg->cache_ttl_s,
			   clock_wall(), value, stored_at);

	if (!rc) {
		__atomic_add_fetch(&m->hits, 1, __ATOMIC_RELAXED);
		m->c.cache_hits++;
	} else {
		__atomic_add_fetch(&m->misses, 1, __ATOMIC_RELAXED);
	}
	return rc;
}

/* The throttle holds the request after a 429 back for its Retry-After. */
int monitor_with_retry(struct monitor *m, struct throttle *t,
		       int (*send)(struct monitor *m, void *arg), void *arg,
		       int *sent)
{
	uint64_t before = granted(t);
	int rc = -EAGAIN;

	for (int tries = 0; tries < 2 && rc == -EAGAIN; tries++) {
		if (paused_too_long(t)) {
			log_info("monitor: %s is paused, skipped until its"
				 " pause ends", throttle_name(t));
			break;
		}
		rc = send(m, arg);
	}
	*sent += granted(t) - before;
	return rc;
}
