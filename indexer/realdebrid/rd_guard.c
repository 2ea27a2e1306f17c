/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The mount guard (rd_guard.h): whether the Real-Debrid mount looks up,
 * from a look at its path and the share of broken links. It repairs and
 * deletes nothing; the pass asks it before it does.
 */
#include "indexer/realdebrid/rd_guard.h"

#include <stdio.h>
#include <string.h>

#include "indexer/library/root_probe.h"

void rd_guard_probe(const char *mount, struct rd_guard *g)
{
	struct root_probe p;

	root_probe(mount, &p);
	memset(g, 0, sizeof(*g));
	g->exists = p.exists;
	g->mount_point = p.mount_point;
	g->has_entries = p.has_entries;
}

int rd_guard_ok(const struct rd_guard *g, double ratio, char *why,
		size_t len)
{
	if (!g->exists)
		snprintf(why, len, "not found");
	else if (!g->mount_point)
		snprintf(why, len, "not a mount point");
	else if (!g->has_entries)
		snprintf(why, len, "empty");
	else if (g->broken > ratio * g->links)
		snprintf(why, len, "%zu of %zu links broken, more than %g%%",
			 g->broken, g->links, ratio * 100);
	else
		return 1;
	return 0;
}
