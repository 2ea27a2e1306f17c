/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Paths opened with no link on the way, and links followed into the roots
 * only (symlinks.h). It reads no file's content.
 */
#include "common/symlinks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/listener.h"
#include "common/log.h"
#include "common/path.h"
#include "common/strbuf.h"

/* A kernel older than 5.6 has no openat2(): once it said so, the paths
 * are walked one name at a time. */
static int no_openat2;

/* openat2(), or -ENOSYS; -EAGAIN (a rename raced a lookup of "..") is
 * tried again, as the kernel asks. */
static int open_how(int dirfd, const char *path, int flags, int resolve)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = resolve,
	};
	int fd, tries = 0;

	if (__atomic_load_n(&no_openat2, __ATOMIC_RELAXED))
		return -ENOSYS;
	do
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 8);
	if (fd >= 0)
		return fd;
	if (errno == ENOSYS)
		__atomic_store_n(&no_openat2, 1, __ATOMIC_RELAXED);
	return -errno;
}

/* A folder on the way that cannot be opened as one: a link tells. */
static int walk_error(int dirfd, const char *name, int err)
{
	struct stat st;

	if (err == ENOTDIR && !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW)
	    && S_ISLNK(st.st_mode))
		return -ELOOP;
	return -err;
}

/* The next name of a path cut by strtok_r(), "." left out. */
static char *next_name(char *s, char **save)
{
	char *name = strtok_r(s, "/", save);

	while (name && !strcmp(name, "."))
		name = strtok_r(NULL, "/", save);
	return name;
}

/* Whether fd lies on the file system dev, when one is asked for (-1:
 * any); -EXDEV when not, fd closed. */
static int same_dev(int fd, dev_t dev)
{
	struct stat st;
	int err = 0;

	if (fd < 0 || dev == (dev_t)-1)
		return fd;
	if (fstat(fd, &st))
		err = -errno;
	else if (st.st_dev != dev)
		err = -EXDEV;
	if (err)
		close(fd);
	return err ? err : fd;
}

/* Who may change a folder on a path walked (symlinks_open_owned()), and
 * what refused one. */
struct owners {
	const uid_t *also;
	size_t nr;
	const char *path;	/* the path walked, named in why */
	struct strbuf *why;
};

/* Whether group gid is root's, the daemon's or the own group of a user of
 * also. */
static int group_trusted(gid_t gid, const uid_t *also, size_t nr)
{
	struct passwd pw, *found;
	char buf[4096];

	if (!gid || gid == getegid())
		return 1;
	for (size_t i = 0; i < nr; i++)
		if (!getpwuid_r(also[i], &pw, buf, sizeof(buf), &found) &&
		    found && pw.pw_gid == gid)
			return 1;
	return 0;
}

int symlinks_untrusted(const struct stat *st, const uid_t *also, size_t nr,
		       char *what, size_t len)
{
	int sticky = st->st_mode & S_ISVTX;
	struct group gr, *found;
	char name[64], buf[4096];

	if (!listener_uid_trusted(st->st_uid, also, nr)) {
		listener_name(st->st_uid, name, sizeof(name));
		snprintf(what, len, "belongs to user %s", name);
	} else if ((st->st_mode & S_IWGRP) && !sticky &&
		   !group_trusted(st->st_gid, also, nr)) {
		if (!getgrgid_r(st->st_gid, &gr, buf, sizeof(buf), &found) &&
		    found)
			snprintf(what, len, "may be written by group %s",
				 gr.gr_name);
		else
			snprintf(what, len, "may be written by group %u",
				 (unsigned)st->st_gid);
	} else if ((st->st_mode & S_IWOTH) && !sticky) {
		snprintf(what, len, "may be written by every user");
	} else {
		return 0;
	}
	return 1;
}

/* fd, the folder own->path names up to end (or what opening it gave),
 * when only users own trusts may change it; else -EACCES (-ELOOP for a
 * link, -EXDEV for "..") with own->why said, fd closed. */
