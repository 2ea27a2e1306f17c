/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "indexer/store/schema.h"

#include <stdio.h>

#include "common/bytes.h"
#include "common/cache.h"
#include "common/db.h"

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
	TOTALS_ADD(table, name, add, on_add) TOTALS_DEL(table, name, del, on_del)

/* Mark the id value (NULL marks nothing) in table, whose column col is
 * its primary key, in a trigger's body (version 26). Not INSERT OR
 * IGNORE: the conflict clause of the statement that fires a trigger
 * overrides those in its body, and an upsert's is ABORT. */
#define MARK(table, col, value) \
	"  INSERT INTO " table " SELECT v FROM (SELECT " value " AS v)" \
	"  WHERE v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " table \
	"  WHERE " col " = v);"

/* The files of the audio formats read since version 29, by name. */
#define NEW_AUDIO \
	"(lower(substr(CAST(name AS TEXT), -4)) IN" \
	" ('.ogg', '.oga', '.m4a', '.m4b', '.mp4', '.ape', '.wav', '.aif')" \
	" OR lower(substr(CAST(name AS TEXT), -5)) IN" \
	" ('.opus', '.aiff', '.aifc')" \
	" OR lower(substr(CAST(name AS TEXT), -3)) = '.wv')"

/* A file of root_id comes or goes, in root_totals (version 26). */
#define ROOT_FILE_ADD \
	"  INSERT INTO root_totals SELECT NEW.root_id, 0 WHERE NOT EXISTS" \
	"  (SELECT 1 FROM root_totals WHERE root_id = NEW.root_id);" \
	"  UPDATE root_totals SET files = files + 1" \
	"  WHERE root_id = NEW.root_id;"
#define ROOT_FILE_DEL \
	"  UPDATE root_totals SET files = files - 1" \
	"  WHERE root_id = OLD.root_id;"

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

static const char *const bulk_triggers[] = {
	"totals_tracks_add", "totals_albums_add", "totals_artists_add",
	"totals_files_add", "covers_pictures_add",
};

