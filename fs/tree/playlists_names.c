/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The names of the named playlists (playlists_names.h): read from the
 * store through indexer/analysis/playlist_reads.h, checked against the
 * caller's rights, settled, and kept while the store's generation
 * stands; and the text of a tag made safe for an #EXTINF line. It
 * renders no playlist and knows no path of the mount.
 */
#include "fs/tree/playlists_names.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/tree/stamps.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* The kept lists: for each kind, the last identities' lists. */
static struct {
	pthread_mutex_t lock;
	int similar_tracks;
	uint64_t used;		/* a clock of uses, for the least recent */
	struct kept {
		uint64_t who;	/* 0: empty */
		uint64_t generation, used;
		int similar_tracks;
		struct playlists_names *ns;
	} kept[PLAYLISTS_NAMES_KINDS][PLAYLISTS_NAMES_KEPT];
} names = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.similar_tracks = PLAYLISTS_SIMILAR_TRACKS,
};

void playlists_safe_name(struct strbuf *out, size_t start)
{
	for (size_t i = start; i < out->len; i++) {
		unsigned char c = out->buf[i];

		if (c < 0x20 || c == 0x7f || c == '/')
			out->buf[i] = '_';
	}
	if (out->buf[start] == '.')
		out->buf[start] = '_';
	if (out->len - start > PLAYLISTS_NAME_MAX) {
		size_t end = start + PLAYLISTS_NAME_MAX;

		while (end > start && ((unsigned char)out->buf[end] & 0xc0) ==
		       0x80)
			end--;
		out->len = end;
		out->buf[end] = '\0';
	}
}

/* Take text (made safe) as a name for key, of the track at path (or
 * NULL): its text is released. */
static int add_name(struct playlists_names *ns, struct strbuf *text,
		    int64_t key, const char *path)
{
	struct playlists_name *v;
	char *copy = NULL;

	if (path && !ns->owner && !(copy = strdup(path))) {
		strbuf_release(text);
		return log_error(-ENOMEM, "playlists: out of memory");
	}
	v = array_grow(ns->v, ns->nr, &ns->alloc, sizeof(*v), 64);
	if (!v) {
		free(copy);
		strbuf_release(text);
		return log_error(-ENOMEM, "playlists: out of memory");
	}
	ns->v = v;
	ns->v[ns->nr].text = strbuf_detach(text, NULL);
	ns->v[ns->nr].path = copy;
	ns->v[ns->nr++].key = key;
	return 0;
}

static int add_track_name(void *arg, const struct playlist_track *t)
{
	struct strbuf name = STRBUF_INIT;

	if (strpbrk(t->path, "\n\r"))
		return 0;
	strbuf_addf(&name, "%s - %s", *t->artist ? t->artist :
		    "Unknown artist", t->title);
	playlists_safe_name(&name, 0);
	return add_name(arg, &name, t->track, t->path);
}

/* A genre or decade is named for a caller who may read one of its
 * tracks: the path of one in each folder is checked (names_readable()),
 * and the names met again dropped (names_settle()). */
static int add_genre_name(void *arg, const char *genre, int64_t track,
			  const char *path)
{
	struct strbuf name = STRBUF_INIT;

	strbuf_addstr(&name, genre);
	playlists_safe_name(&name, 0);
	return add_name(arg, &name, track, path);
}

static int add_decade_name(void *arg, int64_t decade, const char *path)
{
	struct strbuf name = STRBUF_INIT;

	strbuf_addf(&name, "%llds", (long long)decade);
	return add_name(arg, &name, decade, path);
}

static void names_free(struct playlists_names *ns)
{
	for (size_t i = 0; i < ns->nr; i++) {
		free(ns->v[i].text);
		free(ns->v[i].path);
	}
	free(ns->v);
	free(ns);
}

static int by_key_last(const void *a, const void *b)
{
	const struct playlists_name *x = a, *y = b;

	return (x->key < y->key) - (x->key > y->key);
}

/* Keep the names of the n tracks found last (the greatest ids). */
static void names_last(struct playlists_names *ns, size_t n)
{
	if (ns->nr <= n)
		return;
	qsort(ns->v, ns->nr, sizeof(*ns->v), by_key_last);
	for (size_t i = n; i < ns->nr; i++) {
		free(ns->v[i].text);
		free(ns->v[i].path);
	}
	ns->nr = n;
}

