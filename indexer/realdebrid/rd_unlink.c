/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Owns the deletion of one dead link of a library by descriptor, from
 * the library folder down (rd_unlink.h). Decides nothing: which links go,
 * and when, is rd_cleanup's. Must not resolve a path string twice.
 */
#include "indexer/realdebrid/rd_unlink.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "common/path.h"
#include "common/symlinks.h"

/* The library folder (normalized, malloc'd) path lies below, or NULL. */
static char *library_of(const struct config_list *libraries,
			const char *path)
{
	for (size_t i = 0; i < libraries->nr; i++) {
		char *root = path_normalize(NULL, libraries->items[i]);

		if (root && path_below(path, root))
			return root;
		free(root);
	}
	return NULL;
}

/* Whether name in the folder dfd (at dir) is a symlink to target and
 * target does not resolve. */
static int still_dead(int dfd, const char *dir, const char *name,
		      const char *target)
{
	char buf[PATH_MAX], *now;
	struct stat st;
	ssize_t len;
	int same;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    !S_ISLNK(st.st_mode))
		return 0;
	len = readlinkat(dfd, name, buf, sizeof(buf) - 1);
	if (len < 0)
		return 0;
	buf[len] = '\0';
	now = path_normalize(dir, buf);
	same = now && !strcmp(now, target) && stat(target, &st);
	free(now);
	return same;
}

/* Delete name in the folder rel beneath the library folder root. */
static int unlink_beneath(const char *root, const char *rel, const char *dir,
			  const char *name, const char *target,
			  const char *path)
{
	int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), dfd, rc;

	if (rfd < 0)
		return log_error(-errno, "rd: cannot open library %s: %s",
				 root, strerror(errno));
	dfd = symlinks_open_beneath(rfd, rel, O_PATH | O_DIRECTORY);
	close(rfd);
	if (dfd == -ELOOP || dfd == -EXDEV) {
		log_warn("rd: link %s not deleted: a symbolic link lies on"
			 " its way from %s", path, root);
		return -ELOOP;
	}
	if (dfd == -ENOENT || dfd == -ENOTDIR)
		return -ESTALE;
	if (dfd < 0)
		return log_error(dfd, "rd: cannot open %s: %s", dir,
				 strerror(-dfd));
	rc = still_dead(dfd, dir, name, target) ? 0 : -ESTALE;
	if (!rc && unlinkat(dfd, name, 0))
		rc = errno == ENOENT ? -ESTALE :
			log_error(-errno, "rd: cannot delete link %s: %s",
				  path, strerror(errno));
	close(dfd);
	return rc;
}

int rd_unlink_dead(const struct config_list *libraries, const char *path,
		   const char *target)
{
	char *root = library_of(libraries, path), *dir, *name;
	const char *rel;
	int rc;

	if (!root) {
		log_warn("rd: link %s not deleted: in no library folder",
			 path);
		return -EXDEV;
	}
	dir = strdup(path);
	if (!dir) {
		free(root);
		return log_error(-ENOMEM, "rd: out of memory");
	}
	name = strrchr(dir, '/');
	*name++ = '\0';
	rel = dir + strlen(root);
	rel += *rel == '/';
	rc = unlink_beneath(root, rel, *dir ? dir : "/", name, target, path);
	free(dir);
	free(root);
	return rc;
}
