/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_EDITS_H
#define MEDIAMON_EDITS_H

/*
 * Settings edited as people edit files: the writable files of a series
 * of /manga (preferences, latest, source, monitored) saved by sed -i and
 * vim through the temporary file and the rename they use.
 *
 *   - In a series folder (mode 0755: its owner's), the mount's owner may
 *     make the temporary files of these tools, held in memory
 *     (fs/tree/scratch.h): a name of sed -i's ("sed" and six letters or
 *     digits), vim's probe of the folder (digits alone) and vim's backup
 *     of a writable file (its name and "~"). They show mode 0600 (vim
 *     then writes the file in place, not by rename), take a mode, owner
 *     and times without keeping them, and may be removed.
 *   - Renaming one onto a writable file of the same folder writes its
 *     text to that file as one write: refused, the file keeps what it
 *     had, the rename fails with the write's error and /log has its one
 *     line (control.h); the temporary file stays for the tool to remove.
 *   - Any other name, and any other rename or removal, is refused as
 *     refuse.h says (EROFS); another user may make none (EACCES).
 *
 * The mount has no create callback: the kernel makes a file by a mknod
 * and an open then, which edits_mknod() and fs.c's open serve. The
 * callbacks reply themselves; fs.c counts them as every request.
 */

#include <fuse_lowlevel.h>

void edits_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		 mode_t mode, dev_t rdev);
void edits_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void edits_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		  fuse_ino_t newparent, const char *newname,
		  unsigned int flags);

#endif
