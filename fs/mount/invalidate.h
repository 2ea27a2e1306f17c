/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_INVALIDATE_H
#define MEDIAMON_INVALIDATE_H

/*
 * Keeps what the kernel caches of the mount true. The kernel keeps
 * entries and attributes for a while (entry_timeout and attr_timeout,
 * 1 s unless -o says, fs.h) and the listings of folders, so ls, find and
 * du do not ask again for every name; a thread of its own, never a FUSE
 * callback (DESIGN.md section 2), tells it to forget:
 *
 *   - the generated files (status, metrics, control, log) at once after
 *     a control write, and when the store moves: their sizes stay true
 *     (what follows time alone, the kernel never keeps: fs.c gives their
 *     attributes no timeout and reads them without the page cache);
 *   - when the store moves (indexer_generation()), also /manga and
 *     every file of it, the listing of every folder listed since the
 *     last move, and the folders and names of the library views the
 *     change retired (views_retired()).
 *
 * The thread sleeps until one of these happens (reader_on_move()), with
 * no timer: an idle mount does not wake it. While the store moves (a
 * scan commits batch after batch), rounds are INVALIDATE_GAP_MS apart.
 * Once the round after a move's is over too, it tells session.h the
 * generation it caught up with (/metrics/fuse.json invalidation_behind:
 * what a test waits for before it looks at what the kernel shows).
 *
 *	if (invalidate_start(se))
 *		goto fail;
 *	rc = fuse_session_loop_mt(se, loop);
 *	invalidate_stop();
 *
 * Entries the kernel does not hold cost nothing: fs/mount/inodes.h does not
 * know them, and the kernel is not asked.
 */

struct fuse_session;

#define INVALIDATE_GAP_MS 100

/*
 * Start the thread for the mounted session se (after fuse_daemonize():
 * threads do not survive the fork). Returns 0 or a negative errno value
 * (logged).
 */
int invalidate_start(struct fuse_session *se);

/*
 * Wake the thread now: a control write has changed what generated files
 * show (nodes_written() calls it, once invalidate_start() has run).
 * Safe from a FUSE callback (it only signals); does nothing when the
 * thread does not run.
 */
void invalidate_kick(void);

/* Stop the thread and wait for it; does nothing when it does not run. */
void invalidate_stop(void);

#endif
