/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The watcher's watches: a place per inotify descriptor, found by
 * descriptor and by path, kept as folders are walked, renamed and moved
 * away; the directories the watch limit left out, polled instead; the
 * lists of places the watcher's files share. It reads no event and
 * hands nothing to the scanner; that is watch_events.c's. It calls no
 * other file of the watcher: it returns what its callers must do.
 * A watch goes from the map when the kernel drops it (IN_IGNORED: the
 * folder deleted, its file system gone) or when the map removes it
 * itself (watch_map_forget(): moved out of the roots, or forgotten by
 * the store), then at once; a folder watched again (a root renewed, a
 * scan's walk after an overflow, which may have hidden an IN_IGNORED)
 * keeps its descriptor if the kernel still watches it, and a
 * descriptor found at another path takes the place of the old one.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/types.h>

#include "common/array.h"
#include "common/clock.h"
#include "common/hash.h"
#include "common/hmap.h"
#include "common/log.h"
#include "common/path.h"
#include "common/strbuf.h"
#include "indexer/library/watch_private.h"

#define WATCH_MASK (IN_CREATE | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | \
		    IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB | \
		    IN_DONT_FOLLOW | IN_ONLYDIR | IN_EXCL_UNLINK)

int watch_list_add(struct watch_place_list *l, size_t root, const char *rel,
		   size_t len)
{
	struct watch_place *p = array_grow(l->v, l->nr, &l->alloc,
					  sizeof(*p), 64);

	if (!p)
		return log_error(-ENOMEM, "watch: out of memory");
	l->v = p;
	p = &l->v[l->nr];
	memset(p, 0, sizeof(*p));
	p->root = root;
	p->rel = strndup(rel, len);
	if (!p->rel)
		return log_error(-ENOMEM, "watch: out of memory");
	l->nr++;
	return 0;
}

void watch_list_del(struct watch_place_list *l, size_t i)
{
	free(l->v[i].rel);
	l->v[i] = l->v[--l->nr];
}

void watch_list_clear(struct watch_place_list *l)
{
	while (l->nr)
		watch_list_del(l, l->nr - 1);
}

const char *watch_root_path(size_t root)
{
	return root < watch_wt.nr_roots ? watch_wt.roots[root] :
		watch_wt.libs[root - watch_wt.nr_roots];
}

static uint64_t place_hash(size_t root, const char *rel, size_t len)
{
	return hash_end(hash_add_bytes(hash_add(HASH_INIT, root), rel, len));
}

static void place_free(struct watch_place *p)
{
	free(p->rel);
	free(p);
}

void watch_map_entry_free(struct hmap_entry *e)
{
	place_free(hmap_entry_of(e, struct watch_place, ent));
}

/* Whether the watched place p is rel (len bytes) under root, whose
 * place_hash() is hash: the hash first, which p holds, where the path
 * is one more read from memory. */
static int place_is(const struct watch_place *p, uint64_t hash, size_t root,
		    const char *rel, size_t len)
{
	return p->ent.hash == hash && p->root == root &&
		!strncmp(p->rel, rel, len) && !p->rel[len];
}

/* The place of m (watch_wt.watched or watch_wt.polled) at rel (len
 * bytes) under root, or NULL; hash is its place_hash(). */
static struct watch_place *place_find(const struct hmap *m, uint64_t hash,
				      size_t root, const char *rel,
				      size_t len)
{
	struct hmap_entry *e = hmap_get(m, hash);

	for (; e; e = hmap_get_next(e)) {
		struct watch_place *p =
			hmap_entry_of(e, struct watch_place, ent);

		if (place_is(p, hash, root, rel, len))
			return p;
	}
	return NULL;
}

/* The watched folder right above p by its path (NULL: none, or p is
 * its root's own). */
static struct watch_place *above(const struct watch_place *p)
{
	const char *slash = strrchr(p->rel, '/');
	size_t len = slash ? (size_t)(slash - p->rel) : 0;

	if (!*p->rel)
		return NULL;
	return place_find(&watch_wt.watched, place_hash(p->root, p->rel, len),
			  p->root, p->rel, len);
}

/* Whether the watched p is an orphan: below its root, with no watched
 * folder above it (counted in watch_wt.orphans). */
static int orphan(const struct watch_place *p)
{
	return *p->rel && !p->parent;
}

/* Put the watched p below parent (NULL: below none). */
static void set_parent(struct watch_place *p, struct watch_place *parent)
{
	watch_wt.orphans -= orphan(p);
	if (p->parent) {
		if (p->prev)
			p->prev->next = p->next;
		else
			p->parent->child = p->next;
		if (p->next)
			p->next->prev = p->prev;
	}
	p->parent = parent;
	p->prev = NULL;
	p->next = parent ? parent->child : NULL;
	if (p->next)
		p->next->prev = p;
	if (parent)
		parent->child = p;
	watch_wt.orphans += orphan(p);
}