static int read_kind(struct playlists_names *ns,
		     enum playlists_names_kind kind, int similar_tracks)
{
	int rc;

	switch (kind) {
	case PLAYLISTS_NAMES_TRACKS:
		if (similar_tracks <= 0)
			return 0;
		rc = playlist_reads_analysed(add_track_name, ns);
		if (!rc)
			names_last(ns, (size_t)similar_tracks);
		return rc;
	case PLAYLISTS_NAMES_GENRES:
		return playlist_reads_genres(!ns->owner, add_genre_name, ns);
	default:
		return playlist_reads_decades(add_decade_name, ns);
	}
}

static int by_name(const void *a, const void *b)
{
	const struct playlists_name *x = a, *y = b;
	int c = strcmp(x->text, y->text);

	if (c)
		return c;
	return (x->key > y->key) - (x->key < y->key);
}

/* Drop the tracks the caller may not read: one change of identity for
 * them all (caller_may_read_each()). */
static int names_readable(struct playlists_names *ns)
{
	char **paths = malloc((ns->nr ? ns->nr : 1) * sizeof(*paths));
	unsigned char *may = malloc(ns->nr ? ns->nr : 1);
	size_t n = 0, kept = 0;

	if (!paths || !may) {
		free(paths);
		free(may);
		return log_error(-ENOMEM, "playlists: out of memory");
	}
	for (size_t i = 0; i < ns->nr; i++)
		if (ns->v[i].path)
			paths[n++] = ns->v[i].path;
	caller_may_read_each(paths, n, may);
	for (size_t i = 0, j = 0; i < ns->nr; i++) {
		if (ns->v[i].path && !may[j++]) {
			free(ns->v[i].text);
			free(ns->v[i].path);
			continue;
		}
		ns->v[kept++] = ns->v[i];
	}
	ns->nr = kept;
	free(paths);
	free(may);
	return 0;
}

/* Number (" (2)", ...) the names of tracks after the first of one name
 * in ns (sorted), or drop those of genres; same is room for ns->nr
 * counts. */
static void names_settle(struct playlists_names *ns, int numbered,
			 size_t *same)
{
	struct strbuf name = STRBUF_INIT;
	size_t kept = 0;

	for (size_t i = 0; i < ns->nr; i++)
		same[i] = i && !strcmp(ns->v[i].text, ns->v[i - 1].text) ?
			  same[i - 1] + 1 : 1;
	for (size_t i = 0; i < ns->nr; i++) {
		if (same[i] > 1 && !numbered) {
			free(ns->v[i].text);
			free(ns->v[i].path);
			continue;
		}
		if (same[i] > 1) {
			strbuf_reset(&name);
			strbuf_addf(&name, "%s (%zu)", ns->v[i].text, same[i]);
			free(ns->v[i].text);
			ns->v[i].text = strbuf_detach(&name, NULL);
		}
		ns->v[kept++] = ns->v[i];
	}
	ns->nr = kept;
	strbuf_release(&name);
}

/* Read the names of kind the caller may see into a new list. */
static int names_read(enum playlists_names_kind kind, int similar_tracks,
		      struct playlists_names **out)
{
	struct playlists_names *ns = calloc(1, sizeof(*ns));
	size_t *same;
	int rc;

	if (!ns)
		return log_error(-ENOMEM, "playlists: out of memory");
	ns->owner = caller_is_owner();
	ns->refs = 1;
	rc = read_kind(ns, kind, similar_tracks);
	if (!rc && !ns->owner)
		rc = names_readable(ns);
	same = rc ? NULL : malloc((ns->nr ? ns->nr : 1) * sizeof(*same));
	if (!rc && !same)
		rc = log_error(-ENOMEM, "playlists: out of memory");
	if (rc) {
		names_free(ns);
		return rc;
	}
	if (ns->nr)
		qsort(ns->v, ns->nr, sizeof(*ns->v), by_name);
	names_settle(ns, kind == PLAYLISTS_NAMES_TRACKS, same);
	free(same);
	ns->hash = HASH_INIT;
	for (size_t i = 0; i < ns->nr; i++)
		ns->hash = hash_add_bytes(ns->hash, ns->v[i].text,
					  strlen(ns->v[i].text) + 1);
	ns->hash = hash_end(ns->hash);
	clock_gettime(CLOCK_REALTIME, &ns->at);
	*out = ns;
	return 0;
}

