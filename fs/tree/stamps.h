/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_STAMPS_H
#define MEDIAMON_STAMPS_H

/*
 * The times of the generated files: a file's mtime (and ctime) is when
 * its content last changed as the mount saw it, not the time it is
 * asked at. For each path and user (uid and group) the table keeps a
 * hash of the last rendering's bytes, its length, the store's
 * generation it was made at (indexer_generation(), read before the
 * rendering; 0 when unknown) and the time the mount first saw those
 * bytes; a rendering that holds the same bytes shows that time, another
 * shows now and is kept. So a playlist, page or status file read twice
 * in a row shows one time unless what it says changed between: tar does
 * not find it "changed as we read it" and a second rsync -a copies
 * nothing.
 *
 *	st->st_mtim = stamps_time(path, uid, gid, gen, text.buf, text.len);
 *
 * A file made from the store alone (a playlist) need not be rendered for
 * a stat() while the store's generation has not moved since its last
 * rendering for that user: stamps_kept() gives its length and time.
 *
 * A file the mount has not rendered since it started (or whose slot a
 * newer one took) is new to it: its time is when it is first rendered.
 * But the times of every generated file but those that hold the clock
 * (metrics/, status/summary.json), and of the folders' names
 * (stamps_seen(): those of /playlists, the folders of fixed names of
 * the whole mount and of the views, the time the store's names last
 * moved, which /manga takes, stamps_last() at a mount, and the series
 * settings' last write) are kept in the store and read back at the next mount
 * (stamps_load()):
 * a thread of its own (stamps_start()) writes those first seen since its
 * last write once no new one came for STAMPS_QUIET_S (or STAMPS_LATEST_S
 * after the first, whatever comes), and stamps_stop() at the unmount:
 * only the times changed since the store last took them, each in place
 * of its key's row (one changed folder, one row written, however many
 * the store keeps); a time whose write failed is written again with the
 * next.
 * So an unchanged library's files, views and the mount's folders of
 * fixed names keep their times across a restart, a crash's too, but for those
 * first seen in the last few seconds.
 * The table keeps every time it was given, each under a 64-bit hash of
 * its path (or name) and user: it starts with STAMPS_SLOTS slots of 40
 * bytes and doubles when three quarters are taken, so that no folder's
 * or file's time gives way to another's and comes back as a new one
 * (issue 80: at 65,536 slots, the views of a large library had their
 * folders' times move by themselves). Only without the memory to grow
 * does a new time take the place of the oldest of the STAMPS_PROBE
 * slots from where its hash falls (logged once).
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define STAMPS_SLOTS (1u << 16)
#define STAMPS_PROBE 8

/* The time of the rendering buf (len bytes) of path made for uid and
 * gid at the store's generation gen (0: not known). Any thread. */
struct timespec stamps_time(const char *path, uid_t uid, gid_t gid,
			    uint64_t gen, const char *buf, size_t len);

/* The time content (a hash) was first seen as what name shows to the
 * caller who (caller_who(), or 0 for every caller): a folder's names,
 * kept across restarts. Any thread. */
struct timespec stamps_seen(const char *name, uint64_t who, uint64_t content);

/* stamps_seen() of content seen at the store's names generation gen
 * (indexer_names_generation(); 0: not known), and the time so kept for
 * name and who when it was last seen at gen (not 0): 1, else 0. A folder
 * of the views is listed for its time once per move of the names. Any
 * thread. */
struct timespec stamps_seen_at(const char *name, uint64_t who,
			       uint64_t content, uint64_t gen);
int stamps_seen_kept(const char *name, uint64_t who, uint64_t gen,
		     struct timespec *at);

/* The time kept for name and who, whatever was seen as it (the time
 * stamps_seen() last gave them, in this mount or an earlier one), else
 * now, kept. Any thread. */
struct timespec stamps_last(const char *name, uint64_t who);

/* When the store's names last moved (indexer_names_generation()),
 * kept across restarts: while they have not since the process started,
 * the time kept; else when the mount first saw their generation. What
 * the views' folders show, and getIndexes' lastModified. Any thread. */
struct timespec stamps_names(void);

#define STAMPS_QUIET_S 2.0
#define STAMPS_LATEST_S 30.0

/* Read the times the store keeps, at the mount: 0 or a negative errno
 * value (logged). */
int stamps_load(void);

/* Start the thread that writes the times the store keeps (while the
 * indexer runs), then stop it and write them a last time, at the
 * unmount: 0 or a negative errno value (logged). */
int stamps_start(void);
int stamps_stop(void);

/* How many of the times the store keeps changed since they were last
 * written to it. Any thread. */
uint64_t stamps_unsaved(void);

/* The length and time of the last rendering of path for uid and gid,
 * when it was made at the store's generation gen (not 0): 1, else 0.
 * Any thread. */
int stamps_kept(const char *path, uid_t uid, gid_t gid, uint64_t gen,
		size_t *len, struct timespec *at);

#endif
