/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic API's lists (subsonic_lists.h): getIndexes,
 * getAlbumList2, getRandomSongs and search3, chosen, ordered and cut
 * from the albums subsonic_music_albums() gathers as the caller. It
 * reads no parameter but through the one it is given and speaks no
 * SQL.
 */
#include "fs/subsonic_lists.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "fs/subsonic_auth.h"
#include "fs/subsonic_genres.h"
#include "fs/subsonic_marks.h"
#include "fs/subsonic_music.h"

#define MAX_SIZE 500

/* The number parameter name, def when not given, clamped to 0..max. */
static long number(subsonic_param_fn param, void *req, const char *name,
		   long def, long max)
{
	const char *v = param(req, name);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	if (*end || n < 0)
		return def;
	return n > max ? max : n;
}

/* Shuffle the array a in place (Fisher-Yates, over xorshift64 from the
 * kernel's seed: another order each time, not a secret one). */
static void shuffle(json_t *a)
{
	uint64_t x = 0;

	if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != (ssize_t)sizeof(x) ||
	    !x)
		x = (uint64_t)(uintptr_t)a | 1;
	for (size_t i = json_array_size(a); i > 1; i--) {
		size_t k;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		k = (size_t)(x % i);
		json_t *x = json_incref(json_array_get(a, i - 1));

		json_array_set(a, i - 1, json_array_get(a, k));
		json_array_set_new(a, k, x);
	}
}

