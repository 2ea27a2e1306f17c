/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MANGA_NAMES_H
#define MEDIAMON_MANGA_NAMES_H

/*
 * The series of /manga by name: one sorted copy of every series' name
 * (each control character, a line break or a tab, made a space), id and
 * folder per change of the store (indexer_generation()), shared by
 * all callers, so that a listing of /manga is one walk of it and a
 * lookup of a name a binary search, not a walk of the store each.
 */

#include <stddef.h>
#include <stdint.h>

struct manga_names {
	unsigned refs;
	uint64_t generation;
	size_t nr, alloc;
	struct manga_name {
		const char *name;
		const char *folder;	/* absolute */
		int64_t id;
	} *v;			/* by name, then id */
};

/* A reference to the copy of the store as it is now, made if need be;
 * give it back with manga_names_put(). 0 or negative errno. */
int manga_names_get(struct manga_names **out);

/* Give back a reference from manga_names_get(). Takes NULL. */
void manga_names_put(struct manga_names *n);

/* The index of the first series named exactly name (len bytes), or nr
 * when none is. */
size_t manga_names_find(const struct manga_names *n, const char *name,
			size_t len);

/* Whether series s is named exactly name (len bytes). */
int manga_names_is(const struct manga_name *s, const char *name, size_t len);

#endif
