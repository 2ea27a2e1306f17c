/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "indexer/library/watch.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/hash.h"
#include "common/hmap.h"
#include "common/log.h"
#include "common/path.h"
#include "common/strbuf.h"
#include "common/thread.h"
#include "indexer/library/scan.h"

#define WATCH_MASK (IN_CREATE | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | \
		    IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB | \
		    IN_DONT_FOLLOW | IN_ONLYDIR | IN_EXCL_UNLINK)
#define LATENCY_RING 1024
#define MOVES_KEPT 1024		/* moves away remembered for scans */

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

/* A path under a root: what a watch covers, or what an event touched. */
struct place {
	struct hmap_entry ent;	/* watched: in wt.watched */
	size_t root;
	char *rel;
	int wd;			/* watched: its descriptor */
	double at;		/* touched: when it was seen (monotonic) */
	uint32_t cookie;	/* pending move: the kernel's pairing cookie */
	int isdir;
};

struct place_list {
	struct place *v;
	size_t nr, alloc;
};

static struct {
	struct watch_setup set;		/* for its callbacks */
	char **roots;			/* copies of the roots */
	size_t nr_roots;
	char **libs;			/* Real-Debrid library folders, roots
					 * nr_roots and up, normalized */
	size_t nr_libs;
	long debounce_ms, poll_s, max_watches;
	int fd, wake_fd;		/* wake_fd: stop, or start polling */
	pthread_t thread;
	int running;

	pthread_mutex_t lock;		/* everything below */
	struct place **map;		/* watched, by descriptor */
	size_t map_alloc;
	struct hmap watched;		/* the same, by path */
	struct place_list polled;	/* directories the limit left out */
	struct watch_status st;
	double ring[LATENCY_RING];
	size_t ring_nr, ring_next;
	/* what moved away lately, for scans that met it nowhere */
	struct place gone[MOVES_KEPT];
	size_t gone_next;
	double gone_lost_at;		/* of the latest record written over */

	/* the watcher thread's own batch */
	struct place_list touched, moves;
	double window_start, next_poll;
	int overflowed;
} wt = {
	.fd = -1,
	.wake_fd = -1,
	.gone_lost_at = -1,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.watched = HMAP_INIT,
};

static int list_add(struct place_list *l, size_t root, const char *rel,
		    size_t len)
{
	struct place *p;

	if (l->nr == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 64;

		p = realloc(l->v, n * sizeof(*p));
		if (!p)
			return log_error(-ENOMEM, "watch: out of memory");
		l->v = p;
		l->alloc = n;
	}
	p = &l->v[l->nr];
	memset(p, 0, sizeof(*p));
	p->root = root;
	p->rel = strndup(rel, len);
	if (!p->rel)
		return log_error(-ENOMEM, "watch: out of memory");
	l->nr++;
	return 0;
}

static void list_del(struct place_list *l, size_t i)
{
	free(l->v[i].rel);
	l->v[i] = l->v[--l->nr];
}

static void list_clear(struct place_list *l)
{
	while (l->nr)
		list_del(l, l->nr - 1);
}

static ssize_t list_find(const struct place_list *l, size_t root,
			 const char *rel)
{
	for (size_t i = 0; i < l->nr; i++)
		if (l->v[i].root == root && !strcmp(l->v[i].rel, rel))
			return i;
	return -1;
}

/* The first place of l at rel or below it, or -1. */
static ssize_t list_find_under(const struct place_list *l, size_t root,
			       const char *rel)
{
	for (size_t i = 0; i < l->nr; i++)
		if (l->v[i].root == root && path_under(l->v[i].rel, rel))
			return i;
	return -1;
}

/* The folder of root number root: an indexed root, or a library folder
 * of Real-Debrid links after them. */
static const char *root_path(size_t root)
{
	return root < wt.nr_roots ? wt.roots[root] :
		wt.libs[root - wt.nr_roots];
}

/* Join a directory and a name into a root-relative path. */
static void join(struct strbuf *out, const char *dir, const char *name)
{
	strbuf_reset(out);
	if (*dir) {
		strbuf_addstr(out, dir);
		strbuf_addch(out, '/');
	}
	strbuf_addstr(out, name);
}

