/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ACCOUNT_ROWS_H
#define MEDIAMON_ACCOUNT_ROWS_H

/*
 * What each account of the Subsonic API (fs/subsonic/subsonic.h) keeps
 * for itself besides its stars (starred.h): its playlists, its bookmarks,
 * its play queue and its ratings, by account name (schema version 53).
 * A song is its track's file (files.id). A song's file that leaves keeps
 * its place in a playlist, a bookmark or a queue: no file takes its id
 * again (version 47), a file that comes back with its id (gone.h) is in
 * them again, and the reads give only what the API can answer for (it
 * leaves out what names no song the account may read). A rating is a
 * star's kind and item (starred.h), from 1 to 5.
 *
 * The writes run on the writer's thread (writer_call_urgent(): see
 * indexer_playlist() and the others of indexer.h); the reads on the
 * calling thread's read connection (store/reader.h). It judges no right.
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "indexer/library/starred.h"

/* A playlist as the store keeps it. */
struct account_playlist {
	int64_t id;
	const char *account;
	const char *name;
	const char *comment;
	int is_public;
	double created, changed;	/* seconds since the epoch */
};

/* A playlist made, changed or deleted, for account_rows_playlist(). */
struct account_playlist_change {
	const char *account;	/* the owner: no other's playlist changes */
	int64_t id;		/* 0: a new one, whose id is set here */
	int remove;		/* delete it */
	const char *name;	/* NULL keeps it (a new one needs one) */
	const char *comment;	/* NULL keeps it */
	int is_public;		/* -1 keeps it */
	int songs;		/* whether files[] replaces its songs */
	const int64_t *files;
	size_t nr_files;
	double at;
};

/* A bookmark; for account_rows_bookmark(), remove deletes it. */
struct account_bookmark {
	const char *account;
	int64_t file;
	int64_t position;	/* milliseconds */
	const char *comment;
	double created, changed;
	int remove;
};

/* A play queue, the songs files[] in order. */
struct account_queue {
	const char *account;
	int64_t current;	/* a file, 0 for none */
	int64_t position;	/* milliseconds */
	double changed;
	const char *changed_by;	/* the client's name */
	const int64_t *files;
	size_t nr_files;
};

/* A rating given (1 to 5) or taken back (0). */
struct account_rating {
	const char *account;
	enum starred_kind kind;
	int64_t file;		/* a song's files.id */
	const char *item;	/* an album's or artist's id */
	int rating;
};

/* Apply the struct account_playlist_change (a writer_call() function):
 * -ENOENT when its id names no playlist of its account. 0 or a negative
 * errno value (logged). */
int account_rows_playlist(sqlite3 *db, void *change);

/* Keep or remove the struct account_bookmark (a writer_call()
 * function): its created time stays. 0 or a negative errno value. */
int account_rows_bookmark(sqlite3 *db, void *bookmark);

/* Keep the struct account_queue in place of the account's (a
 * writer_call() function). 0 or a negative errno value (logged). */
int account_rows_queue(sqlite3 *db, void *queue);

/* Keep the struct account_rating (a writer_call() function). */
int account_rows_rating(sqlite3 *db, void *rating);

/* Call fn for each playlist of account, with the others' public ones
 * too when others, by name then id. Stops at fn's nonzero and returns
 * it; else 0 or a negative errno value (logged). */
int account_rows_playlists_each(const char *account, int others,
				int (*fn)(void *arg,
					  const struct account_playlist *p),
				void *arg);

/* Call fn for the playlist id when account owns it or it is public
 * (any when account is NULL): 1 then (or fn's nonzero), 0 when there
 * is none, or a negative errno value. */
int account_rows_playlist_get(int64_t id, const char *account,
			      int (*fn)(void *arg,
					const struct account_playlist *p),
			      void *arg);

/* The songs' files of the playlist id, in order, into *files (a new
 * array the caller frees) and their number into *nr: 0 or a negative
 * errno value (logged). */
int account_rows_playlist_files(int64_t id, int64_t **files, size_t *nr);

/* Call fn for each bookmark of account, latest changed first. */
int account_rows_bookmarks_each(const char *account,
				int (*fn)(void *arg,
					  const struct account_bookmark *b),
				void *arg);

/* Call fn with the play queue of account: 1 then (or fn's nonzero), 0
 * when it kept none, or a negative errno value. */
int account_rows_queue_get(const char *account,
			   int (*fn)(void *arg,
				     const struct account_queue *q),
			   void *arg);

/* Call fn for each rating of account. */
int account_rows_ratings_each(const char *account,
			      int (*fn)(void *arg,
					const struct account_rating *r),
			      void *arg);

#endif
