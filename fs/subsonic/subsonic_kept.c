/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The scaled covers kept in memory (subsonic_kept.h): a list, most
 * recently asked first, under one lock, and its bytes. It scales,
 * opens and checks nothing: who may read a cover is asked before.
 */
#include "fs/subsonic/subsonic_kept.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

/* A scaled cover kept. */
struct kept {
	struct kept *prev, *next;
	struct subsonic_kept_key key;
	size_t len;
	unsigned char bytes[];
};

static struct {
	pthread_mutex_t lock;
	struct kept *first, *last;
	_Atomic size_t bytes;	/* written under the lock */
} kept = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int same_key(const struct subsonic_kept_key *a,
		    const struct subsonic_kept_key *b)
{
	return a->file == b->file && a->dev == b->dev && a->ino == b->ino &&
	       a->len == b->len && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec && a->size == b->size;
}

static void unlink_kept(struct kept *k)
{
	*(k->prev ? &k->prev->next : &kept.first) = k->next;
	*(k->next ? &k->next->prev : &kept.last) = k->prev;
	kept.bytes -= k->len;
}

static void push_kept(struct kept *k)
{
	k->prev = NULL;
	k->next = kept.first;
	*(kept.first ? &kept.first->prev : &kept.last) = k;
	kept.first = k;
	kept.bytes += k->len;
}

int subsonic_kept_recall(const struct subsonic_kept_key *key,
			 struct strbuf *out)
{
	struct kept *k;

	pthread_mutex_lock(&kept.lock);
	for (k = kept.first; k && !same_key(&k->key, key); k = k->next)
		;
	if (k) {
		unlink_kept(k);
		push_kept(k);
		strbuf_add(out, k->bytes, k->len);
	}
	pthread_mutex_unlock(&kept.lock);
	return k != NULL;
}

void subsonic_kept_keep(const struct subsonic_kept_key *key,
			const void *bytes, size_t len, size_t cap)
{
	struct kept *k;

	if (len > cap / 4 || !(k = malloc(sizeof(*k) + len)))
		return;
	k->key = *key;
	k->len = len;
	memcpy(k->bytes, bytes, len);
	pthread_mutex_lock(&kept.lock);
	push_kept(k);
	while (kept.bytes > cap) {
		struct kept *old = kept.last;

		unlink_kept(old);
		free(old);
	}
	pthread_mutex_unlock(&kept.lock);
}

size_t subsonic_kept_bytes(void)
{
	return atomic_load(&kept.bytes);
}
