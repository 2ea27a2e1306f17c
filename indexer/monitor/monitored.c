/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Which series a check of the monitor searches, read from the store. It
 * searches nothing itself: monitor.c does, for each series given.
 */
#include "indexer/monitor/monitored.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/config.h"
#include "common/db.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/monitor/monitor_private.h"

void monitored_free(struct series *s, size_t nr)
{
	for (size_t i = 0; s && i < nr; i++) {
		free(s[i].name);
		free(s[i].source);
		free(s[i].prefs);
		free(s[i].edition);
	}
	free(s);
}

/* The roots whose series are searched as a JSON array of their paths,
 * into out; nothing (NULL bound: all) when [manga] monitor is all. */
static int listed_roots(const struct config *cfg, struct strbuf *out)
{
	json_t *a;

	if (!strcmp(cfg->manga_monitor, "all"))
		return 0;
	a = json_array();
	for (size_t i = 0; a && i < cfg->monitored_roots.nr; i++)
		if (json_array_append_new(a, json_string(
				cfg->monitored_roots.items[i]))) {
			json_decref(a);
			a = NULL;
		}
	return json_append(out, a);
}

int monitored_none_listed(const struct config *cfg)
{
	static const struct config *told;

	if (!cfg->manga_roots.nr || cfg->monitored_roots.nr ||
	    !strcmp(cfg->manga_monitor, "all"))
		return 0;
	if (__atomic_exchange_n(&told, cfg, __ATOMIC_RELAXED) != cfg)
		log_warn("monitor: [manga] monitor is listed and no"
			 " monitored_root names a root, so no series is"
			 " searched: name the roots to search, or set"
			 " monitor = all");
	return 1;
}

int monitored_load(sqlite3 *db, const struct config *cfg,
		   struct series **out, size_t *nr)
{
	int cap = cfg->max_series_per_check;
	struct strbuf roots = STRBUF_INIT;
	struct series *s = NULL;
	size_t n = 0, alloc = 0;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT id, name,"
				" trim(source || ' ' || found),"
				" coalesce(latest, 0), coalesce(published, 0),"
				" release_prefs, edition"
				" FROM (SELECT * FROM series"
				" WHERE monitored AND (?2 IS NULL OR root_id IN"
				" (SELECT r.id FROM roots r, json_each(?2) j"
				" WHERE CAST(r.path AS TEXT) = j.value))"
				" ORDER BY coalesce(last_checked, 0), id"
				" LIMIT ?1) ORDER BY name, id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "list monitored series");
	sqlite3_bind_int(st, 1, cap > 0 ? cap : -1);
	if (listed_roots(cfg, &roots)) {
		sqlite3_finalize(st);
		return log_error(-ENOMEM, "monitor: out of memory");
	}
	if (roots.len)
		sqlite3_bind_text(st, 2, roots.buf, roots.len, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct series *t = array_grow(s, n, &alloc, sizeof(*s), 16);

		if (!t)
			break;
		s = t;
		s[n].id = sqlite3_column_int64(st, 0);
		s[n].name = strdup((const char *)sqlite3_column_text(st, 1));
		s[n].source = strdup((const char *)sqlite3_column_text(st, 2));
		s[n].prefs = sqlite3_column_text(st, 5) ? strdup((const char *)
			sqlite3_column_text(st, 5)) : NULL;
		s[n].edition = sqlite3_column_text(st, 6) ?
			strdup((const char *)sqlite3_column_text(st, 6)) :
			NULL;
		s[n].latest = sqlite3_column_double(st, 3);
		s[n].published = sqlite3_column_double(st, 4);
		n++;
		if (!s[n - 1].name || !s[n - 1].source ||
		    (sqlite3_column_text(st, 5) && !s[n - 1].prefs) ||
		    (sqlite3_column_text(st, 6) && !s[n - 1].edition))
			break;
	}
	sqlite3_finalize(st);
	strbuf_release(&roots);
	if (rc == SQLITE_DONE) {
		*out = s;
		*nr = n;
		return 0;
	}
	monitored_free(s, n);
	return rc == SQLITE_ROW ? log_error(-ENOMEM, "monitor: out of memory") :
		db_error(db, rc, "list monitored series");
}
