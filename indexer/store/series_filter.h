/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SERIES_FILTER_H
#define MEDIAMON_SERIES_FILTER_H

/*
 * Which series a document shows to the caller it is made for (the mount
 * decides): those for which keep(arg, series id) is nonzero; a NULL
 * filter shows every series. keep runs while the store is read: it may
 * read neither the store nor the disk. The reads of several domains
 * (missing, new, found) take one.
 */

#include <stdint.h>

struct query_series_filter {
	int (*keep)(void *arg, int64_t series);
	void *arg;
};

/* Whether the filter shows the series with this id. */
int series_filter_shown(const struct query_series_filter *f, int64_t series);

/* Whether the filter shows every series of ids, their ids apart by
 * commas as SQLite's group_concat() writes them: a row that names its
 * series by name, which several series may bear. No series at all (ids
 * NULL or empty) is shown only where every series is (f NULL). */
int series_filter_shown_all(const struct query_series_filter *f,
			    const char *ids);

#endif
