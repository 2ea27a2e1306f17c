#include "indexer/schema.h"

#include "common/db.h"

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

	/* version 5: searching tracks by title, artist and album. Triggers
	 * only note which tracks changed (tracks_fts_dirty): the writer
	 * brings their search rows up to date in bulk before each commit
	 * and when it starts (search_index.h), as one FTS5 insert per track
	 * costs ten times more. An index for the views by album artist (genre and year
	 * indexes would cost a first scan more than they save). */
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
};

int schema_version(void)
{
	return sizeof(schema_steps) / sizeof(*schema_steps);
}

int schema_migrate(sqlite3 *db)
{
	return db_migrate(db, schema_steps, schema_version());
}
