/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The schema's versions 21 on as SQL, one string a version: files kept
 * by their folder and name, the analysis queue by its track, the running
 * totals and their triggers, and what came after. A new version is added
 * at the end of migrations_later[]. No code: schema.c applies them.
 */
#include "common/bytes.h"
#include "indexer/store/migrations.h"

/* The files of the audio formats read since version 29, by name. */
#define NEW_AUDIO \
	"(lower(substr(CAST(name AS TEXT), -4)) IN" \
	" ('.ogg', '.oga', '.m4a', '.m4b', '.mp4', '.ape', '.wav', '.aif')" \
	" OR lower(substr(CAST(name AS TEXT), -5)) IN" \
	" ('.opus', '.aiff', '.aifc')" \
	" OR lower(substr(CAST(name AS TEXT), -3)) = '.wv')"

/* The tracks t of a lossless codec, which has a bit depth (version 52). */
#define LOSSLESS \
	"t.codec IN ('flac', 'alac', 'wav', 'aiff', 'wavpack', 'ape')"

/* The files f named as an image of a page (pages.h's kinds). */
#define IMAGE_NAME \
	"(lower(substr(CAST(f.name AS TEXT), -4)) IN" \
	" ('.jpg', '.png', '.gif')" \
	" OR lower(substr(CAST(f.name AS TEXT), -5)) IN ('.jpeg', '.webp'))"

/* A MusicBrainz id's column of tracks in lower case, NULL where it holds
 * no UUID. */
#define HEX "[0-9a-f]"
#define HEX4 HEX HEX HEX HEX
#define MBID(col) \
	"UPDATE tracks SET " col " = lower(" col ")" \
	"  WHERE " col " IS NOT NULL;" \
	"UPDATE tracks SET " col " = NULL WHERE " col " NOT GLOB '" HEX4 HEX4 \
	"-" HEX4 "-" HEX4 "-" HEX4 "-" HEX4 HEX4 HEX4 "';"

/* The trigger file_ids_NAME AFTER event on files that keeps the highest
 * id that left (version 47). */
#define FILE_IDS_LEFT(name, event) \
	"CREATE TRIGGER file_ids_" name " AFTER " event \
	"  WHEN OLD.id > (SELECT last FROM file_ids) BEGIN" \
	"  UPDATE file_ids SET last = OLD.id; END;"


/* The requests of the manga source of column col of checks, into
 * check_requests, the column dropped (version 49). */
#define CHECK_REQUESTS_FROM(col) \
	"INSERT INTO check_requests (check_id, source, requests)" \
	"  SELECT id, '" col "', " col " FROM checks;" \
	"ALTER TABLE checks DROP COLUMN " col ";"

