/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The accounts' own playlists of the Subsonic API (subsonic_edits.h):
 * createPlaylist, updatePlaylist, deletePlaylist, and their Playlist
 * records for getPlaylists and getPlaylist. Whether the account may read
 * a song is subsonic_music.h's; the rows are written through the indexer
 * and read through the store's read API. It speaks no SQL.
 */
#include "fs/subsonic/subsonic_edits.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/clock.h"
#include "fs/subsonic/subsonic_auth.h"
#include "fs/subsonic/subsonic_marks.h"
#include "fs/subsonic/subsonic_music.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* The songs' files of a playlist, as the store keeps them. */
struct files {
	int64_t *v;
	size_t nr, alloc;
};

static int append_file(struct files *f, int64_t file)
{
	int64_t *grown = array_grow(f->v, f->nr, &f->alloc, sizeof(*f->v),
				    32);

	if (!grown)
		return -ENOMEM;
	f->v = grown;
	f->v[f->nr++] = file;
	return 0;
}

/* A playlist's row copied out of the read that gave it. */
struct row {
	struct account_playlist p;
	char *account, *name, *comment;
};

static int copy_row(void *arg, const struct account_playlist *p)
{
	struct row *r = arg;

	r->p = *p;
	r->account = strdup(p->account);
	r->name = strdup(p->name);
	r->comment = strdup(p->comment);
	r->p.account = r->account;
	r->p.name = r->name;
	r->p.comment = r->comment;
	return r->account && r->name && r->comment ? 0 : -ENOMEM;
}

static void free_row(struct row *r)
{
	free(r->account);
	free(r->name);
	free(r->comment);
}

/* The number of an "up" id, or 0. */
static int64_t number_of(const char *id)
{
	char *end;
	long long n;

	if (!id || strncmp(id, SUBSONIC_EDITS_PREFIX, 2) || id[2] < '1' ||
	    id[2] > '9')
		return 0;
	n = strtoll(id + 2, &end, 10);
	return *end || n <= 0 ? 0 : n;
}

/* The playlist id as the account sees it into *r (released by the
 * caller): 0, SUBSONIC_NOT_FOUND, or a negative errno value. */
static int find_playlist(const char *id, struct row *r)
{
	int64_t n = number_of(id);
	int rc;

	*r = (struct row){ 0 };
	if (!n)
		return SUBSONIC_NOT_FOUND;
	rc = account_rows_playlist_get(n, subsonic_marks_account(), copy_row,
				       r);
	return rc < 0 ? rc : rc ? 0 : SUBSONIC_NOT_FOUND;
}

/* The files of the playlist n into *f, which then grows as any. */
static int stored_files(int64_t n, struct files *f)
{
	int rc = account_rows_playlist_files(n, &f->v, &f->nr);

	f->alloc = f->nr;
	return rc;
}

/* The files of the playlist n into *f, and in *songs (a new array) the
 * songs of them the account may read, each with its place in f at
 * "pos" in *places (a new array of integers). */
static int songs_of(int64_t n, struct files *f, json_t **songs,
		    json_t **places)
{
	char id[SUBSONIC_MARKS_ID_LEN];
	json_t *o;
	int rc = stored_files(n, f);

	*songs = json_array();
	*places = json_array();
	if (!rc && (!*songs || !*places))
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < f->nr; i++) {
		subsonic_marks_song_id(f->v[i], id);
		rc = subsonic_music_get(id, &o);
		if (rc == SUBSONIC_NOT_FOUND) {
			rc = 0;
			continue;
		}
		if (!rc && (json_array_append_new(*songs, o) ||
			    json_array_append_new(*places,
						  json_integer((json_int_t)i))))
			rc = -ENOMEM;
	}
	return rc;
}

/* The Playlist of r with songs (its entries when entries) into *out,
 * its cover its first song's. */
