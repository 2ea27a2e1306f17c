/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MangaDex's part of the count of volumes out (published_private.h): the
 * series found by a search or by the id its source names, the count of
 * its edition from the aggregate, and its record (status, last volume,
 * metadata) from the search or from GET /manga/ID, each answer cached.
 * Which sources are asked and what a count changes is published.c's;
 * the requests and the reading of answers are mangadex.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cache.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/throttle.h"
#include "indexer/monitor/monitor_private.h"
#include "indexer/monitor/published_private.h"
#include "indexer/monitor/remote.h"
#include "indexer/store/services.h"

struct mangadex_ask {
	const char *title, *lang;
	struct mangadex_info info;
};

/* A MangaDex search, aggregate or record, in the shape
 * monitor_with_retry() sends. */
static int send_search(struct monitor *m, void *arg)
{
	struct mangadex_ask *a = arg;

	return mangadex_search(&m->mangadex, a->title, m->cancel, &a->info);
}

static int send_volumes(struct monitor *m, void *arg)
{
	struct mangadex_ask *a = arg;

	return mangadex_volumes(&m->mangadex, a->lang, m->cancel, &a->info);
}

static int send_manga(struct monitor *m, void *arg)
{
	struct mangadex_ask *a = arg;

	return mangadex_manga(&m->mangadex, m->cancel, &a->info);
}

/* Keep what the record of a->info.id said (a search's, or its own) in
 * the cache, as "record:ID". */
static void keep_record(const struct mangadex_ask *a)
{
	struct strbuf key = STRBUF_INIT;
	struct mangadex_info record = a->info;

	record.count = 0;
	strbuf_addf(&key, "record:%s", a->info.id);
	monitor_keep("mangadex", key.buf,
		     remote_info_dump(&mangadex_info_form, &record));
	strbuf_release(&key);
}

/* The status, last volume and metadata of a manga its id names in the
 * series' source, which no search gave: from the record the cache keeps
 * (a search's, or the last GET /manga/ID), else one request, so at most
 * once per check and per cache_ttl. */
static int read_record(struct monitor *m, struct mangadex_ask *a)
{
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	struct mangadex_info record;
	int rc = 0;

	strbuf_addf(&key, "record:%s", a->info.id);
	if (!monitor_cached(m, "mangadex", key.buf, &value, NULL) &&
	    !remote_info_load(&mangadex_info_form, value.buf,
			      value.len, &record) &&
	    !strcmp(record.id, a->info.id)) {
		strcpy(a->info.status, record.status);
		a->info.last_volume = record.last_volume;
		a->info.meta = record.meta;
		goto out;
	}
	rc = monitor_with_retry(m, m->mangadex_t, send_manga, a,
				&m->c.mangadex);
	if (!rc)
		keep_record(a);
out:
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}


/* The series at MangaDex: its id from its source, or from a search
 * (cached, and the id kept in its source). */
static int find_manga(struct monitor *m, const struct series *s,
		      struct ids *ids, struct mangadex_ask *a)
{
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	int rc = 0;

	if (*ids->mangadex) {
		strcpy(a->info.id, ids->mangadex);
		return 0;
	}
	strbuf_addstr(&key, "search:");
	cache_key(s->name, &key);
	if (!monitor_cached(m, "mangadex", key.buf, &value, NULL) &&
	    !remote_info_load(&mangadex_info_form, value.buf,
			      value.len, &a->info))
		goto out;
	rc = monitor_with_retry(m, m->mangadex_t, send_search, a,
				&m->c.mangadex);
	if (rc)
		goto out;
	monitor_keep("mangadex", key.buf,
		     remote_info_dump(&mangadex_info_form, &a->info));
	keep_record(a);
	rc = published_keep_id(s->id, PREFIX(mangadex), a->info.id);
out:
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}

/* MangaDex's count of the volumes translated into the edition, from the
 * cache or one request (two the first time, with the search). */
int published_ask_mangadex(struct monitor *m, const struct series *s,
			   struct ids *ids, const char *edition,
			   struct answer *out)
{
	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
	struct mangadex_ask a = { .title = s->name, .lang = edition };
	int rc = find_manga(m, s, ids, &a);

	if (rc)
		goto out;
	strbuf_addf(&key, "%s:%s", a.info.id, edition);
	if (!monitor_cached(m, "mangadex", key.buf, &value, NULL) &&
	    !remote_info_load(&mangadex_info_form, value.buf,
			      value.len, &a.info))
		goto take;
	rc = monitor_with_retry(m, m->mangadex_t, send_volumes, &a,
				&m->c.mangadex);
	/* the manga is there, no volume of the edition yet */
	out->none_yet = rc == -ENODATA;
	if (rc)
		goto out;
	monitor_keep("mangadex", key.buf,
		     remote_info_dump(&mangadex_info_form, &a.info));
take:
	if (*ids->mangadex)
		rc = read_record(m, &a);
	if (rc)
		goto out;
	out->count = a.info.count;
	snprintf(out->record, sizeof(out->record), PREFIX(mangadex) "%s",
		 a.info.id);
	out->meta = a.info.meta;
	if (a.info.last_volume && !strcmp(a.info.status, "completed")) {
		/* a finished record's own last volume bounds the count: an
		 * aggregate may number on into later parts (JoJo Part 3) */
		if (out->count > a.info.last_volume)
			out->count = a.info.last_volume;
		snprintf(out->status, sizeof(out->status), "completed, %d"
			 " volumes in all", a.info.last_volume);
	} else
		snprintf(out->status, sizeof(out->status), "%s",
			 a.info.status);
out:
	published_report(m->mangadex_t, s->name, rc, ids->mangadex,
			 a.info.id, a.info.other, out);
	strbuf_release(&key);
	strbuf_release(&value);
	return rc;
}
