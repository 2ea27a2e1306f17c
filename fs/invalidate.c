#include "fs/invalidate.h"

#include <errno.h>
#include <fuse.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "fs/nodes.h"
#include "fs/reader.h"
#include "fs/views.h"
#include "indexer/indexer.h"

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct fuse *fuse;
	int started, stopping, kicked;
} inv = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A path the kernel never looked up, or has forgotten, is no error: most
 * are, and libfuse says so without a word to the kernel. */
static void forget(const char *path, void *arg)
{
	int rc = fuse_invalidate_path(inv.fuse, path);

	(void)arg;
	if (rc && rc != -ENOENT)
		log_debug("invalidate: %s: %s", path, strerror(-rc));
}

struct walk {
	struct strbuf dirs;	/* folders to visit next, NUL-separated */
	const char *parent;
	int manga;
};

/* Folders are visited after their listing ends, so no listing of the
 * store is open while another runs. */
static int walk_one(const char *name, const struct node *child, void *arg)
{
	struct walk *w = arg;
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s",
			 strcmp(w->parent, "/") ? w->parent : "", name);

	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	if (child->type != NODE_DIR) {
		forget(path, NULL);
		return 0;
	}
	if (views_owns(path) || (!w->manga && !strcmp(path, "/manga")))
		return 0;
	/* The fixed folders never change; the series come and go. */
	if (!strncmp(path, "/manga", 6))
		forget(path, NULL);
	strbuf_add(&w->dirs, path, n + 1);
	return 0;
}

/* Forget every generated file below path, and with manga the folders and
 * files of /manga as well (they come from the store). */
static void walk(const char *path, int manga)
{
	struct walk w = { STRBUF_INIT, path, manga };
	size_t at = 0;

	node_children(path, walk_one, &w);
	while (at < w.dirs.len) {
		const char *dir = w.dirs.buf + at;
		size_t len = strlen(dir) + 1;

		w.parent = dir;
		node_children(dir, walk_one, &w);
		at += len;
	}
	strbuf_release(&w.dirs);
}

/* Sleep one tick, or less when kicked or stopped; nonzero to stop. */
static int wait_tick(void)
{
	struct timespec ts;
	int stop;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += INVALIDATE_TICK_MS * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&inv.lock);
	while (!inv.kicked && !inv.stopping &&
	       pthread_cond_timedwait(&inv.wake, &inv.lock, &ts) != ETIMEDOUT)
		;
	inv.kicked = 0;
	stop = inv.stopping;
	pthread_mutex_unlock(&inv.lock);
	return stop;
}

static void *invalidate_main(void *arg)
{
	uint64_t seen = indexer_generation();

	(void)arg;
	while (!wait_tick()) {
		uint64_t gen = indexer_generation();

		walk("/", gen != seen);
		views_retired(forget, NULL);
		seen = gen;
	}
	reader_close();
	return NULL;
}

int invalidate_start(struct fuse *fuse)
{
	pthread_condattr_t attr;
	int rc;

	inv.fuse = fuse;
	inv.stopping = inv.kicked = 0;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&inv.wake, &attr);
	pthread_condattr_destroy(&attr);
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
	pthread_mutex_lock(&inv.lock);
	inv.stopping = 1;
	pthread_cond_signal(&inv.wake);
	pthread_mutex_unlock(&inv.lock);
	pthread_join(inv.thread, NULL);
	pthread_mutex_lock(&inv.lock);
	inv.started = 0;
	pthread_mutex_unlock(&inv.lock);
	pthread_cond_destroy(&inv.wake);
}
