/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The times of the generated files (stamps.h): a table of content hashes
 * and the times they were first seen, those of /playlists and of the
 * folders' names kept in the store from one mount to the next, written
 * by a thread of its own at the next quiet moment. It renders nothing
 * and knows no node; its callers hand it each rendering they make.
 */
#include "fs/tree/stamps.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/clock.h"
#include "common/hash.h"
#include "common/bytes.h"
#include "common/log.h"
#include "common/thread.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* The files whose content holds the clock or counters that move by
 * themselves: their times are not kept across restarts, which would
 * write the store each time one is read. Every other's are. */
static const char *const live[] = { "/metrics/", "/status/summary.json" };

static int kept_across_restarts(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(live); i++)
		if (!strncmp(path, live[i], strlen(live[i])))
			return 0;
	return 1;
}

static struct {
	pthread_mutex_t lock;
	/* The thread that writes the lasting times: it waits on wake for
	 * unsaved ones, then for a quiet moment (stamps_start()). */
	pthread_cond_t wake;
	pthread_t thread;
	int started, stopping;
	uint64_t unsaved;	/* lasting times changed since the last write */
	double first, last;	/* when the first and last of them changed
				 * (clock_mono()) */
	struct stamp {
		uint64_t key;		/* of path, uid and gid; 0: empty */
		uint64_t content;	/* hash of the rendering's bytes */
		uint64_t generation;	/* the store's, at the rendering */
		size_t len;
		struct timespec at;	/* when those were first seen */
		int lasting;		/* kept across restarts */
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

/* A lasting time changed: the thread writes it at the next quiet
 * moment. Under the lock. */
static void note_unsaved(void)
{
	double now = clock_mono();

	if (!stamps.unsaved++) {
		stamps.first = now;
		if (stamps.started)
			pthread_cond_signal(&stamps.wake);
	}
	stamps.last = now;
}

/* The time content (len bytes long) was first seen for key; any: the
 * time kept for key whatever its content, if any. */
static struct timespec seen(uint64_t key, uint64_t content, size_t len,
			    uint64_t gen, int lasting, int any)
{
	struct timespec at;
	struct stamp *s;

	pthread_mutex_lock(&stamps.lock);
	s = slot_of(key);
	if (s->key != key || (!any && s->content != content)) {
		s->key = key;
		s->content = content;
		s->len = len;
		s->generation = gen;
		s->lasting = lasting;
		clock_gettime(CLOCK_REALTIME, &s->at);
		if (lasting)
			note_unsaved();
	} else if (gen) {
		/* The same bytes: what they were made at stays true. */
		s->generation = gen;
	}
	at = s->at;
	pthread_mutex_unlock(&stamps.lock);
	return at;
}

struct timespec stamps_time(const char *path, uid_t uid, gid_t gid,
			    uint64_t gen, const char *buf, size_t len)
{
	return seen(stamp_key(path, uid, gid),
		    hash_end(hash_add_bytes(HASH_INIT, buf, len)), len, gen,
		    kept_across_restarts(path), 0);
}

static uint64_t seen_key(const char *name, uint64_t who)
{
	uint64_t key = hash_add_bytes(HASH_INIT, name, strlen(name));

	key = hash_end(hash_add(key, who));
	return key ? key : 1;
}

struct timespec stamps_seen(const char *name, uint64_t who, uint64_t content)
{
	return seen(seen_key(name, who), content, 0, 0, 1, 0);
}

struct timespec stamps_seen_at(const char *name, uint64_t who,
			       uint64_t content, uint64_t gen)
{
	return seen(seen_key(name, who), content, 0, gen, 1, 0);
}

int stamps_seen_kept(const char *name, uint64_t who, uint64_t gen,
		     struct timespec *at)
{
	uint64_t key = seen_key(name, who);
	struct stamp *s;
	int found;

	pthread_mutex_lock(&stamps.lock);
	s = slot_of(key);
	found = gen && s->key == key && s->generation == gen;
	if (found)
		*at = s->at;
	pthread_mutex_unlock(&stamps.lock);
	return found;
}

struct timespec stamps_last(const char *name, uint64_t who)
{
	return seen(seen_key(name, who), 0, 0, 0, 1, 1);
}

/* This process's own, that a generation of the store's names is told
 * from the same number in another run by (stamps_load()). */
static uint64_t run_id;

struct timespec stamps_names(void)
{
	uint64_t gen = indexer_names_generation();

