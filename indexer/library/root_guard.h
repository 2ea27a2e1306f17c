/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ROOT_GUARD_H
#define MEDIAMON_ROOT_GUARD_H

/*
 * The root guard: an unavailable root is not an empty library. Before a
 * scan trusts a music or manga root whose files the store holds,
 * root_guard_check() looks at it: it must be there, readable, list
 * something, and be on the file system it was indexed on (the device id
 * the store keeps for each root; on another device, one of the top
 * entries the store knows must be there). A root that fails is not
 * scanned: its rows stay, /status/health says so, a root_unavailable
 * notification goes out, and the indexer looks again every
 * ROOT_GUARD_EVERY_S seconds (no inotify event tells of a mount that
 * comes back) until it is back. It owns that state; it does not scan.
 *
 * It looks at a folder with root_probe() (root_probe.h), as the
 * Real-Debrid repair's mount guard does.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/strbuf.h"
#include "indexer/library/root_probe.h"

#define ROOT_GUARD_EVERY_S 3.0

enum root_state {
	ROOT_OK,		/* scan it */
	ROOT_BACK,		/* scan it: it was unavailable until now */
	ROOT_DOWN,		/* do not scan it: it is unavailable */
};

/* A root as the guard takes it: its kind ("music" or "manga") and its
 * absolute path. */
struct root_guard_root {
	const char *kind, *path;
};

/*
 * Take the roots of a start (nr of them, copied) and forget what was
 * known of the earlier ones; NULL and 0 forget them all.
 */
void root_guard_reset(const struct root_guard_root *roots, size_t nr);

/*
 * Look at root number index (of root_guard_reset()'s), whose row in the
 * store is id, and the store's rows of it, through the writer
 * (writer_call()); on the indexer thread. A change of state is logged,
 * and one to ROOT_DOWN notified. A root the store holds no file of is
 * always ROOT_OK.
 */
enum root_state root_guard_check(size_t index, int64_t id);

/*
 * Look at every root again for health only (root_guard_health()'s error
 * line), judging nothing and reading no store: for the thread that
 * looks at health while anything is worth a look (fs/daemon.c), which
 * may wait on a hung root; never from a FUSE request.
 */
void root_guard_look(void);

/*
 * A scan of root number index held the removal of files (their number;
 * 0 for none): it is in health until a scan of the whole root (whole)
 * holds none.
 */
void root_guard_held(size_t index, uint64_t files, int whole);

/* Whether root number index is unavailable, as last checked. */
int root_guard_down(size_t index);

/*
 * Add the health lines of the root of kind at path, as the last look at
 * it saw them (before each scan, every ROOT_GUARD_EVERY_S while it is
 * unavailable, and at root_guard_look()), without a look now: to errors
 * when that look met an error ("error: music root /srv/music is not
 * readable: No such file or directory"), whether the store holds files
 * of it or not; to warns when it is known unavailable: "warn: music
 * root /srv/music is unavailable (empty): its 2000 tracks are kept".
 * Any thread; it never touches the disk, so that a hung root holds no
 * reader of health.
 */
void root_guard_health(const char *kind, const char *path,
		       struct strbuf *errors, struct strbuf *warns);

#endif
