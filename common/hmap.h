/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HMAP_H
#define MEDIAMON_HMAP_H

/*
 * Hash tables whose entries are the caller's own structs, each holding a
 * struct hmap_entry (git's hashmap.h is the model): the table keeps the
 * entries' hashes and chains them, and owns nothing but its buckets, so
 * an entry is made, compared and freed by its owner. The buckets double
 * when there are as many entries as buckets, so a chain stays short; a
 * table that cannot grow goes on working with longer chains.
 *
 *	struct place {
 *		struct hmap_entry ent;
 *		char *rel;
 *	};
 *
 *	if (hmap_add(&map, &p->ent, hash_bytes(p->rel, strlen(p->rel))))
 *		return -ENOMEM;
 *	for (e = hmap_get(&map, h); e; e = hmap_get_next(e)) {
 *		struct place *p = hmap_entry_of(e, struct place, ent);
 *
 *		if (!strcmp(p->rel, rel))
 *			return p;
 *	}
 */

#include <stddef.h>
#include <stdint.h>

struct hmap_entry {
	struct hmap_entry *next;
	uint64_t hash;
};

struct hmap {
	struct hmap_entry **buckets;
	size_t nr_buckets;	/* a power of two, or 0 */
	size_t nr;
};

#define HMAP_INIT { NULL, 0, 0 }

/* The struct of type that holds the entry e as its member. */
#define hmap_entry_of(e, type, member) \
	((type *)((char *)(e) - offsetof(type, member)))

/*
 * Add e, which no table holds, under hash. Returns 0, or -ENOMEM when the
 * table has no bucket yet and cannot have its first (e is then not
 * added).
 */
int hmap_add(struct hmap *m, struct hmap_entry *e, uint64_t hash);

/* Make room for n entries at once, so that adding them does not move
 * the ones before; without the memory, the table grows as it fills. */
void hmap_reserve(struct hmap *m, size_t n);

/* The first entry added under hash, or NULL: the caller compares its keys
 * and goes on with hmap_get_next() while they differ. */
struct hmap_entry *hmap_get(const struct hmap *m, uint64_t hash);

/* The next entry under e's hash, or NULL. */
struct hmap_entry *hmap_get_next(const struct hmap_entry *e);

/* Take e, which m holds, out of m. */
void hmap_remove(struct hmap *m, struct hmap_entry *e);

/* Where a walk over every entry is: hmap_next() from HMAP_ITER_INIT. */
struct hmap_iter {
	size_t bucket;
	struct hmap_entry *next;
};

#define HMAP_ITER_INIT { 0, NULL }

/*
 * The next entry of m in a walk over all of them (in no order), or NULL
 * at the end. The entry returned may be removed (and freed) before the
 * next call; nothing else may be added or removed during the walk.
 */
struct hmap_entry *hmap_next(const struct hmap *m, struct hmap_iter *it);

/* Call fn (when not NULL) on each entry, which it may free, and free the
 * buckets: m is then empty, as HMAP_INIT makes it. */
void hmap_release(struct hmap *m, void (*fn)(struct hmap_entry *e));

#endif
