/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_REFUSE_H
#define MEDIAMON_REFUSE_H

/*
 * The answers of the mount to what it never does, each one true (never
 * ENOSYS, "Function not implemented", which tells a user nothing):
 *
 *   - its names are the tree's and the store's: nothing is created,
 *     made, linked, renamed or removed, anywhere (EROFS);
 *   - the mode, owner and extended attributes of a file are not a
 *     user's to set, nor its times but for "now", which a generated
 *     file always shows (EPERM); it has no access control lists
 *     (EOPNOTSUPP: cp -p and sed -i then keep the mode alone).
 *
 * A user the kernel already refuses (default_permissions: no write
 * permission on the folder, or on the file) hears EACCES from it; these
 * answer the one it lets through, root. The refuse_* callbacks reply at
 * once and touch nothing; fs.c counts them as it counts every request.
 */

#include <fuse_lowlevel.h>

#include "fs/tree/node.h"

void refuse_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode, dev_t rdev);
void refuse_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode);
void refuse_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void refuse_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void refuse_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		    const char *name);
void refuse_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		   fuse_ino_t newparent, const char *newname,
		   unsigned int flags);
void refuse_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		 const char *newname);
void refuse_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     const char *value, size_t size, int flags);
void refuse_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

/*
 * Whether a setattr of the FUSE_SET_ATTR_* bits to_set may go on for n:
 * 0, or -EPERM for a mode, an owner, or a time that is not "now" on a
 * generated or control file (a folder's and a library file's times are
 * their own). An editor's temporary file takes them all (fs/mount/edits.h).
 * The size is truncate's to judge.
 */
int refuse_setattr(const struct node *n, int to_set);

#endif