	if (!gen)
		return stamps_last("/names", 0);
	return stamps_seen("/names", 0, hash_end(hash_add(run_id, gen)));
}

static int load_one(void *arg, const struct playlist_time *t)
{
	struct stamp *s;

	(void)arg;
	if (!t->key)
		return 0;
	s = slot_of(t->key);
	*s = (struct stamp){
		.key = t->key, .content = t->content, .len = (size_t)t->len,
		.at = { t->at_ns / 1000000000, t->at_ns % 1000000000 },
		.lasting = 1,
	};
	return 0;
}

int stamps_load(void)
{
	struct timespec now;
	int rc;

	clock_gettime(CLOCK_REALTIME, &now);
	run_id = hash_add(hash_add(HASH_INIT, (uint64_t)now.tv_sec),
			  (uint64_t)now.tv_nsec);

	pthread_mutex_lock(&stamps.lock);
	rc = playlist_reads_times(load_one, NULL);
	pthread_mutex_unlock(&stamps.lock);
	return rc;
}

/* Write every lasting time to the store, in place of those it kept:
 * 0 or a negative errno value (logged). */
static int save_all(void)
{
	struct playlist_time *t = NULL;
	size_t n = 0, alloc = 0;
	int rc = 0;

	pthread_mutex_lock(&stamps.lock);
	for (size_t i = 0; !rc && i < STAMPS_SLOTS; i++) {
		const struct stamp *s = &stamps.slot[i];
		struct playlist_time *grown;

		if (!s->key || !s->lasting)
			continue;
		grown = array_grow(t, n, &alloc, sizeof(*t), 256);
		if (!grown) {
			rc = log_error(-ENOMEM, "stamps: out of memory");
			break;
		}
		t = grown;
		t[n++] = (struct playlist_time){
			s->key, s->content, (int64_t)s->len,
			s->at.tv_sec * 1000000000LL + s->at.tv_nsec,
		};
	}
	/* a write that fails is tried again with the next new time, and
	 * at the unmount */
	stamps.unsaved = 0;
	pthread_mutex_unlock(&stamps.lock);
	if (!rc)
		rc = indexer_save_playlist_times(t, n);
	free(t);
	return rc;
}

/* Wait under the lock until unsaved times have seen a quiet moment (or
 * waited STAMPS_LATEST_S); nonzero when stopping instead. */
static int wait_quiet(void)
{
	struct timespec at;
	double due;

	while (!stamps.stopping) {
		if (!stamps.unsaved) {
			pthread_cond_wait(&stamps.wake, &stamps.lock);
			continue;
		}
		due = fmin(stamps.last + STAMPS_QUIET_S,
			   stamps.first + STAMPS_LATEST_S);
		if (clock_mono() >= due)
			return 0;
		at.tv_sec = (time_t)due;
		at.tv_nsec = (long)((due - (double)at.tv_sec) * 1e9);
		pthread_cond_timedwait(&stamps.wake, &stamps.lock, &at);
	}
	return 1;
}

static void *stamps_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&stamps.lock);
	while (!wait_quiet()) {
		pthread_mutex_unlock(&stamps.lock);
		save_all();
		pthread_mutex_lock(&stamps.lock);
	}
	pthread_mutex_unlock(&stamps.lock);
	return NULL;
}

int stamps_start(void)
{
	pthread_condattr_t attr;
	int rc;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&stamps.wake, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_lock(&stamps.lock);
	stamps.stopping = 0;
	rc = thread_start(&stamps.thread, stamps_main, NULL, "mm-stamps");
	stamps.started = !rc;
	pthread_mutex_unlock(&stamps.lock);
	if (rc) {
		pthread_cond_destroy(&stamps.wake);
		return log_error(rc, "stamps: cannot start thread");
	}
	return 0;
}

int stamps_stop(void)
{
	if (stamps.started) {
		thread_stop(stamps.thread, &stamps.lock, &stamps.wake,
			    &stamps.stopping);
		pthread_mutex_lock(&stamps.lock);
		stamps.started = 0;
		pthread_mutex_unlock(&stamps.lock);
		pthread_cond_destroy(&stamps.wake);
	}
	return save_all();
}

uint64_t stamps_unsaved(void)
{
	uint64_t n;

	pthread_mutex_lock(&stamps.lock);
	n = stamps.unsaved;
	pthread_mutex_unlock(&stamps.lock);
	return n;
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
