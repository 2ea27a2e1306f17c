/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "indexer/realdebrid/rd_links.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/path.h"
#include "common/strbuf.h"

struct walk {
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

/* Keep a link whose target lies in the mount; others are not ours. */
static int add_link(struct walk *w, const char *dir, const char *path)
{
	char buf[PATH_MAX], *target;
	ssize_t len = readlink(path, buf, sizeof(buf) - 1);
	struct stat st;
	struct rd_link *l;

	if (len < 0) {
		if (errno != ENOENT)	/* gone since it was listed */
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
	if (w->nr == w->alloc) {
		size_t n = w->alloc ? 2 * w->alloc : 64;

		l = realloc(w->links, n * sizeof(*l));
		if (!l) {
			free(target);
			return log_error(-ENOMEM, "rd: out of memory");
		}
		w->links = l;
		w->alloc = n;
	}
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

/* Depth first, one open directory per level: a library is a few levels
 * deep, and symlinked folders are links, never entered. */
static int walk_dir(struct walk *w, const char *dir)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent *d;
	DIR *dp;
	int rc = 0;

	if (w->on_dir)
		w->on_dir(dir);
	dp = opendir(dir);
	if (!dp) {
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

			if (lstat(path.buf, &st))
				continue;
			d->d_type = S_ISLNK(st.st_mode) ? DT_LNK :
				S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
		}
		if (d->d_type == DT_LNK)
			rc = add_link(w, dir, path.buf);
		else if (d->d_type == DT_DIR)
			rc = walk_dir(w, path.buf);
	}
	closedir(dp);
	strbuf_release(&path);
	return rc;
}

/* One path as the caller named it: a folder is walked (a symlink to one
 * only when follow says so: a configured root may be one), a symlink is
 * one link, and a path that is gone holds nothing. */
static int walk_path(struct walk *w, const char *path, int follow)
{
	char *p = path_normalize(NULL, path), *slash, *dir;
	struct stat st;
	int rc = 0;

	if (!p)
		return log_error(-ENOMEM, "rd: out of memory");
	if ((follow ? stat(p, &st) : lstat(p, &st)) < 0) {
		if (errno != ENOENT)
			log_warn("rd: cannot read %s: %s", p, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		rc = walk_dir(w, p);
	} else if (S_ISLNK(st.st_mode)) {
		slash = strrchr(p, '/');
		dir = slash == p ? strdup("/") : strndup(p, slash - p);
		rc = dir ? add_link(w, dir, p) :
			log_error(-ENOMEM, "rd: out of memory");
		free(dir);
	}
	free(p);
	return rc;
}

/* Walk each of nr paths into one list, or none when one fails. */
static int walk_all(const char *const *paths, size_t nr, const char *mount,
		    const int *cancel, void (*on_dir)(const char *dir),
		    int follow, struct rd_link **out, size_t *nr_out)
{
	struct walk w = { .cancel = cancel, .on_dir = on_dir };
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