static const char *const schema_steps[] = {
	/* version 1: the music index and scan history */
	"CREATE TABLE roots ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  path BLOB NOT NULL,"
	"  UNIQUE (kind, path));"
	"CREATE TABLE directories ("
	"  id INTEGER PRIMARY KEY,"
	"  root_id INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,"
	"  path BLOB NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  UNIQUE (root_id, path));"
	"CREATE TABLE files ("
	"  id INTEGER PRIMARY KEY,"
	"  root_id INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,"
	"  dir_id INTEGER NOT NULL REFERENCES directories(id)"
	"    ON DELETE CASCADE,"
	"  path BLOB NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  inode INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  tag_error INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (root_id, path));"
	"CREATE INDEX files_dir ON files (dir_id);"
	"CREATE TABLE artists ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE albums ("
	"  id INTEGER PRIMARY KEY,"
	"  title TEXT NOT NULL,"
	"  artist_id INTEGER REFERENCES artists(id),"
	"  year INTEGER,"
	"  mb_album_id TEXT,"
	"  UNIQUE (artist_id, title));"
	"CREATE INDEX albums_title ON albums (title);"
	"CREATE TABLE tracks ("
	"  id INTEGER PRIMARY KEY,"
	"  file_id INTEGER NOT NULL UNIQUE REFERENCES files(id)"
	"    ON DELETE CASCADE,"
	"  title TEXT NOT NULL,"
	"  artist_id INTEGER REFERENCES artists(id),"
	"  album_artist_id INTEGER REFERENCES artists(id),"
	"  album_id INTEGER REFERENCES albums(id),"
	"  track_no INTEGER, track_total INTEGER,"
	"  disc_no INTEGER, disc_total INTEGER,"
	"  year INTEGER,"
	"  genre TEXT,"
	"  duration_s REAL,"
	"  codec TEXT,"
	"  bitrate_kbps INTEGER,"
	"  sample_rate INTEGER,"
	"  channels INTEGER,"
	"  has_picture INTEGER NOT NULL DEFAULT 0,"
	"  mb_track_id TEXT,"
	"  mb_album_id TEXT,"
	"  mb_artist_id TEXT,"
	"  mb_album_artist_id TEXT);"
	"CREATE INDEX tracks_artist ON tracks (artist_id);"
	"CREATE INDEX tracks_album ON tracks (album_id, disc_no, track_no);"
	"CREATE TABLE scans ("
	"  id INTEGER PRIMARY KEY,"
	"  trigger TEXT NOT NULL,"
	"  scope TEXT NOT NULL,"
	"  started_at REAL NOT NULL,"
	"  finished_at REAL,"
	"  duration_s REAL,"
	"  files_seen INTEGER NOT NULL DEFAULT 0,"
	"  files_new INTEGER NOT NULL DEFAULT 0,"
	"  files_changed INTEGER NOT NULL DEFAULT 0,"
	"  files_unchanged INTEGER NOT NULL DEFAULT 0,"
	"  files_deleted INTEGER NOT NULL DEFAULT 0,"
	"  tag_errors INTEGER NOT NULL DEFAULT 0,"
	"  io_errors INTEGER NOT NULL DEFAULT 0,"
	"  bytes_read INTEGER NOT NULL DEFAULT 0,"
	"  walk_s REAL, parse_s REAL, write_s REAL,"
	"  peak_rss_kb INTEGER,"
	"  success INTEGER);",

	/* version 2: the manga library */
	"CREATE TABLE series ("
	"  id INTEGER PRIMARY KEY,"
	"  root_id INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,"
	"  path BLOB NOT NULL,"
	"  name TEXT NOT NULL,"
	"  monitored INTEGER NOT NULL DEFAULT 1,"
	"  source TEXT NOT NULL DEFAULT '',"
	"  latest REAL,"
	"  status TEXT,"
	"  last_checked REAL,"
	"  UNIQUE (root_id, path));"
	"CREATE TABLE volumes ("
	"  id INTEGER PRIMARY KEY,"
	"  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL,"
	"  first REAL NOT NULL,"
	"  last REAL NOT NULL,"
	"  path BLOB NOT NULL);"
	"CREATE INDEX volumes_series ON volumes (series_id, kind, first);",

	/* version 3: what ComicInfo.xml inside a volume archive says */
	"CREATE TABLE comicinfo ("
	"  file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,"
	"  series TEXT,"
	"  volume REAL NOT NULL DEFAULT 0,"
	"  number REAL NOT NULL DEFAULT 0);",

	/* version 4: the local catalog of releases and what was loaded */
	"CREATE TABLE catalog ("
	"  id INTEGER PRIMARY KEY,"
	"  title TEXT NOT NULL,"
	"  link TEXT NOT NULL,"
	"  size INTEGER,"
	"  source TEXT);"
	"CREATE VIRTUAL TABLE catalog_fts USING fts5("
	"  title, content='catalog', content_rowid='id',"
	"  tokenize='unicode61 remove_diacritics 2');"
	"CREATE TABLE catalog_meta ("
	"  path BLOB NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  loaded_at REAL NOT NULL,"
	"  entries INTEGER NOT NULL,"
	"  bad_lines INTEGER NOT NULL);",

	/* version 5: monitoring: what is published, searched, found, sent */
	"ALTER TABLE series ADD COLUMN published REAL;"
	CACHE_SCHEMA
	"CREATE TABLE services ("
	"  name TEXT PRIMARY KEY,"
	"  last_request_at REAL NOT NULL DEFAULT 0,"
	"  paused_until REAL NOT NULL DEFAULT 0,"
	"  backoff_s REAL NOT NULL DEFAULT 0,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  last_ok_at REAL,"
	"  last_error TEXT,"
	"  error_level TEXT,"
	"  last_error_at REAL);"
	"CREATE TABLE wanted ("
	"  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,"
	"  volume INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  searched_at REAL NOT NULL,"
	"  PRIMARY KEY (series_id, volume));"
	"CREATE TABLE found ("
	"  series_id INTEGER NOT NULL,"
	"  volume INTEGER NOT NULL,"
	"  rank INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  link TEXT,"
	"  magnet TEXT,"
	"  guid TEXT,"
	"  indexer TEXT,"
	"  indexer_id INTEGER,"
	"  first REAL NOT NULL,"
	"  last REAL NOT NULL,"
	"  size INTEGER,"
	"  seeders INTEGER,"
	"  published_at REAL,"
	"  found_at REAL NOT NULL,"
	"  PRIMARY KEY (series_id, volume, rank),"
	"  FOREIGN KEY (series_id, volume) REFERENCES wanted"
	"    ON DELETE CASCADE);"
	"CREATE TABLE downloads ("
	"  series TEXT NOT NULL,"
	"  volume INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  client TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  at REAL NOT NULL,"
	"  error TEXT,"
	"  PRIMARY KEY (series, volume));"
	"CREATE TABLE checks ("
	"  kind TEXT PRIMARY KEY,"
	"  trigger TEXT NOT NULL,"
	"  started_at REAL NOT NULL,"
	"  finished_at REAL,"
	"  series INTEGER NOT NULL DEFAULT 0,"
	"  wanted INTEGER NOT NULL DEFAULT 0,"
	"  found INTEGER NOT NULL DEFAULT 0,"
	"  catalog INTEGER NOT NULL DEFAULT 0,"
	"  prowlarr INTEGER NOT NULL DEFAULT 0,"
	"  nautiljon INTEGER NOT NULL DEFAULT 0,"
	"  cache_hits INTEGER NOT NULL DEFAULT 0,"
	"  downloads INTEGER NOT NULL DEFAULT 0,"
	"  errors INTEGER NOT NULL DEFAULT 0);",

	/* version 6: Real-Debrid repair: links into the mount, the account's
	 * torrents, repairs and every request they cost */
	"CREATE TABLE rd_links ("
	"  path BLOB PRIMARY KEY,"
	"  target BLOB NOT NULL,"
	"  torrent_name TEXT,"
	"  file TEXT,"
	"  broken INTEGER NOT NULL,"
	"  torrent_id TEXT,"
	"  map_error TEXT,"
	"  seen_at REAL NOT NULL);"
	"CREATE INDEX rd_links_torrent ON rd_links (torrent_id);"
	"CREATE TABLE rd_torrents ("
	"  id TEXT PRIMARY KEY,"
	"  filename TEXT,"
	"  original_filename TEXT,"
	"  hash TEXT,"
	"  status TEXT,"
	"  bytes INTEGER,"
	"  added_at REAL,"
	"  seen_at REAL NOT NULL,"
	"  info_at REAL);"
	"CREATE INDEX rd_torrents_filename ON rd_torrents (filename);"
	"CREATE INDEX rd_torrents_original ON rd_torrents (original_filename);"
	"CREATE TABLE rd_files ("
	"  torrent_id TEXT NOT NULL REFERENCES rd_torrents(id)"
	"    ON DELETE CASCADE,"
	"  file_id INTEGER NOT NULL,"
	"  path TEXT NOT NULL,"
	"  bytes INTEGER,"
	"  selected INTEGER NOT NULL,"
	"  PRIMARY KEY (torrent_id, file_id));"
	"CREATE TABLE rd_repairs ("
	"  torrent_id TEXT PRIMARY KEY,"
	"  hash TEXT,"
	"  name TEXT,"
	"  state TEXT NOT NULL,"
	"  new_id TEXT,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_at REAL,"
	"  started_at REAL,"
	"  updated_at REAL NOT NULL,"
	"  finished_at REAL,"
	"  last_error TEXT,"
	"  plan TEXT);"
	"CREATE INDEX rd_repairs_hash ON rd_repairs (hash);"
	"CREATE TABLE rd_attempts ("
	"  id INTEGER PRIMARY KEY,"
	"  at REAL NOT NULL,"
	"  endpoint TEXT NOT NULL,"
	"  torrent_id TEXT,"
	"  result TEXT NOT NULL,"
	"  http_status INTEGER,"
	"  error_code INTEGER,"
	"  elapsed_s REAL);"
	"CREATE INDEX rd_attempts_at ON rd_attempts (at);"
	"CREATE TABLE rd_failures ("
	"  torrent_id TEXT PRIMARY KEY,"
	"  name TEXT,"
	"  hash TEXT,"
	"  reason TEXT NOT NULL,"
	"  at REAL NOT NULL,"
	"  links_deleted INTEGER NOT NULL DEFAULT 0,"
	"  rescans INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE rd_passes ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  trigger TEXT NOT NULL,"
	"  dry_run INTEGER NOT NULL,"
	"  started_at REAL NOT NULL,"
	"  finished_at REAL,"
	"  duration_s REAL,"
	"  links INTEGER NOT NULL DEFAULT 0,"
	"  broken INTEGER NOT NULL DEFAULT 0,"
	"  unmapped INTEGER NOT NULL DEFAULT 0,"
	"  guard_ok INTEGER NOT NULL DEFAULT 1,"
	"  guard_reason TEXT,"
	"  started INTEGER NOT NULL DEFAULT 0,"
	"  repaired INTEGER NOT NULL DEFAULT 0,"
	"  retries INTEGER NOT NULL DEFAULT 0,"
	"  failed INTEGER NOT NULL DEFAULT 0,"
	"  links_deleted INTEGER NOT NULL DEFAULT 0,"
	"  rescans INTEGER NOT NULL DEFAULT 0,"
	"  requests INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE rd_sync ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  list_offset INTEGER NOT NULL DEFAULT 0,"
	"  list_total INTEGER NOT NULL DEFAULT -1,"
	"  synced_at REAL,"
	"  rate_limited_at REAL NOT NULL DEFAULT 0);",

	/* version 7: searching tracks by title, artist and album. Triggers only
	 * note which tracks changed (tracks_fts_dirty): the writer brings their
	 * search rows up to date in bulk before each commit and when it starts
	 * (search_index.h), as one FTS5 insert per track costs ten times more.
	 * An index for the views by album artist (genre and year indexes would
	 * cost a first scan more than they save). */
	"CREATE VIRTUAL TABLE tracks_fts USING fts5("
	"  title, artist, album, album_artist,"
	"  tokenize='unicode61 remove_diacritics 2');"
	"CREATE TABLE tracks_fts_dirty (id INTEGER PRIMARY KEY);"
	"INSERT INTO tracks_fts_dirty SELECT id FROM tracks;"
	"CREATE TRIGGER tracks_fts_add AFTER INSERT ON tracks BEGIN"
	"  INSERT OR IGNORE INTO tracks_fts_dirty VALUES (NEW.id);"
	"  END;"
	"CREATE TRIGGER tracks_fts_del AFTER DELETE ON tracks BEGIN"
	"  INSERT OR IGNORE INTO tracks_fts_dirty VALUES (OLD.id);"
	"  END;"
	"CREATE TRIGGER tracks_fts_set AFTER UPDATE OF title, artist_id,"
	"  album_id, album_artist_id ON tracks BEGIN"
	"  INSERT OR IGNORE INTO tracks_fts_dirty VALUES (OLD.id);"
	"  END;"
	"CREATE INDEX tracks_album_artist ON tracks (album_artist_id, album_id);",

	/* version 8: where the embedded picture of a track is (picture.h).
	 * Tracks known to hold one are read again by the next scan (their
	 * mtime no longer matches), so that they get their row. */
	"CREATE TABLE pictures ("
	"  file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,"
	"  type INTEGER NOT NULL,"
	"  mime TEXT NOT NULL,"
	"  offset INTEGER NOT NULL,"
	"  length INTEGER NOT NULL,"
	"  unsync INTEGER NOT NULL);"
	"UPDATE files SET mtime_ns = 0 WHERE id IN"
	"  (SELECT file_id FROM tracks WHERE has_picture);",

	/* version 9: settings the store was last indexed with (name
	 * "covers": 0 or 1, absent meaning 1), so that turning [music]
	 * covers back on has the pictures skipped meanwhile noted. */
	"CREATE TABLE settings ("
	"  name TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL);",

	/* version 10: the old torrents of repairs, owed a deletion until
	 * Real-Debrid deletes them or no longer has them (rd_job.h) */
	"CREATE TABLE IF NOT EXISTS rd_deletes ("
	"  torrent_id TEXT PRIMARY KEY,"
	"  new_id TEXT,"
	"  name TEXT,"
	"  since REAL NOT NULL,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT,"
	"  tried_at REAL,"
	"  deleted_at REAL);",

	/* version 11: background audio analysis (analysis_store.h). A track
	 * is queued by triggers, in the transaction that adds it or records
	 * a change of its file (size, mtime or inode), so no writer path can
	 * forget one; its results and queue entry go with it. The queue's
	 * seq never comes back (AUTOINCREMENT): a track queued again while
	 * a worker analyses it keeps its new entry. Tracks already indexed
	 * are queued. Tests that take a store back to an earlier version
	 * keep these tables: the step may run over them again. */
	"CREATE TABLE IF NOT EXISTS analysis ("
	"  track_id INTEGER PRIMARY KEY REFERENCES tracks(id)"
	"    ON DELETE CASCADE,"
	"  state TEXT NOT NULL,"
	"  error TEXT,"
	"  analysed_at REAL NOT NULL,"
	"  duration_s REAL,"
	"  bpm REAL,"
	"  loudness_lufs REAL,"
	"  peak REAL,"
	"  gain_db REAL,"
	"  vector BLOB,"
	"  fingerprint BLOB);"
	"CREATE TABLE IF NOT EXISTS analysis_keys ("
	"  key INTEGER NOT NULL,"
	"  track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (key, track_id)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS analysis_keys_track"
	"  ON analysis_keys (track_id);"
	"CREATE TABLE IF NOT EXISTS analysis_matches ("
	"  track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,"
	"  other_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (track_id, other_id)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS analysis_matches_other"
	"  ON analysis_matches (other_id);"
	"CREATE TABLE IF NOT EXISTS analysis_queue ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  track_id INTEGER NOT NULL UNIQUE REFERENCES tracks(id)"
	"    ON DELETE CASCADE);"
	"CREATE TABLE IF NOT EXISTS analysis_albums ("
	"  album_id INTEGER PRIMARY KEY REFERENCES albums(id)"
	"    ON DELETE CASCADE,"
	"  gain_db REAL NOT NULL);"
	"INSERT OR IGNORE INTO analysis_queue (track_id)"
	"  SELECT id FROM tracks ORDER BY id;"
	"CREATE TRIGGER IF NOT EXISTS analysis_queue_add"
	"  AFTER INSERT ON tracks BEGIN"
	"  INSERT OR REPLACE INTO analysis_queue (track_id) VALUES (NEW.id);"
	"  END;"
	ANALYSIS_QUEUE_CHANGE,

	/* version 12: the genre and year views find a folder's tracks
	 * without reading every track: a walk of the views lists every
	 * genre and year, each a full scan of the tracks without these
	 * (on 100,000 tracks, about 1 s of a 6 s walk), when keeping them
	 * costs a first scan about 0.25 s. IF NOT EXISTS, as tests bring
	 * stores back to older versions without dropping them. */
	"CREATE INDEX IF NOT EXISTS tracks_genre ON tracks (genre);"
	"CREATE INDEX IF NOT EXISTS tracks_year ON tracks (year);",

	/* version 13: why a volume file's name gives no volume (names.h),
	 * for /status/unparsed; rebuilt with the volumes. IF NOT EXISTS,
	 * as tests bring stores back to older versions. */
	"CREATE TABLE IF NOT EXISTS unparsed ("
	"  volume_id INTEGER PRIMARY KEY REFERENCES volumes(id)"
	"    ON DELETE CASCADE,"
	"  reason TEXT NOT NULL);",

	/* version 14: every check of the monitor kept, one row each
	 * (checks.h), where checks held the last one of each flow: its rows
	 * are not carried over, they only said when the last checks ran.
	 * found gains each release's protocol and what the hand-off did
	 * with it (state, reason); its rows come back at the next check.
	 * Both dropped and made anew, so the step can run again over them:
	 * tests take stores back to older versions. */
	"DROP TABLE IF EXISTS checks;"
	"CREATE TABLE checks ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  trigger TEXT NOT NULL,"
	"  started_at REAL NOT NULL,"
	"  finished_at REAL,"
	"  series INTEGER NOT NULL DEFAULT 0,"
	"  wanted INTEGER NOT NULL DEFAULT 0,"
	"  found INTEGER NOT NULL DEFAULT 0,"
	"  catalog INTEGER NOT NULL DEFAULT 0,"
	"  prowlarr INTEGER NOT NULL DEFAULT 0,"
	"  nautiljon INTEGER NOT NULL DEFAULT 0,"
	"  cache_hits INTEGER NOT NULL DEFAULT 0,"
	"  sent INTEGER NOT NULL DEFAULT 0,"
	"  skipped INTEGER NOT NULL DEFAULT 0,"
	"  failed INTEGER NOT NULL DEFAULT 0,"
	"  errors INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX checks_kind ON checks (kind, id);"
	"DROP TABLE IF EXISTS found;"
	"CREATE TABLE found ("
	"  series_id INTEGER NOT NULL,"
	"  volume INTEGER NOT NULL,"
	"  rank INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  protocol TEXT,"
	"  link TEXT,"
	"  magnet TEXT,"
	"  guid TEXT,"
	"  indexer TEXT,"
	"  indexer_id INTEGER,"
	"  first REAL NOT NULL,"
	"  last REAL NOT NULL,"
	"  size INTEGER,"
	"  seeders INTEGER,"
	"  published_at REAL,"
	"  found_at REAL NOT NULL,"
	"  state TEXT,"
	"  reason TEXT,"
	"  PRIMARY KEY (series_id, volume, rank),"
	"  FOREIGN KEY (series_id, volume) REFERENCES wanted"
	"    ON DELETE CASCADE);",

	/* version 15: notifications wait here until their target took
	 * them, so that none is lost across a restart while a target is
	 * down (indexer/notifier.h). */
	"CREATE TABLE IF NOT EXISTS notify_queue ("
	"  id INTEGER PRIMARY KEY,"
	"  target TEXT NOT NULL,"
	"  event TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  message TEXT NOT NULL,"
	"  details TEXT,"
	"  created_at REAL NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT);"
	"CREATE INDEX IF NOT EXISTS notify_queue_target"
	"  ON notify_queue (target, id);"
	"CREATE TABLE IF NOT EXISTS notify_once ("
	"  event TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  at REAL NOT NULL,"
	"  PRIMARY KEY (event, subject)) WITHOUT ROWID;",

	/* version 16: why a file's tags are damaged (/status/tag-errors,
	 * found through a partial index: few files are), and where each
	 * field of a track came from ("title=id3v2 album=id3v1", tags.h),
	 * so a wrong value can be traced. Tests that take a store back to
	 * an earlier version drop these columns. */
	"ALTER TABLE files ADD COLUMN tag_error_reason TEXT;"
	"ALTER TABLE tracks ADD COLUMN tag_source TEXT;"
	"CREATE INDEX IF NOT EXISTS files_tag_error ON files (root_id, path)"
	"  WHERE tag_error;",

	/* version 17: Real-Debrid repair as its users run it. The account
	 * is listed by pages, in cycles whose progress is kept with each
	 * page, so a full resync goes on after a restart (rd_sync.h); each
	 * pass notes the rate limits it met; a repair a user asked to retry
	 * (asked_at) is kept even when no link of it is dead. Tests that
	 * take a store back to an earlier version undo it. */
	"ALTER TABLE rd_sync ADD COLUMN list_page INTEGER NOT NULL DEFAULT 1;"
	"UPDATE rd_sync SET list_page = list_offset / 1000 + 1;"
	"ALTER TABLE rd_sync DROP COLUMN list_offset;"
	"ALTER TABLE rd_sync ADD COLUMN full_sync INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE rd_sync ADD COLUMN cycle_started_at REAL;"
	"ALTER TABLE rd_sync ADD COLUMN pages_done INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE rd_sync ADD COLUMN torrents_seen INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE rd_sync ADD COLUMN cycle_finished_at REAL;"
	"ALTER TABLE rd_passes ADD COLUMN rate_limited INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE rd_repairs ADD COLUMN asked_at REAL;",

	/* version 18: a digest of each directory's files (name, size,
	 * mtime, inode: scan.c), so that a rescan compares a directory
	 * with the store in one number and reads no row of the files of
	 * a directory that did not change. NULL until the next walk of
	 * the directory, or when it is to be looked at file by file. */
	"ALTER TABLE directories ADD COLUMN digest INTEGER;",

	/* version 19: the writer gives the tracks it adds their search rows
	 * and their analysis queue entries, one statement a transaction
	 * (music.h), where triggers did it a row at a time: a trigger makes
	 * SQLite journal each statement of a transaction apart, which
	 * doubled what a track cost. Changes and deletions still go
	 * through triggers: they are few. */
	"DROP TRIGGER IF EXISTS tracks_fts_add;"
	"DROP TRIGGER IF EXISTS analysis_queue_add;",
	/* version 20: the search index keeps no copy of what it indexes
	 * (a sixth of the store at a million tracks): its rows are read
	 * from tracks_search, a view of the tracks, and a changed or
	 * deleted track's row is taken out with the values it was indexed
	 * with, which the triggers keep in tracks_fts_dirty (FTS5 needs
	 * them to find the row's words). Built anew from the tracks. */
	"DROP TRIGGER IF EXISTS tracks_fts_del;"
	"DROP TRIGGER IF EXISTS tracks_fts_set;"
	"DROP TABLE IF EXISTS tracks_fts;"
	"DROP TABLE IF EXISTS tracks_fts_dirty;"
	"DROP VIEW IF EXISTS tracks_search;"
	"CREATE VIEW tracks_search AS SELECT t.id AS id, t.title AS title,"
	"  a.name AS artist, al.title AS album,"
	"  CASE WHEN t.album_artist_id IS NOT t.artist_id THEN aa.name END"
	"  AS album_artist FROM tracks t"
	"  LEFT JOIN artists a ON a.id = t.artist_id"
	"  LEFT JOIN albums al ON al.id = t.album_id"
	"  LEFT JOIN artists aa ON aa.id = t.album_artist_id;"
	"CREATE VIRTUAL TABLE tracks_fts USING fts5("
	"  title, artist, album, album_artist,"
	"  content='tracks_search', content_rowid='id',"
	"  tokenize='unicode61 remove_diacritics 2');"
	"INSERT INTO tracks_fts (tracks_fts) VALUES ('rebuild');"
	"CREATE TABLE tracks_fts_dirty ("
	"  id INTEGER PRIMARY KEY,"
	"  title TEXT, artist TEXT, album TEXT, album_artist TEXT);"
	"CREATE TRIGGER tracks_fts_del AFTER DELETE ON tracks BEGIN"
	"  INSERT OR IGNORE INTO tracks_fts_dirty VALUES (OLD.id, OLD.title,"
	"  (SELECT name FROM artists WHERE id = OLD.artist_id),"
	"  (SELECT title FROM albums WHERE id = OLD.album_id),"
	"  CASE WHEN OLD.album_artist_id IS NOT OLD.artist_id THEN"
	"  (SELECT name FROM artists WHERE id = OLD.album_artist_id) END);"
	"  END;"
	"CREATE TRIGGER tracks_fts_set AFTER UPDATE OF title, artist_id,"
	"  album_id, album_artist_id ON tracks BEGIN"
	"  INSERT OR IGNORE INTO tracks_fts_dirty VALUES (OLD.id, OLD.title,"
	"  (SELECT name FROM artists WHERE id = OLD.artist_id),"
	"  (SELECT title FROM albums WHERE id = OLD.album_id),"
	"  CASE WHEN OLD.album_artist_id IS NOT OLD.artist_id THEN"
	"  (SELECT name FROM artists WHERE id = OLD.album_artist_id) END);"
	"  END;",
	/* version 21: a file keeps its name in its folder, where it kept its
	 * path from the root, which the store then held twice (in the table and
	 * in the unique index on it): a fifth of the store at a million files.
	 * The unique index on (dir_id, name) also finds a folder's files, so
	 * files_dir goes; a first scan keeps it (it grows at its end, as
	 * folders come in order of their ids) and it keeps two copies of one
	 * file out. file_paths gives each file's path from its root (the root's
	 * own folder has the path ""). SQLite changes no constraint in place:
	 * the table is made anew, its rows copied with their ids (so what
	 * points at them still does: db_migrate() runs this with foreign keys
	 * off), the index built once after, and the trigger that went with the
	 * old table made again. */
	"CREATE TABLE files_new ("
	"  id INTEGER PRIMARY KEY,"
	"  root_id INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,"
	"  dir_id INTEGER NOT NULL REFERENCES directories(id)"
	"    ON DELETE CASCADE,"
	"  name BLOB NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  inode INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  tag_error INTEGER NOT NULL DEFAULT 0,"
	"  tag_error_reason TEXT);"
	"INSERT INTO files_new SELECT f.id, f.root_id, f.dir_id,"
	"  substr(CAST(f.path AS BLOB), CASE WHEN length(CAST(d.path AS BLOB))"
	"  THEN length(CAST(d.path AS BLOB)) + 2 ELSE 1 END),"
	"  f.size, f.mtime_ns, f.inode, f.kind, f.tag_error, f.tag_error_reason"
	"  FROM files f JOIN directories d ON d.id = f.dir_id ORDER BY f.id;"
	"DROP TABLE files;"
	"ALTER TABLE files_new RENAME TO files;"
	"CREATE UNIQUE INDEX files_name ON files (dir_id, name);"
	"CREATE INDEX files_tag_error ON files (root_id) WHERE tag_error;"
	ANALYSIS_QUEUE_CHANGE
	"CREATE VIEW file_paths AS SELECT f.*, CAST(CASE WHEN length(d.path)"
	"  THEN d.path || '/' || f.name ELSE f.name END AS BLOB) AS path"
	"  FROM files f JOIN directories d ON d.id = f.dir_id;",
	/* version 22: the analysis queue is keyed by its track, with no index
	 * beside it (a twentieth of the store at a million tracks, queued even
	 * while the analysis is off). Tracks are taken in the order of their
	 * ids; gen counts the times a queued track was queued again, so that a
	 * result of its old content does not take it off (analysis_store.h).
	 * Made anew: tests take stores back to older versions. */
	"DROP TRIGGER IF EXISTS analysis_queue_change;"
	"CREATE TABLE analysis_queue_new ("
	"  track_id INTEGER PRIMARY KEY REFERENCES tracks(id)"
	"    ON DELETE CASCADE,"
	"  gen INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO analysis_queue_new (track_id)"
	"  SELECT track_id FROM analysis_queue;"
	"DROP TABLE analysis_queue;"
	"ALTER TABLE analysis_queue_new RENAME TO analysis_queue;"
	"DELETE FROM sqlite_sequence WHERE name = 'analysis_queue';"
	"CREATE TRIGGER analysis_queue_change"
	"  AFTER UPDATE OF size, mtime_ns, inode ON files"
	"  WHEN OLD.size IS NOT NEW.size"
	"  OR OLD.mtime_ns IS NOT NEW.mtime_ns OR OLD.inode IS NOT NEW.inode"
	"  BEGIN"
	"  INSERT INTO analysis_queue (track_id)"
	"  SELECT id FROM tracks WHERE file_id = NEW.id"
	"  ON CONFLICT (track_id) DO UPDATE SET gen = gen + 1;"
	"  END;",
	/* version 23: a folder's listing as a scan last read it (scan.c),
	 * with the change time and inode the folder had before: while they
	 * stay the same, a rescan takes the names from here. IF NOT EXISTS:
	 * tests take stores back to older versions. */
	"CREATE TABLE IF NOT EXISTS dir_listings ("
	"  dir_id INTEGER PRIMARY KEY REFERENCES directories(id)"
	"    ON DELETE CASCADE,"
	"  ctime_ns INTEGER NOT NULL,"
	"  inode INTEGER NOT NULL,"
	"  names BLOB NOT NULL);",
	/* version 24: the volume a chapter's name gives ("Vol.1 Ch.5" is
	 * chapter 5 of volume 1; manga.h), NULL when it gives none. The
	 * table is made anew with its rows, whose ids the unparsed rows
	 * keep (foreign keys are off in a step), so that the step can run
	 * again over it: tests take stores back to older versions. */
	"CREATE TABLE volumes_new ("
	"  id INTEGER PRIMARY KEY,"
	"  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL,"
	"  first REAL NOT NULL,"
	"  last REAL NOT NULL,"
	"  path BLOB NOT NULL,"
	"  volume_first REAL,"
	"  volume_last REAL);"
	"INSERT INTO volumes_new (id, series_id, kind, first, last, path)"
	"  SELECT id, series_id, kind, first, last, path FROM volumes;"
	"DROP TABLE volumes;"
	"ALTER TABLE volumes_new RENAME TO volumes;"
	"CREATE INDEX volumes_series ON volumes (series_id, kind, first);",
	/* version 25: the releases never to be sent again, by their id
	 * (release.h: release_id()), which found keeps with each release
	 * for /status/found.json and control/blocklist; a series' own
	 * release preferences (/manga/SERIES/preferences, prefs.h). Tests
	 * that take a store back to an earlier version drop them. */
	"CREATE TABLE IF NOT EXISTS blocklist ("
	"  id TEXT PRIMARY KEY,"
	"  title TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  at REAL NOT NULL) WITHOUT ROWID;"
	"ALTER TABLE found ADD COLUMN release_id TEXT;"
	"ALTER TABLE series ADD COLUMN release_prefs TEXT;",
	/* version 26: the counts /status/summary.json (and the analysis' in
	 * metrics/analysis.json) show, kept as running totals by triggers in
	 * the transactions that write the rows, so that no reader counts a
	 * million rows (a count is recounted here: tests take stores back to
	 * older versions). The albums with a cover are rows of album_covers,
	 * which the writer keeps (covers_refresh()) for the albums and folders
	 * the triggers mark in covers_dirty and covers_dirty_dirs (a folder's
	 * images changed): every album is marked here. A first scan of an empty
	 * store goes without the triggers of BULK_TRIGGERS. A step that makes
	 * one of these tables anew must make its triggers again. */
	"CREATE TABLE IF NOT EXISTS totals ("
	"  name TEXT PRIMARY KEY,"
	"  n INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS root_totals ("
	"  root_id INTEGER PRIMARY KEY REFERENCES roots(id) ON DELETE CASCADE,"
	"  files INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS album_covers ("
	"  album_id INTEGER PRIMARY KEY REFERENCES albums(id)"
	"    ON DELETE CASCADE);"
	"CREATE TABLE IF NOT EXISTS covers_dirty ("
	"  album_id INTEGER PRIMARY KEY);"
	"CREATE TABLE IF NOT EXISTS covers_dirty_dirs ("
	"  dir_id INTEGER PRIMARY KEY);"
	"DELETE FROM album_covers;"
	"INSERT OR REPLACE INTO totals VALUES"
	"  ('tracks', (SELECT count(*) FROM tracks)),"
	"  ('albums', (SELECT count(*) FROM albums)),"
	"  ('artists', (SELECT count(*) FROM artists)),"
	"  ('files', (SELECT count(*) FROM files)),"
	"  ('series', (SELECT count(*) FROM series)),"
	"  ('volumes', (SELECT count(*) FROM volumes WHERE kind = 'volume')),"
	"  ('broken_links', (SELECT count(*) FROM rd_links WHERE broken)),"
	"  ('albums_with_cover', 0),"
	"  ('analysis_queued', (SELECT count(*) FROM analysis_queue)),"
	"  ('analysis_ok', (SELECT count(*) FROM analysis WHERE state = 'ok')),"
	"  ('analysis_failed', (SELECT count(*) FROM analysis"
	"    WHERE state = 'failed')),"
	"  ('analysis_too_short', (SELECT count(*) FROM analysis"
	"    WHERE state = 'too_short'));"
	"DELETE FROM root_totals;"
	"INSERT INTO root_totals SELECT id, (SELECT count(*) FROM files"
	"  WHERE root_id = r.id) FROM roots r;"
	"INSERT OR IGNORE INTO covers_dirty SELECT id FROM albums;"
	BULK_TRIGGERS
	TOTALS_DEL("tracks", "tracks", "1",
		   MARK("covers_dirty", "album_id", "OLD.album_id"))
	TOTALS_DEL("albums", "albums", "1", "")
	TOTALS_DEL("artists", "artists", "1", "")
	TOTALS_ADD_DEL("album_covers", "albums_with_cover", "1", "1", "",
		       "")
	TOTALS_ADD_DEL("series", "series", "1", "1", "", "")
	TOTALS_ADD_DEL("volumes", "volumes", "NEW.kind = 'volume'",
		       "OLD.kind = 'volume'", "", "")
	TOTALS_ADD_DEL("rd_links", "broken_links", "NEW.broken", "OLD.broken",
		       "", "")
	TOTALS_DEL("files", "files", "1",
		   ROOT_FILE_DEL
		   MARK("covers_dirty_dirs", "dir_id",
			"CASE OLD.kind WHEN 'other' THEN OLD.dir_id END"))
	TOTALS_ADD_DEL("analysis_queue", "analysis_queued", "1", "1", "", "")
	/* an analysis is counted by its state; INSERT OR REPLACE takes
	 * the row it replaces out first (with recursive triggers off, as
	 * SQLite has them, REPLACE fires no delete trigger) */
	"CREATE TRIGGER IF NOT EXISTS totals_analysis_replace"
	"  BEFORE INSERT ON analysis BEGIN"
	"  UPDATE totals SET n = n - 1 WHERE name = (SELECT 'analysis_' || state"
	"  FROM analysis WHERE track_id = NEW.track_id); END;"
	"CREATE TRIGGER IF NOT EXISTS totals_analysis_add"
	"  AFTER INSERT ON analysis BEGIN"
	"  UPDATE totals SET n = n + 1 WHERE name = 'analysis_' || NEW.state;"
	"  END;"
	"CREATE TRIGGER IF NOT EXISTS totals_analysis_del"
	"  AFTER DELETE ON analysis BEGIN"
	"  UPDATE totals SET n = n - 1 WHERE name = 'analysis_' || OLD.state;"
	"  END;"
	"CREATE TRIGGER IF NOT EXISTS totals_analysis_set"
	"  AFTER UPDATE OF state ON analysis BEGIN"
	"  UPDATE totals SET n = n - 1 WHERE name = 'analysis_' || OLD.state;"
	"  UPDATE totals SET n = n + 1 WHERE name = 'analysis_' || NEW.state;"
	"  END;"
	"CREATE TRIGGER IF NOT EXISTS totals_volumes_set"
	"  AFTER UPDATE OF kind ON volumes BEGIN"
	"  UPDATE totals SET n = n + (NEW.kind = 'volume')"
	"  - (OLD.kind = 'volume') WHERE name = 'volumes'; END;"
	"CREATE TRIGGER IF NOT EXISTS totals_rd_links_set"
	"  AFTER UPDATE OF broken ON rd_links BEGIN"
	"  UPDATE totals SET n = n + (NEW.broken != 0) - (OLD.broken != 0)"
	"  WHERE name = 'broken_links'; END;"
	"CREATE TRIGGER IF NOT EXISTS totals_files_set"
	"  AFTER UPDATE OF root_id, dir_id, name, kind ON files BEGIN"
	ROOT_FILE_DEL ROOT_FILE_ADD
	MARK("covers_dirty_dirs", "dir_id",
	     "CASE OLD.kind WHEN 'other' THEN OLD.dir_id END")
	MARK("covers_dirty_dirs", "dir_id",
	     "CASE NEW.kind WHEN 'other' THEN NEW.dir_id END") " END;"
	"CREATE TRIGGER IF NOT EXISTS totals_tracks_set"
	"  AFTER UPDATE OF album_id, disc_no, track_no, file_id ON tracks BEGIN"
	MARK("covers_dirty", "album_id", "OLD.album_id")
	MARK("covers_dirty", "album_id", "NEW.album_id") " END;"
	"CREATE TRIGGER IF NOT EXISTS covers_pictures_del"
	"  AFTER DELETE ON pictures BEGIN"
	MARK("covers_dirty", "album_id", "(SELECT album_id FROM tracks"
	     " WHERE file_id = OLD.file_id)") " END;",
	/* version 27: what a repair did beyond Real-Debrid, one row a step
	 * (rd_actions: the Arrs' file records deleted and the searches
	 * asked, the media servers told, the orphans deleted), and the dead
	 * links no torrent explains, since when they are seen so
	 * (rd_orphans). Made only if missing: tests that take a store back
	 * to an earlier version run it again. */
	"CREATE TABLE IF NOT EXISTS rd_actions ("
	"  id INTEGER PRIMARY KEY,"
	"  at REAL NOT NULL,"
	"  torrent_id TEXT,"
	"  service TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  target TEXT,"
	"  result TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS rd_actions_at ON rd_actions (at);"
	"CREATE TABLE IF NOT EXISTS rd_orphans ("
	"  path BLOB PRIMARY KEY,"
	"  target BLOB NOT NULL,"
	"  since REAL NOT NULL) WITHOUT ROWID;",
	/* version 28: each hand-off followed in its client (tracker.h): its
	 * id there, the release's id (blocklisted when it fails), its
	 * progress and when that last moved, when it was sent and when its
	 * state last changed; each check's count of the downloads that
	 * completed, failed and were imported after it. Tests that take a
	 * store back to an earlier version drop these columns. */
	"ALTER TABLE downloads ADD COLUMN client_id TEXT;"
	"ALTER TABLE downloads ADD COLUMN release_id TEXT;"
	"ALTER TABLE downloads ADD COLUMN progress REAL NOT NULL DEFAULT 0;"
	"ALTER TABLE downloads ADD COLUMN progress_at REAL;"
	"ALTER TABLE downloads ADD COLUMN sent_at REAL;"
	"ALTER TABLE downloads ADD COLUMN changed_at REAL;"
	"ALTER TABLE downloads ADD COLUMN path TEXT;"
	"ALTER TABLE checks ADD COLUMN completed INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE checks ADD COLUMN download_failed INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE checks ADD COLUMN imported INTEGER NOT NULL DEFAULT 0;",
	/* version 29: the ReplayGain a track's tags give (REPLAYGAIN_*,
	 * Opus' R128_*, MP4's replaygain_* items), in dB to -18 LUFS; NULL
	 * when none (a FLAC file indexed gets it when it changes). The
	 * files of the formats read since, kept as "other" files before,
	 * look changed, their folders' digests forgotten, for the next scan
	 * to read them. Tests going back to older versions drop them. */
	"ALTER TABLE tracks ADD COLUMN tag_gain_db REAL;"
	"ALTER TABLE tracks ADD COLUMN tag_album_gain_db REAL;"
	"UPDATE directories SET digest = NULL WHERE id IN"
	"  (SELECT dir_id FROM files WHERE kind = 'other' AND " NEW_AUDIO ");"
	"UPDATE files SET mtime_ns = 0 WHERE kind = 'other' AND " NEW_AUDIO
	";",
	/* version 30: a root's last scanned device, or NULL (root_guard.h) */
	"ALTER TABLE roots ADD COLUMN dev INTEGER;",
	/* version 31: the source and edition of published: "mangadex:en" */
	"ALTER TABLE series ADD COLUMN published_by TEXT;",
	/* version 32: an archive's pages, its cover's kind (comicinfo.h) */
	"ALTER TABLE comicinfo ADD COLUMN pages INTEGER; ALTER TABLE"
	"  comicinfo ADD COLUMN cover TEXT; UPDATE directories SET digest ="
	"  NULL WHERE id IN (SELECT dir_id FROM files WHERE kind = 'archive');"
	"UPDATE files SET mtime_ns = 0 WHERE kind = 'archive';",
	/* version 33: files that left (library/gone.h), made if missing */
	"CREATE TABLE IF NOT EXISTS gone (file_id INTEGER PRIMARY KEY, track_id"
	"  INTEGER UNIQUE, root_id, dir, name, size, mtime_ns, inode, gone_at"
	"  REAL, keys, matches, state, error, analysed_at, duration_s, bpm,"
	"  loudness_lufs, peak, gain_db, vector, fingerprint);"
	"CREATE INDEX IF NOT EXISTS gone_inode ON gone (inode);"
	"CREATE INDEX IF NOT EXISTS gone_name ON gone (name);",
	"ALTER TABLE scans ADD COLUMN cpu_s REAL;", /* 34: a scan's CPU time */
	/* 35: a download's bytes and speed as its client said (tracker.h) */
	"ALTER TABLE downloads ADD COLUMN bytes_done INTEGER; ALTER TABLE"
	"  downloads ADD COLUMN bytes_total INTEGER; ALTER TABLE downloads"
	"  ADD COLUMN bytes_per_s INTEGER;",
};

