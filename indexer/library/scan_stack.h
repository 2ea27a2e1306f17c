/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_STACK_H
#define MEDIAMON_SCAN_STACK_H

/*
 * The stack of folders the scan's workers share: a folder's subfolders
 * are gathered, then pushed at once in the reverse of their paths'
 * order, so that the walk goes depth first in about the order of the
 * store's path index and a first scan adds its rows near the index's end
 * instead of splitting its pages all over it. A folder that cannot be
 * pushed is not walked, and what the store has under it is kept.
 *
 *	rc = scan_stack_subdirs_add(s, &wk->subdirs, rel, len, name, nlen);
 *	scan_stack_push_jobs(s, &wk->subdirs);
 */

#include <stddef.h>

#include "indexer/library/scan_worker.h"

/* Keep what the store has under path, which the walk will not see. */
void scan_stack_keep_subtree(struct scan *s, const char *path, size_t len);

/* Add the folder name of the folder rel (of len bytes; "" for the root's
 * top) to d, to be pushed with scan_stack_push_jobs(). */
int scan_stack_subdirs_add(struct scan *s, struct scan_worker_subdirs *d,
			   const char *rel, size_t len, const char *name,
			   size_t nlen);

/* Put the folders of d on the stack, the first of them on top, and wake
 * a worker for each; d is left empty. */
int scan_stack_push_jobs(struct scan *s, struct scan_worker_subdirs *d);

#endif
