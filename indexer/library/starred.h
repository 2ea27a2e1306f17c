/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_STARRED_H
#define MEDIAMON_STARRED_H

/*
 * What the accounts of the Subsonic API (fs/subsonic/subsonic.h) marked: the
 * songs, albums and artists each starred, and the plays of each song it
 * told (scrobble), kept per account name (schema version 44: the
 * subsonic_stars and subsonic_plays tables). A song is its track's
 * file (files.id, which the index keeps across renames and moves); an
 * album or artist the API's id of it, text. The rows of a song go with
 * its file: when the file row goes and no gone row keeps its id
 * (gone.h), when the gone row goes with no file back, and when another
 * file takes the id (triggers of version 44), so a star never passes to
 * another song.
 *
 * The writes run on the writer's thread (writer_call_urgent(): see
 * indexer_star() and indexer_scrobble()); the reads on the calling
 * thread's read connection (store/reader.h).
 */

#include <sqlite3.h>
#include <stdint.h>

/* What a star is of. */
enum starred_kind { STARRED_SONG, STARRED_ALBUM, STARRED_ARTIST };

/* A star given or taken back, for starred_write(). */
struct starred_change {
	const char *account;
	enum starred_kind kind;
	int64_t file;		/* a song's files.id */
	const char *item;	/* an album's or artist's id */
	int on;			/* star (1) or unstar (0) */
	double at;		/* when, seconds since the epoch */
};

/* A play of the song of file told by account at (seconds since the
 * epoch), for starred_play(). */
struct starred_play {
	const char *account;
	int64_t file;
	double at;
};

/* Apply the struct starred_change change (a writer_call() function): a
 * star kept (its first time stays) or taken back; a song's only while
 * its file is there. 0 or a negative errno value (logged). */
int starred_write(sqlite3 *db, void *change);

/* Count the struct starred_play play (a writer_call() function): the
 * account's count of the song grows by one and its last play is the
 * latest told; nothing when the file is gone. 0 or a negative errno
 * value (logged). */
int starred_play(sqlite3 *db, void *play);

/* Call fn for each star of account, oldest first, with its kind, the
 * song's file (0 for others), the album's or artist's id (NULL for a
 * song) and when it was given. Stops at fn's nonzero and returns it;
 * else 0 or a negative errno value (logged). */
int starred_each(const char *account,
		 int (*fn)(void *arg, enum starred_kind kind, int64_t file,
			   const char *item, double at),
		 void *arg);

/* Call fn for each song account told plays of, with its count and its
 * last play. Returns as starred_each(). */
int starred_plays_each(const char *account,
		       int (*fn)(void *arg, int64_t file, int64_t count,
				 double played),
		       void *arg);

#endif