static int fill_record(const struct row *r, json_t *songs, int entries,
		       json_t **out)
{
	const char *me = subsonic_marks_account();
	char created[CLOCK_RFC3339_LEN], changed[CLOCK_RFC3339_LEN];
	json_int_t duration = 0;
	json_t *s;
	size_t i;

	json_array_foreach(songs, i, s)
		duration += json_integer_value(json_object_get(s, "duration"));
	clock_rfc3339((time_t)r->p.created, created);
	clock_rfc3339((time_t)r->p.changed, changed);
	*out = json_pack("{s:o,s:s,s:s,s:s,s:b,s:I,s:I,s:s,s:s,s:b}", "id",
			 json_sprintf(SUBSONIC_EDITS_PREFIX "%" PRId64,
				      r->p.id), "name", r->p.name,
			 "comment", r->p.comment, "owner", r->p.account,
			 "public", r->p.is_public,
			 "songCount", (json_int_t)json_array_size(songs),
			 "duration", duration, "created", created,
			 "changed", changed, "readonly",
			 strcmp(r->p.account, me ? me : "") != 0);
	s = json_object_get(json_array_get(songs, 0), "coverArt");
	if (*out && ((s && json_object_set(*out, "coverArt", s)) ||
		     (entries && json_object_set(*out, "entry", songs)))) {
		json_decref(*out);
		*out = NULL;
	}
	return *out ? 0 : -ENOMEM;
}

/* The Playlist of r, its entries when entries, into *out. */
static int playlist_json(const struct row *r, int entries, json_t **out)
{
	struct files f = { 0 };
	json_t *songs = NULL, *places = NULL;
	int rc = songs_of(r->p.id, &f, &songs, &places);

	if (!rc)
		rc = fill_record(r, songs, entries, out);
	json_decref(songs);
	json_decref(places);
	free(f.v);
	return rc;
}

/* The rows of getPlaylists being gathered. */
struct rows {
	struct row *v;
	size_t nr, alloc;
};

static int gather_row(void *arg, const struct account_playlist *p)
{
	struct rows *l = arg;
	struct row *grown = array_grow(l->v, l->nr, &l->alloc, sizeof(*l->v),
				       8);

	if (!grown)
		return -ENOMEM;
	l->v = grown;
	l->v[l->nr] = (struct row){ 0 };
	return copy_row(&l->v[l->nr++], p);
}

int subsonic_edits_all(json_t *list)
{
	struct rows l = { 0 };
	json_t *o;
	int rc = account_rows_playlists_each(subsonic_marks_account(), 1,
					     gather_row, &l);

	for (size_t i = 0; !rc && i < l.nr; i++) {
		rc = playlist_json(&l.v[i], 0, &o);
		if (!rc && json_array_append_new(list, o))
			rc = -ENOMEM;
	}
	for (size_t i = 0; i < l.nr; i++)
		free_row(&l.v[i]);
	free(l.v);
	return rc;
}

int subsonic_edits_one(json_t *body, const char *id)
{
	struct row r;
	json_t *o = NULL;
	int rc = find_playlist(id, &r);

	if (!rc)
		rc = playlist_json(&r, 1, &o);
	if (!rc && json_object_set_new(body, "playlist", o))
		rc = -ENOMEM;
	free_row(&r);
	return rc;
}

/* The files of the song ids of a (a JSON array) appended to f: each must
 * be a song the account may read. */
static int song_files(json_t *a, struct files *f)
{
	json_t *v, *o;
	size_t i;
	int rc = 0;

	json_array_foreach(a, i, v) {
		const char *id = json_string_value(v);
		int64_t file = subsonic_music_file(id);

		rc = file > 0 ? subsonic_music_get(id, &o) :
		     SUBSONIC_NOT_FOUND;
		if (!rc)
			json_decref(o);
		if (!rc)
			rc = append_file(f, file);
		if (rc)
			break;
	}
	return rc;
}

/* The playlist id the account may edit into *r: SUBSONIC_EDITS_DENIED
 * for another's public one. */
static int find_own(const char *id, struct row *r)
{
	const char *me = subsonic_marks_account();
	int rc = find_playlist(id, r);

	if (!rc && strcmp(r->p.account, me ? me : ""))
		rc = SUBSONIC_EDITS_DENIED;
	if (rc == SUBSONIC_NOT_FOUND && id && !strncmp(id, "pl", 2))
		rc = SUBSONIC_EDITS_DENIED;	/* a generated one */
	return rc;
}

/* The playlist the parameter param names, which the account may edit,
 * into *r. */
static int own_named(const struct subsonic_query *q, const char *param,
		     struct row *r)
{
	const char *id = q->value(q->req, param);

	*r = (struct row){ 0 };
	return id ? find_own(id, r) : SUBSONIC_MISSING;
}

