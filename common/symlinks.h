/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SYMLINKS_H
#define MEDIAMON_SYMLINKS_H

/*
 * Where symbolic links may lead the scanner, the watcher and the mount.
 *
 * A folder below a root is only ever opened with no link anywhere on its
 * path (symlinks_open_beneath()): the walk never enters a link to a folder,
 * and a path that goes through one (a rescan of ROOT/link/sub, a folder
 * swapped for a link while walked) is not in the root. A link to a file
 * is followed when the file it leads to lies inside a root (any music or
 * manga root), or anywhere when the root's follow_outside_symlinks says
 * yes (symlinks_follow()). A file is opened for the mount the same way
 * (symlinks_open_path()), so a link changed after its file was indexed
 * serves nothing from outside the roots either.
 *
 * Paths are resolved with openat2() (RESOLVE_BENEATH,
 * RESOLVE_NO_SYMLINKS, RESOLVE_NO_MAGICLINKS) where the kernel has it,
 * else one component at a time with O_NOFOLLOW; where a link leads is
 * read from /proc/self/fd, so what is checked is what was opened.
 *
 *	struct symlinks_rule rule = { root, roots, nr, follow_outside };
 *	int dfd = symlinks_open_beneath(root_fd, "Alpha/First",
 *					O_RDONLY | O_DIRECTORY);
 *	int pfd = symlinks_follow(dfd, "notes.mp3", &rule, &st);
 *	int fd = symlinks_reopen(pfd, O_RDONLY);
 */

#include <stddef.h>
#include <sys/stat.h>

struct strbuf;

struct symlinks_rule {
	const char *root;		/* the root walked, or NULL */
	const char *const *roots;	/* every root (canonical paths) */
	size_t nr_roots;
	int follow_outside;		/* links may lead anywhere */
};

/*
 * Open rel ("" for dirfd itself) below the folder dirfd with flags
 * (O_CLOEXEC is added) and no symbolic link on the way, the last name
 * included. Returns the descriptor, -ELOOP when a link is on the way,
 * -EXDEV when rel leaves dirfd (".." or an absolute path), or another
 * negative errno value.
 */
int symlinks_open_beneath(int dirfd, const char *rel, int flags);

/*
 * As symlinks_open_beneath(), and on dirfd's file system only: -EXDEV
 * when a mount point is on the way (RESOLVE_NO_XDEV). What the import
 * opens below a save folder or a manga root.
 */
int symlinks_open_within(int dirfd, const char *rel, int flags);

/*
 * Open the absolute path (a folder, with O_DIRECTORY in flags) from / one
 * name at a time, with no symbolic link on the way and none of its
 * folders one a user other than root, the daemon's and the nr users of
 * also may change: each is theirs, and is written by no other group
 * than root's, the daemon's or the own group of a user of also, nor by
 * every user unless sticky (where others cannot move what is not
 * theirs). What the daemon writes into a folder others watch, so that
 * no one can lead it elsewhere. Returns the descriptor; -ELOOP (a link),
 * -EACCES (a folder others may change) or -EXDEV ("..") with the folder
 * and why in why, or another negative errno value.
 */
int symlinks_open_owned(const char *path, int flags, const uid_t *also,
			size_t nr, struct strbuf *why);

/*
 * The folder that holds the last name of the absolute path, opened as
 * symlinks_open_owned() opens one (O_RDONLY | O_DIRECTORY), that name
 * put in name (len bytes): what a file is made in, or a folder, with
 * openat() or mkdirat() and O_EXCL | O_NOFOLLOW. Returns the descriptor
 * or what symlinks_open_owned() returns; -EINVAL (why said) when path
 * names no file in a folder or its name is longer than len.
 */
int symlinks_open_owned_parent(const char *path, const uid_t *also,
				size_t nr, struct strbuf *why, char *name,
				size_t len);

/*
 * Whether a user other than root, the daemon's and the nr users of also
 * may change the folder st (symlinks_open_owned()'s rule): 1 with what
 * lets them in what (len bytes: "belongs to user NAME", "may be written
 * by group NAME", "may be written by every user"), or 0.
 */
int symlinks_untrusted(const struct stat *st, const uid_t *also, size_t nr,
		       char *what, size_t len);

/*
 * Create a new file in the folder dfd, named prefix, 12 random hex digits
 * and suffix (into name, len bytes), with mode: never through a link put
 * at the name, nor onto a file there. Returns the descriptor, open for
 * writing, or a negative errno value (-ENAMETOOLONG when name is short).
 */
int symlinks_create_temp(int dfd, const char *prefix, const char *suffix,
			 mode_t mode, char *name, size_t len);

/* The path what fd is open on has now, from the kernel, added to out.
 * Returns 0 or a negative errno value. */
int symlinks_fd_path(int fd, struct strbuf *out);

/*
 * Follow the link name in the folder dirfd (or any name: a file that is
 * no link passes) to a regular file, which rule must allow. Returns an
 * O_PATH descriptor of the file and fills *st; -EXDEV when the file lies
 * outside every root of rule and rule does not follow outside, -ENOENT
 * when the link leads nowhere, -EINVAL when it leads to something other
 * than a regular file, or another negative errno value.
 */
int symlinks_follow(int dirfd, const char *name,
		    const struct symlinks_rule *rule, struct stat *st);

/* Open what the O_PATH descriptor pathfd is open on with flags (O_CLOEXEC
 * added), checking the rights anew. Returns the descriptor or -errno. */
int symlinks_reopen(int pathfd, int flags);

/*
 * Open the absolute path of an indexed file with flags for the mount: at
 * once when no link is on its path, else through symlinks_follow() with
 * rule, so a link that now leads elsewhere serves nothing. Only a regular
 * file is opened, and never waited for: a FIFO or a device put at the
 * path gives -EINVAL at once (logged). Returns the descriptor or a
 * negative errno value (-EXDEV as symlinks_follow()).
 */
int symlinks_open_path(const char *path, int flags,
		       const struct symlinks_rule *rule);

#endif
