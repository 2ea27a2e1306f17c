/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SAVE_GUARD_H
#define MEDIAMON_SAVE_GUARD_H

/*
 * The download save folders' guard, as the root guard (root_guard.h)
 * is the libraries': a save folder (a [download] or [usenet] save_path,
 * the client's own folder, a path_map's local folder) that a completed
 * download lies in cannot be empty, so one that is gone, unreadable or
 * empty is a share that dropped, not a folder with nothing to import.
 * The import does not act on it: the download waits, told by no
 * import_failed, and is tried at each poll; /status/health says so
 * ("warn: download save folder /srv/dl is unavailable (empty): imports
 * from it wait") and one root_unavailable notification goes out, until
 * the folder is back or is no save folder any more. It looks with
 * root_probe() (root_probe.h); it owns that state and imports nothing.
 */

#include <stddef.h>

#include "common/strbuf.h"

/* How many unavailable folders are kept in mind; more are judged but
 * not shown. */
#define SAVE_GUARD_MAX 8

/*
 * Look at the save folder dir before an import from it: NULL when it
 * may be used, else why it may not ("gone", "empty", ...; static). A
 * change of state is logged, and one to unavailable notified. On the
 * tracker's lane.
 */
const char *save_guard_check(const char *dir);

/*
 * Look again at the folders known unavailable, at each pass of the
 * tracker: those back, and those under none of the nr folders of
 * current (the save folders as configured now; NULL and "" skipped),
 * are forgotten.
 */
void save_guard_look(const char *const *current, size_t nr);

/* Add the health lines of the unavailable save folders to warns, each
 * folder named when named is nonzero (a series' own save folder may
 * name it: the owner's), else one line that counts them. Any thread;
 * it never touches the disk. */
void save_guard_health(struct strbuf *warns, int named);

#endif
