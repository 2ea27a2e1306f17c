/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PLAYLISTS_OWN_H
#define MEDIAMON_PLAYLISTS_OWN_H

/*
 * /playlists/own: the playlists the caller made through the Subsonic API
 * (indexer/library/account_rows.h), as NAME.m3u8, each track by the
 * absolute path of its real file. An account is the local user of its
 * name (fs/tree/http_auth.h), so the caller sees the playlists of the
 * account named as its user, and no other's, public or not; in them,
 * only the tracks it may read (all for the daemon's owner, as the other
 * playlists). Two playlists of one name: the later by id is
 * "NAME (ID).m3u8".
 */

#include <stdint.h>

struct node;
struct strbuf;

/* Fill *out for name, a file of /playlists/own: 0 or -ENOENT. */
int playlists_own_resolve(const char *name, struct node *out);

/* List /playlists/own for the caller: 0 or a negative errno value. */
int playlists_own_list(int (*fn)(const char *name, const struct node *child,
				 void *arg),
		       void *arg);

/* The M3U8 text of the caller's playlist id: -ENOENT when it is not
 * the caller's. */
int playlists_own_render(struct strbuf *out, int64_t id);

#endif
