/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HTTP_PEERS_H
#define MEDIAMON_HTTP_PEERS_H

/*
 * The HTTP listener's connections (fs/http/http.h) counted by whom they are
 * from, in place of libmicrohttpd's limit per address (which counts
 * 127.0.0.1 as one, so that one local user's idle connections from
 * there shut out every other local user's). A connection whose other
 * end is a socket of this machine is that socket owner's
 * (listener_peer_uid()), counted by that user whatever its address, as
 * any local user may connect from every address of 127.0.0.0/8; root's,
 * the daemon's user's and [http] proxy_user's (the proxy's carry every
 * client's) by user and address; another machine's by its address.
 * Past the limit the next connection of the same count is closed
 * before a byte is read, logged once while it holds them all.
 *
 *	MHD_OPTION_NOTIFY_CONNECTION, http_peers_notify, NULL,
 */

#include <sys/types.h>

#include <microhttpd.h>

struct config_user;

/* The connections one local user, or one address, may hold open at
 * once, and the proxy's user (unset when its name is NULL), from now on
 * (those open already stay). */
void http_peers_limit(int max, const struct config_user *proxy);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback: a connection
 * counted when it starts, or closed when its count holds the limit, and
 * no longer counted when it closes. */
void http_peers_notify(void *cls, struct MHD_Connection *c, void **ctx,
		       enum MHD_ConnectionNotificationCode code);

/* The local user whose socket is the other end of c into *uid: 0, or
 * -ENOENT when it is another machine's or its user was not found. */
int http_peers_user(struct MHD_Connection *c, uid_t *uid);

#endif
