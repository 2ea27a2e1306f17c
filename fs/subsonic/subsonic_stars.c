/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic API's stars and plays (subsonic_stars.h): star, unstar,
 * getStarred2 and scrobble. What an id names and whether the account
 * sees it is subsonic_music.h's, the account's marks
 * subsonic_marks.h's; the rows are written through the indexer and read
 * through the store's read API. It speaks no SQL.
 */
#include "fs/subsonic/subsonic_stars.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/strbuf.h"
#include "fs/subsonic/subsonic_albumid.h"
#include "fs/subsonic/subsonic_auth.h"
#include "fs/subsonic/subsonic_marks.h"
#include "fs/subsonic/subsonic_music.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* The star of id (the kind must be want's unless it is -1) into c:
 * 0 or SUBSONIC_NOT_FOUND when id has no form of one. */
static int change_of(const char *id, int want, struct starred_change *c)
{
	c->file = subsonic_music_file(id);
	c->item = id;
	if (c->file > 0)
		c->kind = STARRED_SONG;
	else if (!strncmp(id, "al", 2))
		c->kind = STARRED_ALBUM;
	else if (!strncmp(id, "ar", 2))
		c->kind = STARRED_ARTIST;
	else
		return SUBSONIC_NOT_FOUND;
	return want < 0 || (int)c->kind == want ? 0 : SUBSONIC_NOT_FOUND;
}

/* The id of an album or artist as the answers give it, its hex in
 * lower case, into out (what an unstar names, seen or not now). */
static const char *lower_id(const char *id, struct strbuf *out)
{
	strbuf_reset(out);
	for (const char *p = id; *p; p++)
		strbuf_addch(out, tolower((unsigned char)*p));
	return out->buf;
}

/* The ids the account's album stars are kept by whose form of today is
 * want's (each id of the album, with each year its folder had), for an
 * unstar. */
struct album_rows {
	const char *want;
	json_t *items;
};

static int album_row(void *arg, enum starred_kind kind, int64_t file,
		     const char *item, double at)
{
	struct album_rows *rows = arg;
	struct strbuf today = STRBUF_INIT;
	int rc = 0;

	(void)file;
	(void)at;
	if (kind == STARRED_ALBUM) {
		subsonic_albumid_today(item, &today);
		if (!strcmp(today.buf, rows->want) &&
		    json_array_append_new(rows->items, json_string(item)))
			rc = -ENOMEM;
	}
	strbuf_release(&today);
	return rc;
}

/* Take back the star c (an unstar) of an album, kept by its id of today
 * or by one of before. */
static int unstar_album(struct starred_change *c)
{
	struct strbuf want = STRBUF_INIT;
	struct album_rows rows = { NULL, json_array() };
	const char *item = c->item;
	json_t *v;
	size_t i;
	int rc = rows.items ? 0 : -ENOMEM;

	subsonic_albumid_today(item, &want);
	rows.want = want.buf;
	if (!rc)
		rc = starred_each(c->account, album_row, &rows);
	if (!rc)
		rc = indexer_star(c);
	json_array_foreach(rc ? NULL : rows.items, i, v) {
		c->item = json_string_value(v);
		if ((rc = indexer_star(c)))
			break;
	}
	c->item = item;
	json_decref(rows.items);
	strbuf_release(&want);
	return rc;
}

/* Check (apply 0) or apply the star changes of the ids of a: a star of
 * what the account sees, kept by the id the answers give it (hex in
 * lower case). */
static int star_each(json_t *a, int want, int on, int apply)
{
	struct starred_change c = { .on = on };
	struct strbuf lower = STRBUF_INIT;
	json_t *v, *o = NULL;
	size_t i;
	int rc = 0;

	c.account = subsonic_marks_account();
	c.at = clock_wall();
	json_array_foreach(a, i, v) {
		rc = change_of(json_string_value(v), want, &c);
		if (!rc && on)
			rc = subsonic_music_get(c.item, &o);
		if (!rc && on)
			c.item = json_string_value(json_object_get(o, "id"));
		else if (!rc && c.kind != STARRED_SONG)
			c.item = lower_id(c.item, &lower);
		if (!rc && apply)
			rc = !on && c.kind == STARRED_ALBUM ?
			     unstar_album(&c) : indexer_star(&c);
		json_decref(o);
		o = NULL;
		if (rc)
			break;
	}
	strbuf_release(&lower);
	return rc;
}

int subsonic_stars_star(json_t *ids, json_t *albums, json_t *artists,
			int on)
{
	int rc = 0;

	if (!json_array_size(ids) && !json_array_size(albums) &&
	    !json_array_size(artists))
		return SUBSONIC_MISSING;
	for (int apply = 0; !rc && apply < 2; apply++) {
		rc = star_each(ids, -1, on, apply);
		if (!rc)
			rc = star_each(albums, STARRED_ALBUM, on, apply);
		if (!rc)
			rc = star_each(artists, STARRED_ARTIST, on, apply);
	}
	return rc;
}