/* Keep c and, when body, answer the playlist it made or changed. */
static int keep_change(struct account_playlist_change *c, json_t *body)
{
	char id[32];
	int rc;

	c->account = subsonic_marks_account();
	c->at = clock_wall();
	rc = indexer_playlist(c);
	if (rc == -ENOENT)
		return SUBSONIC_NOT_FOUND;	/* deleted meanwhile */
	snprintf(id, sizeof(id), SUBSONIC_EDITS_PREFIX "%" PRId64, c->id);
	return rc || !body ? rc : subsonic_edits_one(body, id);
}

int subsonic_edits_create(json_t *body, const struct subsonic_query *q)
{
	const char *id = q->value(q->req, "playlistId");
	const char *name = q->value(q->req, "name");
	struct account_playlist_change c = { .is_public = -1, .songs = 1 };
	struct files f = { 0 };
	json_t *songs = NULL;
	struct row r = { 0 };
	int rc = 0;

	if (!id && (!name || !*name))
		return SUBSONIC_MISSING;
	if (id)
		rc = find_own(id, &r);
	if (!rc)
		rc = q->values(q->req, "songId", &songs);
	if (!rc)
		rc = song_files(songs, &f);
	if (!rc && f.nr > SUBSONIC_EDITS_MAX_SONGS)
		rc = SUBSONIC_EDITS_TOO_MANY;
	if (!rc) {
		c.id = r.p.id;
		c.name = name && *name ? name : NULL;
		c.files = f.v;
		c.nr_files = f.nr;
		rc = keep_change(&c, body);
	}
	json_decref(songs);
	free_row(&r);
	free(f.v);
	return rc;
}

/* Take the songs at the indexes of a (as the owner sees them: places
 * gives each one's place in f) out of f: SUBSONIC_NOT_FOUND when one is
 * none. */
static int remove_indexes(json_t *a, json_t *places, struct files *f)
{
	json_t *v;
	size_t i, k = 0;
	char *end;

	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);
		long long n = strtoll(s, &end, 10);
		json_t *place;

		if (!*s || *end || n < 0 ||
		    !(place = json_array_get(places, (size_t)n)))
			return SUBSONIC_NOT_FOUND;
		f->v[json_integer_value(place)] = 0;
	}
	for (i = 0; i < f->nr; i++)
		if (f->v[i])
			f->v[k++] = f->v[i];
	f->nr = k;
	return 0;
}

/* Change the songs of r as q asks into c (c->files is f's). */
static int update_songs(const struct row *r, const struct subsonic_query *q,
			struct account_playlist_change *c, struct files *f)
{
	json_t *songs = NULL, *places = NULL, *add = NULL, *drop = NULL;
	int rc = q->values(q->req, "songIndexToRemove", &drop);

	if (!rc)
		rc = q->values(q->req, "songIdToAdd", &add);
	/* the songs as the owner reads them only for indexes */
	if (!rc && json_array_size(drop))
		rc = songs_of(r->p.id, f, &songs, &places);
	else if (!rc && json_array_size(add))
		rc = stored_files(r->p.id, f);
	if (!rc)
		rc = remove_indexes(drop, places, f);
	if (!rc)
		rc = song_files(add, f);
	if (!rc && f->nr > SUBSONIC_EDITS_MAX_SONGS)
		rc = SUBSONIC_EDITS_TOO_MANY;
	c->songs = json_array_size(add) || json_array_size(drop);
	c->files = f->v;
	c->nr_files = f->nr;
	json_decref(songs);
	json_decref(places);
	json_decref(add);
	json_decref(drop);
	return rc;
}

int subsonic_edits_update(json_t *body, const struct subsonic_query *q)
{
	const char *name = q->value(q->req, "name");
	const char *pub = q->value(q->req, "public");
	struct account_playlist_change c = {
		.is_public = pub ? !strcmp(pub, "true") : -1,
	};
	struct files f = { 0 };
	struct row r;
	int rc = own_named(q, "playlistId", &r);

	(void)body;
	if (!rc)
		rc = update_songs(&r, q, &c, &f);
	if (!rc) {
		c.id = r.p.id;
		c.name = name && *name ? name : NULL;
		c.comment = q->value(q->req, "comment");
		rc = keep_change(&c, NULL);
	}
	free_row(&r);
	free(f.v);
	return rc;
}

int subsonic_edits_delete(json_t *body, const struct subsonic_query *q)
{
	struct account_playlist_change c = { .remove = 1 };
	struct row r;
	int rc = own_named(q, "id", &r);

	(void)body;
	c.id = r.p.id;
	if (!rc)
		rc = keep_change(&c, NULL);
	free_row(&r);
	return rc;
}
