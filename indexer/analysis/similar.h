/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SIMILAR_H
#define MEDIAMON_SIMILAR_H

/*
 * What /similar/QUERY holds (views.h): the tracks whose analysis vectors
 * are closest to the one of the best match of QUERY.
 *
 *	struct strbuf ids = STRBUF_INIT;
 *
 *	if (!similar_find(db, "\"blue\"*", NULL, NULL, &best, &ids) &&
 *	    ids.len)
 *		list_tracks_of(ids.buf);	(a JSON array: [12,7,30])
 */

#include <sqlite3.h>
#include <stdint.h>

struct strbuf;

#define SIMILAR_MAX 25

/*
 * Find the track that best matches fts, an FTS5 expression of the
 * tracks_fts table, and append to ids the track ids of the
 * SIMILAR_MAX analysed tracks most similar to it as a JSON array,
 * most similar first (analysis_store_similar()), and its id to *best.
 * When keep is given, only the tracks keep(arg, id) lets through are
 * matched and ranked (those a caller may read), so a track it holds back
 * changes nothing of the answer. Appends nothing when no track matches
 * or the best match has not been analysed (*best is 0 then). Returns 0
 * or a negative errno value (logged).
 */
int similar_find(sqlite3 *db, const char *fts,
		 int (*keep)(void *arg, int64_t id), void *arg,
		 int64_t *best, struct strbuf *ids);

#endif
