/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CACHE_H
#define MEDIAMON_CACHE_H

/*
 * A cache of remote answers in the store, so that a second check within
 * the time to live sends no request, also after a restart.
 *
 *	struct strbuf key = STRBUF_INIT, value = STRBUF_INIT;
 *
 *	cache_key("  One  PIECE ", &key);		("one piece")
 *	if (!cache_get(db, "prowlarr", key.buf, ttl, clock_wall(), &value))
 *		...	value.buf is what was stored
 *	else {
 *		...	ask the service, then, on the writer's connection:
 *		cache_put(wdb, "prowlarr", key.buf, clock_wall(), json, len);
 *	}
 *
 * Entries are keyed by source (the service's name) and a normalized query,
 * and hold one text value (a JSON document, for the callers here). Only
 * answers worth keeping are stored: an error is never cached, so the next
 * check asks again. Expired entries are not returned and are dropped by
 * cache_prune().
 *
 * The table is created by the store's schema from CACHE_SCHEMA. Reads may
 * use any connection; writes belong on the connection that writes the
 * store.
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

#define CACHE_SCHEMA \
	"CREATE TABLE search_cache (" \
	"  source TEXT NOT NULL," \
	"  query TEXT NOT NULL," \
	"  stored_at REAL NOT NULL," \
	"  value TEXT NOT NULL," \
	"  PRIMARY KEY (source, query)) WITHOUT ROWID;"

/*
 * Append the normalized form of query to out: white space trimmed, runs
 * of it made one space, ASCII letters lowercased (other bytes are kept,
 * so "Étoile" and "étoile" stay two keys: the services tell them apart
 * too).
 */
void cache_key(const char *query, struct strbuf *out);

/*
 * Look source and key up. When an entry stored less than ttl_s seconds
 * before now exists, its value replaces the content of *value, *stored_at
 * (may be NULL) is set to when it was stored, and 0 is returned; otherwise
 * -ENOENT. Other negative errno values report a store error (logged).
 */
int cache_get(sqlite3 *db, const char *source, const char *key,
	      double ttl_s, double now, struct strbuf *value,
	      double *stored_at);

/* Store value (len bytes) for source and key at time now, replacing the
 * entry there was. Returns 0 or a negative errno value (logged). */
int cache_put(sqlite3 *db, const char *source, const char *key, double now,
	      const char *value, size_t len);

/* Drop the entries stored ttl_s seconds or more before now. Returns 0 or
 * a negative errno value (logged). */
int cache_prune(sqlite3 *db, double ttl_s, double now);

/* Count the live entries (stored less than ttl_s seconds before now,
 * those cache_get() returns) and the bytes their keys and values take.
 * Returns 0 or a negative errno value (logged). */
int cache_size(sqlite3 *db, double ttl_s, double now, int64_t *entries,
	       int64_t *bytes);

#endif
