/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_latency_fs SOURCE MOUNTPOINT [-o delay_us=N] [FUSE OPTION...]:
 * shows the folder SOURCE, read-only, at MOUNTPOINT, and waits delay_us
 * microseconds (1000 by default: a network share on gigabit Ethernet)
 * in every lookup, getattr, opendir, readdir, open and read before it
 * answers, until it is unmounted. The bench's nas section scans through
 * it what a home server's share costs, without NFS or SMB in the kernel.
 *
 * Requests are answered by many threads (libfuse's multi-threaded loop,
 * up to MAX_THREADS), each waiting its own delay, as a server answers
 * requests that arrive together in about one round trip; the kernel may
 * send up to MAX_THREADS reads ahead at once. Inode numbers are
 * SOURCE's (use_ino), so that a rescan finds the files it saw. Entries
 * and attributes are kept the kernel's default 1 s; a file's cached
 * pages are dropped at each open of it, so one that is read again is
 * read through the delay again. Nothing is written, ever.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

static struct {
	const char *source;
	int root;		/* SOURCE, opened */
	unsigned delay_us;
} lat = { .delay_us = 1000 };

static const struct fuse_opt lat_opts[] = {
	{ "delay_us=%u", offsetof(__typeof__(lat), delay_us), 0 },
	FUSE_OPT_END,
};

/* What a request costs the network: one round trip. */
static void lat_wait(void)
{
	struct timespec ts = { lat.delay_us / 1000000,
			       lat.delay_us % 1000000 * 1000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* path below SOURCE, as the *at() calls take it: "/a/b" -> "a/b". */
static const char *rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

static void *lat_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	cfg->use_ino = 1;
	conn->max_background = MAX_THREADS;
	conn->congestion_threshold = MAX_THREADS * 3 / 4;
	return NULL;
}

/* The kernel's lookups come here too. */
static int lat_getattr(const char *path, struct stat *st,
		       struct fuse_file_info *fi)
{
	lat_wait();
	if (fi)
		return fstat(fi->fh, st) ? -errno : 0;
	return fstatat(lat.root, rel(path), st, AT_SYMLINK_NOFOLLOW) ?
	       -errno : 0;
}

static int lat_readlink(const char *path, char *buf, size_t size)
{
	ssize_t n;

	lat_wait();
	n = readlinkat(lat.root, rel(path), buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int lat_open(const char *path, struct fuse_file_info *fi)
{
	int fd;

	lat_wait();
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	fd = openat(lat.root, rel(path), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	fi->fh = fd;
	return 0;
}

static int lat_read(const char *path, char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	ssize_t n;

	(void)path;
	lat_wait();
	n = pread(fi->fh, buf, size, off);
	return n < 0 ? -errno : n;
}

static int lat_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close(fi->fh);
	return 0;
}

static int lat_opendir(const char *path, struct fuse_file_info *fi)
{
	int fd;
	DIR *d;

	lat_wait();
	fd = openat(lat.root, rel(path),
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	fi->fh = (uintptr_t)d;
	return 0;
}

/* The whole folder in one answer: the kernel asks again at its end. */
static int lat_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		       off_t off, struct fuse_file_info *fi,
		       enum fuse_readdir_flags flags)
{
	DIR *d = (DIR *)(uintptr_t)fi->fh;
	struct dirent *de;

	(void)path;
	(void)flags;
	lat_wait();
	if (off)
		return 0;
	rewinddir(d);
	while ((de = readdir(d))) {
		struct stat st = { .st_ino = de->d_ino,
				   .st_mode = DTTOIF(de->d_type) };

		if (fill(buf, de->d_name, &st, 0, 0))
			break;
	}
	return 0;
}

static int lat_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	closedir((DIR *)(uintptr_t)fi->fh);
	return 0;
}

static const struct fuse_operations lat_ops = {
	.init = lat_init,
	.getattr = lat_getattr,
	.readlink = lat_readlink,
	.open = lat_open,
	.read = lat_read,
	.release = lat_release,
	.opendir = lat_opendir,
	.readdir = lat_readdir,
	.releasedir = lat_releasedir,
};

/* The first argument that is no option is SOURCE; the next, the mount
 * point, is libfuse's. */
static int lat_arg(void *data, const char *arg, int key,
		   struct fuse_args *args)
{
	(void)data;
	(void)args;
	if (key == FUSE_OPT_KEY_NONOPT && !lat.source) {
		lat.source = arg;
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	char max[32];
	int rc;

	if (fuse_opt_parse(&args, &lat, lat_opts, lat_arg))
		return 2;
	if (!lat.source) {
		fprintf(stderr, "usage: bench_latency_fs SOURCE MOUNTPOINT"
			" [-o delay_us=N] [FUSE OPTION...]\n");
		return 2;
	}
	lat.root = open(lat.source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lat.root < 0) {
		fprintf(stderr, "bench_latency_fs: %s: %s\n", lat.source,
			strerror(errno));
		return 1;
	}
	snprintf(max, sizeof(max), "-omax_threads=%d", MAX_THREADS);
	if (fuse_opt_add_arg(&args, "-oro,default_permissions") ||
	    fuse_opt_add_arg(&args, max))
		return 1;
	rc = fuse_main(args.argc, args.argv, &lat_ops, NULL);
	fuse_opt_free_args(&args);
	close(lat.root);
	return rc;
}
