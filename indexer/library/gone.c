/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tracks of files that left, kept aside for [general] keep_gone and
 * given back to a file that returns (gone.h). Owns the "gone" table; it
 * must not keep anything when the grace is 0, nor touch a row that is
 * still in the library.
 */
#include "indexer/library/gone.h"

#include <errno.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"

static long keep_s;

/* Whether the table may hold rows (-1: not known yet), so that a scan
 * adding files to a store that keeps none spends no lookup on each;
 * forgotten at each start of the indexer (the store may be another). */
static int maybe_kept = -1;

void gone_set_keep(long seconds)
{
	__atomic_store_n(&keep_s, seconds, __ATOMIC_RELAXED);
	__atomic_store_n(&maybe_kept, -1, __ATOMIC_RELAXED);
}

static long keep(void)
{
	return __atomic_load_n(&keep_s, __ATOMIC_RELAXED);
}

#define KEEP_SQL(where) \
	"INSERT OR REPLACE INTO gone (file_id, track_id, root_id, dir, name," \
	" size, mtime_ns, inode, gone_at, keys, matches, state, error," \
	" analysed_at, duration_s, bpm, loudness_lufs, peak, gain_db, vector," \
	" fingerprint, first_seen)" \
	" SELECT f.id, t.id, f.root_id, d.path, f.name, f.size, f.mtime_ns," \
	" f.inode, ?2, (SELECT json_group_array(key) FROM analysis_keys" \
	" WHERE track_id = t.id), (SELECT json_group_array(json_array(" \
	" track_id, other_id)) FROM analysis_matches WHERE track_id = t.id" \
	" OR other_id = t.id), a.state, a.error, a.analysed_at," \
	" a.duration_s, a.bpm, a.loudness_lufs, a.peak, a.gain_db, a.vector," \
	" a.fingerprint, f.first_seen FROM files f JOIN directories d ON d.id = f.dir_id" \
	" JOIN tracks t ON t.file_id = f.id" \
	" LEFT JOIN analysis a ON a.track_id = t.id WHERE " where " = ?1"

int gone_keep(sqlite3 *db, int by_dir, int64_t id)
{
	int rc;

	if (keep() <= 0)
		return 0;
	rc = db_run(db, "keep a gone track",
		    by_dir ? KEEP_SQL("f.dir_id") : KEEP_SQL("f.id"),
		    DB_ARGS(DB_INT(id), DB_REAL(clock_wall())));
	if (!rc && sqlite3_changes(db))
		__atomic_store_n(&maybe_kept, 1, __ATOMIC_RELAXED);
	return rc;
}

/* Whether the table may hold rows: 1, 0 or -errno. */
static int any_kept(sqlite3 *db)
{
	int rc = __atomic_load_n(&maybe_kept, __ATOMIC_RELAXED);

	if (rc >= 0)
		return rc;
	rc = db_yes(db, "look for gone tracks",
		    "SELECT EXISTS (SELECT 1 FROM gone)");
	if (rc >= 0)
		__atomic_store_n(&maybe_kept, rc, __ATOMIC_RELAXED);
	return rc;
}

/*
 * The kept row matching a file: the same size (?4) and mtime (?5), and
 * the same place (root ?1, folder ?2, name ?3) or the same inode (?6),
 * not given to another file, its track not taken. Two lookups on gone
 * alone, one through gone_name and one through gone_inode, so that their
 * cost does not grow with the table: a join of the files with gone on an
 * OR is planned as a scan of every row of gone.
 */
#define MATCH_SQL(same, where) \
	"SELECT file_id, track_id, " same ", gone_at FROM gone g WHERE " \
	where " AND size = ?4 AND mtime_ns = ?5 AND NOT EXISTS" \
	" (SELECT 1 FROM files WHERE id = g.file_id AND id != ?7)" \
	" AND NOT EXISTS (SELECT 1 FROM tracks WHERE id = g.track_id)"

static const char match_sql[] =
	MATCH_SQL("1", "name = ?3 AND root_id = ?1 AND dir = ?2")
	" UNION ALL "
	MATCH_SQL("name = ?3 AND dir = ?2", "inode = ?6 AND ?6 != 0")
	" ORDER BY 3 DESC, 4 DESC LIMIT 1";

