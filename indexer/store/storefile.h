/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_STOREFILE_H
#define MEDIAMON_STOREFILE_H

/*
 * The store as a file on disk, and what goes wrong with it while the
 * daemon runs.
 *
 * storefile_claim() makes the store private before anything is in it: the
 * folders it creates are 0700, the file 0600 (SQLite gives its -wal and
 * -shm the file's mode). It also locks the store for this process: a
 * second mediamon on the same store is refused before it mounts. The lock
 * is a flock() on PATH.lock, which SQLite's own locks on PATH never meet,
 * and which a fork (daemonizing) keeps.
 *
 * Faults are noted where they are met. Every failed SQLite call reaches
 * db_error(), whose hook tells this module: a write refused for want of
 * space, on a read-only file system or with an i/o error, and a page found
 * corrupt by any connection become the store's fault, shown in
 * /status/health until a write succeeds again (or the store is restored).
 * A file deleted or replaced under the daemon, which SQLite goes on
 * writing without a word, is found by storefile_check().
 *
 *	storefile_claim(cfg->database, 0);	before the mount
 *	...
 *	if (storefile_check() != STOREFILE_OK)	before each transaction
 *		...;
 */

#include <sqlite3.h>
#include <stdint.h>

struct strbuf;

/* Each fault and the words health and the log say it with. */
#define STOREFILE_FAULTS(X)						\
	X(STOREFILE_OK, "ok")						\
	/* no space left on the device (or quota) */			\
	X(STOREFILE_FULL, "disk full")					\
	/* a read-only file system or file */				\
	X(STOREFILE_READONLY, "read-only")				\
	/* any other error of the device */				\
	X(STOREFILE_IOERR, "i/o error")					\
	/* the file is gone from its path */				\
	X(STOREFILE_DELETED, "deleted")					\
	/* another file is at its path */				\
	X(STOREFILE_REPLACED, "replaced by another file")		\
	/* a damaged page or header */					\
	X(STOREFILE_CORRUPT, "corrupt")
#define STOREFILE_FAULT_ENUM(fault, words) fault,

enum storefile_fault { STOREFILE_FAULTS(STOREFILE_FAULT_ENUM) };

/*
 * Lock the store at path for this process and create what is missing of
 * it: folders 0700, the file empty and 0600. Unless shared_ok (-o
 * db_shared_ok), the store is refused in a folder its group or other
 * users may write to or another user owns (one could plant or swap the
 * file, its journal or its lock), and a file at path that is a symbolic
 * link or not this user's own. Returns 0, -EBUSY when another process
 * holds the lock (logged with its pid), -ELOOP when the lock file or the
 * store is a symbolic link, -EPERM when either is not a file of this
 * user's (with one name, for the lock) or the folder is shared, or
 * another negative errno value (logged).
 */
int storefile_claim(const char *path, int shared_ok);

/*
 * Create the file at path, empty and 0600, when it is not there (one that
 * is, readable by others, is logged). Returns 0 or a negative errno value
 * (logged).
 */
int storefile_create_private(const char *path);

/* Write this process's id into the lock file (again, after a fork). */
void storefile_note_pid(void);

/* The path storefile_claim() took, or NULL. */
const char *storefile_path(void);

/*
 * Create the folders above path that are missing, 0700. Returns 0 or a
 * negative errno value (logged).
 */
int storefile_make_folders(const char *path);

/*
 * Remember the file at the path as the store's (its device and inode),
 * and the name SQLite gives it, so the faults of db and of every other
 * connection to it are the store's: the writer calls it each time it
 * opens the store. A fault of the file being deleted or replaced is over.
 */
void storefile_opened(sqlite3 *db);

/*
 * Whether the file at the path is still the one opened: STOREFILE_OK,
 * STOREFILE_DELETED or STOREFILE_REPLACED, which is then the fault.
 */
enum storefile_fault storefile_check(void);

/*
 * What the last failed call on db says of the store: STOREFILE_OK for a
 * fault of the query rather than of the file, or for another database.
 */
enum storefile_fault storefile_classify(sqlite3 *db);

/*
 * PRAGMA quick_check of the database at path (the store, a backup, a
 * copy), on a connection of its own, safe beside others: 1 when damaged
 * (the first thing it says appended to why, which may be NULL), 0 when
 * sound, or a negative errno value (logged) when it cannot tell.
 */
int storefile_damaged(const char *path, struct strbuf *why);

/* Note fault f (not STOREFILE_OK) as the store's, once logged elsewhere. */
void storefile_note(enum storefile_fault f);

/* A write was committed: the faults of writing are over (not those of
 * the file itself: corrupt, deleted, replaced). */
void storefile_writes_work(void);

/* The store was found sound, or restored: no fault is left. */
void storefile_clear(void);

/* The fault the store is in, STOREFILE_OK for none. */
enum storefile_fault storefile_fault(void);

/*
 * Whether free space on the store's file system grew since it was found
 * full: time to try again, before a backoff would.
 */
int storefile_space_returned(void);

/*
 * Whether a connection read a corrupt page since the last call (which
 * clears it): PRAGMA quick_check should say how bad it is.
 */
int storefile_take_suspect(void);

/*
 * Call fn each time a fault is noted (a connection met one, or
 * storefile_check() found the file gone), for as long as the process
 * lives; NULL for none. fn runs on that connection's thread with the
 * store file's lock held: it only wakes whoever looks after the store.
 */
void storefile_on_fault(void (*fn)(void));

/*
 * A counter that moves each time the store's path holds a new file (one
 * written back or restored): read connections opened before must reopen.
 */
uint64_t storefile_epoch(void);
void storefile_new_epoch(void);

/*
 * Keep line as a "warn:" line of the health file until the daemon stops
 * (a recovery, and what it cost).
 */
void storefile_remember(const char *line);

/* Append the store's "error:" lines to errors and "warn:" to warns. */
void storefile_health(struct strbuf *errors, struct strbuf *warns);

#endif
