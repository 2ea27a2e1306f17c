/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_INODES_H
#define MEDIAMON_INODES_H

/*
 * The inode table of the mount: what turns the inode numbers the kernel
 * sends (libfuse's low-level API) into the mount paths nodes_resolve()
 * takes. An entry is a name in a folder, known by its full path, with the
 * number of lookups the kernel holds on it; it lives until the kernel
 * forgets them all. Inode 1 is "/" and is never freed. Numbers are never
 * reused, so an inode the kernel still holds never names another file.
 * Every function may be called from any thread.
 *
 *	uint64_t ino;
 *	struct strbuf path = STRBUF_INIT;
 *
 *	if (inodes_lookup(parent, name, &ino))	(in lookup, readdirplus)
 *		...;
 *	if (inodes_path(ino, &path))		(in every other callback)
 *		...;
 *	inodes_forget(ino, nlookup);		(in forget)
 *	ino = inodes_find("/status");		(in invalidation)
 */

#include <stdint.h>

struct strbuf;

#define INODES_ROOT 1

/*
 * Find or make the entry of name in the folder parent and count one
 * lookup of it; *ino receives its number. Returns 0, -ENOENT when parent
 * is not in the table, or -ENOMEM (logged).
 */
int inodes_lookup(uint64_t parent, const char *name, uint64_t *ino);

/*
 * Drop n lookups of ino, and free its entry when none is left (never
 * the root's). An unknown ino, or more lookups than it has, are ignored.
 */
void inodes_forget(uint64_t ino, uint64_t n);

/*
 * Replace the contents of out with the mount path of ino ("/" for the
 * root, "/a/b" below it). Returns 0, or -ENOENT when ino is not in the
 * table.
 */
int inodes_path(uint64_t ino, struct strbuf *out);

/* The number of the entry at the mount path path, or 0 when the kernel
 * holds none. */
uint64_t inodes_find(const char *path);

/*
 * Note that the kernel has had the listing of the folder ino (and may
 * keep it). An unknown ino is ignored.
 */
void inodes_listed(uint64_t ino);

/*
 * Append the paths of the folders listed (inodes_listed()) since the
 * last call, each ending with a NUL, to out, and forget that they were.
 */
void inodes_take_listed(struct strbuf *out);

/*
 * Append the paths of every entry the kernel holds below the folder
 * prefix ("/library": not itself), each ending with a NUL, to out: a
 * walk of the whole table, for the invalidation thread when the store's
 * names moved.
 */
void inodes_under(const char *prefix, struct strbuf *out);

/* The lookups ino holds (0 when it is not in the table; the root's are
 * whatever was counted on it). */
uint64_t inodes_lookups(uint64_t ino);

/* Free every entry but the root's and count its lookups from 0 again:
 * the kernel of a new session knows none of them. */
void inodes_clear(void);

#endif
