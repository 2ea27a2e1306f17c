/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PLAYLIST_READS_H
#define MEDIAMON_PLAYLIST_READS_H

/*
 * The tracks of the playlists of the mount (fs/tree/playlists.h), read through
 * the calling thread's read connection (reader.h) in one read
 * transaction: each with what an #EXTINF line and the entry need.
 * Callbacks return 0, or nonzero to stop (that is returned); the strings
 * they are given live until they return. Functions return 0 or a
 * negative errno value (logged).
 */

#include <stddef.h>
#include <stdint.h>

struct strbuf;

struct playlist_track {
	int64_t track;		/* tracks.id */
	int64_t file;		/* its files.id */
	const char *artist;	/* "" when the track names none */
	const char *title;
	const char *path;	/* absolute */
	double seconds;		/* -1 when unknown */
	int has_lufs;		/* whether the analysis measured lufs */
	double lufs;		/* its integrated loudness */
	/* The analysis' vector (ANALYSIS_VECTOR_LEN floats, not aligned:
	 * copy them), or NULL when it holds none. */
	const void *vector;
};

/* Every analysed track, by track id. */
int playlist_reads_analysed(int (*fn)(void *arg,
				      const struct playlist_track *t),
			    void *arg);

/* The id of track first (-ENOENT when it is not analysed), then of the
 * up to max analysed tracks most like it, most alike first
 * (analysis_store.h), into ids (room for max + 1); *n says how many in
 * all. When may is given, ranked among the tracks whose files may(path)
 * passes alone (those a caller may read). */
int playlist_reads_rank(int64_t track, size_t max,
			int (*may)(const char *path), int64_t *ids,
			size_t *n);

/* The analysed tracks of ids (n), in that order; an id of no analysed
 * track is left out. */
int playlist_reads_tracks(const int64_t *ids, size_t n,
			  int (*fn)(void *arg,
				    const struct playlist_track *t),
			  void *arg);

/* The tracks whose files changed last, newest first, at most max. */
int playlist_reads_recent(size_t max,
			  int (*fn)(void *arg, const struct playlist_track *t),
			  void *arg);

/* Each genre tracks name (not empty), in byte order, with the least
 * track id of it and that track's path (absolute); per_folder: once for
 * each folder holding it (what a caller may read is decided by folder).
 */
int playlist_reads_genres(int per_folder,
			  int (*fn)(void *arg, const char *genre,
				    int64_t track, const char *path),
			  void *arg);

/* Append the genre of track to out; -ENOENT when it names none. */
int playlist_reads_genre_of(int64_t track, struct strbuf *out);

/* The tracks of genre, by artist, album, disc and number; at most max. */
int playlist_reads_genre(const char *genre, size_t max,
			 int (*fn)(void *arg, const struct playlist_track *t),
			 void *arg);

/* Each decade (1990 for 1990 to 1999) of the tracks' years, in order,
 * once for each folder holding it, with the path of one of its tracks
 * there. */
int playlist_reads_decades(int (*fn)(void *arg, int64_t decade,
				     const char *path),
			   void *arg);

/* The tracks of the years decade to decade + 9, as playlist_reads_genre()
 * orders them; at most max. */
int playlist_reads_decade(int64_t decade, size_t max,
			  int (*fn)(void *arg,
				    const struct playlist_track *t),
			  void *arg);

/* The tracks that hold one recording (analysis_store_duplicates()), a
 * group after another, in track id order; group numbers from 0. */
int playlist_reads_duplicates(int (*fn)(void *arg, int group,
					const struct playlist_track *t),
			      void *arg);

/* A first-seen time of a generated file or folder of /playlists
 * (fs/tree/stamps.h), kept in the store across restarts: its key (of its name
 * and its user), the hash and length of its content, and when that
 * content was first seen. */
struct playlist_time {
	uint64_t key, content;
	int64_t len, at_ns;
};

/* Every time the store keeps, by key. */
int playlist_reads_times(int (*fn)(void *arg, const struct playlist_time *t),
			 void *arg);

#endif
