/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_WATCH_H
#define MEDIAMON_RD_WATCH_H

/*
 * The paths under the [realdebrid] library folders that the watcher
 * (watch.h) saw change, kept until the jobs thread brings the links the
 * repair knows up to date (rd_repair_links()), without a pass.
 *
 *	rd_watch_changed(paths, nr);	(watcher: these changed)
 *	rd_watch_changed(NULL, 0);	(overflow, start: walk them all)
 *
 *	full = rd_watch_take(&paths, &nr);	(the jobs thread)
 *	rd_repair_links(r, full ? NULL : paths, nr);
 *	array_free_strings(paths, nr);
 *
 * Whoever calls rd_watch_changed() then queues JOBS_REPAIR_LINKS (jobs.h);
 * paths that arrive while it runs make it run once more.
 */

#include <stddef.h>

#define RD_WATCH_MAX 1024		/* paths kept; beyond, walk all */

/*
 * Keep the nr paths (absolute, copied) for the jobs thread, or with nr 0
 * ask for a walk of every library folder.
 * Safe from any thread. Beyond RD_WATCH_MAX paths, or when out of memory
 * (logged), a walk of every folder replaces them.
 */
void rd_watch_changed(char *const *paths, size_t nr);

/*
 * Take what was kept: returns 1 when every library folder is to be
 * walked (*paths NULL, *nr 0), else 0 with the paths changed into *paths
 * (NULL when none) and *nr, for array_free_strings().
 */
int rd_watch_take(char ***paths, size_t *nr);

#endif
