/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic lists' index (subsonic_index.h): the albums and songs
 * of the view, walked as the owner as subsonic_music_albums() walks it
 * but their tags and paths read at once for every track
 * (track_attrs_titles()), into plain arrays; another caller's made from
 * the owner's, the songs it may read kept (caller_may_read_each()). Both
 * kept per caller identity, each of the names generation it was made
 * at, and made again on a thread of its own (mm-subsonic) once the
 * store's names move: the owner's first, then the accounts' asked for
 * lately. A request never waits for that: it is answered from the
 * index kept, of whatever generation, and says so
 * (subsonic_index_previous()); what went since is left out of its
 * answer by the judgement of the moment, what came shows once the
 * thread is done. A request waits only when there is no index to give:
 * the very first (the owner's walk), or an account's asked for the
 * first time or after SUBSONIC_INDEX_KEEP_S (made from the owner's kept
 * one, its files judged: no walk). It answers no request, judges no
 * right itself (the caller layer does) and speaks no SQL.
 */
#include "fs/subsonic/subsonic_index.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/clock.h"
#include "common/fold.h"
#include "common/log.h"
#include "common/thread.h"
#include "fs/tree/caller.h"
#include "fs/subsonic/subsonic_music.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* Who an account's index was made for, to make it again as that user. */
struct ident {
	uid_t uid;
	gid_t gid;
	int n;
	gid_t groups[CALLER_GROUPS];
};

static struct {
	pthread_mutex_t lock;	/* the kept ones, the refresher's flags */
	pthread_mutex_t build;	/* one making on a request at a time */
	pthread_cond_t wake;	/* the refresher's */
	pthread_t thread;
	int wake_ready, running, stopping, kicked, failed;
	struct kept {
		uint64_t who, generation, used;
		double at;	/* when made (clock_mono()) */
		double asked;	/* when a request last took it */
		struct ident id;	/* an account's */
		struct subsonic_index *ix;
	} kept[SUBSONIC_INDEX_KEPT];
	uint64_t used;
} keeper = { .lock = PTHREAD_MUTEX_INITIALIZER,
	    .build = PTHREAD_MUTEX_INITIALIZER };

/* Whether this thread's request was answered from an index of another
 * generation than the store's names (subsonic_index_previous()). */
static __thread int answered_previous;

static void index_free(struct subsonic_index *ix)
{
	if (!ix)
		return;
	/* a caller's own holds the owner's strings */
	for (size_t i = 0; !ix->base && i < ix->nalbums; i++) {
		free(ix->albums[i].rel);
		free(ix->albums[i].name);
		free(ix->albums[i].artist);
		free(ix->albums[i].name_fold);
		free(ix->albums[i].artist_fold);
	}
	for (size_t i = 0; !ix->base && i < ix->nsongs; i++) {
		free(ix->songs[i].name);
		free(ix->songs[i].title);
		free(ix->songs[i].title_fold);
		free(ix->songs[i].genre);
		free(ix->songs[i].path);
	}
	free(ix->albums);
	free(ix->songs);
	free(ix->by_file);
	subsonic_index_put(ix->base);
	free(ix);
}

/* An index being gathered, the room of its arrays and the tags of every
 * track, read at once. */
struct gathering {
	struct subsonic_index *ix;
	size_t albums_room, songs_room;
	struct track_titles titles;
};

/* Room for one more item in *v (of size bytes each, n held, *room
 * allotted): 0 or -ENOMEM. */
static int room(void **v, size_t n, size_t *room, size_t size)
{
	size_t more = *room ? 2 * *room : 64;
	void *grown;

	if (n < *room)
		return 0;
	grown = realloc(*v, more * size);
	if (!grown)
		return -ENOMEM;
	*v = grown;
	*room = more;
	return 0;
}

/* The tag text of a track, NULL when the store has none (an empty one is
 * none, as in the track's record). */
static const char *tag(const char *text)
{
	return text && *text ? text : NULL;
}

/* Add the track file named name to g as a song of the album al (not yet
 * counted), its tags' album name kept in *album when it has none yet:
 * 0, -ENODATA when file is no track's, or a negative errno value. */
static int add_song(struct gathering *g, struct subsonic_index_album *al,
		    const char *name, int64_t file, char **album)
{
	struct subsonic_index *ix = g->ix;
	const struct track_title *t = track_attrs_title(&g->titles, file);
	struct subsonic_index_song *s;
	int rc = room((void **)&ix->songs, ix->nsongs, &g->songs_room,
		      sizeof(*ix->songs));

	if (!rc && !t)
		rc = -ENODATA;
	if (rc)
		return rc;
	s = &ix->songs[ix->nsongs++];
	*s = (struct subsonic_index_song){ file, strdup(name),
		strdup(tag(t->title) ? t->title : name), NULL,
		tag(t->genre) ? strdup(t->genre) : NULL, t->duration,
		t->first_seen, t->year, ix->nalbums, strdup(t->path) };
	if ((s->title && fold_name(s->title, &s->title_fold)) ||
	    (tag(t->genre) && !s->genre) || !s->path)
		return -ENOMEM;
	if (!*album && tag(t->album) && !(*album = strdup(t->album)))
		return -ENOMEM;
	if (t->year > al->year)
		al->year = t->year;
	if (file > al->last)
		al->last = file;
	al->nsongs++;
	return s->name && s->title && s->title_fold ? 0 : -ENOMEM;
}

/* Add the album folder ALBUM of the artist folder ARTIST to g, with its
 * songs: none when it holds no track the caller sees. */
static int add_album(struct gathering *g, const char *artist,
		     const char *album)
{
	struct subsonic_index *ix = g->ix;
	struct subsonic_index_album al = { .song = ix->nsongs };
	char *path = NULL, *name = NULL;
	json_t *items = NULL, *item;
	size_t i;
	int rc = room((void **)&ix->albums, ix->nalbums, &g->albums_room,
		      sizeof(*ix->albums));

	if (!rc && asprintf(&path, "%s/%s/%s", SUBSONIC_MUSIC_TOP, artist,
			    album) < 0)
		rc = -ENOMEM;
	if (!rc)
		rc = subsonic_music_children(path, 0, &items);
	json_array_foreach(rc ? NULL : items, i, item) {
		const char *file = json_string_value(json_object_get(item,
								   "name"));

		rc = add_song(g, &al, file, json_integer_value(json_object_get(
			item, "file")), &name);
		/* the album folders hold their images too */
		if (rc == -ENODATA && !strncmp(file, "cover.", 6))
			al.cover = 1;
		if (rc == -ENODATA)
			rc = 0;
		if (rc)
			break;
	}
	json_decref(items);
	free(path);
	if (rc == SUBSONIC_NOT_FOUND || (!rc && !al.nsongs)) {
		free(name);
		return 0;
	}
	/* the tags' name, not the folder's (which the view may give a
	 * year) */
	al.name = name ? name : strdup(album);
	if (asprintf(&al.rel, "%s/%s", artist, album) < 0)
		al.rel = NULL;
	al.artist = strdup(artist);
	if (!rc && al.name && al.artist && (fold_name(al.name, &al.name_fold)
	    || fold_name(al.artist, &al.artist_fold)))
		rc = -ENOMEM;
	ix->albums[ix->nalbums++] = al;
	return rc ? rc : al.name && al.rel && al.artist ? 0 : -ENOMEM;
}
static int by_file(const void *a, const void *b, void *arg)
{
	const struct subsonic_index *ix = arg;
	int64_t x = ix->songs[*(const size_t *)a].file;
	int64_t y = ix->songs[*(const size_t *)b].file;

	return x < y ? -1 : x > y;
}

/* Add the albums of the artist folder artist to g. */
static int add_artist(struct gathering *g, const char *artist)
{
	json_t *albums = NULL, *album;
	char *path;
	size_t i;
	int rc = asprintf(&path, "%s/%s", SUBSONIC_MUSIC_TOP, artist) < 0 ?
		-ENOMEM : subsonic_music_children(path, 1, &albums);

	json_array_foreach(rc ? NULL : albums, i, album)
		if ((rc = add_album(g, artist, json_string_value(
				json_object_get(album, "name")))))
			break;
	json_decref(albums);
	free(path);
	return rc == SUBSONIC_NOT_FOUND ? 0 : rc;
}

/* Gather the index of this thread's caller into *out, walking the view
 * as subsonic_music_albums() does: 0 or a negative errno value
 * (logged). */
static int gather(struct subsonic_index **out)
{
	struct gathering g = { .ix = calloc(1, sizeof(*g.ix)) };
	json_t *artists = NULL, *artist;
	size_t i;
	int held, rc;

	/* read before the read transaction begins: a change committed
	 * after it leaves the index of the generation before, made again.
	 * Read after, the index of a store as it was before a change was
	 * taken for the store's after it, and kept until the next. */
	if (g.ix)
		g.ix->generation = indexer_names_generation();
	/* the tags and the view read in one read transaction */
	held = reader_hold();
	rc = g.ix ? track_attrs_titles(&g.titles) : -ENOMEM;
	if (!rc)
		rc = subsonic_music_children(SUBSONIC_MUSIC_TOP, 1, &artists);

	json_array_foreach(rc ? NULL : artists, i, artist)
		if ((rc = add_artist(&g, json_string_value(json_object_get(
				artist, "name")))))
			break;
	if (!held)
		reader_release();
	track_attrs_titles_free(&g.titles);
	json_decref(artists);
	if (rc == SUBSONIC_NOT_FOUND)
		rc = 0;
	if (!rc) {
		g.ix->by_file = calloc(g.ix->nsongs + 1,
				       sizeof(*g.ix->by_file));
		rc = g.ix->by_file ? 0 : -ENOMEM;
	}
	for (i = 0; !rc && i < g.ix->nsongs; i++)
		g.ix->by_file[i] = i;
	if (!rc)
		qsort_r(g.ix->by_file, g.ix->nsongs, sizeof(*g.ix->by_file),
			by_file, g.ix);
	if (rc) {
		log_warn("subsonic: cannot gather the music for the lists:"
			 " %s", strerror(-rc));
		index_free(g.ix);
		g.ix = NULL;
	}
	*out = g.ix;
	return rc;
}

/* The kept index of who, taken (its refs raised), or NULL: of whatever
 * generation (of generation alone when no thread makes it again), a
 * caller other than the owner's only while it is young. Under
 * keeper.lock. */
static struct subsonic_index *kept_take(uint64_t who, uint64_t generation)
{
	double now = clock_mono();

	for (size_t i = 0; i < SUBSONIC_INDEX_KEPT; i++) {
		struct kept *k = &keeper.kept[i];

		if (!k->ix || k->who != who)
			continue;
		if ((who != 1 && now - k->at >= SUBSONIC_INDEX_KEEP_S) ||
		    (keeper.failed && k->generation != generation))
			return NULL;
		k->used = ++keeper.used;
		k->asked = now;
		k->ix->refs++;
		return k->ix;
	}
	return NULL;
}

/* Keep ix for who (whose identity is id; NULL for the owner) in the
 * place of who's or of the one used least recently but the owner's,
 * which the others are made from. Under keeper.lock. Returns the index
 * put out of its place when that was its last reference, to free once
 * the lock is let go (a caller's own gives back the owner's), or NULL. */
static struct subsonic_index *kept_put(struct subsonic_index *ix,
				       uint64_t who, const struct ident *id)
{
	struct kept *room = NULL;
	struct subsonic_index *gone = NULL;
	double now = clock_mono(), asked = now;

	for (size_t i = 0; i < SUBSONIC_INDEX_KEPT; i++) {
		struct kept *k = &keeper.kept[i];

		if (k->ix && k->who == who) {
			room = k;
			asked = k->asked;
			break;
		}
		if (k->ix && k->who == 1)
			continue;
		if (!room || (room->ix && (!k->ix || k->used < room->used)))
			room = k;
	}
	if (room->ix && !--room->ix->refs)
		gone = room->ix;
	room->who = who;
	room->used = ++keeper.used;
	room->at = now;
	room->asked = asked;
	room->ix = ix;
	if (id)
		room->id = *id;
	ix->refs++;
	return gone;
}

/* The kept index of who, taken, or NULL. */
static struct subsonic_index *take(uint64_t who)
{
	uint64_t generation = indexer_names_generation();
	struct subsonic_index *ix;

	pthread_mutex_lock(&keeper.lock);
	ix = who ? kept_take(who, generation) : NULL;
	pthread_mutex_unlock(&keeper.lock);
	return ix;
}

/* Keep ix, just made (no reference yet but the one this gives the
 * keeper), for who of identity id (NULL for the owner). */
static void index_keep(struct subsonic_index *ix, uint64_t who,
		 const struct ident *id)
{
	struct subsonic_index *gone;

	pthread_mutex_lock(&keeper.lock);
	gone = kept_put(ix, who, id);
	pthread_mutex_unlock(&keeper.lock);
	index_free(gone);
}

/* The songs of the album a of base that may holds to, appended to ix with
 * their places there kept in place (by base's): the album too when it
 * keeps one. */
static void derive_album(struct subsonic_index *ix,
			 const struct subsonic_index *base, size_t a,
			 const unsigned char *may, size_t *place)
{
	struct subsonic_index_album al = base->albums[a];

	al.song = ix->nsongs;
	al.nsongs = 0;
	al.year = 0;
	al.last = 0;
	for (size_t j = base->albums[a].song;
	     j < base->albums[a].song + base->albums[a].nsongs; j++) {
		struct subsonic_index_song *s;

		if (!may[j])
			continue;
		place[j] = ix->nsongs;
		s = &ix->songs[ix->nsongs++];
		*s = base->songs[j];
		s->album = ix->nalbums;
		if (s->year > al.year)
			al.year = s->year;
		if (s->file > al.last)
			al.last = s->file;
		al.nsongs++;
	}
	if (al.nsongs)
		ix->albums[ix->nalbums++] = al;
}

/* The index of this thread's caller, made from base (the owner's, whose
 * reference it takes on success, and whose generation it is of) with
 * the songs whose files the caller may read now, into *out: 0 or
 * -ENOMEM (logged). */
static int derive(struct subsonic_index *base, struct subsonic_index **out)
{
	struct subsonic_index *ix = calloc(1, sizeof(*ix));
	size_t n = base->nsongs, k = 0;
	size_t *place = malloc((n + 1) * sizeof(*place));
	unsigned char *may = malloc(n + 1);
	int rc = ix && place && may ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i < n; i++)
		place[i] = i;
	if (!rc)
		rc = subsonic_index_may(base, place, n, may);
	if (!rc) {
		ix->songs = malloc((n + 1) * sizeof(*ix->songs));
		ix->albums = malloc((base->nalbums + 1) * sizeof(*ix->albums));
		ix->by_file = malloc((n + 1) * sizeof(*ix->by_file));
		if (!ix->songs || !ix->albums || !ix->by_file)
			rc = -ENOMEM;
	}
	for (size_t a = 0; !rc && a < base->nalbums; a++)
		derive_album(ix, base, a, may, place);
	/* base's order by file, the songs it keeps */
	for (size_t i = 0; !rc && i < n; i++)
		if (may[base->by_file[i]])
			ix->by_file[k++] = place[base->by_file[i]];
	free(place);
	free(may);
	if (rc) {
		log_warn("subsonic: cannot make an account's music for the"
			 " lists: %s", strerror(-rc));
		index_free(ix);
		return rc;
	}
	ix->base = base;
	ix->generation = base->generation;
	*out = ix;
	return 0;
}

