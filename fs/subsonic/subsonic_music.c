/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic API's artists, albums and songs (subsonic_music.h): ids
 * to and from the names of /library/music/artists, its folders listed
 * and its tracks' attributes read through the mount's nodes as the
 * caller. It answers no request and speaks no SQL.
 */
#include "fs/subsonic/subsonic_music.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/strbuf.h"
#include "fs/tree/node.h"
#include "fs/tree/nodes.h"
#include "fs/subsonic/subsonic_albumid.h"
#include "fs/subsonic/subsonic_auth.h"
#include "fs/subsonic/subsonic_marks.h"
#include "fs/subsonic/subsonic_song.h"
#include "fs/tree/views.h"
#include "fs/tree/views_name.h"
#include "fs/tree/views_real.h"
#include "indexer/reads.h"

#define TOP SUBSONIC_MUSIC_TOP
#define ATTR "user.mediamon."
#define SONG SUBSONIC_MARKS_SONG

json_t *subsonic_music_id(const char *prefix, const char *rel)
{
	static const char digits[] = "0123456789abcdef";
	size_t len = strcmp(prefix, "al") ? strlen(rel) :
		     subsonic_albumid_len(rel), n = strlen(prefix);
	char *id = malloc(n + 2 * len + 1), *p = id + n;
	json_t *v;

	/* by hand: a page of albums makes thousands (printf's were a
	 * sixth of its time) */
	if (!id)
		return NULL;
	memcpy(id, prefix, n);
	for (size_t i = 0; i < len; i++) {
		*p++ = digits[(unsigned char)rel[i] >> 4];
		*p++ = digits[(unsigned char)rel[i] & 15];
	}
	*p = 0;
	v = json_stringn_nocheck(id, (size_t)(p - id));
	free(id);
	return v;
}

/* The files.id the song id names, or 0. */
static int64_t song_file(const char *id)
{
	long long n;
	char *end;

	if (!id || strncmp(id, SONG, 2) || id[2] < '1' || id[2] > '9')
		return 0;
	errno = 0;
	n = strtoll(id + 2, &end, 10);
	return *end || errno ? 0 : n;
}

json_t *subsonic_music_artist_id(const char *rel)
{
	struct strbuf artist = STRBUF_INIT;
	json_t *v;

	strbuf_add(&artist, rel, strcspn(rel, "/"));
	v = subsonic_music_id("ar", artist.buf);
	strbuf_release(&artist);
	return v;
}

/*
 * The mount path of id into out, when id is prefix and the hex of a
 * path of parts names, each a folder's or file's name: 0, or
 * SUBSONIC_NOT_FOUND.
 */
static int path_of(const char *id, const char *prefix, int parts,
		   struct strbuf *out)
{
	struct strbuf rel = STRBUF_INIT;
	const char *p;
	int found = 0;

	if (!id || strncmp(id, prefix, 2) ||
	    subsonic_auth_unhex(id + 2, &rel) || !rel.len)
		goto out;
	for (p = rel.buf; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (!*p || *p == '/' || !strncmp(p, "./", 2) ||
		    !strcmp(p, ".") || !strncmp(p, "../", 3) ||
		    !strcmp(p, ".."))
			goto out;
		found++;
	}
	if (found != parts)
		goto out;
	strbuf_addstr(out, TOP "/");
	strbuf_addstr(out, rel.buf);
	strbuf_release(&rel);
	return 0;
out:
	strbuf_release(&rel);
	return SUBSONIC_NOT_FOUND;
}

/* The mount path of the album folder the album id names now into out:
 * 0, a negative errno value, or SUBSONIC_NOT_FOUND. */
static int album_path(const char *id, struct strbuf *out)
{
	struct strbuf artist = STRBUF_INIT;
	json_t *items = NULL;
	const char *folder = NULL;
	char *slash;
	int rc = path_of(id, "al", 2, out);

	if (rc)
		return rc;
	slash = strrchr(out->buf, '/');
	strbuf_add(&artist, out->buf, (size_t)(slash - out->buf));
	rc = subsonic_music_children(artist.buf, 1, &items);
	if (!rc && !(folder = subsonic_albumid_folder(items, slash + 1)))
		rc = SUBSONIC_NOT_FOUND;
	if (!rc) {
		strbuf_reset(out);
		strbuf_addf(out, "%s/%s", artist.buf, folder);
	}
	json_decref(items);
	strbuf_release(&artist);
	return rc;
}

