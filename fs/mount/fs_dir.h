/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_FS_DIR_H
#define MEDIAMON_FS_DIR_H

/*
 * The folder callbacks of fs_operations (fs.h), each answering req
 * itself, as the caller of req (caller.h).
 *
 * fs_dir_open() answers ENOSYS when the kernel lists folders without an
 * opendir (fs_attr.no_opendir); else it lets the kernel keep the
 * listings every user is shown alike (-o allow_other). fs_dir_read()
 * and fs_dir_read_plus() list the folder ino from the offset off, in a
 * reply of at most size bytes; a readdirplus gives folders with their
 * attributes and counts a lookup of each for the kernel.
 */

#include <fuse_lowlevel.h>

void fs_dir_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fs_dir_release(fuse_req_t req, fuse_ino_t ino,
		    struct fuse_file_info *fi);
void fs_dir_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi);
void fs_dir_read_plus(fuse_req_t req, fuse_ino_t ino, size_t size,
		      off_t off, struct fuse_file_info *fi);

#endif