/* The kept list of who for kind at generation, else NULL. Under the
 * lock. */
static struct playlists_names *kept_find(enum playlists_names_kind kind,
					 uint64_t who, uint64_t generation)
{
	struct kept *k = names.kept[kind];

	for (size_t i = 0; i < PLAYLISTS_NAMES_KEPT; i++) {
		if (k[i].who == who && k[i].generation == generation &&
		    k[i].similar_tracks == names.similar_tracks) {
			k[i].used = ++names.used;
			k[i].ns->refs++;
			return k[i].ns;
		}
	}
	return NULL;
}

/* The slot to keep a list of who in: its own, else an empty one, else
 * the one used least recently. Under the lock. */
static struct kept *kept_room(enum playlists_names_kind kind, uint64_t who)
{
	struct kept *k = names.kept[kind], *room = &k[0];

	for (size_t i = 0; i < PLAYLISTS_NAMES_KEPT; i++) {
		if (k[i].who == who)
			return &k[i];
		if (room->who && (!k[i].who || k[i].used < room->used))
			room = &k[i];
	}
	return room;
}

static void kept_drop(struct kept *k)
{
	if (k->who && !--k->ns->refs)
		names_free(k->ns);
	*k = (struct kept){ 0 };
}

int playlists_names_get(enum playlists_names_kind kind,
			struct playlists_names **out)
{
	uint64_t who = caller_is_owner() ? 1 : caller_who();
	uint64_t generation = indexer_generation();
	struct kept *room;
	char name[64];
	int similar_tracks, rc;

	pthread_mutex_lock(&names.lock);
	*out = who ? kept_find(kind, who, generation) : NULL;
	similar_tracks = names.similar_tracks;
	pthread_mutex_unlock(&names.lock);
	if (*out)
		return 0;
	rc = names_read(kind, similar_tracks, out);
	if (rc || !who)
		return rc;
	/* The same names as before, for this caller: their folders' time
	 * stands, across restarts too (fs/tree/stamps.h). */
	snprintf(name, sizeof(name), "/playlists/names/%d/%d", (int)kind,
		 similar_tracks);
	(*out)->at = stamps_seen(name, who, (*out)->hash);
	pthread_mutex_lock(&names.lock);
	room = kept_room(kind, who);
	kept_drop(room);
	*room = (struct kept){ who, generation, ++names.used, similar_tracks,
			       *out };
	(*out)->refs++;
	pthread_mutex_unlock(&names.lock);
	return 0;
}

void playlists_names_put(struct playlists_names *ns)
{
	int last;

	pthread_mutex_lock(&names.lock);
	last = !--ns->refs;
	pthread_mutex_unlock(&names.lock);
	if (last)
		names_free(ns);
}

void playlists_set_similar_tracks(int n)
{
	pthread_mutex_lock(&names.lock);
	names.similar_tracks = n;
	pthread_mutex_unlock(&names.lock);
}

void playlists_names_clear(void)
{
	pthread_mutex_lock(&names.lock);
	for (size_t i = 0; i < PLAYLISTS_NAMES_KINDS; i++)
		for (size_t j = 0; j < PLAYLISTS_NAMES_KEPT; j++)
			kept_drop(&names.kept[i][j]);
	pthread_mutex_unlock(&names.lock);
}

void playlists_extinf_text(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		/* NEL (U+0085), LINE and PARAGRAPH SEPARATOR (U+2028/9) */
		size_t skip = p[0] == 0xc2 && p[1] == 0x85 ? 2 :
			p[0] == 0xe2 && p[1] == 0x80 &&
			(p[2] == 0xa8 || p[2] == 0xa9) ? 3 : 0;

		if (skip || *p < 0x20 || *p == 0x7f) {
			strbuf_addch(out, ' ');
			p += skip ? skip : 1;
		} else {
			strbuf_addch(out, (char)*p++);
		}
	}
}
