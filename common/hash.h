/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HASH_H
#define MEDIAMON_HASH_H

/*
 * 64-bit hashes of bytes and numbers, eight bytes a step, for the tables
 * kept in memory and the scan's folder digests (which the store keeps:
 * the values are the same on every machine). A hash starts at HASH_INIT,
 * takes numbers with hash_add() and bytes with hash_add_bytes(), and ends
 * with hash_end(), after which every bit of the result depends on every
 * bit put in. Each step is a bijection of the state for a given input,
 * so inputs of one shape that differ in one place never meet.
 *
 *	uint64_t h = hash_add_bytes(HASH_INIT, name, len);
 *	h = hash_end(hash_add(h, size));
 *
 * No defence against inputs chosen to collide: a table keyed by what a
 * stranger names bounds its chains another way.
 */

#include <stddef.h>
#include <stdint.h>

#include "common/bytes.h"

#define HASH_INIT 0x9e3779b97f4a7c15ull

static inline uint64_t hash_add(uint64_t h, uint64_t word)
{
	h = (h ^ word) * 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

/* Bytes a word at a time, their count first, so that "a" and "a\0"
 * differ. */
static inline uint64_t hash_add_bytes(uint64_t h, const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t tail = 0;

	h = hash_add(h, len);
	for (; len >= 8; s += 8, len -= 8)
		h = hash_add(h, bytes_le64(s));
	for (size_t i = 0; i < len; i++)
		tail |= (uint64_t)s[i] << (8 * i);
	return hash_add(h, tail);
}

/* splitmix64's finalizer: each input bit moves about half the output's. */
static inline uint64_t hash_end(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static inline uint64_t hash_bytes(const void *p, size_t len)
{
	return hash_end(hash_add_bytes(HASH_INIT, p, len));
}

#endif
