/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MIGRATIONS_H
#define MEDIAMON_MIGRATIONS_H

/*
 * The schema's versions as SQL, for schema.c, which joins and applies
 * them, and the files that hold them alone: migrations_first.c (versions
 * 1 to 20) and migrations_later.c (version 21 on, where a new version is
 * added at the end). Step i of the join brings a store from version i to
 * i + 1 (db_migrate()). Also the SQL of the triggers that both version 26
 * and a bulk load's end (schema_make_bulk_indexes()) make.
 */

/* The trigger that queues a track for analysis again when its file
 * changes (version 11), made again with the files' table (version 21). */
#define ANALYSIS_QUEUE_CHANGE \
	"CREATE TRIGGER IF NOT EXISTS analysis_queue_change" \
	"  AFTER UPDATE OF size, mtime_ns, inode ON files" \
	"  WHEN OLD.size IS NOT NEW.size" \
	"  OR OLD.mtime_ns IS NOT NEW.mtime_ns OR OLD.inode IS NOT NEW.inode" \
	"  BEGIN" \
	"  INSERT OR REPLACE INTO analysis_queue (track_id)" \
	"  SELECT id FROM tracks WHERE file_id = NEW.id;" \
	"  END;"

/* The triggers that keep the running total name (version 26) as rows of
 * table come (where add holds of NEW) and go (where del held of OLD),
 * with the statements on_add and on_del. */
#define TOTALS_ADD(table, name, add, on_add) \
	"CREATE TRIGGER IF NOT EXISTS totals_" table "_add" \
	"  AFTER INSERT ON " table " BEGIN" \
	"  UPDATE totals SET n = n + 1 WHERE name = '" name "' AND " add ";" \
	"  " on_add " END;"
#define TOTALS_DEL(table, name, del, on_del) \
	"CREATE TRIGGER IF NOT EXISTS totals_" table "_del" \
	"  AFTER DELETE ON " table " BEGIN" \
	"  UPDATE totals SET n = n - 1 WHERE name = '" name "' AND " del ";" \
	"  " on_del " END;"
#define TOTALS_ADD_DEL(table, name, add, del, on_add, on_del) \
	TOTALS_ADD(table, name, add, on_add) \
	TOTALS_DEL(table, name, del, on_del)

/* Mark the id value (NULL marks nothing) in table, whose column col is
 * its primary key, in a trigger's body (version 26). Not INSERT OR
 * IGNORE: the conflict clause of the statement that fires a trigger
 * overrides those in its body, and an upsert's is ABORT. */
#define MARK(table, col, value) \
	"  INSERT INTO " table " SELECT v FROM (SELECT " value " AS v)" \
	"  WHERE v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " table \
	"  WHERE " col " = v);"

/* A file of root_id comes or goes, in root_totals (version 26). */
#define ROOT_FILE_ADD \
	"  INSERT INTO root_totals SELECT NEW.root_id, 0 WHERE NOT EXISTS" \
	"  (SELECT 1 FROM root_totals WHERE root_id = NEW.root_id);" \
	"  UPDATE root_totals SET files = files + 1" \
	"  WHERE root_id = NEW.root_id;"
#define ROOT_FILE_DEL \
	"  UPDATE root_totals SET files = files - 1" \
	"  WHERE root_id = OLD.root_id;"

/* The trigger subsonic_NAME AFTER event that forgets the stars and plays
 * of the song of file (version 44) when cond holds. */
#define STARRED_FORGET(name, event, file, cond) \
	"CREATE TRIGGER IF NOT EXISTS subsonic_" name " AFTER " event \
	"  WHEN " cond " BEGIN" \
	"  DELETE FROM subsonic_stars WHERE kind = 'song' AND item = " file ";" \
	"  DELETE FROM subsonic_plays WHERE file_id = " file "; END;"

/* The one of a new file: its id is another's that went (version 44).
 * A first scan of an empty store goes without it too: each file it adds
 * takes an id no file had (version 47), so no star or play names it, and
 * a star or a play is kept only for a file there is (starred.c). */
#define STARRED_FILES_ADD \
	STARRED_FORGET("files_add", "INSERT ON files", "NEW.id", \
		       "NOT EXISTS (SELECT 1 FROM gone WHERE file_id = NEW.id" \
		       " AND size = NEW.size AND mtime_ns = NEW.mtime_ns)")

/* The triggers of version 26 that a first scan of an empty store goes
 * without (schema_drop_bulk_indexes()): it only adds rows, which the writer
 * counts itself (music.c), and the albums' covers are settled at its end. */
#define BULK_TRIGGERS \
	TOTALS_ADD("tracks", "tracks", "1", \
		   MARK("covers_dirty", "album_id", "NEW.album_id")) \
	TOTALS_ADD("albums", "albums", "1", "") \
	TOTALS_ADD("artists", "artists", "1", "") \
	TOTALS_ADD("files", "files", "1", \
		   ROOT_FILE_ADD \
		   MARK("covers_dirty_dirs", "dir_id", \
			"CASE NEW.kind WHEN 'other' THEN NEW.dir_id END")) \
	"CREATE TRIGGER IF NOT EXISTS covers_pictures_add" \
	"  AFTER INSERT ON pictures BEGIN" \
	MARK("covers_dirty", "album_id", "(SELECT album_id FROM tracks" \
	     " WHERE file_id = NEW.file_id)") " END;"

/* Versions 1 to 20 (migrations_first.c), and 21 on (migrations_later.c). */
extern const char *const migrations_first[];
extern const int migrations_first_count;
extern const char *const migrations_later[];
extern const int migrations_later_count;

#endif
