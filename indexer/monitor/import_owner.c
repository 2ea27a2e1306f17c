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

/* Step from the folder *dfd (st its stat, which u must be able to
 * search) to its entry name, no link followed: 0 with *dfd and *st
 * the entry's, -EACCES when u may not search, or -errno. */
static int reach_step(const struct import_user *u, int *dfd,
		      struct stat *st, const char *name)
{
	int fd;

	if (!S_ISDIR(st->st_mode) || !import_owner_may(u, st,
						       IMPORT_MAY_SEARCH))
		return -EACCES;
	fd = openat(*dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!import_owner_acl_may(u, *dfd, st, IMPORT_MAY_SEARCH)) {
		close(fd);
		return -EACCES;
	}
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
	    (!import_owner_may(u, &st, IMPORT_MAY_SEARCH) ||
	     !import_owner_acl_may(u, dfd, &st, IMPORT_MAY_SEARCH)))
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
#define ACL_TAG_USER 2
#define ACL_TAG_MASK 0x10

/* The rights an entry naming u gives u (the mask applied) in the ACL of
 * n entries at b, or -1 when no entry names u. */
static int named_user(const struct import_user *u, const unsigned char *b,
		      size_t n)
{
	int mask = 7, user = -1;

	for (size_t i = 0; i < n; i++) {
		const unsigned char *e = b + 4 + 8 * i;
		unsigned int tag = e[0] | e[1] << 8, perm = e[2] & 7;
		uint32_t id = e[4] | e[5] << 8 | e[6] << 16 |
			(uint32_t)e[7] << 24;

		if (tag == ACL_TAG_MASK)
			mask = (int)perm;
		else if (tag == ACL_TAG_USER && id == u->uid)
			user = (int)perm;
	}
	return user < 0 ? -1 : user & mask;
}

int import_owner_acl_may(const struct import_user *u, int fd,
			 const struct stat *st, int mask)
{
	unsigned char b[4 + 8 * 256];
	char path[40];
	ssize_t len;
	int got;

	if (!u->uid || st->st_uid == u->uid)
		return 1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	len = getxattr(path, "system.posix_acl_access", b, sizeof(b));
	if (len < 0)
		return errno == ENODATA || errno == EOPNOTSUPP;
	if (len < 4 || (len - 4) % 8 || b[0] != 2)
		return 0;	/* not understood: refused, stricter */
	got = named_user(u, b, (size_t)(len - 4) / 8);
	return got < 0 || (got & mask) == mask;
}
