/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_FS_ATTR_H
#define MEDIAMON_FS_ATTR_H

/*
 * What the FUSE callbacks (fs.c, fs_dir.c, fs_file.c) share: the mount's
 * options (fs_parse_options(), fs.h), what it learnt at its start, and
 * the attributes a node shows in stat().
 */

#include <fuse_lowlevel.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common/strbuf.h"
#include "fs/mount/handles.h"
#include "fs/tree/nodes.h"

/* From how many files in the store the lists of status/ are snapshots
 * (fs/tree/snapshots.h) unless -o snapshot_files=N says. */
#define FS_SNAPSHOT_FILES 50000

/* Set by fs_parse_options() and fs_attr_init() before the first
 * request; only read after. */
struct fs_attr_options {
	/* how long the kernel keeps entries and attributes, and a
	 * rendering may read the store (-o), in seconds */
	double entry_timeout, attr_timeout, render_deadline;
	/* from how many files in the store the lists are snapshots (-o
	 * snapshot_files, fs/tree/snapshots.h) */
	unsigned long snapshot_files;
	/* whether other users may use the mount (-o allow_other) */
	int allow_other;
	/* whether the kernel lists folders without an opendir */
	int no_opendir;
	/* whose the virtual files are (asked once: a walk stats tens of
	 * thousands of folders) */
	uid_t uid;
	gid_t gid;
};

extern struct fs_attr_options fs_attr;

/* Note the session's start, its user and what the kernel can (conn);
 * called once, from the init callback. */
void fs_attr_init(struct fuse_conn_info *conn);

/* What a folder, a generated file or a control file at path shows in
 * stat(): a file's size is the one of the open rendering h, else 0. */
void fs_attr_virtual(const char *path, const struct node *n,
		     const struct handle *h, struct stat *st);

/*
 * The stat() of the node n at path for the caller of req, whatever kind
 * it is. A generated file is rendered for the caller, and the rendering
 * kept for its open (fs/tree/sizes.h): the size shown is what a read gives.
 * A file the caller may not open shows 0 and is not rendered for it.
 * Returns 0 or a negative errno.
 */
int fs_attr_node(fuse_req_t req, const char *path, const struct node *n,
		 struct stat *st);

/* The stat() of the rendering that the process of req has open on ino
 * (fs/mount/handles.h): 1 and st filled, or 0 when there is none. */
int fs_attr_snapshot(fuse_req_t req, fuse_ino_t ino, struct stat *st);

/*
 * How long the kernel may keep the attributes of n at path, and the name
 * path, in seconds. The names and attributes of the views' folders and
 * files are kept FS_VIEWS_TIMEOUT_S (or the -o option's, when longer):
 * the invalidation thread (invalidate.h) has the kernel forget them when
 * the store moves, so a second walk of the views costs the kernel alone.
 */
#define FS_VIEWS_TIMEOUT_S 3600.0

double fs_attr_timeout(const char *path, const struct node *n);
double fs_attr_entry_timeout(const char *path);

/* The path and node of ino: 0, or a negative errno (a stale inode). */
int fs_attr_resolve(fuse_ino_t ino, struct strbuf *path, struct node *n);

#endif
