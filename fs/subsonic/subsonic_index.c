/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic lists' index (subsonic_index.h): the albums and songs
 * of the view, walked as the owner as subsonic_music_albums() walks it
 * but their tags and paths read at once for every track
 * (track_attrs_titles()), into plain arrays; another caller's made from
 * the owner's, the songs it may read kept (caller_may_read_each()). Both
 * kept per caller identity and names generation. It answers no request,
 * judges no right itself (the caller layer does) and speaks no SQL.
 */
#include "fs/subsonic/subsonic_index.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/clock.h"
#include "common/fold.h"
#include "common/log.h"
#include "fs/tree/caller.h"
#include "fs/subsonic/subsonic_music.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

static struct {
	pthread_mutex_t lock;	/* the kept ones */
	pthread_mutex_t build;	/* one gathering at a time */
	struct kept {
		uint64_t who, generation, used;
		double at;	/* when gathered (clock_mono()) */
		struct subsonic_index *ix;
	} kept[SUBSONIC_INDEX_KEPT];
	uint64_t used;
} keeper = { .lock = PTHREAD_MUTEX_INITIALIZER,
	    .build = PTHREAD_MUTEX_INITIALIZER };

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
	/* the tags and the view read in one read transaction */
	int held = reader_hold(), rc = g.ix ? track_attrs_titles(&g.titles) :
		-ENOMEM;

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

/* The kept index of who at generation, taken (its refs raised), or
 * NULL. Under keeper.lock. */
static struct subsonic_index *kept_take(uint64_t who, uint64_t generation)
{
	for (size_t i = 0; i < SUBSONIC_INDEX_KEPT; i++) {
		struct kept *k = &keeper.kept[i];

		if (k->ix && k->who == who && k->generation == generation &&
		    (who == 1 || clock_mono() - k->at < SUBSONIC_INDEX_KEEP_S)) {
			k->used = ++keeper.used;
			k->ix->refs++;
			return k->ix;
		}
	}
	return NULL;
}

/* Keep ix for who at generation in the place of who's or of the one
 * used least recently. Under keeper.lock. Returns the index put out of
 * its place when that was its last reference, to free once the lock is
 * let go (a caller's own gives back the owner's), or NULL. */
static struct subsonic_index *kept_put(struct subsonic_index *ix,
				       uint64_t who, uint64_t generation)
{
	struct kept *room = &keeper.kept[0];
	struct subsonic_index *gone = NULL;

	for (size_t i = 0; i < SUBSONIC_INDEX_KEPT; i++) {
		struct kept *k = &keeper.kept[i];

		if (k->ix && k->who == who) {
			room = k;
			break;
		}
		if (room->ix && (!k->ix || k->used < room->used))
			room = k;
	}
	if (room->ix && !--room->ix->refs)
		gone = room->ix;
	*room = (struct kept){ who, generation, ++keeper.used, clock_mono(),
			       ix };
	ix->refs++;
	return gone;
}

/* The kept index of who at generation, taken, or NULL. */
static struct subsonic_index *take(uint64_t who, uint64_t generation)
{
	struct subsonic_index *ix;

	pthread_mutex_lock(&keeper.lock);
	ix = who ? kept_take(who, generation) : NULL;
	pthread_mutex_unlock(&keeper.lock);
	return ix;
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
 * reference it takes on success) with the songs whose files the caller
 * may read now, into *out: 0 or -ENOMEM (logged). */
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

int subsonic_index_get(struct subsonic_index **out)
{
	int owner = caller_is_owner();
	uint64_t who = owner ? 1 : caller_who();
	uint64_t generation = indexer_names_generation();
	struct subsonic_index *base = NULL, *gone = NULL;
	int rc;

	*out = take(who, generation);
	if (*out)
		return 0;
	if (!owner && (rc = owners(&base)))
		return rc;
	/* the callers that come meanwhile wait for this one's, not
	 * gather the same again */
	pthread_mutex_lock(&keeper.build);
	*out = take(who, generation);
	if (*out)
		rc = 0;
	else if (owner)
		rc = gather(out);
	else if (!(rc = derive(base, out)))
		base = NULL;	/* taken by the new one */
	if (!rc && !(*out)->refs) {
		(*out)->refs = 1;
		pthread_mutex_lock(&keeper.lock);
		if (who)
			gone = kept_put(*out, who, generation);
		pthread_mutex_unlock(&keeper.lock);
	}
	pthread_mutex_unlock(&keeper.build);
	index_free(gone);
	subsonic_index_put(base);
	return rc;
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
		memset(may, 1, n);
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

int subsonic_index_seen(const struct subsonic_index *ix, unsigned char *seen)
{
	size_t *songs = malloc((ix->nsongs + 1) * sizeof(*songs)), n = 0;
	unsigned char *may = malloc(ix->nsongs + 1);
	int rc = songs && may ? 0 : -ENOMEM;

	/* each album's first song, which mostly decides */
	for (size_t a = 0; !rc && a < ix->nalbums; a++)
		songs[a] = ix->albums[a].song;
	if (!rc)
		rc = subsonic_index_may(ix, songs, ix->nalbums, may);
	for (size_t a = 0; !rc && a < ix->nalbums; a++) {
		const struct subsonic_index_album *al = &ix->albums[a];

		seen[a] = may[a];
		for (size_t j = 1; !may[a] && j < al->nsongs; j++)
			songs[n++] = al->song + j;
	}
	/* then the others of those it did not */
	if (!rc && n)
		rc = subsonic_index_may(ix, songs, n, may);
	for (size_t i = 0; !rc && i < n; i++)
		if (may[i])
			seen[ix->songs[songs[i]].album] = 1;
	free(songs);
	free(may);
	return rc;
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