static uint64_t place_hash(size_t root, const char *rel, size_t len)
{
	return hash_end(hash_add_bytes(hash_add(HASH_INIT, root), rel, len));
}

static void place_free(struct place *p)
{
	free(p->rel);
	free(p);
}

static void watched_free(struct hmap_entry *e)
{
	place_free(hmap_entry_of(e, struct place, ent));
}

/* Whether the watched place p is rel (len bytes) under root, whose
 * place_hash() is hash: the hash first, which p holds, where the path
 * is one more read from memory. */
static int place_is(const struct place *p, uint64_t hash, size_t root,
		    const char *rel, size_t len)
{
	return p->ent.hash == hash && p->root == root &&
		!strncmp(p->rel, rel, len) && !p->rel[len];
}

/* The watched place at rel (len bytes) under root, or NULL; hash is
 * its place_hash(). */
static struct place *map_find(uint64_t hash, size_t root, const char *rel,
			      size_t len)
{
	struct hmap_entry *e = hmap_get(&wt.watched, hash);

	for (; e; e = hmap_get_next(e)) {
		struct place *p = hmap_entry_of(e, struct place, ent);

		if (place_is(p, hash, root, rel, len))
			return p;
	}
	return NULL;
}

/* How many descriptors after the last one found map_find_near() looks
 * at: as many as the scan looks at rows (scan.c), for the same walk. */
#define NEAR_LOOKS 16

/*
 * map_find() for a walk: a rescan meets the folders in the order the
 * first walk watched them in, the order of their descriptors, so the few
 * after the one this thread found last (*near) are looked at before the
 * table, whose random reads miss the cache each time.
 */
static struct place *map_find_near(size_t root, const char *rel, size_t len,
				   size_t *near)
{
	uint64_t hash = place_hash(root, rel, len);
	struct place *p;

	for (size_t wd = *near; wd < wt.map_alloc && wd < *near + NEAR_LOOKS;
	     wd++)
		if (wt.map[wd] && place_is(wt.map[wd], hash, root, rel, len)) {
			*near = wd + 1;
			return wt.map[wd];
		}
	p = map_find(hash, root, rel, len);
	if (p)
		*near = p->wd + 1;
	return p;
}

static struct place *map_get(int wd)
{
	return wd >= 0 && (size_t)wd < wt.map_alloc ? wt.map[wd] : NULL;
}

static void map_unlink(struct place *p)
{
	hmap_remove(&wt.watched, &p->ent);
	wt.map[p->wd] = NULL;
	wt.st.watches--;
	place_free(p);
}

/* Index p by path; one that had the path under another (stale)
 * descriptor gives way. */
static int map_index(struct place *p)
{
	size_t len = strlen(p->rel);
	uint64_t hash = place_hash(p->root, p->rel, len);
	struct place *stale = map_find(hash, p->root, p->rel, len);

	if (stale)
		map_unlink(stale);
	if (hmap_add(&wt.watched, &p->ent, hash))
		return log_error(-ENOMEM, "watch: out of memory");
	return 0;
}

static void map_set(int wd, size_t root, const char *rel)
{
	struct place *p = calloc(1, sizeof(*p));

	if (!p || !(p->rel = strdup(rel))) {
		free(p);
		log_error(-ENOMEM, "watch: out of memory");
		return;
	}
	p->root = root;
	p->wd = wd;
	if ((size_t)wd >= wt.map_alloc) {
		size_t n = wt.map_alloc ? wt.map_alloc : 1024;
		struct place **m;

		while (n <= (size_t)wd)
			n *= 2;
		m = realloc(wt.map, n * sizeof(*m));
		if (!m) {
			place_free(p);
			log_error(-ENOMEM, "watch: out of memory");
			return;
		}
		memset(m + wt.map_alloc, 0, (n - wt.map_alloc) * sizeof(*m));
		wt.map = m;
		wt.map_alloc = n;
	}
	if (wt.map[wd])
		map_unlink(wt.map[wd]);
	if (map_index(p)) {
		place_free(p);
		return;
	}
	wt.map[wd] = p;
	wt.st.watches++;
}

