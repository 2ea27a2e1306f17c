/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_VIEWS_STATAHEAD_H
#define MEDIAMON_VIEWS_STATAHEAD_H

/*
 * The stat()s a walk of the music views (find, ls -l, a media server's
 * library scan) is about to make of a folder's tracks, made ahead of it
 * where each is a round trip: when a folder of tracks on a file system
 * that is not local (NFS, SMB, FUSE) is listed, VIEWS_STATAHEAD_THREADS
 * threads stat() its files at once, so that the share's attribute cache
 * answers the stats the walk then makes one after another, as its
 * caller. On a local file system nothing is done. What a stat learns is
 * thrown away: it shows nothing and decides nothing; a folder that finds
 * the queue full is not stated ahead.
 *
 *	views_statahead_listing(ls);		(after a listing)
 *	...
 *	views_statahead_stop();			(at unmount)
 */

#include <stdint.h>

#include "fs/tree/views_cache.h"

#define VIEWS_STATAHEAD_THREADS 8

/*
 * Queue the real files of ls, a folder just listed or made for a walk
 * (their paths, copied), for the threads, started on first use; at most
 * once a STATAHEAD_EVERY_S for a listing. Under the views cache's lock
 * (views_cache.h). Never waits on a file system: whether the folder's
 * is local is read from the mount table.
 */
void views_statahead_listing(struct views_listing *ls);

/* Files stated ahead since the start. */
uint64_t views_statahead_count(void);

/* Stop the threads, waiting a moment for one in a stat() on a share
 * that does not answer (left behind then), and forget the queue. */
void views_statahead_stop(void);

#endif