/* The folders (dirs) or track files of a folder of the view, in the
 * view's order, gathered first: nothing else is read while the view
 * lists. */
struct list {
	json_t *items;		/* [{name, file}] */
	int dirs;
	int rc;
};

static int each(const char *name, const struct node *n, void *arg)
{
	struct list *l = arg;

	if (l->dirs ? n->type != NODE_DIR :
	    n->type != NODE_REAL || !n->file)
		return 0;
	if (json_array_append_new(l->items, json_pack("{s:s,s:I}", "name",
			name, "file", (json_int_t)n->file)))
		l->rc = -ENOMEM;
	return l->rc;
}

/* Gather the children of the mount's folder path into l->items: 0, a
 * negative errno value, or SUBSONIC_NOT_FOUND. */
static int list_at(const char *path, struct list *l)
{
	int rc;

	l->items = json_array();
	if (!l->items)
		return -ENOMEM;
	rc = nodes_children(path, each, l);
	if (!rc)
		rc = l->rc;
	if (rc == -ENOENT || rc == -EACCES || rc == -ENOTDIR)
		rc = SUBSONIC_NOT_FOUND;
	if (rc) {
		json_decref(l->items);
		l->items = NULL;
	}
	return rc;
}

int subsonic_music_children(const char *path, int dirs, json_t **items)
{
	struct list l = { .dirs = dirs };
	int rc = list_at(path, &l);

	*items = l.items;
	return rc;
}

/* The same for rel, a path under TOP, or "". */
static int list(const char *rel, struct list *l)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	strbuf_addstr(&path, TOP);
	if (*rel)
		strbuf_addf(&path, "/%s", rel);
	rc = list_at(path.buf, l);
	strbuf_release(&path);
	return rc;
}

/* The path rel/name (or name alone when rel is ""). */
static void child_rel(struct strbuf *out, const char *rel, const char *name)
{
	if (*rel)
		strbuf_addf(out, "%s/", rel);
	strbuf_addstr(out, name);
}

/* The value of the attribute name (after "user.mediamon.") of file, or
 * NULL. */