static void map_drop(int wd)
{
	struct place *p = map_get(wd);

	if (p)
		map_unlink(p);
}

/* A directory renamed inside the tree keeps its watches: only the paths
 * the map gives them change. */
static void map_move(size_t root, const char *from, size_t to_root,
		     const char *to)
{
	struct strbuf sb = STRBUF_INIT;
	size_t flen = strlen(from);

	for (size_t wd = 0; wd < wt.map_alloc; wd++) {
		struct place *p = wt.map[wd];
		char *moved;

		if (!p || p->root != root || !path_under(p->rel, from))
			continue;
		strbuf_reset(&sb);
		strbuf_addstr(&sb, to);
		strbuf_addstr(&sb, p->rel + flen);
		moved = strdup(sb.buf);
		if (!moved)
			continue;
		hmap_remove(&wt.watched, &p->ent);
		free(p->rel);
		p->rel = moved;
		p->root = to_root;
		if (map_index(p)) {
			wt.map[wd] = NULL;
			wt.st.watches--;
			place_free(p);
		}
	}
	strbuf_release(&sb);
}

/* A directory moved out of every root is no longer ours to watch. */
static void map_forget(size_t root, const char *dir)
{
	for (size_t wd = 0; wd < wt.map_alloc; wd++)
		if (wt.map[wd] && wt.map[wd]->root == root &&
		    path_under(wt.map[wd]->rel, dir))
			inotify_rm_watch(wt.fd, wd);
}

void watch_forget(size_t root, const char *rel)
{
	ssize_t i;

	if (!__atomic_load_n(&wt.running, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&wt.lock);
	map_forget(root, rel);
	while ((i = list_find_under(&wt.polled, root, rel)) >= 0)
		list_del(&wt.polled, i);
	wt.st.polled_dirs = wt.polled.nr;
	pthread_mutex_unlock(&wt.lock);
}

static void wake_watcher(void)
{
	uint64_t one = 1;

	if (write(wt.wake_fd, &one, sizeof(one)) != sizeof(one))
		log_error(-errno, "watch: cannot wake the watcher");
}

/* Add the watch of the folder open as dirfd, or found at path when there
 * is no descriptor, or no /proc to reach it through. */
static int add_watch(int dirfd, const char *path)
{
	char link[32];
	int wd;

	if (dirfd >= 0) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		wd = inotify_add_watch(wt.fd, link, WATCH_MASK &
				       ~IN_DONT_FOLLOW);
		if (wd >= 0 || errno != ENOENT)
			return wd;
	}
	return inotify_add_watch(wt.fd, path, WATCH_MASK);
}

void watch_dir(size_t root, const char *rel, size_t len, int dirfd)
{
	static __thread size_t near;
	struct strbuf path = STRBUF_INIT;
	int wd, err, full, wake = 0;

	if (!__atomic_load_n(&wt.running, __ATOMIC_ACQUIRE))
		return;
	/* A rescan walks folders already watched: adding a watch again
	 * would cost a syscall and a pass over the folder's entries. */
	pthread_mutex_lock(&wt.lock);
	wd = map_find_near(root, rel, len, &near) != NULL;
	full = wt.max_watches && wt.st.watches >= (uint64_t)wt.max_watches;
	pthread_mutex_unlock(&wt.lock);
	if (wd)
		return;
	strbuf_addstr(&path, root_path(root));
	if (len) {
		strbuf_addch(&path, '/');
		strbuf_add(&path, rel, len);
	}
	wd = full ? -1 : add_watch(dirfd, path.buf);
	err = full ? ENOSPC : errno;
	strbuf_reset(&path);
	strbuf_add(&path, rel, len);
	pthread_mutex_lock(&wt.lock);
	if (wd >= 0) {
		ssize_t i;

		map_set(wd, root, path.buf);
		i = list_find(&wt.polled, root, path.buf);
		if (i >= 0)
			list_del(&wt.polled, i);
	} else if (err == ENOSPC && list_find(&wt.polled, root,
						 path.buf) < 0) {
		if (!wt.polled.nr) {
			log_warn("watch: watch limit reached; folders without"
				 " a watch are rescanned every %lds", wt.poll_s);
			wt.next_poll = clock_mono() + wt.poll_s;
			wake = 1;
		}
		list_add(&wt.polled, root, rel, len);
	} else if (err != ENOSPC) {
		log_debug("watch: cannot watch %s/%s: %s",
			  root_path(root), path.buf, strerror(err));
	}
	wt.st.polled_dirs = wt.polled.nr;
	pthread_mutex_unlock(&wt.lock);
	strbuf_release(&path);
	/* The watcher may be asleep with no timer: start its poll clock. */
	if (wake)
		wake_watcher();
}

