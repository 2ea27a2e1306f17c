/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_fuse_tree LISTING MOUNTPOINT: serves, read-only and from memory,
 * the tree LISTING describes, until it is unmounted. The views section
 * walks it after mediamon's own views: the same folders and names with
 * no work behind them, so the walk takes what the kernel and FUSE cost
 * on this machine and nothing else, the floor under any daemon.
 *
 * LISTING is what `find DIR -mindepth 1 -printf '%y %P\0'` prints: one
 * entry per NUL-terminated record, a type letter ("d" a folder, anything
 * else a file), a space and the path below DIR, each folder before what
 * it holds.
 *
 * It answers as cheaply as libfuse's low-level API allows: no opendir
 * when the kernel can do without (FUSE_CAP_NO_OPENDIR_SUPPORT), folders
 * with their attributes in readdirplus and files without, entries and
 * attributes kept 1 s as mediamon's are.
 */

#include <errno.h>
#include <fuse_lowlevel.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TIMEOUT_S 1.0

struct tree_entry {
	const char *name;
	size_t parent;		/* index in tree.e; the root is 0 */
	int dir;
	size_t first, nr;	/* children, in tree.kids */
};

static struct {
	struct tree_entry *e;
	size_t nr;
	size_t *kids;
	size_t *by_name;	/* kids again, each folder's sorted by name */
	int no_opendir;
} tree;

/* The root is entry 0 and inode 1: inode numbers are indexes plus one. */
static struct tree_entry *entry_of(fuse_ino_t ino)
{
	return ino >= 1 && ino <= tree.nr ? &tree.e[ino - 1] : NULL;
}

static void entry_stat(size_t i, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = i + 1;
	st->st_mode = tree.e[i].dir ? S_IFDIR | 0555 : S_IFREG | 0444;
	st->st_nlink = tree.e[i].dir ? 2 : 1;
}

/* Read the whole listing into memory; the records stay where they are
 * read, each entry's name pointing into them. */
static char *read_listing(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, alloc = 0, got;

	if (!f) {
		fprintf(stderr, "bench_fuse_tree: %s: %s\n", path,
			strerror(errno));
		return NULL;
	}
	do {
		if (alloc - n < 65536) {
			char *p = realloc(buf, alloc = alloc * 2 + 65536);

			if (!p)
				break;
			buf = p;
		}
		got = fread(buf + n, 1, alloc - n - 1, f);
		n += got;
	} while (got);
	if (ferror(f) || alloc - n < 1) {
		fprintf(stderr, "bench_fuse_tree: %s: cannot read\n", path);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(tree.e[*(const size_t *)a].name,
		      tree.e[*(const size_t *)b].name);
}

/* Give each record its parent, found by its folder's path in a table of
 * the folders seen before it, then lay the children out per parent. */
static int build_tree(char *buf, size_t len)
{
	struct hsearch_data dirs = { 0 };
	size_t records = 1, *fill;

	for (size_t i = 0; i < len; i++)
		records += !buf[i];
	tree.e = calloc(records, sizeof(*tree.e));
	tree.kids = calloc(records, sizeof(*tree.kids));
	fill = calloc(records, sizeof(*fill));
	if (!tree.e || !tree.kids || !fill || !hcreate_r(records * 2, &dirs))
		return -ENOMEM;
	tree.e[0].dir = 1;
	tree.e[0].name = "";
	tree.nr = 1;
	for (char *rec = buf, *next; rec < buf + len; rec = next) {
		struct tree_entry *e = &tree.e[tree.nr];
		char *path = rec + 2, *slash = strrchr(rec, '/');
		ENTRY key, *found;

		next = rec + strlen(rec) + 1;
		if (next - rec < 4 || rec[1] != ' ' || slash == rec + 2)
			return -EINVAL;
		e->dir = rec[0] == 'd';
		e->name = slash ? slash + 1 : path;
		if (slash) {
			*slash = '\0';
			key.key = path;
			if (!hsearch_r(key, FIND, &found, &dirs))
				return -EINVAL;
			e->parent = (size_t)found->data;
		}
		if (e->dir) {
			if (slash)
				*slash = '/';
			key.key = strdup(path);
			key.data = (void *)tree.nr;
			if (!key.key || !hsearch_r(key, ENTER, &found, &dirs))
				return -ENOMEM;
		}
		tree.e[e->parent].nr++;
		tree.nr++;
	}
	for (size_t i = 0, at = 0; i < tree.nr; i++) {
		tree.e[i].first = at;
		at += tree.e[i].nr;
	}
	for (size_t i = 1; i < tree.nr; i++) {
		struct tree_entry *p = &tree.e[tree.e[i].parent];

		tree.kids[p->first + fill[tree.e[i].parent]++] = i;
	}
	free(fill);
	tree.by_name = malloc(tree.nr * sizeof(*tree.by_name));
	if (!tree.by_name)
		return -ENOMEM;
	memcpy(tree.by_name, tree.kids, tree.nr * sizeof(*tree.by_name));
	for (size_t i = 0; i < tree.nr; i++)
		qsort(tree.by_name + tree.e[i].first, tree.e[i].nr,
		      sizeof(*tree.by_name), by_name);
	return 0;
}

static void tree_init(void *data, struct fuse_conn_info *conn)
{
	(void)data;
	tree.no_opendir = !!(conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT);
}

/* The kernel asks for the folders of a large folder's later parts: only
 * a folder's first readdir is a readdirplus. */
static int name_cmp(const void *name, const void *kid)
{
	return strcmp(name, tree.e[*(const size_t *)kid].name);
}

static void tree_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct tree_entry *p = entry_of(parent);
	struct fuse_entry_param e = {
		.attr_timeout = TIMEOUT_S, .entry_timeout = TIMEOUT_S,
	};
	size_t *kid = p ? bsearch(name, tree.by_name + p->first, p->nr,
				  sizeof(*kid), name_cmp) : NULL;

	if (!kid) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	e.ino = *kid + 1;
	entry_stat(*kid, &e.attr);
	fuse_reply_entry(req, &e);
}

