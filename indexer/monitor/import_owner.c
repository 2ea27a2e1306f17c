/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Whose files an import may take (import_owner.h): a user's rights on a
 * file by its mode, and on the folders from / down to a download (who
 * listens on a client's port is common/listener's to say). It opens
 * folders only to look at them (O_PATH), no download's file, and sends
 * nothing: the walk and the writing ask it.
 */
#include "indexer/monitor/import_owner.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <string.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "common/symlinks.h"

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

/* Whether u is in the group gid: theirs, or one they belong to. */
static int in_group(const struct import_user *u, gid_t gid)
{
	int in = gid == u->gid;

	for (int i = 0; !in && i < u->nr_groups; i++)
		in = gid == u->groups[i];
	return in;
}

int import_owner_may(const struct import_user *u, const struct stat *st,
		     int mask)
{
	mode_t bits = st->st_mode & 07;

	if (!u->uid)
		return 1;
	if (st->st_uid == u->uid)
		bits = (st->st_mode >> 6) & 07;
	else if (in_group(u, st->st_gid))
		bits = (st->st_mode >> 3) & 07;
	return ((int)bits & mask) == mask;
}

/* Step from the folder *dfd (st its stat, which u must be able to
 * search) to its entry name, no link followed: 0 with *dfd and *st
 * the entry's, -EACCES when u may not search, or -errno. */
static int reach_step(const struct import_user *u, int *dfd,
		      struct stat *st, const char *name)
{
	int fd;

	if (!S_ISDIR(st->st_mode) ||
	    !import_owner_acl_may(u, *dfd, st, IMPORT_MAY_SEARCH))
		return -EACCES;
	fd = openat(*dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(*dfd);
	*dfd = fd;
	return fstat(fd, st) ? -errno : 0;
}

int import_owner_reaches(const struct import_user *u, int fd)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st, want;
	char *name, *save = NULL;
	int dfd, ret;

	if (fstat(fd, &want))
		return -errno;
	ret = symlinks_fd_path(fd, &path);
	if (!ret && path.buf[0] != '/')
		ret = -ENOENT;	/* gone, or in no folder of ours */
	dfd = ret ? -1 : open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!ret && (dfd < 0 || fstat(dfd, &st)))
		ret = -errno;
	for (name = ret ? NULL : strtok_r(path.buf, "/", &save);
	     !ret && name; name = strtok_r(NULL, "/", &save))
		ret = reach_step(u, &dfd, &st, name);
	/* the folder fd itself is searched too: what is read lies in it */
	if (!ret && S_ISDIR(st.st_mode) &&
	    !import_owner_acl_may(u, dfd, &st, IMPORT_MAY_SEARCH))
		ret = -EACCES;
	/* moved meanwhile: what was looked at is not what fd is */
	if (!ret && (st.st_dev != want.st_dev || st.st_ino != want.st_ino))
		ret = -EAGAIN;
	if (dfd >= 0)
		close(dfd);
	strbuf_release(&path);
	return ret;
}

/* The tags of an ACL's entries, as the kernel's posix_acl_xattr.h. */
#define ACL_TAG_USER_OBJ 0x01
#define ACL_TAG_USER 0x02
#define ACL_TAG_GROUP_OBJ 0x04
#define ACL_TAG_GROUP 0x08
#define ACL_TAG_MASK 0x10
#define ACL_TAG_OTHER 0x20

/* What the entries of an ACL say of one user, as the kernel gathers it. */
struct acl_view {
	int owner, user, other, mask;	/* an entry's rights, -1 if none */
	int group_found;	/* a group entry of theirs */
	int group_grants;	/* and one of them grants what is asked */
};

/* Read the n entries at b for u asking want into v: 0, or -EINVAL for
 * an entry not understood or an ACL lacking one it must have. */
static int acl_read(const struct import_user *u, const struct stat *st,
		    const unsigned char *b, size_t n, int want,
		    struct acl_view *v)
{
	int seen = 0;

	*v = (struct acl_view){ -1, -1, -1, 7, 0, 0 };
	for (size_t i = 0; i < n; i++) {
		const unsigned char *e = b + 4 + 8 * i;
		unsigned int tag = e[0] | e[1] << 8;
		int perm = e[2] & 7;
		uint32_t id = e[4] | e[5] << 8 | e[6] << 16 |
			(uint32_t)e[7] << 24;
		int group = (tag == ACL_TAG_GROUP_OBJ &&
			     in_group(u, st->st_gid)) ||
			(tag == ACL_TAG_GROUP && in_group(u, (gid_t)id));

		seen |= (int)tag;
		if (tag == ACL_TAG_USER_OBJ)
			v->owner = perm;
		else if (tag == ACL_TAG_USER && id == u->uid)
			v->user = perm;
		else if (tag == ACL_TAG_MASK)
			v->mask = perm;
		else if (tag == ACL_TAG_OTHER)
			v->other = perm;
		else if (tag != ACL_TAG_USER && tag != ACL_TAG_GROUP_OBJ &&
			 tag != ACL_TAG_GROUP)
			return -EINVAL;
		v->group_found |= group;
		v->group_grants |= group && (perm & want) == want;
	}
	if ((seen & (ACL_TAG_USER_OBJ | ACL_TAG_GROUP_OBJ | ACL_TAG_OTHER)) !=
	    (ACL_TAG_USER_OBJ | ACL_TAG_GROUP_OBJ | ACL_TAG_OTHER))
		return -EINVAL;
	return 0;
}

/*
 * The kernel's verdict (posix_acl_permission()) on u asking want of st
 * by the n entries at b: the owner by their entry; else an entry naming
 * u, masked; else any group entry of theirs (the owning group's or a
 * named one) that grants it, masked; a group entry of theirs that none
 * grants refuses; else the others' entry. 1 or 0.
 */
static int acl_judge(const struct import_user *u, const struct stat *st,
		     const unsigned char *b, size_t n, int want)
{
	struct acl_view v;

	if (acl_read(u, st, b, n, want, &v))
		return 0;	/* not understood: refused, stricter */
	if (st->st_uid == u->uid)
		return (v.owner & want) == want;
	if (v.user >= 0)
		return (v.user & v.mask & want) == want;
	if (v.group_grants)
		return (v.mask & want) == want;
	if (v.group_found)
		return 0;
	return (v.other & want) == want;
}

int import_owner_acl_may(const struct import_user *u, int fd,
			 const struct stat *st, int mask)
{
	unsigned char b[4 + 8 * 256];
	char path[40];
	ssize_t len;

	if (!u->uid)
		return 1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	len = getxattr(path, "system.posix_acl_access", b, sizeof(b));
	if (len < 0 && (errno == ENODATA || errno == EOPNOTSUPP))
		return import_owner_may(u, st, mask);
	/* no group bits (a mask of ---): the kernel looks at the mode
	 * alone, as acl_permission_check() does */
	if (len >= 0 && !(st->st_mode & S_IRWXG))
		return import_owner_may(u, st, mask);
	if (len < 4 || (len - 4) % 8 || b[0] != 2 || b[1] || b[2] || b[3])
		return 0;	/* not understood: refused, stricter */
	return acl_judge(u, st, b, (size_t)(len - 4) / 8, mask);
}
