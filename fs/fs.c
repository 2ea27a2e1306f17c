#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "fs/nodes.h"
#include "fs/views.h"

/* A generated file's rendering, or a library file's real descriptor. */
struct handle {
	struct node node;
	struct strbuf content;
	int fd;
};

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	/* Generated sizes change at any time: never let the kernel keep
	 * attributes or pages of them. */
	cfg->attr_timeout = 0;
	cfg->entry_timeout = 1;
	cfg->negative_timeout = 0;
	cfg->kernel_cache = 0;
	return NULL;
}

static int fs_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	struct handle *h = fi ? (struct handle *)(uintptr_t)fi->fh : NULL;
	time_t now = time(NULL);
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
	memset(st, 0, sizeof(*st));
	st->st_mode = node_mode(&n);
	st->st_nlink = n.type == NODE_DIR ? 2 : 1;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_atime = st->st_mtime = st->st_ctime = now;
	if (h) {
		st->st_size = h->content.len;
	} else if (n.type != NODE_DIR) {
		struct strbuf sb = STRBUF_INIT;

		if (!node_render(&n, &sb))
			st->st_size = sb.len;
		strbuf_release(&sb);
	}
	return 0;
}

struct fill_ctx {
	void *buf;
	fuse_fill_dir_t filler;
};

static int fill_one(const char *name, const struct node *child, void *arg)
{
	struct fill_ctx *ctx = arg;
	struct stat st = { .st_mode = node_mode(child) };

	return ctx->filler(ctx->buf, name, &st, 0, 0);
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct fill_ctx ctx = { buf, filler };
	struct node n;
	int rc;

	(void)off;
	(void)fi;
	(void)flags;
	rc = node_resolve(path, &n);
	if (rc)
		return rc;
	if (n.type != NODE_DIR)
		return -ENOTDIR;
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	return node_children(path, fill_one, &ctx);
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
		/* The kernel may keep its pages: it checks the real file's
		 * mtime (getattr) before reading and drops them when it
		 * moved. */
		fi->keep_cache = 1;
		fi->fh = (uintptr_t)h;
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
	fi->fh = (uintptr_t)h;
	fi->direct_io = 1;
	return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;

	(void)path;
	if (off < 0)
		return -EINVAL;
	if (h->fd >= 0) {
		ssize_t n = pread(h->fd, buf, size, off);

		return n < 0 ? -errno : (int)n;
	}
	if ((size_t)off >= h->content.len)
		return 0;
	if (size > h->content.len - off)
		size = h->content.len - off;
	memcpy(buf, h->content.buf + off, size);
	return size;
}

static int fs_write(const char *path, const char *buf, size_t size,
		    off_t off, struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	int rc;

	(void)path;
	(void)off;
	rc = node_write(&h->node, buf, size);
	return rc < 0 ? rc : (int)size;
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
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;

	(void)path;
	if (h->fd >= 0)
		close(h->fd);
	strbuf_release(&h->content);
	free(h);
	return 0;
}

const struct fuse_operations fs_operations = {
	.init = fs_init,
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.truncate = fs_truncate,
	.release = fs_release,
};
