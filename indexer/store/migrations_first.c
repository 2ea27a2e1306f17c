/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The schema's versions 1 to 20 as SQL, one string a version: the
 * tables as first made (music, manga, catalog, monitoring, Real-Debrid
 * repair) and the changes that followed, up to the search index read
 * from a view. A new version goes at the end of migrations_later.c, not
 * here. No code: schema.c applies them.
 */
#include "common/bytes.h"
#include "common/cache.h"
#include "indexer/store/migrations.h"

/* The columns of the table checks that its first form and the one made
 * anew in version 14 share: when, and what a check counted. */
#define CHECKS_COUNTS \
	"  trigger TEXT NOT NULL," \
	"  started_at REAL NOT NULL," \
	"  finished_at REAL," \
	"  series INTEGER NOT NULL DEFAULT 0," \
	"  wanted INTEGER NOT NULL DEFAULT 0," \
	"  found INTEGER NOT NULL DEFAULT 0," \
	"  catalog INTEGER NOT NULL DEFAULT 0," \
	"  prowlarr INTEGER NOT NULL DEFAULT 0," \
	"  nautiljon INTEGER NOT NULL DEFAULT 0," \
	"  cache_hits INTEGER NOT NULL DEFAULT 0,"

/* The columns of the table found that its first form and the one made
 * anew in version 14 share: the key, the release, the key's end. */
#define FOUND_KEY \
	"  series_id INTEGER NOT NULL," \
	"  volume INTEGER NOT NULL," \
	"  rank INTEGER NOT NULL," \
	"  title TEXT NOT NULL," \
	"  source TEXT NOT NULL,"
#define FOUND_RELEASE \
	"  link TEXT," \
	"  magnet TEXT," \
	"  guid TEXT," \
	"  indexer TEXT," \
	"  indexer_id INTEGER," \
	"  first REAL NOT NULL," \
	"  last REAL NOT NULL," \
	"  size INTEGER," \
	"  seeders INTEGER," \
	"  published_at REAL," \
	"  found_at REAL NOT NULL,"
#define FOUND_END \
	"  PRIMARY KEY (series_id, volume, rank)," \
	"  FOREIGN KEY (series_id, volume) REFERENCES wanted" \
	"    ON DELETE CASCADE);"

const char *const migrations_first[] = {
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
	"CREATE TABLE found (" FOUND_KEY FOUND_RELEASE FOUND_END
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
	"  kind TEXT PRIMARY KEY," CHECKS_COUNTS
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
	"CREATE INDEX tracks_album_artist ON tracks"
	" (album_artist_id, album_id);",

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
	"  kind TEXT NOT NULL," CHECKS_COUNTS
	"  sent INTEGER NOT NULL DEFAULT 0,"
	"  skipped INTEGER NOT NULL DEFAULT 0,"
	"  failed INTEGER NOT NULL DEFAULT 0,"
	"  errors INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX checks_kind ON checks (kind, id);"
	"DROP TABLE IF EXISTS found;"
	"CREATE TABLE found (" FOUND_KEY
	"  protocol TEXT," FOUND_RELEASE
	"  state TEXT,"
	"  reason TEXT," FOUND_END,

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
};

const int migrations_first_count = ARRAY_SIZE(migrations_first);
