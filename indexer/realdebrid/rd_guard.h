/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_GUARD_H
#define MEDIAMON_RD_GUARD_H

/*
 * The mount guard: nothing is repaired or deleted while the Real-Debrid
 * mount looks down, because then every link into it looks dead too.
 *
 *	struct rd_guard g;
 *	char why[RD_GUARD_WHY];
 *
 *	rd_guard_probe("/mnt/zurg", &g);
 *	g.links = 120;
 *	g.broken = 3;
 *	if (!rd_guard_ok(&g, cfg->rd_broken_ratio_guard, why, sizeof(why)))
 *		...	health: "error: Real-Debrid mount looks down (why)"
 *
 * The mount looks up when its path exists, is a mount point (its device
 * differs from its parent's, or it is "/"), and lists at least one entry;
 * and when the broken links are at most ratio of all links into it. The
 * look at the path is root_probe()'s (root_probe.h), the one the
 * library's roots are looked at with before a scan.
 */

#include <stddef.h>

#define RD_GUARD_WHY 160

struct rd_guard {
	int exists;		/* stat() of the path worked, a folder */
	int mount_point;	/* its st_dev differs from its parent's */
	int has_entries;	/* it lists one entry or more */
	size_t links;		/* links into the mount */
	size_t broken;		/* of those, the dead ones */
};

/*
 * Look at the mount path: fill exists, mount_point and has_entries of g
 * and zero the counts. A path that cannot be looked at leaves them 0.
 */
void rd_guard_probe(const char *mount, struct rd_guard *g);

/*
 * Decide from g. Returns 1 when repairs may go on, or 0 and writes the
 * reason to why (len bytes, NUL-terminated): "not found", "not a mount
 * point", "empty", or "7 of 10 links broken, more than 50%".
 */
int rd_guard_ok(const struct rd_guard *g, double ratio, char *why,
		size_t len);

#endif
