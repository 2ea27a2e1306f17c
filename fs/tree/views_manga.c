/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The folders of /library/manga (views_manga.h): the series, then their
 * volumes, with an empty MISSING entry for each gap. It fills the listing
 * it is given and opens no snapshot of its own.
 */
#include "fs/tree/views_manga.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "indexer/reads.h"

/* A series, keyed by its id. */
static int add_series(void *arg, const char *series, int64_t id)
{
	struct views_listing *ls = arg;
	struct views_item it = {
		.type = VIEWS_ITEM_DIR,
		.key = { { .type = QUERY_KEY_INT, .n = id } },
		.nkeys = 1,
	};
	struct strbuf name = STRBUF_INIT;
	int rc;

	if (*series)
		views_name_add(&name, series, strlen(series));
	else
		strbuf_addstr(&name, "Unknown Series");
	rc = views_listing_add(ls, &name, 0, &it);
	strbuf_release(&name);
	return rc;
}

/* A volume number as the name shows it: 3 as "003", 10.5 as "010.5". */
static void add_number(struct strbuf *name, double n)
{
	int whole = (int)n;

	strbuf_addf(name, "%03d", whole);
	if (n != whole) {
		struct strbuf frac = STRBUF_INIT;

		strbuf_addf(&frac, "%g", n - whole);
		strbuf_addstr(name, frac.buf + 1);
		strbuf_release(&frac);
	}
}

size_t views_manga_volume_name(struct strbuf *name,
			       const struct manga_volume_file *v)
{
	size_t ext_len = v->file ? views_name_ext(v->path, v->path_len) : 0;

	strbuf_addstr(name, "Volume ");
	add_number(name, v->first);
	if (v->last > v->first) {
		strbuf_addch(name, '-');
		add_number(name, v->last);
	}
	strbuf_add(name, v->path + v->path_len - ext_len, ext_len);
	return ext_len;
}

/* A volume file is a file, a folder of images a folder keyed by its
 * directories.id. */
static int add_volume(void *arg, const struct manga_volume_file *v)
{
	struct views_listing *ls = arg;
	struct views_item it = { .type = VIEWS_ITEM_DIR };
	struct strbuf name = STRBUF_INIT;
	size_t ext_len;
	int rc;

	if (v->file) {
		it.type = VIEWS_ITEM_FILE;
		it.file = v->file;
	} else {
		it.key[0] = (struct query_key){ .type = QUERY_KEY_INT,
						.n = v->dir };
		it.nkeys = 1;
	}
	ext_len = views_manga_volume_name(&name, v);
	rc = views_listing_add(ls, &name, ext_len, &it);
	strbuf_release(&name);
	return rc;
}

/* The gaps of a series, as zero-byte entries. */
static int add_gaps(struct views_listing *ls, int64_t series)
{
	struct strbuf name = STRBUF_INIT;
	int *gaps;
	size_t ng;
	int rc = manga_reads_gaps(series, &gaps, &ng);

	for (size_t i = 0; !rc && i < ng; i++) {
		struct views_item it = { .type = VIEWS_ITEM_MISSING };

		strbuf_reset(&name);
		strbuf_addf(&name, "MISSING - VOLUME %d", gaps[i]);
		rc = views_listing_add(ls, &name, 0, &it);
	}
	free(gaps);
	strbuf_release(&name);
	return rc;
}

/* An image of a volume folder, under its own name. */
static int add_image(void *arg, const struct manga_folder_file *f)
{
	struct views_listing *ls = arg;
	struct views_item it = { .type = VIEWS_ITEM_FILE, .file = f->file };
	const char *base = memrchr(f->path, '/', f->path_len);
	struct strbuf name = STRBUF_INIT;
	size_t blen;
	int rc;

	base = base ? base + 1 : f->path;
	blen = f->path_len - (base - f->path);
	views_name_add(&name, base, blen);
	rc = views_listing_add(ls, &name, views_name_ext(base, blen), &it);
	strbuf_release(&name);
	return rc;
}

int views_manga_build(struct views_listing *ls, int depth)
{
	int rc;

	switch (depth) {
	case 0:
		return manga_reads_each(add_series, ls);
	case 1:
		rc = manga_reads_volume_files(ls->chain[0].n, add_volume, ls);
		return rc ? rc : add_gaps(ls, ls->chain[0].n);
	default:
		return manga_reads_folder_files(ls->chain[1].n, add_image, ls);
	}
}
