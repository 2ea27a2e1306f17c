/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A track's record as extended attributes of its file in the views
 * (track_attrs.h). It reads the store; listing and serving them is the
 * mount's.
 */
#include "indexer/library/track_attrs.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/db.h"
#include "common/strbuf.h"
#include "indexer/analysis/analysis.h"
#include "indexer/library/tags.h"
#include "indexer/store/reader.h"

#define PREFIX "user.mediamon."

/* The attributes in the order of the query's columns, with the format
 * of their numbers (NULL: text). */
static const struct {
	const char *name;
	const char *format;
} attrs[] = {
	{ PREFIX "title", NULL },
	{ PREFIX "artist", NULL },
	{ PREFIX "album", NULL },
	{ PREFIX "track", "%.0f" },
	{ PREFIX "album_artist", NULL },
	{ PREFIX "disc", "%.0f" },
	{ PREFIX "year", "%.0f" },
	{ PREFIX "tag_source", NULL },
	{ PREFIX "bpm", "%.2f" },
	{ PREFIX "loudness_lufs", "%.2f" },
	{ PREFIX "gain_db", "%.2f" },
	{ PREFIX "album_gain_db", "%.2f" },
	{ PREFIX "peak", "%.4f" },
	{ PREFIX "tag_gain_db", "%.2f" },
	{ PREFIX "tag_album_gain_db", "%.2f" },
	{ PREFIX "mb_track_id", NULL },
	{ PREFIX "mb_album_id", NULL },
	{ PREFIX "mb_artist_id", NULL },	/* the album artist's first */
	{ PREFIX "duration", "%.3f" },
	{ PREFIX "first_seen", "%.0f" },
};

#define NR_ATTRS (ARRAY_SIZE(attrs))
#define TAG_SOURCE 7	/* kept short (tags_sources()), spelled out here */
#define ALBUM_GAIN 11

/* The sources of a track's fields as the store keeps them, spelled
 * out. */
static void add_sources(struct strbuf *out, const char *code)
{
	char text[TAGS_SOURCES_MAX];

	tags_sources_text(code ? code : "", text, sizeof(text));
	strbuf_addstr(out, text);
}

/* The loudness and length of the analysed tracks of an album. */
struct loudness {
	double *lufs, *secs;
	size_t nr, alloc, secs_alloc;
};

static int loudness_add(struct loudness *l, double lufs, double secs)
{
	double *a = array_grow(l->lufs, l->nr, &l->alloc, sizeof(*a), 16);
	double *b = a ? array_grow(l->secs, l->nr, &l->secs_alloc,
				   sizeof(*b), 16) : NULL;

	if (a)
		l->lufs = a;
	if (!b)
		return -ENOMEM;
	l->secs = b;
	l->lufs[l->nr] = lufs;
	l->secs[l->nr++] = secs;
	return 0;
}

/*
 * The gain of the album of file's track over the tracks of it whose file
 * on disk may(path) passes, into out; nothing when one of those waits
 * for its analysis or none was analysed, as the store's own album gain
 * (analysis_store.c) over all of them.
 */
static int album_gain_of(int64_t file, int (*may)(const char *path),
			 struct strbuf *out)
{
	const char *what = "read an album's loudness";
	struct loudness l = { NULL, NULL, 0, 0, 0 };
	struct strbuf path = STRBUF_INIT;
	int waiting = 0, rc;
	sqlite3_stmt *st;

	rc = reader_prepare_id("SELECT r.path, f.path, a.state,"
		" a.loudness_lufs, a.duration_s,"
		" o.id IN (SELECT track_id FROM analysis_queue)"
		" FROM tracks t JOIN tracks o ON o.album_id = t.album_id"
		" JOIN file_paths f ON f.id = o.file_id"
		" JOIN roots r ON r.id = f.root_id"
		" LEFT JOIN analysis a ON a.track_id = o.id"
		" WHERE t.file_id = ?1", what, file, &st);
	if (rc)
		return rc;
	while (!waiting && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 2);

		strbuf_reset(&path);
		strbuf_add(&path, sqlite3_column_blob(st, 0),
			   sqlite3_column_bytes(st, 0));
		strbuf_addch(&path, '/');
		strbuf_add(&path, sqlite3_column_blob(st, 1),
			   sqlite3_column_bytes(st, 1));
		if (!may(path.buf))
			continue;
		waiting = !state || sqlite3_column_int(st, 5);
		if (!waiting && !strcmp(state, "ok") &&
		    loudness_add(&l, sqlite3_column_double(st, 3),
				 sqlite3_column_double(st, 4))) {
			rc = -ENOMEM;
			break;
		}
	}
	if (rc != -ENOMEM && rc != SQLITE_DONE && !waiting)
		rc = db_error(sqlite3_db_handle(st), rc, what);
	else if (rc != -ENOMEM)
		rc = 0;
	reader_done(st);
	if (!rc && !waiting && l.nr)
		strbuf_addf(out, attrs[ALBUM_GAIN].format,
			    analysis_album_gain(l.lufs, l.secs, l.nr));
	free(l.lufs);
	free(l.secs);
	strbuf_release(&path);
	return rc;
}