void watch_renew(size_t root)
{
	int wd;

	if (!__atomic_load_n(&wt.running, __ATOMIC_ACQUIRE))
		return;
	wd = add_watch(-1, root_path(root));
	if (wd < 0) {
		log_debug("watch: cannot watch %s: %s", root_path(root),
			  strerror(errno));
		return;
	}
	pthread_mutex_lock(&wt.lock);
	map_set(wd, root, "");
	pthread_mutex_unlock(&wt.lock);
}

void watch_library_dir(const char *dir)
{
	size_t best = 0, best_len = 0;

	if (!__atomic_load_n(&wt.running, __ATOMIC_ACQUIRE))
		return;
	/* One folder has one watch: an indexed root's stays the scanner's. */
	for (size_t i = 0; i < wt.nr_roots; i++)
		if (path_under(dir, wt.roots[i]))
			return;
	for (size_t i = 0; i < wt.nr_libs; i++) {
		size_t len = strlen(wt.libs[i]);

		if (len > best_len && path_under(dir, wt.libs[i])) {
			best = i;
			best_len = len;
		}
	}
	if (!best_len)
		return;
	dir += best_len;
	if (*dir == '/')
		dir++;
	watch_dir(wt.nr_roots + best, dir, strlen(dir), -1);
}

/* Note a path for this window's scan. A burst of events repeats paths;
 * only an immediate repeat is skipped here, submit() drops the rest once
 * the list is sorted, so a large burst costs no quadratic search. */
static void touch(size_t root, const char *rel, double at)
{
	const struct place *last = wt.touched.nr ?
		&wt.touched.v[wt.touched.nr - 1] : NULL;

	if (!wt.window_start)
		wt.window_start = at;
	if (last && last->root == root && !strcmp(last->rel, rel))
		return;
	if (!list_add(&wt.touched, root, rel, strlen(rel)))
		wt.touched.v[wt.touched.nr - 1].at = at;
}

/* The closest directory holding both paths, which a rescan must cover for
 * the scanner to see both ends of a rename and keep the file's id. */
static void common_dir(const char *a, const char *b, struct strbuf *out)
{
	size_t n = 0, i;

	for (i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			n = i;
	if ((!a[i] && b[i] == '/') || (!b[i] && a[i] == '/'))
		n = i;
	strbuf_reset(out);
	strbuf_add(out, a, n);
}

static void moved_to(size_t root, const char *to, uint32_t cookie,
		     int isdir, double at)
{
	struct strbuf dir = STRBUF_INIT;

	for (size_t i = 0; i < wt.moves.nr; i++) {
		struct place *from = &wt.moves.v[i];

		if (from->cookie != cookie)
			continue;
		if (isdir) {
			pthread_mutex_lock(&wt.lock);
			map_move(from->root, from->rel, root, to);
			pthread_mutex_unlock(&wt.lock);
		}
		if (from->root == root) {
			common_dir(from->rel, to, &dir);
			touch(root, dir.buf, from->at);
		} else {
			touch(from->root, from->rel, from->at);
			touch(root, to, at);
		}
		list_del(&wt.moves, i);
		strbuf_release(&dir);
		return;
	}
	touch(root, to, at);
}

/* A created file is scanned when its writer closes it; what is complete
 * at creation (a directory, a symlink, a hard link) is scanned now. */
static int complete_at_creation(const char *root, const char *rel)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int done;

	strbuf_addf(&path, "%s/%s", root, rel);
	done = !lstat(path.buf, &st) &&
		(S_ISLNK(st.st_mode) || st.st_nlink > 1);
	strbuf_release(&path);
	return done;
}

