/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The releases never to be sent again (blocklist.h): ids checked, added
 * and removed through the writer, and dropped from what a check found. It
 * decides nothing itself: a user, a client or a failed download does.
 */
#include "indexer/monitor/blocklist.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"
#include "indexer/store/writer.h"
#include "indexer/store/writer_run.h"

int blocklist_valid_id(const char *id)
{
	size_t i;

	for (i = 0; i < RELEASE_ID_LEN; i++)
		if (!isxdigit((unsigned char)id[i]) ||
		    isupper((unsigned char)id[i]))
			return 0;
	return !id[i];
}

/* An entry for the writer. */
struct entry {
	const char *id;
	int removed;
};

/* A writer_call() function: remove e, noting whether it was there. */
static int store_remove(sqlite3 *db, void *arg)
{
	struct entry *e = arg;
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "DELETE FROM blocklist WHERE id = ?1", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, e->id, -1, SQLITE_STATIC);
	rc = db_finalize(st, sqlite3_step(st), "remove blocklist entry");
	e->removed = !rc && sqlite3_changes(db) > 0;
	return rc;
}

int blocklist_add(const char *id, const char *title, const char *reason)
{
	int rc;

	if (!blocklist_valid_id(id))
		return -EINVAL;
	/* its title from found when not given */
	rc = writer_run_urgent("store blocklist entry",
			       "INSERT INTO blocklist (id, title, reason, at)"
			       " VALUES (?1, coalesce(?2, (SELECT title"
			       " FROM found WHERE release_id = ?1 LIMIT 1),"
			       " ''), ?3, ?4) ON CONFLICT (id) DO NOTHING",
			       DB_ARGS(DB_TEXT(id), DB_TEXT(title),
				       DB_TEXT(reason),
				       DB_REAL(clock_wall())));
	if (!rc)
		log_info("blocklist: %s added: %s", id, reason);
	return rc;
}

int blocklist_remove(const char *id)
{
	struct entry e = { .id = id };
	int rc;

	if (!blocklist_valid_id(id))
		return -EINVAL;
	rc = writer_call_urgent(store_remove, &e);
	if (rc)
		return rc;
	if (!e.removed)
		return -EINVAL;
	log_info("blocklist: %s removed", id);
	return 0;
}

int blocklist_release(const struct download_release *r, const char *reason)
{
	char id[RELEASE_ID_LEN + 1];
	int rc;

	release_id(r->guid, r->link, r->magnet, r->title, id);
	rc = blocklist_add(id, r->title, reason);
	if (rc)
		log_warn("blocklist: \"%s\" could not be blocklisted",
			 r->title);
	return rc;
}

int blocklist_apply(sqlite3 *db, struct release_want *w)
{
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "SELECT reason FROM blocklist WHERE id = ?1", &st);
	if (rc)
		return rc;
	rc = SQLITE_DONE;
	for (size_t i = 0; i < w->nr;) {
		const struct release *r = &w->r[i];
		char id[RELEASE_ID_LEN + 1];

		release_id(r->guid, r->link, r->magnet, r->title, id);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			log_info("blocklist: \"%s\" (%s) for volume %d not"
				 " taken: %s", r->title, id, w->volume,
				 (const char *)sqlite3_column_text(st, 0));
			release_want_remove(w, i);
			continue;
		}
		if (rc != SQLITE_DONE)
			break;
		i++;
	}
	return db_finalize(st, rc, "read blocklist");
}
