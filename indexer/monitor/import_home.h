/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_IMPORT_HOME_H
#define MEDIAMON_IMPORT_HOME_H

/*
 * A client's own default folder as a save folder of the import, when no
 * save_path names one: the README's minimal configuration ([download]
 * client and url, nothing else) imports what the client completes where
 * it saves by default. It is asked of the client (download_home()) on
 * the tracker's lane, the first time a completed download of that
 * client is imported, never in a request of the mount; kept until the
 * client's hand-off is set up again (a reload), or forgotten when a
 * download of that client lies outside it (its setting changed).
 *
 *	char home[PATH_MAX] = "";
 *
 *	if (import_home_learn(cfg, &client, home, why, sizeof(why)))
 *		...	why says why and what to do
 *	else
 *		allowed[nr++] = home;
 *
 * The folder is the client's view, mapped by [download] path_map like
 * the downloads' paths. It is trusted as a save_path would be but for
 * its owner, who is not trusted as a download's owner (the client may
 * name another user's private folder: tracker_import.c), and the
 * import's own safety holds beneath it (import_path.h: no link, no
 * mount point, not the folder itself as a download); but a folder that
 * would hand the import the whole machine or a system folder ("/",
 * "/etc", "/usr", "/home" ...: see wide[] in import_home.c) is refused.
 */

#include <stddef.h>

struct config;
struct download_client;

/*
 * Learn where client c saves by default into home (PATH_MAX bytes),
 * unless it holds a folder already: asked of the client, mapped by
 * cfg's path_map. Returns 0, or a negative errno value with why (len
 * bytes: the reason and the fix, logged), home left "": -EOPNOTSUPP
 * for a client that tells none, -EPERM for a folder refused, or
 * download_home()'s errors.
 */
int import_home_learn(const struct config *cfg,
		      const struct download_client *c, char *home,
		      char *why, size_t len);

#endif