int schema_version(void)
{
	return ARRAY_SIZE(schema_steps);
}

int schema_migrate(sqlite3 *db)
{
	return db_migrate(db, schema_steps, schema_version());
}

/* The bulk indexes (schema.h), as their migrations above made them. */
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
	sqlite3_stmt *st;
	int rc, missing;

	rc = db_prepare(db, "SELECT NOT EXISTS (SELECT 1 FROM sqlite_master"
			" WHERE type = 'trigger' AND name = 'totals_files_add')",
			&st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	missing = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	rc = db_finalize(st, rc, "look for triggers");
	return rc ? rc : missing;
}

int schema_make_bulk_indexes(sqlite3 *db)
{
	char sql[128];
	int rc = 0, missing;

	for (size_t i = 0; !rc && i < ARRAY_SIZE(bulk_indexes); i++) {
		snprintf(sql, sizeof(sql), "CREATE INDEX IF NOT EXISTS %s ON %s",
			 bulk_indexes[i].name, bulk_indexes[i].on);
		rc = db_exec(db, sql);
	}
	missing = rc ? rc : bulk_triggers_missing(db);
	if (missing <= 0)
		return missing;
	/* every album came in the bulk load: its cover is to be settled */
	return db_exec(db, BULK_TRIGGERS
		       "INSERT OR IGNORE INTO covers_dirty SELECT id FROM albums");
}
