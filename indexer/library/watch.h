/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_WATCH_H
#define MEDIAMON_WATCH_H

/*
 * The live index: one inotify watch per directory under every root, and
 * one thread that reads the events, gathers them for a short window and
 * hands the touched paths to the scanner's incremental path (the same
 * scan a rescan runs, never a second way to index a file).
 *
 * Watches are added by the scanner as it walks (watch_dir(), before it
 * reads a directory, so nothing created in between is missed). Moves
 * inside a root are applied to the store and to the watch map at once, so
 * renamed files and folders keep their ids and their watches; a folder
 * where renames go on is scanned once they stop. The events are read ahead
 * of the watcher by a thread of its own, so that the kernel's queue
 * fills only once the watcher is far behind; each root has a queue of
 * its own (an inotify instance), and a full one leads to a rescan of
 * that root alone. Directories left without a watch by the kernel's
 * limit are rescanned on a timer instead.
 *
 * The [realdebrid] library folders are watched the same way, their
 * watches added by the repair's walk (watch_library_dir()); what changes
 * there goes to the repair's links (rd_watch.h), not to the scanner.
 */

#include <stddef.h>
#include <stdint.h>

struct config;

enum watch_kind {
	WATCH_CREATE,
	WATCH_CLOSE_WRITE,
	WATCH_DELETE,
	WATCH_MOVED_FROM,
	WATCH_MOVED_TO,
	WATCH_DELETE_SELF,
	WATCH_MOVE_SELF,
	WATCH_ATTRIB,
	WATCH_OVERFLOW,
	WATCH_KINDS
};

/* The event kinds as watch.json names them, indexed by enum watch_kind. */
extern const char *const watch_kind_names[WATCH_KINDS];

struct watch_status {
	int enabled;
	uint64_t watches;		/* directories watched now */
	uint64_t polled_dirs;		/* directories the limit left
					 * unwatched */
	uint64_t overflows;
	uint64_t storms;		/* folders whose scan waited for a
					 * storm of renames to end */
	uint64_t events;		/* all events read */
	uint64_t by_kind[WATCH_KINDS];
	uint64_t batches;		/* windows handed to the scanner */
	uint64_t paths_submitted;
	double last_event_at;		/* wall clock, 0 if none yet */
	long debounce_ms;
	long poll_interval_s;
	uint64_t latency_samples;	/* all samples recorded */
	double latency_p50_ms, latency_p95_ms, latency_max_ms;
					/* over the most recent samples */
};

/*
 * What the watcher watches, and where it hands what it saw: its owner
 * (indexer_roots.c) sends changes under the roots to the scanner and changes
 * under the library folders to the Real-Debrid repair, so the watcher
 * knows neither. The callbacks run on the watcher's thread.
 */
struct watch_setup {
	const char *const *roots;	/* absolute; root number i */
	size_t nr_roots;
	char *const *libs;		/* the [realdebrid] library folders,
					 * normalized; numbered after the
					 * roots */
	size_t nr_libs;
	/* nr paths under the roots changed, seen at event_at[i]
	 * (monotonic); returns how many were queued, or a negative errno
	 * value (indexer_rescan_paths()). */
	int (*rescan)(const char *trigger, char *const *paths,
		      const double *event_at, size_t nr);
	/* nr paths under the library folders changed; nr 0: any may have. */
	void (*libs_changed)(char *const *paths, size_t nr);
};

/*
 * Start the watcher thread for what set names (copied). Returns 0 or a
 * negative errno value; without inotify the daemon still runs, with the
 * watcher reported as disabled.
 */
int watch_start(const struct config *cfg, const struct watch_setup *set);

void watch_stop(void);

/*
 * Watch the directory rel (len bytes, "" for the root itself) of root
 * number root, open as dirfd (or -1: found by its path). Called by scan
 * workers before they read a directory, with the descriptor they read it
 * from, so the watch is on the very folder the scan opened (with no link
 * on its path); safe from any thread. Does nothing when the watcher is
 * not running.
 */
void watch_dir(size_t root, const char *rel, size_t len, int dirfd);

/*
 * Watch the folder at the path of root number root again, whatever
 * watch it had: a root that was unavailable may have come back as
 * another folder (a mount). Safe from any thread.
 */
void watch_renew(size_t root);

/*
 * Whether rel of root number root, or a folder above it, moved away
 * (an inotify IN_MOVED_FROM) at or after since (clock_mono() seconds),
 * or may have: of the moves, the latest 1024 are kept. A
 * scan that did not meet what the store has there leaves it to the scan
 * that the move starts, which sees where it went. Safe from any thread;
 * 0 when the watcher is not running.
 */
int watch_moved_since(size_t root, const char *rel, double since);

/*
 * Have the watcher read the events the kernel holds and hand what its
 * window gathered inside path (an absolute path; NULL for every root) to
 * the scanner now, and wait (at most a few seconds) until it did; what
 * it gathered elsewhere waits for the window's end. The caller holds the
 * scanner's pending order meanwhile, so that its rescan joins those
 * paths and counts their changes as its own, and never holds what moved
 * away before it began (watch_moved_since()). Does nothing when the
 * watcher is not running, or from the watcher's own thread.
 */
void watch_settle(const char *path);

/*
 * Watch the directory rel of root number root and every one below it no
 * more: the store forgot them (a scan found them gone, or reached
 * through a link). Safe from any thread.
 */
void watch_forget(size_t root, const char *rel);

/*
 * Watch the folder dir (absolute, normalized) under a [realdebrid]
 * library folder. Called by the repair's walk before it reads a folder;
 * safe from any thread. Changes under the library folders go to
 * rd_watch_changed() instead of the scanner; an overflow asks it for a
 * walk of every library. Does nothing when the watcher is not running,
 * when dir lies in no library folder, or when it lies in an indexed root
 * (a folder has one watch, and that one stays the scanner's).
 */
void watch_library_dir(const char *dir);

/* Record the time from an event to the commit of its scan. */
void watch_latency(double seconds);

/* Copy the watcher's figures. */
void watch_status(struct watch_status *out);

/*
 * Set the counters of the figures to zero (events, overflows, batches,
 * paths, the delays measured); what is watched stays.
 */
void watch_reset_counters(void);

#endif
