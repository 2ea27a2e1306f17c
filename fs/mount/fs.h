/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_FS_H
#define MEDIAMON_FS_H

/*
 * The FUSE operations of the mount (libfuse's low-level API; fs/mount/inodes.h
 * turns the kernel's inode numbers into the paths fs/tree/nodes.h resolves).
 *
 *	if (fs_parse_options(&args))
 *		goto fail;
 *	se = fuse_session_new(&args, &fs_operations,
 *			      sizeof(fs_operations), NULL);
 *
 * Generated files are rendered once at open() into a buffer kept in the
 * file handle, so every read on one handle sees one snapshot; the thread
 * that answers the open renders them while the session loop's others
 * answer on (fs/tree/session.h), and a rendering that reads the store longer
 * than RENDERING_DEADLINE_S (fs/tree/rendering.h; -o render_deadline=S) fails
 * its open with EAGAIN (logged). A lookup or getattr renders the file
 * too, for its caller, to show the size a read gives, and keeps the
 * rendering for the open that follows (fs/tree/sizes.h); the kernel asks for
 * a generated file's attributes every time, and opens use direct_io. The
 * kernel keeps entries and attributes for the timeouts (1 s unless
 * -o entry_timeout= or attr_timeout= say), and, where it can, the
 * listings of folders until their mtime moves: a folder of the store's
 * views takes as mtime the time the mount first saw the store's current
 * generation, a fixed folder the mount's start. fs/mount/invalidate.h makes
 * the kernel forget what changed sooner. Library files are read from
 * their descriptor (spliced to the kernel), with the kernel's page cache
 * unless they changed a moment ago. Names that do not exist are asked
 * for every time.
 *
 * Every callback that reaches a library file answers as its caller
 * (caller.h): opens, stats, attributes and listings of real files are
 * what the asking user may have on disk, and the files that name real
 * paths (nodes.h, owner_only) are the daemon's user's alone.
 */

#include <fuse_lowlevel.h>

extern const struct fuse_lowlevel_ops fs_operations;

/*
 * Take the options of the kernel's cache out of args (-o entry_timeout=S
 * and -o attr_timeout=S, in seconds, 1 by default), for the replies of
 * fs_operations, and note -o allow_other (left in args for the kernel):
 * with it, folders are opened so that the kernel keeps the owner's
 * listings of the views and no other user's. Returns 0, or -EINVAL for a
 * bad or negative value (logged).
 */
int fs_parse_options(struct fuse_args *args);

#endif