static void tree_getattr(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	if (!entry_of(ino)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	entry_stat(ino - 1, &st);
	fuse_reply_attr(req, &st, TIMEOUT_S);
}

/* ENOSYS is how a daemon tells the kernel it needs no opendir (nor
 * releasedir) at all, where the kernel knows the answer. */
static void tree_opendir(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_file_info *fi)
{
	(void)ino;
	if (tree.no_opendir)
		fuse_reply_err(req, ENOSYS);
	else
		fuse_reply_open(req, fi);
}

/* The children of ino from the offset-th on, as many as fit in size. */
static void list(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 int plus)
{
	struct tree_entry *d = entry_of(ino);
	char *buf;
	size_t len = 0;

	if (!d || !d->dir) {
		fuse_reply_err(req, d ? ENOTDIR : ENOENT);
		return;
	}
	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (size_t k = off; k < d->nr; k++) {
		size_t i = tree.kids[d->first + k], n;
		struct fuse_entry_param e = {
			.attr_timeout = TIMEOUT_S,
			.entry_timeout = TIMEOUT_S,
		};

		entry_stat(i, &e.attr);
		if (!plus) {
			n = fuse_add_direntry(req, buf + len, size - len,
					      tree.e[i].name, &e.attr, k + 1);
		} else {
			e.ino = tree.e[i].dir ? i + 1 : 0;
			n = fuse_add_direntry_plus(req, buf + len, size - len,
						   tree.e[i].name, &e, k + 1);
		}
		if (n > size - len)
			break;
		len += n;
	}
	fuse_reply_buf(req, buf, len);
	free(buf);
}

static void tree_readdir(fuse_req_t req, fuse_ino_t ino, size_t size,
			 off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	list(req, ino, size, off, 0);
}

static void tree_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			     off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	list(req, ino, size, off, 1);
}

static const struct fuse_lowlevel_ops tree_ops = {
	.init = tree_init,
	.lookup = tree_lookup,
	.getattr = tree_getattr,
	.opendir = tree_opendir,
	.readdir = tree_readdir,
	.readdirplus = tree_readdirplus,
};

int main(int argc, char **argv)
{
	char *fuse_argv[] = { argv[0], "-oro,fsname=bench_fuse_tree", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(2, fuse_argv);
	struct fuse_session *se;
	struct fuse_loop_config *loop;
	size_t len;
	char *buf;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: bench_fuse_tree LISTING MOUNTPOINT\n");
		return 2;
	}
	buf = read_listing(argv[1], &len);
	if (!buf)
		return 1;
	rc = build_tree(buf, len);
	if (rc) {
		fprintf(stderr, "bench_fuse_tree: %s: %s\n", argv[1],
			rc == -EINVAL ? "not a listing of find -printf '%y %P\\0'"
				      : strerror(-rc));
		return 1;
	}
	se = fuse_session_new(&args, &tree_ops, sizeof(tree_ops), NULL);
	if (!se)
		return 1;
	if (fuse_set_signal_handlers(se) || fuse_session_mount(se, argv[2])) {
		fuse_session_destroy(se);
		return 1;
	}
	loop = fuse_loop_cfg_create();
	rc = loop ? fuse_session_loop_mt(se, loop) : 1;
	fuse_loop_cfg_destroy(loop);
	fuse_session_unmount(se);
	fuse_remove_signal_handlers(se);
	fuse_session_destroy(se);
	return rc ? 1 : 0;
}
