/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/caller.h"
#include "fs/control.h"
#include "fs/edits.h"
#include "fs/grow.h"
#include "fs/handles.h"
#include "fs/inodes.h"
#include "fs/invalidate.h"
#include "fs/nodes.h"
#include "fs/open_caps.h"
#include "fs/refuse.h"
#include "fs/scratch.h"
#include "fs/session.h"
#include "fs/sizes.h"
#include "indexer/reads.h"
#include "fs/views.h"
#include "indexer/indexer.h"

/* What a listing gives as inode number when it gives none (libfuse's
 * own value for it): 0 would hide the name from some readers. */
#define UNKNOWN_INO 0xffffffffU

/* How long the kernel keeps entries and attributes and a rendering may
 * read the store (-o), whether other
 * users may use the mount (-o allow_other) and whether the kernel lists
 * folders without an opendir, whose the virtual files are (asked once: a
 * walk stats tens of thousands of folders) and the folders' mtimes. */
static struct {
	double entry_timeout, attr_timeout, render_deadline;
	int allow_other;
	int no_opendir;
	uid_t uid;
	gid_t gid;
	struct timespec start;
	pthread_mutex_t lock;
	uint64_t generation;
	struct timespec generation_seen;
} fs = {
	.entry_timeout = 1.0,
	.attr_timeout = 1.0,
	.render_deadline = FS_RENDER_DEADLINE_S,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

enum { KEY_ALLOW_OTHER };

static const struct fuse_opt timeout_spec[] = {
	{ "entry_timeout=%lf", offsetof(typeof(fs), entry_timeout), 0 },
	{ "attr_timeout=%lf", offsetof(typeof(fs), attr_timeout), 0 },
	{ "render_deadline=%lf", offsetof(typeof(fs), render_deadline), 0 },
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
		fs.allow_other = 1;
	return 1;
}

int fs_parse_options(struct fuse_args *args)
{
	if (fuse_opt_parse(args, &fs, timeout_spec, note_option))
		return log_error(-EINVAL, "fs: cannot read the options");
	if (!(fs.entry_timeout >= 0) || !(fs.attr_timeout >= 0))
		return log_error(-EINVAL, "fs: entry_timeout and attr_timeout"
				 " must be 0 or more seconds");
	if (!(fs.render_deadline > 0))
		return log_error(-EINVAL, "fs: render_deadline must be more"
				 " than 0 seconds");
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
	clock_gettime(CLOCK_REALTIME, &fs.start);
	fs.uid = getuid();
	fs.gid = getgid();
	caller_init();
	fs.no_opendir = !fs.allow_other &&
		!!(conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT);
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
	scratch_clear();
	inodes_clear();
}

/*
 * A kernel that keeps a folder's listing lists it again once it sees the
 * folder's mtime move. The views, /manga, /opds/series and the folders
 * of /playlists list the store: their mtime is when the mount first saw the store's current
 * generation. The fixed folders never change after the start.
 */
static struct timespec dir_mtime(const char *path)
{
	uint64_t gen;
	struct timespec t;

	if (!views_owns(path) && strcmp(path, "/manga") &&
	    strncmp(path, "/manga/", 7) && strcmp(path, "/opds/series") &&
	    strncmp(path, "/playlists/", 11))
		return fs.start;
	gen = indexer_generation();
	pthread_mutex_lock(&fs.lock);
	if (gen != fs.generation || !fs.generation_seen.tv_sec) {
		fs.generation = gen;
		clock_gettime(CLOCK_REALTIME, &fs.generation_seen);
	}
	t = fs.generation_seen;
	pthread_mutex_unlock(&fs.lock);
	return t;
}

/* What a folder, a generated file or a control file shows in stat(): a
 * file's size is the one of the open rendering h, else 0 (node_stat()
 * renders it); its times are now, but a series setting's, which are when
 * a setting was last written (node_settings_mtime()). */
static void virtual_stat(const char *path, const struct node *n,
			 const struct handle *h, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = node_mode(n);
	st->st_nlink = n->type == NODE_DIR ? 2 : 1;
	st->st_uid = fs.uid;
	st->st_gid = fs.gid;
	if (n->type == NODE_DIR) {
		st->st_mtim = dir_mtime(path);
		st->st_atim = st->st_ctim = st->st_mtim;
		return;
	}
	st->st_atime = st->st_mtime = st->st_ctime = time(NULL);
	if (n->write_series && !n->temp)	/* what vim checks a save by */
		st->st_mtim = st->st_ctim = node_settings_mtime(fs.start);
	if (h)
		st->st_size = handles_size(h);
}

/* Render n (at path) into out, giving up at the deadline: a rendering
 * that reads a large store for longer must not hold its thread. */
static int render(const struct node *n, const char *path, struct strbuf *out)
{
	int rc;

	reader_deadline(clock_mono() + fs.render_deadline);
	rc = node_render(n, out);
	reader_deadline(0);
	if (rc != -ETIMEDOUT)
		return rc;
	return log_error(-EAGAIN, "fs: %s took longer than %g s to render;"
			 " it cannot be opened or stat()ed now", path,
			 fs.render_deadline);
}

/*
 * The stat() of the node at path for the caller of req, whatever kind
 * it is. A generated file is rendered for the caller, and the rendering
 * kept for its open (fs/sizes.h): the size shown is what a read gives.
 * A file the caller may not open shows 0 and is not rendered for it.
 */
static int node_stat(fuse_req_t req, const char *path, const struct node *n,
		     struct stat *st)
{
	struct strbuf text = STRBUF_INIT;
	int rc;

	if (n->type == NODE_REAL)
		return views_real_stat(n->file, st);
	virtual_stat(path, n, NULL, st);
	if (n->type == NODE_DIR || n->empty ||
	    (n->owner_only && !caller_is_owner()))
		return 0;
	if (n->grows) {
		st->st_size = grow_length();
		return 0;
	}
	rc = render(n, path, &text);
	if (rc) {
		strbuf_release(&text);
		return rc;
	}
	st->st_size = text.len;
	sizes_keep(n, fuse_req_ctx(req)->uid, fuse_req_ctx(req)->pid, &text);
	return 0;
}

/* An fstat() of an open rendering shows that rendering's size to the
 * process that opened it (fs/handles.h); 0 when there is none. */
static int caller_snapshot(fuse_req_t req, fuse_ino_t ino, struct stat *st)
{
	struct node n;
	size_t size;

	if (!handles_snapshot(ino, fuse_req_ctx(req)->pid, &n, &size))
		return 0;
	virtual_stat("", &n, NULL, st);
	st->st_size = size;
	return 1;
}

/* How long the kernel may keep attributes: a generated or control
 * file's are asked for each time, so that a stat() shows the size of a
 * rendering made now and an fstat() of an open one reaches
 * caller_snapshot(). */
static double attr_timeout(const struct node *n)
{
	return n->type == NODE_FILE || n->type == NODE_CONTROL ? 0 :
	       fs.attr_timeout;
}

/* Every callback but lookup starts from the path of its inode; the
 * kernel never sends one it was not given, so a miss is a stale one. */
static int ino_resolve(fuse_ino_t ino, struct strbuf *path, struct node *n)
{
	int rc = inodes_path(ino, path);

	return rc ? rc : node_resolve(path->buf, n);
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

	if (!fs.allow_other)
		return 1;
	caller_begin_anyone();
	rc = node_resolve(path, &n);
	caller_end_anyone();
	return !rc;
}

static void lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
	struct fuse_entry_param e = {
		.attr_timeout = fs.attr_timeout,
		.entry_timeout = fs.entry_timeout,
	};
	uint64_t ino;
	struct node n;
	int rc;

	rc = inodes_path(parent, &dir);
	if (!rc) {
		node_child_path(&path, dir.buf, name);
		rc = node_resolve(path.buf, &n);
	}
	if (!rc)
		rc = node_stat(req, path.buf, &n, &e.attr);
	if (!rc)
		rc = inodes_lookup(parent, name, &ino);
	if (!rc) {
		e.attr_timeout = attr_timeout(&n);
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
	node_identity(&n, ino, &e.attr);
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
	virtual_stat("", &h->node, h, st);
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
	int rc;

	if (h) {
		n = h->node;
		rc = handle_stat(h, &st);
	} else {
		rc = ino_resolve(ino, &path, &n);
		if (!rc && (n.type == NODE_REAL || n.type == NODE_DIR ||
			    !caller_snapshot(req, ino, &st)))
			rc = node_stat(req, path.buf, &n, &st);
	}
	strbuf_release(&path);
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	node_identity(&n, ino, &st);
	fuse_reply_attr(req, &st, attr_timeout(&n));
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
	int rc = ino_resolve(ino, &path, &n);

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
 * Without an opendir the kernel sends no releasedir either, and keeps
 * the listing of a folder until its mtime moves (dir_mtime()). Where
 * other users may come (allow_other) opendir is answered, as the listing
 * the kernel keeps is shown to every user: it keeps those of the fixed
 * folders, the same for all, and of the owner's; another user's folder
 * of the views or of /manga is listed for that user every time. A folder
 * another user may not see is not there for it, even when the kernel
 * still keeps the name the owner looked up.
 */
static void fs_opendir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct strbuf path = STRBUF_INIT;
	struct node n;
	int owner, rc;

	if (fs.no_opendir) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	caller_begin(req);
	owner = caller_is_owner();
	rc = owner ? 0 : ino_resolve(ino, &path, &n);
	if (!rc && fs.allow_other && (owner || !n.dynamic))
		fi->cache_readdir = fi->keep_cache = 1;
	caller_end();
	strbuf_release(&path);
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_open(req, fi);
}

static void fs_releasedir(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

/*
 * Entries carry their offset (their place in the listing, from 1), so a
 * large folder is read in several requests. In a readdirplus a folder
 * goes with its attributes and an inode (a lookup the kernel now holds):
 * ls -l and find then ask nothing more of the folders (but where users
 * see different listings, whose names the kernel keeps for no time, as
 * in found_by_all()). Files go without
 * theirs, inode 0: a file's attributes cost a stat() or a rendering that
 * find never needs, and the kernel makes nothing of them.
 */
struct fill_ctx {
	fuse_req_t req;
	fuse_ino_t ino;
	const char *dir;
	struct strbuf path;
	char *buf;
	size_t size, used;
	off_t skip, next;
	int plus;
	/* whether what it lists is the same for every user */
	int same_for_all;
	/* The lookups counted for this reply, undone if it fails. */
	uint64_t *looked_up;
	size_t nr_looked_up, alloc_looked_up;
	int rc;
};

/* Count a lookup of name for the kernel, remembered until the reply. */
static int plus_lookup(struct fill_ctx *ctx, const char *name,
		       uint64_t *ino)
{
	uint64_t *grown;
	int rc;

	if (ctx->nr_looked_up == ctx->alloc_looked_up) {
		ctx->alloc_looked_up = ctx->alloc_looked_up * 2 + 16;
		grown = realloc(ctx->looked_up, ctx->alloc_looked_up *
				sizeof(*grown));
		if (!grown)
			return log_error(-ENOMEM, "fs: no memory to list %s",
					 ctx->dir);
		ctx->looked_up = grown;
	}
	rc = inodes_lookup(ctx->ino, name, ino);
	if (!rc)
		ctx->looked_up[ctx->nr_looked_up++] = *ino;
	return rc;
}

/* Add one entry; nonzero when the buffer is full (or on an error, in
 * ctx->rc). */
static int fill_one(const char *name, const struct node *child, void *arg)
{
	struct fill_ctx *ctx = arg;
	struct fuse_entry_param e = {
		.attr = { .st_ino = UNKNOWN_INO, .st_mode = node_mode(child) },
	};
	char *at = ctx->buf + ctx->used;
	size_t left = ctx->size - ctx->used, len;
	uint64_t ino;

	if (++ctx->next <= ctx->skip)
		return 0;
	if (!ctx->plus) {
		len = fuse_add_direntry(ctx->req, at, left, name, &e.attr,
					ctx->next);
	} else {
		len = fuse_add_direntry_plus(ctx->req, NULL, 0, name, NULL,
					     0);
		if (len > left)
			return 1;
		if (child->type == NODE_DIR && strcmp(name, ".") &&
		    strcmp(name, "..")) {
			node_child_path(&ctx->path, ctx->dir, name);
			virtual_stat(ctx->path.buf, child, NULL, &e.attr);
			ctx->rc = plus_lookup(ctx, name, &ino);
			if (ctx->rc)
				return 1;
			e.ino = ino;
			e.attr.st_ino = ino;
			e.attr_timeout = fs.attr_timeout;
			e.entry_timeout = ctx->same_for_all ?
					  fs.entry_timeout : 0;
		}
		len = fuse_add_direntry_plus(ctx->req, at, left, name, &e,
					     ctx->next);
	}
	if (len > left)
		return 1;
	ctx->used += len;
	return 0;
}

static void list_dir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     int plus)
{
	struct strbuf dir = STRBUF_INIT;
	struct fill_ctx ctx = {
		.req = req, .ino = ino, .path = STRBUF_INIT, .size = size,
		.skip = off, .plus = plus,
	};
	const struct node dot = { .type = NODE_DIR };
	struct node n;
	int rc;

	rc = ino_resolve(ino, &dir, &n);
	if (!rc && n.type != NODE_DIR)
		rc = -ENOTDIR;
	if (!rc) {
		ctx.buf = malloc(size);
		if (!ctx.buf)
			rc = log_error(-ENOMEM, "fs: no memory to list %s",
				       dir.buf);
	}
	if (!rc) {
		ctx.dir = dir.buf;
		ctx.same_for_all = !fs.allow_other || !n.dynamic;
		if (!fill_one(".", &dot, &ctx) && !fill_one("..", &dot, &ctx))
			rc = node_children(dir.buf, fill_one, &ctx);
		if (!rc)
			rc = ctx.rc;
	}
	if (!rc && !off)
		inodes_listed(ino);
	if (rc)
		fuse_reply_err(req, -rc);
	/* Lookups the kernel did not receive are not its to forget. */
	if (rc || fuse_reply_buf(req, ctx.buf, ctx.used))
		for (size_t i = 0; i < ctx.nr_looked_up; i++)
			inodes_forget(ctx.looked_up[i], 1);
	free(ctx.looked_up);
	free(ctx.buf);
	strbuf_release(&ctx.path);
	strbuf_release(&dir);
}

/* A listing holds only what the caller may see (views.h). */
static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size,
		       off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	caller_begin(req);
	list_dir(req, ino, size, off, 0);
	caller_end();
}

