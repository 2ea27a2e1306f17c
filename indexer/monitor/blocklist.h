/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_BLOCKLIST_H
#define MEDIAMON_BLOCKLIST_H

/*
 * The releases never to be sent again, kept in the store by their id
 * (release_id(): /status/found.json shows it with each release): those a
 * user named (echo ID > control/blocklist) and those a client refused or
 * a download failed. Every check drops them from what it found, before
 * ranking, so the next best release goes instead.
 *
 *	blocklist_apply(db, &want);		(each wanted volume)
 *	blocklist_release(&dr, "fetch failed");	(a failed download)
 */

#include <sqlite3.h>

#include "indexer/monitor/download.h"
#include "indexer/monitor/release.h"

/* Whether id has the shape of a release's id. Returns 1 or 0. */
int blocklist_valid_id(const char *id);

/*
 * Blocklist id for reason, with title (NULL: the title found.json shows
 * for it, else ""). Waits for the writer. Returns 0 (also when it was
 * there already: the first reason stays), -EINVAL for an id of the
 * wrong shape, or a negative errno value.
 */
int blocklist_add(const char *id, const char *title, const char *reason);

/* Take id off the blocklist. Returns 0, -EINVAL when it is not on it, or
 * a negative errno value. */
int blocklist_remove(const char *id);

/*
 * Blocklist release r, which failed for reason (a client refused it, its
 * download failed): the hand-off, and the download tracker, call this.
 * Returns 0 or a negative errno value (logged).
 */
int blocklist_release(const struct download_release *r, const char *reason);

/*
 * Remove from w the releases on the blocklist, reading it through db (a
 * read connection), each logged. Returns 0 or a negative errno value.
 */
int blocklist_apply(sqlite3 *db, struct release_want *w);

#endif
