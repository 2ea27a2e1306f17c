#include "indexer/library/tag_errors.h"

#include "common/db.h"
#include "common/strbuf.h"

int tag_errors_each(sqlite3 *db,
		    int (*fn)(void *arg, const char *path, const char *reason),
		    void *arg)
{
	struct strbuf path = STRBUF_INIT;
	const char *reason;
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT r.path, f.path, f.tag_error_reason"
				" FROM files f JOIN roots r ON r.id = f.root_id"
				" WHERE f.tag_error"
				" ORDER BY r.path, f.path", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "list tag errors");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		strbuf_reset(&path);
		strbuf_add(&path, sqlite3_column_blob(st, 0),
			   sqlite3_column_bytes(st, 0));
		strbuf_addch(&path, '/');
		strbuf_add(&path, sqlite3_column_blob(st, 1),
			   sqlite3_column_bytes(st, 1));
		reason = (const char *)sqlite3_column_text(st, 2);
		rc = fn(arg, path.buf, reason ? reason : "damaged");
		if (rc)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = db_error(db, rc, "list tag errors");
	sqlite3_finalize(st);
	strbuf_release(&path);
	return rc;
}
