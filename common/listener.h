/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_LISTENER_H
#define MEDIAMON_LISTENER_H

/*
 * Who listens where a service's url leads on this machine, and whether
 * its secrets may be sent there: while a service is down, any local user
 * may listen on its port and take what is sent (an API key, a token, a
 * password). A service is asked only when each listener is root, the
 * daemon's user or the user its section names. Likewise a connection
 * to the daemon from this machine is a given user's
 * (listener_peer_uid()): the [http] proxy's, or another's.
 *
 *	if (listener_check("sonarr", "sonarr", cfg->sonarr_url,
 *			   &cfg->sonarr_user))
 *		...	another user listens there: nothing sent (logged)
 */

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

struct config_user;

/* How many of a host's addresses listener_trusted() looks at. */
#define LISTENER_ADDRESSES 8

/*
 * The uid of the TCP socket listening where url (http://host:port/...,
 * port 80 or 443 by its scheme when none) leads on this machine, from
 * /proc/net/tcp and tcp6: one bound to the address itself before one
 * bound to every address; an address not of this machine has none.
 * Returns 0, -ENOENT when none listens there (a
 * service on another machine, or down), or -EINVAL for a url it cannot
 * read.
 */
int listener_uid(const char *url, uid_t *uid);

/*
 * The same for each address url's host has (up to max of them): into
 * uids, *nr of them, the uid listening on each address that one listens
 * on (a name of IPv4 and IPv6 addresses may lead to two users, and a
 * connection to either). Returns 0, -ENOENT when none listens, or
 * -EINVAL.
 */
int listener_uids(const char *url, uid_t *uids, size_t max, size_t *nr);

/* Whether uid is root's, the daemon's or one of the nr users of also. */
int listener_uid_trusted(uid_t uid, const uid_t *also, size_t nr);

/*
 * Whether a service at url may be asked with its secrets: 1 when no
 * user of this machine listens where url leads (on any address of its
 * host), or only root, the daemon's user and the nr users of also do;
 * else 0 with the first other one in *who.
 */
int listener_trusted(const char *url, const uid_t *also, size_t nr,
		     uid_t *who);

/*
 * The uid of the socket of this machine connected from peer to local
 * (the two ends of a connection accepted by the daemon, as getpeername()
 * and getsockname() give them), asked of the kernel for that one
 * socket (sockdiag_tcp_owner()): 0 with *uid, -ENOENT when no socket of
 * this machine's network is that end (a peer on another machine),
 * -ESRCH when it is one no process holds any more (its owner unknown),
 * -EINVAL for an address that is not IPv4 or IPv6, or another -errno
 * when the kernel cannot be asked (logged once).
 */
int listener_peer_uid(const struct sockaddr *peer,
		      const struct sockaddr *local, uid_t *uid);

/* The name of user uid (its number when the system knows no name) into
 * name, len bytes. */
void listener_name(uid_t uid, char *name, size_t len);

/*
 * listener_trusted() with the one user a section names (user, unset
 * when its name is NULL): 0, or -EPERM with the other listener's name
 * in who (len bytes). Logs nothing.
 */
int listener_refused(const char *url, const struct config_user *user,
		     char *who, size_t len);

/*
 * listener_refused(), the refusal logged once per section and listener:
 * "SERVICE: its port on this machine is user NAME's, not SERVICE's: not
 * asked, nothing sent (name that user as user in [SECTION] if it runs
 * SERVICE)"; the url is not shown (a webhook's holds its secret).
 * Returns 0 or -EPERM.
 */
int listener_check(const char *service, const char *section,
		   const char *url, const struct config_user *user);

#endif
