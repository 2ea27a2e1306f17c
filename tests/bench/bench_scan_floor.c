/*
 * bench_scan_floor [--stat] DIR: the work of a first scan of DIR without
 * the store, and with --stat that of a no-change rescan: the floor under
 * mediamon's scans on the machine, which the bench prints beside them.
 *
 * Two threads (as many as mediamon's scan workers on a two-core box)
 * share a queue of folders. Each folder is listed with getdents64(); in
 * the first scan's work every FLAC and MP3 file is opened, stat()ed
 * through its descriptor and its tags read with mediamon's own readers
 * (tags.h), every other file stat()ed; with --stat every file is only
 * stat()ed, as a rescan that finds nothing does. Nothing is kept.
 * Prints "FILES files, SECONDS s" on one line.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "indexer/library/tags.h"

#define THREADS 2

struct job {
	struct job *next;
	int dfd;		/* the folder, open */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *jobs;
	size_t busy;
	int stat_only;
	unsigned long files;
} q = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void push(int dfd)
{
	struct job *j = malloc(sizeof(*j));

	if (!j) {
		perror("bench_scan_floor");
		exit(1);
	}
	j->dfd = dfd;
	pthread_mutex_lock(&q.lock);
	j->next = q.jobs;
	q.jobs = j;
	q.busy++;
	pthread_cond_signal(&q.cond);
	pthread_mutex_unlock(&q.lock);
}

/* Read the tags of name in dfd as the scan reads a new file. */
static void read_file(int dfd, const char *name)
{
	const char *dot = strrchr(name, '.');
	int flac = dot && !strcasecmp(dot, ".flac");
	struct stat st;
	struct tags t;
	int fd;

	if (q.stat_only || !dot || (!flac && strcasecmp(dot, ".mp3"))) {
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

static unsigned long walk_dir(int dfd)
{
	char buf[32768];
	unsigned long files = 0;
	ssize_t n;

	while ((n = getdents64(dfd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *de = (void *)(buf + off);
			int sub;

			off += de->d_reclen;
			if (de->d_name[0] == '.' && (!de->d_name[1] ||
			    (de->d_name[1] == '.' && !de->d_name[2])))
				continue;
			if (de->d_type == DT_DIR) {
				sub = openat(dfd, de->d_name, O_RDONLY |
					     O_DIRECTORY | O_CLOEXEC |
					     O_NOFOLLOW);
				if (sub >= 0)
					push(sub);
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
		files += walk_dir(j->dfd);
		free(j);
		pthread_mutex_lock(&q.lock);
		if (--q.busy == 0)
			pthread_cond_broadcast(&q.cond);
	}
	q.files += files;
	pthread_mutex_unlock(&q.lock);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tid[THREADS];
	struct timespec a, b;
	const char *dir;
	int dfd;

	q.stat_only = argc == 3 && !strcmp(argv[1], "--stat");
	if (argc != 2 + q.stat_only) {
		fprintf(stderr, "usage: bench_scan_floor [--stat] DIR\n");
		return 2;
	}
	dir = argv[argc - 1];
	clock_gettime(CLOCK_MONOTONIC, &a);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		perror(dir);
		return 1;
	}
	push(dfd);
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&tid[i], NULL, worker, NULL)) {
			perror("bench_scan_floor");
			return 1;
		}
	for (int i = 0; i < THREADS; i++)
		pthread_join(tid[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lu files, %.3f s\n", q.files,
	       (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
