/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_VIEWS_PREFETCH_H
#define MEDIAMON_VIEWS_PREFETCH_H

/*
 * The folders a walk of the views (find, du, a file manager) will ask for
 * next, made ahead of it by a thread of their own while the walk waits on
 * the kernel: after a folder of folders comes its first folder, or its
 * first few when they hold the files; after a folder without folders, the
 * few after it, and when they run out, the one after its parent, and so
 * up. A folder of folders is made only just before the walk reaches it:
 * made sooner, it would leave the cache before it is asked for.
 *
 * Everything but views_prefetch_stop() runs under the views cache's lock
 * (views_cache.h), which the thread holds but while it makes a folder.
 */

#include "fs/tree/views_cache.h"

/*
 * Queue what a walk that just listed ls, depth levels below its view's
 * root, will list next, the view being view_depth levels deep; the
 * thread, started on first use, has make() make each (called with the
 * lock held, it may let it go).
 */
void views_prefetch_next(const struct views_listing *ls, int depth,
			 int view_depth, void (*make)(const char *path));

/* Stop the thread and forget what is queued; call without the lock. */
void views_prefetch_stop(void);

#endif
