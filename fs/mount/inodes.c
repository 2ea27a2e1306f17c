/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The inode table of the mount (inodes.h): inode numbers to paths and
 * back, with the lookups the kernel holds. It knows nothing of what a path
 * holds; nodes_resolve() decides that.
 */
#include "fs/mount/inodes.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/tree/nodes.h"

struct inode {
	uint64_t ino;
	uint64_t nlookup;
	int listed;
	struct inode *by_ino_next, *by_path_next;
	size_t path_len;
	char path[];
};

/*
 * Two chained hash tables over the same entries, by number and by path
 * (a path names the parent and the name at once, so it is the key of
 * both "the name in that folder" and the invalidation side's question).
 * They grow with the entries, so a chain stays short.
 */
static struct {
	pthread_mutex_t lock;
	struct inode **by_ino, **by_path;
	size_t nr_buckets, nr;
	uint64_t next_ino;
	struct inode *root;
	/* The folders listed since inodes_take_listed(), each once (their
	 * listed flag), so taking them costs what they are, not the table. */
	uint64_t *listed;
	size_t nr_listed, alloc_listed;
} tab = { .lock = PTHREAD_MUTEX_INITIALIZER, .next_ino = INODES_ROOT + 1 };

/* Fibonacci hashing: numbers come in order, and their product's high
 * bits spread them over the buckets. */
static size_t ino_hash(uint64_t ino)
{
	return (ino * 11400714819323198485ULL) >> 32;
}

/* Every callback but lookup starts from a number. */
static struct inode *find_ino(uint64_t ino)
{
	struct inode *e;

	if (!tab.nr_buckets)
		return NULL;
	e = tab.by_ino[ino_hash(ino) & (tab.nr_buckets - 1)];
	while (e && e->ino != ino)
		e = e->by_ino_next;
	return e;
}

/* Lookups and the invalidation side start from a path. */
static struct inode *find_path(const char *path, size_t len)
{
	struct inode *e;

	if (!tab.nr_buckets)
		return NULL;
	e = tab.by_path[hash_bytes(path, len) & (tab.nr_buckets - 1)];
	while (e && (e->path_len != len || memcmp(e->path, path, len)))
		e = e->by_path_next;
	return e;
}

/* An entry is in both tables or in neither. */
static void link_entry(struct inode *e)
{
	size_t mask = tab.nr_buckets - 1;
	struct inode **i = &tab.by_ino[ino_hash(e->ino) & mask];
	struct inode **p = &tab.by_path[hash_bytes(e->path, e->path_len) &
					 mask];

	e->by_ino_next = *i;
	*i = e;
	e->by_path_next = *p;
	*p = e;
}

/* Double the buckets once there are as many entries as buckets; a table
 * that cannot grow still works, with longer chains. */
static void grow(void)
{
	size_t n = tab.nr_buckets ? tab.nr_buckets * 2 : 1024;
	struct inode **by_ino = calloc(n, sizeof(*by_ino));
	struct inode **by_path = calloc(n, sizeof(*by_path));
	struct inode **old = tab.by_ino, **old_path = tab.by_path;
	size_t old_n = tab.nr_buckets;

	if (!by_ino || !by_path) {
		free(by_ino);
		free(by_path);
		return;
	}
	tab.by_ino = by_ino;
	tab.by_path = by_path;
	tab.nr_buckets = n;
	for (size_t b = 0; b < old_n; b++) {
		struct inode *e = old[b], *next;

		for (; e; e = next) {
			next = e->by_ino_next;
			link_entry(e);
		}
	}
	free(old);
	free(old_path);
}

/* An entry owns its path, in one allocation with it. */
static struct inode *entry_new(uint64_t ino, const char *path, size_t len)
{
	struct inode *e = malloc(sizeof(*e) + len + 1);

	if (!e)
		return NULL;
	e->ino = ino;
	e->nlookup = 0;
	e->listed = 0;
	e->path_len = len;
	memcpy(e->path, path, len);
	e->path[len] = '\0';
	return e;
}

/* The root is made on first use, so the table needs no start call. */
static int ensure_root(void)
{
	if (tab.root)
		return 0;
	if (!tab.nr_buckets)
		grow();
	if (!tab.nr_buckets)
		return -ENOMEM;
	tab.root = entry_new(INODES_ROOT, "/", 1);
	if (!tab.root)
		return -ENOMEM;
	link_entry(tab.root);
	tab.nr++;
	return 0;
}

int inodes_lookup(uint64_t parent, const char *name, uint64_t *ino)
{
	struct strbuf path = STRBUF_INIT;
	struct inode *dir, *e;
	int rc;

	pthread_mutex_lock(&tab.lock);
	rc = ensure_root();
	if (rc)
		goto out;
	dir = find_ino(parent);
	if (!dir) {
		rc = -ENOENT;
		goto out;
	}
	nodes_child_path(&path, dir->path, name);
	e = find_path(path.buf, path.len);
	if (!e) {
		if (tab.nr >= tab.nr_buckets)
			grow();
		e = entry_new(tab.next_ino, path.buf, path.len);
		if (!e) {
			rc = -ENOMEM;
			goto out;
		}
		tab.next_ino++;
		link_entry(e);
		tab.nr++;
	}
	e->nlookup++;
	*ino = e->ino;
out:
	pthread_mutex_unlock(&tab.lock);
	strbuf_release(&path);
	if (rc == -ENOMEM)
		return log_error(rc, "inodes: out of memory for %s", name);
	return rc;
}

