/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A user's own counts (own_counts.h): counted folder by folder as that
 * user on the thread mm-counts, kept per caller, and given to requests
 * without making them wait for a count. It writes nothing and renders
 * nothing.
 */
#include "fs/tree/own_counts.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/thread.h"
#include "fs/tree/caller.h"
#include "indexer/indexer.h"

struct own {
	struct library_counts sum;
	int64_t *ids[3];	/* albums, artists, albums with a cover */
	size_t n[3], alloc[3];
	char **series;
	size_t n_series;
	int covers_off;
};

static int own_id(struct own *o, int which, int64_t id)
{
	if (!id)
		return 0;
	if (o->n[which] == o->alloc[which]) {
		size_t alloc = o->alloc[which] ? 2 * o->alloc[which] : 64;
		int64_t *grown = realloc(o->ids[which],
					 alloc * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		o->ids[which] = grown;
		o->alloc[which] = alloc;
	}
	o->ids[which][o->n[which]++] = id;
	return 0;
}

static int own_series(struct own *o, const char *dir, int64_t volumes)
{
	char **grown = realloc(o->series, (o->n_series + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	o->series = grown;
	o->series[o->n_series] = strdup(dir);
	if (!o->series[o->n_series])
		return -ENOMEM;
	o->n_series++;
	o->sum.series++;
	o->sum.volumes += volumes;
	o->sum.files += volumes;
	return 0;
}

/* Count what a folder the caller may list holds (library_stats.h). */
static int add_own_folder(void *arg, const char *dir, int64_t album,
			  int64_t artist, int cover, int64_t n)
{
	struct own *o = arg;
	int rc;

	if (!dir || !caller_may_list(dir))
		return 0;
	if (album < 0)
		return own_series(o, dir, n);
	o->sum.tracks += n;
	o->sum.files += n;
	rc = own_id(o, 0, album);
	if (!rc)
		rc = own_id(o, 1, artist);
	if (!rc && cover > 0)
		rc = own_id(o, 2, album);
	o->covers_off |= cover < 0;
	return rc;
}

static int by_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* How many different ids the array holds (sorting it). */
static int64_t distinct(int64_t *ids, size_t n)
{
	int64_t count = 0;

	if (!n)
		return 0;
	qsort(ids, n, sizeof(*ids), by_id);
	for (size_t i = 0; i < n; i++)
		count += !i || ids[i] != ids[i - 1];
	return count;
}

/*
 * What a user who is not the owner has: the tracks, albums and artists
 * in the folders it may list, the series whose folders it may list with
 * their volumes and missing ones; files are those tracks and volumes; no
 * dead link (the owner's business). A file the user may not read in a
 * folder it may list is counted: the rights are judged folder by folder.
 */
static int own_counts(struct library_counts *out)
{
	struct own o = { 0 };
	int rc;

	rc = library_stats_each_folder(add_own_folder, &o);
	if (!rc)
		rc = library_stats_missing_under(o.series, o.n_series,
						 &o.sum.missing);
	o.sum.albums = distinct(o.ids[0], o.n[0]);
	o.sum.artists = distinct(o.ids[1], o.n[1]);
	o.sum.albums_with_cover = distinct(o.ids[2], o.n[2]);
	if (!o.covers_off)
		o.sum.albums_without_cover = o.sum.albums -
			o.sum.albums_with_cover;
	for (size_t i = 0; i < o.n_series; i++)
		free(o.series[i]);
	free(o.series);
	for (int i = 0; i < 3; i++)
		free(o.ids[i]);
	*out = o.sum;
	return rc;
}

/* A caller's counts as last counted, and whether a count of them is
 * asked for. */
struct kept {
	uint64_t who, generation;
	double at;
	int made, asked;
	int rc;			/* of the last count */
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[CALLER_GROUPS];
	struct library_counts counts;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake, done;
	pthread_t thread;
	int running, stopping;
	struct kept kept[OWN_COUNTS_KEPT];
	unsigned next;
} counter = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.done = PTHREAD_COND_INITIALIZER,
};

/* Count k's caller's as k's caller, from the thread. Without the lock. */
static void count_for(struct kept *k, struct library_counts *out,
		      uint64_t *gen, int *rc)
{
	caller_begin_user(k->uid, k->gid, k->groups, k->ngroups);
	reader_refresh();
	*gen = indexer_names_generation();
	*rc = reader_hold();
	if (!*rc) {
		*rc = own_counts(out);
		reader_release();
	}
	caller_end();
}

/* The next caller whose count is asked for, no longer asked. Under the
 * lock. */
static struct kept *next_asked(void)
{
	for (unsigned i = 0; i < OWN_COUNTS_KEPT; i++)
		if (counter.kept[i].asked) {
			counter.kept[i].asked = 0;
			return &counter.kept[i];
		}
	return NULL;
}

static void *own_counts_main(void *unused)
{
	struct kept *k, job;
	struct library_counts c;
	sigset_t all;
	uint64_t gen;
	int rc;

	(void)unused;
	/* started by a request's thread: the stop signals stay main's */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&counter.lock);
	while (!counter.stopping) {
		k = next_asked();
		if (!k) {
			pthread_cond_wait(&counter.wake, &counter.lock);
			continue;
		}
		job = *k;
		pthread_mutex_unlock(&counter.lock);
		count_for(&job, &c, &gen, &rc);
		pthread_mutex_lock(&counter.lock);
		/* the slot may have gone to another caller meanwhile */
		if (k->who == job.who) {
			k->rc = rc;
			k->made = 1;
			k->generation = gen;
			k->at = clock_mono();
			if (!rc)
				k->counts = c;
		}
		pthread_cond_broadcast(&counter.done);
	}
	pthread_mutex_unlock(&counter.lock);
	reader_close();
	return NULL;
}

/* The slot of the caller who, taken from the oldest when it has none.
 * Under the lock. */
static struct kept *slot(uint64_t who)
{
	struct kept *k;

	for (unsigned i = 0; i < OWN_COUNTS_KEPT; i++)
		if (counter.kept[i].who == who)
			return &counter.kept[i];
	k = &counter.kept[counter.next++ % OWN_COUNTS_KEPT];
	*k = (struct kept){ .who = who };
	return k;
}

/* Ask the thread for k's count, starting it the first time. Under the
 * lock. */
static int ask_count(struct kept *k)
{
	int rc;

	if (!counter.running) {
		counter.stopping = 0;
		rc = thread_start(&counter.thread, own_counts_main, NULL,
				  "mm-counts");
		if (rc)
			return log_error(rc, "fs: cannot start the thread"
					 " counting users' files");
		counter.running = 1;
	}
	k->asked = 1;
	pthread_cond_signal(&counter.wake);
	return 0;
}

/* Wait for k's first count until deadline (clock_mono()). Under the
 * lock. */
static void wait_first(const struct kept *k, uint64_t who, double deadline)
{
	struct timespec until;
	double left;

	while (k->who == who && !k->made && !counter.stopping &&
	       (left = deadline - clock_mono()) > 0) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(left * 1e9);
		until.tv_sec += until.tv_nsec / 1000000000;
		until.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&counter.done, &counter.lock, &until);
	}
}

int own_counts_get(struct library_counts *out)
{
	uint64_t who = caller_who(), gen = indexer_names_generation();
	double now = clock_mono();
	struct kept *k;
	int rc;

	if (!who)
		return own_counts(out);
	pthread_mutex_lock(&counter.lock);
	k = slot(who);
	if (!k->made || k->generation != gen ||
	    now - k->at >= OWN_COUNTS_KEEP_S) {
		rc = caller_identity(&k->uid, &k->gid, k->groups,
				     &k->ngroups);
		if (!rc && !k->asked)
			rc = ask_count(k);
		if (rc) {
			pthread_mutex_unlock(&counter.lock);
			return rc;
		}
		wait_first(k, who, now + OWN_COUNTS_TRY_MS / 1000.0);
	}
	rc = k->who != who || !k->made ? -EAGAIN : k->rc;
	if (!rc)
		*out = k->counts;
	pthread_mutex_unlock(&counter.lock);
	return rc;
}

void own_counts_stop(void)
{
	if (!counter.running)
		return;
	thread_stop(counter.thread, &counter.lock, &counter.wake, &counter.stopping);
	counter.running = 0;
	memset(counter.kept, 0, sizeof(counter.kept));
	counter.next = 0;
}
