/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "indexer/realdebrid/rd_guard.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/strbuf.h"

/* Whether dir lists anything but "." and "..": an rclone mount whose
 * remote is gone often stays mounted and empty. */
static int lists_entries(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *d;
	int found = 0;

	if (!dp)
		return 0;
	while (!found && (d = readdir(dp)))
		found = strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
	closedir(dp);
	return found;
}

void rd_guard_probe(const char *mount, struct rd_guard *g)
{
	struct strbuf parent = STRBUF_INIT;
	struct stat st, pst;

	memset(g, 0, sizeof(*g));
	if (stat(mount, &st) || !S_ISDIR(st.st_mode))
		return;
	g->exists = 1;
	strbuf_addf(&parent, "%s/..", mount);
	if (stat(parent.buf, &pst) || st.st_dev != pst.st_dev ||
	    st.st_ino == pst.st_ino)
		g->mount_point = 1;
	strbuf_release(&parent);
	g->has_entries = lists_entries(mount);
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
