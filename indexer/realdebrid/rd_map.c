/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A dead link mapped to its torrent (rd_map.h), from the local copy of the
 * account in the store, with no fuzzy guessing. It asks Real-Debrid
 * nothing.
 */
#include "indexer/realdebrid/rd_map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/db.h"
#include "common/log.h"
#include "indexer/realdebrid/rd_store.h"
#include "indexer/store/writer.h"

#define BY_NAME \
	"SELECT id FROM rd_torrents WHERE filename = ?1" \
	" OR original_filename = ?1 ORDER BY id LIMIT 2"
#define BY_NAME_AND_FILE \
	"SELECT DISTINCT t.id FROM rd_torrents t" \
	" JOIN rd_files f ON f.torrent_id = t.id" \
	" WHERE (t.filename = ?1 OR t.original_filename = ?1)" \
	" AND substr(f.path, -length(?2) - 1) = '/' || ?2" \
	" ORDER BY t.id LIMIT 2"
#define BY_PATH \
	"SELECT DISTINCT torrent_id FROM rd_files" \
	" WHERE path = '/' || ?1 || '/' || ?2 ORDER BY torrent_id LIMIT 2"

/* Run one of the queries above: how many torrents it found (0, 1 or 2
 * for "more than one"), the first into *id; or a negative errno value. */
static int candidates(sqlite3 *db, const char *sql, const char *name,
		      const char *file, char **id)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "map a link");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, file, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!n++) {
			*id = strdup((const char *)sqlite3_column_text(st, 0));
			if (!*id) {
				sqlite3_finalize(st);
				return log_error(-ENOMEM, "rd: out of memory");
			}
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		if (n)
			free(*id);
		return db_error(db, rc, "map a link");
	}
	if (n > 1) {
		free(*id);
		*id = NULL;
	}
	return n;
}

int rd_map_link(sqlite3 *db, const char *name, const char *file, char **id,
		const char **why)
{
	int n;

	*id = NULL;
	n = candidates(db, BY_NAME, name, file, id);
	if (n == 1 || n < 0)
		return n < 0 ? n : 0;
	if (n > 1) {
		n = candidates(db, BY_NAME_AND_FILE, name, file, id);
		if (n == 1 || n < 0)
			return n < 0 ? n : 0;
		*why = "several torrents have this name";
		return -EEXIST;
	}
	n = candidates(db, BY_PATH, name, file, id);
	if (n == 1 || n < 0)
		return n < 0 ? n : 0;
	*why = n ? "several torrents hold this file" :
		RD_MAP_NO_TORRENT;
	return n ? -EEXIST : -ENOENT;
}

/* A broken link and what mapping found for it. */
struct mapped {
	char *path, *name, *file;
	size_t path_len;
};

int rd_map_links(sqlite3 *db, int *unmapped)
{
	struct mapped *m = NULL;
	sqlite3_stmt *st;
	size_t nr = 0, alloc = 0;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT path, torrent_name, file FROM"
				" rd_links WHERE broken AND torrent_id IS NULL",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "rd: read links");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mapped *grown = array_grow(m, nr, &alloc, sizeof(*m), 1);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *file = (const char *)sqlite3_column_text(st, 2);

		if (!grown) {
			rc = -ENOMEM;
			break;
		}
		m = grown;
		m[nr].path_len = sqlite3_column_bytes(st, 0);
		m[nr].path = malloc(m[nr].path_len + 1);
		m[nr].name = name ? strdup(name) : NULL;
		m[nr].file = file ? strdup(file) : NULL;
		nr++;
		if (!m[nr - 1].path || (name && !m[nr - 1].name) ||
		    (file && !m[nr - 1].file)) {
			rc = -ENOMEM;
			break;
		}
		memcpy(m[nr - 1].path, sqlite3_column_blob(st, 0),
		       m[nr - 1].path_len);
		m[nr - 1].path[m[nr - 1].path_len] = '\0';
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : rc == -ENOMEM ?
		log_error(rc, "rd: out of memory") :
		db_error(db, rc, "rd: read links");
	for (size_t i = 0; !rc && i < nr; i++) {
		struct rd_sql q = {
			.sql = "UPDATE rd_links SET torrent_id = ?1,"
			       " map_error = ?2 WHERE path = CAST(?3 AS BLOB)",
			.text = { NULL, NULL, m[i].path },
		};
		const char *why = "the target names no torrent folder";
		char *id = NULL;

		if (m[i].name && m[i].file) {
			rc = rd_map_link(db, m[i].name, m[i].file, &id,
					 &why);
			if (rc == -ENOENT || rc == -EEXIST)
				rc = 0;
			if (rc)
				break;
		}
		q.text[0] = id;
		q.text[1] = id ? NULL : why;
		*unmapped += !id;
		rc = writer_call(rd_store_sql, &q);
		free(id);
	}
	for (size_t i = 0; i < nr; i++) {
		free(m[i].path);
		free(m[i].name);
		free(m[i].file);
	}
	free(m);
	return rc;
}
