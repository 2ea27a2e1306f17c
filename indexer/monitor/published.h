/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PUBLISHED_H
#define MEDIAMON_PUBLISHED_H

/*
 * How many volumes of a series are out in its edition, for the
 * new-volume flow: the sources of [monitor] new_sources are asked in
 * order (by default, for the edition fr: Nautiljon then MangaDex; for
 * ja, ko and zh: MangaUpdates, AniList, MangaDex, Kitsu; for the
 * others: MangaDex),
 * and the first that gives the edition's count wins. A count is the
 * edition's only: Nautiljon's is the French one, MangaDex's the highest
 * volume translated into the edition's language, MangaUpdates' and
 * AniList's and Kitsu's the original's (of a Manga or a Japanese series
 * for ja, and so on).
 * A source that fails, is blocked, or does not know the series passes
 * to the next; each answer is cached like Prowlarr's.
 *
 * The series' source (its /manga/SERIES/source) may name the id at each
 * source: "mangadex:UUID", "mangaupdates:ID", "anilist:ID", "kitsu:ID",
 * "nautiljon:SLUG" or a bare Nautiljon SLUG, separated by spaces. An id
 * found by a search is kept apart from it, among the series' found ids
 * (series.found), asked after the user's; they are forgotten when the
 * user writes the series' source or edition, or [monitor] edition
 * changes for a series that follows it. A search that found nothing is
 * not made again while the cache remembers it.
 */

#include <sqlite3.h>

struct monitor;
struct series;

/* Forget the ids searches found for the series that follow [monitor]
 * edition, which has changed: the next check searches again. A writer
 * call's step. Returns 0 or -EIO (logged). */
int published_forget_found(sqlite3 *db);

/* Make the throttles and clients of the sources (m->nautiljon_t, ...)
 * from m->cfg. Returns 0 or -errno; published_close() frees what was
 * made either way. */
int published_open(struct monitor *m);

void published_close(struct monitor *m);

/* Start the sources' counters of /metrics again. */
void published_reset_stats(struct monitor *m);

/*
 * Set *count for s (high: its highest volume owned): what a source gave,
 * stored with the source and edition (series.published_by) and told as
 * news when it went up; or, when no source gave one, the count stored
 * before (the check counts one error). Returns 0, -ECANCELED, or the
 * writer's error.
 */
int published_count(struct monitor *m, const struct series *s, int high,
		    int *count);

#endif
