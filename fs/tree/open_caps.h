/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_OPEN_CAPS_H
#define MEDIAMON_OPEN_CAPS_H

/*
 * What the files open through the mount may hold, so that no user can
 * take the daemon's descriptors or memory.
 *
 * At start the soft RLIMIT_NOFILE is raised to the hard one, and part of
 * it, OPEN_CAPS_RESERVE descriptors (at most half of the limit), is kept
 * for the daemon itself: store connections, scans, inotify, sockets,
 * the analysis children. The mount's open library files, which hold a
 * descriptor each, share the rest: once it is taken, an open fails with
 * ENFILE. Each user may hold open_caps_set()'s number of handles, library
 * files and generated files (which hold their rendering) together; one
 * more fails with EMFILE for that user alone. The bytes those handles
 * keep in memory, each rendering and each cover copy (charged once per
 * user however many of its handles read it), are capped per user too:
 * an open past it fails with ENOMEM for that user alone, and so does a
 * stat() whose rendering (made for the file's size) would pass it while
 * the stat holds it (open_caps_stat_charge()). A page of an archive
 * is unpacked for at most open_caps_set()'s number of requests of a user
 * at once,
 * its bytes counted in the same cap while it is unpacked
 * (open_caps_unpack_begin()): one more fails with EAGAIN at once rather
 * than wait, which would hold one of the mount's few threads, so that
 * one user's flood of large pages leaves the threads to the others; all
 * users' requests together unpack at most open_caps_set_all_unpacks()'s
 * number, so that many users each at their cap leave threads free too
 * (and hold at most that many pages' bytes, each at most
 * PAGES_MAX_IMAGE). Root and the daemon's own user are held by the
 * descriptor total only.
 *
 * A rendering an open handle holds is kept in pages of its own
 * (open_caps_keep()), which go back to the system the moment the handle
 * is closed: no heap is left grown by thousands of closed renderings,
 * and no malloc_trim(), which walks every heap under its lock and held
 * requests for up to a second during a large scan, is needed.
 *
 *	open_caps_init();
 *	open_caps_set(cfg->max_open_per_user,
 *		      cfg->max_open_memory_per_user,
 *		      cfg->max_unpacks_per_user);
 *	...
 *	rc = open_caps_take(uid, caller_is_owner(), 1);	(at open)
 *	rc = open_caps_charge(uid, caller_is_owner(), copy, size);
 *	...
 *	open_caps_uncharge(uid, copy, size);		(at release)
 *	open_caps_put(uid, 1);
 */

#include <stddef.h>
#include <sys/types.h>

#define OPEN_CAPS_RESERVE 1024
/* The bytes a user's handles may keep until open_caps_set(). */
#define OPEN_CAPS_BYTES (256 << 20)
/* The pages one user may unpack at once until open_caps_set(): a fifth of
 * the threads that answer the kernel by default (-o max_threads, 10), so
 * that other users' requests find one free. */
#define OPEN_CAPS_UNPACKS 2
/* The pages all users together may unpack at once until
 * open_caps_set_all_unpacks(): half of those threads. */
#define OPEN_CAPS_ALL_UNPACKS 5
/* A rendering from this size on is kept in pages of its own. */
#define OPEN_CAPS_PAGED_BYTES 4096

/* Raise the descriptor limit and set the total the mount's files may
 * hold. Call once, before the mount serves. */
void open_caps_init(void);

/* The handles one user may hold (at least 1), the bytes they may keep
 * in memory and the pages its requests may unpack at once (at least 1);
 * at start and each reload. */
void open_caps_set(int per_user, size_t bytes_per_user, int unpacks);

/* The pages all users but root and the daemon's own may unpack at once
 * (at least 1); at start and each reload. */
void open_caps_set_all_unpacks(int unpacks);

/*
 * Count a handle of uid (owner: root or the daemon's user), holding a
 * descriptor when fd. Returns 0, -EMFILE when uid holds its cap already,
 * or -ENFILE when the descriptors left for the mount are all taken (each
 * logged once while it lasts).
 */
int open_caps_take(uid_t uid, int owner, int fd);

/* Give back a handle open_caps_take() counted, once what it held is
 * freed. */
void open_caps_put(uid_t uid, int fd);

/*
 * Charge bytes kept in memory for a handle of uid that open_caps_take()
 * counted (owner: not charged): a rendering (shared NULL), or a thing
 * shared among handles, charged once while any handle of uid holds it.
 * Returns 0, or -ENOMEM when uid's bytes would pass its cap (logged once
 * while it lasts).
 */
int open_caps_charge(uid_t uid, int owner, const void *shared, size_t bytes);

/* Give back what open_caps_charge() charged, before open_caps_put(). */
void open_caps_uncharge(uid_t uid, const void *shared, size_t bytes);

/*
 * Charge the bytes of a rendering a stat() of uid made for a size (owner:
 * not charged) while the stat holds it, as an open's: 0, or -ENOMEM when
 * they would take uid past its cap (logged once while it lasts), and the
 * stat fails for uid alone. Give them back with open_caps_stat_uncharge().
 */
int open_caps_stat_charge(uid_t uid, int owner, size_t bytes);
void open_caps_stat_uncharge(uid_t uid, int owner, size_t bytes);

/*
 * Count the unpacking of a page of up to bytes for uid (owner: not
 * counted) while it lasts: 0; -EAGAIN when uid unpacks its cap of
 * pages already, or all users theirs, or -ENOMEM when the bytes would take
 * it past its memory cap (each logged once while it lasts). Give it back
 * with open_caps_unpack_end() once the page is read.
 */
int open_caps_unpack_begin(uid_t uid, int owner, size_t bytes);
void open_caps_unpack_end(uid_t uid, int owner, size_t bytes);

/* A rendering an open handle holds. */
struct open_caps_text {
	char *buf;
	size_t len;
	size_t paged;		/* the size of its pages; 0: malloc'd */
};

/*
 * Take the rendering in text (left empty) into *out: from
 * OPEN_CAPS_PAGED_BYTES on into pages of its own; a smaller one, or one
 * no pages could be had for, as it is.
 */
struct strbuf;
void open_caps_keep(struct strbuf *text, struct open_caps_text *out);

/* Free what open_caps_keep() kept (an empty one too). */
void open_caps_unkeep(struct open_caps_text *t);

#endif
