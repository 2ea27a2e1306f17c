/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The monitor's checks (monitor.h): series searched, answers cached and
 * throttled, results stored by the writer. No FUSE request waits on it. */
#include "indexer/monitor/monitor.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/cache.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/http.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/strbuf.h"
#include "indexer/monitor/blocklist.h"
#include "indexer/monitor/catalog.h"
#include "indexer/monitor/found.h"
#include "indexer/monitor/monitor_private.h"
#include "indexer/monitor/monitor_stats.h"
#include "indexer/monitor/monitored.h"
#include "indexer/monitor/picked.h"
#include "indexer/monitor/published.h"
#include "indexer/monitor/tracker.h"
#include "indexer/manga/manga.h"
#include "indexer/monitor/prefs.h"
#include "indexer/monitor/release.h"
#include "indexer/store/services.h"
#include "indexer/store/writer.h"

const char *monitor_flow_name(enum monitor_flow flow)
{
	_Static_assert(MONITOR_NEW + 1 == MONITOR_CHECK_KINDS,
		       "a flow for each name of monitor_check_kinds");
	return monitor_check_kinds[flow];
}

/* The jobs thread sets the flag to stop; checked between requests. */
static int cancelled(const struct monitor *m)
{
	return m->cancel && __atomic_load_n(m->cancel, __ATOMIC_RELAXED);
}

/* Where name sits in sources, from 1; 0 when it is not there. */
static int source_order(const struct config_list *sources, const char *name)
{
	for (size_t i = 0; i < sources->nr; i++)
		if (!strcmp(sources->items[i], name))
			return i + 1;
	return 0;
}

/* The flow's sources, its own or the global ones (config_finish() made
 * them the same when not given); a source not set up is not one. */
static void flow_sources(struct monitor *m, enum monitor_flow flow)
{
	const struct config *cfg = m->cfg;
	const struct config_list *l = flow == MONITOR_NEW ?
		&cfg->new_search_sources : &cfg->missing_search_sources;

	if (!l->nr)
		l = &cfg->search_sources;
	m->catalog_order = cfg->catalog_file ? source_order(l, "catalog") : 0;
	m->prowlarr_order = cfg->prowlarr_url && cfg->prowlarr_api_key ?
		source_order(l, "prowlarr") : 0;
}

/* The flow's auto_download, its own or the global one. */
static int flow_auto_download(const struct config *cfg,
			      enum monitor_flow flow)
{
	int v = flow == MONITOR_NEW ? cfg->new_auto_download :
		cfg->missing_auto_download;

	return v < 0 ? cfg->auto_download : v;
}

int monitor_new(const struct config *cfg, const int *cancel,
		const int *dry_run, struct monitor **out)
{
	struct monitor *m = calloc(1, sizeof(*m));
	int rc;

	if (!m)
		return log_error(-ENOMEM, "monitor: out of memory");
	m->cfg = cfg;
	m->cancel = cancel;
	rc = db_open(cfg->database, 1, &m->db);
	if (!rc)
		rc = monitor_throttle(m, "prowlarr", cfg->prowlarr_rpm,
				      &m->prowlarr_t);
	if (!rc)
		rc = published_open(m);
	if (rc) {
		monitor_free(m);
		return rc;
	}
	m->prowlarr = (struct prowlarr) {
		.url = cfg->prowlarr_url,
		.api_key = cfg->prowlarr_api_key,
		.categories = cfg->prowlarr_categories,
		.indexer_ids = cfg->prowlarr_indexer_ids,
		.throttle = m->prowlarr_t,
		.user = cfg->prowlarr_user.name,
		.user_uid = cfg->prowlarr_user.uid,
	};
	handoff_init(&m->handoff, cfg, &m->prowlarr, m->db, cancel, dry_run);
	m->handoff.digest = &m->digest;
	*out = m;
	return 0;
}

void monitor_free(struct monitor *m)
{
	if (!m)
		return;
	throttle_free(m->prowlarr_t);
	published_close(m);
	db_close(m->db);
	free(m);
}

