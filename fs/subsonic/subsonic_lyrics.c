/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * getLyricsBySongId and getLyrics (subsonic_lyrics.h): a song's .lrc
 * and tags read as the caller, made into the answers. The lines are
 * subsonic_lrc.c's; what an id names and whether the account sees it,
 * subsonic_music.h's. It keeps nothing and speaks no SQL.
 */
#include "fs/subsonic/subsonic_lyrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fold.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "fs/subsonic/subsonic_auth.h"
#include "fs/subsonic/subsonic_index.h"
#include "fs/subsonic/subsonic_lrc.h"
#include "fs/subsonic/subsonic_marks.h"
#include "fs/subsonic/subsonic_music.h"
#include "fs/tree/caller.h"
#include "fs/tree/open_caps.h"
#include "fs/tree/views_real.h"
#include "indexer/reads.h"

#define LOOKS	20	/* songs of the name getLyrics reads at most */

/* What a song's lyrics are told with. */
struct song_facts {
	const char *artist, *title;	/* the song's (its Child's) */
};

/* Up to max bytes of fd onto out: 0 or a negative errno value. */
static int read_some(int fd, size_t max, struct strbuf *out)
{
	char buf[8192];
	ssize_t n;

	while (out->len < max) {
		n = read(fd, buf, max - out->len < sizeof(buf) ?
			 max - out->len : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		strbuf_add(out, buf, n);
	}
	return 0;
}

/* The sidecar of the track at real (its name, its extension .lrc or
 * .LRC), read as the caller onto out: 0, or a negative errno value when
 * there is none it may read. */
static int read_lrc(const char *real, struct strbuf *out)
{
	static const char *const exts[] = { ".lrc", ".LRC" };
	const char *slash = strrchr(real, '/'), *dot = strrchr(real, '.');
	size_t base = dot && dot > slash ? (size_t)(dot - real) :
		      strlen(real);
	struct strbuf path = STRBUF_INIT;
	int fd = -ENOENT, rc;

	for (size_t i = 0; fd < 0 && i < sizeof(exts) / sizeof(*exts); i++) {
		strbuf_reset(&path);
		strbuf_add(&path, real, base);
		strbuf_addstr(&path, exts[i]);
		rc = open_caps_take(caller_uid(), caller_is_owner(), 1);
		if (rc) {
			strbuf_release(&path);
			return rc;
		}
		fd = caller_open(path.buf, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			open_caps_put(caller_uid(), 1);
	}
	strbuf_release(&path);
	if (fd < 0)
		return fd;
	rc = read_some(fd, SUBSONIC_LYRICS_LRC_MAX, out);
	close(fd);
	open_caps_put(caller_uid(), 1);
	return rc;
}

/* The lyrics of the tags of file (a files.id, its track at real), read
 * as the caller, into *t (want_lyrics): 0 or a negative errno value. */
static int read_tag_lyrics(int64_t file, const char *real, struct tags *t)
{
	const char *kind = tags_formats_kind(real);
	struct cover_copy *copy = NULL;
	int fd, rc;

	if (!kind)
		return 0;
	rc = open_caps_take(caller_uid(), caller_is_owner(), 1);
	if (rc)
		return rc;
	fd = views_real_open(file, &copy);
	if (fd < 0) {
		open_caps_put(caller_uid(), 1);
		return fd;
	}
	rc = tags_formats_read(fd, kind, t);
	close(fd);
	open_caps_put(caller_uid(), 1);
	return rc;
}

/* The lines of l as Line objects, a new array, or NULL. */
static json_t *lines_of(const struct subsonic_lrc *l)
{
	json_t *a = json_array(), *o;

	for (size_t i = 0; a && i < l->nr; i++) {
		const struct subsonic_lrc_line *x = &l->lines[i];

		o = json_pack("{s:o}", "value", json_text(x->text,
						       strlen(x->text)));
		if (o && x->start >= 0 &&
		    json_object_set_new(o, "start", json_integer(x->start))) {
			json_decref(o);
			o = NULL;
		}
		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

/* A StructuredLyrics of the lyrics s (n bytes) of the song f, appended
 * to list when they have a line; lang from the tag, or NULL. */
static int add_structured(json_t *list, const char *s, size_t n,
			  const char *lang, const struct song_facts *f)
{
	struct subsonic_lrc l;
	json_t *o;
	int rc = subsonic_lrc_parse(s, n, &l);

	if (rc || !l.nr) {
		subsonic_lrc_release(&l);
		return rc;
	}
	if (*l.lang)
		lang = l.lang;
	o = json_pack("{s:s,s:b,s:I,s:o,s:o,s:o}", "lang",
		      lang && *lang ? lang : "und", "synced", l.synced,
		      "offset", (json_int_t)l.offset, "displayArtist",
		      l.artist ? json_text(l.artist, strlen(l.artist)) :
		      json_string(f->artist), "displayTitle",
		      l.title ? json_text(l.title, strlen(l.title)) :
		      json_string(f->title), "line", lines_of(&l));
	subsonic_lrc_release(&l);
	return o && !json_array_append_new(list, o) ? 0 : -ENOMEM;
}

/* The structuredLyrics of the song id (its Child song) into *out, a new
 * array: its .lrc's, then its tags'. 0 or a negative errno value. */
static int song_lyrics(const char *id, json_t *song, json_t **out)
{
	struct song_facts f = {
		json_string_value(json_object_get(song, "artist")),
		json_string_value(json_object_get(song, "title")),
	};
	int64_t file = subsonic_music_file(id);
	struct strbuf real = STRBUF_INIT, lrc = STRBUF_INIT;
	struct tags t = { .want_lyrics = 1, .no_pictures = 1 };
	int rc;

	f.artist = f.artist ? f.artist : "";
	f.title = f.title ? f.title : "";
	*out = json_array();
	rc = *out ? views_real_path(file, &real) : -ENOMEM;
	if (!rc && !read_lrc(real.buf, &lrc))
		rc = add_structured(*out, lrc.buf, lrc.len, NULL, &f);
	if (!rc)
		rc = read_tag_lyrics(file, real.buf, &t);
	if (rc == -EACCES || rc == -ENOENT)	/* gone or closed since */
		rc = 0;
	if (!rc && t.lyrics_synced)
		rc = add_structured(*out, t.lyrics_synced,
				    strlen(t.lyrics_synced), NULL, &f);
	if (!rc && t.lyrics)
		rc = add_structured(*out, t.lyrics, strlen(t.lyrics),
				    t.lyrics_lang, &f);
	tags_release(&t);
	strbuf_release(&lrc);
	strbuf_release(&real);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int subsonic_lyrics_by_song(json_t *body, subsonic_param_fn param,
			    void *req)
{
	const char *id = param(req, "id");
	json_t *song = NULL, *list = NULL;
	int rc;

	if (!id)
		return SUBSONIC_MISSING;
	rc = subsonic_music_file(id) > 0 ? subsonic_music_get(id, &song) :
	     SUBSONIC_NOT_FOUND;
	if (!rc)
		rc = song_lyrics(id, song, &list);
	json_decref(song);
	if (!rc && json_object_set_new(body, "lyricsList",
				       json_pack("{s:o}", "structuredLyrics",
						 list)))
		rc = -ENOMEM;
	return rc;
}

/* The lines of the first structuredLyrics of list, joined by line
 * breaks, a new string, or NULL. */
static json_t *plain_text(json_t *list)
{
	json_t *lines = json_object_get(json_array_get(list, 0), "line"), *v;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	json_array_foreach(lines, i, v) {
		if (i)
			strbuf_addch(&sb, '\n');
		strbuf_addstr(&sb, json_string_value(json_object_get(v,
								  "value")));
	}
	v = json_stringn(sb.len ? sb.buf : "", sb.len);
	strbuf_release(&sb);
	return v;
}

/* Whether the folded name of s is want (NULL: any name). */
static int same(const char *s, const char *want)
{
	char *folded = NULL;
	int yes;

	if (!want)
		return 1;
	if (!s || fold_name(s, &folded))
		return 0;
	yes = !strcmp(folded, want);
	free(folded);
	return yes;
}

/* Whether the song s of ix may be artist's title (folded, NULL: any),
 * before its Child is read: its title, or else its artist folder. */
static int may_be(const struct subsonic_index *ix,
		  const struct subsonic_index_song *s, const char *artist,
		  const char *title)
{
	if (title)
		return !strcmp(s->title_fold, title);
	return !strcmp(ix->albums[s->album].artist_fold, artist);
}

/* The Lyrics of song (the Child of id) into *out when it has some: 0,
 * or a negative errno value. */
static int lyrics_of(const char *id, json_t *song, json_t **out)
{
	json_t *list = NULL, *v;
	const char *keys[] = { "artist", "title" };
	int rc = song_lyrics(id, song, &list);

	if (!rc && json_array_size(list)) {
		*out = json_pack("{s:o}", "value", plain_text(list));
		for (size_t k = 0; *out && k < 2; k++)
			if ((v = json_object_get(song, keys[k])) &&
			    json_object_set(*out, keys[k], v)) {
				json_decref(*out);
				*out = NULL;
			}
		rc = *out ? 0 : -ENOMEM;
	}
	json_decref(list);
	return rc;
}

/* The Lyrics of the first song of ix titled title by artist (folded,
 * NULL: any) with lyrics into *out, of LOOKS at most: 0, or a negative
 * errno value. */
static int first_lyrics(const struct subsonic_index *ix, const char *artist,
			const char *title, json_t **out)
{
	char id[SUBSONIC_MARKS_ID_LEN];
	size_t looked = 0;
	json_t *song;
	int rc = 0;

	for (size_t i = 0; !rc && !*out && i < ix->nsongs &&
	     looked < LOOKS; i++) {
		const struct subsonic_index_song *s = &ix->songs[i];

		if (!may_be(ix, s, artist, title))
			continue;
		subsonic_marks_song_id(s->file, id);
		rc = subsonic_music_get(id, &song);
		if (rc == SUBSONIC_NOT_FOUND) {
			rc = 0;
			continue;
		}
		if (!rc && (!artist ||
			    !strcmp(ix->albums[s->album].artist_fold, artist) ||
			    same(json_string_value(json_object_get(song,
					"artist")), artist))) {
			looked++;
			rc = lyrics_of(id, song, out);
		}
		json_decref(song);
	}
	return rc;
}

int subsonic_lyrics_find(json_t *body, subsonic_param_fn param, void *req)
{
	const char *asked[] = { param(req, "artist"), param(req, "title") };
	char *folded[2] = { NULL, NULL };
	struct subsonic_index *ix = NULL;
	json_t *found = NULL;
	int rc = 0;

	for (size_t k = 0; !rc && k < 2; k++)
		if (asked[k] && *asked[k])
			rc = fold_name(asked[k], &folded[k]);
	if (!rc && (folded[0] || folded[1]))
		rc = subsonic_index_get(&ix);
	if (!rc && ix)
		rc = first_lyrics(ix, folded[0], folded[1], &found);
	if (ix)
		subsonic_index_put(ix);
	free(folded[0]);
	free(folded[1]);
	if (!rc && !found)	/* none: an empty one */
		found = json_pack("{s:s}", "value", "");
	if (!rc && json_object_set_new(body, "lyrics", found))
		rc = -ENOMEM;
	else if (rc)
		json_decref(found);
	return rc;
}
