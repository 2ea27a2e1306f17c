#include "indexer/rd_map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/log.h"

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
		"no torrent of the account has this name";
	return n ? -EEXIST : -ENOENT;
}