/* The owner's index, as the owner: 0 or a negative errno value. */
static int owners(struct subsonic_index **base)
{
	int rc;

	caller_begin_owner();
	rc = subsonic_index_get(base);
	caller_end_owner();
	return rc;
}

/* Make the index of this thread's caller, who (1: the owner), when none
 * is kept, into *out: the owner's gathered, another's made from the
 * owner's kept one (of whatever generation). 0 or a negative errno
 * value. */
static int index_make(uint64_t who, struct subsonic_index **out)
{
	struct subsonic_index *base = NULL;
	struct ident id;
	int rc = 0;

	if (who != 1 && caller_identity(&id.uid, &id.gid, id.groups, &id.n))
		return -EACCES;
	if (who != 1 && (rc = owners(&base)))
		return rc;
	/* the callers that come meanwhile wait for this one's, not make
	 * the same again */
	pthread_mutex_lock(&keeper.build);
	*out = take(who);
	if (!*out && who == 1)
		rc = gather(out);
	else if (!*out && !(rc = derive(base, out)))
		base = NULL;	/* taken by the new one */
	if (!rc && !(*out)->refs) {
		(*out)->refs = 1;
		index_keep(*out, who, who == 1 ? NULL : &id);
	}
	pthread_mutex_unlock(&keeper.build);
	subsonic_index_put(base);
	return rc;
}