static void fs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			   off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	caller_begin(req);
	list_dir(req, ino, size, off, 1);
	caller_end();
}

/*
 * The kernel may keep a library file's pages from one open to the next,
 * and trusts the size it keeps (the attribute timeout) when it reads
 * them. A file changed since the kernel last asked may not be what it
 * holds: its status change time tells, as nothing sets it back. Such a
 * file is read without the page cache, straight from the file, whatever
 * size the kernel believes, until the kernel has asked again.
 */
static void real_cache(int fd, struct fuse_file_info *fi)
{
	double cache_s = fs.attr_timeout > fs.entry_timeout ?
			 fs.attr_timeout : fs.entry_timeout;
	struct stat st;

	if (!fstat(fd, &st) && time(NULL) - st.st_ctime > cache_s + 1) {
		fi->keep_cache = 1;
		return;
	}
	fi->direct_io = 1;
}

/* Make the handle of the node n (inode ino, at path) open with fi's
 * flags for the caller of req. A generated file's rendering is the one
 * its stat() just made and kept (fs/sizes.h), else one made now. */
static int open_node(fuse_req_t req, const struct node *n, fuse_ino_t ino,
		     const char *path, struct fuse_file_info *fi,
		     struct handle **out)
{
	int writing = (fi->flags & O_ACCMODE) != O_RDONLY;
	uid_t uid = fuse_req_ctx(req)->uid;
	pid_t tid = fuse_req_ctx(req)->pid;
	struct handle *h;
	int rc;

