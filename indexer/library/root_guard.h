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
 * root_guard_probe() is the one look at a folder, which the Real-Debrid
 * repair's mount guard (rd_guard.h) takes too.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/strbuf.h"
#include "indexer/indexer.h"

#define ROOT_GUARD_EVERY_S 3.0

/* What a look at a folder saw. */
struct root_probe {
	int err;		/* 0, or the negative errno of stat(), of
				 * opening it or of listing it */
	int exists;		/* stat() worked, and it is a folder */
	int mount_point;	/* its st_dev differs from its parent's */
	int has_entries;	/* it lists one entry or more */
	dev_t dev;
};

/* Look at the folder dir. A folder that cannot be looked at leaves the
 * fields 0 but err. */
void root_guard_probe(const char *dir, struct root_probe *p);

enum root_state {
	ROOT_OK,		/* scan it */
	ROOT_BACK,		/* scan it: it was unavailable until now */
	ROOT_DOWN,		/* do not scan it: it is unavailable */
};

/*
 * Take the roots of a start (nr of them, kept by the caller until the
 * next call) and forget what was known of the earlier ones; NULL and 0
 * forget them all.
 */
void root_guard_reset(const struct indexer_root *roots, size_t nr);

/*
 * Look at root number index (of root_guard_reset()'s) and the store's
 * rows of it, through the writer (writer_call()); on the indexer thread.
 * A change of state is logged, and one to ROOT_DOWN notified. A root the
 * store holds no file of is always ROOT_OK.
 */
enum root_state root_guard_check(size_t index);

/*
 * A scan of root number index held the removal of files (their number;
 * 0 for none): it is in health until a scan of the whole root (whole)
 * holds none.
 */
void root_guard_held(size_t index, uint64_t files, int whole);

/* Whether root number index is unavailable, as last checked. */
int root_guard_down(size_t index);

/*
 * Add the health line of r to warns when it is known unavailable:
 * "warn: music root /srv/music is unavailable (empty): its 2000 tracks
 * are kept". Any thread.
 */
void root_guard_health(const struct indexer_root *r, struct strbuf *warns);

#endif