const char *const migrations_later[] = {
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
	"  UPDATE totals SET n = n - 1"
	" WHERE name = (SELECT 'analysis_' || state"
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
	/* version 35: a followed download's bytes there and in all, and its
	 * speed in bytes/s, as its client last said (tracker.h); NULL when
	 * it did not say. Tests going back to older versions drop them. */
	"ALTER TABLE downloads ADD COLUMN bytes_done INTEGER;"
	"ALTER TABLE downloads ADD COLUMN bytes_total INTEGER;"
	"ALTER TABLE downloads ADD COLUMN bytes_per_s INTEGER;",
	/* version 36: a scan's first errors in words, a JSON array
	 * (library/scan_errors.h); NULL when it met none */
	"ALTER TABLE scans ADD COLUMN first_errors TEXT;",
	/* version 37: the MusicBrainz ids in lower case, those that are no
	 * UUID forgotten (tags_add_mbid()), and the recording's indexed for
	 * the duplicates of one id (analysis/mb_dups.h). */
	MBID("mb_track_id") MBID("mb_album_id") MBID("mb_artist_id")
	MBID("mb_album_artist_id")
	"CREATE INDEX IF NOT EXISTS tracks_mb_track ON tracks (mb_track_id)"
	"  WHERE mb_track_id IS NOT NULL;",
	/* version 38: a series' own edition (/manga/SERIES/edition), NULL
	 * for [monitor] edition */
	"ALTER TABLE series ADD COLUMN edition TEXT;",
	/* version 39: series whose folders left (manga/manga_gone.h), made
	 * if missing */
	"CREATE TABLE IF NOT EXISTS series_gone (root_id INTEGER NOT NULL,"
	"  path BLOB NOT NULL, id INTEGER, name TEXT, monitored INTEGER,"
	"  source TEXT, latest REAL, status TEXT, last_checked REAL,"
	"  release_prefs TEXT, published_by TEXT, edition TEXT, gone_at REAL,"
	"  UNIQUE (root_id, path));"
	"CREATE INDEX IF NOT EXISTS series_gone_path ON series_gone (path);",
	/* version 40: what ComicInfo.xml says of a volume for the OPDS
	 * entries (comicinfo.h), every archive read again for it */
	"ALTER TABLE comicinfo ADD COLUMN summary TEXT; ALTER TABLE"
	"  comicinfo ADD COLUMN writer TEXT; ALTER TABLE comicinfo ADD COLUMN"
	"  issued TEXT; UPDATE directories SET digest = NULL WHERE id IN"
	"  (SELECT dir_id FROM files WHERE kind = 'archive');"
	"UPDATE files SET mtime_ns = 0 WHERE kind = 'archive';",
	/* version 41: a file's owner as the scan last saw it change (-1: not
	 * seen since), and a queued track's, by which the analysis serves the
	 * owners in turn (analysis_store_next()): the index finds the next
	 * owner and its first track without reading the others' flood. */
	"ALTER TABLE files ADD COLUMN uid INTEGER NOT NULL DEFAULT -1;"
	"ALTER TABLE analysis_queue ADD COLUMN owner INTEGER NOT NULL"
	"  DEFAULT -1;"
	"CREATE INDEX analysis_queue_owner ON analysis_queue (owner, track_id);"
	"DROP TRIGGER IF EXISTS analysis_queue_change;"
	"CREATE TRIGGER analysis_queue_change"
	"  AFTER UPDATE OF size, mtime_ns, inode ON files"
	"  WHEN OLD.size IS NOT NEW.size"
	"  OR OLD.mtime_ns IS NOT NEW.mtime_ns OR OLD.inode IS NOT NEW.inode"
	"  BEGIN"
	"  INSERT INTO analysis_queue (track_id, owner)"
	"  SELECT id, NEW.uid FROM tracks WHERE file_id = NEW.id"
	"  ON CONFLICT (track_id) DO UPDATE SET gen = gen + 1,"
	"  owner = excluded.owner;"
	"  END;",
	/* version 42: a check's MangaDex, MangaUpdates and AniList
	 * requests (checks.h) */
	"ALTER TABLE checks ADD COLUMN mangadex INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE checks ADD COLUMN mangaupdates INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE checks ADD COLUMN anilist INTEGER NOT NULL DEFAULT 0;",
	/* version 43: releases found by a dry-run of mediamon --check,
	 * whose release_found the daemon tells, the releases of a wanted
	 * volume its preferences dropped, and hand-offs --check --apply
	 * made, whose import no dry-run holds (monitor/found.h); the record
	 * ("SOURCE:ID") and line that gave a series' count (published.h) */
	"ALTER TABLE wanted ADD COLUMN untold INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE wanted ADD COLUMN dropped TEXT;"
	"ALTER TABLE series ADD COLUMN published_record TEXT;"
	"ALTER TABLE series ADD COLUMN published_line TEXT;"
	"ALTER TABLE downloads ADD COLUMN applied INTEGER NOT NULL"
	"  DEFAULT 0;",
	/* version 44: the Subsonic accounts' stars and plays
	 * (library/starred.h); a song's rows go with its file unless a gone
	 * row keeps its id, with the gone row unless the file came back, and
	 * when another file takes the id (not its own coming back: the same
	 * size and time as the gone row). Made if missing. */
	"CREATE TABLE IF NOT EXISTS subsonic_stars (account TEXT NOT NULL,"
	"  kind TEXT NOT NULL, item NOT NULL, starred_at REAL NOT NULL,"
	"  PRIMARY KEY (account, kind, item)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS subsonic_stars_song"
	"  ON subsonic_stars (item) WHERE kind = 'song';"
	"CREATE TABLE IF NOT EXISTS subsonic_plays (account TEXT NOT NULL,"
	"  file_id INTEGER NOT NULL, count INTEGER NOT NULL,"
	"  played_at REAL NOT NULL, PRIMARY KEY (account, file_id))"
	"  WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS subsonic_plays_file"
	"  ON subsonic_plays (file_id);"
	STARRED_FORGET("files_del", "DELETE ON files", "OLD.id",
		       "NOT EXISTS (SELECT 1 FROM gone WHERE file_id = OLD.id)")
	STARRED_FORGET("gone_del", "DELETE ON gone", "OLD.file_id",
		       "NOT EXISTS (SELECT 1 FROM files"
		       " WHERE id = OLD.file_id)")
	STARRED_FILES_ADD,
	/* version 45: what the source that gave a series' count said of
	 * it (monitor/series_meta.h), as JSON */
	"ALTER TABLE series ADD COLUMN meta TEXT;",
	/* version 46: when the content of each generated file and folder of
	 * /playlists was first seen, by the hash of its name and user
	 * (fs/tree/stamps.h): kept at the unmount, read at the mount, so an
	 * unchanged library keeps its playlists' times across a restart */
	"CREATE TABLE playlist_times ("
	"  key INTEGER PRIMARY KEY,"
	"  content INTEGER NOT NULL,"
	"  len INTEGER NOT NULL,"
	"  at_ns INTEGER NOT NULL);",
	/* version 47: the highest id of a file that left, so that no id
	 * names a second file (a Subsonic client keeps a song's id: its
	 * stars, its offline copy). SQLite gives a new row the highest id
	 * in the table plus one, the id of the last file deleted again; the
	 * files' insert (music.c) takes the higher of this and that, plus
	 * one. Starts above every id in use, kept in gone, or starred and
	 * played. Not the table made again with AUTOINCREMENT: that copies
	 * every file and its index (3 s and 180 MB of journal at a million)
	 * and makes every trigger on files again; this reads four maxima.
	 * Moved as files leave, not as they come: an insert's trigger would
	 * slow a first scan's every file. A file whose id gone_take() gives
	 * back leaves its new id too. */
	"CREATE TABLE file_ids (last INTEGER NOT NULL);"
	"INSERT INTO file_ids SELECT max(coalesce((SELECT max(id) FROM files),"
	"  0), coalesce((SELECT max(file_id) FROM gone), 0),"
	"  coalesce((SELECT max(CAST(item AS INTEGER)) FROM subsonic_stars"
	"  WHERE kind = 'song'), 0),"
	"  coalesce((SELECT max(file_id) FROM subsonic_plays), 0));"
	FILE_IDS_LEFT("del", "DELETE ON files")
	FILE_IDS_LEFT("moved", "UPDATE OF id ON files"),
	/* version 48: when the index first met each file, in seconds since
	 * the epoch, kept by a file that leaves and comes back (gone.h):
	 * the Subsonic albums' created. Files already indexed take the
	 * migration's time. Tests going back to older versions drop it. */
	"ALTER TABLE files ADD COLUMN first_seen INTEGER;"
	" UPDATE files SET first_seen = CAST(strftime('%s', 'now') AS"
	" INTEGER);"
	" ALTER TABLE gone ADD COLUMN first_seen INTEGER;",
	/* version 49: a check's requests of each manga source, one row a
	 * source (checks.h), where checks held a column a source: a new
	 * source needs no step. The columns' counts are carried over, then
	 * the columns dropped. */
	"CREATE TABLE check_requests ("
	"  check_id INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,"
	"  source TEXT NOT NULL,"
	"  requests INTEGER NOT NULL,"
	"  PRIMARY KEY (check_id, source)) WITHOUT ROWID;"
	CHECK_REQUESTS_FROM("nautiljon")
	CHECK_REQUESTS_FROM("mangadex")
	CHECK_REQUESTS_FROM("mangaupdates")
	CHECK_REQUESTS_FROM("anilist"),
	/* version 50: the ids a source found for a series by a search
	 * (published_private.h), apart from its source, which holds only
	 * what the user wrote: a guess is not shown nor kept as theirs.
	 * Those earlier versions added to source stay there. */
	"ALTER TABLE series ADD COLUMN found TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE series_gone ADD COLUMN found TEXT;",
	/* version 51: the records a series' source names that their source
	 * answered 404 for ("SOURCE:ID" words, published_private.h): a
	 * warning of the series' own in health until the user writes its
	 * source, where it was the source's state, which the next series
	 * answered well cleared. */
	"ALTER TABLE series ADD COLUMN gone TEXT NOT NULL DEFAULT '';",
	/* version 52: the bits a sample of a lossless track (tags.h), NULL
	 * for a lossy one or when unknown: the OpenSubsonic songs' bitDepth.
	 * The lossless tracks already indexed look changed, their folders'
	 * digests forgotten, for the next scan to read them again. Tests
	 * going back to older versions drop it. A file whose mtime is
	 * forgotten so (0) or read again after it, its size and inode the
	 * same, is not queued for the analysis again: its sound is what it
	 * was, and a lossless library would be analysed anew for its tags.
	 */
	"DROP TRIGGER IF EXISTS analysis_queue_change;"
	"CREATE TRIGGER analysis_queue_change"
	"  AFTER UPDATE OF size, mtime_ns, inode ON files"
	"  WHEN OLD.size IS NOT NEW.size OR OLD.inode IS NOT NEW.inode"
	"  OR (OLD.mtime_ns IS NOT NEW.mtime_ns AND OLD.mtime_ns != 0"
	"  AND NEW.mtime_ns != 0)"
	"  BEGIN"
	"  INSERT INTO analysis_queue (track_id, owner)"
	"  SELECT id, NEW.uid FROM tracks WHERE file_id = NEW.id"
	"  ON CONFLICT (track_id) DO UPDATE SET gen = gen + 1,"
	"  owner = excluded.owner;"
	"  END;"
	"ALTER TABLE tracks ADD COLUMN bit_depth INTEGER;"
	"UPDATE directories SET digest = NULL WHERE id IN (SELECT f.dir_id"
	"  FROM files f JOIN tracks t ON t.file_id = f.id WHERE " LOSSLESS ");"
	"UPDATE files SET mtime_ns = 0 WHERE id IN"
	"  (SELECT file_id FROM tracks t WHERE " LOSSLESS ");",
	/* version 53: what each Subsonic account keeps for itself
	 * (library/account_rows.h): its playlists and their songs, its
	 * bookmarks, its play queue and its ratings. A song is its file's
	 * id, kept when the file leaves (no other file takes the id). Made if
	 * missing: tests going back to older versions keep them. */
	"CREATE TABLE IF NOT EXISTS subsonic_playlists ("
	"  id INTEGER PRIMARY KEY, account TEXT NOT NULL,"
	"  name TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '',"
	"  public INTEGER NOT NULL DEFAULT 0,"
	"  created REAL NOT NULL, changed REAL NOT NULL);"
	"CREATE INDEX IF NOT EXISTS subsonic_playlists_account"
	"  ON subsonic_playlists (account);"
	"CREATE TABLE IF NOT EXISTS subsonic_playlist_songs ("
	"  playlist_id INTEGER NOT NULL"
	"  REFERENCES subsonic_playlists(id) ON DELETE CASCADE,"
	"  pos INTEGER NOT NULL, file_id INTEGER NOT NULL,"
	"  PRIMARY KEY (playlist_id, pos)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS subsonic_bookmarks ("
	"  account TEXT NOT NULL, file_id INTEGER NOT NULL,"
	"  position INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '',"
	"  created REAL NOT NULL, changed REAL NOT NULL,"
	"  PRIMARY KEY (account, file_id)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS subsonic_queues ("
	"  account TEXT PRIMARY KEY, current INTEGER,"
	"  position INTEGER NOT NULL, changed REAL NOT NULL,"
	"  changed_by TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS subsonic_queue_songs ("
	"  account TEXT NOT NULL, pos INTEGER NOT NULL,"
	"  file_id INTEGER NOT NULL,"
	"  PRIMARY KEY (account, pos)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS subsonic_ratings ("
	"  account TEXT NOT NULL, kind TEXT NOT NULL, item NOT NULL,"
	"  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),"
	"  PRIMARY KEY (account, kind, item)) WITHOUT ROWID;",
	/* version 54: the CRC-32 of each image of a manga root, read by the
	 * scan with the file's size and mtime (the row's), NULL for any
	 * other file or until read: a volume folder's generated .cbz takes
	 * its entries' CRC-32 from here, never from a request's thread
	 * (opds_zip.h, issue 76). The images already indexed look changed,
	 * their folders' digests forgotten, for the next scan to read them.
	 * Tests going back to older versions drop it. */
	"ALTER TABLE files ADD COLUMN crc INTEGER;"
	"UPDATE directories SET digest = NULL WHERE id IN (SELECT f.dir_id"
	"  FROM files f JOIN roots r ON r.id = f.root_id"
	"  WHERE r.kind = 'manga' AND " IMAGE_NAME ");"
	"UPDATE files SET mtime_ns = 0 WHERE id IN (SELECT f.id FROM files f"
	"  JOIN roots r ON r.id = f.root_id"
	"  WHERE r.kind = 'manga' AND " IMAGE_NAME ");",
};

const int migrations_later_count = ARRAY_SIZE(migrations_later);