	if (n->type == NODE_DIR)
		return -EISDIR;
	if (writing && n->type != NODE_CONTROL)
		return -EACCES;
	/* The kernel checks the mode first (default_permissions); this
	 * holds without it too. */
	if (n->owner_only && !caller_is_owner())
		return -EACCES;
	/* Counted before anything is opened or rendered for it. */
	rc = open_caps_take(caller_uid(), caller_is_owner(),
			    n->type == NODE_REAL);
	if (rc)
		return rc;
	h = calloc(1, sizeof(*h));
	if (!h) {
		open_caps_put(caller_uid(), n->type == NODE_REAL);
		return -ENOMEM;
	}
	h->node = *n;
	h->fd = -1;
	h->ino = ino;
	h->opener = n->type == NODE_REAL ? 0 : handles_thread_group(tid);
	h->uid = caller_uid();
	if (n->type == NODE_REAL) {
		h->fd = rc = views_real_open(n->file, &h->cover);
		if (h->cover)
			rc = open_caps_charge(h->uid, caller_is_owner(),
					      h->cover,
					      cover_copies_size(h->cover));
		if (rc < 0) {
			if (h->fd >= 0)
				close(h->fd);
			cover_copies_put(h->cover);
			free(h);
			open_caps_put(caller_uid(), 1);
			return rc;
		}
		real_cache(h->fd, fi);
	} else {
		if ((fi->flags & O_ACCMODE) != O_WRONLY) {
			struct strbuf text = STRBUF_INIT;

			if (n->grows)
				grow_open(h, &text);
			else
				rc = sizes_take(n, uid, tid, &text) ? 0 :
				     render(n, path, &text);
			if (!rc)
				rc = open_caps_charge(h->uid,
						      caller_is_owner(), NULL,
						      text.len);
			if (rc) {
				strbuf_release(&text);
				free(h);
				open_caps_put(caller_uid(), 0);
				return rc;
			}
			open_caps_keep(&text, &h->content);
		}
		fi->direct_io = 1;
	}
	handles_add(h);
	fi->fh = (uintptr_t)h;
	*out = h;
	return 0;
}

