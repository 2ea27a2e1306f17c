/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The FUSE callbacks of files: open, read, write and release, and the
 * extended attributes of the views' tracks. A library file is opened as
 * its caller and read from its descriptor; a generated file is rendered
 * at open into its handle, a volume folder's zip made as it is read
 * (fs/tree/opds_zip.h). It must not answer for folders, and writes
 * only to control files (nodes_write()).
 */
#include "fs/mount/fs_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/tree/control.h"
#include "fs/mount/fs_attr.h"
#include "fs/mount/grow.h"
#include "fs/mount/handles.h"
#include "fs/mount/inodes.h"
#include "fs/tree/nodes.h"
#include "fs/tree/open_caps.h"
#include "fs/tree/rendering.h"
#include "fs/tree/opds_zip.h"
#include "fs/tree/sizes.h"
#include "fs/tree/stamps.h"
#include "fs/tree/views.h"
#include "fs/tree/views_real.h"
#include "indexer/indexer.h"

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
	double cache_s = fs_attr.attr_timeout > fs_attr.entry_timeout ?
			 fs_attr.attr_timeout : fs_attr.entry_timeout;
	struct stat st;

	if (!fstat(fd, &st) && time(NULL) - st.st_ctime > cache_s + 1) {
		fi->keep_cache = 1;
		return;
	}
	fi->direct_io = 1;
}

/* Make the handle of the node n (inode ino, at path) open with fi's
 * flags for the caller of req. A generated file's rendering is the one
 * its stat() just made and kept (fs/tree/sizes.h), else one made now. */
/* An open rendering of a file whose node knows its times (a manga page)
 * keeps them, so that tar sees the same before and after it reads. */
static void page_time(const struct node *n, struct handle *h)
{
	struct stat st;

	if (n->stat_series(n->series, &st) >= 0)
		h->mtime = st.st_mtim;
}

/* A generated file's content, rendered (or taken from a stat's) into the
 * handle at open, with the time its reads will show; counted in the
 * caller's memory cap. */
static int open_rendering(fuse_req_t req, const struct node *n,
			  const char *path, struct handle *h)
{
	uid_t uid = fuse_req_ctx(req)->uid;
	pid_t tid = fuse_req_ctx(req)->pid;
	struct strbuf text = STRBUF_INIT;
	char name[RENDERING_STAMP_NAME];
	int rc = 0;

	if (n->grows)
		grow_open(h, &text);
	else
		rc = sizes_take(n, uid, tid, &text) ? 0 :
		     rendering_make(n, path, &text);
	if (!rc && n->stat_series)
		page_time(n, h);
	else if (!rc && !n->grows && !n->write_series)
		h->mtime = stamps_time(rendering_stamp_name(path, n, name), uid,
				       fuse_req_ctx(req)->gid, 0, text.buf,
				       text.len);
	if (!rc)
		rc = open_caps_charge(h->uid, caller_is_owner(), NULL,
				      text.len);
	if (rc) {
		strbuf_release(&text);
		return rc;
	}
	open_caps_keep(&text, &h->content);
	return 0;
}

