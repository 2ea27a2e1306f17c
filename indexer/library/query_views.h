/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_QUERY_VIEWS_H
#define MEDIAMON_QUERY_VIEWS_H

/*
 * What the library views (fs/tree/views.h) list, read from the store: the
 * folders of the music views, the tracks of their deepest folders, what
 * /search and /similar find, and where a file is on disk. The mount names
 * what these give; the store only groups and orders.
 *
 * A music view groups tracks by levels, one per folder depth (artist,
 * then album, ...). A folder is selected by keys, one or two per level,
 * that the listing of its parent gave: a struct query_at names the view's
 * levels and the keys of a folder and its ancestors, outermost first.
 *
 *	struct query_at at = { view_levels, 1, &artist_key, 1 };
 *
 *	query_begin();
 *	query_view_groups(&at, QUERY_BY_ALBUM_YEAR, add_album, &ls);
 *	query_end();
 *
 * Callbacks return 0, or a negative errno value that stops the listing
 * and is returned; the strings they are given live until they return.
 * Functions return 0 or a negative errno value (logged).
 */

#include <stddef.h>
#include <stdint.h>

struct strbuf;

/* What the folders of one depth of a music view stand for. */
enum query_level {
	QUERY_BY_ARTIST,	/* album artist; label: its name */
	QUERY_BY_ALBUM_YEAR,	/* album; labels: title, year */
	QUERY_BY_ALBUM_ARTIST,	/* album and album artist; labels: title,
				 * artist */
	QUERY_BY_GENRE,		/* label: the genre */
	QUERY_BY_YEAR,		/* label: the year */
	QUERY_BY_ARTIST_ALBUM,	/* album and album artist; labels: artist,
				 * title */
};

/* A value that selects a folder's tracks: none, a number, or text. */
struct query_key {
	enum { QUERY_KEY_NULL, QUERY_KEY_INT, QUERY_KEY_REAL,
	       QUERY_KEY_TEXT } type;
	int64_t n;
	double d;
	char *text;		/* malloc'd, len bytes */
	size_t len;
};

/* Copy src into dst (its text too). Returns 0 or -ENOMEM. */
int query_key_copy(struct query_key *dst, const struct query_key *src);

/* Free what a key holds; it is then a key of none. */
void query_key_clear(struct query_key *k);

/* A folder of a music view: the view's levels, how many of them its
 * keys cover, and the keys of its ancestors and its own in order. */
struct query_at {
	const enum query_level *levels;
	int depth;
	const struct query_key *keys;
	int nkeys;
};

/* A folder found below another: its labels (NULL when empty), the
 * keys that select it (nkeys of them), and the files.id of one of its
 * tracks (the first by id, but as file says). */
struct query_group {
	const char *label[2];
	size_t label_len[2];
	struct query_key key[2];
	int nkeys;
	int64_t file;		/* one of its tracks' files: with a label
				 * that aggregates (an album's year), one
				 * whose track gives that label */
	int file_decides;	/* so the label is that track's alone */
};

/* A track to list: its file's files.id, numbers and title, and where it
 * is (path relative to the absolute root). */
struct query_track {
	int64_t file;
	int track, disc, disc_total;
	const char *title;
	size_t title_len;
	const char *path;
	size_t path_len;
	const char *root;
};

/*
 * Read the next queries (a folder's entries, its cover) in one snapshot
 * of the store, until query_end(). Returns 0 or -EIO.
 */
int query_begin(void);
void query_end(void);

/* Call fn for each folder of level below the folder at, in key order. */
int query_view_groups(const struct query_at *at, enum query_level level,
		      int (*fn)(void *arg, const struct query_group *g),
		      void *arg);

/* Call fn for each track of the folder at, by disc, number and id. */
int query_view_tracks(const struct query_at *at,
		      int (*fn)(void *arg, const struct query_track *t),
		      void *arg);

/*
 * Fill dirs with the directories.id of at most max folders holding tracks
 * of the folder at, and *nr with how many; for the image of an artist.
 */
int query_view_dirs(const struct query_at *at, int64_t *dirs, size_t max,
		    size_t *nr);

/*
 * Call fn for the at most max tracks whose title, artist, album or album
 * artist hold every word of query (plain text, never FTS5 syntax) as the
 * start of a word, accents folded; the best max, in track id order. When
 * may is given, the best max among the tracks whose file on disk
 * may(path) passes (those the caller may read), so a hidden track takes
 * no place of another.
 */
int query_search_tracks(const char *query, int max,
			int (*may)(const char *path),
			int (*fn)(void *arg, const struct query_track *t),
			void *arg);

/*
 * Call fn for the tracks most similar to the best match of query (as
 * query_search_tracks() finds it), most similar first (similar.h), and
 * append the best match's file on disk to best: what they are similar
 * to is that file's, shown to those who may read it alone. When may is
 * given, the match and the ranking are over the tracks whose file on
 * disk may(path) passes alone (those the caller may read), so a track
 * hidden from the caller neither shows nor moves another.
 */
int query_similar_tracks(const char *query, int (*may)(const char *path),
			 struct strbuf *best,
			 int (*fn)(void *arg, const struct query_track *t),
			 void *arg);

/* Append the absolute path of the file with this files.id to out.
 * Returns 0, -ENOENT when there is no such file, or another negative
 * errno value. */
int query_file_path(int64_t file, struct strbuf *out);

/* The bytes of the files with the files.id of the JSON array ids ("[1,2]")
 * as the store knows them, and the newest one's time (ns since the epoch;
 * 0 when none is known): no file on disk is looked at. Returns 0 or a
 * negative errno value (logged). */
int query_files_total(const char *ids, int64_t *bytes, int64_t *newest_ns);

/* Append the absolute path of the folder of the series with this
 * series.id to out. Returns 0, -ENOENT when there is no such series, or
 * another negative errno value. */
int query_series_folder(int64_t series, struct strbuf *out);

#endif
