/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The pages and covers of /manga/SERIES (manga_pages.h): which volume
 * has them, under what names, and which page a name reads. It must not
 * read an archive but through indexer/manga/pages.h and
 * opds_pages_read().
 */
#include "fs/tree/manga_pages.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/array.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/node.h"
#include "fs/tree/opds_feed.h"
#include "fs/tree/opds_pages.h"
#include "fs/tree/opds_shelf.h"
#include "fs/tree/views.h"
#include "fs/tree/views_real.h"
#include "indexer/reads.h"

#define SUFFIX ".pages"
#define SUFFIX_LEN (sizeof(SUFFIX) - 1)
#define COVER "cover."
#define COVER_LEN (sizeof(COVER) - 1)

typedef int (*list_fn)(const char *name, const struct node *child,
		       void *arg);

/* Whether the volume has a folder of pages: an archive whose scan found
 * pages. */
static int has_pages(const struct opds_volume *v)
{
	return v->cover >= 0 && (opds_feed_pages(v->name) & OPDS_STREAM);
}

/* A node's series field holds the file, the page and its kind. */
static int render_page(struct strbuf *out, int64_t key)
{
	int64_t page = key / PAGES_KINDS;

	return opds_pages_read(out, page / PAGES_MAX_ENTRIES,
			       (size_t)(page % PAGES_MAX_ENTRIES),
			       key % PAGES_KINDS);
}

/* Its size and times, from the archive's index. */
static int stat_page(int64_t key, struct stat *st)
{
	int64_t page = key / PAGES_KINDS;

	return opds_pages_stat(page / PAGES_MAX_ENTRIES,
			       (size_t)(page % PAGES_MAX_ENTRIES),
			       key % PAGES_KINDS, st);
}

static int page_node(struct node *out, int64_t file, size_t n, int kind)
{
	if (file > INT64_MAX / PAGES_KINDS / PAGES_MAX_ENTRIES - 1)
		return -ENOENT;
	*out = (struct node){ NODE_FILE, .render_series = render_page,
			      .stat_series = stat_page,
			      .series = (file * PAGES_MAX_ENTRIES +
					 (int64_t)n) * PAGES_KINDS + kind };
	return 0;
}

/* A folder of pages lists what its archive holds: its times are the
 * archive's (a stat() of it, no reading), so that a kernel keeping its
 * listing lists it again once the archive changes, even in place. */
static int stat_folder(int64_t file, struct stat *st)
{
	struct stat archive;
	int rc = views_real_stat(file, &archive);

	if (rc)
		return rc;
	st->st_mtim = archive.st_mtim;
	st->st_ctim = archive.st_ctim;
	st->st_atim = archive.st_mtim;
	return 1;
}

static struct node pages_dir(int64_t file)
{
	return (struct node){ .type = NODE_DIR, .dynamic = 1,
			      .stat_series = stat_folder, .series = file };
}

/* The page n's name, of kind. */
static void page_name(struct strbuf *out, size_t n, int kind)
{
	strbuf_reset(out);
	strbuf_addf(out, "%04zu.%s", n + 1, pages_ext(kind));
}

/* The page a name gives, as page_name() writes it: 0 or -ENOENT. */
static int parse_page(const char *name, size_t *n, int *kind)
{
	size_t digits = strspn(name, "0123456789");
	struct strbuf again = STRBUF_INIT;
	unsigned long v;
	int rc;

	if (digits < 4 || digits > 5 || name[digits] != '.')
		return -ENOENT;
	v = strtoul(name, NULL, 10);
	*kind = pages_ext_kind(name + digits + 1);
	if (v < 1 || v > PAGES_MAX_ENTRIES || *kind < 0)
		return -ENOENT;
	*n = v - 1;
	page_name(&again, *n, *kind);
	rc = strcmp(again.buf, name) ? -ENOENT : 0;
	strbuf_release(&again);
	return rc;
}

