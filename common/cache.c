/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The store's cache of remote answers (cache.h): keys folded from
 * queries, values with the time they were stored. It must not decide
 * what is worth caching; its callers do.
 */
#include "common/cache.h"

#include <ctype.h>
#include <errno.h>

#include "common/db.h"

void cache_key(const char *query, struct strbuf *out)
{
	int space = 0;

	for (const char *p = query; *p; p++) {
		unsigned char c = *p;

		if (isspace(c)) {
			space = out->len > 0;
			continue;
		}
		if (space)
			strbuf_addch(out, ' ');
		space = 0;
		strbuf_addch(out, c < 0x80 ? tolower(c) : c);
	}
}

int cache_get(sqlite3 *db, const char *source, const char *key,
	      double ttl_s, double now, struct strbuf *value,
	      double *stored_at)
{
	sqlite3_stmt *st;
	int rc = db_prepare_bound(db, "read search cache",
				  "SELECT value, stored_at FROM search_cache"
				  " WHERE source = ?1 AND query = ?2"
				  " AND stored_at > ?3",
				  DB_ARGS(DB_TEXT(source), DB_TEXT(key),
					  DB_REAL(now - ttl_s)), &st);

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		strbuf_reset(value);
		strbuf_add(value, sqlite3_column_text(st, 0),
			   sqlite3_column_bytes(st, 0));
		if (stored_at)
			*stored_at = sqlite3_column_double(st, 1);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT :
			db_error(db, rc, "read search cache");
	}
	sqlite3_finalize(st);
	return rc;
}

int cache_put(sqlite3 *db, const char *source, const char *key, double now,
	      const char *value, size_t len)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO search_cache"
				" (source, query, stored_at, value)"
				" VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "write search cache");
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, now);
	sqlite3_bind_text(st, 4, value, len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, rc, "write search cache");
}

int cache_prune(sqlite3 *db, double ttl_s, double now)
{
	return db_run(db, "prune search cache",
		      "DELETE FROM search_cache WHERE stored_at <= ?1",
		      DB_ARGS(DB_REAL(now - ttl_s)));
}

int cache_size(sqlite3 *db, double ttl_s, double now, int64_t *entries,
	       int64_t *bytes)
{
	sqlite3_stmt *st;
	int rc = db_prepare_bound(db, "measure search cache",
				  "SELECT count(*), coalesce(sum("
				  "length(CAST(source AS BLOB)) +"
				  " length(CAST(query AS BLOB)) +"
				  " length(CAST(value AS BLOB))), 0)"
				  " FROM search_cache WHERE stored_at > ?1",
				  DB_ARGS(DB_REAL(now - ttl_s)), &st);

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*entries = sqlite3_column_int64(st, 0);
		*bytes = sqlite3_column_int64(st, 1);
		rc = 0;
	} else {
		rc = db_error(db, rc, "measure search cache");
	}
	sqlite3_finalize(st);
	return rc;
}
