/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The analysed tracks' rows kept for a generation of the store
 * (playlist_rows.h): made from playlist_reads_analysed() and shared by
 * every thread. It holds no SQL of its own and decides nothing of what a
 * caller is shown.
 */
#include "indexer/analysis/playlist_rows.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/analysis/analysis_store.h"
#include "indexer/analysis/playlist_reads.h"

/* A track's row: its strings at offsets of the table's text. */
struct row {
	int64_t track, file;
	double seconds, lufs;
	int has_lufs, has_vector;
	uint32_t artist, title, path;
	float vector[ANALYSIS_VECTOR_LEN];
};

struct table {
	uint64_t generation;
	int refs;		/* the current table's own, and each reader's */
	int too_big;		/* the rows took more than the bound: none */
	struct row *v;		/* by track id */
	size_t nr, alloc;
	struct strbuf text;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t making = PTHREAD_MUTEX_INITIALIZER;
static struct table *current;
/* The generation asked for lately that no table is of, and how often. */
static uint64_t asked_generation;
static unsigned asked;

static void table_free(struct table *t)
{
	free(t->v);
	strbuf_release(&t->text);
	free(t);
}

static void table_put(struct table *t)
{
	pthread_mutex_lock(&lock);
	if (--t->refs == 0)
		table_free(t);
	pthread_mutex_unlock(&lock);
}

static uint32_t add_text(struct table *t, const char *s)
{
	uint32_t at = (uint32_t)t->text.len;

	strbuf_add(&t->text, s, strlen(s) + 1);
	return at;
}

static int add_row(void *arg, const struct playlist_track *p)
{
	struct table *t = arg;
	size_t text = strlen(p->artist) + strlen(p->title) +
		      strlen(p->path) + 3;
	struct row *grown;

	if (t->text.len + text + (t->nr + 1) * sizeof(*t->v) >
	    PLAYLIST_ROWS_BYTES) {
		t->too_big = 1;
		return 1;
	}
	grown = array_grow(t->v, t->nr, &t->alloc, sizeof(*t->v), 256);
	if (!grown)
		return log_error(-ENOMEM, "playlists: out of memory");
	t->v = grown;
	t->v[t->nr++] = (struct row){
		.track = p->track, .file = p->file, .seconds = p->seconds,
		.lufs = p->lufs, .has_lufs = p->has_lufs,
		.artist = add_text(t, p->artist),
		.title = add_text(t, p->title),
		.path = add_text(t, p->path),
		.has_vector = !!p->vector,
	};
	if (p->vector)
		memcpy(t->v[t->nr - 1].vector, p->vector,
		       sizeof(t->v->vector));
	return 0;
}

/* A table of the store's rows now, for generation, into *out. */
static int table_make(uint64_t generation, struct table **out)
{
	struct table *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return log_error(-ENOMEM, "playlists: out of memory");
	*t = (struct table){ .generation = generation, .refs = 1 };
	strbuf_init(&t->text, 0);
	rc = playlist_reads_analysed(add_row, t);
	if (rc < 0) {
		table_free(t);
		return rc;
	}
	if (t->too_big) {
		log_info("playlists: the analysed tracks' rows take more"
			 " than %u MiB: read from the store",
			 PLAYLIST_ROWS_BYTES >> 20);
		free(t->v);
		t->v = NULL;
		t->nr = 0;
		strbuf_release(&t->text);
	}
	*out = t;
	return 0;
}

/* The current table if it is of generation, a reference taken. */
static struct table *table_find(uint64_t generation)
{
	struct table *t = NULL;

