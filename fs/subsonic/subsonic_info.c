/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The artists' and albums' info of the Subsonic API (subsonic_info.h):
 * their covers' addresses, the album's MusicBrainz id, and the artists
 * alike from the analysis. It reads the music only through
 * subsonic_music.h and the index (subsonic_index.h), as the caller, and
 * asks no service.
 */
#include "fs/subsonic/subsonic_info.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "fs/subsonic/subsonic_auth.h"
#include "fs/subsonic/subsonic_index.h"
#include "fs/subsonic/subsonic_marks.h"
#include "fs/subsonic/subsonic_music.h"
#include "fs/tree/views.h"

#define DEFAULT_COUNT 20
#define MAX_COUNT 100

/* The artists alike being gathered. */
struct alike {
	const struct subsonic_index *ix;
	json_t *list;		/* what the answer lists */
	json_t *seen;		/* {id: true} of the artists met */
	size_t count;		/* how many it lists at most */
	int old;		/* as Artist, not ArtistID3 */
};

/* The object of kind ("artistId" or "albumId") id names itself, or that
 * of the song or album it names, into *out: 0 or an error. */
static int info_subject(const char *id, const char *prefix, const char *kind,
		    json_t **out)
{
	json_t *item = NULL;
	const char *of;
	int rc;

	if (!strncmp(id, prefix, 2))
		return subsonic_music_get(id, out);
	*out = NULL;
	if (strncmp(id, "al", 2) && strncmp(id, SUBSONIC_MARKS_SONG, 2))
		return SUBSONIC_NOT_FOUND;
	rc = subsonic_music_get(id, &item);
	of = json_string_value(json_object_get(item, kind));
	if (!rc)
		rc = of ? subsonic_music_get(of, out) : SUBSONIC_NOT_FOUND;
	json_decref(item);
	return rc;
}

/* The covers' addresses of info, from the coverArt of item, if any. */
static int add_images(json_t *info, json_t *item)
{
	static const struct {
		const char *member;
		int size;
	} sizes[] = {
		{ "smallImageUrl", SUBSONIC_INFO_SMALL },
		{ "mediumImageUrl", SUBSONIC_INFO_MEDIUM },
		{ "largeImageUrl", SUBSONIC_INFO_LARGE },
	};
	const char *cover = json_string_value(json_object_get(item,
							      "coverArt"));

	for (size_t i = 0; cover && i < sizeof(sizes) / sizeof(*sizes); i++)
		if (json_object_set_new(info, sizes[i].member, json_sprintf(
				"/rest/getCoverArt.view?id=%s&size=%d", cover,
				sizes[i].size)))
			return -ENOMEM;
	return 0;
}

/* List the artist id in a, unless met before or the account may not
 * read it. */
static int add_alike_artist(struct alike *a, const char *id)
{
	json_t *artist = NULL;
	int rc;

	if (json_object_get(a->seen, id))
		return 0;
	if (json_object_set_new(a->seen, id, json_true()))
		return -ENOMEM;
	rc = subsonic_music_get(id, &artist);
	if (rc == SUBSONIC_NOT_FOUND)
		return 0;
	if (!rc && a->old)
		rc = json_array_append_new(a->list, json_pack(
			"{s:O,s:O}", "id", json_object_get(artist, "id"),
			"name", json_object_get(artist, "name"))) ? -ENOMEM : 0;
	else if (!rc)
		rc = json_array_append(a->list, artist) ? -ENOMEM : 0;
	json_decref(artist);
	return rc;
}

/* The artists of the songs most alike the song of file, into a. */
static int alike_song(struct alike *a, int64_t file)
{
	char id[SUBSONIC_MARKS_ID_LEN];
	const struct subsonic_index_song *s;
	json_t *files = NULL, *f, *artist;
	size_t i;
	int rc;

	subsonic_marks_song_id(file, id);
	rc = subsonic_music_similar(id, &files);
	if (rc == SUBSONIC_NOT_FOUND)
		return 0;
	json_array_foreach(files, i, f) {
		if (rc || json_array_size(a->list) >= a->count)
			break;
		s = subsonic_index_find(a->ix, json_integer_value(f));
		if (!s)
			continue;
		artist = subsonic_music_artist_id(a->ix->albums[s->album].rel);
		rc = artist ? add_alike_artist(a, json_string_value(artist)) :
		     -ENOMEM;
		json_decref(artist);
	}
	json_decref(files);
	return rc;
}

/* The MusicBrainz id of the track file's attribute name (ATTR's), if
 * it has one, as info's musicBrainzId: 0 or -ENOMEM. */
