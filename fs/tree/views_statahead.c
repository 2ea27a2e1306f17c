/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The stats of the views' real files made ahead of a walk
 * (views_statahead.h): the queue, its threads, and which folders lie on a
 * file system worth it (read from /proc/self/mountinfo, never from the
 * file systems themselves). It must not show or keep what a stat finds.
 */
#include "fs/tree/views_statahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/array.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/thread.h"

/* Files queued at most: a walk's next few folders. */
#define QUEUE_MAX 512
/* How long the mount table read is trusted, in seconds. */
#define MOUNTS_FOR_S 10.0
/* A listing's files are stated ahead again after this many seconds: the
 * share's attribute cache and the kernel's keep them about as long. */
#define STATAHEAD_EVERY_S 1.0

/* The file systems on a disk or in memory, where a stat is no round
 * trip and the kernel's own caches do better than threads. */
static const char *const local_types[] = {
	"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "tmpfs", "ramfs",
	"vfat", "exfat", "ntfs", "ntfs3", "zfs", "jfs", "reiserfs", "hfsplus",
	"overlay", "squashfs", "iso9660", "udf",
};

struct mount {
	char *dir;
	size_t len;
	int local;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;
	char *queue[QUEUE_MAX];
	size_t first, nr;
	pthread_t threads[VIEWS_STATAHEAD_THREADS];
	int nr_threads, started, stop, running;
	pthread_cond_t gone;
	struct mount *mounts;
	size_t nr_mounts, alloc_mounts;
	double mounts_at;
	uint64_t count;		/* stats done: atomic, read without lock */
} sa = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.gone = PTHREAD_COND_INITIALIZER,
};

static int is_local_type(const char *type)
{
	for (size_t i = 0; i < sizeof(local_types) / sizeof(*local_types); i++)
		if (!strcmp(type, local_types[i]))
			return 1;
	return 0;
}

/* mountinfo's octal escapes (\040 a space) undone in place. */
static void unescape(char *s)
{
	char *to = s;

	for (; *s; s++) {
		unsigned int c;

		if (*s == '\\' && sscanf(s + 1, "%3o", &c) == 1 && c < 256) {
			*to++ = (char)c;
			s += 3;
		} else {
			*to++ = *s;
		}
	}
	*to = '\0';
}

static void mounts_clear(void)
{
	while (sa.nr_mounts)
		free(sa.mounts[--sa.nr_mounts].dir);
}

/* Room for one more mount; under the lock. */
static int mounts_grow(void)
{
	struct mount *m = array_grow(sa.mounts, sa.nr_mounts,
				     &sa.alloc_mounts, sizeof(*m), 64);

	if (!m)
		return -ENOMEM;
	sa.mounts = m;
	return 0;
}

/* Read the mount table again; under the lock. On a failure none is
 * known, and every folder counts as local; out of memory, the mounts
 * read so far are kept (those mounted last, on top, are missed). */
static void mounts_read(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, *dir, *dash, type[64];
	size_t alloc = 0;

	mounts_clear();
	sa.mounts_at = clock_mono();
	if (!f) {
		log_warn("views: cannot read /proc/self/mountinfo: nothing is"
			 " stated ahead");
		return;
	}
	while (getline(&line, &alloc, f) > 0 && !mounts_grow()) {
		struct mount *m = &sa.mounts[sa.nr_mounts];

		dash = strstr(line, " - ");
		dir = NULL;
		if (!dash || sscanf(dash, " - %63s", type) != 1 ||
		    sscanf(line, "%*s %*s %*s %*s %ms", &dir) != 1) {
			free(dir);
			continue;
		}
		unescape(dir);
		m->dir = dir;
		m->len = strcmp(dir, "/") ? strlen(dir) : 0;
		m->local = is_local_type(type);
		sa.nr_mounts++;
	}
	free(line);
	fclose(f);
}

/* Whether path lies on a local file system: that of the last mount (the
 * one on top) whose folder holds it. Under the lock. */
