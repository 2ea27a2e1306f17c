/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The count of volumes out (published.h): which sources are asked, in
 * which order, for which edition, and what their answers change (the
 * count, and the metadata of its record), and what their questions share
 * (published_private.h). Each source's question, its requests and the
 * reading and caching of its answers are its own file's (NAME.c of a
 * row of common/manga_sources.def); searching releases is monitor.c's.
 */
#include "indexer/monitor/published.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/bytes.h"
#include "common/cache.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/http.h"
#include "common/log.h"
#include "common/manga_sources.h"
#include "common/notify.h"
#include "common/strbuf.h"
#include "common/throttle.h"
#include "indexer/monitor/monitor_private.h"
#include "indexer/monitor/published_private.h"
#include "indexer/monitor/remote.h"
#include "indexer/monitor/series_meta.h"
#include "indexer/store/services.h"
#include "indexer/store/writer.h"
#include "indexer/store/writer_run.h"

typedef int (*ask_fn)(struct monitor *m, const struct series *s,
		      const char *edition, struct answer *out);

size_t published_id(const char *source, const char *prefix, int bare,
		    const char **at)
{
	size_t n, k = strlen(prefix);

	for (const char *p = source; *p; p += strspn(p, " ,\t")) {
		n = strcspn(p, " ,\t");
		if (n > k && !strncmp(p, prefix, k)) {
			*at = p + k;
			return n - k;
		}
		if (bare && n && !memchr(p, ':', n)) {
			*at = p;
			return n;
		}
		p += n;
	}
	return 0;
}

