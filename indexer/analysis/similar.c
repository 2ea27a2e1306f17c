/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * /similar's query (similar.h): the tracks closest to a search's best
 * match. It reads only; what a caller may see is the mount's to
 * filter.
 */
#include "indexer/analysis/similar.h"

#include <errno.h>

#include "common/db.h"
#include "common/strbuf.h"
#include "indexer/analysis/analysis_store.h"

/* The search of best_match(): whom the caller keeps, and the result. */
struct match {
	int (*keep)(void *arg, int64_t id);
	void *arg;
	int64_t *id;
};

/* A stop at the first track kept. */
static int match_row(void *arg, sqlite3_stmt *st)
{
	const struct match *m = arg;
	int64_t id = sqlite3_column_int64(st, 0);

	if (m->keep && !m->keep(m->arg, id))
		return 0;
	*m->id = id;
	return 1;
}

/* The id of the track fts ranks first among those keep lets through, or
 * 0 when none matches. */
static int best_match(sqlite3 *db, const char *fts,
		      int (*keep)(void *arg, int64_t id), void *arg,
		      int64_t *id)
{
	struct match m = { keep, arg, id };
	int rc;

	*id = 0;
	rc = db_each(db, "find the best match", "SELECT rowid FROM"
		     " tracks_fts WHERE tracks_fts MATCH ?1 ORDER BY rank",
		     DB_ARGS(DB_TEXT(fts)), match_row, &m);
	return rc < 0 ? rc : 0;
}

int similar_find(sqlite3 *db, const char *fts,
		 int (*keep)(void *arg, int64_t id), void *arg,
		 int64_t *best, struct strbuf *ids)
{
	int64_t similar[SIMILAR_MAX];
	size_t nr;
	int rc;

	rc = best_match(db, fts, keep, arg, best);
	if (rc || !*best)
		return rc;
	rc = analysis_store_similar(db, *best, keep, arg, similar,
				    SIMILAR_MAX, &nr);
	if (rc) {
		*best = 0;
		return rc == -ENOENT ? 0 : rc;
	}
	strbuf_addch(ids, '[');
	for (size_t i = 0; i < nr; i++)
		strbuf_addf(ids, "%s%lld", i ? "," : "", (long long)similar[i]);
	strbuf_addch(ids, ']');
	return 0;
}
