/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The groups of tracks one MusicBrainz recording id and their lengths
 * join (mb_dups.h). It reads the store only; what the mount shows of
 * them, and the duplicates the audio analysis finds, are not its own.
 */
#include "indexer/analysis/mb_dups.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/db.h"

struct group {
	int64_t *ids;
	size_t nr, alloc;
};

static int add_id(struct group *g, int64_t id)
{
	int64_t *v = array_grow(g->ids, g->nr, &g->alloc, sizeof(*v), 8);

	if (!v)
		return -ENOMEM;
	g->ids = v;
	g->ids[g->nr++] = id;
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

/* Hand a group of two or more on, in id order, and start the next. */
static int flush(struct group *g,
		 int (*fn)(void *arg, const int64_t *ids, size_t nr),
		 void *arg)
{
	int rc = 0;

	if (g->nr > 1) {
		qsort(g->ids, g->nr, sizeof(*g->ids), cmp_id);
		rc = fn(arg, g->ids, g->nr);
	}
	g->nr = 0;
	return rc;
}

/*
 * The tracks that share an id come by id, then by length: a track more
 * than the slack longer than the one before it starts a new group.
 */
int mb_dups_groups(sqlite3 *db,
		   int (*fn)(void *arg, const int64_t *ids, size_t nr),
		   void *arg)
{
	struct group g = { NULL, 0, 0 };
	char *last = NULL;
	double last_s = 0;
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "SELECT id, mb_track_id, duration_s FROM tracks"
			" WHERE duration_s IS NOT NULL AND mb_track_id IN"
			" (SELECT mb_track_id FROM tracks"
			"  WHERE mb_track_id IS NOT NULL"
			"  AND duration_s IS NOT NULL"
			"  GROUP BY mb_track_id HAVING count(*) > 1)"
			" ORDER BY mb_track_id, duration_s, id", &st);
	if (rc)
		return rc;
	while (!rc && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *mbid = (const char *)sqlite3_column_text(st, 1);
		double s = sqlite3_column_double(st, 2);

		rc = 0;
		if (!last || strcmp(last, mbid) ||
		    s - last_s > MB_DUPS_SLACK_S) {
			rc = flush(&g, fn, arg);
			if (!last || strcmp(last, mbid)) {
				free(last);
				last = strdup(mbid);
				if (!last)
					rc = -ENOMEM;
			}
		}
		last_s = s;
		if (!rc)
			rc = add_id(&g, sqlite3_column_int64(st, 0));
	}
	if (rc == SQLITE_DONE)
		rc = flush(&g, fn, arg);
	else if (rc > 0)
		rc = db_error(db, rc, "read the musicbrainz duplicates");
	sqlite3_finalize(st);
	free(last);
	free(g.ids);
	return rc;
}
