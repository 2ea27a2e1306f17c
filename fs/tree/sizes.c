/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The renderings made at lookup and getattr, kept for the open that
 * follows (sizes.h). Holds them and judges whether one is current; it
 * renders nothing itself.
 */
#include "fs/tree/sizes.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/clock.h"
#include "common/hash.h"
#include "common/strbuf.h"
#include "indexer/indexer.h"

static struct {
	pthread_mutex_t lock;
	uint64_t epoch;		/* moved by sizes_forget_all() */
	uint64_t kept;		/* sizes_keep() calls */
	size_t bytes;		/* kept in all */
	struct size_slot {
		uint64_t key;	/* 0: empty */
		uint64_t generation, epoch;
		double made;	/* clock_mono() */
		struct strbuf text;
	} slot[SIZES_SLOTS];
} sizes = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A node is known by its functions and series, never by its inode: the
 * kernel may forget an inode and get another one for the same file. */
static uint64_t size_key(const struct node *n, uid_t uid, pid_t tid)
{
	uint64_t h = hash_add(HASH_INIT, (uintptr_t)n->render);

	h = hash_add(h, (uintptr_t)n->render_series);
	h = hash_add(h, (uint64_t)n->series);
	h = hash_add(h, (uint64_t)tid);
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

static void slot_empty(struct size_slot *s)
{
	sizes.bytes -= s->text.len;
	strbuf_release(&s->text);
	s->key = 0;
}

static int slot_current(const struct size_slot *s, uint64_t generation,
			double now)
{
	return s->epoch == sizes.epoch && s->generation == generation &&
	       now - s->made < SIZES_KEEP_MS / 1000.0;
}

void sizes_keep(const struct node *n, uid_t uid, pid_t tid,
		struct strbuf *text)
{
	uint64_t key = size_key(n, uid, tid);
	uint64_t generation = indexer_generation();
	double now = clock_mono();
	struct size_slot *s;

	pthread_mutex_lock(&sizes.lock);
	__atomic_add_fetch(&sizes.kept, 1, __ATOMIC_RELAXED);
	/* What no open took in time is of no use any more. */
	for (size_t i = 0; i < SIZES_SLOTS; i++)
		if (sizes.slot[i].key &&
		    !slot_current(&sizes.slot[i], generation, now))
			slot_empty(&sizes.slot[i]);
	s = slot_of(key);
	if (s->key)
		slot_empty(s);
	if (sizes.bytes + text->len <= SIZES_KEEP_BYTES) {
		s->key = key;
		s->generation = generation;
		s->epoch = sizes.epoch;
		s->made = now;
		s->text = *text;
		sizes.bytes += text->len;
		*text = (struct strbuf)STRBUF_INIT;
	}
	pthread_mutex_unlock(&sizes.lock);
	strbuf_release(text);
}

int sizes_take(const struct node *n, uid_t uid, pid_t tid,
	       struct strbuf *text)
{
	uint64_t key = size_key(n, uid, tid);
	uint64_t generation = indexer_generation();
	struct size_slot *s;
	int found = 0;

	pthread_mutex_lock(&sizes.lock);
	s = slot_of(key);
	if (s->key == key && slot_current(s, generation, clock_mono())) {
		sizes.bytes -= s->text.len;
		*text = s->text;
		s->text = (struct strbuf)STRBUF_INIT;
		s->key = 0;
		found = 1;
	} else if (s->key == key) {
		slot_empty(s);
	}
	pthread_mutex_unlock(&sizes.lock);
	return found;
}

uint64_t sizes_kept_count(void)
{
	return __atomic_load_n(&sizes.kept, __ATOMIC_RELAXED);
}

void sizes_forget_all(void)
{
	pthread_mutex_lock(&sizes.lock);
	sizes.epoch++;
	pthread_mutex_unlock(&sizes.lock);
}

void sizes_clear(void)
{
	pthread_mutex_lock(&sizes.lock);
	for (size_t i = 0; i < SIZES_SLOTS; i++)
		if (sizes.slot[i].key)
			slot_empty(&sizes.slot[i]);
	pthread_mutex_unlock(&sizes.lock);
}
