/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_NODES_H
#define MEDIAMON_NODES_H

/*
 * Every directory, generated file and control file of the mount, with the
 * functions that render or command them: a fixed table for the files
 * every mount has, and views (/manga, /library, /search) for the ones the
 * store decides.
 */

#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/types.h>

#include "fs/tree/node.h"

/*
 * Fill *out with the node at an absolute mount path. Returns 0, -ENOENT,
 * or another negative errno value when the store cannot be read.
 */
int nodes_resolve(const char *path, struct node *out);

/* Replace the contents of out with the mount path of name in the folder
 * at the mount path dir ("/" included). */
void nodes_child_path(struct strbuf *out, const char *dir, const char *name);

/* The permission bits and file type of a node: 0555 for a folder (0755
 * for a series folder of /manga: series set, no stat_series), 0444 for a
 * generated file, 0644 for a control file, without the group's and
 * others' bits when it is owner_only. */
mode_t nodes_mode(const struct node *n);

/*
 * The inode number and link count stat() shows for n, whose entry in the
 * inode table is ino: a track of the music views, or a cover (a folder
 * image, or a picture a track holds), is one file with a name in each
 * (names), the same number in all of them, from its id, above any the
 * table gives (NODES_TRACK_INO; a track's picture NODES_PICTURE_INO
 * too), so du, tar, rsync -H and cp -a count and copy it once; anything
 * else shows ino.
 */
#define NODES_TRACK_INO (1ULL << 62)
#define NODES_PICTURE_INO (1ULL << 61)
void nodes_identity(const struct node *n, uint64_t ino, struct stat *st);

/* Render n into out, or command it with the len bytes at buf. */
int nodes_render(const struct node *n, struct strbuf *out);
int nodes_write(const struct node *n, const char *buf, size_t len);

/*
 * After a write nodes_write() took, either door calls nodes_written(),
 * which calls what nodes_on_written() set: the mount's invalidation
 * (fs/mount/invalidate.h), so that the kernel forgets what the generated
 * files showed, whichever door the command came through. Until it is
 * set, and with NULL, nodes_written() does nothing.
 */
void nodes_on_written(void (*fn)(void));
void nodes_written(void);

/*
 * The modification time of the series settings: when one was last
 * written through the mount, or the mount first asked if none ever was,
 * kept in the store across restarts (fs/tree/stamps.h). What an editor checks
 * a save by (vim asks before overwriting a file whose mtime moved since
 * it read it): the store's other changes (a scan, an analysis) leave it,
 * and a copy (rsync -a) of unchanged settings sends nothing.
 */
struct timespec nodes_settings_mtime(void);

/*
 * Call fn with the name and node of every direct child of the directory
 * at path, in a fixed order; stops early when fn returns nonzero.
 * Returns 0 or a negative errno value.
 */
int nodes_children(const char *path,
		  int (*fn)(const char *name, const struct node *child,
			    void *arg),
		  void *arg);

/*
 * Call fn with each path of the mount that has a line of help, and that
 * help, in the table's order: "/status/health", a folder with a "/" at
 * its end ("/manga/"), and after /manga the files of each series folder
 * ("/manga/SERIES/volumes"). The README lists them;
 * tools/mediamon-docs makes mediamon(8)'s list from them.
 */
void nodes_each_help(void (*fn)(const char *path, const char *help,
				void *arg),
		     void *arg);

#endif