/* A tracker pass; retry: import again what failed to import. */
static int track(struct monitor *m, int retry)
{
	struct tracker_pass pass = {
		.db = m->db,
		.cfg = m->cfg,
		.handoff = &m->handoff,
		.retry_imports = retry,
	};
	int rc = tracker_run(&pass);

	return rc ? rc : pass.failed + pass.back;
}

int monitor_track(struct monitor *m)
{
	return track(m, 0);
}

int monitor_send(struct monitor *m, const char *id)
{
	struct digest *digest = m->handoff.digest;
	int rc;

	handoff_begin(&m->handoff, 1);
	m->handoff.digest = NULL;	/* told at once: no check gathers it */
	rc = picked_send(&m->handoff, m->db, id);
	m->handoff.digest = digest;
	return rc;
}

double monitor_last_check_at(struct monitor *m)
{
	return checks_finished_at(m->db);
}

void monitor_stats(struct monitor *m, struct monitor_stats *out)
{
	out->cache_ttl_s = m->cfg->cache_ttl_s;
	out->cache_hits = __atomic_load_n(&m->hits, __ATOMIC_RELAXED);
	out->cache_misses = __atomic_load_n(&m->misses, __ATOMIC_RELAXED);
	throttle_stats(m->prowlarr_t, &out->prowlarr);
	throttle_stats(m->nautiljon_t, &out->nautiljon);
}

void monitor_reset_stats(struct monitor *m)
{
	__atomic_store_n(&m->hits, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&m->misses, 0, __ATOMIC_RELAXED);
	throttle_reset_stats(m->prowlarr_t);
	published_reset_stats(m);
}

struct prowlarr_ask {
	const char *series;
	struct prowlarr_release *r;
	size_t nr;
};

/* One Prowlarr search, in the shape monitor_with_retry() sends. */
static int send_prowlarr(struct monitor *m, void *arg)
{
	struct prowlarr_ask *a = arg;

	return prowlarr_search(&m->prowlarr, a->series, m->cancel, &a->r,
			       &a->nr);
}

/* Whether the check running was asked for by a person (control/,
 * mediamon --check, a write of latest): it asks Prowlarr afresh, as a
 * release added at an indexer since the cached answer is what they look
 * for; the timer's and the tracker's checks may take the cache's. */
static int asked_by_hand(const struct monitor *m)
{
	return strcmp(m->c.trigger, "schedule") &&
	       strcmp(m->c.trigger, "tracker");
}

/* Prowlarr's volume releases for a series, from the cache (but for a
 * check asked by hand) or one request; *found_at is when Prowlarr
 * answered. */
static int prowlarr_releases(struct monitor *m, const char *series,
			     struct prowlarr_release **r, size_t *nr,
			     double *found_at)
{
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	struct prowlarr_ask a = { .series = series };
	int rc;

	cache_key(series, &key);
	if (!asked_by_hand(m) &&
	    !monitor_cached(m, "prowlarr", key.buf, &value, found_at) &&
	    !prowlarr_parse(value.buf, value.len, series, r, nr)) {
		rc = 0;
		goto out;
	}
	rc = monitor_with_retry(m, m->prowlarr_t, send_prowlarr, &a,
				&m->c.prowlarr);
	*found_at = clock_wall();
	if (rc != -ECANCELED)
		services_record(m->prowlarr_t, NULL, rc,
			       rc ? monitor_error_text(rc) : NULL,
			       http_out_of_reach(rc) ? "warn" : "error");
	/* Prowlarr answers [] when every indexer it asked failed as when
	 * none found anything: an answer without a release is not kept,
	 * and the next search asks again */
	if (!rc && a.nr)
		monitor_keep_at("prowlarr", key.buf,
				prowlarr_releases_dump(a.r, a.nr), *found_at);
	if (!rc) {
		*r = a.r;
		*nr = a.nr;
	}
out:
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}

/* The volumes still without a release, for the many-volumes rule. */
static int all_found(const struct release_want *w, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (!w[i].nr)
			return 0;
	return 1;
}

