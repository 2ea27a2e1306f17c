/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The table of FUSE operations the kernel's requests reach, each counted
 * by fs/tree/session.h, the mount's options, and the callbacks of names and
 * attributes: lookup, forget, getattr and setattr. Folders are answered
 * in fs_dir.c, files in fs_file.c, changes of names in edits.c, what the
 * mount refuses in refuse.c. It must not list, open or render itself
 * (fs_attr.h renders for a stat()).
 */
#include "fs/mount/fs.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/mount/edits.h"
#include "fs/mount/fs_attr.h"
#include "fs/mount/fs_dir.h"
#include "fs/mount/fs_file.h"
#include "fs/mount/handles.h"
#include "fs/mount/inodes.h"
#include "fs/tree/nodes.h"
#include "fs/mount/refuse.h"
#include "fs/tree/scratch.h"
#include "fs/tree/session.h"
#include "fs/tree/playlists_names.h"
#include "fs/tree/rendering.h"
#include "fs/tree/sizes.h"
#include "fs/tree/stamps.h"

enum { KEY_ALLOW_OTHER };

#define OPTION(field) offsetof(struct fs_attr_options, field)

static const struct fuse_opt timeout_spec[] = {
	{ "entry_timeout=%lf", OPTION(entry_timeout), 0 },
	{ "attr_timeout=%lf", OPTION(attr_timeout), 0 },
	{ "render_deadline=%lf", OPTION(render_deadline), 0 },
	{ "snapshot_files=%lu", OPTION(snapshot_files), 0 },
	FUSE_OPT_KEY("allow_other", KEY_ALLOW_OTHER),
	FUSE_OPT_END
};

/* allow_other is noted and left for the kernel, as is every option not
 * the mount's own. */
static int note_option(void *data, const char *arg, int key,
		       struct fuse_args *out)
{
	(void)data;
	(void)arg;
	(void)out;
	if (key == KEY_ALLOW_OTHER)
		fs_attr.allow_other = 1;
	return 1;
}

int fs_parse_options(struct fuse_args *args)
{
	if (fuse_opt_parse(args, &fs_attr, timeout_spec, note_option))
		return log_error(-EINVAL, "fs: cannot read the options");
	if (!(fs_attr.entry_timeout >= 0) || !(fs_attr.attr_timeout >= 0))
		return log_error(-EINVAL, "fs: entry_timeout and attr_timeout"
				 " must be 0 or more seconds");
	if (!(fs_attr.render_deadline > 0))
		return log_error(-EINVAL, "fs: render_deadline must be more"
				 " than 0 seconds");
	rendering_set_deadline(fs_attr.render_deadline);
	return 0;
}

/* The kernel hands library files over by splice where it can, without a
 * copy through this process, and lists folders itself when it may
 * (no opendir: opendir answers ENOSYS then). Every part of a listing
 * is a readdirplus, not only the first: the folders of a large folder's
 * later parts then come with their attributes, not one lookup each. */
static void fs_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	fs_attr_init(conn);
	stamps_load();
	if (conn->capable & FUSE_CAP_SPLICE_WRITE)
		conn->want |= FUSE_CAP_SPLICE_WRITE;
	conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
}

/* The next session's kernel knows none of this one's handles or inodes. */
static void fs_destroy(void *userdata)
{
	(void)userdata;
	handles_free_all();
	sizes_clear();
	playlists_names_clear();
	scratch_clear();
	inodes_clear();
}

/*
 * Whether every user finds path: the kernel keeps a name it was given
 * for every user alike, so a name this caller may see and another may
 * not is kept for no time, and every user's lookup reaches the views.
 */
static int found_by_all(const char *path)
{
	struct node n;
	int rc;

	if (!fs_attr.allow_other)
		return 1;
	caller_begin_anyone();
	rc = nodes_resolve(path, &n);
	caller_end_anyone();
	return !rc;
}

static void lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	struct fuse_entry_param e = {
		.attr_timeout = fs_attr.attr_timeout,
		.entry_timeout = fs_attr.entry_timeout,
	};
	uint64_t ino;
	struct node n;
	int rc;

	rc = inodes_path(parent, &dir);
	if (!rc) {
		nodes_child_path(&path, dir.buf, name);
		rc = nodes_resolve(path.buf, &n);
	}
	if (!rc)
		rc = fs_attr_node(req, path.buf, &n, &e.attr);
	if (!rc)
		rc = inodes_lookup(parent, name, &ino);
	if (!rc) {
		e.attr_timeout = fs_attr_timeout(path.buf, &n);
		e.entry_timeout = fs_attr_entry_timeout(path.buf);
		if (!found_by_all(path.buf))
			e.entry_timeout = e.attr_timeout = 0;
	}
	strbuf_release(&dir);
	strbuf_release(&path);
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	e.ino = ino;
	nodes_identity(&n, ino, &e.attr);
	/* An interrupted lookup reached no kernel: it holds nothing. */
	if (fuse_reply_entry(req, &e))
		inodes_forget(ino, 1);
}