static int is_symlink(const char *root, const char *rel)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int link;

	strbuf_addf(&path, "%s/%s", root, rel);
	link = !lstat(path.buf, &st) && S_ISLNK(st.st_mode);
	strbuf_release(&path);
	return link;
}

static enum watch_kind event_kind(uint32_t mask)
{
	static const struct {
		uint32_t mask;
		enum watch_kind kind;
	} kinds[] = {
		{ IN_Q_OVERFLOW, WATCH_OVERFLOW },
		{ IN_CREATE, WATCH_CREATE },
		{ IN_CLOSE_WRITE, WATCH_CLOSE_WRITE },
		{ IN_DELETE, WATCH_DELETE },
		{ IN_MOVED_FROM, WATCH_MOVED_FROM },
		{ IN_MOVED_TO, WATCH_MOVED_TO },
		{ IN_DELETE_SELF, WATCH_DELETE_SELF },
		{ IN_MOVE_SELF, WATCH_MOVE_SELF },
	};

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (mask & kinds[i].mask)
			return kinds[i].kind;
	return WATCH_ATTRIB;
}

/* Keep what moved away for watch_moved_since(); the oldest record gives
 * way to the newest. */
static void moved_away(size_t root, const char *rel, double at)
{
	char *copy = strdup(rel);
	struct place *p;

	if (!copy) {
		log_error(-ENOMEM, "watch: out of memory");
		return;
	}
	pthread_mutex_lock(&wt.lock);
	p = &wt.gone[wt.gone_next++ % MOVES_KEPT];
	if (p->rel) {
		wt.gone_lost_at = p->at;
		free(p->rel);
	}
	p->root = root;
	p->rel = copy;
	p->at = at;
	pthread_mutex_unlock(&wt.lock);
}

