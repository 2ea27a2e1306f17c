/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The paths under the library folders the watcher saw change (rd_watch.h),
 * kept until the jobs thread takes them. It walks nothing and reads no
 * link; rd_repair_links() does.
 */
#include "indexer/realdebrid/rd_watch.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/log.h"

static struct {
	pthread_mutex_t lock;
	char **paths;
	size_t nr, alloc;
	int full;
} kept = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/* A walk of every folder covers any path: the list is no longer needed.
 * Called with the lock held. */
static void walk_all(void)
{
	array_free_strings(kept.paths, kept.nr);
	kept.paths = NULL;
	kept.nr = kept.alloc = 0;
	kept.full = 1;
}

/* Add one path; a failure falls back to a walk of every folder, so a
 * change is never lost. Called with the lock held. */
static void keep(const char *path)
{
	char **grown = array_grow(kept.paths, kept.nr, &kept.alloc,
				  sizeof(*grown), 16);

	if (!grown) {
		log_error(-ENOMEM, "rd: out of memory");
		walk_all();
		return;
	}
	kept.paths = grown;
	kept.paths[kept.nr] = strdup(path);
	if (!kept.paths[kept.nr]) {
		log_error(-ENOMEM, "rd: out of memory");
		walk_all();
		return;
	}
	kept.nr++;
}

void rd_watch_changed(char *const *paths, size_t nr)
{
	pthread_mutex_lock(&kept.lock);
	if (!nr || kept.nr + nr > RD_WATCH_MAX)
		walk_all();
	for (size_t i = 0; !kept.full && i < nr; i++)
		keep(paths[i]);
	pthread_mutex_unlock(&kept.lock);
}

int rd_watch_take(char ***paths, size_t *nr)
{
	int full;

	pthread_mutex_lock(&kept.lock);
	full = kept.full;
	*paths = kept.paths;
	*nr = kept.nr;
	kept.paths = NULL;
	kept.nr = kept.alloc = 0;
	kept.full = 0;
	pthread_mutex_unlock(&kept.lock);
	return full;
}