/* The refresher's rest after a round that took took seconds: three
 * times that, so that a library that keeps changing (a long scan, on a
 * Pi) has it work at most a quarter of the time. Under keeper.lock; a
 * stop ends it. */
static void rest(double took)
{
	struct timespec at;

	took *= 3;
	clock_gettime(CLOCK_MONOTONIC, &at);
	at.tv_sec += (time_t)took;
	at.tv_nsec += (long)((took - (double)(time_t)took) * 1e9);
	at.tv_sec += at.tv_nsec / 1000000000L;
	at.tv_nsec %= 1000000000L;
	while (!keeper.stopping && pthread_cond_timedwait(&keeper.wake,
				&keeper.lock, &at) != ETIMEDOUT)
		;
}

/* Make again, as who of identity id, the index of an account from base
 * (the owner's, a reference of which it takes), and keep it. */
static void refresh_account(struct subsonic_index *base, uint64_t who,
			    const struct ident *id)
{
	struct subsonic_index *ix;

	caller_begin_user(id->uid, id->gid, id->groups, id->n);
	pthread_mutex_lock(&keeper.lock);
	base->refs++;
	pthread_mutex_unlock(&keeper.lock);
	if (derive(base, &ix))
		subsonic_index_put(base);
	else
		index_keep(ix, who, id);
	caller_as_daemon();
}

