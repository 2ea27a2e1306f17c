/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The folder stack the scan's workers share (scan_stack.h), pushed
 * in path order. It opens no folder.
 */
#include "indexer/library/scan_stack.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/log.h"

void scan_stack_keep_subtree(struct scan *s, const char *path, size_t len)
{
	pthread_mutex_lock(&s->lock);
	scan_dirs_keep_subtree(&s->dirs, path, len);
	pthread_mutex_unlock(&s->lock);
}

/* A folder that cannot be queued is not walked, and what the store has
 * under it is kept. */
static int queue_failed(struct scan *s, const char *path, size_t len)
{
	scan_stack_keep_subtree(s, path, len);
	scan_worker_stat_add(&s->stats->io_errors, 1);
	return log_error(-ENOMEM, "scan: out of memory queueing %.*s",
			 (int)len, path);
}

int scan_stack_subdirs_add(struct scan *s, struct scan_worker_subdirs *d,
			   const char *rel, size_t len, const char *name,
			   size_t nlen)
{
	size_t plen = len ? len + 1 + nlen : nlen;
	struct scan_worker_dir_job *job = malloc(sizeof(*job) + plen + 1), **v;

	v = job ? array_grow(d->v, d->nr, &d->alloc, sizeof(*v), 16) : NULL;
	if (!v) {
		char path[PATH_MAX];

		free(job);
		/* Too long for path: the folder holding it keeps all. */
		if (plen >= sizeof(path))
			return queue_failed(s, rel, len);
		snprintf(path, sizeof(path), "%.*s%s%.*s", (int)len, rel,
			 len ? "/" : "", (int)nlen, name);
		return queue_failed(s, path, plen);
	}
	d->v = v;
	job->len = plen;
	if (len) {
		memcpy(job->path, rel, len);
		job->path[len] = '/';
	}
	memcpy(job->path + plen - nlen, name, nlen);
	job->path[plen] = '\0';
	d->v[d->nr++] = job;
	return 0;
}

/* Folders in the order of the paths below them: "a b" before "a", whose
 * "a/x" comes after "a b/x" since ' ' comes before '/'. */
static int cmp_subdir(const void *a, const void *b)
{
	const struct scan_worker_dir_job *x =
		*(struct scan_worker_dir_job *const *)a;
	const struct scan_worker_dir_job *y =
		*(struct scan_worker_dir_job *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->path, y->path, n);

	if (c || x->len == y->len)
		return c;
	return x->len < y->len ? '/' - (unsigned char)y->path[n] :
		(unsigned char)x->path[n] - '/';
}

int scan_stack_push_jobs(struct scan *s, struct scan_worker_subdirs *d)
{
	size_t n = d->nr;
	int rc = 0;

	if (!n)
		return 0;
	if (n > 1)
		qsort(d->v, n, sizeof(*d->v), cmp_subdir);
	pthread_mutex_lock(&s->lock);
	while (s->nr_jobs + n > s->alloc_jobs) {
		struct scan_worker_dir_job **v =
			array_grow(s->jobs, s->alloc_jobs, &s->alloc_jobs,
				   sizeof(*v), 256);

		if (!v)
			break;
		s->jobs = v;
	}
	if (s->nr_jobs + n <= s->alloc_jobs) {
		while (n)
			s->jobs[s->nr_jobs++] = d->v[--n];
		s->busy += d->nr;
		if (d->nr > 1)
			pthread_cond_broadcast(&s->cond);
		else
			pthread_cond_signal(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	for (; n; n--) {
		struct scan_worker_dir_job *job = d->v[n - 1];

		rc = queue_failed(s, job->path, job->len);
		free(job);
	}
	d->nr = 0;
	return rc;
}
