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

static int keep_first(struct comic_archive *ca, const char *name, void *arg)
{
	char **best = arg, *copy;

	(void)ca;
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
	const char *name = page_name(e);

	if (t->entries++ >= PAGES_MAX_ENTRIES || !name)
		return 0;
	t->pages++;
	return keep_first(NULL, name, &t->first);
}

size_t pages_tally_end(struct pages_tally *t, int *kind)
{
	size_t n = t->entries > PAGES_MAX_ENTRIES || t->cut ? 0 : t->pages;

	*kind = n ? pages_kind(t->first) : -1;
	free(t->first);
	*t = (struct pages_tally){ 0, 0, NULL, 0 };
	return n;
}

int pages_first(int fd, char **name)
{
	struct comic_archive *ca = malloc(sizeof(*ca));
	int rc = ca ? comic_archive_open(ca, fd) : -ENOMEM;

	*name = NULL;
	if (!rc)
		rc = each_page(ca, keep_first, name);
	if (ca)
		comic_archive_close(ca);
	free(ca);
	if (!rc && !*name)
		rc = -ENOENT;
	if (rc) {
		free(*name);
		*name = NULL;
	}
	return rc;
}

/* Every page's name, to be sorted. */
struct all_pages {
	char **names;
	size_t nr, alloc;
};

static int keep_all(struct comic_archive *ca, const char *name, void *arg)
{
	struct all_pages *all = arg;
	char **grown, *copy;

	(void)ca;
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

int pages_nth(int fd, size_t n, char **name)
{
	struct all_pages all = { NULL, 0, 0 };
	struct comic_archive *ca = malloc(sizeof(*ca));
	int rc = ca ? comic_archive_open(ca, fd) : -ENOMEM;

	*name = NULL;
	if (!rc)
		rc = each_page(ca, keep_all, &all);
	if (ca)
		comic_archive_close(ca);
	free(ca);
	if (!rc && n >= all.nr)
		rc = -ENOENT;
	if (!rc) {
		qsort(all.names, all.nr, sizeof(*all.names), by_natural_order);
		*name = all.names[n];
		all.names[n] = NULL;
	}
	for (size_t i = 0; i < all.nr; i++)
		free(all.names[i]);
	free(all.names);
	return rc;
}

struct wanted {
	const char *name;
	struct strbuf *out;
};

/* Read the page called w->name, up to PAGES_MAX_IMAGE bytes; 1 when it
 * was read. */
static int read_wanted(struct comic_archive *ca, const char *name,
		       void *arg)
{
	struct wanted *w = arg;
	size_t start = w->out->len;
	la_ssize_t r;

	if (strcmp(name, w->name))
		return 0;
	do {
		strbuf_grow(w->out, COMIC_ARCHIVE_READ);
		r = archive_read_data(ca->a, w->out->buf + w->out->len,
				      COMIC_ARCHIVE_READ);
		if (r > 0)
			w->out->len += r;
		w->out->buf[w->out->len] = '\0';
	} while (r > 0 && w->out->len - start <= PAGES_MAX_IMAGE);
	if (!r)
		return 1;
	w->out->len = start;
	w->out->buf[start] = '\0';
	if (r > 0)
		return -EFBIG;
	return ca->src.err ? ca->src.err : -EINVAL;
}

int pages_read(int fd, const char *name, struct strbuf *out)
{
	struct wanted w = { name, out };
	struct comic_archive *ca = malloc(sizeof(*ca));
	int rc = ca ? comic_archive_open(ca, fd) : -ENOMEM;

	if (!rc)
		rc = each_page(ca, read_wanted, &w);
	if (ca)
		comic_archive_close(ca);
	free(ca);
	if (!rc)
		return -ENOENT;
	return rc == 1 ? 0 : rc;
}
