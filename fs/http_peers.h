/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HTTP_PEERS_H
#define MEDIAMON_HTTP_PEERS_H

/*
 * The HTTP listener's connections (fs/http.h) counted by the local user
 * that opened them: any user of this machine may connect from every
 * address of 127.0.0.0/8 (and others of the machine), so the limit per
 * address does not hold one user. A connection whose other end is a
 * socket of this machine is that socket owner's (listener_peer_uid());
 * past the limit a user's new one is closed before a byte is read, as
 * libmicrohttpd closes one past the limit per address. A connection
 * from another machine, or of root, the daemon's user or [http]
 * proxy_user (the proxy's carry every client's), is left to that limit.
 *
 *	MHD_OPTION_NOTIFY_CONNECTION, http_peers_notify, NULL,
 */

#include <microhttpd.h>

struct config_user;

/* The connections one local user may hold open at once, and the proxy's
 * user (unset when its name is NULL), from now on (those open already
 * stay). */
void http_peers_limit(int max, const struct config_user *proxy);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback: a connection
 * counted when it starts, or closed when its user holds the limit, and
 * no longer counted when it closes. */
void http_peers_notify(void *cls, struct MHD_Connection *c, void **ctx,
		       enum MHD_ConnectionNotificationCode code);

#endif
