/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_LINKS_H
#define MEDIAMON_RD_LINKS_H

/*
 * The symlinks of the Real-Debrid library folders that point into the
 * mount, and what their targets say: a zurg + rclone mount shows each
 * torrent as a folder, MOUNT/__all__/TORRENT NAME/FILE (or
 * MOUNT/TORRENT NAME/FILE).
 *
 *	struct rd_link *links;
 *	size_t nr;
 *	char *name, *file;
 *
 *	if (!rd_links_walk(roots, nr_roots, "/mnt/zurg", &cancel, NULL,
 *			   &links, &nr)) {
 *		for (size_t i = 0; i < nr; i++)
 *			if (links[i].broken &&
 *			    !rd_links_parse("/mnt/zurg", links[i].target,
 *					    &name, &file))
 *				...	map name and file to a torrent
 *		rd_links_free(links, nr);
 *	}
 *
 * Links whose target lies elsewhere are not ours and are left out.
 * Symlinked folders are not followed, so a loop cannot trap the walk.
 */

#include <stddef.h>

struct rd_link {
	char *path;		/* the symlink, absolute */
	char *target;		/* where it points, absolute and normalized */
	int broken;		/* the target does not resolve */
};

/*
 * Split target (normalized, inside mount) into the torrent's folder name
 * (*name) and the file's path inside it (*file), both malloc'd. A leading
 * "__all__" folder is skipped. Returns 0, -EINVAL when the target names
 * no file inside a torrent folder (MOUNT/FILE, MOUNT/__all__/NAME, or a
 * target outside the mount), or -ENOMEM.
 */
int rd_links_parse(const char *mount, const char *target, char **name,
		   char **file);

/*
 * Find every symlink under the nr folders roots whose target lies inside
 * mount, into *out (malloc'd, NULL when none) and *nr_out. A link is
 * broken when stat() of its target fails. on_dir (may be NULL) is called
 * with each folder's path before the folder is read, so a watch added
 * then misses nothing made after. Folders that cannot be read are logged
 * and skipped. Returns 0, -ECANCELED when *cancel (read atomically, may
 * be NULL) became nonzero, or -ENOMEM; *out is set only on success.
 */
int rd_links_walk(const char *const *roots, size_t nr, const char *mount,
		  const int *cancel, void (*on_dir)(const char *dir),
		  struct rd_link **out, size_t *nr_out);

/*
 * The same for nr paths that changed: a symlink is read as one link, a
 * folder (not a symlink to one) is walked, and a path that is gone holds
 * nothing. Returns as rd_links_walk().
 */
int rd_links_read(const char *const *paths, size_t nr, const char *mount,
		  const int *cancel, void (*on_dir)(const char *dir),
		  struct rd_link **out, size_t *nr_out);

/* Free nr links at l and l; NULL is allowed. */
void rd_links_free(struct rd_link *l, size_t nr);

#endif
