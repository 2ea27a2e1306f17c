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
#include <stdint.h>

#include <sqlite3.h>

struct monitored {
	int64_t id;
	char *name, *source;
	char *prefs;		/* its own preferences (prefs.h), or NULL */
	double latest, published;
};

/* The series of the next check into *out (malloc'd, *nr of them), read
 * at once so that no read transaction stays open across the network
 * requests; in name order. cap 0 is no cap. 0 or negative errno
 * (logged). */
int monitored_load(sqlite3 *db, int cap, struct monitored **out, size_t *nr);

/* Free what monitored_load() gave. Takes NULL. */
void monitored_free(struct monitored *s, size_t nr);

#endif
