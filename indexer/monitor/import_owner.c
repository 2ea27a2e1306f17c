/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Whose files an import may take (import_owner.h): a user's rights on a
 * file by its mode (who listens on a client's port is common/listener's
 * to say). It opens no download and sends nothing: the walk and the
 * writing ask it.
 */
#include "indexer/monitor/import_owner.h"

#include <grp.h>
#include <pwd.h>
#include <stddef.h>

void import_owner_user(uid_t uid, struct import_user *u)
{
	char buf[4096];
	struct passwd pw, *found = NULL;
	int n = IMPORT_USER_GROUPS;

	*u = (struct import_user){ .uid = uid, .gid = (gid_t)-1 };
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) || !found)
		return;
	u->gid = found->pw_gid;
	if (getgrouplist(found->pw_name, found->pw_gid, u->groups, &n) < 0)
		n = 0;
	u->nr_groups = n;
}

int import_owner_may(const struct import_user *u, const struct stat *st,
		     int mask)
{
	mode_t bits = st->st_mode & 07;
	int in_group = st->st_gid == u->gid;

	if (!u->uid)
		return 1;
	for (int i = 0; !in_group && i < u->nr_groups; i++)
		in_group = st->st_gid == u->groups[i];
	if (st->st_uid == u->uid)
		bits = (st->st_mode >> 6) & 07;
	else if (in_group)
		bits = (st->st_mode >> 3) & 07;
	return ((int)bits & mask) == mask;
}
