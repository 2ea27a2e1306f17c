/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The watcher's start and stop, its state and its counters: the inotify
 * instances opened (watch_queue.c) and the threads started with copies of the roots,
 * everything freed at stop, the latency samples and the status the
 * mount shows; the entries of watch.h that add a watch, which wake the
 * watcher when the map says so. The watches are watch_map.c's, the events
 * and batches watch_events.c's; this file reads no event.
 */
#include "indexer/library/watch.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "common/array.h"
#include "common/config.h"
#include "common/hmap.h"
#include "common/log.h"
#include "common/path.h"
#include "common/thread.h"
#include "indexer/library/watch_private.h"

const char *const watch_kind_names[WATCH_KINDS] = {
	[WATCH_CREATE] = "create",
	[WATCH_CLOSE_WRITE] = "close_write",
	[WATCH_DELETE] = "delete",
	[WATCH_MOVED_FROM] = "moved_from",
	[WATCH_MOVED_TO] = "moved_to",
	[WATCH_DELETE_SELF] = "delete_self",
	[WATCH_MOVE_SELF] = "move_self",
	[WATCH_ATTRIB] = "attrib",
	[WATCH_OVERFLOW] = "overflow",
};

struct watch_state watch_wt = {
	.wake_fd = -1,
	.reader_stop = -1,
	.gone_lost_at = -1,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.qlock = PTHREAD_MUTEX_INITIALIZER,
	.qroom = PTHREAD_COND_INITIALIZER,
	.settled = PTHREAD_COND_INITIALIZER,
	.watched = HMAP_INIT,
};

/* A copy of nr strings, or NULL (logged) when out of memory. */
static char **copy_paths(char *const *v, size_t nr)
{
	char **c = calloc(nr + 1, sizeof(*c));

	for (size_t i = 0; c && i < nr; i++) {
		c[i] = strdup(v[i]);
		if (!c[i]) {
			array_free_strings(c, i);
			c = NULL;
		}
	}
	if (!c)
		log_error(-ENOMEM, "watch: out of memory");
	return c;
}

static void paths_free(void)
{
	array_free_strings(watch_wt.roots, watch_wt.nr_roots);
	array_free_strings(watch_wt.libs, watch_wt.nr_libs);
	watch_wt.roots = watch_wt.libs = NULL;
	watch_wt.nr_roots = watch_wt.nr_libs = 0;
}

/* The roots and library folders are copied at each start, as a reload
 * may change them while the configuration they came from goes. */
int watch_start(const struct config *cfg, const struct watch_setup *set)
{
	int rc;

	watch_wt.set = *set;
	watch_wt.roots = copy_paths((char *const *)set->roots, set->nr_roots);
	watch_wt.libs = copy_paths(set->libs, set->nr_libs);
	if (!watch_wt.roots || !watch_wt.libs) {
		array_free_strings(watch_wt.roots, set->nr_roots);
		array_free_strings(watch_wt.libs, set->nr_libs);
		watch_wt.roots = watch_wt.libs = NULL;
		return -ENOMEM;
	}
	watch_wt.nr_roots = set->nr_roots;
	watch_wt.nr_libs = set->nr_libs;
	watch_wt.debounce_ms = cfg->watch_debounce_ms;
	watch_wt.poll_s = cfg->poll_interval_s;
	watch_wt.max_watches = cfg->max_watches;
	watch_wt.st.debounce_ms = watch_wt.debounce_ms;
	watch_wt.st.poll_interval_s = watch_wt.poll_s;
	rc = watch_queue_open();
	if (rc) {
		paths_free();
		return rc;
	}
	for (size_t r = 1; r < watch_wt.nr_roots + watch_wt.nr_libs; r++)
		if (!watch_queue_instance(r))
			log_warn("watch: no inotify instance of its own for %s"
				 " (fs.inotify.max_user_instances): an"
				 " overflow of the first one's rescans it too",
				 watch_root_path(r));
	watch_wt.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (watch_wt.wake_fd < 0) {
		rc = log_error(-errno, "watch: eventfd: %s", strerror(errno));
		goto fail;
	}
	__atomic_store_n(&watch_wt.running, 1, __ATOMIC_RELEASE);
	rc = watch_queue_start();
	if (rc) {
		__atomic_store_n(&watch_wt.running, 0, __ATOMIC_RELEASE);
		goto fail;
	}
	rc = thread_start(&watch_wt.thread, watch_main, NULL, "mm-watch");
	if (!rc) {
		watch_wt.st.enabled = 1;
		return 0;
	}
	log_error(rc, "watch: cannot start thread");
	__atomic_store_n(&watch_wt.running, 0, __ATOMIC_RELEASE);
	watch_queue_stop();
fail:
	if (watch_wt.wake_fd >= 0)
		close(watch_wt.wake_fd);
	watch_queue_close();
	watch_wt.wake_fd = -1;
	paths_free();
	return rc;
}