/* A library file is opened as the caller: with the caller's rights. A
 * rendering is made here, on this request's thread: libfuse's other
 * threads answer meanwhile. */
static void fs_open(fuse_req_t req, fuse_ino_t ino,
		    struct fuse_file_info *fi)
{
	struct strbuf path = STRBUF_INIT;
	struct handle *h;
	struct node n;
	int rc;

	caller_begin(req);
	rc = ino_resolve(ino, &path, &n);
	if (!rc)
		rc = open_node(req, &n, ino, path.buf, fi, &h);
	caller_end();
	strbuf_release(&path);
	if (rc) {
		fuse_reply_err(req, -rc);
		return;
	}
	/* An interrupted open reached no kernel: no release will come. */
	if (fuse_reply_open(req, fi))
		handles_free(h);
}

/* A library file is handed over as its descriptor, so libfuse can splice
 * its pages to the kernel (or read them itself where it cannot); a
 * rendering as fs/grow.h replies it. */
static void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	struct fuse_bufvec bv = FUSE_BUFVEC_INIT(size);

	(void)ino;
	if (off < 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if (h->fd >= 0) {
		indexer_note_read();
		bv.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
		bv.buf[0].fd = h->fd;
		bv.buf[0].pos = off;
		fuse_reply_data(req, &bv, FUSE_BUF_SPLICE_MOVE);
		return;
	}
	grow_read(req, h, size, off);
}

