/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The prefetch thread of the views (views_prefetch.h): the folders a walk
 * will ask for next, made ahead of it. It decides what comes next; how a
 * folder is made is the caller's make function.
 */
#include "fs/tree/views_prefetch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "common/thread.h"

#define PREFETCH_AHEAD 4	/* folders made before a walk asks for them */
#define PREFETCH_QUEUE 16

/* Under the views cache's lock. */
static struct {
	pthread_t thread;
	pthread_cond_t wake;
	void (*make)(const char *path);
	char *queue[PREFETCH_QUEUE];
	size_t first, nr;
	unsigned long last;	/* the serial of the folder it looked past */
	int started, stop;
} prefetch = { .wake = PTHREAD_COND_INITIALIZER };

/* Queue the folders of ls from its entry from on, at most budget of them
 * counting those already made or queued; returns how many it counted. */
static size_t prefetch_folders(const struct views_listing *ls, size_t from,
			       size_t budget)
{
	struct strbuf path = STRBUF_INIT;
	size_t ahead = 0;

	for (size_t i = from; i < ls->names.nr && ahead < budget; i++) {
		const struct views_entry *e = &ls->names.v[i];
		size_t k;

		if (ls->items[e->index].type != VIEWS_ITEM_DIR)
			continue;
		ahead++;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", ls->path, e->name);
		if (views_cache_find(path.buf, path.len, 0) ||
		    views_cache_building(path.buf, path.len, 0))
			continue;
		for (k = 0; k < prefetch.nr; k++)
			if (!strcmp(prefetch.queue[(prefetch.first + k) %
						   PREFETCH_QUEUE], path.buf))
				break;
		if (k < prefetch.nr)
			continue;
		if (prefetch.nr == PREFETCH_QUEUE) {
			free(prefetch.queue[prefetch.first]);
			prefetch.first = (prefetch.first + 1) % PREFETCH_QUEUE;
			prefetch.nr--;
		}
		prefetch.queue[(prefetch.first + prefetch.nr) %
			       PREFETCH_QUEUE] = strbuf_detach(&path, NULL);
		prefetch.nr++;
		pthread_cond_signal(&prefetch.wake);
	}
	strbuf_release(&path);
	return ahead;
}

/* Make the queued folders, oldest first, until views_prefetch_stop(). A
 * folder that cannot be made is left to the request that asks for it,
 * which tells why. */
static void *prefetch_run(void *arg)
{
	(void)arg;
	thread_name("mm-prefetch");
	views_cache_lock();
	while (!prefetch.stop) {
		char *path;

		if (!prefetch.nr) {
			views_cache_wait_on(&prefetch.wake);
			continue;
		}
		path = prefetch.queue[prefetch.first];
		prefetch.first = (prefetch.first + 1) % PREFETCH_QUEUE;
		prefetch.nr--;
		prefetch.make(path);
		free(path);
	}
	views_cache_unlock();
	return NULL;
}

void views_prefetch_next(const struct views_listing *ls, int depth,
			 int view_depth, void (*make)(const char *path))
{
	size_t budget = depth + 1 < view_depth ? 1 : PREFETCH_AHEAD;
	const struct views_entry *e;
	struct views_listing *parent;
	const char *slash;
	int rc;

	/* A walk reads a folder to its end: a request that finds nothing
	 * left follows the one that listed it. */
	if (prefetch.stop || ls->serial == prefetch.last)
		return;
	prefetch.last = ls->serial;
	if (!prefetch.started) {
		prefetch.make = make;
		rc = pthread_create(&prefetch.thread, NULL, prefetch_run, NULL);
		if (rc) {
			log_warn("views: cannot start the prefetcher: %s",
				 strerror(rc));
			prefetch.stop = 1;
			return;
		}
		prefetch.started = 1;
	}
	if (prefetch_folders(ls, 0, budget))
		return;
	for (budget = PREFETCH_AHEAD; depth > 0 && budget; depth--) {
		slash = strrchr(ls->path, '/');
		parent = views_cache_find(ls->path, slash - ls->path, 0);
		e = parent ? views_list_find(&parent->names, slash + 1) : NULL;
		if (!e)
			return;
		if (prefetch_folders(parent, e - parent->names.v + 1, budget))
			return;
		ls = parent;
		budget = 1;
	}
}

void views_prefetch_stop(void)
{
	views_cache_lock();
	prefetch.stop = 1;
	pthread_cond_signal(&prefetch.wake);
	views_cache_unlock();
	if (prefetch.started)
		pthread_join(prefetch.thread, NULL);
	views_cache_lock();
	prefetch.started = 0;
	for (; prefetch.nr; prefetch.nr--) {
		free(prefetch.queue[prefetch.first]);
		prefetch.first = (prefetch.first + 1) % PREFETCH_QUEUE;
	}
	views_cache_unlock();
}
