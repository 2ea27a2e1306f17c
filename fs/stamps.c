/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The times of the generated files (stamps.h): a table of content hashes
 * and the times they were first seen. It renders nothing and knows no
 * node; its callers hand it each rendering they make.
 */
#include "fs/stamps.h"

#include <pthread.h>
#include <string.h>

#include "common/hash.h"

static struct {
	pthread_mutex_t lock;
	struct stamp {
		uint64_t key;		/* of path, uid and gid; 0: empty */
		uint64_t content;	/* hash of the rendering's bytes */
		uint64_t generation;	/* the store's, at the rendering */
		size_t len;
		struct timespec at;	/* when those were first seen */
	} slot[STAMPS_SLOTS];
} stamps = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t stamp_key(const char *path, uid_t uid, gid_t gid)
{
	uint64_t h = hash_add_bytes(HASH_INIT, path, strlen(path));

	h = hash_end(hash_add(hash_add(h, uid), gid));
	return h ? h : 1;
}

static int older(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec != b->tv_sec ? a->tv_sec < b->tv_sec :
	       a->tv_nsec < b->tv_nsec;
}

/* The slot of key: its own within STAMPS_PROBE slots of its place, else
 * an empty one there, else the oldest there. */
static struct stamp *slot_of(uint64_t key)
{
	size_t at = key % STAMPS_SLOTS;
	struct stamp *pick = NULL;

	for (size_t i = 0; i < STAMPS_PROBE; i++) {
		struct stamp *s = &stamps.slot[(at + i) % STAMPS_SLOTS];

		if (s->key == key)
			return s;
		if (!pick || (pick->key && (!s->key || older(&s->at,
							     &pick->at))))
			pick = s;
	}
	return pick;
}

struct timespec stamps_time(const char *path, uid_t uid, gid_t gid,
			    uint64_t gen, const char *buf, size_t len)
{
	uint64_t key = stamp_key(path, uid, gid);
	uint64_t content = hash_end(hash_add_bytes(HASH_INIT, buf, len));
	struct timespec at;
	struct stamp *s;

	pthread_mutex_lock(&stamps.lock);
	s = slot_of(key);
	if (s->key != key || s->content != content) {
		s->key = key;
		s->content = content;
		s->len = len;
		s->generation = gen;
		clock_gettime(CLOCK_REALTIME, &s->at);
	} else if (gen) {
		/* The same bytes: what they were made at stays true. */
		s->generation = gen;
	}
	at = s->at;
	pthread_mutex_unlock(&stamps.lock);
	return at;
}

int stamps_kept(const char *path, uid_t uid, gid_t gid, uint64_t gen,
		size_t *len, struct timespec *at)
{
	uint64_t key = stamp_key(path, uid, gid);
	struct stamp *s;
	int found;

	pthread_mutex_lock(&stamps.lock);
	s = slot_of(key);
	found = gen && s->key == key && s->generation == gen;
	if (found) {
		*len = s->len;
		*at = s->at;
	}
	pthread_mutex_unlock(&stamps.lock);
	return found;
}
