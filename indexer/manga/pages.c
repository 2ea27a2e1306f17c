/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Finding and reading the pages of a volume archive (pages.h) within
 * the limits that keep a hostile archive harmless. It reads; it keeps
 * nothing and writes nothing.
 */
#include "indexer/manga/pages.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <archive_entry.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/strbuf.h"
#include "indexer/manga/comic_archive.h"

static const struct {
	const char *ext, *type;
} images[PAGES_KINDS] = {
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "png", "image/png" },
	{ "webp", "image/webp" },
	{ "gif", "image/gif" },
};

int pages_ext_kind(const char *ext)
{
	for (int i = 0; ext && i < PAGES_KINDS; i++)
		if (!strcasecmp(ext, images[i].ext))
			return i;
	return -1;
}

int pages_kind(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? pages_ext_kind(dot + 1) : -1;
}

const char *pages_ext(int kind)
{
	return images[kind].ext;
}

const char *pages_type(int kind)
{
	return images[kind].type;
}

/* Whether the path stays inside the archive. */
static int inside(const char *path)
{
	const char *p = path;

	if (*path == '/' || *path == '\\')
		return 0;
	while (*p) {
		size_t len = strcspn(p, "/\\");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		p += len;
		p += *p != '\0';
	}
	return 1;
}

/* The name of the entry e when it is a page, else NULL. */
static const char *page_name(struct archive_entry *e)
{
	const char *path = archive_entry_pathname(e);

	if (!path || archive_entry_filetype(e) != AE_IFREG ||
	    archive_entry_hardlink(e) || pages_kind(path) < 0 || !inside(path))
		return NULL;
	if (archive_entry_size_is_set(e) &&
	    archive_entry_size(e) > PAGES_MAX_IMAGE)
		return NULL;
	return path;
}

/*
 * Walk the entries, calling fn with each page until it returns nonzero
 * (which is returned). A damaged archive ends the walk with what came
 * before the damage; a failed read is an error.
 */
static int each_page(struct comic_archive *ca,
		     int (*fn)(struct comic_archive *ca, const char *name,
			       void *arg),
		     void *arg)
{
	struct archive_entry *e;
	const char *name;

	for (size_t n = 0;; n++) {
		int r = archive_read_next_header(ca->a, &e);

		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return ca->src.err;
		if (n == PAGES_MAX_ENTRIES)
			return -E2BIG;
		name = page_name(e);
		if (name && (r = fn(ca, name, arg)))
			return r;
	}
}

/* Keep name in *best when it comes first in natural order. */
static int keep_first(const char *name, char **best)
{
	char *copy;

	if (*best && strverscmp(name, *best) >= 0)
		return 0;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	free(*best);
	*best = copy;
	return 0;
}

int pages_tally_add(struct pages_tally *t, struct archive_entry *e)
{
	const char *name = page_name(e), *path = archive_entry_pathname(e);

	if (t->entries++ >= PAGES_MAX_ENTRIES)
		return 0;
	if (!name) {
		t->refused += path && pages_kind(path) >= 0;
		return 0;
	}
	t->pages++;
	return keep_first(name, &t->first);
}

size_t pages_tally_end(struct pages_tally *t, int *kind)
{
	size_t n = t->entries > PAGES_MAX_ENTRIES || t->cut ? 0 : t->pages;

	*kind = n ? pages_kind(t->first) : -1;
	free(t->first);
	*t = (struct pages_tally){ 0, 0, NULL, 0, 0 };
	return n;
}

/* Every page's name, to be sorted. */
struct all_pages {
	char **names;
	size_t nr, alloc;
};

static int keep_all(struct all_pages *all, const char *name)
{
	char **grown, *copy;

	grown = array_grow(all->names, all->nr, &all->alloc,
			   sizeof(*all->names), 64);
	if (!grown)
		return -ENOMEM;
	all->names = grown;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	all->names[all->nr++] = copy;
	return 0;
}

