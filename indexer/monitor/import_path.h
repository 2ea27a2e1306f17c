/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_IMPORT_PATH_H
#define MEDIAMON_IMPORT_PATH_H

/*
 * Where an import reads and writes: a client's path turned into this
 * machine's and the trusted folder it lies in (a save folder, a
 * [download] path_map's local folder), and any path opened beneath such
 * a folder with no symbolic link and no mount point on the way.
 *
 * The folders themselves come from the administrator and are opened as
 * they are named; everything below them is resolved once, by
 * import_path_open(), and used by its descriptor from then on: no path
 * is checked and then opened again.
 *
 *	char *local, *root;
 *	if (import_map_path(cfg, remote, allowed, nr, &local, &root,
 *			    why, sizeof(why)))
 *		...	why says why
 *	int fd = import_path_open(root, local, O_PATH);
 */

#include <stddef.h>

struct config;

/*
 * The path on this machine of remote, a client's path: by the longest
 * [download] path_map whose remote folder holds it, else as it is,
 * normalized (no "." or ".."), not resolved, into *local (malloc'd).
 * Returns 0, -EINVAL when remote is not absolute, or -ENOMEM.
 */
int import_path_local(const struct config *cfg, const char *remote,
		      char **local);

/*
 * Turn a path that a download client reported (its own view, maybe from
 * inside a container) into the path on this machine: by the longest
 * [download] path_map whose remote folder holds it, else as it is; the
 * result is normalized (no "." or ".."), and not resolved. It must lie
 * below a mapping's local folder or one of the nr allowed folders (the
 * clients' save paths, as named or once their own links are resolved),
 * else -EPERM; it must not be such a folder itself (a client naming its
 * save folder as a download's path would hand the import every other
 * download and every other user's file there), else -EPERM too. Returns
 * 0 with *local and *root (the folder it lies below, the longest; both
 * malloc'd), or a negative errno value with why (len bytes), logged.
 */
int import_map_path(const struct config *cfg, const char *remote,
		    const char *const *allowed, size_t nr,
		    char **local, char **root, char *why, size_t len);

/*
 * Open path, which lies under the trusted folder root (by its text),
 * with flags: root as it is named, the rest beneath it with no link, no
 * ".." and no mount point on the way (symlinks_open_within()). Returns
 * the descriptor; -ELOOP when a link is on the way, -EXDEV when path
 * leaves root or crosses a mount point, or another negative errno value.
 */
int import_path_open(const char *root, const char *path, int flags);

/* Why import_path_open() refused path, in a few words. */
const char *import_path_error(int err);

#endif
