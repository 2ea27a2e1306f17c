/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_VIEWS_REAL_H
#define MEDIAMON_VIEWS_REAL_H

/*
 * The real files behind the NODE_REAL nodes of the views and of /manga
 * (views.h): where each is on disk, and its stat, open and access as the
 * mount's caller (caller.h). A callback resolves a path, then stats or
 * opens what it found: the track the thread resolved last is remembered
 * (views_real_remember()), and needs no query of the store.
 */

#include <stdint.h>
#include <sys/stat.h>

#include "common/strbuf.h"

/* Remember for this thread that the track file is at path (NULL: none,
 * or one too long to keep). */
void views_real_remember(int64_t file, const char *path);

/* Where the file with this files.id is on disk, into out: 0, or a
 * negative errno value (-ENOENT when its row is gone). */
int views_real_path(int64_t file, struct strbuf *out);

/*
 * stat() the real file behind file (a files.id) into *st as the caller
 * (caller.h), with the write bits cleared: the views are read-only. A
 * negative file is the picture embedded in the track -file
 * (covers_stat()). Returns 0, -ENOENT when the file or its row is gone,
 * -EACCES when the caller may not, or another negative errno value.
 */
int views_real_stat(int64_t file, struct stat *st);

/*
 * Open the real file behind file read-only as the caller, a link on its
 * path only into a root (symlinks.h); a negative file gives the picture
 * embedded in the track -file (covers_open(), which sets *copy to the
 * shared copy the descriptor reads; NULL for any other file). Returns
 * the descriptor, or -ENOENT when the file or its row is gone, -EACCES
 * when the caller may not read it or it is no regular file now (a FIFO
 * put in its place is never waited for), or another negative errno.
 */
struct cover_copy;
int views_real_open(int64_t file, struct cover_copy **copy);

/* 0 when the caller may read the real file behind file (or the track of
 * a negative one), -EACCES when not, or another negative errno value. */
int views_real_access(int64_t file);

#endif
