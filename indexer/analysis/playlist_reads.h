/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PLAYLIST_READS_H
#define MEDIAMON_PLAYLIST_READS_H

/*
 * The tracks of the playlists of the mount (fs/playlists.h), read through
 * the calling thread's read connection (reader.h) in one read
 * transaction: each with what an #EXTINF line and the entry need.
 * Callbacks return 0, or nonzero to stop (that is returned); the strings
 * they are given live until they return. Functions return 0 or a
 * negative errno value (logged).
 */

#include <stddef.h>
#include <stdint.h>

struct playlist_track {
	int64_t track;		/* tracks.id */
	const char *artist;	/* "" when the track names none */
	const char *title;
	const char *path;	/* absolute */
	double seconds;		/* -1 when unknown */
};

/* Every analysed track, by track id. */
int playlist_reads_analysed(int (*fn)(void *arg,
				      const struct playlist_track *t),
			    void *arg);

/* The track first (-ENOENT when it is not analysed), then the up to max
 * analysed tracks most like it, most alike first (analysis_store.h). */
int playlist_reads_similar(int64_t track, size_t max,
			   int (*fn)(void *arg,
				     const struct playlist_track *t),
			   void *arg);

/* The tracks whose files changed last, newest first, at most max. */
int playlist_reads_recent(size_t max,
			  int (*fn)(void *arg, const struct playlist_track *t),
			  void *arg);

/* The tracks that hold one recording (analysis_store_duplicates()), a
 * group after another, in track id order; group numbers from 0. */
int playlist_reads_duplicates(int (*fn)(void *arg, int group,
					const struct playlist_track *t),
			      void *arg);

#endif
