/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PATH_H
#define MEDIAMON_PATH_H

#include <stddef.h>

/*
 * Paths as text, without asking the file system: whether one lies in a
 * folder, by whole names ("/a/b" lies in "/a", "/ab" does not), and the
 * normal form that makes a prefix test enough (no ".", "..", repeated or
 * trailing slashes).
 *
 *	if (path_under(target, root))	(target is root or inside it)
 *	if (path_below(target, mount))	(strictly inside the mount)
 */

/*
 * Whether path is dir or lies below it. Every path lies under "" (as
 * root-relative paths are written, "" being the root itself) and every
 * absolute path under "/".
 */
int path_under(const char *path, const char *dir);

/* Whether path lies strictly below dir: under it, and not dir itself. */
int path_below(const char *path, const char *dir);

/*
 * How many bytes of path a folder dir another program named holds as a
 * prefix: dir's length without its trailing slashes when path is dir or
 * lies below it, else 0 (and for a NULL or empty dir).
 */
size_t path_holds(const char *dir, const char *path);

/*
 * Make path absolute against dir (when it is relative) and drop its "."
 * and ".." components and repeated or trailing slashes, without asking
 * the file system: the target of a dead link cannot be resolved. Returns
 * the result (malloc'd) or NULL when out of memory.
 */
char *path_normalize(const char *dir, const char *path);

#endif
