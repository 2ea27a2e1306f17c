/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The renderings of the lists that grow with the library (snapshots.h):
 * one kept a list, the thread that makes them again, and what a request
 * copies. It must not render in a request for longer than
 * SNAPSHOTS_TRY_MS once the library is large, nor wake while no request
 * wants a rendering newer than the one it has.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/thread.h"
#include "fs/tree/render_status.h"
#include "fs/tree/snapshots.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

#define SNAPSHOTS_MAX 8

/* One list's rendering: made when the store was at generation. */
struct snapshot {
	int (*render)(struct strbuf *out);
	struct strbuf text;
	uint64_t generation;
	int made;
	int wanted;	/* a request wants one newer than text */
	int slow;	/* the last rendering took more than SNAPSHOTS_TRY_MS */
	int told;	/* a request found none: said once in the log */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int running, stopping;
	unsigned long files;	/* snapshots_start()'s */
	double deadline;
	struct snapshot s[SNAPSHOTS_MAX];
	size_t nr;
} snaps = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
};

/* The snapshot of render, added when new; NULL past SNAPSHOTS_MAX.
 * Under the lock. */
static struct snapshot *find(int (*render)(struct strbuf *out))
{
	struct snapshot *s;

	for (size_t i = 0; i < snaps.nr; i++)
		if (snaps.s[i].render == render)
			return &snaps.s[i];
	if (snaps.nr == SNAPSHOTS_MAX)
		return NULL;
	s = &snaps.s[snaps.nr++];
	s->render = render;
	strbuf_init(&s->text, 0);
	return s;
}

/* Render with a deadline of s seconds; the time taken into *took. */
static int render_within(int (*render)(struct strbuf *out), double s,
			 struct strbuf *out, double *took)
{
	double start = clock_mono();
	int rc;

	reader_deadline(start + s);
	rc = render(out);
	reader_deadline(0);
	*took = clock_mono() - start;
	return rc;
}

/* Keep text (taken) as s's rendering of generation gen, unless a newer
 * one came first. Under the lock. */
static void keep(struct snapshot *s, struct strbuf *text, uint64_t gen,
		 double took)
{
	s->slow = took * 1000 > SNAPSHOTS_TRY_MS;
	if (s->made && s->generation > gen)
		return;
	{
		struct strbuf old = s->text;

		s->text = *text;
		*text = old;
	}
	s->generation = gen;
	s->made = 1;
}

/* A request rendered render itself (out, of generation gen): a snapshot
 * of it made before (while a scan ran) takes its text, so that a later
 * scan's requests are never shown a list older than one already read. */
static void caught_up(int (*render)(struct strbuf *out),
		      const struct strbuf *out, uint64_t gen)
{
	pthread_mutex_lock(&snaps.lock);
	for (size_t i = 0; i < snaps.nr; i++) {
		struct snapshot *s = &snaps.s[i];

		if (s->render != render || !s->made || s->generation >= gen)
			continue;
		strbuf_reset(&s->text);
		strbuf_add(&s->text, out->buf, out->len);
		s->generation = gen;
	}
	pthread_mutex_unlock(&snaps.lock);
}

enum mode { SMALL, LARGE, SCANNING };

/* SCANNING while a scan runs (until the store has its row finished, as
 * render_last_scan() tells): a first scan loads the store without the
 * indexes the lists' queries use, which then read the whole store for
 * each album; else LARGE when the store holds files enough for the lists
 * to be snapshots. */
static enum mode size_mode(void)
{
	struct indexer_status st;
	struct library_counts c;
	struct library_scan last;
	int found = 0;

	indexer_status(&st);
	if (!strcmp(st.state, "scanning") &&
	    (render_last_scan(&st, &last, &found) ||
	     !strcmp(st.state, "scanning")))
		return SCANNING;
	if (!library_stats_counts(&c) && c.files >= (int64_t)snaps.files)
		return LARGE;
	return SMALL;
}

/* Have the thread make s again. Under the lock. */
static void want(struct snapshot *s)
{
	s->wanted = 1;
	pthread_cond_signal(&snaps.wake);
}