int watch_moved_since(size_t root, const char *rel, double since)
{
	double newest;
	int moved;

	if (!__atomic_load_n(&wt.running, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&wt.lock);
	/* a record written over may have named it */
	moved = wt.gone_lost_at >= since;
	/* none since: the usual answer, for each file a deletion took */
	newest = wt.gone_next ? wt.gone[(wt.gone_next - 1) % MOVES_KEPT].at :
		-1;
	for (size_t i = 0; !moved && newest >= since && i < MOVES_KEPT; i++) {
		const struct place *p = &wt.gone[i];

		moved = p->rel && p->at >= since && p->root == root &&
			path_under(rel, p->rel);
	}
	pthread_mutex_unlock(&wt.lock);
	return moved;
}

static void handle_event(const struct inotify_event *ev, double now,
			 struct strbuf *path)
{
	enum watch_kind kind = event_kind(ev->mask);
	int isdir = !!(ev->mask & IN_ISDIR);
	const struct place *watched;
	const char *top;
	size_t root;

	pthread_mutex_lock(&wt.lock);
	if (ev->mask & IN_IGNORED) {
		map_drop(ev->wd);
		pthread_mutex_unlock(&wt.lock);
		return;
	}
	wt.st.events++;
	wt.st.by_kind[kind]++;
	wt.st.last_event_at = clock_wall();
	if (kind == WATCH_OVERFLOW) {
		wt.st.overflows++;
		pthread_mutex_unlock(&wt.lock);
		log_warn("watch: inotify queue overflowed; rescanning every"
			 " root");
		wt.overflowed = 1;
		if (!wt.window_start)
			wt.window_start = now;
		return;
	}
	watched = map_get(ev->wd);
	if (!watched || !ev->len) {
		pthread_mutex_unlock(&wt.lock);
		return;
	}
	root = watched->root;
	join(path, watched->rel, ev->name);
	pthread_mutex_unlock(&wt.lock);
	top = root_path(root);

	switch (kind) {
	case WATCH_CREATE:
		if (isdir || complete_at_creation(top, path->buf))
			touch(root, path->buf, now);
		break;
	case WATCH_CLOSE_WRITE:
	case WATCH_DELETE:
		touch(root, path->buf, now);
		break;
	case WATCH_ATTRIB:
		if (is_symlink(top, path->buf))
			touch(root, path->buf, now);
		break;
	case WATCH_MOVED_FROM:
		moved_away(root, path->buf, now);
		if (!list_add(&wt.moves, root, path->buf, path->len)) {
			wt.moves.v[wt.moves.nr - 1].cookie = ev->cookie;
			wt.moves.v[wt.moves.nr - 1].isdir = isdir;
			wt.moves.v[wt.moves.nr - 1].at = now;
		}
		if (!wt.window_start)
			wt.window_start = now;
		break;
	case WATCH_MOVED_TO:
		moved_to(root, path->buf, ev->cookie, isdir, now);
		break;
	default:
		break;
	}
}

/* Order by root and path, and equal paths by when they were seen, so the
 * one submit() keeps carries the earliest time. */
static int cmp_place(const void *a, const void *b)
{
	const struct place *x = a, *y = b;
	int c;

	if (x->root != y->root)
		return x->root < y->root ? -1 : 1;
	c = strcmp(x->rel, y->rel);
	if (c)
		return c;
	return (x->at > y->at) - (x->at < y->at);
}

/* Hand the touched paths to the scanner in one go, each once, leaving
 * out those below another touched directory, which its scan covers.
 * Paths under the Real-Debrid library folders, sorted last, go to the
 * repair's links instead. */
static size_t submit(struct place_list *l, const char *trigger)
{
	char **paths = calloc(l->nr ? l->nr : 1, sizeof(*paths));
	double *at = calloc(l->nr ? l->nr : 1, sizeof(*at));
	const struct place *keep = NULL;
	size_t n = 0, indexed = 0;
	int queued = 0;

	if (!paths || !at) {
		log_error(-ENOMEM, "watch: out of memory");
		goto out;
	}
	if (l->nr > 1)	/* an empty list may have no array to give qsort() */
		qsort(l->v, l->nr, sizeof(*l->v), cmp_place);
	for (size_t i = 0; i < l->nr; i++) {
		const struct place *p = &l->v[i];

		if (keep && keep->root == p->root &&
		    path_under(p->rel, keep->rel))
			continue;
		keep = p;
		if (asprintf(&paths[n], "%s%s%s", root_path(p->root),
			     *p->rel ? "/" : "", p->rel) < 0) {
			paths[n] = NULL;
			log_error(-ENOMEM, "watch: out of memory");
			break;
		}
		at[n++] = p->at;
		indexed += p->root < wt.nr_roots;
	}
	if (indexed)
		queued = wt.set.rescan(trigger, paths, at, indexed);
	if (n > indexed) {
		wt.set.libs_changed(paths + indexed, n - indexed);
		queued = (queued > 0 ? queued : 0) + n - indexed;
	}
out:
	for (size_t i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
	free(at);
	return queued > 0 ? queued : 0;
}

/* The window is over: what moved out without coming back was deleted, and
 * the rest goes to the scanner in one batch. */
static void flush(void)
{
	size_t n;

	while (wt.moves.nr) {
		struct place *p = &wt.moves.v[wt.moves.nr - 1];

		if (p->isdir) {
			pthread_mutex_lock(&wt.lock);
			map_forget(p->root, p->rel);
			pthread_mutex_unlock(&wt.lock);
		}
		touch(p->root, p->rel, p->at);
		list_del(&wt.moves, wt.moves.nr - 1);
	}
	if (wt.overflowed) {
		n = !wt.set.rescan_all("watch");
		if (wt.nr_libs)
			wt.set.libs_changed(NULL, 0);
		wt.overflowed = 0;
	} else {
		n = submit(&wt.touched, "watch");
	}
	list_clear(&wt.touched);
	wt.window_start = 0;
	pthread_mutex_lock(&wt.lock);
	wt.st.batches++;
	wt.st.paths_submitted += n;
	pthread_mutex_unlock(&wt.lock);
}

/* Directories left without a watch are rescanned on a timer; one that
 * has gone needs no more polling. */
static void poll_unwatched(void)
{
	struct place_list due = { 0 };

	pthread_mutex_lock(&wt.lock);
	for (size_t i = 0; i < wt.polled.nr; i++) {
		struct place *p = &wt.polled.v[i];
		struct strbuf path = STRBUF_INIT;
		struct stat st;

		strbuf_addf(&path, "%s/%s", root_path(p->root), p->rel);
		if (lstat(path.buf, &st) && errno == ENOENT)
			list_del(&wt.polled, i--);
		else
			list_add(&due, p->root, p->rel, strlen(p->rel));
		strbuf_release(&path);
	}
	wt.st.polled_dirs = wt.polled.nr;
	wt.next_poll = clock_mono() + wt.poll_s;
	pthread_mutex_unlock(&wt.lock);
	submit(&due, "schedule");
	list_clear(&due);
	free(due.v);
}

static int poll_due(double now)
{
	int due;

	pthread_mutex_lock(&wt.lock);
	due = wt.polled.nr && now >= wt.next_poll;
	pthread_mutex_unlock(&wt.lock);
	return due;
}

/* Milliseconds poll() may sleep: until the window closes or the next
 * poll of unwatched directories, whichever comes first. */
static int next_timeout(double now)
{
	double until = -1;

	if (wt.window_start)
		until = wt.window_start + wt.debounce_ms / 1000.0 - now;
	pthread_mutex_lock(&wt.lock);
	if (wt.polled.nr && (until < 0 || wt.next_poll - now < until))
		until = wt.next_poll - now;
	pthread_mutex_unlock(&wt.lock);
	if (until < 0)
		return wt.window_start || wt.polled.nr ? 0 : -1;
	return (int)(until * 1000) + 1;
}

static void *watch_main(void *unused)
{
	static char buf[64 * 1024]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	struct strbuf path = STRBUF_INIT;

	(void)unused;
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = wt.fd, .events = POLLIN },
			{ .fd = wt.wake_fd, .events = POLLIN },
		};
		double now = clock_mono();
		ssize_t n;

		if (poll(fds, 2, next_timeout(now)) < 0 && errno != EINTR) {
			log_error(-errno, "watch: poll: %s", strerror(errno));
			break;
		}
		if (fds[1].revents) {
			uint64_t count;

			if (read(wt.wake_fd, &count, sizeof(count)) < 0 &&
			    errno != EAGAIN)
				log_error(-errno, "watch: eventfd: %s",
					  strerror(errno));
			if (!__atomic_load_n(&wt.running, __ATOMIC_ACQUIRE))
				break;
		}
		now = clock_mono();
		while ((n = read(wt.fd, buf, sizeof(buf))) > 0) {
			for (char *p = buf; p < buf + n;) {
				const struct inotify_event *ev = (void *)p;

				handle_event(ev, now, &path);
				p += sizeof(*ev) + ev->len;
			}
		}
		now = clock_mono();
		if (wt.window_start &&
		    now >= wt.window_start + wt.debounce_ms / 1000.0)
			flush();
		if (poll_due(now))
			poll_unwatched();
	}
	strbuf_release(&path);
	return NULL;
}