static void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		     size_t size, off_t off, struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	int rc;

	(void)off;
	rc = node_write(&h->node, buf, size);
	/* Even a refused write adds a line to /log. */
	sizes_forget_all();
	if (rc < 0) {
		struct strbuf path = STRBUF_INIT;

		inodes_path(ino, &path);
		control_log_refused(path.buf, buf, size, rc);
		strbuf_release(&path);
		fuse_reply_err(req, -rc);
		return;
	}
	invalidate_kick();
	fuse_reply_write(req, size);
}

static void fs_release(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	(void)ino;
	handles_free((struct handle *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

/* An attribute's value or list (size 0 asks only for its length), or an
 * error, as the kernel takes it. */
static void reply_xattr(fuse_req_t req, int len, const char *buf,
			size_t size)
{
	if (len < 0)
		fuse_reply_err(req, -len);
	else if (!size)
		fuse_reply_xattr(req, len);
	else
		fuse_reply_buf(req, buf, len);
}

/* The file of a track of the views, or 0 for anything else; the caller
 * must be one who may read it. */
static int64_t track_file(fuse_req_t req, fuse_ino_t ino, int *rc)
{
	struct strbuf path = STRBUF_INIT;
	struct node n;

	caller_begin(req);
	*rc = ino_resolve(ino, &path, &n);
	strbuf_release(&path);
	if (!*rc && n.type == NODE_REAL && n.file > 0)
		*rc = views_real_access(n.file);
	caller_end();
	if (*rc || n.type != NODE_REAL || n.file <= 0)
		return 0;
	return n.file;
}

/* The track files of the views carry their record (track_attrs.h);
 * nothing else has attributes. */
static void fs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			size_t size)
{
	char *buf = NULL;
	int64_t file;
	int rc;

	if (!track_attrs_known(name)) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	file = track_file(req, ino, &rc);
	if (!rc && !file)
		rc = -ENODATA;
	if (!rc && size && !(buf = malloc(size)))
		rc = -ENOMEM;
	if (!rc)
		rc = views_track_attrs(req, file, name, buf, size);
	reply_xattr(req, rc, buf, size);
	free(buf);
}

static void fs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	char *buf = NULL;
	int64_t file;
	int rc;

	file = track_file(req, ino, &rc);
	if (!rc && file && size && !(buf = malloc(size)))
		rc = -ENOMEM;
	if (!rc && file)
		rc = views_track_attrs(req, file, NULL, buf, size);
	reply_xattr(req, rc, buf, size);
	free(buf);
}

/*
 * Every request is answered through session_begin() and session_end(),
 * which count it for /metrics/fuse.json and give the thread's read
 * connection the store's current file: the table below names these
 * wrappers of the callbacks above, made by one macro.
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
COUNTED(opendir, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi),
	(req, ino, fi))
COUNTED(readdir, (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	     struct fuse_file_info *fi),
	(req, ino, size, off, fi))
COUNTED(readdirplus, (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	     struct fuse_file_info *fi),
	(req, ino, size, off, fi))
COUNTED(releasedir,
	(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi),
	(req, ino, fi))
COUNTED(open, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi),
	(req, ino, fi))
COUNTED(read, (fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	     struct fuse_file_info *fi),
	(req, ino, size, off, fi))
COUNTED(write, (fuse_req_t req, fuse_ino_t ino, const char *buf,
	     size_t size, off_t off, struct fuse_file_info *fi),
	(req, ino, buf, size, off, fi))
COUNTED(release, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi),
	(req, ino, fi))
COUNTED(getxattr, (fuse_req_t req, fuse_ino_t ino, const char *name,
	     size_t size),
	(req, ino, name, size))
COUNTED(listxattr, (fuse_req_t req, fuse_ino_t ino, size_t size),
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
