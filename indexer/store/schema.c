/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Applying the schema: the version a store is brought to, the migration
 * that brings it there (the versions' SQL is in migrations_first.c and
 * migrations_later.c), and the indexes and triggers a first scan of an
 * empty store drops and makes again. No SQL of a version here: a change
 * of the schema is a new version at the end of migrations_later.c.
 */
#include "indexer/store/schema.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/db.h"
#include "common/log.h"
#include "indexer/store/migrations.h"

/* The names of the triggers BULK_TRIGGERS and STARRED_FILES_ADD make
 * (migrations.h). */
static const char *const bulk_triggers[] = {
	"totals_tracks_add", "totals_albums_add", "totals_artists_add",
	"totals_files_add", "covers_pictures_add", "subsonic_files_add",
};

int schema_version(void)
{
	return migrations_first_count + migrations_later_count;
}

/* The versions' steps in one list, as db_migrate() takes them. */
int schema_migrate(sqlite3 *db)
{
	const char **steps;
	int rc;

	steps = malloc(schema_version() * sizeof(*steps));
	if (!steps)
		return log_error(-ENOMEM, "schema: out of memory");
	memcpy(steps, migrations_first,
	       migrations_first_count * sizeof(*steps));
	memcpy(steps + migrations_first_count, migrations_later,
	       migrations_later_count * sizeof(*steps));
	rc = db_migrate(db, steps, schema_version());
	free(steps);
	return rc;
}

/* The bulk indexes (schema.h), as their migrations made them. */
static const struct {
	const char *name, *on;
} bulk_indexes[] = {
	{ "tracks_artist", "tracks (artist_id)" },
	{ "tracks_album", "tracks (album_id, disc_no, track_no)" },
	{ "tracks_album_artist", "tracks (album_artist_id, album_id)" },
	{ "tracks_genre", "tracks (genre)" },
	{ "tracks_year", "tracks (year)" },
};

int schema_drop_bulk_indexes(sqlite3 *db)
{
	char sql[128];
	int rc = 0;

	for (size_t i = 0; !rc && i < ARRAY_SIZE(bulk_indexes); i++) {
		snprintf(sql, sizeof(sql), "DROP INDEX IF EXISTS %s",
			 bulk_indexes[i].name);
		rc = db_exec(db, sql);
	}
	for (size_t i = 0; !rc && i < ARRAY_SIZE(bulk_triggers); i++) {
		snprintf(sql, sizeof(sql), "DROP TRIGGER IF EXISTS %s",
			 bulk_triggers[i]);
		rc = db_exec(db, sql);
	}
	return rc;
}

/* Whether the bulk triggers are missing: 1, 0 or a negative errno. */
static int bulk_triggers_missing(sqlite3 *db)
{
	return db_yes(db, "look for triggers",
		      "SELECT NOT EXISTS (SELECT 1 FROM sqlite_master"
		      " WHERE type = 'trigger' AND name = 'totals_files_add')");
}

/* FTS5's shadow tables of tracks_fts (columnsize on, no content of its
 * own), emptied and filled from SCHEMA_SEARCH_ASIDE's: the rows 'rebuild'
 * would write. */
#define SEARCH_ROWS_TAKEN(t, cols) \
	"DELETE FROM tracks_fts_" t ";" \
	"INSERT INTO tracks_fts_" t " (" cols ") SELECT " cols \
	" FROM " SCHEMA_SEARCH_ASIDE ".tracks_fts_" t ";"

/* The search rows of every track: taken from the index built aside, else
 * rebuilt here. */
static int search_rows(sqlite3 *db, const struct schema_bulk_search *s)
{
	int rc;

	if (!s || s->attach(db, s->arg))
		return db_exec(db, "INSERT INTO tracks_fts (tracks_fts)"
			       " VALUES ('rebuild')");
	rc = db_exec(db, "SAVEPOINT search_rows;"
		     SEARCH_ROWS_TAKEN("data", "id, block")
		     SEARCH_ROWS_TAKEN("idx", "segid, term, pgno")
		     SEARCH_ROWS_TAKEN("docsize", "id, sz"));
	if (rc) {
		log_warn("schema: the search index built aside could not be"
			 " taken: rebuilt");
		db_exec(db, "ROLLBACK TO search_rows");
	}
	if (db_exec(db, "RELEASE search_rows"))
		return -EIO;
	return rc ? db_exec(db, "INSERT INTO tracks_fts (tracks_fts)"
			    " VALUES ('rebuild')") : 0;
}

/* What the bulk triggers' absence says a bulk load owes: see
 * schema_make_bulk_indexes(). */
static int bulk_rows(sqlite3 *db, const struct schema_bulk_search *s)
{
	int rc;

	/* Every album came in the bulk load: its cover is to be settled.
	 * So did every track: the search index is built from them all at
	 * once, and those not analysed yet are queued. A track changed or
	 * gone meanwhile is in the index as it is now: nothing to mend. */
	rc = db_exec(db, BULK_TRIGGERS STARRED_FILES_ADD
		     "INSERT OR IGNORE INTO covers_dirty"
		     " SELECT id FROM albums;");
	/* The queued count moves once, not by a trigger a row (a third of
	 * the queue's cost): the trigger is made again after. The queue
	 * goes before the search rows, whose build aside may still run. */
	if (!rc)
		rc = db_exec(db, "DROP TRIGGER IF EXISTS"
			     " totals_analysis_queue_add;"
			     "INSERT INTO analysis_queue (track_id, owner)"
			     " SELECT t.id, f.uid FROM tracks t"
			     " JOIN files f ON f.id = t.file_id"
			     " WHERE t.id NOT IN"
			     " (SELECT track_id FROM analysis)"
			     " ON CONFLICT (track_id) DO NOTHING;"
			     "UPDATE totals SET n = n + changes()"
			     " WHERE name = 'analysis_queued';"
			     TOTALS_ADD("analysis_queue", "analysis_queued",
					"1", ""));
	if (!rc)
		rc = search_rows(db, s);
	return rc ? rc : db_exec(db, "DELETE FROM tracks_fts_dirty");
}

int schema_make_bulk_indexes(sqlite3 *db, void *search)
{
	char sql[128];
	int rc = 0, missing;

	for (size_t i = 0; !rc && i < ARRAY_SIZE(bulk_indexes); i++) {
		snprintf(sql, sizeof(sql),
			 "CREATE INDEX IF NOT EXISTS %s ON %s",
			 bulk_indexes[i].name, bulk_indexes[i].on);
		rc = db_exec(db, sql);
	}
	missing = rc ? rc : bulk_triggers_missing(db);
	if (missing <= 0)
		return missing;
	/* the triggers and the rows together, in a transaction or not */
	rc = db_exec(db, "SAVEPOINT bulk_rows");
	if (rc)
		return rc;
	rc = bulk_rows(db, search);
	if (rc)
		db_exec(db, "ROLLBACK TO bulk_rows");
	missing = db_exec(db, "RELEASE bulk_rows");
	return rc ? rc : missing;
}

