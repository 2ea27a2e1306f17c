/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_IMPORT_OWNER_H
#define MEDIAMON_IMPORT_OWNER_H

/*
 * Whose files an import may take, and for whom: whether the
 * series folder's owner could read a file or search a folder, as the
 * kernel decides: by its mode bits (owner, then groups, then others)
 * and, with the file open, by its POSIX ACL when it has one; and whether
 * they could reach it at all, every folder from / down to it searchable
 * by them.
 *
 *	struct import_user reader;
 *
 *	import_owner_user(st.st_uid, &reader);
 *	if (!import_owner_acl_may(&reader, fd, &file_st, IMPORT_MAY_READ))
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

/* The user uid, their group and the groups they belong to, into u:
 * none when the system does not know them (others' rights alone). */
void import_owner_user(uid_t uid, struct import_user *u);

/* Whether u may do what mask asks (IMPORT_MAY_READ, IMPORT_MAY_SEARCH,
 * or both) to the file st by its mode: 1 or 0; root may do anything. */
int import_owner_may(const struct import_user *u, const struct stat *st,
		     int mask);

/*
 * Whether u may do what mask asks to the file open as fd (O_PATH will
 * do; st its stat) as the kernel would decide: by its POSIX ACL when it
 * has one (posix_acl_permission(): the owner's entry; else an entry
 * naming u, masked; else any group entry of theirs, the owning group's
 * or a named one, that grants it, masked, and none of theirs granting it
 * refuses; else the others' entry), else by its mode (import_owner_may();
 * so too when the mode has no group bits, a mask of ---, which the kernel
 * takes as no ACL).
 * 1 or 0; an ACL that cannot be read or understood is 0 (stricter).
 */
int import_owner_acl_may(const struct import_user *u, int fd,
			 const struct stat *st, int mask);

/*
 * Whether u could reach what the descriptor fd is open on (a folder or a
 * file) by its path now, as the kernel would decide: each
 * folder from / down to it (it too, when a folder) searchable by u,
 * looked at one name at a time with no link followed, each judged by
 * import_owner_acl_may(). Returns 0,
 * -EACCES when a folder on the way shuts u out, -EAGAIN when it moved
 * while looked at, or another negative errno value.
 */
int import_owner_reaches(const struct import_user *u, int fd);

#endif