static void free_paths(char **v, size_t nr)
{
	for (size_t i = 0; v && i < nr; i++)
		free(v[i]);
	free(v);
}

/* A copy of nr strings, or NULL (logged) when out of memory. */
static char **copy_paths(char *const *v, size_t nr)
{
	char **c = calloc(nr + 1, sizeof(*c));

	for (size_t i = 0; c && i < nr; i++) {
		c[i] = strdup(v[i]);
		if (!c[i]) {
			free_paths(c, i);
			c = NULL;
		}
	}
	if (!c)
		log_error(-ENOMEM, "watch: out of memory");
	return c;
}

static void paths_free(void)
{
	free_paths(wt.roots, wt.nr_roots);
	free_paths(wt.libs, wt.nr_libs);
	wt.roots = wt.libs = NULL;
	wt.nr_roots = wt.nr_libs = 0;
}

/* The roots and library folders are copied at each start, as a reload
 * may change them while the configuration they came from goes. */
int watch_start(const struct config *cfg, const struct watch_setup *set)
{
	int rc;

	wt.set = *set;
	wt.roots = copy_paths((char *const *)set->roots, set->nr_roots);
	wt.libs = copy_paths(set->libs, set->nr_libs);
	if (!wt.roots || !wt.libs) {
		free_paths(wt.roots, set->nr_roots);
		free_paths(wt.libs, set->nr_libs);
		wt.roots = wt.libs = NULL;
		return -ENOMEM;
	}
	wt.nr_roots = set->nr_roots;
	wt.nr_libs = set->nr_libs;
	wt.debounce_ms = cfg->watch_debounce_ms;
	wt.poll_s = cfg->poll_interval_s;
	wt.max_watches = cfg->max_watches;
	wt.st.debounce_ms = wt.debounce_ms;
	wt.st.poll_interval_s = wt.poll_s;
	wt.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (wt.fd < 0) {
		rc = -errno;
		paths_free();
		return log_error(rc, "watch: inotify unavailable: %s",
				 strerror(-rc));
	}
	wt.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (wt.wake_fd < 0) {
		rc = log_error(-errno, "watch: eventfd: %s", strerror(errno));
		goto fail;
	}
	__atomic_store_n(&wt.running, 1, __ATOMIC_RELEASE);
	rc = thread_start(&wt.thread, watch_main, NULL, "mm-watch");
	if (!rc) {
		wt.st.enabled = 1;
		return 0;
	}
	log_error(rc, "watch: cannot start thread");
	__atomic_store_n(&wt.running, 0, __ATOMIC_RELEASE);
fail:
	if (wt.wake_fd >= 0)
		close(wt.wake_fd);
	close(wt.fd);
	wt.fd = wt.wake_fd = -1;
	paths_free();
	return rc;
}