/* getStarred2's lists being filled. */
struct starred_lists {
	json_t *by_kind[3];	/* song, album, artist */
};

/* Whether the list a holds an object of o's id. */
static int album_listed(json_t *a, json_t *o)
{
	const char *id = json_string_value(json_object_get(o, "id"));
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (id && json_equal(json_object_get(v, "id"),
				     json_object_get(o, "id")))
			return 1;
	return 0;
}

static int list_star(void *arg, enum starred_kind kind, int64_t file,
		     const char *item, double at)
{
	struct starred_lists *l = arg;
	char id[SUBSONIC_MARKS_ID_LEN];
	json_t *o;
	int rc;

	(void)at;
	if (kind == STARRED_SONG)
		subsonic_marks_song_id(file, id);
	rc = subsonic_music_get(kind == STARRED_SONG ? id : item, &o);
	if (rc == SUBSONIC_NOT_FOUND)
		return 0;
	/* an album starred by its id of before and again by today's */
	if (!rc && kind == STARRED_ALBUM && album_listed(l->by_kind[kind], o)) {
		json_decref(o);
		return 0;
	}
	if (!rc && json_array_append_new(l->by_kind[kind], o))
		rc = -ENOMEM;
	return rc;
}

/* The Child (the shape of getStarred, before the ID3 ones) of the
 * AlbumID3 album (album 1) or the Artist of the ArtistID3 artist, into
 * *out: a folder of the artist's, titled with the album's name. */
static int old_shape(json_t *o, int album, json_t **out)
{
	static const char *const kept[] = {
		"id", "artist", "year", "coverArt", "created", "starred",
		"duration", "playCount", "played",
	};
	json_t *v;

	*out = album ? json_pack("{s:b,s:O,s:O,s:O}", "isDir", 1, "parent",
				 json_object_get(o, "artistId"), "title",
				 json_object_get(o, "name"), "album",
				 json_object_get(o, "name")) :
		json_pack("{s:O,s:O}", "id", json_object_get(o, "id"),
			  "name", json_object_get(o, "name"));
	for (size_t i = 0; album && *out && i < sizeof(kept) /
	     sizeof(kept[0]); i++) {
		v = json_object_get(o, kept[i]);
		if (v && json_object_set(*out, kept[i], v)) {
			json_decref(*out);
			*out = NULL;
		}
	}
	v = json_object_get(o, "starred");
	if (!album && *out && v && json_object_set(*out, "starred", v)) {
		json_decref(*out);
		*out = NULL;
	}
	return *out ? 0 : -ENOMEM;
}

int subsonic_stars_old_shapes(json_t *a, int album)
{
	json_t *o, *child;
	size_t i;

	json_array_foreach(a, i, o) {
		if (old_shape(o, album, &child) ||
		    json_array_set_new(a, i, child))
			return -ENOMEM;
	}
	return 0;
}

int subsonic_stars_starred(json_t *body, int v1)
{
	struct starred_lists l = { { json_array(), json_array(),
				     json_array() } };
	int rc = l.by_kind[0] && l.by_kind[1] && l.by_kind[2] ?
		starred_each(subsonic_marks_account(), list_star,
			     &l) : -ENOMEM;

	if (!rc && v1)
		rc = subsonic_stars_old_shapes(l.by_kind[STARRED_ALBUM], 1);
	if (!rc && v1)
		rc = subsonic_stars_old_shapes(l.by_kind[STARRED_ARTIST], 0);
	if (!rc && json_object_set_new(body, v1 ? "starred" : "starred2",
				       json_pack(
			"{s:O,s:O,s:O}", "artist", l.by_kind[STARRED_ARTIST],
			"album", l.by_kind[STARRED_ALBUM], "song",
			l.by_kind[STARRED_SONG])))
		rc = -ENOMEM;
	for (int k = 0; k < 3; k++)
		json_decref(l.by_kind[k]);
	return rc;
}

int subsonic_stars_scrobble(json_t *ids, json_t *times,
			    const char *submission)
{
	int count = !submission || !strcmp(submission, "true");
	json_t *v, *o;
	size_t i;
	int rc = json_array_size(ids) ? 0 : SUBSONIC_MISSING;

	json_array_foreach(rc ? NULL : ids, i, v) {
		const char *id = json_string_value(v);

		o = NULL;
		rc = subsonic_music_file(id) > 0 ?
			subsonic_music_get(id, &o) : SUBSONIC_NOT_FOUND;
		json_decref(o);
		if (rc)
			return rc;
	}
	json_array_foreach(count ? ids : NULL, i, v) {
		const char *t = json_string_value(json_array_get(times, i));
		char *end = NULL;
		double at = t ? strtod(t, &end) / 1000 : 0;

		if (!t || *end || at <= 0)
			at = clock_wall();
		rc = indexer_scrobble(subsonic_marks_account(),
				      subsonic_music_file(
			json_string_value(v)), at);
		if (rc)
			break;
	}
	return rc;
}
