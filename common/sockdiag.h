/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SOCKDIAG_H
#define MEDIAMON_SOCKDIAG_H

/*
 * One TCP socket of this machine asked of the kernel by its exact
 * four addresses (a NETLINK_SOCK_DIAG query): its owner's uid and its
 * inode, at a cost that does not grow with the machine's sockets, as a
 * read of /proc/net/tcp does.
 *
 *	if (!sockdiag_tcp_owner(peer, local, &uid, &ino))
 *		...	the socket from peer to local is uid's
 */

#include <sys/socket.h>
#include <sys/types.h>

/*
 * The owner of the TCP socket bound to src and connected to dst (as its
 * own getsockname() and getpeername() would give them; IPv4, IPv6, an
 * IPv4 address mapped into IPv6 as the IPv4 one): its uid into *uid
 * and its inode into *ino (either may be NULL). Returns 0, -ENOENT when
 * no socket of this machine's network has these addresses, -ESRCH when
 * one has but no process holds it any more (closed, or waiting out its
 * end: the kernel keeps no owner for it), -EINVAL for addresses that
 * are not IPv4 or IPv6 or of two families, or another -errno when the
 * kernel cannot be asked (logs nothing).
 */
int sockdiag_tcp_owner(const struct sockaddr *src,
		       const struct sockaddr *dst, uid_t *uid, ino_t *ino);

#endif
