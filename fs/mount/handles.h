/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HANDLES_H
#define MEDIAMON_HANDLES_H

/*
 * The open files of the mount, each a generated file's rendering, a
 * library file's descriptor or a volume folder's zip (fs/tree/opds_zip.h),
 * listed from the open until the release:
 * the kernel's release of a file closed just before the unmount may
 * never reach the daemon, and what it holds is freed at destroy instead.
 * The kernel sends fstat() as a getattr without the handle, so an open
 * rendering is also found by who asks (handles_snapshot()).
 *
 *	handles_add(h);			(fs_open, before the reply)
 *	handles_free(h);		(fs_release)
 *	handles_free_all();		(fs_destroy)
 */

#include <fuse_lowlevel.h>
#include <sys/types.h>

#include "common/strbuf.h"

#include "fs/tree/node.h"
#include "fs/tree/open_caps.h"
#include "indexer/reads.h"

struct handle {
	struct node node;
	struct open_caps_text content;
	int fd;			/* a library file's, else -1 */
	struct cover_copy *cover;	/* the copy fd reads, of a cover */
	struct opds_zip *zip;	/* a volume folder's zip, read as made */
	fuse_ino_t ino;
	uint64_t stream_start;	/* a growing file's rendering's place */
	pid_t opener;		/* the process (thread group) that opened it */
	uid_t uid;		/* its user, whose cap counts it */
	struct timespec mtime;	/* rendering's (fs/tree/stamps.h); 0: now */
	/* What was written to a series setting, kept for the flush (or
	 * the release) that sets it: fs/mount/fs_file.h. */
	struct strbuf held;
	int holding;		/* a write came since the last flush */
	struct handle *prev, *next;	/* in the list */
};

/* Put h, made by an open, on the list. Any thread. */
void handles_add(struct handle *h);

/* Take h off the list, free it with what it holds and give back what
 * open_caps_take() and open_caps_charge() counted for it. Any thread. */
void handles_free(struct handle *h);

/* Free every handle still listed, at the session's end. */
void handles_free_all(void);

/* The size the open rendering h shows: its length, or for a file that
 * grows (fs/mount/grow.h), what the log ring's stream holds from its start, or
 * a zip's size. */
size_t handles_size(const struct handle *h);

/* The process the thread tid belongs to: the kernel names the caller of
 * a request by its thread, and a program may open a file in one thread
 * and fstat() it in another. A process's first thread (a program with
 * one, the usual opener) costs one system call; another thread a read
 * of /proc. */
pid_t handles_thread_group(pid_t tid);

/*
 * The newest open rendering of ino held by the process of thread tid:
 * its node into *n, its length into *size and its time into *mtime, and
 * 1; 0 when there is none (the process is only looked up when some
 * rendering of ino is open).
 */
int handles_snapshot(fuse_ino_t ino, pid_t tid, struct node *n,
		     size_t *size, struct timespec *mtime);

#endif
