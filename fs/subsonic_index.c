/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic lists' index (subsonic_index.h): the albums and songs
 * subsonic_music_albums() finds for a caller, copied into plain arrays
 * and kept per caller identity and names generation. It answers no
 * request, judges no right itself and speaks no SQL.
 */
#include "fs/subsonic_index.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "fs/caller.h"
#include "fs/subsonic_auth.h"
#include "fs/subsonic_music.h"
#include "indexer/indexer.h"

static struct {
	pthread_mutex_t lock;	/* the kept ones */
	pthread_mutex_t build;	/* one gathering at a time */
	struct kept {
		uint64_t who, generation, used;
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
	}
	for (size_t i = 0; i < ix->nsongs; i++) {
		free(ix->songs[i].name);
		free(ix->songs[i].title);
	}
	free(ix->albums);
	free(ix->songs);
	free(ix->by_file);
	free(ix);
}

static char *copy(json_t *o, const char *name)
{
	const char *v = json_string_value(json_object_get(o, name));

	return strdup(v ? v : "");
}

/* Copy the songs of the album a (an item of subsonic_music_albums())
 * into ix from ix->nsongs on: 0 or -ENOMEM. */
static int add_songs(struct subsonic_index *ix, json_t *a, size_t album)
{
	json_t *files = json_object_get(a, "files");
	json_t *names = json_object_get(a, "names");
	json_t *songs = json_object_get(json_object_get(a, "album"), "song");

	for (size_t k = 0; k < json_array_size(files); k++) {
		struct subsonic_index_song *s = &ix->songs[ix->nsongs++];
		json_t *song = json_array_get(songs, k);

		s->file = json_integer_value(json_array_get(files, k));
		s->name = strdup(json_string_value(json_array_get(names, k)) ?
				 json_string_value(json_array_get(names, k)) :
				 "");
		s->title = copy(song, "title");
		s->year = json_integer_value(json_object_get(song, "year"));
		s->album = album;
		if (!s->name || !s->title)
			return -ENOMEM;
	}
	return 0;
}

/* Copy the album a into ix->albums[i] and its songs: 0 or -ENOMEM. */
static int add_album(struct subsonic_index *ix, json_t *a, size_t i)
{
	struct subsonic_index_album *al = &ix->albums[i];
	json_t *album = json_object_get(a, "album");
	struct strbuf rel = STRBUF_INIT;
	const char *id = json_string_value(json_object_get(album, "id"));

	ix->nalbums = i + 1;
	if (!id || subsonic_auth_unhex(id + 2, &rel)) {
		strbuf_release(&rel);
		return -ENOMEM;
	}
	al->rel = strbuf_detach(&rel, NULL);
	al->name = copy(album, "name");
	al->artist = copy(album, "artist");
	al->year = json_integer_value(json_object_get(album, "year"));
	al->last = json_integer_value(json_object_get(a, "last"));
	al->cover = json_object_get(album, "coverArt") != NULL;
	al->song = ix->nsongs;
	al->nsongs = json_array_size(json_object_get(a, "files"));
	if (!al->name || !al->artist)
		return -ENOMEM;
	return add_songs(ix, a, i);
}

static int by_file(const void *a, const void *b, void *arg)
{
	const struct subsonic_index *ix = arg;
	int64_t x = ix->songs[*(const size_t *)a].file;
	int64_t y = ix->songs[*(const size_t *)b].file;

	return x < y ? -1 : x > y;
}

/* Gather the index of this thread's caller into *out: 0 or a negative
 * errno value (logged). */
static int gather(struct subsonic_index **out)
{
	struct subsonic_index *ix = calloc(1, sizeof(*ix));
	size_t n = 0, i;
	json_t *all = NULL, *a;
	int rc = ix ? subsonic_music_albums(&all) : -ENOMEM;

	json_array_foreach(rc ? NULL : all, i, a)
		n += json_array_size(json_object_get(a, "files"));
	if (!rc) {
		ix->albums = calloc(json_array_size(all) + 1,
				    sizeof(*ix->albums));
		ix->songs = calloc(n + 1, sizeof(*ix->songs));
		ix->by_file = calloc(n + 1, sizeof(*ix->by_file));
		if (!ix->albums || !ix->songs || !ix->by_file)
			rc = -ENOMEM;
	}
	json_array_foreach(rc ? NULL : all, i, a)
		if ((rc = add_album(ix, a, i)))
			break;
	json_decref(all);
	for (i = 0; !rc && i < ix->nsongs; i++)
		ix->by_file[i] = i;
	if (!rc)
		qsort_r(ix->by_file, ix->nsongs, sizeof(*ix->by_file),
			by_file, ix);
	if (rc) {
		log_warn("subsonic: cannot gather the music for the lists:"
			 " %s", strerror(-rc));
		index_free(ix);
		ix = NULL;
	}
	*out = ix;
	return rc;
}

/* The kept index of who at generation, taken (its refs raised), or
 * NULL. Under keeper.lock. */
static struct subsonic_index *kept_take(uint64_t who, uint64_t generation)
{
	for (size_t i = 0; i < SUBSONIC_INDEX_KEPT; i++) {
		struct kept *k = &keeper.kept[i];

		if (k->ix && k->who == who && k->generation == generation) {
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
	*room = (struct kept){ who, generation, ++keeper.used, ix };
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