void watch_stop(void)
{
	if (!__atomic_load_n(&watch_wt.running, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&watch_wt.running, 0, __ATOMIC_RELEASE);
	watch_queue_stop();
	watch_wake();
	pthread_join(watch_wt.thread, NULL);
	watch_queue_close();
	close(watch_wt.wake_fd);
	watch_wt.wake_fd = -1;
	hmap_release(&watch_wt.watched, watch_map_entry_free);
	watch_wt.orphans = 0;
	free(watch_wt.map);
	watch_wt.map = NULL;
	watch_wt.map_alloc = 0;
	hmap_release(&watch_wt.polled, watch_map_entry_free);
	watch_list_clear(&watch_wt.touched);
	watch_list_clear(&watch_wt.moves);
	for (size_t i = 0; i < MOVES_KEPT; i++) {
		free(watch_wt.gone[i].rel);
		watch_wt.gone[i].rel = NULL;
	}
	watch_wt.gone_next = 0;
	watch_wt.gone_lost_at = -1;
	pthread_mutex_lock(&watch_wt.lock);
	free(watch_wt.settle_scope);
	watch_wt.settle_scope = NULL;
	watch_wt.settle_scoped = 0;
	pthread_mutex_unlock(&watch_wt.lock);
	free(watch_wt.touched.v);
	free(watch_wt.moves.v);
	memset(&watch_wt.touched, 0, sizeof(watch_wt.touched));
	memset(&watch_wt.moves, 0, sizeof(watch_wt.moves));
	watch_wt.st.enabled = 0;
	watch_wt.st.watches = 0;
	paths_free();
}

void watch_latency(double seconds)
{
	pthread_mutex_lock(&watch_wt.lock);
	watch_wt.ring[watch_wt.ring_next] = seconds * 1000.0;
	watch_wt.ring_next = (watch_wt.ring_next + 1) % LATENCY_RING;
	if (watch_wt.ring_nr < LATENCY_RING)
		watch_wt.ring_nr++;
	watch_wt.st.latency_samples++;
	pthread_mutex_unlock(&watch_wt.lock);
}

void watch_reset_counters(void)
{
	pthread_mutex_lock(&watch_wt.lock);
	watch_wt.st.overflows = 0;
	watch_wt.st.storms = 0;
	watch_wt.st.events = 0;
	memset(watch_wt.st.by_kind, 0, sizeof(watch_wt.st.by_kind));
	watch_wt.st.batches = 0;
	watch_wt.st.paths_submitted = 0;
	watch_wt.st.latency_samples = 0;
	watch_wt.ring_nr = 0;
	watch_wt.ring_next = 0;
	pthread_mutex_unlock(&watch_wt.lock);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void watch_status(struct watch_status *out)
{
	double sorted[LATENCY_RING];
	size_t n;

	pthread_mutex_lock(&watch_wt.lock);
	*out = watch_wt.st;
	n = watch_wt.ring_nr;
	memcpy(sorted, watch_wt.ring, n * sizeof(*sorted));
	pthread_mutex_unlock(&watch_wt.lock);
	if (!n)
		return;
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	out->latency_p50_ms = sorted[(n - 1) / 2];
	out->latency_p95_ms = sorted[(size_t)((n - 1) * 0.95)];
	out->latency_max_ms = sorted[n - 1];
}

void watch_dir(size_t root, const char *rel, size_t len, int dirfd)
{
	/* The watcher may be asleep with no timer: start its poll clock. */
	if (watch_map_dir(root, rel, len, dirfd) > 0)
		watch_wake();
}

void watch_library_dir(const char *dir)
{
	size_t best = 0, best_len = 0;

	if (!__atomic_load_n(&watch_wt.running, __ATOMIC_ACQUIRE))
		return;
	/* One folder has one watch: an indexed root's stays the scanner's. */
	for (size_t i = 0; i < watch_wt.nr_roots; i++)
		if (path_under(dir, watch_wt.roots[i]))
			return;
	for (size_t i = 0; i < watch_wt.nr_libs; i++) {
		size_t len = strlen(watch_wt.libs[i]);

		if (len > best_len && path_under(dir, watch_wt.libs[i])) {
			best = i;
			best_len = len;
		}
	}
	if (!best_len)
		return;
	dir += best_len;
	if (*dir == '/')
		dir++;
	watch_dir(watch_wt.nr_roots + best, dir, strlen(dir), -1);
}