long long published_number_id(const char *source, const char *prefix)
{
	const char *p;
	size_t n = published_id(source, prefix, 0, &p);
	long long v = 0;

	if (n > 15)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* How a source that did not give a count is shown: one that does not
 * know the series, or has no count for the edition, is fine (the series
 * passes to the next, and the check counts one error if none knows it);
 * a rate limit is its pause, which health shows until it ends, and
 * nothing more; a refusal is a warning, as the next source may answer,
 * and so is a source out of reach (no network: the next check asks
 * again); the rest is the service failing. */
void published_report_failure(struct throttle *t, const char *what,
			      int rc)
{
	struct throttle_stats st;
	char text[200];

	throttle_stats(t, &st);
	/* skipped while paused: the pause's own cause, a refusal (a 403
	 * from a blocking proxy), a 429 or failures in a row (issue 81) */
	if (rc == -EAGAIN && st.last_refusal_blocked)
		snprintf(text, sizeof(text), "skipped: paused after a refusal"
			 " (HTTP %d)", st.last_refusal);
	else if (rc == -EAGAIN && st.last_refusal != 429)
		snprintf(text, sizeof(text), "skipped: paused after"
			 " failures");
	else
		snprintf(text, sizeof(text), "%s", monitor_error_text(rc));
	if (rc == -ENOENT || rc == -ENODATA || rc == -EAGAIN) {
		log_info("monitor: %s: %s: %s", throttle_name(t), what, text);
		services_record(t, NULL, rc == -EAGAIN ? rc : 0, NULL, NULL);
		return;
	}
	if (rc == -EACCES)
		snprintf(text, sizeof(text), "blocked (HTTP %d); a number"
			 " written to /manga/SERIES/latest still works",
			 st.last_refusal);
	else
		snprintf(text, sizeof(text), "%s: %s", what,
			 monitor_error_text(rc));
	services_record(t, NULL, rc, text,
			rc == -EACCES || http_out_of_reach(rc) ? "warn" :
			"error");
}

/* Two records bear the series' title as well: neither is taken, and
 * out->tie names both, kept as the series' status, which health shows
 * (monitor_reads.h) until the user writes one into the series' source
 * (the series passes to the next source meanwhile). The source itself
 * answered. */
static void report_tie(struct throttle *t, const char *a, const char *b,
		       struct answer *out)
{
	services_record(t, NULL, 0, NULL, NULL);
	snprintf(out->tie, sizeof(out->tie), "no record taken: %s:%s and"
		 " %s:%s both bear this title", throttle_name(t), a,
		 throttle_name(t), b);
}

struct gone {
	int64_t series;
	const char *record;		/* "SOURCE:ID" */
};

/* A writer_call(): the record kept among the series' gone ones, once. */
static int store_gone(sqlite3 *db, void *arg)
{
	const struct gone *g = arg;

	return db_run(db, "keep a record gone", "UPDATE series SET"
		      " gone = ltrim(gone || ' ' || ?2) WHERE id = ?1"
		      " AND instr(' ' || gone || ' ', ' ' || ?2 || ' ') = 0",
		      DB_ARGS(DB_INT(g->series), DB_TEXT(g->record)));
}

/* The record id the series' source names is not at the source t (HTTP
 * 404): logged, and kept in the series' gone records, which health
 * shows as a warning of the series' own (monitor_reads.h) until the
 * user writes its source, whatever the next series' answers; its
 * metadata is kept as it was, and the series passes to the next
 * source. The source itself answered. */
static void report_gone(struct throttle *t, const struct series *s,
			const char *id)
{
	char record[160];
	struct gone g = { s->id, record };

	log_warn("monitor: %s: %s: record %s not found (HTTP 404); its"
		 " metadata is kept; write the one to follow into"
		 " /manga/SERIES/source", throttle_name(t), s->name, id);
	snprintf(record, sizeof(record), "%s:%s", throttle_name(t), id);
	if (writer_call(store_gone, &g))
		log_warn("monitor: %s: the record gone could not be kept",
			 s->name);
	services_record(t, NULL, 0, NULL, NULL);
}

void published_report(struct throttle *t, const struct series *s, int rc,
		      const char *asked, const char *id, const char *other,
		      struct answer *out)
{
	if (rc == -EEXIST)
		report_tie(t, id, other, out);
	else if (rc == -ENOENT && *asked)
		report_gone(t, s, asked);
	else if (rc && rc != -ECANCELED)
		published_report_failure(t, s->name, rc);
	else if (!rc)
		services_record(t, NULL, 0, NULL, NULL);
}

void published_report_ids(struct throttle *t, const struct series *s,
			  int rc, long long asked, long long id,
			  long long other, struct answer *out)
{
	char named[24] = "", one[24], two[24];

	if (asked)
		snprintf(named, sizeof(named), "%lld", asked);
	snprintf(one, sizeof(one), "%lld", id);
	snprintf(two, sizeof(two), "%lld", other);
	published_report(t, s, rc, named, one, two, out);
}

struct keep_id {
	int64_t series;
	const char *prefix;		/* PREFIX(mangadex), ... */
	const char *id;
};

/* A writer_call(): the id found at a source kept in the series' found
 * ids, apart from the source the user wrote. */
static int store_id(sqlite3 *db, void *arg)
{
	const struct keep_id *k = arg;
	sqlite3_stmt *st;
	int rc = db_prepare(db, "UPDATE series SET found = ltrim(found"
			    " || ' ' || ?3 || ?2) WHERE id = ?1"
			    " AND instr(source, ?3) = 0"
			    " AND instr(found, ?3) = 0", &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, k->series);
	sqlite3_bind_text(st, 2, k->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->prefix, -1, SQLITE_STATIC);
	return db_finalize(st, sqlite3_step(st), "keep a source's id");
}

int published_keep_id(int64_t series, const char *prefix, const char *id)
{
	struct keep_id k = { series, prefix, id };

	return writer_call(store_id, &k);
}

int published_forget_found(sqlite3 *db)
{
	return db_run(db, "forget the ids found", "UPDATE series SET"
		      " found = '' WHERE edition IS NULL AND found != ''",
		      NULL, 0);
}

void published_search_key(const char *edition, const char *title,
			  struct strbuf *key)
{
	strbuf_addf(key, "search:%s:", edition);
	cache_key(title, key);
}

int published_original(const char *edition)
{
	return !strcmp(edition, "ja") || !strcmp(edition, "ko") ||
	       !strcmp(edition, "zh");
}

/* The table's sources (common/manga_sources.def), in its order. */
static const struct {
	const char *name;
	ask_fn ask;
	size_t throttle;		/* of its throttle in struct monitor */
} sources[] = {
#define MANGA_SOURCE(name, ...) \
	{ #name, published_ask_##name, offsetof(struct monitor, name##_t) },
#include "common/manga_sources.def"
#undef MANGA_SOURCE
};

#define NR_SOURCES ARRAY_SIZE(sources)

static struct throttle **throttle_of(struct monitor *m, size_t k)
{
	return (struct throttle **)((char *)m + sources[k].throttle);
}

/* The sources asked, in order: new_sources (a source named twice is
 * asked once), or those asked by default for the edition
 * (manga_sources_default()). */
static size_t pick_sources(const struct config *cfg, const char *edition,
			   size_t order[NR_SOURCES])
{
	const struct config_list *l = &cfg->new_sources;
	int taken[NR_SOURCES] = { 0 };
	size_t n = 0;

	if (!l->nr)
		return manga_sources_default(edition, order);
	for (size_t i = 0; i < l->nr; i++)
		for (size_t k = 0; k < NR_SOURCES; k++)
			if (!strcmp(l->items[i], sources[k].name) &&
			    !taken[k]) {
				taken[k] = 1;
				order[n++] = k;
			}
	return n;
}

int published_open(struct monitor *m)
{
	const struct config *cfg = m->cfg;
	int rc = 0;

#define MANGA_SOURCE(name, title, editions, rank, ...) \
	if (!rc) \
		rc = monitor_throttle(m, #name, \
			cfg->manga_source[CONFIG_MANGA_##name].rpm, \
			&m->name##_t); \
	m->name = (struct remote_source) { \
		.url = cfg->manga_source[CONFIG_MANGA_##name].url, \
		.throttle = m->name##_t };
#include "common/manga_sources.def"
#undef MANGA_SOURCE
	return rc;
}

void published_close(struct monitor *m)
{
	for (size_t k = 0; k < NR_SOURCES; k++)
		throttle_free(*throttle_of(m, k));
}

void published_reset_stats(struct monitor *m)
{
	for (size_t k = 0; k < NR_SOURCES; k++)
		throttle_reset_stats(*throttle_of(m, k));
}

struct published {
	int64_t series;
	int count;			/* with by */
	const char *status;		/* "": none */
	const char *by;			/* "SOURCE:EDITION" of count;
					 * NULL: the stored count and
					 * source stay */
	const char *record, *line;	/* with by: struct answer's */
	double at;
};

/* Store what the sources said of a series, its count when one gave it
 * (two records bearing its title give none: the count it had stays, the
 * status names them). */
static int store_published(const struct published *p)
{
	return writer_run("store published volumes", "UPDATE series SET"
			  " published = CASE WHEN ?5 IS NULL THEN published"
			  "  ELSE ?2 END,"
			  " status = nullif(?3, ''), last_checked = ?4,"
			  " published_by = coalesce(?5, published_by),"
			  " published_record = CASE WHEN ?5 IS NULL THEN"
			  "  published_record ELSE nullif(?6, '') END,"
			  " published_line = CASE WHEN ?5 IS NULL THEN"
			  "  published_line ELSE nullif(?7, '') END"
			  " WHERE id = ?1",
			  DB_ARGS(DB_INT(p->series), DB_INT(p->count),
				  DB_TEXT(p->status), DB_REAL(p->at),
				  DB_TEXT(p->by), DB_TEXT(p->record),
				  DB_TEXT(p->line)));
}

/* The count went up since the last check: each volume it added that is
 * not owned is news. The first count of a series is not: it says what
 * was out before the series was watched. */
static void tell_published(const struct series *s, int count, int high,
			   const char *by)
{
	struct strbuf subject = STRBUF_INIT;

	for (int v = (int)s->published + 1; s->published > 0 && v <= count;
	     v++) {
		if (v <= high)
			continue;
		strbuf_reset(&subject);
		strbuf_addf(&subject, "%s volume %d", s->name, v);
		notify_event(NOTIFY_NEW_VOLUME, subject.buf,
			     json_pack("{s:s, s:i, s:i}", "series", s->name,
				       "volume", v, "published", count),
			     "%s volume %d is out (%s counts %d)", s->name, v,
			     by, count);
	}
	strbuf_release(&subject);
}

int published_count(struct monitor *m, const struct series *s, int high,
		    int *count)
{
	const char *edition = s->edition ? s->edition : m->cfg->edition;
	size_t order[NR_SOURCES];
	size_t n = pick_sources(m->cfg, edition, order);
	struct answer a = { 0 };
	char by[64];
	struct published p = { s->id, 0, a.status, by, a.record, a.line, 0 };
	char tie[sizeof(a.tie)] = "";
	int rc = -ENOENT, none_yet = 0, away = n > 0;

	for (size_t i = 0; i < n && rc && rc != -ECANCELED; i++) {
		memset(&a, 0, sizeof(a));
		rc = sources[order[i]].ask(m, s, edition, &a);
		away &= http_out_of_reach(rc);
		none_yet |= rc == -ENODATA && a.none_yet;
		if (!tie[0])
			memcpy(tie, a.tie, sizeof(tie));
		if (!rc && a.count <= 0)
			rc = -ENODATA;
		if (!rc)
			snprintf(by, sizeof(by), "%s:%s",
				 sources[order[i]].name, edition);
	}
	if (rc == -ECANCELED)
		return rc;
	*count = (int)s->published;
	if (rc && none_yet) {
		log_info("monitor: %s: no volume out yet in the %s edition",
			 s->name, edition);
		if (s->published > 0)
			return 0;
		memset(&a, 0, sizeof(a));
		snprintf(a.status, sizeof(a.status), "no volume yet");
		snprintf(by, sizeof(by), "none:%s", edition);
		p.at = clock_wall();
		return store_published(&p);
	}
	if (rc && tie[0]) {
		log_info("monitor: %s: %s", s->name, tie);
		p = (struct published) { s->id, 0, tie, NULL, NULL, NULL,
					 clock_wall() };
		return store_published(&p);
	}
	if (rc) {
		log_warn("monitor: %s: no source gives the count of volumes"
			 " out in the %s edition", s->name, edition);
		/* each source out of reach is in health already */
		m->c.errors += !away;
		return 0;
	}
	p.at = clock_wall();
	p.count = a.count;
	rc = store_published(&p);
	if (!rc)
		rc = series_meta_keep(s->id, &a.meta, a.record, p.at);
	if (rc)
		return rc;
	tell_published(s, a.count, high, by);
	*count = a.count;
	return 0;
}