static int add_mbid(json_t *info, int64_t file, const char *name)
{
	char buf[64];
	int n = views_track_attrs_held(file, name, buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return json_object_set_new(info, "musicBrainzId", json_string(buf)) ?
	       -ENOMEM : 0;
}

/* What the first SUBSONIC_INFO_SEEDS songs of the artist self give
 * info: the first MusicBrainz artist id of their tags, and the artists
 * of the songs alike them, into a. */
static int from_seeds(struct alike *a, const char *self, json_t *info)
{
	const struct subsonic_index_album *al;
	size_t seeds = 0;
	int64_t file;
	json_t *id;
	int rc = 0, mine;

	for (size_t i = 0; !rc && i < a->ix->nalbums &&
	     seeds < SUBSONIC_INFO_SEEDS; i++) {
		al = &a->ix->albums[i];
		id = subsonic_music_artist_id(al->rel);
		if (!id)
			return -ENOMEM;
		mine = !strcmp(json_string_value(id), self);
		json_decref(id);
		for (size_t j = 0; mine && !rc && j < al->nsongs &&
		     seeds < SUBSONIC_INFO_SEEDS; j++, seeds++) {
			file = a->ix->songs[al->song + j].file;
			if (!json_object_get(info, "musicBrainzId"))
				rc = add_mbid(info, file,
					      "user.mediamon.mb_artist_id");
			if (!rc && json_array_size(a->list) < a->count)
				rc = alike_song(a, file);
		}
	}
	return rc;
}

/* The musicBrainzId of info for the artist, and its similarArtist, count
 * of them. */
static int add_from_index(json_t *info, json_t *artist, size_t count,
			  int old)
{
	struct subsonic_index *ix = NULL;
	const char *self = json_string_value(json_object_get(artist, "id"));
	struct alike a = { NULL, json_array(), json_object(), count, old };
	int rc = a.list && a.seen && self ? 0 : -ENOMEM;

	if (!rc && json_object_set_new(a.seen, self, json_true()))
		rc = -ENOMEM;
	if (!rc)
		rc = subsonic_index_get(&ix);
	a.ix = ix;
	if (!rc)
		rc = from_seeds(&a, self, info);
	if (ix)
		subsonic_index_put(ix);
	if (!rc && json_array_size(a.list) &&
	    json_object_set(info, "similarArtist", a.list))
		rc = -ENOMEM;
	json_decref(a.list);
	json_decref(a.seen);
	return rc;
}

/* The count parameter: DEFAULT_COUNT when absent or no number, at most
 * MAX_COUNT. */
static size_t alike_count(subsonic_param_fn param, void *req)
{
	const char *v = param(req, "count");
	char *end;
	long n = v ? strtol(v, &end, 10) : -1;

	if (!v || !*v || *end || n < 0)
		return DEFAULT_COUNT;
	return n > MAX_COUNT ? MAX_COUNT : (size_t)n;
}

/* The subject of an info method: what the id parameter names if its
 * prefix is prefix, else the object of kind ("artistId", "albumId") of
 * the album or song it names, into *subject; and *info a new object.
 * 0 or an error. */
static int begin_info(subsonic_param_fn param, void *req,
		      const char *prefix, const char *kind, json_t **subject,
		      json_t **info)
{
	const char *id = param(req, "id");

	*subject = NULL;
	*info = json_object();
	if (!*info)
		return -ENOMEM;
	return id ? info_subject(id, prefix, kind, subject) :
	       SUBSONIC_MISSING;
}

int subsonic_info_artist(json_t *body, subsonic_param_fn param, void *req,
			 int old)
{
	json_t *artist, *info;
	int rc = begin_info(param, req, "ar", "artistId", &artist, &info);

	if (!rc)
		rc = add_images(info, artist);
	if (!rc)
		rc = add_from_index(info, artist, alike_count(param, req),
				    old);
	if (!rc && json_object_set(body, old ? "artistInfo" : "artistInfo2",
				   info))
		rc = -ENOMEM;
	json_decref(artist);
	json_decref(info);
	return rc;
}

/* The MusicBrainz id of the album's songs' tags, the first found, as
 * info's musicBrainzId. */
static int add_album_mbid(json_t *info, const char *id)
{
	json_t *body = json_object(), *song;
	size_t i;
	int rc = body ? subsonic_music_album(body, id) : -ENOMEM;

	json_array_foreach(json_object_get(json_object_get(body, "album"),
					   "song"), i, song) {
		if (rc || json_object_get(info, "musicBrainzId"))
			break;
		rc = add_mbid(info, subsonic_music_file(json_string_value(
			json_object_get(song, "id"))),
			"user.mediamon.mb_album_id");
	}
	json_decref(body);
	return rc;
}

int subsonic_info_album(json_t *body, subsonic_param_fn param, void *req)
{
	json_t *album, *info;
	int rc = begin_info(param, req, "al", "albumId", &album, &info);

	if (!rc)
		rc = add_album_mbid(info, json_string_value(
			json_object_get(album, "id")));
	if (!rc)
		rc = add_images(info, album);
	if (!rc && json_object_set(body, "albumInfo", info))
		rc = -ENOMEM;
	json_decref(album);
	json_decref(info);
	return rc;
}
