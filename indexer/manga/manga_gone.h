/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MANGA_GONE_H
#define MEDIAMON_MANGA_GONE_H

/*
 * Series whose folders left, kept for [general] keep_gone (the
 * "series_gone" table, schema version 39), as library/gone.h keeps
 * music tracks: the series row goes from the library as before, so no
 * view or check sees it, but what the user set on it (monitored,
 * latest, source, preferences, edition) and what the checks learnt
 * (status, published_by, last_checked) are kept aside with its id. A
 * folder of the same name that comes back in that root (or, failing
 * that, in another manga root) takes them back. The blocklist is kept
 * by release, not by series, and is not touched. All of it runs on the
 * writer's connection, inside manga_refresh()'s transaction; nothing is
 * kept while the grace is 0.
 */

#include <sqlite3.h>
#include <stdint.h>

/* The grace in seconds ([general] keep_gone, as gone_set_keep()); 0
 * keeps nothing. */
void manga_gone_set_keep(long seconds);

/* Keep aside the series of root_id (only the folder series, when not
 * NULL) whose folders are no longer indexed, before their rows are
 * deleted. 0 or -errno. */
int manga_gone_keep(sqlite3 *db, int64_t root_id, const char *series);

/* Give the series folders of root_id (only series, when not NULL) that
 * are indexed and have no series row their kept rows back, before new
 * rows are made for the others. 0 or -errno. */
int manga_gone_restore(sqlite3 *db, int64_t root_id, const char *series);

/* The highest series id in *id (0 for none), for
 * manga_gone_note_twins(). 0 or -errno. */
int manga_gone_last_id(sqlite3 *db, int64_t *id);

/*
 * Remember the series rows made after id after whose folder name a row
 * of another root is still there that in_scope(arg, its root id, the
 * name) says the refresh covered: that refresh met the folder in both
 * roots (a scan ran while it moved, or it was copied to another file
 * system and not yet deleted). Only those are handed over to
 * (manga_gone_hand_over()); the memory holds the latest few, and is lost
 * with the process. 0 or -errno.
 */
int manga_gone_note_twins(sqlite3 *db, int64_t after,
			  int (*in_scope)(void *arg, int64_t root_id,
					  const char *series),
			  void *arg);

/*
 * A series kept at since or later (manga_gone_keep()) whose folder was
 * met in another manga root by a refresh that still saw it in its own
 * (manga_gone_note_twins()) has a row made new there, with nothing set
 * on it: that row goes, and rebuild(arg, its root id, its folder) is
 * called to make it again, from what was kept (manga_gone_restore()).
 * Rows the user set anything on, a check looked at, older than the kept
 * one, or made after the kept one's folder had left (by a refresh that
 * did not see it), are left alone.
 * 0 or -errno.
 */
int manga_gone_hand_over(sqlite3 *db, double since,
			 int (*rebuild)(void *arg, int64_t root_id,
					const char *series),
			 void *arg);

/* Kept series older than the grace at now go. 0 or -errno. */
int manga_gone_prune(sqlite3 *db, double now);

#endif
