/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The caller's series filter for documents that list series
 * (series_filter.h). It reads neither the store nor the disk.
 */
#include "indexer/store/series_filter.h"

/* The owner's documents pass no filter: every series is shown. */
int series_filter_shown(const struct query_series_filter *f, int64_t series)
{
	return !f || f->keep(f->arg, series);
}
