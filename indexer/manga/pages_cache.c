/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The bounded cache of page indexes (pages_cache.h). It reads an index
 * through pages.h on a miss; it never reads a page.
 */
#include "indexer/manga/pages_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indexer/manga/pages.h"

/* An index and the references to it: the cache's and its users'. */
struct held_index {
	struct pages_index ix;
	unsigned refs;
};

static struct cache_slot {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	struct held_index *held;	/* NULL: the failure rc */
	int rc;
	uint64_t used;		/* 0: free */
} slots[PAGES_CACHE_ARCHIVES];

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t tick;
static size_t bytes;

static int slot_matches(const struct cache_slot *s, const struct stat *st)
{
	return s->used && s->dev == st->st_dev && s->ino == st->st_ino &&
	       s->size == st->st_size &&
	       s->mtime.tv_sec == st->st_mtim.tv_sec &&
	       s->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       s->ctime.tv_sec == st->st_ctim.tv_sec &&
	       s->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/* Drop one reference to h, under the lock; the last frees it. */
static void drop(struct held_index *h)
{
	if (h && !--h->refs) {
		pages_index_release(&h->ix);
		free(h);
	}
}

/* Empty the slot s, under the lock. */
static void evict(struct cache_slot *s)
{
	if (s->held)
		bytes -= s->held->ix.bytes;
	drop(s->held);
	*s = (struct cache_slot){ .used = 0 };
}

/* The slot of the least recently used (NULL: none is), or a free one
 * first when free_ok. */
static struct cache_slot *oldest(int free_ok)
{
	struct cache_slot *o = NULL;

	for (size_t i = 0; i < PAGES_CACHE_ARCHIVES; i++) {
		if (!slots[i].used) {
			if (free_ok)
				return &slots[i];
		} else if (!o || slots[i].used < o->used) {
			o = &slots[i];
		}
	}
	return o;
}

/* Keep h (its rc when NULL) for st, under the lock; h's size is within
 * PAGES_CACHE_BYTES. */
static void keep(const struct stat *st, struct held_index *h, int rc)
{
	size_t need = h ? h->ix.bytes : 0;
	struct cache_slot *s;

	for (size_t i = 0; i < PAGES_CACHE_ARCHIVES; i++)
		if (slot_matches(&slots[i], st))
			evict(&slots[i]);
	while (bytes + need > PAGES_CACHE_BYTES && (s = oldest(0)))
		evict(s);
	s = oldest(1);
	evict(s);
	*s = (struct cache_slot){ st->st_dev, st->st_ino, st->st_size,
				  st->st_mtim, st->st_ctim, h, rc, ++tick };
	if (h) {
		h->refs++;
		bytes += need;
	}
}

/* Whether a failure is the archive's own, the same at each reading. */
static int lasting(int rc)
{
	return rc == -EINVAL || rc == -E2BIG || rc == -EFBIG;
}

int pages_cache_get(int fd, const struct pages_index **ix, struct stat *st,
		    int *fresh)
{
	struct held_index *h = NULL;
	int rc = 0, found = 0;

	*ix = NULL;
	*fresh = 0;
	if (fstat(fd, st))
		return -errno;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < PAGES_CACHE_ARCHIVES; i++) {
		if (!slot_matches(&slots[i], st))
			continue;
		slots[i].used = ++tick;
		h = slots[i].held;
		rc = slots[i].rc;
		found = 1;
		if (h)
			h->refs++;
		break;
	}
	pthread_mutex_unlock(&lock);
	if (!found) {
		*fresh = 1;
		h = calloc(1, sizeof(*h));
		if (!h)
			return -ENOMEM;
		rc = pages_index(fd, &h->ix);
		if (rc) {
			free(h);
			h = NULL;
		} else {
			h->refs = 1;
		}
		pthread_mutex_lock(&lock);
		if (h ? h->ix.bytes <= PAGES_CACHE_BYTES : lasting(rc))
			keep(st, h, rc);
		pthread_mutex_unlock(&lock);
	}
	*ix = h ? &h->ix : NULL;
	return rc;
}

void pages_cache_put(const struct pages_index *ix)
{
	if (!ix)
		return;
	pthread_mutex_lock(&lock);
	/* ix is the first member of its held */
	drop((struct held_index *)ix);
	pthread_mutex_unlock(&lock);
}
