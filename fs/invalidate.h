#ifndef MEDIAMON_INVALIDATE_H
#define MEDIAMON_INVALIDATE_H

/*
 * Keeps what the kernel caches of the mount true. The kernel keeps
 * entries and attributes for a while (libfuse's entry_timeout and
 * attr_timeout, 1 s unless -o says), so ls, find and du do not ask again
 * for every name; a thread of its own, never a FUSE callback (DESIGN.md
 * section 2), tells it to forget:
 *
 *   - the generated files (status, metrics, control, log), every
 *     INVALIDATE_TICK_MS, as their content follows time (uptime, progress,
 *     the log), and at once after a control write: their sizes stay true;
 *   - when the store moves (indexer_generation()), also every file of
 *     /manga and the folders and entries of the library views the change
 *     retired (views_retired()).
 *
 *	if (invalidate_start(fuse))
 *		goto fail;
 *	rc = fuse_loop_mt(fuse, loop);
 *	invalidate_stop();
 *
 * Entries nobody has looked up cost nothing: libfuse answers -ENOENT for
 * them without asking the kernel.
 */

struct fuse;

#define INVALIDATE_TICK_MS 100

/*
 * Start the thread for the mounted fuse (after fuse_daemonize(): threads
 * do not survive the fork). Returns 0 or a negative errno value (logged).
 */
int invalidate_start(struct fuse *fuse);

/*
 * Wake the thread now instead of at its next tick: a control write has
 * changed what generated files show. Safe from a FUSE callback (it only
 * signals); does nothing when the thread does not run.
 */
void invalidate_kick(void);

/* Stop the thread and wait for it; does nothing when it does not run. */
void invalidate_stop(void);

#endif