	pthread_mutex_lock(&lock);
	if (current && current->generation == generation) {
		t = current;
		t->refs++;
	}
	pthread_mutex_unlock(&lock);
	return t;
}

/* Whether generation, which no table is of, was asked for often enough
 * that the store holds still for a table to pay. */
static int worth_making(uint64_t generation)
{
	int worth;

	pthread_mutex_lock(&lock);
	if (asked_generation != generation) {
		asked_generation = generation;
		asked = 0;
	}
	worth = ++asked >= PLAYLIST_ROWS_AFTER;
	pthread_mutex_unlock(&lock);
	return worth;
}

/* The table of generation, a reference taken, into *out: made when it
 * is not the current one (by one thread at a time) and worth making,
 * else NULL. */
static int table_get(uint64_t generation, struct table **out)
{
	struct table *t = NULL, *old;
	int rc = 0;

	*out = table_find(generation);
	if (*out || !worth_making(generation))
		return 0;
	pthread_mutex_lock(&making);
	*out = table_find(generation);
	if (!*out)
		rc = table_make(generation, &t);
	if (!*out && !rc) {
		pthread_mutex_lock(&lock);
		old = current;
		current = t;
		t->refs++;
		pthread_mutex_unlock(&lock);
		*out = t;
		if (old)
			table_put(old);
	}
	pthread_mutex_unlock(&making);
	return rc;
}

static const struct row *find_row(const struct table *t, int64_t track)
{
	size_t lo = 0, hi = t->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].track < track)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nr && t->v[lo].track == track ? &t->v[lo] : NULL;
}

/* fn on the rows of ids that t holds. */
static int table_each(const struct table *t, const int64_t *ids, size_t n,
		      int (*fn)(void *arg, const struct playlist_track *p),
		      void *arg)
{
	const struct row *r;
	struct playlist_track p;
	int rc = 0;

	for (size_t i = 0; !rc && i < n; i++) {
		r = find_row(t, ids[i]);
		if (!r)
			continue;
		p = (struct playlist_track){
			.track = r->track, .file = r->file,
			.artist = t->text.buf + r->artist,
			.title = t->text.buf + r->title,
			.path = t->text.buf + r->path,
			.seconds = r->seconds, .has_lufs = r->has_lufs,
			.lufs = r->lufs,
		};
		rc = fn(arg, &p);
	}
	return rc;
}

int playlist_rows_tracks(uint64_t generation, const int64_t *ids, size_t n,
			 int (*fn)(void *arg, const struct playlist_track *t),
			 void *arg)
{
	struct table *t;
	int rc = table_get(generation, &t);

	if (rc)
		return rc;
	if (!t)
		return playlist_reads_tracks(ids, n, fn, arg);
	if (t->too_big)
		rc = playlist_reads_tracks(ids, n, fn, arg);
	else
		rc = table_each(t, ids, n, fn, arg);
	table_put(t);
	return rc;
}

/* What a ranking for a caller lets through: may() on the track's path. */
struct rank_filter {
	const struct table *t;
	int (*may)(const char *path);
};

static int keep_track(void *arg, int64_t id)
{
	const struct rank_filter *k = arg;
	const struct row *r = find_row(k->t, id);

	return r && k->may(k->t->text.buf + r->path);
}

/* The ranking of track among the rows of t. */
static int table_rank(const struct table *t, int64_t track, size_t max,
		      int (*may)(const char *path), int64_t *ids, size_t *n)
{
	const struct row *self = find_row(t, track);
	struct rank_filter k = { t, may };
	struct analysis_top top;
	int rc;

	if (!self || !self->has_vector)
		return -ENOENT;
	rc = analysis_top_begin(&top, self->vector, max,
				may ? keep_track : NULL, &k);
	if (rc)
		return rc;
	for (size_t i = 0; i < t->nr; i++)
		if (t->v[i].has_vector && t->v[i].track != track)
			analysis_top_offer(&top, t->v[i].track,
					   t->v[i].vector);
	ids[0] = track;
	analysis_top_end(&top, ids + 1, n);
	(*n)++;
	return 0;
}

int playlist_rows_rank(uint64_t generation, int64_t track, size_t max,
		       int (*may)(const char *path), int64_t *ids,
		       size_t *n)
{
	struct table *t;
	int rc = table_get(generation, &t);

	if (rc)
		return rc;
	if (!t || t->too_big)
		rc = playlist_reads_rank(track, max, may, ids, n);
	else
		rc = table_rank(t, track, max, may, ids, n);
	if (t)
		table_put(t);
	return rc;
}
