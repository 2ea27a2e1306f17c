/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic lists' index (subsonic_index.h): the albums and songs
 * of the view a caller may see, walked as subsonic_music_albums() walks
 * it but their tags read at once for every track (track_attrs_titles()),
 * into plain arrays kept per caller identity and names generation. It
 * answers no request, judges no right itself and speaks no SQL.
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
	for (size_t i = 0; i < ix->nalbums; i++) {
		free(ix->albums[i].rel);
		free(ix->albums[i].name);
		free(ix->albums[i].artist);
		free(ix->albums[i].name_fold);
		free(ix->albums[i].artist_fold);
	}
	for (size_t i = 0; i < ix->nsongs; i++) {
		free(ix->songs[i].name);
		free(ix->songs[i].title);
		free(ix->songs[i].title_fold);
		free(ix->songs[i].genre);
	}
	free(ix->albums);
	free(ix->songs);
	free(ix->by_file);
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
		t->first_seen, t->year, ix->nalbums };
	if ((s->title && fold_name(s->title, &s->title_fold)) ||
	    (tag(t->genre) && !s->genre))
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
 * used least recently. Under keeper.lock. */
static void kept_put(struct subsonic_index *ix, uint64_t who,
		     uint64_t generation)
{
	struct kept *room = &keeper.kept[0];

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
		index_free(room->ix);
	*room = (struct kept){ who, generation, ++keeper.used, clock_mono(),
			       ix };
	ix->refs++;
}

int subsonic_index_get(struct subsonic_index **out)
{
	uint64_t who = caller_is_owner() ? 1 : caller_who();
	uint64_t generation = indexer_names_generation();
	int rc;

	pthread_mutex_lock(&keeper.lock);
	*out = who ? kept_take(who, generation) : NULL;
	pthread_mutex_unlock(&keeper.lock);
	if (*out)
		return 0;
	/* the callers that come meanwhile wait for this one's, not
	 * gather the same again */
	pthread_mutex_lock(&keeper.build);
	pthread_mutex_lock(&keeper.lock);
	*out = who ? kept_take(who, generation) : NULL;
	pthread_mutex_unlock(&keeper.lock);
	rc = *out ? 0 : gather(out);
	if (!rc && !(*out)->refs) {
		(*out)->refs = 1;
		pthread_mutex_lock(&keeper.lock);
		if (who)
			kept_put(*out, who, generation);
		pthread_mutex_unlock(&keeper.lock);
	}
	pthread_mutex_unlock(&keeper.build);
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