static int open_node(fuse_req_t req, const struct node *n, fuse_ino_t ino,
		     const char *path, struct fuse_file_info *fi,
		     struct handle **out)
{
	int writing = (fi->flags & O_ACCMODE) != O_RDONLY;
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
	h->held = (struct strbuf)STRBUF_INIT;
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
	} else if (n->zip) {
		rc = opds_zip_open(n->series, &h->zip);
		if (rc) {
			free(h);
			open_caps_put(caller_uid(), 0);
			return rc;
		}
		h->mtime.tv_sec = h->zip->mtime_ns / 1000000000;
		h->mtime.tv_nsec = h->zip->mtime_ns % 1000000000;
		fi->direct_io = 1;
	} else {
		if ((fi->flags & O_ACCMODE) != O_WRONLY) {
			rc = open_rendering(req, n, path, h);
			if (rc) {
				free(h);
				open_caps_put(caller_uid(), 0);
				return rc;
			}
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
void fs_file_open(fuse_req_t req, fuse_ino_t ino,
		  struct fuse_file_info *fi)
{
	struct strbuf path = STRBUF_INIT;
	struct handle *h;
	struct node n;
	int rc;

	caller_begin(req);
	rc = fs_attr_resolve(ino, &path, &n);
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

/* A volume folder's zip is made as it is read (fs/tree/opds_zip.h). */
static void zip_read(fuse_req_t req, const struct handle *h, size_t size,
		     off_t off)
{
	char *buf = malloc(size ? size : 1);
	ssize_t n;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = opds_zip_read(h->zip, buf, size, (uint64_t)off);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

/* A library file is handed over as its descriptor, so libfuse can splice
 * its pages to the kernel (or read them itself where it cannot); a
 * rendering as fs/mount/grow.h replies it. */
void fs_file_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
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
	if (h->zip) {
		zip_read(req, h, size, off);
		return;
	}
	grow_read(req, h, size, off);
}

/* Hand a command or a setting's text to the node of h (inode ino): 0, or
 * the node's refusal, logged to /log. */
static int command(fuse_ino_t ino, struct handle *h, const char *buf,
		   size_t size)
{
	int rc = nodes_write(&h->node, buf, size);

	/* Even a refused write adds a line to /log. */
	sizes_forget_all();
	if (rc < 0) {
		struct strbuf path = STRBUF_INIT;

		inodes_path(ino, &path);
		control_log_refused(path.buf, buf, size, rc);
		strbuf_release(&path);
		return rc;
	}
	nodes_written();
	return 0;
}

/* A series setting (not an editor's temporary file) is set at the flush,
 * from all that was written: an editor reports a refusal at close as
 * such, where a failed write reads as a full disk (fs_file.h). */
static int holds(const struct handle *h)
{
	return h->node.type == NODE_CONTROL && h->node.write_series &&
	       !h->node.temp;
}

/* Put size bytes of buf at off of what h holds, as a file would. */
static int hold(struct handle *h, const char *buf, size_t size, off_t off)
{
	size_t end;

	if (off < 0 || (uint64_t)off > FS_FILE_HELD_MAX ||
	    size > FS_FILE_HELD_MAX - (size_t)off)
		return -EFBIG;
	end = (size_t)off + size;
	if (end > h->held.len) {
		strbuf_grow(&h->held, end - h->held.len);
		memset(h->held.buf + h->held.len, 0, end - h->held.len);
		h->held.len = end;
		h->held.buf[end] = '\0';
	}
	memcpy(h->held.buf + off, buf, size);
	h->holding = 1;
	return 0;
}

/* Set what h holds, once: a later flush of the same file (a dup()ed
 * descriptor's close) finds nothing new. */
static int set_held(fuse_ino_t ino, struct handle *h)
{
	int rc;

	if (!h->holding)
		return 0;
	h->holding = 0;
	rc = command(ino, h, h->held.buf, h->held.len);
	strbuf_reset(&h->held);
	return rc;
}

void fs_file_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		   size_t size, off_t off, struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;
	int rc;

	rc = holds(h) ? hold(h, buf, size, off) : command(ino, h, buf, size);
	if (rc < 0) {
		fuse_reply_err(req, -rc);
		return;
	}
	fuse_reply_write(req, size);
}

void fs_file_flush(fuse_req_t req, fuse_ino_t ino,
		   struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;

	fuse_reply_err(req, -set_held(ino, h));
}

/* A flush the kernel did not send (a descriptor closed as its process
 * was killed) still sets what was written: its refusal is in /log. */
void fs_file_release(fuse_req_t req, fuse_ino_t ino,
		     struct fuse_file_info *fi)
{
	struct handle *h = (struct handle *)(uintptr_t)fi->fh;

	set_held(ino, h);
	handles_free(h);
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
	*rc = fs_attr_resolve(ino, &path, &n);
	strbuf_release(&path);
	if (!*rc && n.type == NODE_REAL && n.file > 0)
		*rc = views_real_access(n.file);
	caller_end();
	if (*rc || n.type != NODE_REAL || n.file <= 0)
		return 0;
	return n.file;
}

/*
 * The track files of the views carry their record (track_attrs.h);
 * nothing else has attributes. The mount keeps attributes of the user
 * namespace alone: a name of another (security.selinux, the ACLs of
 * system.posix_acl_*, trusted.*) is not supported on it, as the kernel
 * says of a namespace a file system has no handler for (EOPNOTSUPP).
 * ls -l asks each entry for the first two, each a round trip here;
 * told they are not supported, it stops asking for the rest of the
 * mount (issue 80: two of the three system calls ls -l makes of an
 * entry, a second ls -lR of the views 4 to 7 times slower for them).
 */
void fs_file_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		      size_t size)
{
	char *buf = NULL;
	int64_t file;
	int rc;

	if (strncmp(name, "user.", 5)) {
		fuse_reply_err(req, EOPNOTSUPP);
		return;
	}
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

void fs_file_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
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