/* The volume whose folder of pages is name (len bytes), or NULL. */
static const struct opds_volume *find_volume(const struct opds_shelf *s,
					     const char *name, size_t len)
{
	if (len <= SUFFIX_LEN || memcmp(name + len - SUFFIX_LEN, SUFFIX,
					SUFFIX_LEN))
		return NULL;
	len -= SUFFIX_LEN;
	for (size_t i = 0; i < s->nr_volumes; i++) {
		const struct opds_volume *v = &s->volumes[i];

		if (has_pages(v) && !strncmp(v->name, name, len) &&
		    !v->name[len])
			return v;
	}
	return NULL;
}

static int resolve_cover(const struct opds_shelf *s, const char *ext,
			 struct node *out)
{
	const struct opds_series *se = s->series;

	if (!s->nr_series || !se->cover_file ||
	    strcmp(ext, pages_ext(se->cover_kind)))
		return -ENOENT;
	return page_node(out, se->cover_file, 0, se->cover_kind);
}

int manga_pages_resolve(int64_t series, const char *rest, struct node *out)
{
	const char *slash = strchr(rest, '/');
	size_t len = slash ? (size_t)(slash - rest) : strlen(rest), n = 0;
	const struct opds_volume *v;
	struct opds_shelf s;
	int kind = 0, cover = !slash && !strncmp(rest, COVER, COVER_LEN);
	int rc;

	if (slash && (strchr(slash + 1, '/') ||
		      parse_page(slash + 1, &n, &kind)))
		return -ENOENT;
	if (!cover && (len <= SUFFIX_LEN ||
		       memcmp(rest + len - SUFFIX_LEN, SUFFIX, SUFFIX_LEN)))
		return -ENOENT;
	rc = opds_shelf_volumes(&s, series);
	if (rc)
		return rc;
	if (cover) {
		rc = resolve_cover(&s, rest + COVER_LEN, out);
	} else if (!(v = find_volume(&s, rest, len))) {
		rc = -ENOENT;
	} else if (!slash) {
		*out = pages_dir(v->file);
	} else {
		rc = page_node(out, v->file, n, kind);
	}
	opds_shelf_release(&s);
	return rc;
}

/* The cover and the folders of pages of the series. */
static int list_volumes(const struct opds_shelf *s, list_fn fn, void *arg)
{
	const struct opds_series *se = s->series;
	struct strbuf name = STRBUF_INIT;
	struct node n;
	int stop = 0;

	if (s->nr_series && se->cover_file &&
	    !page_node(&n, se->cover_file, 0, se->cover_kind)) {
		strbuf_addf(&name, COVER "%s", pages_ext(se->cover_kind));
		stop = fn(name.buf, &n, arg);
	}
	for (size_t i = 0; !stop && i < s->nr_volumes; i++) {
		if (!has_pages(&s->volumes[i]))
			continue;
		strbuf_reset(&name);
		strbuf_addf(&name, "%s" SUFFIX, s->volumes[i].name);
		n = pages_dir(s->volumes[i].file);
		stop = fn(name.buf, &n, arg);
	}
	strbuf_release(&name);
	return 0;
}

/* The pages of the volume file, from its index (read as the caller reads
 * it, once per change of the archive). */
static int list_pages(int64_t file, list_fn fn, void *arg)
{
	struct strbuf name = STRBUF_INIT;
	char **names = NULL;
	size_t nr = 0;
	int rc = opds_pages_names(file, &names, &nr);
	struct node n;

	for (size_t i = 0; !rc && i < nr; i++) {
		int kind = pages_kind(names[i]);

		page_name(&name, i, kind);
		if (!page_node(&n, file, i, kind) && fn(name.buf, &n, arg))
			break;
	}
	array_free_strings(names, nr);
	strbuf_release(&name);
	return rc;
}

int manga_pages_list(int64_t series, const char *rest, list_fn fn,
		     void *arg)
{
	const struct opds_volume *v;
	struct opds_shelf s;
	int rc = opds_shelf_volumes(&s, series);

	if (rc)
		return rc;
	if (!rest)
		rc = list_volumes(&s, fn, arg);
	else if ((v = find_volume(&s, rest, strlen(rest))))
		rc = list_pages(v->file, fn, arg);
	else
		rc = -ENOENT;
	opds_shelf_release(&s);
	return rc;
}