int snapshots_render(const struct node *n, struct strbuf *out)
{
	uint64_t gen = indexer_generation();
	struct strbuf text = STRBUF_INIT;
	struct snapshot *s;
	enum mode mode;
	double took;
	int rc, tell;

	mode = snaps.running ? size_mode() : SMALL;
	if (mode == SMALL) {
		rc = n->render(out);
		if (!rc && snaps.running)
			caught_up(n->render, out, gen);
		return rc;
	}
	pthread_mutex_lock(&snaps.lock);
	s = find(n->render);
	if (!s) {
		pthread_mutex_unlock(&snaps.lock);
		return n->render(out);
	}
	if (s->made && (s->generation == gen || s->slow || mode == SCANNING)) {
		if (s->generation != gen)
			want(s);
		strbuf_add(out, s->text.buf, s->text.len);
		pthread_mutex_unlock(&snaps.lock);
		return 0;
	}
	pthread_mutex_unlock(&snaps.lock);
	rc = render_within(n->render, SNAPSHOTS_TRY_MS / 1000.0, &text,
			   &took);
	pthread_mutex_lock(&snaps.lock);
	if (!rc) {
		keep(s, &text, gen, took);
	} else if (rc == -ETIMEDOUT) {
		s->slow = 1;
		want(s);
		rc = s->made ? 0 : -EAGAIN;
	}
	if (!rc)
		strbuf_add(out, s->text.buf, s->text.len);
	tell = rc == -EAGAIN && !s->told;
	s->told |= tell;
	pthread_mutex_unlock(&snaps.lock);
	strbuf_release(&text);
	if (tell)
		return log_error(-EAGAIN, "fs: a list of the status folder is"
				 " being made: it can be read in a moment");
	return rc;
}

/* The next snapshot a request wants, marked as no longer wanted; NULL
 * when none. Under the lock. */
static struct snapshot *next_wanted(void)
{
	for (size_t i = 0; i < snaps.nr; i++)
		if (snaps.s[i].wanted) {
			snaps.s[i].wanted = 0;
			return &snaps.s[i];
		}
	return NULL;
}

/* Wait SNAPSHOTS_GAP_MS, or less when told to stop. Under the lock. */
static void pause_gap(void)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)SNAPSHOTS_GAP_MS % 1000 * 1000000;
	until.tv_sec += SNAPSHOTS_GAP_MS / 1000 + until.tv_nsec / 1000000000;
	until.tv_nsec %= 1000000000;
	while (!snaps.stopping &&
	       pthread_cond_timedwait(&snaps.wake, &snaps.lock, &until) !=
	       ETIMEDOUT)
		;
}

static void *snapshots_main(void *unused)
{
	struct strbuf text = STRBUF_INIT;

	(void)unused;
	pthread_mutex_lock(&snaps.lock);
	while (!snaps.stopping) {
		struct snapshot *s = next_wanted();
		int (*render)(struct strbuf *out);
		uint64_t gen;
		double took;
		int rc;

		if (!s) {
			pthread_cond_wait(&snaps.wake, &snaps.lock);
			continue;
		}
		render = s->render;
		pthread_mutex_unlock(&snaps.lock);
		gen = indexer_generation();
		strbuf_reset(&text);
		rc = render_within(render, snaps.deadline, &text, &took);
		pthread_mutex_lock(&snaps.lock);
		if (!rc)
			keep(s, &text, gen, took);
		pause_gap();
	}
	pthread_mutex_unlock(&snaps.lock);
	strbuf_release(&text);
	return NULL;
}

int snapshots_start(unsigned long files, double deadline)
{
	int rc;

	snaps.files = files;
	snaps.deadline = deadline;
	snaps.stopping = 0;
	rc = thread_start(&snaps.thread, snapshots_main, NULL,
			  "mm-snapshots");
	if (rc)
		return log_error(rc, "fs: cannot start the lists' thread");
	snaps.running = 1;
	return 0;
}

void snapshots_stop(void)
{
	if (!snaps.running)
		return;
	thread_stop(snaps.thread, &snaps.lock, &snaps.wake, &snaps.stopping);
	snaps.running = 0;
	for (size_t i = 0; i < snaps.nr; i++)
		strbuf_release(&snaps.s[i].text);
	snaps.nr = 0;
}