/* The catalog is local: one query per wanted volume costs nothing. */
static int search_catalog(struct monitor *m, const struct series *s,
			  struct release_want *w, size_t nr)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < nr && !cancelled(m); i++) {
		struct catalog_hit *h;
		size_t nh;

		rc = catalog_search(m->db, s->name, w[i].volume, &h, &nh);
		if (rc)
			break;
		m->c.catalog++;
		for (size_t j = 0; !rc && j < nh; j++) {
			struct release r = {
				.title = h[j].title,
				.link = h[j].link,
				.indexer = h[j].source,
				.source = "catalog",
				.order = m->catalog_order,
				.size = h[j].size,
				.first = h[j].first,
				.last = h[j].last,
				.found_at = clock_wall(),
			};

			rc = release_want_add(&w[i], &r);
		}
		catalog_hits_free(h, nh);
	}
	return rc;
}

/* One Prowlarr search for the series, its releases given to every
 * wanted volume their range covers (only to those still without one,
 * when only_empty). */
static int search_prowlarr(struct monitor *m, const struct series *s,
			   struct release_want *w, size_t nr, int only_empty)
{
	struct prowlarr_release *r = NULL;
	size_t n = 0;
	double found_at = 0;
	int rc = prowlarr_releases(m, s->name, &r, &n, &found_at);

	for (size_t i = 0; !rc && i < nr; i++) {
		if (only_empty && w[i].nr)
			continue;
		for (size_t j = 0; !rc && j < n; j++) {
			struct release c = {
				.title = r[j].title,
				.link = r[j].download_url,
				.magnet = r[j].magnet_url,
				.guid = r[j].guid,
				.indexer = r[j].indexer,
				.source = "prowlarr",
				.protocol = r[j].protocol,
				.order = m->prowlarr_order,
				.indexer_id = r[j].indexer_id,
				.seeders = r[j].seeders,
				.size = r[j].size ? r[j].size : -1,
				.first = r[j].first,
				.last = r[j].last,
				.published_at = r[j].published_at,
				.found_at = found_at,
			};

			if (r[j].first <= w[i].volume &&
			    w[i].volume <= r[j].last)
				rc = release_want_add(&w[i], &c);
		}
	}
	prowlarr_releases_free(r, n);
	return rc;
}

/* Search a series' wanted volumes in the sources; store what was found. */
static int search_series(struct monitor *m, const struct series *s,
			 const int *volumes, size_t nr)
{
	struct release_want *w = calloc(nr ? nr : 1, sizeof(*w));
	struct found_results res = {
		.series = s->id,
		.kind = m->c.kind,
		.at = m->c.started_at,
		.replace = 1,
		.dry_run = m->handoff.dry_run &&
			__atomic_load_n(m->handoff.dry_run, __ATOMIC_RELAXED),
		.w = w,
		.nr = nr,
	};
	int many = nr > (size_t)m->cfg->many_volumes, rc = 0, failed = 0;
	int away = 0;
	struct prefs prefs;
	struct prefs_own own = { 0 };

	if (!w)
		return log_error(-ENOMEM, "monitor: out of memory");
	for (size_t i = 0; i < nr; i++)
		w[i].volume = volumes[i];
	if (m->cfg->search_enabled && m->catalog_order && nr)
		rc = search_catalog(m, s, w, nr);
	if (!rc && m->cfg->search_enabled && m->prowlarr_order && nr &&
	    !cancelled(m) && !(many && m->catalog_order && all_found(w, nr))) {
		int ret = search_prowlarr(m, s, w, nr,
					  many && m->catalog_order);

		if (ret == -ENOMEM || ret == -ECANCELED)
			rc = ret;
		else if (ret)
			failed = 1;
		away = http_out_of_reach(ret);
	}
	if (!rc && cancelled(m))
		rc = -ECANCELED;
	prefs_from_config(&prefs, m->cfg);
	/* Checked when written: text that no longer reads is ignored. */
	if (s->prefs && !prefs_parse(s->prefs, &own, NULL))
		prefs_override(&prefs, &own);
	for (size_t i = 0; !rc && i < nr; i++) {
		rc = blocklist_apply(m->db, &w[i]);
		if (rc)
			break;
		prefs_apply(&prefs, &w[i]);
		release_want_years(&w[i], s->name);
		release_want_rank(&w[i]);
		m->c.found += w[i].nr > 0;
	}
	/* Prowlarr out of reach is in health already */
	m->c.errors += failed && !away;
	m->c.wanted += nr;
	res.replace = !failed;
	if (!rc)
		rc = writer_call(found_store, &res);
	for (size_t i = 0; !rc && i < nr; i++)
		if (w[i].newly_found)
			digest_tell(&m->digest, &(struct digest_event) {
				.kind = DIGEST_FOUND, .series = s->name,
				.volume = w[i].volume, .title = w[i].r[0].title,
			});
	m->handoff.save_path = own.save_path;
	if (!rc)
		rc = handoff_series(&m->handoff, s->id, s->name, w, nr);
	m->handoff.save_path = NULL;
	release_wants_free(w, nr);
	prefs_own_release(&own);
	return rc;
}

