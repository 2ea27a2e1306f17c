/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The queue of scans: the requests (a rescan, a confirmed removal, the
 * watcher's paths) checked, resolved to a root and the part below it,
 * and merged into the one pending order that the indexer thread takes
 * next; a failed order put back in front. It runs no scan and waits for
 * none: that is the indexer thread's (indexer.c, indexer_runs.c).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/path.h"
#include "indexer/indexer_private.h"

void indexer_order_clear(struct scan_order *o)
{
	for (size_t i = 0; i < o->nr; i++)
		free(o->paths[i].sub);
	memset(o, 0, sizeof(*o));
}

/* Fold a request into the pending scan: "all" swallows subtrees, full
 * sticks, the first trigger names the merged scan. */
int indexer_order_merge(struct scan_order *o, const char *trigger, int full,
			int root, const char *sub, double event_at)
{
	if (!indexer.has_pending)
		snprintf(o->trigger, sizeof(o->trigger), "%s", trigger);
	indexer.has_pending = 1;
	o->full |= full;
	if (event_at && (!o->event_at || event_at < o->event_at))
		o->event_at = event_at;
	if (o->all)
		return 0;
	if (root < 0 || o->nr == PENDING_PATHS_MAX) {
		for (size_t i = 0; i < o->nr; i++)
			free(o->paths[i].sub);
		o->nr = 0;
		o->all = 1;
		return 0;
	}
	for (size_t i = 0; i < o->nr; i++)
		if (o->paths[i].root == (size_t)root &&
		    !strcmp(o->paths[i].sub, sub))
			return 0;
	o->paths[o->nr].sub = strdup(sub);
	if (!o->paths[o->nr].sub)
		return log_error(-ENOMEM, "indexer: out of memory queueing a"
				 " scan");
	o->paths[o->nr].event_at = event_at;
	o->paths[o->nr++].root = root;
	return 0;
}

/* Find the root holding path and the part below it; rejects anything
 * that is not a clean absolute path, so ".." can never leave a root. */
static int root_holding(const char *path, const char **sub)
{
	size_t len = strlen(path);

	if (path[0] != '/' || strstr(path, "//") || strstr(path, "/./") ||
	    strstr(path, "/../") ||
	    (len >= 2 && !strcmp(path + len - 2, "/.")) ||
	    (len >= 3 && !strcmp(path + len - 3, "/..")))
		return -EINVAL;
	for (size_t i = 0; i < indexer.nr_roots; i++) {
		const char *root = indexer.roots[i].path;

		if (path_under(path, root)) {
			*sub = path + strlen(root);
			*sub += **sub == '/';
			return i;
		}
	}
	return -EINVAL;
}

/* Trim trailing slashes off a copy of path and find its root; *clean is
 * the copy (sub points into it), to be freed. */
static int trim_root(const char *path, char **clean, const char **sub)
{
	size_t len = strlen(path);
	int root;

	*clean = strdup(path);
	if (!*clean)
		return -ENOMEM;
	while (len > 1 && (*clean)[len - 1] == '/')
		(*clean)[--len] = '\0';
	root = root_holding(*clean, sub);
	if (root < 0) {
		free(*clean);
		*clean = NULL;
	}
	return root;
}

/* Requests name roots by their place in indexer.roots, which a reload
 * replaces: they are taken only while the indexer runs, under its lock. */
static int accepting(void)
{
	return indexer.running && !indexer.stopping;
}

int indexer_rescan(const char *trigger, int full, const char *path)
{
	char *clean = NULL;
	const char *sub = "";
	int root = -1, rc = -EAGAIN, had;

	/* What changed inside the asked part before the ask is in this
	 * scan: the pending order is held while the watcher hands that
	 * part of its window over, and the rescan joins it, under its own
	 * name unless an order already waited. */
	pthread_mutex_lock(&indexer.lock);
	had = indexer.has_pending;
	indexer.settling++;
	if (accepting() && path)
		rc = trim_root(path, &clean, &sub);
	pthread_mutex_unlock(&indexer.lock);
	if (!path || rc >= 0)
		watch_settle(clean);
	free(clean);
	clean = NULL;
	pthread_mutex_lock(&indexer.lock);
	indexer.settling--;
	/* a reload may have replaced the roots meanwhile */
	if (accepting() && path)
		root = rc = trim_root(path, &clean, &sub);
	if (accepting() && (!path || root >= 0)) {
		rc = indexer_order_merge(&indexer.pending, trigger, full, root,
					 sub, 0);
		if (!had)
			snprintf(indexer.pending.trigger,
				 sizeof(indexer.pending.trigger), "%s",
				 trigger);
	}
	pthread_cond_signal(&indexer.wake);
	pthread_mutex_unlock(&indexer.lock);
	free(clean);
	return rc == -ENOMEM || rc == -EAGAIN || rc >= 0 ? rc : -EINVAL;
}

int indexer_confirm_removal(const char *trigger)
{
	int rc = -EAGAIN;

	pthread_mutex_lock(&indexer.lock);
	if (accepting()) {
		rc = indexer_order_merge(&indexer.pending, trigger, 0, -1, NULL,
					 0);
		indexer.pending.confirm = 1;
		pthread_cond_signal(&indexer.wake);
	}
	pthread_mutex_unlock(&indexer.lock);
	return rc;
}

int indexer_rescan_paths(const char *trigger, char *const *paths,
			 const double *event_at, size_t nr)
{
	char **clean = calloc(nr ? nr : 1, sizeof(*clean));
	const char **sub = calloc(nr ? nr : 1, sizeof(*sub));
	int *root = calloc(nr ? nr : 1, sizeof(*root));
	int rc = 0, queued = 0;

	if (!clean || !sub || !root) {
		rc = log_error(-ENOMEM, "indexer: out of memory queueing a"
			       " scan");
		goto out;
	}
	pthread_mutex_lock(&indexer.lock);
	for (size_t i = 0; i < nr; i++)
		root[i] = accepting() ?
			trim_root(paths[i], &clean[i], &sub[i]) : -EAGAIN;
	for (size_t i = 0; !rc && i < nr; i++) {
		if (root[i] < 0)
			continue;
		rc = indexer_order_merge(&indexer.pending, trigger, 0, root[i],
					 sub[i], event_at[i]);
		queued += !rc;
	}
	pthread_cond_signal(&indexer.wake);
	pthread_mutex_unlock(&indexer.lock);
out:
	for (size_t i = 0; clean && i < nr; i++)
		free(clean[i]);
	free(clean);
	free(sub);
	free(root);
	return rc ? rc : queued;
}

/* Put a failed order back in front of what came meanwhile, changes the
 * watcher saw included: nothing is dropped until the store takes it. */
void indexer_order_requeue(const struct scan_order *o)
{
	indexer.pending.confirm |= o->confirm;
	if (o->all)
		indexer_order_merge(&indexer.pending, o->trigger, o->full, -1,
				    NULL, o->event_at);
	for (size_t i = 0; !o->all && i < o->nr; i++)
		indexer_order_merge(&indexer.pending, o->trigger, o->full,
				    o->paths[i].root, o->paths[i].sub,
				    o->paths[i].event_at);
}
