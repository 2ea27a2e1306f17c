/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The mount's answers to the operations it never carries out (refuse.h):
 * replies only, no state, no log line (a refusal is the user's to see,
 * not the daemon's news).
 */
#include "fs/mount/refuse.h"

#include <errno.h>
#include <string.h>

void refuse_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode, dev_t rdev)
{
	(void)parent;
	(void)name;
	(void)mode;
	(void)rdev;
	fuse_reply_err(req, EROFS);
}

void refuse_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode)
{
	(void)parent;
	(void)name;
	(void)mode;
	fuse_reply_err(req, EROFS);
}

void refuse_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent;
	(void)name;
	fuse_reply_err(req, EROFS);
}

void refuse_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent;
	(void)name;
	fuse_reply_err(req, EROFS);
}

void refuse_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		    const char *name)
{
	(void)link;
	(void)parent;
	(void)name;
	fuse_reply_err(req, EROFS);
}

void refuse_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		   fuse_ino_t newparent, const char *newname,
		   unsigned int flags)
{
	(void)parent;
	(void)name;
	(void)newparent;
	(void)newname;
	(void)flags;
	fuse_reply_err(req, EROFS);
}

void refuse_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		 const char *newname)
{
	(void)ino;
	(void)newparent;
	(void)newname;
	fuse_reply_err(req, EROFS);
}

void refuse_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     const char *value, size_t size, int flags)
{
	(void)ino;
	(void)value;
	(void)size;
	(void)flags;
	fuse_reply_err(req, strncmp(name, "system.posix_acl_", 17) ?
			    EPERM : EOPNOTSUPP);
}

void refuse_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	(void)ino;
	(void)name;
	fuse_reply_err(req, EPERM);
}

/* A time set to a given value, not to "now". */
static int time_given(int to_set, int time, int now)
{
	return (to_set & time) && !(to_set & now);
}

int refuse_setattr(const struct node *n, int to_set)
{
	int generated = n->type == NODE_FILE || n->type == NODE_CONTROL;
	int times = to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME);

	if (n->temp)
		return 0;
	if (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID |
		      FUSE_SET_ATTR_GID))
		return -EPERM;
	if (!times)
		return 0;
	if (!generated ||
	    time_given(to_set, FUSE_SET_ATTR_ATIME, FUSE_SET_ATTR_ATIME_NOW) ||
	    time_given(to_set, FUSE_SET_ATTR_MTIME, FUSE_SET_ATTR_MTIME_NOW))
		return -EPERM;
	return 0;
}
