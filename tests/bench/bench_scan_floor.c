/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_scan_floor [--stat] [--watch] [--threads N] DIR: the work of a first
 * scan of DIR without the store, and with --stat that of a no-change rescan:
 * the floor under mediamon's scans on the machine, which the bench prints
 * beside them.
 *
 * Two threads (as many as mediamon's scan workers on a two-core box;
 * --threads says otherwise, for a cold disk that answers many requests
 * at once) share a stack of folders, each opened by its path beneath DIR as the
 * scan opens them (openat2() with RESOLVE_BENEATH; a descriptor held for
 * every folder that waits costs more here, measured) and listed with
 * getdents64() until it returns 0. In the first scan's work every FLAC
 * and MP3 file is opened, stat()ed through its descriptor and its tags
 * read with mediamon's own readers (tags.h), every other file stat()ed;
 * with --stat every file is only stat()ed, as a rescan that finds nothing
 * does. With --watch every folder gets an inotify watch first, untimed,
 * with the daemon's mask: the kernel then does for each folder opened,
 * listed and closed what it does for the daemon, whose watcher keeps a
 * watch on every folder. Nothing is kept.
 * Prints "FILES files, SECONDS s" on one line.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "indexer/library/tags.h"

#define THREADS 2
#define MAX_THREADS 64
/* indexer/library/watch.c's mask, less what only adding it means. */
#define WATCH_MASK (IN_CREATE | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | \
		    IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB | \
		    IN_ONLYDIR | IN_EXCL_UNLINK)

struct job {
	struct job *next;
	char path[];		/* beneath the root, "." for it */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *jobs;
	size_t busy;
	int root;
	int stat_only;
	int watch_fd;		/* -1: no watches */
	unsigned long files;
} q = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.watch_fd = -1,
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void push(const char *dir, const char *name)
{
	size_t len = strlen(dir) + 1 + strlen(name) + 1;
	struct job *j = malloc(sizeof(*j) + len);

	if (!j)
		die("bench_scan_floor");
	if (strcmp(dir, "."))
		snprintf(j->path, len, "%s/%s", dir, name);
	else
		snprintf(j->path, len, "%s", name);
	pthread_mutex_lock(&q.lock);
	j->next = q.jobs;
	q.jobs = j;
	q.busy++;
	pthread_cond_signal(&q.cond);
	pthread_mutex_unlock(&q.lock);
}

static int open_beneath(const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			RESOLVE_NO_MAGICLINKS,
	};

	return syscall(SYS_openat2, q.root, path, &how, sizeof(how));
}

/* Read the tags of name in dfd as the scan reads a new file. */
static void read_file(int dfd, const char *name)
{
	const char *dot = q.stat_only ? NULL : strrchr(name, '.');
	int flac = dot && !strcasecmp(dot, ".flac");
	struct stat st;
	struct tags t;
	int fd;

	if (!dot || (!flac && strcasecmp(dot, ".mp3"))) {
		fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW);
		return;
	}
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOATIME);
	if (fd < 0)
		return;
	memset(&t, 0, sizeof(t));
	if (!fstat(fd, &st)) {
		t.file_size = st.st_size;
		if (flac)
			tags_read_flac(fd, &t);
		else
			tags_read_mp3(fd, &t);
	}
	tags_release(&t);
	close(fd);
}

static unsigned long walk_dir(const char *path)
{
	char buf[32768];
	unsigned long files = 0;
	int dfd = open_beneath(path);
	ssize_t n;

	if (dfd < 0)
		return 0;
	while ((n = getdents64(dfd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *de = (void *)(buf + off);

			off += de->d_reclen;
			if (de->d_name[0] == '.' && (!de->d_name[1] ||
			    (de->d_name[1] == '.' && !de->d_name[2])))
				continue;
			if (de->d_type == DT_DIR) {
				push(path, de->d_name);
			} else if (de->d_type == DT_REG) {
				read_file(dfd, de->d_name);
				files++;
			}
		}
	}
	close(dfd);
	return files;
}

static void *worker(void *unused)
{
	unsigned long files = 0;

	(void)unused;
	pthread_mutex_lock(&q.lock);
	for (;;) {
		struct job *j;

		while (!q.jobs && q.busy)
			pthread_cond_wait(&q.cond, &q.lock);
		if (!q.jobs)
			break;
		j = q.jobs;
		q.jobs = j->next;
		pthread_mutex_unlock(&q.lock);
		files += walk_dir(j->path);
		free(j);
		pthread_mutex_lock(&q.lock);
		if (--q.busy == 0)
			pthread_cond_broadcast(&q.cond);
	}
	q.files += files;
	pthread_mutex_unlock(&q.lock);
	return NULL;
}

/* Watch the folder at path and every folder below it. */
static void watch_tree(const char *path)
{
	char buf[8192], *sub;
	int dfd = open_beneath(path);
	ssize_t n;

	if (dfd < 0)
		return;
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", dfd);
	if (inotify_add_watch(q.watch_fd, buf, WATCH_MASK) < 0)
		die("inotify_add_watch");
	while ((n = getdents64(dfd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *de = (void *)(buf + off);

			off += de->d_reclen;
			if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			if (asprintf(&sub, "%s/%s", path, de->d_name) < 0)
				die("bench_scan_floor");
			watch_tree(strcmp(path, ".") ? sub : de->d_name);
			free(sub);
		}
	}
	close(dfd);
}

int main(int argc, char **argv)
{
	pthread_t tid[MAX_THREADS];
	int i, watch = 0, threads = THREADS;
	struct timespec a, b;

	for (i = 1; i < argc - 1; i++) {
		if (!strcmp(argv[i], "--stat"))
			q.stat_only = 1;
		else if (!strcmp(argv[i], "--watch"))
			watch = 1;
		else if (!strcmp(argv[i], "--threads") && i < argc - 2)
			threads = atoi(argv[++i]);
		else
			break;
	}
	if (i != argc - 1 || threads < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "usage: bench_scan_floor [--stat] [--watch]"
			" [--threads 1-%d] DIR\n", MAX_THREADS);
		return 2;
	}
	q.root = open(argv[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (q.root < 0)
		die(argv[i]);
	if (watch) {
		q.watch_fd = inotify_init1(IN_CLOEXEC);
		if (q.watch_fd < 0)
			die("inotify_init1");
		watch_tree(".");
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	push(".", ".");
	for (i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, worker, NULL))
			die("bench_scan_floor");
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lu files, %.3f s\n", q.files,
	       (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