/* A lookup stats a real file as the caller. */
static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	caller_begin(req);
	lookup(req, parent, name);
	caller_end();
}

/* An entry lives until the kernel has dropped every lookup it counted. */
static void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	inodes_forget(ino, nlookup);
	fuse_reply_none(req);
}

static void fs_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	for (size_t i = 0; i < count; i++)
		inodes_forget(forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

/* An open library file is the file it opened, whatever the store or the
 * library says since; an open rendering shows its own size (a folder is
 * never open: no path is needed). */
static int handle_stat(const struct handle *h, struct stat *st)
{
	if (h->fd >= 0) {
		if (fstat(h->fd, st))
			return -errno;
		st->st_mode &= ~(mode_t)0222;
		return 0;
	}
	fs_attr_virtual("", &h->node, h, st);
	return 0;
}

/* The attributes of ino for getattr and setattr, with ino as st_ino. */
static void reply_attr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct handle *h = fi ? (struct handle *)(uintptr_t)fi->fh : NULL;
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	struct node n;
	double keep;
	int rc;

	if (h) {
		n = h->node;
		rc = handle_stat(h, &st);
	} else {
		rc = fs_attr_resolve(ino, &path, &n);
		if (!rc && (n.type == NODE_REAL || n.type == NODE_DIR ||
			    !fs_attr_snapshot(req, ino, &st)))
			rc = fs_attr_node(req, path.buf, &n, &st);
	}
	keep = rc ? 0 : fs_attr_timeout(path.len ? path.buf : "", &n);
	strbuf_release(&path);
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	nodes_identity(&n, ino, &st);
	fuse_reply_attr(req, &st, keep);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	caller_begin(req);
	reply_attr(req, ino, fi);
	caller_end();
}

/* `echo cmd > file` truncates before writing: emptying a control file is
 * accepted and does nothing; any other file keeps its size. */
static int truncate_node(const struct node *n, off_t size)
{
	if (n->type == NODE_DIR)
		return -EISDIR;
	if (n->type != NODE_CONTROL)
		return -EACCES;
	return size == 0 ? 0 : -EINVAL;
}

/* What may change is judged by refuse_setattr() and truncate_node(). */
static void setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		    int to_set, struct fuse_file_info *fi)
{
	struct strbuf path = STRBUF_INIT;
	struct node n;
	int rc = fs_attr_resolve(ino, &path, &n);

	strbuf_release(&path);
	if (!rc)
		rc = refuse_setattr(&n, to_set);
	if (!rc && (to_set & FUSE_SET_ATTR_SIZE))
		rc = truncate_node(&n, attr->st_size);
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	reply_attr(req, ino, fi);
}

static void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int to_set, struct fuse_file_info *fi)
{
	caller_begin(req);
	setattr(req, ino, attr, to_set, fi);
	caller_end();
}
/*
 * Every request is answered through session_begin() and session_end(),
 * which count it for /metrics/fuse.json and give the thread's read
 * connection the store's current file: the table below names these
 * wrappers of the callbacks, made by one macro.
 */
#define COUNTED_AS(fn, op, params, args)				\
	static void counted_##op params					\
	{								\
		session_begin();					\
		fn args;						\
		session_end();						\
	}
#define COUNTED(op, params, args) COUNTED_AS(fs_##op, op, params, args)
#define REFUSED(op, params, args) COUNTED_AS(refuse_##op, op, params, args)

COUNTED(lookup, (fuse_req_t req, fuse_ino_t parent, const char *name),
	(req, parent, name))
COUNTED(forget, (fuse_req_t req, fuse_ino_t ino, uint64_t nlookup),
	(req, ino, nlookup))
COUNTED(forget_multi, (fuse_req_t req, size_t count,
	     struct fuse_forget_data *forgets),
	(req, count, forgets))
COUNTED(getattr, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi),
	(req, ino, fi))
COUNTED(setattr, (fuse_req_t req, fuse_ino_t ino, struct stat *attr,
	     int to_set, struct fuse_file_info *fi),
	(req, ino, attr, to_set, fi))