static char *attr(int64_t file, const char *name, char *buf, size_t size)
{
	char key[64];
	int n;

	snprintf(key, sizeof(key), ATTR "%s", name);
	n = views_track_attrs_held(file, key, buf, size - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

int subsonic_music_is_track(int64_t file)
{
	return file > 0 && views_track_attrs_held(file, NULL, NULL, 0) > 0;
}

int subsonic_music_album_holds(const char *rel, int *track, int *cover)
{
	struct list l = { 0 };
	json_t *item;
	size_t i;
	int rc = list(rel, &l);

	*track = *cover = 0;
	json_array_foreach(rc ? NULL : l.items, i, item) {
		if (!strncmp(json_string_value(json_object_get(item, "name")),
			     "cover.", 6))
			*cover = 1;
		else if (!*track)
			*track = subsonic_music_is_track(json_integer_value(
				json_object_get(item, "file")));
	}
	json_decref(l.items);
	return rc;
}

/* The songs of the album at rel into *out, their files.id appended to
 * files unless NULL, the name of its cover.EXT into cover unless NULL:
 * 0, a negative errno value, or SUBSONIC_NOT_FOUND. */
static int songs(const char *rel, json_t **out, json_t *files,
		 struct strbuf *cover)
{
	json_t *al = subsonic_music_id("al", rel);
	json_t *ar = subsonic_music_artist_id(rel);
	const char *album = json_string_value(al);
	const char *artist = json_string_value(ar);
	struct strbuf path = STRBUF_INIT;
	struct list l = { 0 };
	json_t *item;
	size_t i;
	int rc = album && artist ? list(rel, &l) : -ENOMEM;

	*out = NULL;
	if (rc) {
		json_decref(al);
		json_decref(ar);
		return rc;
	}
	*out = json_array();
	json_array_foreach(l.items, i, item) {
		const char *name = json_string_value(json_object_get(item,
								   "name"));
		int64_t file = json_integer_value(json_object_get(item,
								  "file"));
		json_t *s;

		strbuf_reset(&path);
		child_rel(&path, rel, name);
		rc = subsonic_song_child(album, artist, path.buf, file, &s);
		/* the album folders hold their images too */
		if (rc == -ENODATA) {
			rc = 0;
			if (cover && !strncmp(name, "cover.", 6))
				strbuf_addstr(cover, name);
			continue;
		}
		if (!rc && (!*out || (files && json_array_append_new(files,
				json_integer(file))) ||
			    json_array_append_new(*out, s)))
			rc = -ENOMEM;
		if (rc)
			break;
	}
	json_decref(al);
	json_decref(ar);
	json_decref(l.items);
	strbuf_release(&path);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* The AlbumID3 of the album at rel ("ARTIST/ALBUM") with its songs
 * into *out, their files.id appended to files unless NULL: 0, a
 * negative errno value, or SUBSONIC_NOT_FOUND when it holds none the
 * user may see. */
static int album_of(const char *rel, json_t **out, json_t *files)
{
	const char *slash = strchr(rel, '/'), *name = NULL;
	struct strbuf cover = STRBUF_INIT;
	json_int_t year = 0, duration = 0;
	const char *first = NULL, *at, *genre = NULL;
	json_t *tracks, *item;
	size_t i;
	int rc = songs(rel, &tracks, files, &cover);

	*out = NULL;
	if (!rc && !json_array_size(tracks)) {
		json_decref(tracks);
		rc = SUBSONIC_NOT_FOUND;
	}
	if (rc) {
		strbuf_release(&cover);
		return rc;
	}
	json_array_foreach(tracks, i, item) {
		if (cover.len)
			json_object_set_new(item, "coverArt",
					    subsonic_music_id("al", rel));
		duration += json_integer_value(json_object_get(item,
							       "duration"));
		at = json_string_value(json_object_get(item, "created"));
		if (at && (!first || strcmp(at, first) < 0))
			first = at;
		if (json_integer_value(json_object_get(item, "year")) > year)
			year = json_integer_value(json_object_get(item,
								  "year"));
		/* the tags' name, not the folder's (which the view may
		 * give a year) */
		if (!name)
			name = json_string_value(json_object_get(item,
								 "album"));
		if (!genre)
			genre = json_string_value(json_object_get(item,
								  "genre"));
	}
	*out = json_pack("{s:o,s:s,s:s%,s:o,s:I,s:I,s:o}", "id",
			 subsonic_music_id("al", rel),
			 "name", name ? name : slash + 1, "artist", rel,
			 (size_t)(slash - rel), "artistId", subsonic_music_artist_id(rel),
			 "songCount", (json_int_t)json_array_size(tracks),
			 "duration", duration, "song", tracks);
	if (*out && first)
		json_object_set_new(*out, "created", json_string(first));
	if (*out && year)
		json_object_set_new(*out, "year", json_integer(year));
	if (*out && cover.len)
		json_object_set_new(*out, "coverArt",
				    subsonic_music_id("al", rel));
	if (*out && genre)
		json_object_set_new(*out, "genre", json_string(genre));
	if (*out)
		subsonic_marks_album(*out, tracks);
	subsonic_marks_add(*out, json_string_value(json_object_get(*out,
								   "id")));
	strbuf_release(&cover);
	return *out ? 0 : -ENOMEM;
}

/* Append the albums of the artist (a folder's name) the user may see
 * to albums; with_songs, each with its songs in the object
 * subsonic_music_albums() gives: 0, a negative errno value, or
 * SUBSONIC_NOT_FOUND. */
static int artist_albums(const char *artist, json_t *albums, int with_songs)
{
	struct strbuf rel = STRBUF_INIT;
	struct list l = { .dirs = 1 };
	json_t *item, *album;
	json_t *files = NULL;
	size_t i;
	int rc = list(artist, &l);

	json_array_foreach(l.items, i, item) {
		strbuf_reset(&rel);
		child_rel(&rel, artist, json_string_value(json_object_get(
			item, "name")));
		json_decref(files);
		files = with_songs ? json_array() : NULL;
		rc = with_songs && !files ? -ENOMEM :
			album_of(rel.buf, &album, files);
		if (rc == SUBSONIC_NOT_FOUND) {
			rc = 0;
			continue;
		}
		if (!rc && !with_songs)
			json_object_del(album, "song");
		else if (!rc)
			album = json_pack("{s:o,s:O}", "album", album,
					  "files", files);
		if (rc || json_array_append_new(albums, album))
			rc = rc ? rc : -ENOMEM;
		if (rc)
			break;
	}
	json_decref(files);
	json_decref(l.items);
	strbuf_release(&rel);
	return rc;
}

int subsonic_music_artist(json_t *body, const char *id)
{
	struct strbuf path = STRBUF_INIT;
	json_t *albums = json_array(), *out, *album, *cover = NULL;
	const char *artist;
	size_t i;
	int rc = path_of(id, "ar", 1, &path);

	artist = path.buf + strlen(TOP "/");
	if (!rc)
		rc = albums ? artist_albums(artist, albums, 0) : -ENOMEM;
	/* the view shows no artist without an album it lets the caller
	 * see: a folder listed empty is one it may not */
	if (!rc && !json_array_size(albums))
		rc = SUBSONIC_NOT_FOUND;
	out = rc ? NULL : json_pack("{s:o,s:s,s:I,s:O}", "id",
				    subsonic_music_id("ar", artist), "name",
				    artist, "albumCount",
				    (json_int_t)json_array_size(albums),
				    "album", albums);
	/* the cover of its first album with one, as getArtists gives */
	json_array_foreach(out ? albums : NULL, i, album)
		if ((cover = json_object_get(album, "coverArt")))
			break;
	if (cover && json_object_set(out, "coverArt", cover)) {
		json_decref(out);
		out = NULL;
		rc = -ENOMEM;
	}
	subsonic_marks_add(out, json_string_value(json_object_get(out, "id")));
	if (!rc && json_object_set_new(body, "artist", out))
		rc = -ENOMEM;
	json_decref(albums);
	strbuf_release(&path);
	return rc;
}

int subsonic_music_album(json_t *body, const char *id)
{
	struct strbuf path = STRBUF_INIT;
	json_t *album;
	int rc = album_path(id, &path);

	if (!rc)
		rc = album_of(path.buf + strlen(TOP "/"), &album, NULL);
	if (!rc && json_object_set_new(body, "album", album))
		rc = -ENOMEM;
	strbuf_release(&path);
	return rc;
}

int subsonic_music_albums(json_t **out)
{
	struct list l = { .dirs = 1 };
	json_t *item;
	size_t i;
	int rc;

	*out = json_array();
	rc = *out ? list("", &l) : -ENOMEM;
	json_array_foreach(l.items, i, item) {
		rc = artist_albums(json_string_value(json_object_get(item,
				"name")), *out, 1);
		if (rc == SUBSONIC_NOT_FOUND)
			rc = 0;
		if (rc)
			break;
	}
	json_decref(l.items);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* Look for the track file among the tracks of the album folder rel
 * ("ARTIST/ALBUM"): 1 with rel/NAME appended to out, 0 when it is not
 * there, or a negative errno value. */
static int find_in_album(const char *rel, int64_t file, struct strbuf *out)
{
	struct list l = { 0 };
	json_t *item;
	size_t i;
	int rc = list(rel, &l);

	if (rc == SUBSONIC_NOT_FOUND)
		return 0;
	json_array_foreach(l.items, i, item)
		if (json_integer_value(json_object_get(item, "file")) == file) {
			strbuf_addf(out, "%s/%s", rel, json_string_value(
				json_object_get(item, "name")));
			rc = 1;
			break;
		}
	json_decref(l.items);
	return rc;
}

/* The same over the album folders of the artist folder artist. */
static int find_in_artist(const char *artist, int64_t file,
			  struct strbuf *out)
{
	struct strbuf rel = STRBUF_INIT;
	struct list l = { .dirs = 1 };
	json_t *item;
	size_t i;
	int rc = list(artist, &l);

	if (rc == SUBSONIC_NOT_FOUND)
		return 0;
	json_array_foreach(l.items, i, item) {
		strbuf_reset(&rel);
		child_rel(&rel, artist, json_string_value(json_object_get(item,
								    "name")));
		rc = find_in_album(rel.buf, file, out);
		if (rc)
			break;
	}
	json_decref(l.items);
	strbuf_release(&rel);
	return rc;
}

/*
 * The place "ARTIST/ALBUM/NAME" in the view of the track the song id
 * names, into out: 0, a negative errno value, or SUBSONIC_NOT_FOUND when
 * it names no track the caller may read. The artist's folder is looked
 * in first, named as the view names its album artist; every artist's
 * after, should the view have named it otherwise.
 */
static int song_rel(const char *id, int64_t *file, struct strbuf *out)
{
	struct strbuf guess = STRBUF_INIT;
	struct list l = { .dirs = 1 };
	json_t *item;
	char buf[512];
	size_t i;
	int rc;

	*file = song_file(id);
	if (views_real_access(*file) || !subsonic_music_is_track(*file))
		return SUBSONIC_NOT_FOUND;
	if (attr(*file, "album_artist", buf, sizeof(buf)) && *buf)
		views_name_add(&guess, buf, strlen(buf));
	else
		strbuf_addstr(&guess, "Unknown Artist");
	for (i = 0; i < guess.len && guess.buf[i] == '.'; i++)
		guess.buf[i] = '_';
	rc = find_in_artist(guess.buf, *file, out);
	if (!rc)
		rc = list("", &l);
	json_array_foreach(rc ? NULL : l.items, i, item) {
		const char *artist = json_string_value(json_object_get(item,
								     "name"));

		if (strcmp(artist, guess.buf))
			rc = find_in_artist(artist, *file, out);
		if (rc)
			break;
	}
	json_decref(l.items);
	strbuf_release(&guess);
	if (rc == SUBSONIC_NOT_FOUND || !rc)
		return SUBSONIC_NOT_FOUND;
	return rc < 0 ? rc : 0;
}

int subsonic_music_path(const char *id, struct strbuf *out)
{
	int64_t file;

	strbuf_addstr(out, TOP "/");
	return song_rel(id, &file, out);
}

int64_t subsonic_music_file(const char *id)
{
	return song_file(id);
}

int subsonic_music_get(const char *id, json_t **out)
{
	static const struct {
		const char *prefix, *member, *children;
		int (*fn)(json_t *body, const char *id);
	} kinds[] = {
		{ SONG, "song", NULL, subsonic_music_song },
		{ "al", "album", "song", subsonic_music_album },
		{ "ar", "artist", "album", subsonic_music_artist },
	};
	json_t *body = json_object();
	int rc = body ? SUBSONIC_NOT_FOUND : -ENOMEM;
	size_t k;

	*out = NULL;
	for (k = 0; body && k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (id && !strncmp(id, kinds[k].prefix, 2)) {
			rc = kinds[k].fn(body, id);
			break;
		}
	if (!rc) {
		*out = json_incref(json_object_get(body, kinds[k].member));
		if (kinds[k].children)
			json_object_del(*out, kinds[k].children);
	}
	json_decref(body);
	return rc;
}

/* The Child of the track file named name in the album folder rel
 * ("ARTIST/ALBUM") into *out, as subsonic_song_child() gives it. */
static int song_of(const char *rel, const char *name, int64_t file,
		   json_t **out)
{
	json_t *al = subsonic_music_id("al", rel);
	json_t *ar = subsonic_music_artist_id(rel);
	struct strbuf path = STRBUF_INIT;
	int rc;

	child_rel(&path, rel, name);
	rc = al && ar ? subsonic_song_child(json_string_value(al),
			json_string_value(ar), path.buf, file, out) : -ENOMEM;
	json_decref(al);
	json_decref(ar);
	strbuf_release(&path);
	return rc;
}

int subsonic_music_song_at(const char *rel, const char *name, int64_t file,
			   int cover, json_t **out)
{
	int rc = views_real_access(file) ? SUBSONIC_NOT_FOUND :
		song_of(rel, name, file, out);

	if (rc == -ENODATA)
		rc = SUBSONIC_NOT_FOUND;
	if (!rc && cover && json_object_set_new(*out, "coverArt",
			subsonic_music_id("al", rel))) {
		json_decref(*out);
		rc = -ENOMEM;
	}
	return rc;
}

/* Give s the cover of the album folder rel as its coverArt, if it has
 * one: 0 or a negative errno value (s is released). */
static int song_cover(json_t *s, const char *rel)
{
	int track, cover;
	int rc = subsonic_music_album_holds(rel, &track, &cover);

	if (rc == SUBSONIC_NOT_FOUND)
		rc = 0;
	if (!rc && cover && json_object_set_new(s, "coverArt",
			subsonic_music_id("al", rel)))
		rc = -ENOMEM;
	if (rc)
		json_decref(s);
	return rc;
}

int subsonic_music_song(json_t *body, const char *id)
{
	struct strbuf rel = STRBUF_INIT;
	json_t *s;
	int64_t file;
	char *name;
	int rc = song_rel(id, &file, &rel);

	if (!rc) {
		name = strrchr(rel.buf, '/');
		*name = '\0';
		rc = song_of(rel.buf, name + 1, file, &s);
		if (rc == -ENODATA)
			rc = SUBSONIC_NOT_FOUND;
		if (!rc)
			rc = song_cover(s, rel.buf);
		if (!rc && json_object_set_new(body, "song", s))
			rc = -ENOMEM;
	}
	strbuf_release(&rel);
	return rc;
}

int subsonic_music_similar(const char *id, json_t **files)
{
	struct strbuf path = STRBUF_INIT, query = STRBUF_INIT;
	struct list l = { 0 };
	char buf[512];
	int64_t file;
	json_t *item;
	size_t i;
	int rc = song_rel(id, &file, &path);

	*files = NULL;
	if (rc)
		goto out;
	strbuf_addstr(&query, "/similar/");
	if (attr(file, "artist", buf, sizeof(buf)))
		strbuf_addf(&query, "%s ", buf);
	strbuf_addstr(&query, attr(file, "title", buf, sizeof(buf)) ? buf :
		      strrchr(path.buf, '/') + 1);
	/* a query is one name of the mount */
	for (char *p = query.buf + strlen("/similar/"); *p; p++)
		if (*p == '/')
			*p = ' ';
	rc = list_at(query.buf, &l);
	*files = rc ? NULL : json_array();
	json_array_foreach(l.items, i, item)
		if (!*files || json_array_append(*files,
				json_object_get(item, "file"))) {
			rc = -ENOMEM;
			break;
		}
	json_decref(l.items);
	if (rc) {
		json_decref(*files);
		*files = NULL;
	}
out:
	strbuf_release(&query);
	strbuf_release(&path);
	return rc;
}

int subsonic_music_cover(const char *id, struct strbuf *out)
{
	struct strbuf path = STRBUF_INIT, cover = STRBUF_INIT;
	json_t *tracks = NULL;
	char *slash;
	int rc;

	rc = album_path(id, &path);
	if (rc && !subsonic_music_path(id, &path)) {
		slash = strrchr(path.buf, '/');
		*slash = '\0';
		path.len = slash - path.buf;
		rc = 0;
	}
	if (!rc)
		rc = songs(path.buf + strlen(TOP "/"), &tracks, NULL, &cover);
	if (!rc && (!cover.len || !json_array_size(tracks)))
		rc = SUBSONIC_NOT_FOUND;
	if (!rc)
		strbuf_addf(out, "%s/%s", path.buf, cover.buf);
	json_decref(tracks);
	strbuf_release(&cover);
	strbuf_release(&path);
	return rc;
}
