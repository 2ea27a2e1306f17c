/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MONITORED_H
#define MEDIAMON_MONITORED_H

/*
 * The series a check of the monitor searches: the monitored ones (and,
 * unless [manga] monitor is all, only those of the roots listed as
 * [manga] monitored_root, so a folder any user makes in another root
 * spends no search), at most [monitor] max_series_per_check of them, those
 * checked longest ago first (never checked before all), so that over several
 * checks every monitored series gets its turn while one check's searches stay
 * bounded, whoever made the folders.
 */

#include <stddef.h>

#include <sqlite3.h>

struct series;		/* monitor_private.h */

/* The series of the next check, as cfg says, into *out (malloc'd, *nr
 * of them), read at once so that no read transaction stays open across
 * the network requests; in name order. 0 or negative errno (logged). */
struct config;
int monitored_load(sqlite3 *db, const struct config *cfg,
		   struct series **out, size_t *nr);

/* Whether cfg leaves no manga series to search ([manga] monitor listed,
 * no monitored_root: the default a newcomer meets), said in the log once
 * for each configuration loaded (health says it at every check). */
int monitored_none_listed(const struct config *cfg);

/* Free what monitored_load() gave. Takes NULL. */
void monitored_free(struct series *s, size_t nr);

#endif