void watch_stop(void)
{
	if (!__atomic_load_n(&wt.running, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&wt.running, 0, __ATOMIC_RELEASE);
	wake_watcher();
	pthread_join(wt.thread, NULL);
	close(wt.fd);
	close(wt.wake_fd);
	wt.fd = wt.wake_fd = -1;
	hmap_release(&wt.watched, watched_free);
	free(wt.map);
	wt.map = NULL;
	wt.map_alloc = 0;
	list_clear(&wt.polled);
	list_clear(&wt.touched);
	list_clear(&wt.moves);
	for (size_t i = 0; i < MOVES_KEPT; i++) {
		free(wt.gone[i].rel);
		wt.gone[i].rel = NULL;
	}
	wt.gone_next = 0;
	wt.gone_lost_at = -1;
	free(wt.polled.v);
	free(wt.touched.v);
	free(wt.moves.v);
	memset(&wt.polled, 0, sizeof(wt.polled));
	memset(&wt.touched, 0, sizeof(wt.touched));
	memset(&wt.moves, 0, sizeof(wt.moves));
	wt.st.enabled = 0;
	wt.st.watches = 0;
	paths_free();
}

void watch_latency(double seconds)
{
	pthread_mutex_lock(&wt.lock);
	wt.ring[wt.ring_next] = seconds * 1000.0;
	wt.ring_next = (wt.ring_next + 1) % LATENCY_RING;
	if (wt.ring_nr < LATENCY_RING)
		wt.ring_nr++;
	wt.st.latency_samples++;
	pthread_mutex_unlock(&wt.lock);
}

void watch_reset_counters(void)
{
	pthread_mutex_lock(&wt.lock);
	wt.st.overflows = 0;
	wt.st.events = 0;
	memset(wt.st.by_kind, 0, sizeof(wt.st.by_kind));
	wt.st.batches = 0;
	wt.st.paths_submitted = 0;
	wt.st.latency_samples = 0;
	wt.ring_nr = 0;
	wt.ring_next = 0;
	pthread_mutex_unlock(&wt.lock);
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

	pthread_mutex_lock(&wt.lock);
	*out = wt.st;
	n = wt.ring_nr;
	memcpy(sorted, wt.ring, n * sizeof(*sorted));
	pthread_mutex_unlock(&wt.lock);
	if (!n)
		return;
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	out->latency_p50_ms = sorted[(n - 1) / 2];
	out->latency_p95_ms = sorted[(size_t)((n - 1) * 0.95)];
	out->latency_max_ms = sorted[n - 1];
}
