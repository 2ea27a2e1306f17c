/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_GONE_H
#define MEDIAMON_GONE_H

/*
 * Tracks whose files left, kept for [general] keep_gone (the "gone"
 * table, schema version 33). A deleted music file's track row goes from
 * the library as before, so no view, count or status file sees it; what
 * cannot be rebuilt cheaply is kept aside: its file and track ids, where
 * it was (root, folder, name), what identifies its bytes (size, mtime
 * and inode: a move out of a root and back keeps all three) and its
 * analysis (the analysis row, its keys and its matches). A new file of
 * the same size and mtime, at the same place or with the same inode,
 * takes back its ids and analysis, and is not queued for analysis again;
 * other bytes at that place (a file replaced) are a new track. All of it
 * runs on the writer's connection, inside its transaction.
 */

#include <stdint.h>
#include <sqlite3.h>

/* The grace in seconds; 0 keeps nothing (deleted at once). */
void gone_set_keep(long seconds);

/* Keep aside the tracks of the file id (by_dir 0) or of the files of the
 * folder id (by_dir 1), before their rows are deleted. 0 or -errno. */
int gone_keep(sqlite3 *db, int by_dir, int64_t id);

/*
 * A file row just inserted (*file) that matches a kept one takes its id:
 * *file is changed to it and *track is set to the track id to insert
 * with (0: none kept, a new one); the row keeps the kept file's
 * first_seen. 0 or -errno.
 */
int gone_take(sqlite3 *db, int64_t *file, int64_t *track);

/* The kept analysis of track (inserted with gone_take()'s id; 0: none)
 * comes back; its kept row goes. 0 or -errno. */
int gone_restore(sqlite3 *db, int64_t track);

/* Kept rows older than the grace at now go. 0 or -errno. */
int gone_prune(sqlite3 *db, double now);

#endif