/* The kept file and track matching the file id (0 and 0: none). */
static int match(sqlite3 *db, int64_t id, int64_t *old, int64_t *track)
{
	sqlite3_stmt *f, *st;
	int rc = db_prepare_bound(db, "read a new file",
				  "SELECT f.root_id, d.path, f.name, f.size,"
				  " f.mtime_ns, f.inode FROM files f"
				  " JOIN directories d ON d.id = f.dir_id"
				  " WHERE f.id = ?1", DB_ARGS(DB_INT(id)), &f);

	if (rc)
		return rc;
	rc = sqlite3_step(f);
	if (rc != SQLITE_ROW)
		return db_finalize(f, rc, "read a new file");
	rc = db_prepare(db, match_sql, &st);
	if (rc) {
		sqlite3_finalize(f);
		return rc;
	}
	for (int i = 0; i < 6 && rc == SQLITE_OK; i++)
		rc = sqlite3_bind_value(st, i + 1, sqlite3_column_value(f, i));
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 7, id);
	sqlite3_finalize(f);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*old = sqlite3_column_int64(st, 0);
		*track = sqlite3_column_int64(st, 1);
		rc = sqlite3_step(st);
	}
	return db_finalize(st, rc, "look for a gone track");
}

int gone_take(sqlite3 *db, int64_t *file, int64_t *track)
{
	int64_t old = 0;
	int rc;

	*track = 0;
	rc = keep() > 0 ? any_kept(db) : 0;
	if (rc <= 0)
		return rc;
	rc = match(db, *file, &old, track);
	if (rc || !old || old == *file)
		return rc;
	rc = db_run(db, "give a file its id back", "UPDATE files SET id = ?2,"
		    " first_seen = coalesce((SELECT first_seen FROM gone"
		    " WHERE file_id = ?2), first_seen) WHERE id = ?1",
		    DB_ARGS(DB_INT(*file), DB_INT(old)));
	if (!rc)
		*file = old;
	return rc;
}

int gone_restore(sqlite3 *db, int64_t track)
{
	static const char *const steps[] = {
		"INSERT OR REPLACE INTO analysis (track_id, state, error,"
		" analysed_at, duration_s, bpm, loudness_lufs, peak, gain_db,"
		" vector, fingerprint) SELECT track_id, state, error,"
		" analysed_at, duration_s, bpm, loudness_lufs, peak, gain_db,"
		" vector, fingerprint FROM gone WHERE track_id = ?1"
		" AND state IS NOT NULL",
		"INSERT OR IGNORE INTO analysis_keys (key, track_id)"
		" SELECT j.value, g.track_id FROM gone g, json_each(g.keys) j"
		" WHERE g.track_id = ?1",
		"INSERT OR IGNORE INTO analysis_matches (track_id, other_id)"
		" SELECT p.a, p.b FROM (SELECT json_extract(j.value, '$[0]') a,"
		" json_extract(j.value, '$[1]') b FROM gone g,"
		" json_each(g.matches) j WHERE g.track_id = ?1) p"
		" WHERE EXISTS (SELECT 1 FROM tracks WHERE id = p.a)"
		" AND EXISTS (SELECT 1 FROM tracks WHERE id = p.b)",
		"DELETE FROM analysis_queue WHERE track_id = ?1"
		" AND EXISTS (SELECT 1 FROM analysis WHERE track_id = ?1)",
		"DELETE FROM gone WHERE track_id = ?1",
	};
	int rc = 0;

	if (!track)
		return 0;
	for (size_t i = 0; !rc && i < ARRAY_SIZE(steps); i++)
		rc = db_run(db, "give a track back", steps[i],
			    DB_ARGS(DB_INT(track)));
	if (!rc)
		log_info("library: track %lld came back with its analysis",
			 (long long)track);
	return rc;
}

int gone_prune(sqlite3 *db, double now)
{
	return db_run(db, "prune the gone tracks",
		      "DELETE FROM gone WHERE gone_at <= ?1",
		      DB_ARGS(DB_REAL(now - (double)keep())));
}
