#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "fs/invalidate.h"
#include "fs/nodes.h"
#include "fs/track_attrs.h"
#include "fs/views.h"
#include "indexer/indexer.h"

/* A generated file's rendering, or a library file's real descriptor. */
struct handle {
	struct node node;
	struct strbuf content;
	int fd;
	struct handle *prev, *next;	/* in open_handles */
};

/*
 * Every handle not yet released: the kernel's release of a file closed
 * just before the unmount may never reach the daemon, and what it holds
 * is freed at destroy instead.
 */
static struct handle *open_handles;
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

/* Put a handle made by fs_open() on the list and give it to the kernel. */
static void handle_hand_out(struct handle *h, struct fuse_file_info *fi)
{
	pthread_mutex_lock(&open_lock);
	h->next = open_handles;
	if (open_handles)
		open_handles->prev = h;
	open_handles = h;
	pthread_mutex_unlock(&open_lock);
	fi->fh = (uintptr_t)h;
}

/* Take h off the list and free it with what it holds. */
static void handle_free(struct handle *h)
{
	pthread_mutex_lock(&open_lock);
	if (h->prev)
		h->prev->next = h->next;
	else
		open_handles = h->next;
	if (h->next)
		h->next->prev = h->prev;
	pthread_mutex_unlock(&open_lock);
	if (h->fd >= 0)
		close(h->fd);
	strbuf_release(&h->content);
	free(h);
}

/* The longest the kernel keeps an entry or its attributes. */
static double cache_s;

/* The kernel keeps entries and attributes as libfuse says (1 s, or -o
 * entry_timeout= and attr_timeout=); invalidate.c makes it forget what
 * changed sooner. Names that do not exist are asked for every time, so a
 * new one shows at once. Library files go to the kernel by splice where
 * it can, without a copy through this process. */
static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	cache_s = cfg->attr_timeout > cfg->entry_timeout ?
		  cfg->attr_timeout : cfg->entry_timeout;
	cfg->negative_timeout = 0;
	cfg->kernel_cache = 0;
	if (conn->capable & FUSE_CAP_SPLICE_WRITE)
		conn->want |= FUSE_CAP_SPLICE_WRITE;
	return NULL;
}

/* What a folder, a generated file or a control file shows in stat(): the
 * size is the one of a rendering now (or of the one open), so ls -l is
 * true. */
static void virtual_stat(const struct node *n, const struct handle *h,
			 struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = node_mode(n);
	st->st_nlink = n->type == NODE_DIR ? 2 : 1;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_atime = st->st_mtime = st->st_ctime = time(NULL);
	if (h) {
		st->st_size = h->content.len;
	} else if (n->type != NODE_DIR) {
		struct strbuf sb = STRBUF_INIT;

		if (!node_render(n, &sb))
			st->st_size = sb.len;
		strbuf_release(&sb);
	}
}

static int fs_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	struct handle *h = fi ? (struct handle *)(uintptr_t)fi->fh : NULL;
	struct node n;
	int rc;

	/* An open library file is the file it opened, whatever the store
	 * or the library says since. */
	if (h && h->fd >= 0) {
		if (fstat(h->fd, st))
			return -errno;
		st->st_mode &= ~(mode_t)0222;
		return 0;
	}
	rc = node_resolve(path, &n);
	if (rc)
		return rc;
	if (n.type == NODE_REAL)
		return views_real_stat(n.file, st);
	virtual_stat(&n, h, st);
	return 0;
}

/* Entries carry their offset (their place in the listing, from 1), so a
 * large folder is read in several calls and libfuse can hand the kernel
 * a folder's attributes with its name (readdirplus): ls -l and find then
 * ask nothing more of the folders. Files go without theirs: a file's
 * attributes cost a stat() or a rendering that find never needs. */
struct fill_ctx {
	void *buf;
	fuse_fill_dir_t filler;
	off_t skip, next;
	int plus;
};

static int fill_one(const char *name, const struct node *child, void *arg)
{
	struct fill_ctx *ctx = arg;
	struct stat st = { .st_mode = node_mode(child) };

	if (++ctx->next <= ctx->skip)
		return 0;
	if (ctx->plus && child->type == NODE_DIR) {
		virtual_stat(child, NULL, &st);
		return ctx->filler(ctx->buf, name, &st, ctx->next,
				   FUSE_FILL_DIR_PLUS);
	}
	return ctx->filler(ctx->buf, name, &st, ctx->next, 0);
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct fill_ctx ctx = {
		buf, filler, off, 0, !!(flags & FUSE_READDIR_PLUS),
	};
	struct stat dir = { .st_mode = S_IFDIR };
	struct node n;
	int rc;

	(void)fi;
	rc = node_resolve(path, &n);
	if (rc)
		return rc;
	if (n.type != NODE_DIR)
		return -ENOTDIR;
	if (off < 1 && filler(buf, ".", &dir, 1, 0))
		return 0;
	if (off < 2 && filler(buf, "..", &dir, 2, 0))
		return 0;
	ctx.next = 2;
	return node_children(path, fill_one, &ctx);
}

