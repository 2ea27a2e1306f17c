/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SERIES_SAVE_H
#define MEDIAMON_SERIES_SAVE_H

/*
 * Whether a series' own save_path (its preferences, prefs.h) may be
 * used for a client: the client is sent there and the import reads
 * there, so it must be the client's, not a folder of another user of
 * this machine (whose 0700 folder inside the shared save folder a
 * client running as root would write, and whose files an import would
 * be asked to walk). Each folder of it that exists, below the
 * configured save folder it lies under (from "/" when none), must be a
 * folder, not a symbolic link, of root, the daemon's user, the save
 * folder's owner or the client's client_user, and one that no one else
 * may change: written by no other group than root's, the daemon's or
 * the own group of one of those users, nor by every user unless sticky
 * (where another could put a link or a folder of theirs in place of
 * what lies under it). The folders not made yet are the client's to
 * make.
 *
 *	if (series_save_check(c, own->save_path, why, sizeof(why)))
 *		...	not used: why names the folder's user
 */

#include <stddef.h>

struct download_client;

/*
 * Look at folder, a series' own save_path for client c (c->save_path
 * its configured save folder, or NULL). Returns 0, or -EACCES with the
 * reason in why (len bytes), naming the folder refused and its user,
 * never what it holds.
 */
int series_save_check(const struct download_client *c, const char *folder,
		      char *why, size_t len);

#endif