/* Sort the array a with cmp (over its items). */
static int sort(json_t *a, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(a);
	json_t **v = malloc((n ? n : 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	qsort(v, n, sizeof(*v), cmp);
	for (size_t i = 0; i < n; i++)
		json_array_set_new(a, i, v[i]);
	free(v);
	return 0;
}

static const char *album_str(const void *p, const char *name)
{
	const char *s = json_string_value(json_object_get(json_object_get(
		*(json_t *const *)p, "album"), name));

	return s ? s : "";
}

static json_int_t album_int(const void *p, const char *name)
{
	json_t *o = *(json_t *const *)p;

	if (strcmp(name, "last"))
		o = json_object_get(o, "album");
	return json_integer_value(json_object_get(o, name));
}

static int by_name(const void *a, const void *b)
{
	return strcasecmp(album_str(a, "name"), album_str(b, "name"));
}

static int by_artist(const void *a, const void *b)
{
	int d = strcasecmp(album_str(a, "artist"), album_str(b, "artist"));

	return d ? d : by_name(a, b);
}

static int by_last(const void *a, const void *b)
{
	json_int_t x = album_int(a, "last"), y = album_int(b, "last");

	return x < y ? 1 : x > y ? -1 : 0;
}

static int by_year(const void *a, const void *b)
{
	json_int_t x = album_int(a, "year"), y = album_int(b, "year");

	return x < y ? -1 : x > y ? 1 : by_name(a, b);
}

/* Whether year is between from and to (either way round; 0 is open). */
static int within(json_int_t year, long from, long to)
{
	long lo = from < to || !to ? from : to, hi = from < to ? to : from;

	if (from && to)
		return year >= lo && year <= hi;
	return (!from || year >= from) && (!to || year <= to);
}

/* Keep the items of a whose year (of their "album" when albums) is
 * within from and to. */
static void keep_years(json_t *a, long from, long to, int albums)
{
	for (size_t i = json_array_size(a); i-- > 0;) {
		json_t *o = json_array_get(a, i);

		if (albums)
			o = json_object_get(o, "album");
		if (!within(json_integer_value(json_object_get(o, "year")),
			    from, to))
			json_array_remove(a, i);
	}
}

/* The items offset.. offset + size - 1 of a (their "album" when
 * albums), without their songs, as a new array. */
static json_t *page(json_t *a, size_t offset, size_t size, int albums)
{
	json_t *out = json_array(), *o;

	for (size_t i = offset; out && i < json_array_size(a) &&
	     i < offset + size; i++) {
		o = json_array_get(a, i);
		if (albums)
			o = json_object_get(o, "album");
		o = json_deep_copy(o);
		if (o)
			json_object_del(o, "song");
		if (json_array_append_new(out, o)) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* The AlbumID3 of the albums a, or with songs every song of them, as a
 * new array. */
static json_t *gather(json_t *a, int songs)
{
	json_t *out = json_array(), *item, *album;
	size_t i;

	json_array_foreach(a, i, item) {
		album = json_object_get(item, "album");
		if (out && (songs ? json_array_extend(out,
				json_object_get(album, "song")) :
			    json_array_append(out, album))) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

int subsonic_lists_indexes(json_t *body, subsonic_param_fn param,
			   void *req)
{
	json_t *index;
	int rc;

	(void)param;
	(void)req;
	rc = subsonic_music_artists(body);
	if (rc)
		return rc;
	index = json_incref(json_object_get(body, "artists"));
	json_object_del(body, "artists");
	if (json_object_set_new(index, "lastModified", json_integer(0))) {
		json_decref(index);
		return -ENOMEM;
	}
	return json_object_set_new(body, "indexes", index) ? -ENOMEM : 0;
}

/* The files.id of a genre, sorted, to look up. */
struct genre_files {
	json_int_t *v;
	size_t n;
};

static int cmp_id(const void *a, const void *b)
{
	json_int_t x = *(const json_int_t *)a, y = *(const json_int_t *)b;

	return x < y ? -1 : x > y;
}

/* The tracks of genre into g: 0 or a negative errno value. */
static int genre_files(const char *genre, struct genre_files *g)
{
	json_t *files, *v;
	size_t i;
	int rc = subsonic_genres_files(genre, &files);

	if (rc)
		return rc;
	g->n = json_array_size(files);
	g->v = malloc((g->n ? g->n : 1) * sizeof(*g->v));
	json_array_foreach(g->v ? files : NULL, i, v)
		g->v[i] = json_integer_value(v);
	json_decref(files);
	if (!g->v)
		return -ENOMEM;
	qsort(g->v, g->n, sizeof(*g->v), cmp_id);
	return 0;
}

static int in_genre(const struct genre_files *g, json_t *file)
{
	json_int_t id = json_integer_value(file);

	return bsearch(&id, g->v, g->n, sizeof(*g->v), cmp_id) != NULL;
}

/* Keep the albums of a (as subsonic_music_albums() gives them) with a
 * track of g, each with only those songs when songs_only. */
static void keep_genre(json_t *a, const struct genre_files *g,
		       int songs_only)
{
	for (size_t i = json_array_size(a); i-- > 0;) {
		json_t *item = json_array_get(a, i);
		json_t *files = json_object_get(item, "files");
		json_t *songs = json_object_get(json_object_get(item, "album"),
						"song");
		size_t keep = 0;

		for (size_t k = json_array_size(files); k-- > 0;) {
			if (in_genre(g, json_array_get(files, k)))
				keep++;
			else if (songs_only)
				json_array_remove(songs, k);
		}
		if (!keep)
			json_array_remove(a, i);
	}
}

int subsonic_lists_albums(json_t *body, subsonic_param_fn param, void *req)
{
	static const struct {
		const char *type;
		int (*cmp)(const void *, const void *);
	} types[] = {
		{ "random", NULL },
		{ "newest", by_last },
		{ "alphabeticalByName", by_name },
		{ "alphabeticalByArtist", by_artist },
		{ "byYear", by_year },
		{ "byGenre", by_name },
	};
	struct genre_files g = { NULL, 0 };
	const char *genre = param(req, "genre");
	const char *type = param(req, "type");
	long from = number(param, req, "fromYear", 0, 9999);
	long to = number(param, req, "toYear", 0, 9999);
	json_t *all, *out;
	size_t t;
	int rc;

	if (!type)
		return SUBSONIC_MISSING;
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		if (!strcmp(types[t].type, type))
			break;
	if (t == sizeof(types) / sizeof(types[0]))
		return SUBSONIC_NOT_FOUND;
	if ((types[t].cmp == by_year && (!from || !to)) ||
	    (!strcmp(type, "byGenre") && !genre))
		return SUBSONIC_MISSING;
	rc = subsonic_music_albums(&all);
	if (!rc && !strcmp(type, "byGenre"))
		rc = genre_files(genre, &g);
	if (!rc && !strcmp(type, "byGenre"))
		keep_genre(all, &g, 0);
	free(g.v);
	if (rc) {
		json_decref(all);
		return rc;
	}
	if (types[t].cmp == by_year)
		keep_years(all, from, to, 1);
	rc = types[t].cmp ? sort(all, types[t].cmp) : (shuffle(all), 0);
	/* byYear from a later year to an earlier one goes backwards */
	if (!rc && types[t].cmp == by_year && from > to)
		for (size_t i = 0, n = json_array_size(all); i < n / 2; i++) {
			json_t *x = json_incref(json_array_get(all, i));

			json_array_set(all, i, json_array_get(all, n - 1 - i));
			json_array_set_new(all, n - 1 - i, x);
		}
	out = rc ? NULL : page(all, number(param, req, "offset", 0, LONG_MAX),
				number(param, req, "size", 10, MAX_SIZE), 1);
	json_decref(all);
	if (rc)
		return rc;
	return out && !json_object_set_new(body, "albumList2",
		json_pack("{s:o}", "album", out)) ? 0 : -ENOMEM;
}

int subsonic_lists_random(json_t *body, subsonic_param_fn param, void *req)
{
	json_t *all, *songs = NULL, *out = NULL;
	int rc = subsonic_music_albums(&all);

	if (rc)
		return rc;
	songs = gather(all, 1);
	json_decref(all);
	if (songs) {
		keep_years(songs, number(param, req, "fromYear", 0, 9999),
			   number(param, req, "toYear", 0, 9999), 0);
		shuffle(songs);
		out = page(songs, 0, number(param, req, "size", 10, MAX_SIZE),
			   0);
	}
	json_decref(songs);
	return out && !json_object_set_new(body, "randomSongs",
		json_pack("{s:o}", "song", out)) ? 0 : -ENOMEM;
}

/* Keep the items of a whose member name holds query, case aside. */
static void keep_matches(json_t *a, const char *name, const char *query)
{
	if (!*query)
		return;
	for (size_t i = json_array_size(a); i-- > 0;) {
		const char *v = json_string_value(json_object_get(
			json_array_get(a, i), name));

		if (!v || !strcasestr(v, query))
			json_array_remove(a, i);
	}
}

/* Page the items of a matching query into the member name of result,
 * by count and offset named after what. */
static int add_found(json_t *result, const char *name, json_t *a,
		     const char *member, const char *query,
		     subsonic_param_fn param, void *req, const char *what)
{
	char count[32], offset[32];

	keep_matches(a, member, query);
	snprintf(count, sizeof(count), "%sCount", what);
	snprintf(offset, sizeof(offset), "%sOffset", what);
	return json_object_set_new(result, name, page(a,
		number(param, req, offset, 0, LONG_MAX),
		number(param, req, count, 20, MAX_SIZE), 0)) ? -ENOMEM : 0;
}

/* The artists of the albums a (in the view's order: an artist's albums
 * follow one another), as a new array. */
static json_t *artists_of(json_t *a)
{
	json_t *out = json_array(), *item, *album, *entry;
	const char *last = "", *artist;
	size_t i;

	json_array_foreach(a, i, item) {
		album = json_object_get(item, "album");
		artist = json_string_value(json_object_get(album, "artist"));
		if (!out || !artist || !strcmp(last, artist))
			continue;
		last = artist;
		entry = json_pack("{s:O,s:s}", "id", json_object_get(album,
				  "artistId"), "name", artist);
		subsonic_marks_add(entry, json_string_value(json_object_get(
			album, "artistId")));
		if (json_array_append_new(out, entry)) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

int subsonic_lists_search(json_t *body, subsonic_param_fn param, void *req)
{
	const char *query = param(req, "query");
	json_t *all, *artists, *albums, *songs, *result;
	int rc;

	if (!query)
		return SUBSONIC_MISSING;
	if (!strcmp(query, "\"\""))
		query = "";
	rc = subsonic_music_albums(&all);
	if (rc)
		return rc;
	artists = artists_of(all);
	albums = gather(all, 0);
	songs = gather(all, 1);
	result = json_object();
	rc = artists && albums && songs && result ? 0 : -ENOMEM;
	if (!rc)
		rc = add_found(result, "artist", artists, "name", query, param,
			       req, "artist");
	if (!rc)
		rc = add_found(result, "album", albums, "name", query, param,
			       req, "album");
	if (!rc)
		rc = add_found(result, "song", songs, "title", query, param,
			       req, "song");
	if (!rc && json_object_set(body, "searchResult3", result))
		rc = -ENOMEM;
	json_decref(result);
	json_decref(songs);
	json_decref(albums);
	json_decref(artists);
	json_decref(all);
	return rc;
}

/* The song of the albums a whose file is file, or NULL. */
static json_t *song_of(json_t *a, json_int_t file)
{
	json_t *item, *v;
	size_t i, k;

	json_array_foreach(a, i, item)
		json_array_foreach(json_object_get(item, "files"), k, v)
			if (json_integer_value(v) == file)
				return json_array_get(json_object_get(
					json_object_get(item, "album"), "song"),
					k);
	return NULL;
}

int subsonic_lists_similar(json_t *body, const char *member,
			   subsonic_param_fn param, void *req)
{
	const char *id = param(req, "id");
	size_t count = number(param, req, "count", 50, MAX_SIZE);
	json_t *files, *all = NULL, *out = json_array(), *v, *song;
	size_t i;
	int rc;

	if (!id) {
		json_decref(out);
		return SUBSONIC_MISSING;
	}
	rc = subsonic_music_similar(id, &files);
	if (!rc)
		rc = out ? subsonic_music_albums(&all) : -ENOMEM;
	json_array_foreach(rc ? NULL : files, i, v) {
		song = song_of(all, json_integer_value(v));
		if (json_array_size(out) == count)
			break;
		if (song && json_array_append(out, song)) {
			rc = -ENOMEM;
			break;
		}
	}
	if (!rc && json_object_set_new(body, member,
				       json_pack("{s:O}", "song", out)))
		rc = -ENOMEM;
	json_decref(out);
	json_decref(all);
	json_decref(files);
	return rc;
}

int subsonic_lists_genre_songs(json_t *body, subsonic_param_fn param,
			       void *req)
{
	const char *genre = param(req, "genre");
	struct genre_files g = { NULL, 0 };
	json_t *all, *songs = NULL, *out = NULL;
	int rc;

	if (!genre)
		return SUBSONIC_MISSING;
	rc = subsonic_music_albums(&all);
	if (!rc)
		rc = genre_files(genre, &g);
	if (!rc) {
		keep_genre(all, &g, 1);
		songs = gather(all, 1);
		out = songs ? page(songs, number(param, req, "offset", 0,
						 LONG_MAX),
				   number(param, req, "count", 10, MAX_SIZE),
				   0) : NULL;
		rc = out && !json_object_set_new(body, "songsByGenre",
			json_pack("{s:o}", "song", out)) ? 0 : -ENOMEM;
	}
	free(g.v);
	json_decref(songs);
	json_decref(all);
	return rc;
}
