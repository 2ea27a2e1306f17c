/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The invalidation thread (invalidate.h): tells the kernel to forget the
 * entries, attributes and listings a control write or a move of the store
 * made stale. No FUSE callback runs it or waits on it.
 */
#include "fs/mount/invalidate.h"

#include <errno.h>
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "common/thread.h"
#include "fs/tree/caller.h"
#include "fs/mount/inodes.h"
#include "fs/tree/nodes.h"
#include "fs/tree/session.h"
#include "indexer/reads.h"
#include "fs/tree/views.h"
#include "indexer/indexer.h"

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct fuse_session *se;
	int started, stopping, kicked, moved;
} inv = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The kernel forgets the attributes and the content (for a folder, the
 * listing it keeps) of path. A path it never looked up, or has
 * forgotten, costs nothing: most are. */
static void forget(const char *path, void *arg)
{
	uint64_t ino = inodes_find(path);
	int rc;

	(void)arg;
	if (!ino)
		return;
	rc = fuse_lowlevel_notify_inval_inode(inv.se, ino, 0, 0);
	if (rc && rc != -ENOENT)
		log_debug("invalidate: %s: %s", path, strerror(-rc));
}

/* The kernel forgets the name path (not what it knows of the file). */
static void forget_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	struct strbuf dir = STRBUF_INIT;
	uint64_t parent;
	int rc;

	if (!slash || !slash[1] || !inodes_find(path))
		return;
	strbuf_add(&dir, path, slash > path ? (size_t)(slash - path) : 1);
	parent = inodes_find(dir.buf);
	strbuf_release(&dir);
	if (!parent)
		return;
	rc = fuse_lowlevel_notify_inval_entry(inv.se, parent, slash + 1,
					      strlen(slash + 1));
	if (rc && rc != -ENOENT)
		log_debug("invalidate: %s: %s", path, strerror(-rc));
}

/* A name of a retired folder may be gone: the kernel forgets the name
 * itself too, not only what it knows of the file. */
static void forget_entry(const char *path, void *arg)
{
	forget(path, arg);
	forget_name(path);
}

/* Every folder the kernel listed before the store moved: it may keep the
 * listing, which its mtime (fs.h) only renews after the attribute
 * timeout. */
static void forget_listed(void)
{
	struct strbuf paths = STRBUF_INIT;

	inodes_take_listed(&paths);
	for (const char *p = paths.buf; p < paths.buf + paths.len;
	     p += strlen(p) + 1)
		forget(p, NULL);
	strbuf_release(&paths);
}

/* Keep the names a folder lists, NUL-separated, in the strbuf at arg. */
static int collect(const char *name, const struct node *child, void *arg)
{
	(void)child;
	strbuf_add(arg, name, strlen(name) + 1);
	return 0;
}

/* Call fn with "parent/NAME" for every name of the NUL-separated list. */
static void each_path(const char *parent, const struct strbuf *names,
		      void (*fn)(const char *path, void *arg), void *arg)
{
	struct strbuf path = STRBUF_INIT;
	const char *name = names->buf;

	for (; name < names->buf + names->len; name += strlen(name) + 1) {
		nodes_child_path(&path, parent, name);
		fn(path.buf, arg);
	}
	strbuf_release(&path);
}

/* Forget every generated file of the fixed tree (the library views,
 * /manga, /opds/series and the other folders that list the store, such
 * as /playlists/similar, have their own ways). */
static void forget_tree(const char *dir, void *arg)
{
	struct strbuf names = STRBUF_INIT;
	struct node n;

	(void)arg;
	if (views_owns(dir) || !strcmp(dir, "/manga") ||
	    !strcmp(dir, "/opds/series") || nodes_resolve(dir, &n))
		return;
	if (n.type != NODE_DIR) {
		forget(dir, NULL);
		return;
	}
	if (n.dynamic)
		return;
	nodes_children(dir, collect, &names);
	each_path(dir, &names, forget_tree, NULL);
	strbuf_release(&names);
}

/* Forget each series folder and its files. Every series holds the same
 * files, so one series is listed, not each: two queries of the store
 * however many series there are. */
static void forget_manga(void)
{
	struct strbuf series = STRBUF_INIT, files = STRBUF_INIT;
	struct strbuf dir = STRBUF_INIT;

	nodes_children("/manga", collect, &series);
	if (series.len) {
		strbuf_addf(&dir, "/manga/%s", series.buf);
		nodes_children(dir.buf, collect, &files);
	}
	for (const char *name = series.buf; name < series.buf + series.len;
	     name += strlen(name) + 1) {
		strbuf_reset(&dir);
		strbuf_addf(&dir, "/manga/%s", name);
		forget(dir.buf, NULL);
		each_path(dir.buf, &files, forget, NULL);
	}
	strbuf_release(&dir);
	strbuf_release(&files);
	strbuf_release(&series);
}

/* Forget the feeds of the series, which come and go with them. */
static void forget_opds(void)
{
	struct strbuf feeds = STRBUF_INIT;

	nodes_children("/opds/series", collect, &feeds);
	forget("/opds/series", NULL);
	each_path("/opds/series", &feeds, forget, NULL);
	strbuf_release(&feeds);
}

