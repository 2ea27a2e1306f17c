/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The releases found for a series' wanted volumes (release.h): their ids,
 * gathered volume by volume and ranked best first. It fetches and stores
 * nothing.
 */
#include "indexer/monitor/release.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/text.h"
#include "indexer/manga/names.h"

void release_id(const char *guid, const char *link, const char *magnet,
		const char *title, char out[RELEASE_ID_LEN + 1])
{
	const char *key = guid ? guid : link ? link : magnet ? magnet : title;

	snprintf(out, RELEASE_ID_LEN + 1, "%016llx",
		 (unsigned long long)hash_bytes(key, strlen(key)));
}

/* A release owns its strings; release_want_add() copied them. */
static void release_clear(struct release *r)
{
	CLEANUP_FREE_ALL(r->title, r->link, r->magnet, r->guid, r->indexer);
}

void release_wants_free(struct release_want *w, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		for (size_t j = 0; j < w[i].nr; j++)
			release_clear(&w[i].r[j]);
		free(w[i].r);
		json_decref(w[i].dropped);
	}
	free(w);
}

int release_want_add(struct release_want *w, const struct release *r)
{
	struct release *c = array_grow(w->r, w->nr, &w->alloc, sizeof(*c), 4);

	if (!c)
		return log_error(-ENOMEM, "release: out of memory");
	w->r = c;
	c = &w->r[w->nr];
	*c = *r;
	c->title = strdup(r->title);
	c->link = text_dup(r->link);
	c->magnet = text_dup(r->magnet);
	c->guid = text_dup(r->guid);
	c->indexer = text_dup(r->indexer);
	if (!c->title || (r->link && !c->link) ||
	    (r->magnet && !c->magnet) || (r->guid && !c->guid) ||
	    (r->indexer && !c->indexer)) {
		release_clear(c);
		return log_error(-ENOMEM, "release: out of memory");
	}
	w->nr++;
	return 0;
}

void release_want_remove(struct release_want *w, size_t i)
{
	release_clear(&w->r[i]);
	memmove(&w->r[i], &w->r[i + 1], (w->nr - i - 1) * sizeof(*w->r));
	w->nr--;
}

/* The first year in s (1900 to 2099, four digits between no letters
 * or digits), or 0. */
static int year_in(const char *s)
{
	for (const char *p = s; *p; p++) {
		int y;

		if ((p > s && isalnum((unsigned char)p[-1])) ||
		    strspn(p, "0123456789") != 4 ||
		    isalnum((unsigned char)p[4]))
			continue;
		y = atoi(p);
		if (y >= 1900 && y <= 2099)
			return y;
	}
	return 0;
}

void release_want_years(struct release_want *w, const char *series)
{
	int year = year_in(series + names_title_len(series));

	for (size_t i = 0; year && i < w->nr; i++) {
		int y = year_in(w->r[i].title);

		w->r[i].year = y == year ? 0 : y ? 2 : 1;
	}
}

/* qsort()'s order for release_want_rank(), as release.h describes it. */
static int release_cmp(const void *a, const void *b)
{
	const struct release *x = a, *y = b;
	int xr = x->last > x->first, yr = y->last > y->first;

	if (x->pref != y->pref)
		return x->pref - y->pref;
	if (xr != yr)
		return xr - yr;
	if (x->year != y->year)
		return x->year - y->year;
	if (x->order != y->order)
		return x->order - y->order;
	if (x->seeders != y->seeders)
		return y->seeders - x->seeders;
	if (x->published_at != y->published_at)
		return y->published_at > x->published_at ? 1 : -1;
	if (x->size != y->size)
		return y->size > x->size ? 1 : -1;
	return strcmp(x->title, y->title);
}

void release_want_rank(struct release_want *w)
{
	if (w->nr > 1)	/* an empty list may have no array to give qsort() */
		qsort(w->r, w->nr, sizeof(*w->r), release_cmp);
}
