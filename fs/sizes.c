/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fs/sizes.h"

#include <pthread.h>
#include <stdint.h>

#include "common/hash.h"

static struct {
	pthread_mutex_t lock;
	struct size_slot {
		uint64_t key;	/* 0: empty */
		size_t size;
	} slot[SIZES_SLOTS];
} sizes = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A node is known by its functions and series, never by its inode: the
 * kernel may forget an inode and get another one for the same file. */
static uint64_t size_key(const struct node *n, uid_t uid)
{
	uint64_t h = hash_add(HASH_INIT, (uintptr_t)n->render);

	h = hash_add(h, (uintptr_t)n->render_series);
	h = hash_add(h, (uint64_t)n->series);
	h = hash_end(hash_add(h, uid));
	return h ? h : 1;
}

/* The slot of key: its own within SIZES_PROBE slots of its place, else
 * an empty one there, else (to take) the one at its place. */
static struct size_slot *slot_of(uint64_t key)
{
	size_t at = key % SIZES_SLOTS;
	struct size_slot *empty = NULL;

	for (size_t i = 0; i < SIZES_PROBE; i++) {
		struct size_slot *s = &sizes.slot[(at + i) % SIZES_SLOTS];

		if (s->key == key)
			return s;
		if (!s->key && !empty)
			empty = s;
	}
	return empty ? empty : &sizes.slot[at];
}

void sizes_note(const struct node *n, uid_t uid, size_t size)
{
	uint64_t key = size_key(n, uid);
	struct size_slot *s;

	pthread_mutex_lock(&sizes.lock);
	s = slot_of(key);
	s->key = key;
	s->size = size;
	pthread_mutex_unlock(&sizes.lock);
}

size_t sizes_guess(const struct node *n, uid_t uid)
{
	uint64_t key = size_key(n, uid);
	const struct size_slot *s;
	size_t size;

	pthread_mutex_lock(&sizes.lock);
	s = slot_of(key);
	size = s->key == key ? s->size : SIZES_GUESS;
	pthread_mutex_unlock(&sizes.lock);
	return size;
}
