/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MONITORED_H
#define MEDIAMON_MONITORED_H

/*
 * The series a check of the monitor searches: the monitored ones, at
 * most [monitor] max_series_per_check of them, those checked longest ago
 * first (never checked before all), so that over several checks every
 * monitored series gets its turn while one check's searches stay
 * bounded, whoever made the folders.
 */

#include <stddef.h>

#include <sqlite3.h>

struct series;		/* monitor_ctx.h */

/* The series of the next check into *out (malloc'd, *nr of them), read
 * at once so that no read transaction stays open across the network
 * requests; in name order. cap 0 is no cap. 0 or negative errno
 * (logged). */
int monitored_load(sqlite3 *db, int cap, struct series **out, size_t *nr);

/* Free what monitored_load() gave. Takes NULL. */
void monitored_free(struct series *s, size_t nr);

#endif
