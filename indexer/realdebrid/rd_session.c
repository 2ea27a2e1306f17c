/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Real-Debrid requests of one repairer (rd_session.h): the client and
 * its one throttle, and each request recorded. A pass never waits out a
 * pause of the throttle; it ends and comes back.
 */
#include "indexer/realdebrid/rd_session.h"

#include <errno.h>
#include <string.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/throttle.h"
#include "indexer/realdebrid/rd_store.h"
#include "indexer/store/services.h"
#include "indexer/store/writer.h"

int rd_session_init(struct rd_session *s, const struct config *cfg,
		    sqlite3 *db, const int *cancel)
{
	struct throttle_state saved;
	int rc;

	memset(s, 0, sizeof(*s));
	s->ops = debrid_configured(cfg);
	s->cancel = cancel;
	rc = services_load(db, s->ops->name, &saved);
	if (!rc)
		rc = throttle_new(s->ops->name, cfg->rd_rpm, &saved, NULL,
				  &s->c.throttle);
	if (rc)
		return rc;
	s->c.url = debrid_url(cfg);
	s->c.token = debrid_key(cfg);
	s->c.user = debrid_user(cfg);
	return 0;
}

void rd_session_release(struct rd_session *s)
{
	throttle_free(s->c.throttle);
	s->c.throttle = NULL;
}

void rd_session_begin(struct rd_session *s, sqlite3 *db)
{
	s->stop = 0;
	s->paused_until = 0;
	s->requests = 0;
	s->rate_limits = 0;
	s->rate_limited_at = rd_store_num(db, "SELECT rate_limited_at FROM"
					  " rd_sync", NULL, 0, 0);
}

const char *rd_session_result(int rc, const struct rd_result *res)
{
	if (!rc)
		return "ok";
	if (res->error[0])
		return res->error;
	switch (rc) {
	case -EAGAIN:
		return "rate limited";
	case -EPERM:
		return "infringing";
	case -ENOSPC:
		return "no slot";
	case -ENOENT:
		return "unknown torrent";
	case -EACCES:
		return "token refused";
	case -EPROTO:
		return "malformed answer";
	case -EIO:
		return "server error";
	case -ETIMEDOUT:
		return "timed out";
	default:
		return "unreachable";
	}
}

void rd_session_note(struct rd_session *s, const char *endpoint,
		     const char *id, int rc, const struct rd_result *res)
{
	struct rd_attempt a = {
		.at = clock_wall(),
		.endpoint = endpoint,
		.torrent_id = id,
		.result = rd_session_result(rc, res),
		.http_status = res->http_status,
		.error_code = res->error_code,
		.elapsed_s = res->elapsed_s,
		.rate_limited = rc == -EAGAIN,
	};
	/* Answers about one torrent are the service working. */
	int service_ok = !rc || rc == -EPERM || rc == -ENOENT ||
		rc == -ENOSPC;
	struct services_report rep = {
		.name = s->ops->name,
		.throttle = s->c.throttle,
		.ok = service_ok,
		.error = service_ok ? NULL : a.result,
		.level = rc == -EAGAIN ? "warn" : "error",
	};

	if (rc == -ECANCELED) {
		s->stop = 1;
		return;
	}
	s->requests++;
	writer_call(rd_store_attempt, &a);
	writer_call(services_store, &rep);
	if (rc == -EAGAIN) {
		s->rate_limited_at = a.at;
		s->rate_limits++;
	}
	if (rc == -EACCES)
		s->stop = 1;
}

int rd_session_ready(struct rd_session *s)
{
	double until;

	if (s->stop || (s->cancel &&
			 __atomic_load_n(s->cancel, __ATOMIC_RELAXED)))
		return 0;
	if (throttle_paused(s->c.throttle, &until)) {
		s->stop = 1;
		s->paused_until = until;
		return 0;
	}
	return 1;
}