static int by_natural_order(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* Take out back to its first len bytes. */
static void cut(struct strbuf *out, size_t len)
{
	out->len = len;
	out->buf[len] = '\0';
}

/* Read the entry at hand, a page, up to PAGES_MAX_IMAGE bytes, onto
 * out: 0, or an error with out as it was. */
static int read_entry(struct comic_archive *ca, struct strbuf *out)
{
	size_t start = out->len;
	la_ssize_t r;

	do {
		strbuf_grow(out, COMIC_ARCHIVE_READ);
		r = archive_read_data(ca->a, out->buf + out->len,
				      COMIC_ARCHIVE_READ);
		if (r > 0)
			out->len += r;
		out->buf[out->len] = '\0';
	} while (r > 0 && out->len - start <= PAGES_MAX_IMAGE);
	if (!r)
		return 0;
	cut(out, start);
	if (r > 0)
		return -EFBIG;
	return ca->src.err ? ca->src.err : -EINVAL;
}

/*
 * The walk of pages_read_nth(): every page's name, and the bytes of the
 * page that stands n-th among them as stored (guess), which is page n
 * when the archive stores its pages in natural order. A second walk
 * reads page n by its name (wanted) when it stands elsewhere.
 */
struct nth_walk {
	struct all_pages all;
	size_t n;
	struct strbuf *out;
	const char *guess;	/* the name read onto out, in all */
	const char *wanted;
};

static int list_and_guess(struct comic_archive *ca, const char *name,
			  void *arg)
{
	struct nth_walk *w = arg;
	int rc = keep_all(&w->all, name);

	if (rc || w->all.nr != w->n + 1)
		return rc;
	/* the first entry of a name is the one read by that name */
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->all.names[i], name))
			return 0;
	/* a guess that cannot be read is no answer yet: only page n's
	 * own failure is */
	rc = read_entry(ca, w->out);
	if (!rc)
		w->guess = w->all.names[w->n];
	return rc == -ENOMEM ? rc : 0;
}

/* The second walk: read page w->wanted; 1 when it was read. */
static int read_wanted(struct comic_archive *ca, const char *name,
		       void *arg)
{
	struct nth_walk *w = arg;
	int rc;

	if (strcmp(name, w->wanted))
		return 0;
	rc = read_entry(ca, w->out);
	return rc ? rc : 1;
}

/* One walk of the archive at fd with fn. */
static int walk(int fd, int (*fn)(struct comic_archive *ca,
				  const char *name, void *arg),
		struct nth_walk *w)
{
	struct comic_archive *ca = malloc(sizeof(*ca));
	int rc = ca ? comic_archive_open(ca, fd) : -ENOMEM;

	if (!rc)
		rc = each_page(ca, fn, w);
	if (ca)
		comic_archive_close(ca);
	free(ca);
	return rc;
}

static int list_only(struct comic_archive *ca, const char *name, void *arg)
{
	struct nth_walk *w = arg;

	(void)ca;
	return keep_all(&w->all, name);
}

int pages_names(int fd, char ***names, size_t *nr)
{
	struct nth_walk w = { .n = 0 };
	int rc = walk(fd, list_only, &w);

	if (rc) {
		array_free_strings(w.all.names, w.all.nr);
		w.all = (struct all_pages){ NULL, 0, 0 };
	} else if (w.all.nr) {
		qsort(w.all.names, w.all.nr, sizeof(*w.all.names),
		      by_natural_order);
	}
	*names = w.all.names;
	*nr = w.all.nr;
	return rc;
}

int pages_read_nth(int fd, size_t n, char **name, struct strbuf *out)
{
	struct nth_walk w = { .n = n, .out = out };
	size_t start = out->len;
	int rc = walk(fd, list_and_guess, &w);

	*name = NULL;
	if (!rc && n >= w.all.nr)
		rc = -ENOENT;
	if (!rc) {
		qsort(w.all.names, w.all.nr, sizeof(*w.all.names),
		      by_natural_order);
		w.wanted = w.all.names[n];
	}
	if (!rc && (!w.guess || strcmp(w.guess, w.wanted))) {
		cut(out, start);
		rc = walk(fd, read_wanted, &w);
		rc = rc == 1 ? 0 : rc ? rc : -ENOENT;
	}
	if (rc) {
		cut(out, start);
	} else {
		*name = w.all.names[n];
		w.all.names[n] = NULL;
	}
	array_free_strings(w.all.names, w.all.nr);
	return rc;
}
