/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Chained hash tables over the caller's own entries (hmap.h). It owns
 * the buckets only: entries are made, compared and freed by their
 * owners.
 */
#include "common/hmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

static struct hmap_entry **bucket(const struct hmap *m, uint64_t hash)
{
	return &m->buckets[hash & (m->nr_buckets - 1)];
}

/* Move every entry to n buckets when that is more than there are;
 * without the memory for them, the old ones stay. */
static void resize(struct hmap *m, size_t n)
{
	struct hmap_entry **old = m->buckets;
	size_t old_nr = m->nr_buckets;

	if (n <= old_nr || n > SIZE_MAX / sizeof(*m->buckets))
		return;
	m->buckets = calloc(n, sizeof(*m->buckets));
	if (!m->buckets) {
		m->buckets = old;
		return;
	}
	m->nr_buckets = n;
	for (size_t b = 0; b < old_nr; b++) {
		struct hmap_entry *e = old[b], *next;

		for (; e; e = next) {
			struct hmap_entry **head = bucket(m, e->hash);

			next = e->next;
			e->next = *head;
			*head = e;
		}
	}
	free(old);
}

int hmap_add(struct hmap *m, struct hmap_entry *e, uint64_t hash)
{
	struct hmap_entry **head;

	if (m->nr >= m->nr_buckets)
		resize(m, m->nr_buckets ? m->nr_buckets * 2 : 64);
	if (!m->nr_buckets)
		return -ENOMEM;
	e->hash = hash;
	head = bucket(m, hash);
	e->next = *head;
	*head = e;
	m->nr++;
	return 0;
}

void hmap_reserve(struct hmap *m, size_t n)
{
	size_t want = 64;

	while (want < n && want <= SIZE_MAX / 2)
		want *= 2;
	if (n)
		resize(m, want);
}

/* The first entry from e on whose hash is hash. */
static struct hmap_entry *same_hash(struct hmap_entry *e, uint64_t hash)
{
	while (e && e->hash != hash)
		e = e->next;
	return e;
}

struct hmap_entry *hmap_get(const struct hmap *m, uint64_t hash)
{
	if (!m->nr_buckets)
		return NULL;
	return same_hash(*bucket(m, hash), hash);
}

struct hmap_entry *hmap_get_next(const struct hmap_entry *e)
{
	return same_hash(e->next, e->hash);
}

void hmap_remove(struct hmap *m, struct hmap_entry *e)
{
	struct hmap_entry **p = bucket(m, e->hash);

	while (*p && *p != e)
		p = &(*p)->next;
	if (!*p)
		return;
	*p = e->next;
	m->nr--;
}

struct hmap_entry *hmap_next(const struct hmap *m, struct hmap_iter *it)
{
	struct hmap_entry *e = it->next;

	while (!e && it->bucket < m->nr_buckets)
		e = m->buckets[it->bucket++];
	it->next = e ? e->next : NULL;
	return e;
}

void hmap_release(struct hmap *m, void (*fn)(struct hmap_entry *e))
{
	for (size_t b = 0; fn && b < m->nr_buckets; b++) {
		struct hmap_entry *e = m->buckets[b], *next;

		for (; e; e = next) {
			next = e->next;
			fn(e);
		}
	}
	free(m->buckets);
	m->buckets = NULL;
	m->nr_buckets = 0;
	m->nr = 0;
}
