/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The times of the generated files (stamps.h): a table of content hashes
 * and the times they were first seen, those of /playlists and of the
 * folders' names kept in the store from one mount to the next, written
 * by a thread of its own at the next quiet moment: those changed since
 * the last write that succeeded, not every one. It renders nothing and
 * knows no node; its callers hand it each rendering they make.
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
	uint64_t unsaved;	/* lasting times changed since the last write
				 * was begun: what wakes the thread */
	uint64_t nr_dirty;	/* slots not yet written as they are */
	double first, last;	/* when the first and last of them changed
				 * (clock_mono()) */
	/* An open-addressing table of nr_slots (a power of two, or 0 before
	 * the first use), nr of them taken, that doubles when three
	 * quarters are: a time gives way to no other's while memory lasts. */
	struct stamp {
		uint64_t key;		/* of path, uid and gid; 0: empty */
		uint64_t content;	/* hash of the rendering's bytes */
		uint64_t generation;	/* the store's, at the rendering */
		int64_t at_ns;		/* when those were first seen */
		uint64_t len : 62;
		uint64_t lasting : 1;	/* kept across restarts */
		uint64_t dirty : 1;	/* lasting, and changed since the
					 * store last took it */
	} *slot;
	size_t nr_slots, nr;
	int full_logged;
} stamps = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t stamp_key(const char *path, uid_t uid, gid_t gid)
{
	uint64_t h = hash_add_bytes(HASH_INIT, path, strlen(path));

	h = hash_end(hash_add(hash_add(h, uid), gid));
	return h ? h : 1;
}

/* The slot of key, else the empty one where it goes; NULL when the
 * table has no slot free. Under the lock. */
static struct stamp *slot_where(uint64_t key)
{
	size_t mask = stamps.nr_slots - 1;

	for (size_t n = 0, i = key & mask; n < stamps.nr_slots;
	     n++, i = (i + 1) & mask) {
		struct stamp *s = &stamps.slot[i];

		if (!s->key || s->key == key)
			return s;
	}
	return NULL;
}

/* Twice the slots (STAMPS_SLOTS at first), every time moved over:
 * 0 or -ENOMEM (logged once), the table then left as it was. */
static int double_slots(void)
{
	size_t nr_slots = stamps.nr_slots ? 2 * stamps.nr_slots :
			  STAMPS_SLOTS;
	struct stamp *old = stamps.slot, *slot;
	size_t old_slots = stamps.nr_slots;

	slot = calloc(nr_slots, sizeof(*slot));
	if (!slot) {
		if (!stamps.full_logged++)
			log_error(-ENOMEM, "stamps: no memory for %zu times:"
				  " a new one takes the place of an old one",
				  nr_slots);
		return -ENOMEM;
	}
	stamps.slot = slot;
	stamps.nr_slots = nr_slots;
	for (size_t i = 0; i < old_slots; i++)
		if (old[i].key)
			*slot_where(old[i].key) = old[i];
	free(old);
	return 0;
}

/* Without the memory for more slots, the oldest of STAMPS_PROBE slots
 * from key's place takes key. Under the lock. */
static struct stamp *oldest_near(uint64_t key)
{
	struct stamp *pick = NULL;

	for (size_t i = 0; stamps.nr_slots && i < STAMPS_PROBE; i++) {
		struct stamp *s = &stamps.slot[(key + i) &
					       (stamps.nr_slots - 1)];

		if (!pick || s->at_ns < pick->at_ns)
			pick = s;
	}
	return pick;
}

/* The slot of key, kept: its own, else a new one (its key set, the rest
 * 0); NULL when there is no memory for any. Under the lock. */
static struct stamp *slot_for(uint64_t key)
{
	struct stamp *s;

	if ((stamps.nr + 1) * 4 > stamps.nr_slots * 3)
		double_slots();
	s = stamps.nr_slots ? slot_where(key) : NULL;
	if (s && s->key == key)
		return s;
	if (s)
		stamps.nr++;
	else if (!(s = oldest_near(key)))
		return NULL;
	/* a time given away unwritten stays as the store last took it */
	stamps.nr_dirty -= s->dirty;
	*s = (struct stamp){ .key = key };
	return s;
}

/* The slot of key, if one is kept. Under the lock. */
static const struct stamp *slot_of(uint64_t key)
{
	const struct stamp *s = stamps.nr_slots ? slot_where(key) : NULL;

	return s && s->key == key ? s : NULL;
}

