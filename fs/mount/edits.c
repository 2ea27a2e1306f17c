/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The temporary files and renames of editors in a series folder
 * (edits.h): judges which may be made and applies a rename as one write
 * of the file it replaces. Everything else goes to fs/mount/refuse.c.
 */
#include "fs/mount/edits.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/tree/control.h"
#include "fs/mount/inodes.h"
#include "fs/tree/manga_view.h"
#include "fs/tree/nodes.h"
#include "fs/mount/refuse.h"
#include "fs/tree/scratch.h"
#include "fs/tree/sizes.h"

/* The writable file of a series folder at the mount path path, into *n:
 * 0, or -ENOENT. */
static int writable(const char *path, struct node *n)
{
	if (strncmp(path, "/manga/", 7) || manga_view_resolve(path + 7, n))
		return -ENOENT;
	return n->type == NODE_CONTROL && n->write_series && !n->temp ?
	       0 : -ENOENT;
}

/* Whether name is one of a temporary file the tools make (edits.h) in
 * the series folder dir. */
static int tool_name(const char *dir, const char *name)
{
	size_t len = strlen(name), i;
	struct strbuf path = STRBUF_INIT;
	struct node n;
	int ok = 0;

	if (len == 9 && !strncmp(name, "sed", 3)) {
		for (i = 3; i < len && isalnum((unsigned char)name[i]); i++)
			;
		return i == len;
	}
	for (i = 0; i < len && isdigit((unsigned char)name[i]); i++)
		;
	if (len && len <= 10 && i == len)
		return 1;
	if (len > 1 && name[len - 1] == '~') {
		strbuf_addf(&path, "%s/%.*s", dir, (int)len - 1, name);
		ok = !writable(path.buf, &n);
	}
	strbuf_release(&path);
	return ok;
}

/* The path of name in the folder parent, which must be a series folder:
 * 0, or -EROFS (nothing is made elsewhere). */
static int series_child(fuse_ino_t parent, const char *name,
			struct strbuf *path)
{
	struct strbuf dir = STRBUF_INIT;
	struct node n;
	int rc = inodes_path(parent, &dir);

	if (!rc && (strncmp(dir.buf, "/manga/", 7) ||
		    strchr(dir.buf + 7, '/') ||
		    manga_view_resolve(dir.buf + 7, &n) ||
		    n.type != NODE_DIR || !tool_name(dir.buf, name)))
		rc = -EROFS;
	if (!rc)
		nodes_child_path(path, dir.buf, name);
	strbuf_release(&dir);
	return rc;
}

static int make(fuse_ino_t parent, const char *name, mode_t mode,
		struct fuse_entry_param *e)
{
	struct strbuf path = STRBUF_INIT;
	uint64_t ino;
	int rc = S_ISREG(mode) ? series_child(parent, name, &path) : -EROFS;

	if (!rc && !caller_is_owner())
		rc = -EACCES;
	if (!rc)
		rc = scratch_make(path.buf);
	if (!rc) {
		rc = inodes_lookup(parent, name, &ino);
		if (rc)
			scratch_drop(path.buf);
	}
	strbuf_release(&path);
	if (rc)
		return rc;
	e->ino = e->attr.st_ino = ino;
	e->attr.st_mode = S_IFREG | 0600;
	e->attr.st_nlink = 1;
	e->attr.st_uid = getuid();
	e->attr.st_gid = getgid();
	e->attr.st_atime = e->attr.st_mtime = e->attr.st_ctime = time(NULL);
	return 0;
}

void edits_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		 mode_t mode, dev_t rdev)
{
	struct fuse_entry_param e = { 0 };
	int rc;

	caller_begin(req);
	rc = make(parent, name, mode, &e);
	caller_end();
	if (rc == -EROFS) {
		refuse_mknod(req, parent, name, mode, rdev);
		return;
	}
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	if (fuse_reply_entry(req, &e))
		inodes_forget(e.ino, 1);
}

void edits_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	caller_begin(req);
	rc = series_child(parent, name, &path);
	if (!rc)
		rc = scratch_drop(path.buf);
	caller_end();
	strbuf_release(&path);
	if (rc)
		refuse_unlink(req, parent, name);
	else
		fuse_reply_err(req, 0);
}

/* Write the temporary file from onto the writable file to (node n) as
 * one write, logged as a control write when refused. */
static int apply(const char *from, const char *to, const struct node *n)
{
	struct strbuf text = STRBUF_INIT;
	int rc = scratch_text(from, &text);

	if (!rc)
		rc = nodes_write(n, text.buf, text.len);
	sizes_forget_all();
	if (rc < 0)
		control_log_refused(to, text.buf, text.len, rc);
	else
		nodes_written();
	strbuf_release(&text);
	return rc < 0 ? rc : 0;
}

void edits_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		  fuse_ino_t newparent, const char *newname,
		  unsigned int flags)
{
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT, dir = STRBUF_INIT;
	struct node n, temp;
	int rc = parent == newparent && !flags ? 0 : -EROFS;

	caller_begin(req);
	if (!rc)
		rc = series_child(parent, name, &from);
	if (!rc && scratch_find(from.buf, &temp, &dir))
		rc = -EROFS;
	if (!rc)
		rc = inodes_path(newparent, &dir);
	if (!rc) {
		nodes_child_path(&to, dir.buf, newname);
		rc = writable(to.buf, &n) ? -EROFS : 0;
	}
	if (!rc && !caller_is_owner())
		rc = -EACCES;
	if (!rc)
		rc = apply(from.buf, to.buf, &n);
	caller_end();
	if (!rc)
		scratch_alias(from.buf, to.buf);
	if (rc == -EROFS)
		refuse_rename(req, parent, name, newparent, newname, flags);
	else
		fuse_reply_err(req, -rc);
	strbuf_release(&from);
	strbuf_release(&to);
	strbuf_release(&dir);
}