/*
 * The kernel may keep a library file's pages from one open to the next,
 * and trusts the size it keeps (cache_s) when it reads them. A file
 * changed since the kernel last asked may not be what it holds: its
 * status change time tells, as nothing sets it back. Such a file is read
 * without the page cache, straight from the file, whatever size the
 * kernel believes, until the kernel has asked again.
 */
static void real_cache(int fd, struct fuse_file_info *fi)
{
	struct stat st;

	if (!fstat(fd, &st) && time(NULL) - st.st_ctime > cache_s + 1) {
		fi->keep_cache = 1;
		return;
	}
	fi->direct_io = 1;
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	int writing = (fi->flags & O_ACCMODE) != O_RDONLY;
	struct handle *h;
	struct node n;
	int rc;

	rc = node_resolve(path, &n);
	if (rc)
		return rc;
	if (n.type == NODE_DIR)
		return -EISDIR;
	if (writing && n.type != NODE_CONTROL)
		return -EACCES;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->node = n;
	h->fd = -1;
	strbuf_init(&h->content, 0);
	if (n.type == NODE_REAL) {
		h->fd = views_real_open(n.file);
		if (h->fd < 0) {
			rc = h->fd;
			free(h);
			return rc;
		}
		real_cache(h->fd, fi);
		handle_hand_out(h, fi);
		return 0;
	}
	if ((fi->flags & O_ACCMODE) != O_WRONLY) {
		rc = node_render(&n, &h->content);
		if (rc) {
			strbuf_release(&h->content);
			free(h);
			return rc;
		}
	}
	handle_hand_out(h, fi);
	fi->direct_io = 1;
	return 0;
}

/* A library file is handed over as its descriptor, so libfuse can splice
 * its pages to the kernel (or read them itself where it cannot); a
 * rendering as a copy of the part asked for, which libfuse frees. */
static int fs_read_buf(const char *path, struct fuse_bufvec **bufp,
		       size_t size, off_t off, struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	struct fuse_bufvec *bv;

	(void)path;
	if (off < 0)
		return -EINVAL;
	bv = malloc(sizeof(*bv));
	if (!bv)
		return -ENOMEM;
	*bv = (struct fuse_bufvec)FUSE_BUFVEC_INIT(size);
	if (h->fd >= 0) {
		indexer_note_read();
		bv->buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
		bv->buf[0].fd = h->fd;
		bv->buf[0].pos = off;
	} else {
		size_t len = (size_t)off < h->content.len ?
			     h->content.len - off : 0;

		bv->buf[0].size = size < len ? size : len;
		if (bv->buf[0].size) {
			bv->buf[0].mem = malloc(bv->buf[0].size);
			if (!bv->buf[0].mem) {
				free(bv);
				return -ENOMEM;
			}
			memcpy(bv->buf[0].mem, h->content.buf + off,
			       bv->buf[0].size);
		}
	}
	*bufp = bv;
	return 0;
}

static int fs_write(const char *path, const char *buf, size_t size,
		    off_t off, struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	int rc;

	(void)path;
	(void)off;
	rc = node_write(&h->node, buf, size);
	if (rc < 0)
		return rc;
	invalidate_kick();
	return size;
}

/* `echo cmd > file` truncates before writing: emptying a control file is
 * accepted and does nothing. */
static int fs_truncate(const char *path, off_t size,
		       struct fuse_file_info *fi)
{
	struct node n;
	int rc;

	(void)fi;
	rc = node_resolve(path, &n);
	if (rc)
		return rc;
	if (n.type == NODE_DIR)
		return -EISDIR;
	if (n.type != NODE_CONTROL)
		return -EACCES;
	return size == 0 ? 0 : -EINVAL;
}

static int fs_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	handle_free((struct handle *)(uintptr_t)fi->fh);
	return 0;
}

/* The track files of the views carry their record (track_attrs.h);
 * nothing else has attributes. */
static int fs_getxattr(const char *path, const char *name, char *value,
		       size_t size)
{
	struct node n;
	int rc;

	if (!track_attrs_known(name))
		return -ENODATA;
	rc = node_resolve(path, &n);
	if (rc)
		return rc;
	if (n.type != NODE_REAL || n.file <= 0)
		return -ENODATA;
	return track_attrs_get(n.file, name, value, size);
}

static int fs_listxattr(const char *path, char *list, size_t size)
{
	struct node n;
	int rc = node_resolve(path, &n);

	if (rc)
		return rc;
	if (n.type != NODE_REAL || n.file <= 0)
		return 0;
	return track_attrs_list(n.file, list, size);
}

static void fs_destroy(void *private_data)
{
	(void)private_data;
	while (open_handles)
		handle_free(open_handles);
}

const struct fuse_operations fs_operations = {
	.init = fs_init,
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.open = fs_open,
	.read_buf = fs_read_buf,
	.write = fs_write,
	.truncate = fs_truncate,
	.release = fs_release,
	.getxattr = fs_getxattr,
	.listxattr = fs_listxattr,
	.destroy = fs_destroy,
};