static int64_t ns_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec * 1000000000LL + now.tv_nsec;
}

static struct timespec from_ns(int64_t ns)
{
	return (struct timespec){ ns / 1000000000, ns % 1000000000 };
}

/* The lasting time of s changed: the thread writes it at the next
 * quiet moment. Under the lock. */
static void note_unsaved(struct stamp *s)
{
	double now = clock_mono();

	if (!s->dirty) {
		s->dirty = 1;
		stamps.nr_dirty++;
	}
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
	s = slot_for(key);
	if (!s) {
		at = from_ns(ns_now());
	} else if (!s->at_ns || (!any && s->content != content)) {
		s->content = content;
		s->len = len;
		s->generation = gen;
		s->lasting = !!lasting;
		s->at_ns = ns_now();
		if (lasting)
			note_unsaved(s);
	} else if (gen) {
		/* The same bytes: what they were made at stays true. */
		s->generation = gen;
	}
	if (s)
		at = from_ns(s->at_ns);
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
	const struct stamp *s;
	int found;

	pthread_mutex_lock(&stamps.lock);
	s = slot_of(key);
	found = gen && s && s->generation == gen;
	if (found)
		*at = from_ns(s->at_ns);
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
	s = slot_for(t->key);
	if (!s)
		return 0;
	stamps.nr_dirty -= s->dirty;
	*s = (struct stamp){
		.key = t->key, .content = t->content, .len = (size_t)t->len,
		.at_ns = t->at_ns, .lasting = 1,
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

/* The lasting times changed since the store last took them, copied to
 * *out (n of them, malloc'd): 0 or -ENOMEM (logged). Under the lock. */
static int changed_times(struct playlist_time **out, size_t *n)
{
	struct playlist_time *t = NULL;
	size_t alloc = 0;

	*n = 0;
	for (size_t i = 0; *n < stamps.nr_dirty && i < stamps.nr_slots; i++) {
		const struct stamp *s = &stamps.slot[i];
		struct playlist_time *grown;

		if (!s->key || !s->dirty)
			continue;
		grown = array_grow(t, *n, &alloc, sizeof(*t), 256);
		if (!grown) {
			free(t);
			*n = 0;
			return log_error(-ENOMEM, "stamps: out of memory");
		}
		t = grown;
		t[(*n)++] = (struct playlist_time){
			s->key, s->content, (int64_t)s->len, s->at_ns,
		};
	}
	*out = t;
	return 0;
}

/* The n times at t are in the store: those not changed again since are
 * clean. Under the lock. */
static void note_saved(const struct playlist_time *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stamp *s = stamps.nr_slots ? slot_where(t[i].key) :
				  NULL;

		if (s && s->key == t[i].key && s->dirty &&
		    s->content == t[i].content && s->at_ns == t[i].at_ns &&
		    (int64_t)s->len == t[i].len) {
			s->dirty = 0;
			stamps.nr_dirty--;
		}
	}
}

/* Write the lasting times changed since the store last took them (their
 * rows replaced, the others left as they are): 0 or a negative errno
 * value (logged). A time stays changed until a write of it succeeds: one
 * that fails is tried again with the next new time, and at the unmount. */
static int save_all(void)
{
	struct playlist_time *t = NULL;
	size_t n = 0;
	int rc;

	pthread_mutex_lock(&stamps.lock);
	rc = changed_times(&t, &n);
	stamps.unsaved = 0;
	pthread_mutex_unlock(&stamps.lock);
	if (!rc && n)
		rc = indexer_save_playlist_times(t, n);
	if (!rc && n) {
		pthread_mutex_lock(&stamps.lock);
		note_saved(t, n);
		pthread_mutex_unlock(&stamps.lock);
	}
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
	n = stamps.nr_dirty;
	pthread_mutex_unlock(&stamps.lock);
	return n;
}

int stamps_kept(const char *path, uid_t uid, gid_t gid, uint64_t gen,
		size_t *len, struct timespec *at)
{
	uint64_t key = stamp_key(path, uid, gid);
	const struct stamp *s;
	int found;

	pthread_mutex_lock(&stamps.lock);
	s = slot_of(key);
	found = gen && s && s->generation == gen;
	if (found) {
		*len = s->len;
		*at = from_ns(s->at_ns);
	}
	pthread_mutex_unlock(&stamps.lock);
	return found;
}