COUNTED_AS(fs_dir_open, opendir, (fuse_req_t req, fuse_ino_t ino,
	     struct fuse_file_info *fi),
	(req, ino, fi))
COUNTED_AS(fs_dir_read, readdir, (fuse_req_t req, fuse_ino_t ino,
	     size_t size, off_t off, struct fuse_file_info *fi),
	(req, ino, size, off, fi))
COUNTED_AS(fs_dir_read_plus, readdirplus, (fuse_req_t req, fuse_ino_t ino,
	     size_t size, off_t off, struct fuse_file_info *fi),
	(req, ino, size, off, fi))
COUNTED_AS(fs_dir_release, releasedir, (fuse_req_t req, fuse_ino_t ino,
	     struct fuse_file_info *fi),
	(req, ino, fi))
COUNTED_AS(fs_file_open, open, (fuse_req_t req, fuse_ino_t ino,
	     struct fuse_file_info *fi),
	(req, ino, fi))
COUNTED_AS(fs_file_read, read, (fuse_req_t req, fuse_ino_t ino,
	     size_t size, off_t off, struct fuse_file_info *fi),
	(req, ino, size, off, fi))
COUNTED_AS(fs_file_write, write, (fuse_req_t req, fuse_ino_t ino,
	     const char *buf, size_t size, off_t off,
	     struct fuse_file_info *fi),
	(req, ino, buf, size, off, fi))
COUNTED_AS(fs_file_flush, flush, (fuse_req_t req, fuse_ino_t ino,
	     struct fuse_file_info *fi),
	(req, ino, fi))
COUNTED_AS(fs_file_release, release, (fuse_req_t req, fuse_ino_t ino,
	     struct fuse_file_info *fi),
	(req, ino, fi))
COUNTED_AS(fs_file_getxattr, getxattr, (fuse_req_t req, fuse_ino_t ino,
	     const char *name, size_t size),
	(req, ino, name, size))
COUNTED_AS(fs_file_listxattr, listxattr, (fuse_req_t req, fuse_ino_t ino,
	     size_t size),
	(req, ino, size))

COUNTED_AS(edits_mknod, mknod, (fuse_req_t req, fuse_ino_t parent,
	     const char *name, mode_t mode, dev_t rdev),
	(req, parent, name, mode, rdev))
REFUSED(mkdir, (fuse_req_t req, fuse_ino_t parent, const char *name,
	     mode_t mode),
	(req, parent, name, mode))
COUNTED_AS(edits_unlink, unlink, (fuse_req_t req, fuse_ino_t parent,
	     const char *name),
	(req, parent, name))
REFUSED(rmdir, (fuse_req_t req, fuse_ino_t parent, const char *name),
	(req, parent, name))
REFUSED(symlink, (fuse_req_t req, const char *link, fuse_ino_t parent,
	     const char *name),
	(req, link, parent, name))
COUNTED_AS(edits_rename, rename, (fuse_req_t req, fuse_ino_t parent,
	     const char *name,
	     fuse_ino_t newparent, const char *newname, unsigned int flags),
	(req, parent, name, newparent, newname, flags))
REFUSED(link, (fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
	     const char *newname),
	(req, ino, newparent, newname))
REFUSED(setxattr, (fuse_req_t req, fuse_ino_t ino, const char *name,
	     const char *value, size_t size, int flags),
	(req, ino, name, value, size, flags))
REFUSED(removexattr, (fuse_req_t req, fuse_ino_t ino, const char *name),
	(req, ino, name))

/* No create: the kernel then makes a file by mknod and open (edits.h). */
const struct fuse_lowlevel_ops fs_operations = {
	.init = fs_init,
	.destroy = fs_destroy,
	.lookup = counted_lookup,
	.forget = counted_forget,
	.forget_multi = counted_forget_multi,
	.getattr = counted_getattr,
	.setattr = counted_setattr,
	.opendir = counted_opendir,
	.readdir = counted_readdir,
	.readdirplus = counted_readdirplus,
	.releasedir = counted_releasedir,
	.open = counted_open,
	.read = counted_read,
	.write = counted_write,
	.flush = counted_flush,
	.release = counted_release,
	.getxattr = counted_getxattr,
	.listxattr = counted_listxattr,
	.mknod = counted_mknod,
	.mkdir = counted_mkdir,
	.unlink = counted_unlink,
	.rmdir = counted_rmdir,
	.symlink = counted_symlink,
	.rename = counted_rename,
	.link = counted_link,
	.setxattr = counted_setxattr,
	.removexattr = counted_removexattr,
};