static int owned(int fd, const struct owners *own, const char *end)
{
	char what[128];
	struct stat st;
	int err;

	if (!own || (fd < 0 && fd != -ELOOP && fd != -EXDEV))
		return fd;
	if (fd == -ELOOP) {
		snprintf(what, sizeof(what), "is a symbolic link");
	} else if (fd == -EXDEV) {
		snprintf(what, sizeof(what), "goes up with \"..\"");
	} else if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	} else if (symlinks_untrusted(&st, own->also, own->nr, what,
				      sizeof(what))) {
		close(fd);
		fd = -EACCES;
	} else {
		return fd;
	}
	strbuf_addf(own->why, "%.*s %s", (int)(end - own->path), own->path,
		    what);
	return fd;
}

/* What openat2() does, one name at a time: every folder on the way opened
 * as a path that is no link, the last name with O_NOFOLLOW, each on the
 * file system dev unless it is -1, and each changed by no one but the
 * users own trusts unless own is NULL. */
static int walk_beneath(int dirfd, const char *rel, int flags, dev_t dev,
			const struct owners *own)
{
	char *copy, *save = NULL, *name, *next;
	int cur = dirfd, fd;

	if (*rel == '/')
		return -EXDEV;
	copy = strdup(rel);
	if (!copy)
		return -ENOMEM;
	next = next_name(copy, &save);
	if (!next) {
		free(copy);
		fd = openat(dirfd, ".", flags | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	do {
		name = next;
		next = next_name(NULL, &save);
		if (!strcmp(name, ".."))
			fd = -EXDEV;
		else if (next)
			fd = openat(cur, name, O_PATH | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
		else
			fd = openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1)
			fd = walk_error(cur, name, errno);
		fd = same_dev(fd, dev);
		fd = owned(fd, own, rel + (name - copy) + strlen(name));
		if (cur != dirfd)
			close(cur);
		cur = fd;
	} while (fd >= 0 && next);
	free(copy);
	return fd;
}

int symlinks_open_beneath(int dirfd, const char *rel, int flags)
{
	int fd = open_how(dirfd, *rel ? rel : ".", flags, RESOLVE_BENEATH |
			  RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);

	return fd == -ENOSYS ? walk_beneath(dirfd, rel, flags, (dev_t)-1,
						 NULL) : fd;
}

int symlinks_open_within(int dirfd, const char *rel, int flags)
{
	struct stat st;
	int fd = open_how(dirfd, *rel ? rel : ".", flags, RESOLVE_BENEATH |
			  RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			  RESOLVE_NO_XDEV);

	if (fd != -ENOSYS)
		return fd;
	if (fstat(dirfd, &st))
		return -errno;
	return walk_beneath(dirfd, rel, flags, st.st_dev, NULL);
}

/* The most links one path may lead through, as the kernel's MAXSYMLINKS. */
#define OWNED_LINKS 40

/* A path being resolved: done, the folders so far (no link among them,
 * "" for /), and todo, the names left. */
struct resolving {
	char done[PATH_MAX], todo[PATH_MAX];
	size_t len;		/* of done */
};

/* The link name in the folder r->done, which its owner and the folder's
 * only may have made or changed, followed: its target put before the
 * names left, and done taken back to where the target starts. */
static int follow_owned(int cur, const char *name, const struct stat *st,
			struct resolving *r, const struct owners *own)
{
	char target[PATH_MAX], who[64];
	const char *t = target;
	ssize_t n;

	if (!listener_uid_trusted(st->st_uid, own->also, own->nr)) {
		listener_name(st->st_uid, who, sizeof(who));
		strbuf_addf(own->why, "%.*s/%s is a symbolic link of user %s",
			    (int)r->len, r->done, name, who);
		return -ELOOP;
	}
	n = readlinkat(cur, name, target, sizeof(target) - 1);
	if (n <= 0)
		return n ? -errno : -ENOENT;
	target[n] = '\0';
	if (*t == '/')
		r->len = 0;
	/* done has no link: its ".." is its parent */
	while (!strncmp(t, "../", 3) || !strcmp(t, "..")) {
		while (r->len && r->done[r->len - 1] != '/')
			r->len--;
		r->len -= r->len > 0;
		t += t[2] ? 3 : 2;
	}
	if (strlen(t) + 1 + strlen(r->todo) >= sizeof(r->todo))
		return -ENAMETOOLONG;
	memmove(r->todo + strlen(t) + 1, r->todo, strlen(r->todo) + 1);
	memcpy(r->todo, t, strlen(t));
	r->todo[strlen(t)] = '/';
	return 0;
}

/* The next name of r->todo moved into name (len bytes): 1, or 0 when
 * none is left. */
static int next_owned_name(struct resolving *r, char *name, size_t len)
{
	char *p = r->todo;
	size_t k;

	while (*p == '/')
		p++;
	k = strcspn(p, "/");
	if (!k || k >= len)
		return !k ? 0 : -ENAMETOOLONG;
	memcpy(name, p, k);
	name[k] = '\0';
	memmove(r->todo, p + k, strlen(p + k) + 1);
	return 1;
}

/* path with the links on it followed, each one that only the users own
 * trusts may have made (theirs, in a folder of theirs, each folder on
 * the way checked as owned() does): into r->done, a path with no link
 * on it but among names not there. */
static int resolve_owned(const char *path, struct resolving *r,
			 const struct owners *own)
{
	struct owners here = *own;
	char name[NAME_MAX + 1];
	int cur, links = 0, rc;
	struct stat st;

	if (strlen(path) >= sizeof(r->todo))
		return -ENAMETOOLONG;
	strcpy(r->todo, path);
	r->len = 0;
	while ((rc = next_owned_name(r, name, sizeof(name))) == 1) {
		if (!strcmp(name, "."))
			continue;
		r->done[r->len] = '\0';
		here.path = r->len ? r->done : "/";
		cur = open(here.path, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			   O_CLOEXEC);
		if (cur >= 0) {
			cur = owned(cur, &here, here.path + (r->len ? r->len
							     : 1));
			if (cur < 0)
				return cur;
		}
		if (cur < 0 || fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISLNK(st.st_mode)) {
			rc = 0;
		} else if (++links > OWNED_LINKS) {
			strbuf_addf(own->why, "%s leads through more than %d "
				    "symbolic links", path, OWNED_LINKS);
			rc = -ELOOP;
		} else {
			rc = follow_owned(cur, name, &st, r, own);
			close(cur);
			if (rc)
				return rc;
			continue;
		}
		if (cur >= 0)
			close(cur);
		if (rc)
			return rc;
		if (r->len + 1 + strlen(name) >= sizeof(r->done))
			return -ENAMETOOLONG;
		r->len += (size_t)sprintf(r->done + r->len, "/%s", name);
	}
	r->done[r->len] = '\0';
	return rc;
}

int symlinks_open_owned(const char *path, int flags, const uid_t *also,
			size_t nr, struct strbuf *why)
{
	struct owners own = { also, nr, path, why };
	struct resolving *r;
	const char *rel;
	int root, fd;

	if (*path != '/') {
		strbuf_addf(why, "%s is no absolute path", path);
		return -EINVAL;
	}
	r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	fd = resolve_owned(path, r, &own);
	own.path = r->len ? r->done : "/";
	rel = own.path + 1;
	root = fd ? fd : open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root == -1)
		root = -errno;
	if (root >= 0)
		root = owned(root, &own, rel);
	if (root >= 0) {
		fd = walk_beneath(root, rel, flags, (dev_t)-1, &own);
		close(root);
	} else {
		fd = root;
	}
	free(r);
	return fd;
}

int symlinks_open_owned_parent(const char *path, const uid_t *also,
				size_t nr, struct strbuf *why, char *name,
				size_t len)
{
	char *dir = strdup(path), *slash;
	size_t end;
	int fd;

	if (!dir)
		return -ENOMEM;
	end = strlen(dir);
	while (end > 1 && dir[end - 1] == '/')
		dir[--end] = '\0';
	slash = strrchr(dir, '/');
	if (!slash || !slash[1] || snprintf(name, len, "%s", slash + 1) >=
	    (int)len) {
		free(dir);
		strbuf_addf(why, "%s names no file in a folder", path);
		return -EINVAL;
	}
	slash[slash == dir] = '\0';
	fd = symlinks_open_owned(dir, O_RDONLY | O_DIRECTORY, also, nr, why);
	free(dir);
	return fd;
}

int symlinks_create_temp(int dfd, const char *prefix, const char *suffix,
			 mode_t mode, char *name, size_t len)
{
	unsigned char r[6];
	int fd;

	for (int tries = 0; tries < 16; tries++) {
		if (getrandom(r, sizeof(r), 0) != sizeof(r))
			return -EIO;
		if ((size_t)snprintf(name, len, "%s%02x%02x%02x%02x%02x%02x%s",
				     prefix, r[0], r[1], r[2], r[3], r[4],
				     r[5], suffix) >= len)
			return -ENAMETOOLONG;
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL |
			    O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int symlinks_fd_path(int fd, struct strbuf *out)
{
	char link[32], buf[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	strbuf_add(out, buf, n);
	return 0;
}

/* Whether path lies in the root walked or in any root of rule. */
static int allowed(const struct symlinks_rule *rule, const char *path)
{
	if (rule->root && path_under(path, rule->root))
		return 1;
	for (size_t i = 0; i < rule->nr_roots; i++)
		if (path_under(path, rule->roots[i]))
			return 1;
	return 0;
}

int symlinks_follow(int dirfd, const char *name,
		    const struct symlinks_rule *rule, struct stat *st)
{
	struct strbuf real = STRBUF_INIT;
	int fd = openat(dirfd, name, O_PATH | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, st))
		rc = -errno;
	else if (!S_ISREG(st->st_mode))
		rc = -EINVAL;
	else if (!rule->follow_outside)
		rc = symlinks_fd_path(fd, &real);
	if (!rc && !rule->follow_outside && !allowed(rule, real.buf))
		rc = -EXDEV;
	strbuf_release(&real);
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

int symlinks_reopen(int pathfd, int flags)
{
	char link[32];
	int fd;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", pathfd);
	fd = open(link, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * Keep fd only when it is a regular file's, and then in the blocking mode
 * flags asked for: it was opened with O_NONBLOCK, so that a FIFO or a
 * device put in a file's place since it was indexed answers at once
 * rather than hold the opening thread until a writer comes.
 */
static int regular_only(int fd, const char *path, int flags)
{
	struct stat st;
	int rc = 0, fl;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		rc = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		log_warn("%s: not a regular file now, not opened", path);
		rc = -EINVAL;
	} else if (!(flags & O_NONBLOCK)) {
		fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK))
			rc = -errno;
	}
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

int symlinks_open_path(const char *path, int flags,
		       const struct symlinks_rule *rule)
{
	struct stat st;
	int fd = open_how(AT_FDCWD, path, flags | O_NONBLOCK,
			  RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS), pfd;

	if (fd >= 0 || (fd != -ELOOP && fd != -ENOSYS))
		return regular_only(fd, path, flags);
	pfd = symlinks_follow(AT_FDCWD, path, rule, &st);
	if (pfd < 0)
		return pfd;
	fd = symlinks_reopen(pfd, flags | O_NONBLOCK);
	close(pfd);
	return regular_only(fd, path, flags);
}
