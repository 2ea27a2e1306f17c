/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCRATCH_H
#define MEDIAMON_SCRATCH_H

/*
 * The temporary files editors make in a series folder of /manga
 * (fs/mount/edits.h decides which), held in memory by their mount path: each
 * a node (node.h: a control file that is temp, 0600, the owner's) whose
 * writes add to its text in the order they come, as sed and vim write.
 * Once renamed onto a writable file, its name stays a while as an alias
 * of that file: the kernel may still name the file by the temporary
 * file's inode. At most SCRATCH_FILES temporary files of SCRATCH_BYTES
 * each; the oldest aliases make room for new ones. Any thread.
 */

#include <stdint.h>

#include "fs/tree/node.h"

struct strbuf;

#define SCRATCH_FILES 16
#define SCRATCH_ALIASES 64
#define SCRATCH_BYTES (64u << 10)

/*
 * What path names: 0 and its node in *out for a temporary file, 1 and
 * the path of the file it was renamed onto in target (replaced) for an
 * alias, -ENOENT for neither.
 */
int scratch_find(const char *path, struct node *out, struct strbuf *target);

/* Make the empty temporary file path: 0, -EEXIST, or -ENOSPC when
 * SCRATCH_FILES are held. */
int scratch_make(const char *path);

/* Forget the temporary file path: 0, or -ENOENT. */
int scratch_drop(const char *path);

/* Replace text with what the temporary file path holds: 0, or -ENOENT. */
int scratch_text(const char *path, struct strbuf *text);

/* Make the temporary file path an alias of target. */
void scratch_alias(const char *path, const char *target);

/* Forget every file and alias, at the session's end. */
void scratch_clear(void);

#endif