/* The owner's index gathered again when the store's names moved since
 * it was, then each account's asked for in the last
 * SUBSONIC_INDEX_KEEP_S seconds made from it. Nothing before the first
 * request made one. */
static void index_refresh(void)
{
	struct subsonic_index *base = take(1);
	struct ident id;
	uint64_t who;
	int due;

	if (base && base->generation != indexer_names_generation()) {
		subsonic_index_put(base);
		if (gather(&base))
			return;
		base->refs = 1;
		index_keep(base, 1, NULL);
	}
	for (size_t i = 0; base && i < SUBSONIC_INDEX_KEPT; i++) {
		struct kept *k = &keeper.kept[i];

		pthread_mutex_lock(&keeper.lock);
		due = k->ix && k->who != 1 &&
		      k->generation != base->generation &&
		      clock_mono() - k->asked < SUBSONIC_INDEX_KEEP_S;
		if (due) {
			who = k->who;
			id = k->id;
		}
		pthread_mutex_unlock(&keeper.lock);
		if (due)
			refresh_account(base, who, &id);
	}
	subsonic_index_put(base);
}

static void *refresher_main(void *unused)
{
	sigset_t all;
	double began;

	(void)unused;
	/* started by a request's thread: the stop signals stay main's */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	caller_as_daemon();
	pthread_mutex_lock(&keeper.lock);
	while (!keeper.stopping) {
		if (!keeper.kicked) {
			pthread_cond_wait(&keeper.wake, &keeper.lock);
			continue;
		}
		keeper.kicked = 0;
		pthread_mutex_unlock(&keeper.lock);
		began = clock_mono();
		index_refresh();
		pthread_mutex_lock(&keeper.lock);
		rest(clock_mono() - began);
	}
	pthread_mutex_unlock(&keeper.lock);
	reader_close();
	return NULL;
}