/* The missing-volume flow for one series: its gaps, as /manga/SERIES/
 * missing shows them, are what it wants. */
static int check_missing(struct monitor *m, const struct series *s)
{
	struct manga_volume *v = NULL;
	int *gaps = NULL;
	size_t nr = 0, ng;
	double latest = 0;
	int rc = manga_series_volumes(m->db, s->id, &v, &nr, &latest);

	if (rc)
		return rc == -ENOENT ? 0 : rc;
	ng = manga_gaps(v, nr, latest, NULL, 0);
	gaps = malloc((ng ? ng : 1) * sizeof(*gaps));
	if (!gaps)
		rc = log_error(-ENOMEM, "monitor: out of memory");
	else
		manga_gaps(v, nr, latest, gaps, ng);
	if (!rc)
		rc = search_series(m, s, gaps, ng);
	free(gaps);
	free(v);
	return rc;
}

/* The highest whole volume owned, 0 for none. */
static int highest_owned(const struct manga_volume *v, size_t nr)
{
	double high = 0;

	for (size_t i = 0; i < nr; i++)
		if (v[i].last > high)
			high = v[i].last;
	return (int)floor(high);
}

/* The new-volume flow for one series: a number written by hand wins
 * over the sources (published.h), which are then not asked; what lies
 * beyond the highest volume owned is wanted. */
static int check_new(struct monitor *m, const struct series *s)
{
	struct manga_volume *v = NULL;
	size_t nr = 0;
	double latest = 0;
	int *wanted = NULL, high, count = 0;
	int rc = manga_series_volumes(m->db, s->id, &v, &nr, &latest);

	if (rc)
		return rc == -ENOENT ? 0 : rc;
	high = highest_owned(v, nr);
	free(v);
	if (latest > 0)
		count = (int)latest;
	else if ((rc = published_count(m, s, high, &count)))
		return rc;
	if (count > high) {
		wanted = malloc((count - high) * sizeof(*wanted));
		if (!wanted)
			return log_error(-ENOMEM, "monitor: out of memory");
		for (int i = high + 1; i <= count; i++)
			wanted[i - high - 1] = i;
	}
	rc = search_series(m, s, wanted, count > high ? count - high : 0);
	free(wanted);
	return rc;
}

/* A writer_call() function: the check's row, at its start and its end;
 * at the end, volumes no longer wanted go with their releases. */
static int store_check_tx(sqlite3 *db, void *arg)
{
	struct checks_row *r = arg;
	sqlite3_stmt *st;
	int rc;

	rc = checks_store(db, r);
	if (!rc && r->finished_at > 0)
		rc = db_prepare(db, "DELETE FROM wanted WHERE kind = ?1"
				" AND searched_at < ?2", &st);
	if (!rc && r->finished_at > 0) {
		sqlite3_bind_text(st, 1, r->kind, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 2, r->started_at);
		rc = db_finalize(st, sqlite3_step(st),
				 "drop volumes no longer wanted");
	}
	return rc;
}