/* Take the new watched p into the tree, below the folder above it. */
static void tree_add(struct watch_place *p)
{
	watch_wt.orphans += orphan(p);
	set_parent(p, above(p));
}

/* Take the watched p out of the tree: what was below it is below
 * none. */
static void tree_del(struct watch_place *p)
{
	while (p->child)
		set_parent(p->child, NULL);
	set_parent(p, NULL);
	watch_wt.orphans -= orphan(p);
}

static void polled_del(struct watch_place *p)
{
	hmap_remove(&watch_wt.polled, &p->ent);
	place_free(p);
}

void watch_polled_drop(size_t root, const char *rel)
{
	size_t len = strlen(rel);
	uint64_t hash = place_hash(root, rel, len);
	struct watch_place *p = place_find(&watch_wt.polled, hash, root, rel,
					   len);

	if (p)
		polled_del(p);
}

/* Poll rel (len bytes) under root, whose place_hash() is hash, once. */
static void polled_add(uint64_t hash, size_t root, const char *rel,
		       size_t len)
{
	struct watch_place *p;

	if (place_find(&watch_wt.polled, hash, root, rel, len))
		return;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->rel = strndup(rel, len)) ||
	    hmap_add(&watch_wt.polled, &p->ent, hash)) {
		if (p)
			free(p->rel);
		free(p);
		log_error(-ENOMEM, "watch: out of memory");
		return;
	}
	p->root = root;
}

/* How many descriptors after the last one found map_find_near() looks
 * at: as many as the scan looks at rows (scan.c), for the same walk. */
#define NEAR_LOOKS 16

/*
 * place_find() of the watched for a walk: a rescan meets the folders in
 * the order the first walk watched them in, the order of their
 * descriptors, so the few after the one this thread found last (*near)
 * are looked at before the table, whose random reads miss the cache each
 * time.
 */
static struct watch_place *map_find_near(size_t root, const char *rel,
					 size_t len, size_t *near)
{
	uint64_t hash = place_hash(root, rel, len);
	struct watch_place *p;

	for (size_t wd = *near;
	     wd < watch_wt.map_alloc && wd < *near + NEAR_LOOKS; wd++)
		if (watch_wt.map[wd] &&
		    place_is(watch_wt.map[wd], hash, root, rel, len)) {
			*near = wd + 1;
			return watch_wt.map[wd];
		}
	p = place_find(&watch_wt.watched, hash, root, rel, len);
	if (p)
		*near = p->wd + 1;
	return p;
}

struct watch_place *watch_map_get(int wd)
{
	return wd >= 0 && (size_t)wd < watch_wt.map_alloc ?
		watch_wt.map[wd] : NULL;
}

static void map_unlink(struct watch_place *p)
{
	tree_del(p);
	hmap_remove(&watch_wt.watched, &p->ent);
	watch_wt.map[p->wd] = NULL;
	watch_wt.st.watches--;
	place_free(p);
}

/* Index p by path, out of the tree (as new, or moved: tree_add() then
 * takes it in); one that had the path under another (stale) descriptor
 * gives way, what was below it left to p. */
static int map_index(struct watch_place *p)
{
	size_t len = strlen(p->rel);
	uint64_t hash = place_hash(p->root, p->rel, len);
	struct watch_place *stale = place_find(&watch_wt.watched, hash,
					       p->root, p->rel, len);

	if (stale) {
		while (stale->child)
			set_parent(stale->child, p);
		map_unlink(stale);
	}
	if (hmap_add(&watch_wt.watched, &p->ent, hash))
		return log_error(-ENOMEM, "watch: out of memory");
	return 0;
}

static void map_set(int wd, size_t root, const char *rel)
{
	struct watch_place *p = calloc(1, sizeof(*p));

	if (!p || !(p->rel = strdup(rel))) {
		free(p);
		log_error(-ENOMEM, "watch: out of memory");
		return;
	}
	p->root = root;
	p->wd = wd;
	p->at = clock_mono();
	if ((size_t)wd >= watch_wt.map_alloc) {
		size_t n = watch_wt.map_alloc ? watch_wt.map_alloc : 1024;
		struct watch_place **m;

		while (n <= (size_t)wd)
			n *= 2;
		m = realloc(watch_wt.map, n * sizeof(*m));
		if (!m) {
			place_free(p);
			log_error(-ENOMEM, "watch: out of memory");
			return;
		}
		memset(m + watch_wt.map_alloc, 0,
		       (n - watch_wt.map_alloc) * sizeof(*m));
		watch_wt.map = m;
		watch_wt.map_alloc = n;
	}
	if (watch_wt.map[wd] && place_is(watch_wt.map[wd],
					 place_hash(root, rel, strlen(rel)),
					 root, rel, strlen(rel))) {
		/* the same folder watched again (a root back, a walk
		 * after an overflow) */
		watch_wt.map[wd]->at = p->at;
		place_free(p);
		return;
	}
	if (watch_wt.map[wd])
		map_unlink(watch_wt.map[wd]);
	if (map_index(p)) {
		place_free(p);
		return;
	}
	tree_add(p);
	watch_wt.map[wd] = p;
	watch_wt.st.watches++;
}