/* Wake the refresher, if it runs: the store moved (the writer's thread
 * tells, reader_on_move()), or a request was answered from an index of
 * another generation. */
static void kick(void)
{
	pthread_mutex_lock(&keeper.lock);
	if (keeper.running) {
		keeper.kicked = 1;
		pthread_cond_signal(&keeper.wake);
	}
	pthread_mutex_unlock(&keeper.lock);
}

/* Start the refresher unless it runs: 0 or a negative errno value
 * (logged; the lists are then made again on their requests, as
 * kept_take() gives no index of another generation). */
static int refresher_start(void)
{
	pthread_condattr_t attr;
	int rc = 0;

	pthread_mutex_lock(&keeper.lock);
	if (!keeper.wake_ready) {
		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&keeper.wake, &attr);
		pthread_condattr_destroy(&attr);
		keeper.wake_ready = 1;
		/* without it, a request that finds the index of another
		 * generation wakes the refresher */
		reader_on_move(kick);
	}
	if (!keeper.running && !keeper.failed) {
		keeper.stopping = 0;
		keeper.kicked = 1;
		rc = thread_start(&keeper.thread, refresher_main, NULL,
				  "mm-subsonic");
		if (rc)
			log_error(rc, "subsonic: cannot start the thread that"
				  " makes the lists' index again: a list after"
				  " a change gets the index before");
		keeper.running = !rc;
		keeper.failed = !!rc;
	}
	pthread_mutex_unlock(&keeper.lock);
	return rc;
}

