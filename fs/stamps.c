/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The times of the generated files (stamps.h): a table of content hashes
 * and the times they were first seen. It renders nothing and knows no
 * node; its callers hand it each rendering they make.
 */
#include "fs/stamps.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "common/hash.h"

static struct {
	pthread_mutex_t lock;
	struct stamp {
		uint64_t key;		/* of path and uid; 0: empty */
		uint64_t content;	/* hash of the rendering's bytes */
		struct timespec at;	/* when those were first seen */
	} slot[STAMPS_SLOTS];
} stamps = { .lock = PTHREAD_MUTEX_INITIALIZER };

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

struct timespec stamps_time(const char *path, uid_t uid, const char *buf,
			    size_t len)
{
	uint64_t key = hash_end(hash_add(hash_add_bytes(HASH_INIT, path,
							strlen(path)), uid));
	uint64_t content = hash_end(hash_add_bytes(HASH_INIT, buf, len));
	struct timespec at;
	struct stamp *s;

	key = key ? key : 1;
	pthread_mutex_lock(&stamps.lock);
	s = slot_of(key);
	if (s->key != key || s->content != content) {
		s->key = key;
		s->content = content;
		clock_gettime(CLOCK_REALTIME, &s->at);
	}
	at = s->at;
	pthread_mutex_unlock(&stamps.lock);
	return at;
}