void watch_map_drop(int wd)
{
	struct watch_place *p = watch_map_get(wd);

	if (p)
		map_unlink(p);
}

/* Add p and the watched places below it to the list l, deepest last. */
static int gather_below(struct watch_place *p, struct watch_place ***l,
			size_t *nr, size_t *alloc)
{
	size_t at = *nr;
	struct watch_place **v = array_grow(*l, *nr, alloc, sizeof(**l), 64);

	if (!v)
		return -ENOMEM;
	*l = v;
	v[(*nr)++] = p;
	/* a list, not a recursion: folders nest as deep as a user likes */
	for (; at < *nr; at++)
		for (struct watch_place *c = (*l)[at]->child; c; c = c->next) {
			v = array_grow(*l, *nr, alloc, sizeof(**l), 64);
			if (!v)
				return -ENOMEM;
			*l = v;
			v[(*nr)++] = c;
		}
	return 0;
}

/* The watched places at from under root and below it, into *l (*nr of
 * them): through the tree from from's own, or, when from has no watch
 * or some place has none above it, by a look at every watch. Returns 0
 * or -ENOMEM. */
static int gather_under(size_t root, const char *from,
			struct watch_place ***l, size_t *nr)
{
	size_t len = strlen(from), alloc = 0;
	struct watch_place *top = place_find(&watch_wt.watched,
					     place_hash(root, from, len),
					     root, from, len);
	struct watch_place **v;

	*l = NULL;
	*nr = 0;
	if (top && !watch_wt.orphans)
		return gather_below(top, l, nr, &alloc);
	for (size_t wd = 0; wd < watch_wt.map_alloc; wd++) {
		struct watch_place *p = watch_wt.map[wd];

		if (!p || p->root != root || !path_under(p->rel, from))
			continue;
		v = array_grow(*l, *nr, &alloc, sizeof(**l), 64);
		if (!v)
			return -ENOMEM;
		*l = v;
		v[(*nr)++] = p;
	}
	return 0;
}

/* Give the watched p the path to plus what follows from in its own,
 * under to_root; a place that cannot be indexed again is dropped
 * (NULL into *p). */
static void move_place(struct watch_place **p, size_t flen, size_t to_root,
		       const char *to)
{
	struct watch_place *w = *p;
	char *moved;

	if (asprintf(&moved, "%s%s", to, w->rel + flen) < 0) {
		log_error(-ENOMEM, "watch: out of memory: %s keeps its path",
			  w->rel);
		return;
	}
	hmap_remove(&watch_wt.watched, &w->ent);
	free(w->rel);
	w->rel = moved;
	w->root = to_root;
	if (map_index(w)) {
		tree_del(w);
		watch_wt.map[w->wd] = NULL;
		watch_wt.st.watches--;
		place_free(w);
		*p = NULL;
	}
}

void watch_map_move(size_t root, const char *from, size_t to_root,
		    const char *to)
{
	struct watch_place **l;
	size_t nr;

	if (gather_under(root, from, &l, &nr)) {
		log_error(-ENOMEM, "watch: out of memory: a move's watches"
			  " keep their old paths");
		nr = 0;
	}
	for (size_t i = 0; i < nr; i++)
		move_place(&l[i], strlen(from), to_root, to);
	/* then, each below the folder its new path puts it under */
	for (size_t i = 0; i < nr; i++)
		if (l[i])
			set_parent(l[i], above(l[i]));
	free(l);
}

void watch_map_roots_of(size_t instance, unsigned char *mark)
{
	for (size_t wd = instance; wd < watch_wt.map_alloc;
	     wd += watch_wt.nr_fds)
		if (watch_wt.map[wd])
			mark[watch_wt.map[wd]->root] = 1;
}