static int store_check(sqlite3 *db, void *arg)
{
	return db_transaction(db, store_check_tx, arg);
}

/* A writer_call() function: expired answers go, so the cache holds
 * only what a check may still use. */
static int prune_cache(sqlite3 *db, void *arg)
{
	const struct monitor *m = arg;

	return cache_prune(db, m->cfg->cache_ttl_s, clock_wall());
}

/* A writer_call() function: reload the catalog when its file changed. */
static int reload_catalog(sqlite3 *db, void *arg)
{
	const struct monitor *m = arg;

	return catalog_reload(db, m->cfg->catalog_file);
}

/* A check's requests per manga source, in the table's order
 * (common/manga_sources.def) as its log line says them: ", 2 Nautiljon,
 * ... and 0 AniList". */
static void source_requests(const struct checks_row *c, struct strbuf *out)
{
#define MANGA_SOURCE(name, title, editions, rank, ...) title,
	static const char *const titles[] = {
#include "common/manga_sources.def"
	};
#undef MANGA_SOURCE
#define MANGA_SOURCE(name, title, editions, rank, ...) c->name,
	const int n[] = {
#include "common/manga_sources.def"
	};
#undef MANGA_SOURCE

	for (size_t k = 0; k < ARRAY_SIZE(n); k++)
		strbuf_addf(out, "%s%d %s", k + 1 < ARRAY_SIZE(n) ? ", " :
			    " and ", n[k], titles[k]);
}

int monitor_check(struct monitor *m, enum monitor_flow flow,
		  const char *trigger)
{
	struct strbuf sources = STRBUF_INIT;
	struct series *s = NULL;
	size_t nr = 0;
	int rc;

	m->c = (struct checks_row) {
		.kind = monitor_flow_name(flow),
		.trigger = trigger,
	};
	flow_sources(m, flow);
	handoff_begin(&m->handoff, flow_auto_download(m->cfg, flow));
	digest_begin(&m->digest, m->cfg->notify_digest);
	m->c.started_at = clock_wall();
	rc = writer_call(store_check, &m->c);
	/* A cache that cannot be pruned costs room, not answers. */
	if (!rc)
		writer_call(prune_cache, m);
	/* A catalog that cannot be read is searched as it was. */
	if (!rc && m->catalog_order && m->cfg->search_enabled)
		writer_call(reload_catalog, m);
	/* What failed or completed since the last poll counts now. */
	if (!rc && flow == MONITOR_MISSING && track(m, 1) < 0)
		log_warn("monitor: the downloads could not be followed");
	if (!rc)
		rc = monitored_load(m->db, m->cfg, &s,
				    &nr);
	if (!rc && monitored_none_listed(m->cfg))
		m->c.errors++;
	log_info("monitor: %s check started (%s), %zu monitored series",
		 m->c.kind, trigger, nr);
	for (size_t i = 0; !rc && i < nr; i++) {
		if (cancelled(m)) {
			rc = -ECANCELED;
			break;
		}
		m->c.series++;
		rc = flow == MONITOR_NEW ? check_new(m, &s[i]) :
			check_missing(m, &s[i]);
	}
	monitored_free(s, nr);
	digest_end(&m->digest);
	m->c.sent = m->handoff.sent;
	m->c.skipped = m->handoff.skipped;
	m->c.failed = m->handoff.failed;
	m->c.errors += m->handoff.errors;
	if (!rc) {
		m->c.finished_at = clock_wall();
		rc = writer_call(store_check, &m->c);
	}
	source_requests(&m->c, &sources);
	log_info("monitor: %s check %s: %d volumes wanted, %d with releases,"
		 " %d Prowlarr%s requests, %d cache hits,"
		 " %d sent, %d skipped, %d failed, %d errors", m->c.kind,
		 rc ? "stopped" : "finished", m->c.wanted, m->c.found,
		 m->c.prowlarr, sources.buf, m->c.cache_hits, m->c.sent,
		 m->c.skipped, m->c.failed, m->c.errors);
	strbuf_release(&sources);
	return rc;
}