/* Every value the file's track has; an attribute with none is left out
 * (its buffer empty). The album gain is computed over the tracks may
 * passes when may is not NULL. Returns 0, -ENODATA when the file is no
 * track, or -EIO. */
static int read_values(int64_t file, int (*may)(const char *path),
		       struct strbuf values[NR_ATTRS])
{
	const char *what = "read a track's attributes";
	sqlite3_stmt *st;
	int rc;

	/* A file manager asks for these file by file: the statement is the
	 * thread's kept one, parsed once. */
	rc = reader_prepare_id("SELECT t.title, ar.name, al.title,"
		" t.track_no, aa.name, t.disc_no, t.year, t.tag_source,"
		" a.bpm, a.loudness_lufs, a.gain_db, g.gain_db,"
		" a.peak, t.tag_gain_db, t.tag_album_gain_db, t.mb_track_id,"
		" t.mb_album_id,"
		" COALESCE(t.mb_album_artist_id, t.mb_artist_id),"
		" t.duration_s, f.first_seen FROM tracks t"
		" JOIN files f ON f.id = t.file_id"
		" LEFT JOIN artists ar ON ar.id = t.artist_id"
		" LEFT JOIN artists aa ON aa.id = t.album_artist_id"
		" LEFT JOIN albums al ON al.id = t.album_id"
		" LEFT JOIN analysis a ON a.track_id = t.id AND a.state = 'ok'"
		" LEFT JOIN analysis_albums g ON g.album_id = t.album_id"
		" WHERE t.file_id = ?1", what, file, &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	for (size_t i = 0; rc == SQLITE_ROW && i < NR_ATTRS; i++) {
		if (sqlite3_column_type(st, i) == SQLITE_NULL)
			continue;
		if (attrs[i].format)
			strbuf_addf(&values[i], attrs[i].format,
				    sqlite3_column_double(st, i));
		else if (i == TAG_SOURCE)
			add_sources(&values[i],
				    (const char *)sqlite3_column_text(st, i));
		else
			strbuf_add(&values[i], sqlite3_column_text(st, i),
				   sqlite3_column_bytes(st, i));
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = db_error(sqlite3_db_handle(st), rc, what);
	reader_done(st);
	if (rc == SQLITE_DONE)
		return -ENODATA;
	if (rc != SQLITE_ROW)
		return rc;
	if (!may)
		return 0;
	strbuf_reset(&values[ALBUM_GAIN]);
	return album_gain_of(file, may, &values[ALBUM_GAIN]);
}

/* Give data to the caller as getxattr() and listxattr() do. */
static int hand_out(const char *data, size_t len, char *buf, size_t size)
{
	if (!size)
		return len;
	if (size < len)
		return -ERANGE;
	memcpy(buf, data, len);
	return len;
}

/* Every value buffer goes, set or not. */
static void release_values(struct strbuf values[NR_ATTRS])
{
	for (size_t i = 0; i < NR_ATTRS; i++)
		strbuf_release(&values[i]);
}

/* The place of name in attrs, or NR_ATTRS. */
static size_t find(const char *name)
{
	size_t i;

	for (i = 0; i < NR_ATTRS && strcmp(attrs[i].name, name); i++)
		;
	return i;
}

int track_attrs_known(const char *name)
{
	return find(name) < NR_ATTRS;
}

int track_attrs_get(int64_t file, const char *name,
		    int (*may)(const char *path), char *buf, size_t size)
{
	struct strbuf values[NR_ATTRS];
	size_t i = find(name);
	int rc;

	if (i == NR_ATTRS)
		return -ENODATA;
	for (size_t k = 0; k < NR_ATTRS; k++)
		strbuf_init(&values[k], 0);
	rc = read_values(file, may, values);
	if (!rc)
		rc = values[i].len ? hand_out(values[i].buf, values[i].len,
					      buf, size) : -ENODATA;
	release_values(values);
	return rc;
}

/* The names of the attributes the track of file has, each ending with a
 * NUL and, with values, followed by its value ending with a NUL, handed
 * out as hand_out() does: its length, -ENODATA (no track), -ERANGE or
 * -EIO. */
static int hand_names(int64_t file, int (*may)(const char *path),
		      int with_values, char *buf, size_t size)
{
	struct strbuf values[NR_ATTRS], out = STRBUF_INIT;
	int rc;

	for (size_t k = 0; k < NR_ATTRS; k++)
		strbuf_init(&values[k], 0);
	rc = read_values(file, may, values);
	for (size_t i = 0; !rc && i < NR_ATTRS; i++) {
		if (!values[i].len)
			continue;
		strbuf_add(&out, attrs[i].name, strlen(attrs[i].name) + 1);
		if (with_values)
			strbuf_add(&out, values[i].buf, values[i].len + 1);
	}
	if (!rc)
		rc = hand_out(out.buf, out.len, buf, size);
	release_values(values);
	strbuf_release(&out);
	return rc;
}

/* Copy the text of column i of st into *out, NULL when it has none. */
static int column_copy(sqlite3_stmt *st, int i, char **out)
{
	const unsigned char *text = sqlite3_column_text(st, i);

	*out = text ? strdup((const char *)text) : NULL;
	return !text || *out ? 0 : -ENOMEM;
}

int track_attrs_media(int64_t file, struct track_media *out)
{
	const char *what = "read a track's file";
	sqlite3_stmt *st;
	int rc;

	*out = (struct track_media){ .genre = NULL };
	rc = reader_prepare_id("SELECT f.size, t.bitrate_kbps, t.sample_rate,"
		" t.channels, t.genre, t.bit_depth FROM tracks t"
		" JOIN files f ON f.id = t.file_id WHERE t.file_id = ?1",
		what, file, &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->size = sqlite3_column_int64(st, 0);
		out->bitrate_kbps = sqlite3_column_int64(st, 1);
		out->sample_rate = sqlite3_column_int64(st, 2);
		out->channels = sqlite3_column_int64(st, 3);
		out->bit_depth = sqlite3_column_int64(st, 5);
		rc = column_copy(st, 4, &out->genre);
	} else if (rc == SQLITE_DONE) {
		rc = -ENODATA;
	} else {
		rc = db_error(sqlite3_db_handle(st), rc, what);
	}
	reader_done(st);
	return rc;
}

void track_attrs_media_free(struct track_media *m)
{
	free(m->genre);
	m->genre = NULL;
}

int track_attrs_all(int64_t file, int (*may)(const char *path), char *buf,
		    size_t size)
{
	return hand_names(file, may, 1, buf, size);
}

int track_attrs_list(int64_t file, int (*may)(const char *path), char *buf,
		     size_t size)
{
	int rc = hand_names(file, may, 0, buf, size);

	return rc == -ENODATA ? 0 : rc;
}


static int add_title(void *arg, sqlite3_stmt *st)
{
	struct track_titles *t = arg;
	struct track_title *v = array_grow(t->v, t->nr, &t->alloc,
					   sizeof(*v), 1024);
	struct track_title *row;

	if (!v)
		return -ENOMEM;
	t->v = v;
	row = &t->v[t->nr++];
	*row = (struct track_title){ sqlite3_column_int64(st, 0), NULL, NULL,
				     (long)sqlite3_column_int64(st, 3),
				     /* as the track's record rounds it */
				     (long)(nearbyint(sqlite3_column_double(
					     st, 4) * 1000) / 1000 + 0.5),
				     sqlite3_column_int64(st, 5), NULL, NULL };
	if (column_copy(st, 1, &row->title) ||
	    column_copy(st, 2, &row->album) ||
	    column_copy(st, 6, &row->genre))
		return -ENOMEM;
	/* as query_file_path() joins them */
	if (asprintf(&row->path, "%.*s/%.*s", sqlite3_column_bytes(st, 7),
		     (const char *)sqlite3_column_blob(st, 7),
		     sqlite3_column_bytes(st, 8),
		     (const char *)sqlite3_column_blob(st, 8)) < 0) {
		row->path = NULL;
		return -ENOMEM;
	}
	return 0;
}

int track_attrs_titles(struct track_titles *out)
{
	*out = (struct track_titles){ NULL, 0, 0 };
	return reader_each("SELECT t.file_id, t.title, al.title, t.year,"
		" t.duration_s, f.first_seen, t.genre, r.path, f.path"
		" FROM tracks t JOIN file_paths f ON f.id = t.file_id"
		" JOIN roots r ON r.id = f.root_id"
		" LEFT JOIN albums al ON al.id = t.album_id"
		" ORDER BY t.file_id", "read the tracks' titles", add_title,
		out);
}

static int by_file(const void *key, const void *item)
{
	int64_t a = *(const int64_t *)key;
	int64_t b = ((const struct track_title *)item)->file;

	return a < b ? -1 : a > b;
}

const struct track_title *track_attrs_title(const struct track_titles *t,
					    int64_t file)
{
	return t->nr ? bsearch(&file, t->v, t->nr, sizeof(*t->v), by_file) :
		NULL;
}

void track_attrs_titles_free(struct track_titles *t)
{
	for (size_t i = 0; i < t->nr; i++) {
		free(t->v[i].title);
		free(t->v[i].album);
		free(t->v[i].genre);
		free(t->v[i].path);
	}
	free(t->v);
	*t = (struct track_titles){ NULL, 0, 0 };
}
