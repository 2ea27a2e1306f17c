/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The import's paths: a client's path mapped to this machine's and kept
 * below a trusted folder, and paths opened beneath such a folder. It
 * reads no file and writes none.
 */
#include "indexer/monitor/import_path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/array.h"
#include "common/config.h"
#include "common/log.h"
#include "common/lookup.h"
#include "common/path.h"
#include "common/symlinks.h"

/* The trusted folder that holds path: *best (the longest so far) set to
 * dir when path lies under it; 1 when path is dir itself. */
static int consider(const char *path, const char *dir, const char **best)
{
	if (!dir || !*dir || !path_under(path, dir))
		return 0;
	if (!*best || strlen(dir) > strlen(*best))
		*best = dir;
	return !path_below(path, dir);
}

/*
 * The folder of mapped: the longest mapping's local folder or allowed
 * folder (as named or resolved) it lies under, into *root; -EPERM with
 * why when it lies under none or is one itself.
 */
static int find_root(const struct config *cfg, const char *mapped,
		     const char *const *allowed, size_t nr, char **root,
		     char *why, size_t len)
{
	const struct config_list *map = &cfg->download_path_map;
	const char *best = NULL, *equal = NULL;
	char **real = calloc(nr ? nr : 1, sizeof(*real));
	int ret = 0;

	if (!real)
		return -ENOMEM;
	for (size_t i = 1; i < map->nr; i += 2)
		if (consider(mapped, map->items[i], &best))
			equal = map->items[i];
	for (size_t i = 0; i < nr; i++) {
		real[i] = realpath(allowed[i], NULL);
		if (consider(mapped, allowed[i], &best) ||
		    consider(mapped, real[i], &best))
			equal = allowed[i];
	}
	if (equal) {
		snprintf(why, len, "the client names the save folder %s itself"
			 " as the download, not a folder or file in it: "
			 "refused, the import reads a download's own files "
			 "only", equal);
		ret = -EPERM;
	} else if (!best) {
		snprintf(why, len, "%s lies outside every [download] path_map "
			 "and save folder", mapped);
		ret = -EPERM;
	} else if (!(*root = strdup(best))) {
		ret = -ENOMEM;
	}
	array_free_strings(real, nr);
	return ret;
}

int import_path_local(const struct config *cfg, const char *remote,
		      char **local)
{
	const struct config_list *map = &cfg->download_path_map;
	char *norm, *mapped = NULL;
	size_t best = 0, best_len = 0;

	*local = NULL;
	if (*remote != '/')
		return -EINVAL;
	norm = path_normalize(NULL, remote);
	if (!norm)
		return -ENOMEM;
	for (size_t i = 0; i + 1 < map->nr; i += 2) {
		size_t n = strlen(map->items[i]);

		if (path_under(norm, map->items[i]) && n >= best_len) {
			best = i + 1;
			best_len = n;
		}
	}
	if (best) {
		const char *rest = norm + (best_len > 1 ? best_len : 0);
		char *joined;

		if (asprintf(&joined, "%s/%s", map->items[best], rest) < 0) {
			free(norm);
			return -ENOMEM;
		}
		mapped = path_normalize(NULL, joined);
		free(joined);
		free(norm);
		if (!mapped)
			return -ENOMEM;
	} else {
		mapped = norm;
	}
	*local = mapped;
	return 0;
}

int import_map_path(const struct config *cfg, const char *remote,
		    const char *const *allowed, size_t nr,
		    char **local, char **root, char *why, size_t len)
{
	char *mapped;
	int ret;

	*local = *root = NULL;
	ret = import_path_local(cfg, remote, &mapped);
	if (ret == -EINVAL) {
		snprintf(why, len, "the client's path '%s' is not absolute",
			 remote);
		return log_error(-EINVAL, "import: %s", why);
	}
	if (ret)
		return ret;
	ret = find_root(cfg, mapped, allowed, nr, root, why, len);
	if (ret) {
		free(mapped);
		return ret == -ENOMEM ? ret : log_error(ret, "import: %s", why);
	}
	*local = mapped;
	return 0;
}

int import_path_open(const char *root, const char *path, int flags)
{
	size_t n = strlen(root);
	int rfd, fd;

	if (!path_under(path, root))
		return -EXDEV;
	while (n > 1 && root[n - 1] == '/')
		n--;
	path += n;
	while (*path == '/')
		path++;
	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return -errno;
	fd = symlinks_open_within(rfd, path, flags);
	close(rfd);
	return fd;
}

const char *import_path_error(int err)
{
	static const struct lookup_errno words[] = {
		{ -ELOOP, "a symbolic link is on its way: refused" },
		{ -EXDEV, "it leaves its folder or crosses a mount point:"
			  " refused" },
	};

	return LOOKUP_ERRNO(words, err);
}
