/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The sorted copy of the series' names for /manga, made once per change
 * of the store and shared by reference. It says nothing of who may see
 * which series: fs/tree/manga_view.c decides that for each caller.
 */
#include "fs/tree/manga_names.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;
static struct manga_names *current;

static void names_free(struct manga_names *n)
{
	for (size_t i = 0; i < n->nr; i++)
		free((char *)n->v[i].name);
	free(n->v);
	free(n);
}

/* Keep a series: its name, control characters made spaces (as
 * /library/manga shows them), and folder in one allocation. */
static int keep(void *arg, int64_t id, const char *name, const char *path)
{
	struct manga_names *n = arg;
	size_t nlen = strlen(name) + 1, plen = strlen(path) + 1;
	struct manga_name *v = array_grow(n->v, n->nr, &n->alloc, sizeof(*v),
					  64);
	char *s;

	if (!v)
		return -ENOMEM;
	n->v = v;
	s = malloc(nlen + plen);
	if (!s)
		return -ENOMEM;
	memcpy(s, name, nlen);
	/* a folder's name may hold line breaks and tabs, a listing's not */
	for (char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	memcpy(s + nlen, path, plen);
	v[n->nr++] = (struct manga_name){ s, s + nlen, id };
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct manga_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int names_make(uint64_t generation, struct manga_names **out)
{
	struct manga_names *n = calloc(1, sizeof(*n));
	int rc;

	if (!n)
		return -ENOMEM;
	rc = manga_reads_named(keep, n);
	if (rc) {
		names_free(n);
		return rc < 0 ? rc : -EIO;
	}
	if (n->nr)
		qsort(n->v, n->nr, sizeof(*n->v), by_name);
	n->generation = generation;
	n->refs = 1;
	*out = n;
	return 0;
}

/* Made under the lock: a change of the store during a listing storm
 * makes one copy, not one per thread. */
int manga_names_get(struct manga_names **out)
{
	uint64_t gen = indexer_generation();
	int rc = 0;

	pthread_mutex_lock(&names_lock);
	if (!current || current->generation != gen) {
		struct manga_names *n;

		rc = names_make(gen, &n);
		if (!rc) {
			if (current && !--current->refs)
				names_free(current);
			current = n;
		}
	}
	if (!rc) {
		current->refs++;
		*out = current;
	}
	pthread_mutex_unlock(&names_lock);
	return rc;
}

void manga_names_put(struct manga_names *n)
{
	int last;

	if (!n)
		return;
	pthread_mutex_lock(&names_lock);
	last = !--n->refs;
	pthread_mutex_unlock(&names_lock);
	if (last)
		names_free(n);
}

size_t manga_names_find(const struct manga_names *n, const char *name,
			size_t len)
{
	size_t lo = 0, hi = n->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(n->v[mid].name, name, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n->nr && manga_names_is(&n->v[lo], name, len) ? lo : n->nr;
}

int manga_names_is(const struct manga_name *s, const char *name, size_t len)
{
	return !strncmp(s->name, name, len) && !s->name[len];
}
