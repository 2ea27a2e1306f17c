/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CALLER_H
#define MEDIAMON_CALLER_H

/*
 * Who asks: the user behind the FUSE request a thread answers, and the
 * real files opened, looked at and listed with that user's rights, so a
 * user reads through the mount exactly what they may read on disk.
 *
 * The daemon's own user (and root) is the owner: it sees everything and
 * costs nothing. For any other user the thread's file system identity
 * (setfsuid, setfsgid, and the supplementary groups by the raw setgroups
 * call, which unlike glibc's leaves the other threads alone) becomes the
 * caller's around the system call alone, and is the daemon's again
 * before anything else runs: never while the store is read. A daemon
 * that may not change its identity (not root) checks the mode bits of
 * every folder on the path and of the file instead (ACLs are not read
 * then). The caller's groups are read from /proc (fuse_req_getgroups())
 * once a second per process and thread, the first CALLER_GROUPS of them;
 * whether a caller may list a folder is kept CALLER_KEEP_S seconds.
 *
 *	static void fs_open(fuse_req_t req, ...)
 *	{
 *		caller_begin(req);
 *		fd = caller_open(path, O_RDONLY);
 *		...reply...
 *		caller_end();
 *	}
 *
 * Between caller_begin() and caller_end() the request must not have been
 * answered yet when caller_open(), caller_stat(), caller_may_list() or
 * caller_may_read() run: the groups are read from the request. Outside
 * them (no request), every check fails with -EACCES, but on a thread of
 * the daemon's own (caller_as_daemon()).
 */

#include <fuse_lowlevel.h>
#include <stdint.h>
#include <sys/stat.h>

#define CALLER_GROUPS 256
#define CALLER_KEEP_S 1.0

/* Note the daemon's own identity, and whether it may take another one.
 * Call once before the first request. */
void caller_init(void);

/* This thread answers req now; caller_end() when it has answered. */
void caller_begin(fuse_req_t req);
void caller_end(void);

/*
 * This thread answers for the local user uid (primary group gid, in the
 * n groups at groups, CALLER_GROUPS at most kept) a request that came
 * by another way than FUSE (fs/http/http.h), until caller_end(): the same
 * checks as a FUSE caller's, with groups the caller gives.
 */
void caller_begin_user(uid_t uid, gid_t gid, const gid_t *groups, int n);

/* This thread works for the daemon itself, never for a request: it sees
 * everything, as the owner does, from now on. */
void caller_as_daemon(void);

/*
 * Stand, until caller_end_anyone(), for any user at all: a user with no
 * rights of its own (nobody, in no group). What it may see, every user
 * may; what it may not, the kernel must not keep for every user. Between
 * caller_begin() and caller_end(), or on a daemon's thread.
 */
void caller_begin_anyone(void);
void caller_end_anyone(void);

/* Stand, until caller_end_owner(), for the owner: what is the same for
 * every user whatever each may see (a folder's time, as a plain folder's
 * moves for all). Not between caller_begin_anyone() and its end. */
void caller_begin_owner(void);
void caller_end_owner(void);

/* Whether this thread's caller is the daemon's user or root. */
int caller_is_owner(void);

/* A number that stands for this thread's caller's identity (user, group
 * and groups), for verdicts kept per caller; 0 when there is none. */
uint64_t caller_who(void);

/*
 * This thread's caller's identity, for caller_begin_user() on another
 * thread that works for it: the user, its group and its groups (*n of
 * them, CALLER_GROUPS at most at groups). Returns 0, or -ENOENT when the
 * thread answers for no one.
 */
int caller_identity(uid_t *uid, gid_t *gid, gid_t *groups, int *n);

/* This thread's caller's user id. */
uid_t caller_uid(void);
/* And its group id. */
gid_t caller_gid(void);

/*
 * Open the indexed file at the absolute path with flags as the caller
 * (indexer_open_file(): no link out of the roots). Returns the
 * descriptor, or a negative errno value: -EACCES where the caller may
 * not, -EXDEV for a link out of the roots.
 */
int caller_open(const char *path, int flags);

/* stat() path as the caller. Returns 0 or a negative errno value. */
int caller_stat(const char *path, struct stat *st);

/* Whether the caller may list the folder dir (read and search it, and
 * search every folder above it), and read the file path. */
int caller_may_list(const char *dir);
int caller_may_read(const char *path);

/*
 * Whether the caller may list the folder of each of the n files at paths
 * (absolute) and read the file, into out[i] (1 or 0): one change of
 * identity for them all, one check of a folder that the file before
 * shares; the verdicts are not kept.
 */
void caller_may_read_each(char *const *paths, size_t n, unsigned char *out);

#endif
