/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A song of the Subsonic API (subsonic_song.h): the Child of a track,
 * made from its record as the view's attributes give it, read once. It
 * lists no folder and speaks no SQL.
 */
#include "fs/subsonic/subsonic_song.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "fs/tree/http_types.h"
#include "fs/subsonic/subsonic_marks.h"
#include "fs/tree/views.h"
#include "indexer/reads.h"

#define ATTR "user.mediamon."

/* The id of the song of the track file: SONG and its files.id. */
static json_t *song_id(int64_t file)
{
	char id[SUBSONIC_MARKS_ID_LEN];

	subsonic_marks_song_id(file, id);
	return json_string(id);
}

/* A track's attributes as the view gives them, read at once: names
 * (after "user.mediamon.") and values, each ending with a NUL. */
struct record {
	char *buf;
	int len;
	char small[4096];
};

/* Read the record of the track of file into r: 0 or a negative errno
 * value (-ENODATA: no track). record_release() frees it either way, and
 * a record never read ({ .buf = NULL }). */
static int record_read(struct record *r, int64_t file)
{
	r->buf = r->small;
	r->len = views_track_record_held(file, r->small, sizeof(r->small));
	if (r->len == -ERANGE) {
		r->len = views_track_record_held(file, NULL, 0);
		r->buf = r->len > 0 ? malloc(r->len) : NULL;
		if (r->len > 0 && !r->buf)
			r->len = -ENOMEM;
		else if (r->len > 0)
			r->len = views_track_record_held(file, r->buf, r->len);
	}
	return r->len < 0 ? r->len : 0;
}

static void record_release(struct record *r)
{
	if (r->buf != r->small)
		free(r->buf);
}

/* The value of name in r, or NULL. */
static const char *field(const struct record *r, const char *name)
{
	const char *p = r->buf, *end = r->buf + (r->len > 0 ? r->len : 0);

	while (p < end) {
		const char *value = p + strlen(p) + 1;

		if (!strncmp(p, ATTR, strlen(ATTR)) &&
		    !strcmp(p + strlen(ATTR), name))
			return value;
		p = value + strlen(value) + 1;
	}
	return NULL;
}

/* The number name of r, or 0. */
static double number(const struct record *r, const char *name)
{
	const char *v = field(r, name);

	return v ? strtod(v, NULL) : 0;
}

/* The OpenSubsonic replayGain of song s from the loudness analysis in
 * r, when it was analysed: its gains in dB towards the analysis' target
 * (the album's over the tracks the caller may read) and its linear
 * peak. */
static void add_gains(json_t *s, const struct record *r)
{
	static const char *const names[][2] = {
		{ "gain_db", "trackGain" },
		{ "album_gain_db", "albumGain" },
		{ "peak", "trackPeak" },
	};
	json_t *gains = json_object();

	for (size_t i = 0; gains && i < sizeof(names) / sizeof(names[0]);
	     i++)
		if (field(r, names[i][0]))
			json_object_set_new(gains, names[i][1],
				json_real(number(r, names[i][0])));
	if (json_object_size(gains))
		json_object_set_new(s, "replayGain", gains);
	else
		json_decref(gains);
}

/* Set member name of s to the text of r's name, if it has one. */
static void add_text(json_t *s, const char *member, const struct record *r,
		     const char *name)
{
	const char *v = field(r, name);

	if (v)
		json_object_set_new(s, member, json_string(v));
}

/* Set member name of s to the whole number r's name, if above 0. */
static void add_number(json_t *s, const char *member, const struct record *r,
		       const char *name)
{
	double v = number(r, name);

	if (v >= 1)
		json_object_set_new(s, member, json_integer((json_int_t)v));
}

/* Set member name of s to n, if above 0. */
static void add_positive(json_t *s, const char *member, long long n)
{
	if (n > 0)
		json_object_set_new(s, member, json_integer(n));
}

/* What the store knows of the file of song s at path in the view: its
 * size, type (as /rest/stream serves it), bitrate, sampling, channels,
 * bit depth (lossless audio only), genre and place. Returns 0 or a negative errno value. */
static int add_media(json_t *s, int64_t file, const char *path)
{
	struct track_media m;
	int rc = track_attrs_media(file, &m);

	if (rc) {
		track_attrs_media_free(&m);
		return rc;
	}
	json_object_set_new(s, "size", json_integer(m.size));
	json_object_set_new(s, "contentType",
			    json_string(http_types_of(path)));
	add_positive(s, "bitRate", m.bitrate_kbps);
	add_positive(s, "samplingRate", m.sample_rate);
	add_positive(s, "channelCount", m.channels);
	add_positive(s, "bitDepth", m.bit_depth);
	json_object_set_new(s, "path", json_string(path));
	if (m.genre && *m.genre) {
		json_object_set_new(s, "genre", json_string(m.genre));
		json_object_set_new(s, "genres", json_pack("[{s:s}]", "name",
							   m.genre));
	}
	track_attrs_media_free(&m);
	return 0;
}

/* The Child s of the track file named name from its record r. */
static void add_record(json_t *s, const struct record *r, const char *name)
{
	char when[CLOCK_RFC3339_LEN];

	json_object_set_new(s, "title", json_string(field(r, "title") ?
		field(r, "title") : name));
	add_text(s, "artist", r, "artist");
	add_text(s, "album", r, "album");
	add_number(s, "track", r, "track");
	add_number(s, "discNumber", r, "disc");
	add_number(s, "year", r, "year");
	add_text(s, "musicBrainzId", r, "mb_track_id");
	/* a player takes a song without one for damaged */
	json_object_set_new(s, "duration", json_integer(
		(json_int_t)(number(r, "duration") + 0.5)));
	/* ISO 8601 in UTC: the earliest of such times is the least text */
	if (number(r, "first_seen") > 0) {
		clock_rfc3339((time_t)number(r, "first_seen"), when);
		json_object_set_new(s, "created", json_string(when));
	}
	add_gains(s, r);
}

int subsonic_song_child(const char *album, const char *artist,
			const char *path, int64_t file, json_t **out)
{
	struct record r = { .buf = NULL };
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const char *dot = strrchr(name, '.');
	json_t *s = NULL;
	int rc = file > 0 ? record_read(&r, file) : -ENODATA;

	if (!rc && !r.len)
		rc = -ENODATA;
	if (!rc)
		s = json_pack("{s:o,s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "id",
			      song_id(file), "parent", album, "albumId", album,
			      "artistId", artist, "isDir", 0, "type", "music",
			      "mediaType", "song", "suffix", dot ? dot + 1 : "");
	if (!rc && !s)
		rc = -ENOMEM;
	if (!rc)
		rc = add_media(s, file, path);
	if (rc) {
		json_decref(s);
		record_release(&r);
		return rc;
	}
	add_record(s, &r, name);
	subsonic_marks_add(s, json_string_value(json_object_get(s, "id")));
	record_release(&r);
	*out = s;
	return 0;
}
