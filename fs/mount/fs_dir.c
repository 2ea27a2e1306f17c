/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The FUSE callbacks of folders: opendir, releasedir, readdir and
 * readdirplus, and the lookups a readdirplus counts for the kernel. It
 * lists what fs/tree/nodes.h gives for the caller; it must not stat or
 * render a file for a listing.
 */
#include "fs/mount/fs_dir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/mount/fs_attr.h"
#include "fs/mount/inodes.h"
#include "fs/tree/nodes.h"

/* What a listing gives as inode number when it gives none (libfuse's
 * own value for it): 0 would hide the name from some readers. */
#define UNKNOWN_INO 0xffffffffU

/*
 * Without an opendir the kernel sends no releasedir either, and keeps
 * the listing of a folder until its mtime moves (fs_attr.c). Where
 * other users may come (allow_other) opendir is answered, as the listing
 * the kernel keeps is shown to every user: it keeps those of the fixed
 * folders, the same for all, and of the owner's; another user's folder
 * of the views or of /manga is listed for that user every time. A folder
 * another user may not see is not there for it, even when the kernel
 * still keeps the name the owner looked up.
 */
void fs_dir_open(fuse_req_t req, fuse_ino_t ino,
		 struct fuse_file_info *fi)
{
	struct strbuf path = STRBUF_INIT;
	struct node n;
	int owner, rc;

	if (fs_attr.no_opendir) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	caller_begin(req);
	owner = caller_is_owner();
	rc = owner ? 0 : fs_attr_resolve(ino, &path, &n);
	if (!rc && fs_attr.allow_other && (owner || !n.dynamic))
		fi->cache_readdir = fi->keep_cache = 1;
	caller_end();
	strbuf_release(&path);
	if (rc)
		fuse_reply_err(req, -rc);
	else
		fuse_reply_open(req, fi);
}

void fs_dir_release(fuse_req_t req, fuse_ino_t ino,
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
 * in the lookups of fs.c). Files go without
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

	grown = array_grow(ctx->looked_up, ctx->nr_looked_up,
			   &ctx->alloc_looked_up, sizeof(*grown), 16);
	if (!grown)
		return log_error(-ENOMEM, "fs: no memory to list %s",
				 ctx->dir);
	ctx->looked_up = grown;
	rc = inodes_lookup(ctx->ino, name, ino);
	if (!rc)
		ctx->looked_up[ctx->nr_looked_up++] = *ino;
	return rc;
}

/* Add one entry; nonzero when the buffer is full (or on an error, in
 * ctx->rc). */
static int fill_one(struct fill_ctx *ctx, const char *name,
		    const struct node *child)
{
	struct fuse_entry_param e = {
		.attr = { .st_ino = UNKNOWN_INO, .st_mode = nodes_mode(child) },
	};
	char *at = ctx->buf + ctx->used;
	size_t left = ctx->size - ctx->used, len;
	uint64_t ino;

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
			nodes_child_path(&ctx->path, ctx->dir, name);
			fs_attr_virtual(ctx->path.buf, child, NULL, &e.attr);
			ctx->rc = plus_lookup(ctx, name, &ino);
			if (ctx->rc)
				return 1;
			e.ino = ino;
			e.attr.st_ino = ino;
			e.attr_timeout = fs_attr_timeout(ctx->path.buf, child);
			e.entry_timeout = ctx->same_for_all ?
				fs_attr_entry_timeout(ctx->path.buf) : 0;
		}
		len = fuse_add_direntry_plus(ctx->req, at, left, name, &e,
					     ctx->next);
	}
	if (len > left)
		return 1;
	ctx->used += len;
	return 0;
}

/*
 * The entries a reply may hold, taken from the listing before any is
 * filled: a folder's attributes (its time, fs_attr.c) may list that
 * folder in turn, which a view does not while its listing is being
 * walked (views.h). At most as many as the smallest entries fill the
 * reply's buffer with, so a large folder read in many requests costs
 * each of them its own part.
 */
#define MIN_ENTRY 32

struct taken {
	struct strbuf names;	/* each name and its NUL, one after another */
	struct node *nodes;
	size_t nr, alloc, max;
	off_t skip, seen;
	int rc;
};

static int take_one(const char *name, const struct node *child, void *arg)
{
	struct taken *t = arg;
	struct node *grown;

	if (++t->seen <= t->skip)
		return 0;
	if (t->nr >= t->max)
		return 1;
	grown = array_grow(t->nodes, t->nr, &t->alloc, sizeof(*grown), 64);
	if (!grown) {
		t->rc = log_error(-ENOMEM, "fs: no memory to list a folder");
		return 1;
	}
	t->nodes = grown;
	strbuf_add(&t->names, name, strlen(name) + 1);
	t->nodes[t->nr++] = *child;
	return 0;
}

/* Fill ctx with the entries of dir from ctx->skip on. */
static int fill_all(struct fill_ctx *ctx, const char *dir)
{
	const struct node dot = { .type = NODE_DIR };
	struct taken t = {
		.names = STRBUF_INIT, .skip = ctx->skip > 2 ? ctx->skip - 2 : 0,
		.max = ctx->size / MIN_ENTRY + 1,
	};
	const char *name;
	int rc;

	for (off_t i = ctx->skip; i < 2; i++) {
		ctx->next = i + 1;
		if (fill_one(ctx, i ? ".." : ".", &dot))
			return ctx->rc;
	}
	rc = nodes_children(dir, take_one, &t);
	if (!rc)
		rc = t.rc;
	name = t.names.buf;
	ctx->next = 2 + t.skip;
	for (size_t i = 0; !rc && i < t.nr; i++) {
		ctx->next++;
		if (fill_one(ctx, name, &t.nodes[i]))
			break;
		name += strlen(name) + 1;
	}
	free(t.nodes);
	strbuf_release(&t.names);
	return rc ? rc : ctx->rc;
}

/* A listing holds only what the caller may see (views.h). */
static void list_dir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     int plus)
{
	struct strbuf dir = STRBUF_INIT;
	struct fill_ctx ctx = {
		.req = req, .ino = ino, .path = STRBUF_INIT, .size = size,
		.skip = off, .plus = plus,
	};
	struct node n;
	int rc;

	caller_begin(req);
	rc = fs_attr_resolve(ino, &dir, &n);
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
		ctx.same_for_all = !fs_attr.allow_other || !n.dynamic;
		rc = fill_all(&ctx, dir.buf);
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
	caller_end();
}

void fs_dir_read(fuse_req_t req, fuse_ino_t ino, size_t size,
		 off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	list_dir(req, ino, size, off, 0);
}

void fs_dir_read_plus(fuse_req_t req, fuse_ino_t ino, size_t size,
		      off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	list_dir(req, ino, size, off, 1);
}
