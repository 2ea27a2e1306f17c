/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_IMPORT_OWNER_H
#define MEDIAMON_IMPORT_OWNER_H

/*
 * Whose files an import may take, and for whom: the user a download
 * client runs as (the one listening on its port), and whether the
 * series folder's owner could read a file or search a folder by its
 * mode bits (owner, then groups, then others, as the kernel decides
 * without ACLs; an ACL that grants more is not counted, so a file it
 * alone opens is refused, never the other way).
 *
 *	uid_t client;
 *	struct import_user reader;
 *
 *	if (!import_owner_listener("http://127.0.0.1:8080", &client))
 *		...	client is the uid of the socket listening there
 *	import_owner_user(st.st_uid, &reader);
 *	if (!import_owner_may(&reader, &file_st, IMPORT_MAY_READ))
 *		...	the owner could not read it: refused
 */

#include <sys/stat.h>
#include <sys/types.h>

/* How many groups of a user are counted; more are left out (stricter). */
#define IMPORT_USER_GROUPS 64

struct import_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[IMPORT_USER_GROUPS];
	int nr_groups;
};

#define IMPORT_MAY_READ 4
#define IMPORT_MAY_SEARCH 1

/*
 * The uid of the TCP socket listening where url (http://host:port/...,
 * port 80 or 443 by its scheme when none) leads on this machine, from
 * /proc/net/tcp and tcp6: one bound to the address itself before one
 * bound to every address. Returns 0, -ENOENT when none listens there (a
 * client on another machine, or down), or -EINVAL for a url it cannot
 * read.
 */
int import_owner_listener(const char *url, uid_t *uid);

/*
 * The same for each address url's host has (up to max of them): into
 * uids, *nr of them, the uid listening on each address that one listens
 * on (a name of IPv4 and IPv6 addresses may lead to two users, and a
 * connection to either). Returns 0, -ENOENT when none listens, or
 * -EINVAL.
 */
int import_owner_listeners(const char *url, uid_t *uids, size_t max,
			   size_t *nr);

/* How many of a host's addresses import_owner_trusted() looks at. */
#define IMPORT_OWNER_ADDRESSES 8

/*
 * Whether a service at url may be asked with its secrets: 1 when no
 * user of this machine listens where url leads (on any address of its
 * host), or only root, the daemon's user and the nr users of also do;
 * else 0 with the first other one in *who. While a service is down, any
 * local user may listen on its port and take what is sent there.
 */
int import_owner_trusted(const char *url, const uid_t *also, size_t nr,
			 uid_t *who);

/* The name of user uid (its number when the system knows no name) into
 * name, len bytes. */
void import_owner_name(uid_t uid, char *name, size_t len);

/* The user uid, their group and the groups they belong to, into u:
 * none when the system does not know them (others' rights alone). */
void import_owner_user(uid_t uid, struct import_user *u);

/* Whether u may do what mask asks (IMPORT_MAY_READ, IMPORT_MAY_SEARCH,
 * or both) to the file st by its mode: 1 or 0; root may do anything. */
int import_owner_may(const struct import_user *u, const struct stat *st,
		     int mask);

#endif