static int path_local(const char *path)
{
	int local = 1;

	if (clock_mono() - sa.mounts_at > MOUNTS_FOR_S)
		mounts_read();
	for (size_t i = 0; i < sa.nr_mounts; i++) {
		const struct mount *m = &sa.mounts[i];

		if (!strncmp(path, m->dir, m->len) &&
		    (path[m->len] == '/' || path[m->len] == '\0'))
			local = m->local;
	}
	return local;
}

static void *statahead_thread(void *arg)
{
	(void)arg;
	thread_name("mm-statahead");
	pthread_mutex_lock(&sa.lock);
	for (;;) {
		struct stat st;
		char *path;

		while (!sa.nr && !sa.stop)
			pthread_cond_wait(&sa.work, &sa.lock);
		if (sa.stop)
			break;
		path = sa.queue[sa.first];
		sa.first = (sa.first + 1) % QUEUE_MAX;
		sa.nr--;
		pthread_mutex_unlock(&sa.lock);
		stat(path, &st);
		free(path);
		pthread_mutex_lock(&sa.lock);
		__atomic_add_fetch(&sa.count, 1, __ATOMIC_RELAXED);
	}
	sa.running--;
	pthread_cond_broadcast(&sa.gone);
	pthread_mutex_unlock(&sa.lock);
	return NULL;
}

/* Under the lock: start the threads, once; detached, as one may be in a
 * stat() on a share that never answers when the mount goes. */
static void start_readers(void)
{
	pthread_attr_t attr;

	sa.started = 1;
	if (pthread_attr_init(&attr))
		return;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (sa.nr_threads < VIEWS_STATAHEAD_THREADS &&
	       !pthread_create(&sa.threads[sa.nr_threads], &attr,
			       statahead_thread, NULL))
		sa.nr_threads++;
	pthread_attr_destroy(&attr);
	sa.running = sa.nr_threads;
	if (!sa.nr_threads)
		log_warn("views: no thread could start to stat files ahead "
			 "of a walk");
}

/* The first real file of ls, or NULL. */
static const char *first_real(const struct views_listing *ls, size_t *at)
{
	for (; *at < ls->nr; ++*at)
		if (ls->items[*at].type == VIEWS_ITEM_FILE &&
		    ls->items[*at].real)
			return ls->items[*at].real;
	return NULL;
}

void views_statahead_listing(struct views_listing *ls)
{
	double now = clock_mono();
	size_t queued = 0, at = 0;
	const char *path = first_real(ls, &at);

	if (!path || (ls->stated && now - ls->stated < STATAHEAD_EVERY_S))
		return;
	ls->stated = now;
	pthread_mutex_lock(&sa.lock);
	if (sa.stop || path_local(path) || (sa.started && !sa.nr_threads))
		goto out;
	if (!sa.started)
		start_readers();
	for (; path && sa.nr < QUEUE_MAX; at++, path = first_real(ls, &at)) {
		char *copy = strdup(path);

		if (!copy)
			break;
		sa.queue[(sa.first + sa.nr) % QUEUE_MAX] = copy;
		sa.nr++;
		queued++;
	}
	/* a thread a file: waking them all for one costs more than it
	 * saves */
	for (int i = 0; i < sa.nr_threads && (size_t)i < queued; i++)
		pthread_cond_signal(&sa.work);
out:
	pthread_mutex_unlock(&sa.lock);
}

uint64_t views_statahead_count(void)
{
	return __atomic_load_n(&sa.count, __ATOMIC_RELAXED);
}

void views_statahead_stop(void)
{
	struct timespec until;

	pthread_mutex_lock(&sa.lock);
	sa.stop = 1;
	pthread_cond_broadcast(&sa.work);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	while (sa.running &&
	       !pthread_cond_timedwait(&sa.gone, &sa.lock, &until))
		;
	if (sa.running)
		log_warn("views: %d thread%s still in a stat() on a share "
			 "that does not answer", sa.running,
			 sa.running == 1 ? "" : "s");
	while (sa.nr) {
		free(sa.queue[sa.first]);
		sa.first = (sa.first + 1) % QUEUE_MAX;
		sa.nr--;
	}
	mounts_clear();
	free(sa.mounts);
	sa.mounts = NULL;
	sa.alloc_mounts = 0;
	pthread_mutex_unlock(&sa.lock);
}