/* A forgotten entry leaves both tables, each by its own chain. */
static void unlink_ino(struct inode *e)
{
	struct inode **p = &tab.by_ino[ino_hash(e->ino) &
				       (tab.nr_buckets - 1)];

	while (*p != e)
		p = &(*p)->by_ino_next;
	*p = e->by_ino_next;
}

static void unlink_path(struct inode *e)
{
	struct inode **p = &tab.by_path[hash_bytes(e->path, e->path_len) &
					(tab.nr_buckets - 1)];

	while (*p != e)
		p = &(*p)->by_path_next;
	*p = e->by_path_next;
}

void inodes_forget(uint64_t ino, uint64_t n)
{
	struct inode *e;

	pthread_mutex_lock(&tab.lock);
	e = find_ino(ino);
	if (e) {
		e->nlookup = n < e->nlookup ? e->nlookup - n : 0;
		if (!e->nlookup && e != tab.root) {
			unlink_ino(e);
			unlink_path(e);
			tab.nr--;
			free(e);
		}
	}
	pthread_mutex_unlock(&tab.lock);
}

int inodes_path(uint64_t ino, struct strbuf *out)
{
	struct inode *e;
	int rc = 0;

	strbuf_reset(out);
	pthread_mutex_lock(&tab.lock);
	if (ino == INODES_ROOT) {
		strbuf_addch(out, '/');
	} else {
		e = find_ino(ino);
		if (e)
			strbuf_add(out, e->path, e->path_len);
		else
			rc = -ENOENT;
	}
	pthread_mutex_unlock(&tab.lock);
	return rc;
}

uint64_t inodes_find(const char *path)
{
	struct inode *e;
	uint64_t ino;

	if (!strcmp(path, "/"))
		return INODES_ROOT;
	pthread_mutex_lock(&tab.lock);
	e = find_path(path, strlen(path));
	ino = e ? e->ino : 0;
	pthread_mutex_unlock(&tab.lock);
	return ino;
}

void inodes_listed(uint64_t ino)
{
	struct inode *e;
	uint64_t *grown;

	pthread_mutex_lock(&tab.lock);
	e = ensure_root() ? NULL : find_ino(ino);
	if (e && !e->listed) {
		grown = array_grow(tab.listed, tab.nr_listed, &tab.alloc_listed,
				   sizeof(*grown), 64);
		/* Short of memory, a folder goes unnoted: its mtime still
		 * renews its listing, after the attribute timeout. */
		if (grown) {
			tab.listed = grown;
			e->listed = 1;
			tab.listed[tab.nr_listed++] = ino;
		}
	}
	pthread_mutex_unlock(&tab.lock);
}

void inodes_under(const char *prefix, struct strbuf *out)
{
	size_t len = strlen(prefix);

	pthread_mutex_lock(&tab.lock);
	for (size_t i = 0; i < tab.nr_buckets; i++)
		for (struct inode *e = tab.by_ino[i]; e; e = e->by_ino_next)
			if (e->path_len > len && e->path[len] == '/' &&
			    !memcmp(e->path, prefix, len))
				strbuf_add(out, e->path, e->path_len + 1);
	pthread_mutex_unlock(&tab.lock);
}

void inodes_take_listed(struct strbuf *out)
{
	struct inode *e;

	pthread_mutex_lock(&tab.lock);
	for (size_t i = 0; i < tab.nr_listed; i++) {
		e = find_ino(tab.listed[i]);
		if (!e)
			continue;
		e->listed = 0;
		strbuf_add(out, e->path, e->path_len + 1);
	}
	tab.nr_listed = 0;
	pthread_mutex_unlock(&tab.lock);
}

uint64_t inodes_lookups(uint64_t ino)
{
	struct inode *e;
	uint64_t n;

	pthread_mutex_lock(&tab.lock);
	e = find_ino(ino);
	n = e ? e->nlookup : 0;
	pthread_mutex_unlock(&tab.lock);
	return n;
}

void inodes_clear(void)
{
	pthread_mutex_lock(&tab.lock);
	for (size_t b = 0; b < tab.nr_buckets; b++) {
		struct inode *e = tab.by_ino[b], *next;

		for (; e; e = next) {
			next = e->by_ino_next;
			if (e != tab.root)
				free(e);
		}
		tab.by_ino[b] = tab.by_path[b] = NULL;
	}
	tab.nr = 0;
	tab.nr_listed = 0;
	if (tab.root) {
		tab.root->listed = 0;
		tab.root->nlookup = 0;
		link_entry(tab.root);
		tab.nr = 1;
	}
	pthread_mutex_unlock(&tab.lock);
}
