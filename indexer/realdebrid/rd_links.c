/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The symlinks of the Real-Debrid library folders that point into the
 * mount (rd_links.h): walked, their targets read and parsed. It follows no
 * symlinked folder and changes no link.
 */
#include "indexer/realdebrid/rd_links.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/array.h"
#include "common/log.h"
#include "common/path.h"
#include "common/strbuf.h"

struct link_walk {
	const char *mount;
	const int *cancel;
	void (*on_dir)(const char *dir);
	struct rd_link *links;
	size_t nr, alloc;
};

int rd_links_parse(const char *mount, const char *target, char **name,
		   char **file)
{
	size_t mlen = strlen(mount);
	const char *p, *slash;

	if (!path_below(target, mount))
		return -EINVAL;
	p = target + (mlen == 1 ? 1 : mlen + 1);
	if (!strncmp(p, "__all__/", 8))
		p += 8;
	slash = strchr(p, '/');
	if (!slash || slash == p || !slash[1])
		return -EINVAL;
	*name = strndup(p, slash - p);
	*file = strdup(slash + 1);
	if (!*name || !*file) {
		free(*name);
		free(*file);
		return log_error(-ENOMEM, "rd: out of memory");
	}
	return 0;
}

void rd_links_free(struct rd_link *l, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(l[i].path);
		free(l[i].target);
	}
	free(l);
}

/* Keep the link name in the folder dfd (at dir) when its target lies in
 * the mount; others are not ours. */
static int add_link(struct link_walk *w, int dfd, const char *dir,
		    const char *name, const char *path)
{
	char buf[PATH_MAX], *target;
	ssize_t len = readlinkat(dfd, name, buf, sizeof(buf) - 1);
	struct stat st;
	struct rd_link *l;

	if (len < 0) {
		/* gone since it was listed, or no link */
		if (errno != ENOENT && errno != EINVAL)
			log_warn("rd: cannot read link %s: %s", path,
				 strerror(errno));
		return 0;
	}
	buf[len] = '\0';
	target = path_normalize(dir, buf);
	if (!target)
		return log_error(-ENOMEM, "rd: out of memory");
	if (!path_below(target, w->mount)) {
		free(target);
		return 0;
	}
	l = array_grow(w->links, w->nr, &w->alloc, sizeof(*l), 64);
	if (!l) {
		free(target);
		return log_error(-ENOMEM, "rd: out of memory");
	}
	w->links = l;
	l = &w->links[w->nr];
	l->path = strdup(path);
	if (!l->path) {
		free(target);
		return log_error(-ENOMEM, "rd: out of memory");
	}
	l->target = target;
	l->broken = stat(target, &st) != 0;
	w->nr++;
	return 0;
}

/* Open the folder name in dfd, never through a link: a folder swapped for
 * one since it was listed is not walked. -1 when it cannot be. */
static int open_dir(int dfd, const char *name, const char *path)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);

	if (fd < 0 && errno != ENOENT && errno != ELOOP && errno != ENOTDIR)
		log_warn("rd: cannot read %s: %s", path, strerror(errno));
	return fd;
}

/* Depth first, one open directory per level, each opened from its parent
 * by descriptor: a library is a few levels deep, and symlinked folders
 * are links, never entered. Takes fd, the folder dir open. */
static int walk_dir(struct link_walk *w, int fd, const char *dir)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent *d;
	DIR *dp;
	int rc = 0, sub;

	if (w->on_dir)
		w->on_dir(dir);
	dp = fdopendir(fd);
	if (!dp) {
		close(fd);
		log_warn("rd: cannot read %s: %s", dir, strerror(errno));
		return 0;
	}
	while (!rc && (d = readdir(dp))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (w->cancel && __atomic_load_n(w->cancel, __ATOMIC_RELAXED)) {
			rc = -ECANCELED;
			break;
		}
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", strcmp(dir, "/") ? dir : "",
			    d->d_name);
		if (d->d_type == DT_UNKNOWN) {
			struct stat st;

			if (fstatat(dirfd(dp), d->d_name, &st,
				    AT_SYMLINK_NOFOLLOW))
				continue;
			d->d_type = S_ISLNK(st.st_mode) ? DT_LNK :
				S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
		}
		if (d->d_type == DT_LNK) {
			rc = add_link(w, dirfd(dp), dir, d->d_name, path.buf);
		} else if (d->d_type == DT_DIR) {
			sub = open_dir(dirfd(dp), d->d_name, path.buf);
			if (sub >= 0)
				rc = walk_dir(w, sub, path.buf);
		}
	}
	closedir(dp);
	strbuf_release(&path);
	return rc;
}

/* One path as the caller named it: a folder is walked (a symlink to one
 * only when follow says so: a configured root may be one), a symlink is
 * one link, and a path that is gone holds nothing. */
static int walk_path(struct link_walk *w, const char *path, int follow)
{
	char *p = path_normalize(NULL, path), *slash, *dir;
	int rc = 0, fd;

	if (!p)
		return log_error(-ENOMEM, "rd: out of memory");
	slash = strrchr(p, '/');
	dir = slash == p ? strdup("/") : strndup(p, slash - p);
	if (!dir) {
		free(p);
		return log_error(-ENOMEM, "rd: out of memory");
	}
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
		  (follow ? 0 : O_NOFOLLOW));
	if (fd >= 0) {
		rc = walk_dir(w, fd, p);
	} else if (errno == ELOOP || errno == ENOTDIR) {
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			rc = add_link(w, fd, dir, slash + 1, p);
			close(fd);
		}
	} else if (errno != ENOENT) {
		log_warn("rd: cannot read %s: %s", p, strerror(errno));
	}
	free(dir);
	free(p);
	return rc;
}

/* Walk each of nr paths into one list, or none when one fails. */
static int walk_all(const char *const *paths, size_t nr, const char *mount,
		    const int *cancel, void (*on_dir)(const char *dir),
		    int follow, struct rd_link **out, size_t *nr_out)
{
	struct link_walk w = { .cancel = cancel, .on_dir = on_dir };
	char *m = path_normalize(NULL, mount);
	int rc = m ? 0 : log_error(-ENOMEM, "rd: out of memory");

	w.mount = m;
	for (size_t i = 0; !rc && i < nr; i++)
		rc = walk_path(&w, paths[i], follow);
	free(m);
	if (rc) {
		rd_links_free(w.links, w.nr);
		return rc;
	}
	*out = w.links;
	*nr_out = w.nr;
	return 0;
}

int rd_links_walk(const char *const *roots, size_t nr, const char *mount,
		  const int *cancel, void (*on_dir)(const char *dir),
		  struct rd_link **out, size_t *nr_out)
{
	return walk_all(roots, nr, mount, cancel, on_dir, 1, out, nr_out);
}

int rd_links_read(const char *const *paths, size_t nr, const char *mount,
		  const int *cancel, void (*on_dir)(const char *dir),
		  struct rd_link **out, size_t *nr_out)
{
	return walk_all(paths, nr, mount, cancel, on_dir, 0, out, nr_out);
}