void watch_map_forget(size_t root, const char *dir)
{
	struct watch_place **l;
	size_t nr;

	if (gather_under(root, dir, &l, &nr)) {
		log_error(-ENOMEM, "watch: out of memory: the watches below"
			  " %s stay", dir);
		nr = 0;
	}
	/*
	 * Each out of the map now, not at the kernel's IN_IGNORED: a folder
	 * made at the path meanwhile and walked by a scan would find the
	 * old place there, take itself for watched, and be left with no
	 * watch once IN_IGNORED took the place away. What the old watches
	 * still say is then said of no place.
	 */
	for (size_t i = 0; i < nr; i++) {
		watch_queue_rm(l[i]->wd);
		map_unlink(l[i]);
	}
	free(l);
}

void watch_forget(size_t root, const char *rel)
{
	struct hmap_iter it = HMAP_ITER_INIT;
	struct hmap_entry *e;

	if (!__atomic_load_n(&watch_wt.running, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&watch_wt.lock);
	watch_map_forget(root, rel);
	while ((e = hmap_next(&watch_wt.polled, &it))) {
		struct watch_place *p =
			hmap_entry_of(e, struct watch_place, ent);

		if (p->root == root && path_under(p->rel, rel))
			polled_del(p);
	}
	watch_wt.st.polled_dirs = watch_wt.polled.nr;
	pthread_mutex_unlock(&watch_wt.lock);
}

/* Add the watch of the folder of root open as dirfd, or found at path
 * when there is no descriptor, or no /proc to reach it through. */
static int add_watch(size_t root, int dirfd, const char *path)
{
	char link[32];
	int wd;

	if (dirfd >= 0) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		wd = watch_queue_add(root, link, WATCH_MASK &
				     ~IN_DONT_FOLLOW);
		if (wd >= 0 || errno != ENOENT)
			return wd;
	}
	return watch_queue_add(root, path, WATCH_MASK);
}

int watch_map_dir(size_t root, const char *rel, size_t len, int dirfd)
{
	static __thread size_t near;
	struct strbuf path = STRBUF_INIT;
	struct watch_place *p;
	int wd, err, full, wake = 0;
	uint64_t hash;

	if (!__atomic_load_n(&watch_wt.running, __ATOMIC_ACQUIRE))
		return 0;
	/* A rescan walks folders already watched: adding a watch again
	 * would cost a syscall and a pass over the folder's entries. But
	 * an overflow may have lost the IN_IGNORED of a watch the kernel
	 * dropped (a folder deleted, and another made at its path): each
	 * place made before one is made again at its next walk, its watch
	 * kept if the kernel still has it, else a new one in its place. */
	pthread_mutex_lock(&watch_wt.lock);
	p = map_find_near(root, rel, len, &near);
	wd = p && p->at > watch_wt.lost_at;
	/* Past the cap, a folder is polled as when the kernel refuses. */
	full = watch_wt.max_watches &&
	       watch_wt.st.watches >= (uint64_t)watch_wt.max_watches;
	pthread_mutex_unlock(&watch_wt.lock);
	if (wd)
		return 0;
	strbuf_addstr(&path, watch_root_path(root));
	if (len) {
		strbuf_addch(&path, '/');
		strbuf_add(&path, rel, len);
	}
	wd = full ? -1 : add_watch(root, dirfd, path.buf);
	err = full ? ENOSPC : errno;
	strbuf_reset(&path);
	strbuf_add(&path, rel, len);
	hash = place_hash(root, rel, len);
	pthread_mutex_lock(&watch_wt.lock);
	if (wd >= 0) {
		p = place_find(&watch_wt.polled, hash, root, rel, len);
		map_set(wd, root, path.buf);
		if (p)
			polled_del(p);
	} else if (err == ENOSPC) {
		if (!watch_wt.polled.nr) {
			log_warn("watch: inotify watch limit reached;"
				 " directories without a watch are"
				 " rescanned every %lds", watch_wt.poll_s);
			watch_wt.next_poll = clock_mono() + watch_wt.poll_s;
			wake = 1;
		}
		polled_add(hash, root, rel, len);
	} else {
		log_debug("watch: cannot watch %s/%s: %s",
			  watch_root_path(root), path.buf, strerror(err));
	}
	watch_wt.st.polled_dirs = watch_wt.polled.nr;
	pthread_mutex_unlock(&watch_wt.lock);
	strbuf_release(&path);
	return wake;
}

void watch_renew(size_t root)
{
	int wd;

	if (!__atomic_load_n(&watch_wt.running, __ATOMIC_ACQUIRE))
		return;
	wd = add_watch(root, -1, watch_root_path(root));
	if (wd < 0) {
		log_debug("watch: cannot watch %s: %s", watch_root_path(root),
			  strerror(errno));
		return;
	}
	pthread_mutex_lock(&watch_wt.lock);
	map_set(wd, root, "");
	pthread_mutex_unlock(&watch_wt.lock);
}
