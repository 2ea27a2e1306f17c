/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SNAPSHOTS_H
#define MEDIAMON_SNAPSHOTS_H

/*
 * The generated files whose length grows with the library (the lists of
 * status/: no-cover, tag-errors, duplicates, unparsed), which no request
 * can render within the 100 ms a status file has at a million tracks.
 * Once the store holds -o snapshot_files files or more (fs.h), and at
 * any size while a scan runs (a first scan loads the store without the
 * indexes of the lists' queries), such a file is read from the last
 * rendering made of it, which a thread of its own makes again after the
 * store moved, at most once every SNAPSHOTS_GAP_MS: a request copies it.
 * A request that finds none, or (no scan running) one the store has
 * moved past, tries to render the file itself for SNAPSHOTS_TRY_MS,
 * unless the last try ran out of time. Otherwise the file is rendered by
 * each request like any, and that rendering replaces an older one kept of
 * it, so that no request is shown a list older than one already read.
 *
 *	if (snapshots_start(files, deadline))	(after fuse_daemonize())
 *		goto fail;
 *	...
 *	snapshots_stop();
 */

#include "fs/tree/node.h"

struct strbuf;

#define SNAPSHOTS_TRY_MS 50
#define SNAPSHOTS_GAP_MS 1000

/*
 * Render n (a node with .snapshot set) into out (empty), as above.
 * Returns 0, -EAGAIN (logged once a file) when there is no rendering yet
 * and none could be made in SNAPSHOTS_TRY_MS, or the error of n's render.
 */
int snapshots_render(const struct node *n, struct strbuf *out);

/*
 * Start the thread that makes the renderings, for a store of files files
 * or more, each rendering reading the store for deadline seconds at most
 * (-o render_deadline). Returns 0 or a negative errno value (logged).
 */
int snapshots_start(unsigned long files, double deadline);

/* Stop it and free the renderings; does nothing when it does not run. */
void snapshots_stop(void);

#endif
