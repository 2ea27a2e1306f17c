/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The list of the mount's open files (handles.h): adds, frees and finds
 * them; it opens and renders nothing.
 */
#include "fs/mount/handles.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/log.h"
#include "fs/tree/opds_zip.h"

static struct handle *open_handles;
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

void handles_add(struct handle *h)
{
	pthread_mutex_lock(&open_lock);
	h->prev = NULL;
	h->next = open_handles;
	if (open_handles)
		open_handles->prev = h;
	open_handles = h;
	pthread_mutex_unlock(&open_lock);
}

void handles_free(struct handle *h)
{
	uid_t uid = h->uid;
	int fd = h->fd >= 0;

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
	if (h->cover)
		open_caps_uncharge(uid, h->cover, cover_copies_size(h->cover));
	else if (h->fd < 0)
		open_caps_uncharge(uid, NULL, h->content.len);
	cover_copies_put(h->cover);
	opds_zip_free(h->zip);
	open_caps_unkeep(&h->content);
	strbuf_release(&h->held);
	free(h);
	open_caps_put(uid, fd);
}

void handles_free_all(void)
{
	while (open_handles)
		handles_free(open_handles);
}

size_t handles_size(const struct handle *h)
{
	if (h->zip)
		return (size_t)h->zip->size;
	if (!h->node.grows)
		return h->content.len;
	return log_ring_end() - h->stream_start;
}

/* A thread that leads its group is its process: tgkill() finds tid in
 * the group tid only then (signal 0 sends nothing; EPERM says it found
 * it too). One system call, where /proc costs an open and a read. */
pid_t handles_thread_group(pid_t tid)
{
	char path[32], line[64];
	pid_t tgid = tid;
	FILE *f;

	if (!tgkill(tid, tid, 0) || errno == EPERM)
		return tid;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return tid;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* Whether a rendering of ino is open: only then is the caller asked
 * after. */
static int rendering_open(fuse_ino_t ino)
{
	int found = 0;

	pthread_mutex_lock(&open_lock);
	for (struct handle *h = open_handles; h && !found; h = h->next)
		found = h->ino == ino && h->fd < 0;
	pthread_mutex_unlock(&open_lock);
	return found;
}

int handles_snapshot(fuse_ino_t ino, pid_t tid, struct node *n,
		     size_t *size, struct timespec *mtime)
{
	pid_t caller;
	int found = 0;

	if (!rendering_open(ino))
		return 0;
	caller = handles_thread_group(tid);
	pthread_mutex_lock(&open_lock);
	for (struct handle *h = open_handles; h && !found; h = h->next) {
		if (h->ino == ino && h->fd < 0 && h->opener == caller) {
			*n = h->node;
			*size = handles_size(h);
			*mtime = h->mtime;
			found = 1;
		}
	}
	pthread_mutex_unlock(&open_lock);
	return found;
}
