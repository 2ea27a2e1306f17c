/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The cache of the views' folders (views_cache.h): listings kept for the
 * store's generation (and for one caller, when their names depend on who
 * asks), one made at a time while the others wait, and those a move
 * retired. What a folder holds is decided elsewhere (views.c).
 */
#include "fs/tree/views_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/clock.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct views_listing *cache[VIEWS_CACHE_SLOTS];
static uint64_t cache_generation;
static uint64_t cache_epoch = 1;
static unsigned long cache_tick;
/* Folders dropped since views_cache_retired() last ran: the kernel may
 * still keep their entries. */
static struct views_listing *retired[VIEWS_CACHE_SLOTS];
static size_t nr_retired;
/* Folders being made outside the lock, and the signal that one is done. */
static struct views_listing *building;
static pthread_cond_t built = PTHREAD_COND_INITIALIZER;
static unsigned long listings_made;

int views_listing_add(struct views_listing *ls, const struct strbuf *name,
		      size_t ext_len, const struct views_item *it)
{
	struct views_item *v = array_grow(ls->items, ls->nr, &ls->alloc,
					  sizeof(*v), 64);
	int rc;

	if (!v)
		return -ENOMEM;
	ls->items = v;
	rc = views_list_add(&ls->names, name->buf, name->len, ext_len);
	if (rc)
		return rc;
	ls->items[ls->nr++] = *it;
	return 0;
}

static void item_clear(struct views_item *it)
{
	free(it->real);
	query_key_clear(&it->key[0]);
	query_key_clear(&it->key[1]);
}

void views_listing_keep(struct views_listing *ls, const unsigned char *keep)
{
	size_t n = 0;

	for (size_t i = 0; i < ls->nr; i++) {
		if (!keep[i]) {
			item_clear(&ls->items[i]);
			free(ls->names.v[i].name);
			continue;
		}
		ls->items[n] = ls->items[i];
		ls->names.v[n] = ls->names.v[i];
		ls->names.v[n].index = n;
		n++;
	}
	ls->nr = ls->names.nr = n;
}

void views_listing_free(struct views_listing *ls)
{
	if (!ls)
		return;
	for (size_t i = 0; i < ls->nr; i++)
		item_clear(&ls->items[i]);
	for (int i = 0; i < ls->nchain; i++)
		query_key_clear(&ls->chain[i]);
	for (int i = 0; i < VIEWS_SEEN; i++)
		free(ls->seen[i].verdict);
	views_list_clear(&ls->names);
	free(ls->items);
	free(ls->anchor);
	free(ls->path);
	free(ls);
}

void views_cache_lock(void)
{
	pthread_mutex_lock(&cache_lock);
}

void views_cache_unlock(void)
{
	pthread_mutex_unlock(&cache_lock);
}

/* Past the room for retired folders, the kernel's own timeouts are what
 * forget their entries. */
void views_cache_check(void)
{
	uint64_t gen = indexer_generation();

	if (gen == cache_generation)
		return;
	for (size_t i = 0; i < VIEWS_CACHE_SLOTS; i++) {
		if (cache[i] && nr_retired < VIEWS_CACHE_SLOTS)
			retired[nr_retired++] = cache[i];
		else
			views_listing_free(cache[i]);
		cache[i] = NULL;
	}
	cache_generation = gen;
	cache_epoch++;
}

uint64_t views_cache_epoch(void)
{
	return cache_epoch;
}

static int listing_is(const struct views_listing *ls, const char *path,
		      size_t len, uint64_t who)
{
	return ls->who == who && ls->len == len &&
	       !memcmp(ls->path, path, len);
}

/* A linear look is enough: the cache is small, and a walk asks for the
 * folder it just listed. A folder begun before the store last moved is
 * not the store's any more; one made for a caller is not its any more
 * once the rights it was judged by may have changed. */
struct views_listing *views_cache_find(const char *path, size_t len,
				       uint64_t who)
{
	double now = who ? clock_mono() : 0;

	for (size_t i = 0; i < VIEWS_CACHE_SLOTS; i++) {
		struct views_listing *ls = cache[i];

		if (ls && ls->generation == cache_generation &&
		    listing_is(ls, path, len, who) &&
		    (!who || now - ls->made < CALLER_KEEP_S)) {
			ls->used = ++cache_tick;
			return ls;
		}
	}
	return NULL;
}

int views_cache_building(const char *path, size_t len, uint64_t who)
{
	struct views_listing *ls = building;

	while (ls && !listing_is(ls, path, len, who))
		ls = ls->next_building;
	return ls != NULL;
}

int views_cache_wait(const char *path, size_t len, uint64_t who)
{
	if (!views_cache_building(path, len, who))
		return 0;
	views_cache_wait_on(&built);
	return 1;
}

void views_cache_wait_on(pthread_cond_t *cond)
{
	pthread_cond_wait(cond, &cache_lock);
}

struct views_listing *views_cache_begin(const char *path, size_t len,
				       uint64_t who)
{
	struct views_listing *ls = calloc(1, sizeof(*ls));
	uint64_t held;

	if (!ls || !(ls->path = strndup(path, len))) {
		free(ls);
		return NULL;
	}
	ls->len = len;
	ls->who = who;
	ls->made = who ? clock_mono() : 0;
	ls->serial = ++listings_made;
	/* made inside a read this thread holds, it is of that read's
	 * store, which may be older than the cache's */
	held = reader_generation();
	ls->generation = held < cache_generation ? held : cache_generation;
	ls->epoch = cache_epoch;
	ls->next_building = building;
	building = ls;
	return ls;
}

/* Keep ls in place of the folder used longest ago. */
static void cache_put(struct views_listing *ls)
{
	size_t slot = 0;

	for (size_t i = 0; i < VIEWS_CACHE_SLOTS; i++) {
		if (!cache[i]) {
			slot = i;
			break;
		}
		if (cache[i]->used < cache[slot]->used)
			slot = i;
	}
	views_listing_free(cache[slot]);
	ls->used = ++cache_tick;
	cache[slot] = ls;
}

void views_cache_finish(struct views_listing *ls, int rc)
{
	struct views_listing **p = &building;

	while (*p != ls)
		p = &(*p)->next_building;
	*p = ls->next_building;
	pthread_cond_broadcast(&built);
	if (rc)
		views_listing_free(ls);
	else
		cache_put(ls);
}

size_t views_cache_retired(struct views_listing **gone)
{
	size_t nr;

	views_cache_check();
	nr = nr_retired;
	memcpy(gone, retired, nr * sizeof(*gone));
	nr_retired = 0;
	return nr;
}