/* The views' names and attributes the kernel keeps FS_VIEWS_TIMEOUT_S
 * (fs_attr.h): when the store moved, it forgets every attribute it
 * holds of them (a file's size and times come from the real file, which
 * a scan that saw it change moved the store for), and when the store's
 * names moved every name too (a name gone, or standing for another
 * track), whatever listings the views still keep. */
static void forget_views(int names)
{
	static const char *const roots[] = { "/library", "/search",
					     "/similar" };
	struct strbuf paths = STRBUF_INIT;

	for (size_t i = 0; i < sizeof(roots) / sizeof(*roots); i++)
		inodes_under(roots[i], &paths);
	/* the listings first: a name seen gone is gone from them too */
	for (const char *p = paths.buf; p < paths.buf + paths.len;
	     p += strlen(p) + 1)
		if (views_owns(p))
			forget(p, NULL);
	for (const char *p = paths.buf; names && p < paths.buf + paths.len;
	     p += strlen(p) + 1)
		if (views_owns(p))
			forget_name(p);
	strbuf_release(&paths);
}

/* The store moved: a round is due, INVALIDATE_GAP_MS after the last. */
static void store_moved(void)
{
	pthread_mutex_lock(&inv.lock);
	if (inv.started) {
		inv.moved = 1;
		pthread_cond_signal(&inv.wake);
	}
	pthread_mutex_unlock(&inv.lock);
}

/* Sleep until kicked, or the store moved and the gap after the last
 * round is over, or stopped; nonzero to stop. No timer runs while
 * nothing happens. */
static int wait_due(struct timespec *last)
{
	struct timespec at = *last;
	int stop;

	at.tv_nsec += INVALIDATE_GAP_MS * 1000000L;
	at.tv_sec += at.tv_nsec / 1000000000L;
	at.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&inv.lock);
	while (!inv.kicked && !inv.stopping) {
		if (!inv.moved)
			pthread_cond_wait(&inv.wake, &inv.lock);
		else if (pthread_cond_timedwait(&inv.wake, &inv.lock,
						&at) == ETIMEDOUT)
			break;
	}
	inv.kicked = inv.moved = 0;
	stop = inv.stopping;
	pthread_mutex_unlock(&inv.lock);
	clock_gettime(CLOCK_MONOTONIC, last);
	return stop;
}

static void *invalidate_main(void *arg)
{
	uint64_t seen = indexer_generation();
	uint64_t names_seen = indexer_names_generation();
	struct timespec last;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &last);
	thread_name("mm-invalidate");
	/* What the kernel may keep is what any user was shown. */
	caller_as_daemon();
	int again = 0;

	session_invalidated(seen);

	while (!wait_due(&last)) {
		uint64_t gen = indexer_generation();
		uint64_t names = indexer_names_generation();

		reader_refresh();
		forget_tree("/", NULL);
		/* What a request answered while the round ran (an answer
		 * made before the store moved, which the kernel took after)
		 * is forgotten by one more round, a gap later. */
		if (gen == seen && again) {
			forget_listed();
			forget_views(again > 1);
			again = 0;
		}
		if (gen != seen) {
			again = names != names_seen ? 2 : 1;
			store_moved();
			forget_listed();
			forget_views(names != names_seen);
			forget("/manga", NULL);
			forget_manga();
			forget_opds();
		}
		views_retired(forget_entry, NULL);
		seen = gen;
		names_seen = names;
		/* told of gen in full once the round after it is over too */
		if (!again)
			session_invalidated(gen);
	}
	reader_close();
	return NULL;
}

int invalidate_start(struct fuse_session *se)
{
	pthread_condattr_t attr;
	int rc;

	inv.se = se;
	inv.stopping = inv.kicked = inv.moved = 0;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&inv.wake, &attr);
	pthread_condattr_destroy(&attr);
	rc = reader_on_move(store_moved);
	if (rc)
		return rc;
	nodes_on_written(invalidate_kick);
	pthread_mutex_lock(&inv.lock);
	rc = -pthread_create(&inv.thread, NULL, invalidate_main, NULL);
	inv.started = !rc;
	pthread_mutex_unlock(&inv.lock);
	if (rc) {
		pthread_cond_destroy(&inv.wake);
		return log_error(rc, "invalidate: cannot start thread");
	}
	return 0;
}

void invalidate_kick(void)
{
	pthread_mutex_lock(&inv.lock);
	if (inv.started) {
		inv.kicked = 1;
		pthread_cond_signal(&inv.wake);
	}
	pthread_mutex_unlock(&inv.lock);
}

void invalidate_stop(void)
{
	if (!inv.started)
		return;
	thread_stop(inv.thread, &inv.lock, &inv.wake, &inv.stopping);
	pthread_mutex_lock(&inv.lock);
	inv.started = 0;
	pthread_mutex_unlock(&inv.lock);
	pthread_cond_destroy(&inv.wake);
}
