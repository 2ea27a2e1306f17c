/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_FS_FILE_H
#define MEDIAMON_FS_FILE_H

/*
 * The file callbacks of fs_operations (fs.h), each answering req itself.
 *
 * fs_file_open() opens a library file as the caller of req, or renders
 * a generated file into the handle (or takes the rendering a stat()
 * kept, fs/tree/sizes.h), counted by fs/tree/open_caps.h; fs_file_read()
 * splices a library file from its descriptor or replies the rendering
 * (fs/mount/grow.h); fs_file_write() hands a control file's command to
 * nodes_write() (a refused one is logged to /log, and the write fails
 * with its error). What is written to a series setting (node.h's
 * write_series, but an editor's temporary file) is held in the handle,
 * up to FS_FILE_HELD_MAX bytes (EFBIG past), and set as one write at
 * the flush of a close: a refused value fails the close (EINVAL and the
 * like, logged), which vim reports as "E512: Close failed" and not as a
 * full disk; the file keeps its value. A shell's `echo value > file`
 * does not report a failed close: /log has the line. fs_file_release()
 * sets what no flush did and frees the handle. fs_file_getxattr() and fs_file_listxattr() answer
 * the attributes of the views' track files (track_attrs.h) to a caller
 * who may read the file, ENODATA for anything else.
 */

#include <fuse_lowlevel.h>

#define FS_FILE_HELD_MAX (64u << 10)

void fs_file_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fs_file_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		  struct fuse_file_info *fi);
void fs_file_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		   size_t size, off_t off, struct fuse_file_info *fi);
void fs_file_flush(fuse_req_t req, fuse_ino_t ino,
		   struct fuse_file_info *fi);
void fs_file_release(fuse_req_t req, fuse_ino_t ino,
		     struct fuse_file_info *fi);
void fs_file_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		      size_t size);
void fs_file_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);

#endif
