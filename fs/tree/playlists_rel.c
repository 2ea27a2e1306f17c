/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The mount paths of the tracks of a playlist (playlists_rel.h), found by
 * listing /library/music/albums as the caller would. It names; it writes
 * no playlist.
 */
#include "fs/tree/playlists_rel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/strbuf.h"
#include "fs/tree/node.h"
#include "fs/tree/views.h"

#define ALBUMS "library/music/albums"

/* The album folders' names. */
struct albums {
	char **v;
	size_t nr, alloc;
	int rc;
};

static int add_album(const char *name, const struct node *child, void *arg)
{
	struct albums *a = arg;
	char **grown;

	if (child->type != NODE_DIR)
		return 0;
	grown = array_grow(a->v, a->nr, &a->alloc, sizeof(*a->v), 64);
	if (!grown || !(grown[a->nr] = strdup(name))) {
		if (grown)
			a->v = grown;
		a->rc = -ENOMEM;
		return 1;
	}
	a->v = grown;
	a->nr++;
	return 0;
}

/* The files still looked for, by files.id, each with its index. */
struct wanted {
	const int64_t *files;
	size_t *order;
	size_t nr, left;
	char **paths;
	const char *album;
	int rc;
};

static int by_file(const void *a, const void *b, void *arg)
{
	const int64_t *files = arg;
	int64_t x = files[*(const size_t *)a], y = files[*(const size_t *)b];

	return (x > y) - (x < y);
}

/* Put the path of each track of an album folder that is looked for. */
static int add_track(const char *name, const struct node *child, void *arg)
{
	struct wanted *w = arg;
	struct strbuf path = STRBUF_INIT;
	size_t lo = 0, hi = w->nr;

	if (child->type != NODE_REAL || child->file <= 0)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->files[w->order[mid]] < child->file)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < w->nr && w->files[w->order[lo]] == child->file; lo++) {
		char **p = &w->paths[w->order[lo]];

		if (*p)
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, ALBUMS "/%s/%s", w->album, name);
		*p = strbuf_detach(&path, NULL);
		w->left--;
	}
	strbuf_release(&path);
	return !w->left;
}

/* Put into paths[i] the path of files[i] from the mount's root, or NULL
 * when the caller finds it in no album folder: 0, or a negative errno
 * value with every path NULL. */
static int find(const int64_t *files, size_t nr, char **paths)
{
	struct wanted w = { files, malloc((nr ? nr : 1) * sizeof(size_t)),
			    nr, nr, paths, NULL, 0 };
	struct albums a = { NULL, 0, 0, 0 };
	struct strbuf dir = STRBUF_INIT;
	int rc = w.order ? 0 : -ENOMEM;

	for (size_t i = 0; i < nr; i++) {
		paths[i] = NULL;
		if (w.order)
			w.order[i] = i;
	}
	if (!rc && nr) {
		qsort_r(w.order, nr, sizeof(*w.order), by_file,
			(void *)files);
		rc = views_list("/" ALBUMS, add_album, &a);
		if (!rc)
			rc = a.rc;
	}
	for (size_t i = 0; !rc && w.left && i < a.nr; i++) {
		strbuf_reset(&dir);
		strbuf_addf(&dir, "/" ALBUMS "/%s", a.v[i]);
		w.album = a.v[i];
		rc = views_list(dir.buf, add_track, &w);
		if (rc == -ENOENT)	/* gone since it was listed */
			rc = 0;
	}
	for (size_t i = 0; i < a.nr; i++)
		free(a.v[i]);
	free(a.v);
	free(w.order);
	strbuf_release(&dir);
	for (size_t i = 0; rc && i < nr; i++) {
		free(paths[i]);
		paths[i] = NULL;
	}
	return rc;
}

int playlists_rel_write(struct strbuf *out,
			const struct playlists_rel_entry *e, size_t nr,
			int up)
{
	struct strbuf text = STRBUF_INIT;
	int64_t *files = calloc(nr ? nr : 1, sizeof(*files));
	char **paths = calloc(nr ? nr : 1, sizeof(*paths));
	int rc = files && paths ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i < nr; i++)
		files[i] = e[i].file;
	if (!rc)
		rc = find(files, nr, paths);
	strbuf_add(&text, out->buf, nr ? e[0].from : out->len);
	for (size_t i = 0; !rc && i < nr; i++) {
		if (!paths[i])
			continue;
		strbuf_add(&text, out->buf + e[i].from, e[i].at - e[i].from);
		for (int k = 0; k < up; k++)
			strbuf_addstr(&text, "../");
		strbuf_addf(&text, "%s\n", paths[i]);
		free(paths[i]);
	}
	if (!rc) {
		strbuf_reset(out);
		strbuf_add(out, text.buf, text.len);
	}
	strbuf_release(&text);
	free(files);
	free(paths);
	return rc;
}