int subsonic_index_get(struct subsonic_index **out)
{
	int owner = caller_is_owner();
	uint64_t who = owner ? 1 : caller_who();
	int rc;

	*out = take(who);
	rc = *out ? 0 : index_make(who, out);
	if (rc)
		return rc;
	if ((*out)->generation != indexer_names_generation()) {
		answered_previous = 1;
		kick();
	}
	refresher_start();
	return 0;
}

int subsonic_index_previous(void)
{
	int was = answered_previous;

	answered_previous = 0;
	return was;
}

void subsonic_index_stop(void)
{
	struct subsonic_index *gone;

	if (!keeper.running)
		return;
	thread_stop(keeper.thread, &keeper.lock, &keeper.wake,
		    &keeper.stopping);
	pthread_mutex_lock(&keeper.lock);
	keeper.running = 0;
	keeper.stopping = 0;
	pthread_mutex_unlock(&keeper.lock);
	for (size_t i = 0; i < SUBSONIC_INDEX_KEPT; i++) {
		pthread_mutex_lock(&keeper.lock);
		gone = keeper.kept[i].ix;
		keeper.kept[i].ix = NULL;
		pthread_mutex_unlock(&keeper.lock);
		subsonic_index_put(gone);
	}
}

void subsonic_index_put(struct subsonic_index *ix)
{
	int last;

	if (!ix)
		return;
	pthread_mutex_lock(&keeper.lock);
	last = !--ix->refs;
	pthread_mutex_unlock(&keeper.lock);
	if (last)
		index_free(ix);
}

int subsonic_index_may(const struct subsonic_index *ix,
		       const size_t *songs, size_t n, unsigned char *may)
{
	char **paths;

	if (caller_is_owner()) {
		int current = ix->generation == indexer_names_generation();

		/* of another generation: the files still there */
		for (size_t i = 0; i < n; i++)
			may[i] = current ||
				 !access(ix->songs[songs[i]].path, F_OK);
		return 0;
	}
	paths = malloc((n + 1) * sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		paths[i] = ix->songs[songs[i]].path;
	caller_may_read_each(paths, n, may);
	free(paths);
	return 0;
}

int subsonic_index_seen(const struct subsonic_index *ix, size_t from,
			size_t to, unsigned char *seen)
{
	size_t n = 0, room = 1;
	size_t *songs;
	unsigned char *may;
	int rc;

	for (size_t a = from; a < to; a++)
		room += ix->albums[a].nsongs;
	songs = calloc(room, sizeof(*songs));
	may = malloc(room);
	rc = songs && may ? 0 : -ENOMEM;
	/* each album's first song, which mostly decides */
	for (size_t a = from; !rc && a < to; a++)
		songs[a - from] = ix->albums[a].song;
	if (!rc)
		rc = subsonic_index_may(ix, songs, to - from, may);
	for (size_t a = from; !rc && a < to; a++) {
		const struct subsonic_index_album *al = &ix->albums[a];

		seen[a - from] = may[a - from];
		for (size_t j = 1; !may[a - from] && j < al->nsongs; j++)
			songs[n++] = al->song + j;
	}
	/* then the others of those it did not */
	if (!rc && n)
		rc = subsonic_index_may(ix, songs, n, may);
	for (size_t i = 0; !rc && i < n; i++)
		if (may[i])
			seen[ix->songs[songs[i]].album - from] = 1;
	free(songs);
	free(may);
	return rc;
}

int subsonic_index_seen_any(const struct subsonic_index *ix, size_t from,
			    size_t to)
{
	unsigned char *seen = malloc(to - from + 1);
	int any = 0;

	if (seen && !subsonic_index_seen(ix, from, to, seen))
		any = memchr(seen, 1, to - from) != NULL;
	free(seen);
	return any;
}

const struct subsonic_index_song *
subsonic_index_find(const struct subsonic_index *ix, int64_t file)
{
	size_t lo = 0, hi = ix->nsongs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct subsonic_index_song *s =
			&ix->songs[ix->by_file[mid]];

		if (s->file == file)
			return s;
		if (s->file < file)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
