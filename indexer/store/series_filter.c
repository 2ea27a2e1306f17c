/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The caller's series filter for documents that list series
 * (series_filter.h). It reads neither the store nor the disk.
 */
#include "indexer/store/series_filter.h"

#include <stdlib.h>

/* The owner's documents pass no filter: every series is shown. */
int series_filter_shown(const struct query_series_filter *f, int64_t series)
{
	return !f || f->keep(f->arg, series);
}

int series_filter_shown_all(const struct query_series_filter *f,
			    const char *ids)
{
	char *end;

	if (!f)
		return 1;
	if (!ids || !*ids)
		return 0;
	for (const char *p = ids; *p; p = *end ? end + 1 : end) {
		long long id = strtoll(p, &end, 10);

		if (end == p || (*end && *end != ','))
			return 0;
		if (!f->keep(f->arg, id))
			return 0;
	}
	return 1;
}
