/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "indexer/library/music.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/library/covers.h"
#include "indexer/library/gone.h"
#include "indexer/store/schema.h"
#include "indexer/library/search_index.h"

#define NAME_CACHE 16

/* A directory one of whose files could not be written. */
struct failed_dir {
	int64_t root_id;
	char *path;
	size_t len;
};

/* Artists and albums that may have lost their last track. */
struct id_list {
	int64_t *v;
	size_t nr, alloc;
};

/* Ids of recently used artists and albums: the tracks of one album arrive
 * together, so a handful of entries saves most lookups. */
struct name_cache {
	char *name[NAME_CACHE];
	size_t len[NAME_CACHE];
	int64_t key[NAME_CACHE];
	int64_t id[NAME_CACHE];
	unsigned next;
};

enum {
	ST_DIR_GET, ST_DIR_ADD, ST_FILE_ADD, ST_FILE_UPDATE, ST_FILE_RENAME,
	ST_FILE_DELETE, ST_DIR_DELETE, ST_ARTIST_GET, ST_ARTIST_ADD,
	ST_ALBUM_GET, ST_ALBUM_ADD, ST_TRACK_ADD, ST_TRACK_UPSERT,
	ST_TRACK_REFS, ST_ALBUM_ORPHAN, ST_ARTIST_ORPHAN, ST_CI_SET,
	ST_CI_DEL, ST_PIC_SET, ST_PIC_DEL, ST_DIR_SET, ST_DIR_REFS,
	ST_DIR_FILES_DELETE, ST_QUEUE_ADDED, ST_LISTING_SET, ST_LISTING_DEL,
	ST_TOTAL_ADD, ST_ROOT_TOTAL_ADD, ST_COUNT
};

/* The rows a bulk load added, which its transaction adds to the running
 * totals at its commit (schema.h: the triggers are off meanwhile). */
enum { CT_FILES, CT_TRACKS, CT_ALBUMS, CT_ARTISTS, CT_COUNT };

static const char *const counted[CT_COUNT] = {
	"files", "tracks", "albums", "artists",
};

#define TRACK_INSERT \
	"INSERT INTO tracks (file_id, title, artist_id, album_artist_id," \
	" album_id, track_no, track_total, disc_no, disc_total, year, genre," \
	" duration_s, codec, bitrate_kbps, sample_rate, channels, has_picture," \
	" mb_track_id, mb_album_id, mb_artist_id, mb_album_artist_id," \
	" tag_source, tag_gain_db, tag_album_gain_db, id)" \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14," \
	" ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)"

static const char *const statements[ST_COUNT] = {
	[ST_DIR_GET] =
	"SELECT id FROM directories WHERE root_id = ?1 AND path = ?2",
	[ST_DIR_ADD] =
	"INSERT INTO directories (root_id, path, mtime_ns) VALUES (?1, ?2, 0)",
	[ST_FILE_ADD] =
	"INSERT INTO files (root_id, dir_id, name, size, mtime_ns, inode, kind,"
	" tag_error, tag_error_reason)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_FILE_UPDATE] =
	"UPDATE files SET dir_id = ?2, name = ?3, size = ?4, mtime_ns = ?5,"
	" inode = ?6, kind = ?7, tag_error = ?8, tag_error_reason = ?9"
	" WHERE id = ?1",
	[ST_FILE_RENAME] =
	"UPDATE files SET dir_id = ?2, name = ?3, size = ?4, mtime_ns = ?5,"
	" inode = ?6 WHERE id = ?1",
	[ST_FILE_DELETE] = "DELETE FROM files WHERE id = ?1",
	[ST_DIR_SET] =
	"INSERT INTO directories (root_id, path, mtime_ns, digest)"
	" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (root_id, path) DO UPDATE SET"
	" mtime_ns = excluded.mtime_ns, digest = excluded.digest RETURNING id",
	[ST_DIR_REFS] =
	"SELECT t.artist_id, t.album_artist_id, t.album_id FROM files f"
	" JOIN tracks t ON t.file_id = f.id WHERE f.dir_id = ?1",
	[ST_DIR_FILES_DELETE] = "DELETE FROM files WHERE dir_id = ?1",
	[ST_QUEUE_ADDED] =
	"INSERT INTO analysis_queue (track_id)"
	" SELECT value FROM json_each(?1) WHERE value NOT IN"
	" (SELECT track_id FROM analysis)"
	" ON CONFLICT (track_id) DO UPDATE SET gen = gen + 1",
	[ST_DIR_DELETE] = "DELETE FROM directories WHERE id = ?1",
	[ST_LISTING_SET] =
	"INSERT INTO dir_listings (dir_id, ctime_ns, inode, names)"
	" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (dir_id) DO UPDATE SET"
	" ctime_ns = excluded.ctime_ns, inode = excluded.inode,"
	" names = excluded.names",
	[ST_LISTING_DEL] = "DELETE FROM dir_listings WHERE dir_id = ?1",
	[ST_TOTAL_ADD] = "UPDATE totals SET n = n + ?2 WHERE name = ?1",
	[ST_ROOT_TOTAL_ADD] =
	"INSERT INTO root_totals VALUES (?1, ?2)"
	" ON CONFLICT (root_id) DO UPDATE SET files = files + excluded.files",
	[ST_ARTIST_GET] = "SELECT id FROM artists WHERE name = ?1",
	[ST_ARTIST_ADD] = "INSERT INTO artists (name) VALUES (?1)",
	[ST_ALBUM_GET] =
	"SELECT id FROM albums WHERE artist_id IS ?1 AND title = ?2",
	[ST_ALBUM_ADD] =
	"INSERT INTO albums (artist_id, title, year, mb_album_id)"
	" VALUES (?1, ?2, ?3, ?4)",
	[ST_TRACK_REFS] =
	"SELECT artist_id, album_artist_id, album_id FROM tracks"
	" WHERE file_id = ?1",
	[ST_ALBUM_ORPHAN] =
	"DELETE FROM albums WHERE id = ?1"
	" AND NOT EXISTS (SELECT 1 FROM tracks WHERE album_id = ?1)",
	/* album artists are checked last: that column has no index */
	[ST_ARTIST_ORPHAN] =
	"DELETE FROM artists WHERE id = ?1"
	" AND NOT EXISTS (SELECT 1 FROM tracks WHERE artist_id = ?1)"
	" AND NOT EXISTS (SELECT 1 FROM albums WHERE artist_id = ?1)"
	" AND NOT EXISTS (SELECT 1 FROM tracks WHERE album_artist_id = ?1)",
	[ST_CI_SET] =
	"INSERT INTO comicinfo VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT"
	" (file_id) DO UPDATE SET series = excluded.series, volume ="
	" excluded.volume, number = excluded.number, pages = excluded.pages,"
	" cover = excluded.cover",
	[ST_CI_DEL] = "DELETE FROM comicinfo WHERE file_id = ?1",
	[ST_PIC_SET] =
	"INSERT INTO pictures (file_id, type, mime, offset, length, unsync)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (file_id) DO UPDATE SET"
	" type = excluded.type, mime = excluded.mime,"
	" offset = excluded.offset, length = excluded.length,"
	" unsync = excluded.unsync",
	[ST_PIC_DEL] = "DELETE FROM pictures WHERE file_id = ?1",
	[ST_TRACK_ADD] = TRACK_INSERT,
	[ST_TRACK_UPSERT] = TRACK_INSERT
	" ON CONFLICT (file_id) DO UPDATE SET title = excluded.title,"
	" artist_id = excluded.artist_id,"
	" album_artist_id = excluded.album_artist_id,"
	" album_id = excluded.album_id, track_no = excluded.track_no,"
	" track_total = excluded.track_total, disc_no = excluded.disc_no,"
	" disc_total = excluded.disc_total, year = excluded.year,"
	" genre = excluded.genre, duration_s = excluded.duration_s,"
	" codec = excluded.codec, bitrate_kbps = excluded.bitrate_kbps,"
	" sample_rate = excluded.sample_rate, channels = excluded.channels,"
	" has_picture = excluded.has_picture,"
	" mb_track_id = excluded.mb_track_id,"
	" mb_album_id = excluded.mb_album_id,"
	" mb_artist_id = excluded.mb_artist_id,"
	" mb_album_artist_id = excluded.mb_album_artist_id,"
	" tag_source = excluded.tag_source,"
	" tag_gain_db = excluded.tag_gain_db,"
	" tag_album_gain_db = excluded.tag_album_gain_db",
};

static struct {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	struct name_cache artists, albums, dirs;
	struct id_list orphan_artists, orphan_albums;
	struct id_list added;		/* tracks the transaction added */
	struct failed_dir *failed;	/* directories a file record failed in */
	size_t nr_failed, alloc_failed;
	int no_digests;		/* out of memory noting a failure: keep no
				 * digest until music_forget() */
	int counting;		/* a bulk load: the writer counts rows */
	int64_t count[CT_COUNT];
	int64_t count_root;	/* the root of count[CT_FILES] */
} m;

struct music_rec *music_rec_new(enum music_op op, const char *path,
				  size_t path_len)
{
	struct music_rec *rec = calloc(1, sizeof(*rec) + path_len);

	if (!rec)
		return NULL;
	rec->wr.ops = &music_writer_ops;
	rec->op = op;
	rec->path_len = path_len;
	memcpy(rec->path, path, path_len);
	return rec;
}

void music_rec_free(struct music_rec *rec)
{
	tags_release(&rec->tags);
	comicinfo_release(&rec->ci);
	free(rec->listing);
	free(rec);
}

static void name_cache_clear(struct name_cache *c)
{
	for (int i = 0; i < NAME_CACHE; i++) {
		free(c->name[i]);
		c->name[i] = NULL;
	}
}

/* Cached ids go stale when rows go: after a rollback, a deleted directory,
 * or a call that may delete anything. */
static void music_forget(void)
{
	name_cache_clear(&m.artists);
	name_cache_clear(&m.albums);
	name_cache_clear(&m.dirs);
	m.added.nr = 0;
	m.no_digests = 0;
	memset(m.count, 0, sizeof(m.count));
}

static int name_cache_find(struct name_cache *c, int64_t key,
			   const char *name, size_t len, int64_t *id)
{
	for (int i = 0; i < NAME_CACHE; i++) {
		if (c->name[i] && c->key[i] == key && c->len[i] == len &&
		    !memcmp(c->name[i], name, len)) {
			*id = c->id[i];
			return 1;
		}
	}
	return 0;
}

static void name_cache_add(struct name_cache *c, int64_t key,
			   const char *name, size_t len, int64_t id)
{
	unsigned slot = c->next++ % NAME_CACHE;
	char *copy = malloc(len ? len : 1);

	if (!copy)
		return;
	memcpy(copy, name, len);
	free(c->name[slot]);
	c->name[slot] = copy;
	c->len[slot] = len;
	c->key[slot] = key;
	c->id[slot] = id;
}

/* Step a statement that returns at most one integer; *id is 0 when it
 * returned no row. The statement is reset for its next use. */
static int step_id(int which, int64_t *id)
{
	sqlite3_stmt *st = m.st[which];
	int rc = sqlite3_step(st);

	*id = 0;
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(m.db, rc, statements[which]);
}

/* Step an INSERT and give the new row's id. */
static int step_insert(int which, int64_t *id)
{
	int rc = step_id(which, id);

	if (!rc)
		*id = sqlite3_last_insert_rowid(m.db);
	if (!rc && m.counting)
		m.count[CT_ARTISTS] += which == ST_ARTIST_ADD;
	if (!rc && m.counting)
		m.count[CT_ALBUMS] += which == ST_ALBUM_ADD;
	return rc;
}

/* Add what the bulk load counted to the running totals. */
static int count_flush(void)
{
	int64_t none;
	int rc = 0;

	for (int i = 0; !rc && i < CT_COUNT; i++) {
		if (!m.count[i])
			continue;
		sqlite3_bind_text(m.st[ST_TOTAL_ADD], 1, counted[i], -1,
				  SQLITE_STATIC);
		sqlite3_bind_int64(m.st[ST_TOTAL_ADD], 2, m.count[i]);
		rc = step_id(ST_TOTAL_ADD, &none);
	}
	if (!rc && m.count[CT_FILES]) {
		sqlite3_bind_int64(m.st[ST_ROOT_TOTAL_ADD], 1, m.count_root);
		sqlite3_bind_int64(m.st[ST_ROOT_TOTAL_ADD], 2,
				   m.count[CT_FILES]);
		rc = step_id(ST_ROOT_TOTAL_ADD, &none);
	}
	memset(m.count, 0, sizeof(m.count));
	return rc;
}

/* Count a file of root that a bulk load added. */
static int count_file(int64_t root)
{
	int rc = 0;

	if (m.count[CT_FILES] && m.count_root != root)
		rc = count_flush();
	m.count_root = root;
	m.count[CT_FILES]++;
	return rc;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_int(sqlite3_stmt *st, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static int artist_id(const char *name, int64_t *id)
{
	int rc;

	*id = 0;
	if (!name || !*name)
		return 0;
	if (name_cache_find(&m.artists, 0, name, strlen(name), id))
		return 0;
	sqlite3_bind_text(m.st[ST_ARTIST_GET], 1, name, -1, SQLITE_STATIC);
	rc = step_id(ST_ARTIST_GET, id);
	if (!rc && !*id) {
		sqlite3_bind_text(m.st[ST_ARTIST_ADD], 1, name, -1,
				  SQLITE_STATIC);
		rc = step_insert(ST_ARTIST_ADD, id);
	}
	if (!rc)
		name_cache_add(&m.artists, 0, name, strlen(name), *id);
	return rc;
}

static int album_id(const struct tags *t, int64_t artist, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if (!t->album || !*t->album)
		return 0;
	if (name_cache_find(&m.albums, artist, t->album, strlen(t->album),
			    id))
		return 0;
	st = m.st[ST_ALBUM_GET];
	bind_int(st, 1, artist);
	sqlite3_bind_text(st, 2, t->album, -1, SQLITE_STATIC);
	rc = step_id(ST_ALBUM_GET, id);
	if (!rc && !*id) {
		st = m.st[ST_ALBUM_ADD];
		bind_int(st, 1, artist);
		sqlite3_bind_text(st, 2, t->album, -1, SQLITE_STATIC);
		bind_int(st, 3, t->year);
		bind_text(st, 4, t->mb_album_id);
		rc = step_insert(ST_ALBUM_ADD, id);
	}
	if (!rc)
		name_cache_add(&m.albums, artist, t->album, strlen(t->album),
			       *id);
	return rc;
}

/* Where the file's name starts in a record's path. */
static size_t name_start(const struct music_rec *rec)
{
	const char *slash = memrchr(rec->path, '/', rec->path_len);

	return slash ? (size_t)(slash - rec->path) + 1 : 0;
}

/* The length of the folder part of a record's path. */
static size_t dir_len(const struct music_rec *rec)
{
	size_t start = name_start(rec);

	return start ? start - 1 : 0;
}

static int dir_id(const struct music_rec *rec, int64_t *id)
{
	size_t len = dir_len(rec);
	sqlite3_stmt *st = m.st[ST_DIR_GET];
	int rc;

	if (name_cache_find(&m.dirs, rec->root_id, rec->path, len, id))
		return 0;
	sqlite3_bind_int64(st, 1, rec->root_id);
	sqlite3_bind_blob(st, 2, rec->path, len, SQLITE_STATIC);
	rc = step_id(ST_DIR_GET, id);
	if (!rc && !*id) {
		st = m.st[ST_DIR_ADD];
		sqlite3_bind_int64(st, 1, rec->root_id);
		sqlite3_bind_blob(st, 2, rec->path, len, SQLITE_STATIC);
		rc = step_insert(ST_DIR_ADD, id);
	}
	if (!rc)
		name_cache_add(&m.dirs, rec->root_id, rec->path, len, *id);
	return rc;
}

/* Make room in l for one more id; returns 0 or -ENOMEM. */
static int id_room(struct id_list *l)
{
	int64_t *v = array_grow(l->v, l->nr, &l->alloc, sizeof(*v), 64);

	if (v)
		l->v = v;
	return v ? 0 : -ENOMEM;
}

/* Add id to l, unless 0 or the last one already; returns 0 or -ENOMEM. */
static int id_note(struct id_list *l, int64_t id)
{
	if (!id || (l->nr && l->v[l->nr - 1] == id))
		return 0;
	if (id_room(l))
		return -ENOMEM;
	l->v[l->nr++] = id;
	return 0;
}

/* Note an artist or album a track pointed at. */
static void orphan_note(struct id_list *l, int64_t id)
{
	if (id_note(l, id))
		log_error(-ENOMEM, "writer: out of memory; orphans may stay"
			  " until the next cleanup");
}

/* Before a known file's track changes or goes (which: ST_TRACK_REFS,
 * of the file id; ST_DIR_REFS, of the files of the directory id), note
 * what it pointed at: those are the only artists and albums it can leave
 * without tracks. Returns the tracks found, or a negative errno value. */
static int note_refs(int which, int64_t id)
{
	sqlite3_stmt *st = m.st[which];
	int rc, n = 0;

	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		orphan_note(&m.orphan_artists, sqlite3_column_int64(st, 0));
		orphan_note(&m.orphan_artists, sqlite3_column_int64(st, 1));
		orphan_note(&m.orphan_albums, sqlite3_column_int64(st, 2));
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : db_error(m.db, rc, "read track refs");
}

static int drop_each(int which, struct id_list *l)
{
	int64_t none;
	int rc = 0;

	for (size_t i = 0; !rc && i < l->nr; i++) {
		sqlite3_bind_int64(m.st[which], 1, l->v[i]);
		rc = step_id(which, &none);
	}
	return rc;
}

/* Albums first: an album that goes may take its artist's last row. */
static int drop_orphans(sqlite3 *db, void *unused)
{
	int rc;

	(void)db;
	(void)unused;
	rc = drop_each(ST_ALBUM_ORPHAN, &m.orphan_albums);
	return rc ? rc : drop_each(ST_ARTIST_ORPHAN, &m.orphan_artists);
}

/* A store that failed keeps the lists for the next time. */
int music_drop_orphans(sqlite3 *db, void *unused)
{
	int rc;

	(void)unused;
	if (!m.orphan_albums.nr && !m.orphan_artists.nr)
		return 0;
	rc = db_transaction(db, drop_orphans, NULL);
	if (!rc) {
		m.orphan_albums.nr = 0;
		m.orphan_artists.nr = 0;
	}
	return rc;
}

/* A new file's track is inserted (as id, a gone one's, unless 0); a known
 * file's track may exist and is then updated in place (ST_TRACK_UPSERT). */
static int apply_track(int which, const struct tags *t, int64_t file,
		       int64_t id)
{
	sqlite3_stmt *st = m.st[which];
	int64_t artist, album_artist, album;
	char sources[TAGS_NR_FIELDS + 1];
	int rc;

	rc = artist_id(t->artist, &artist);
	if (!rc && t->album_artist && *t->album_artist)
		rc = artist_id(t->album_artist, &album_artist);
	else
		album_artist = artist;
	if (!rc)
		rc = album_id(t, album_artist, &album);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, file);
	bind_text(st, 2, t->title);
	bind_int(st, 3, artist);
	bind_int(st, 4, album_artist);
	bind_int(st, 5, album);
	bind_int(st, 6, t->track);
	bind_int(st, 7, t->track_total);
	bind_int(st, 8, t->disc);
	bind_int(st, 9, t->disc_total);
	bind_int(st, 10, t->year);
	bind_text(st, 11, t->genre);
	if (t->duration_s > 0)
		sqlite3_bind_double(st, 12, t->duration_s);
	else
		sqlite3_bind_null(st, 12);
	bind_text(st, 13, t->codec);
	bind_int(st, 14, t->bitrate_kbps);
	bind_int(st, 15, t->sample_rate);
	bind_int(st, 16, t->channels);
	sqlite3_bind_int(st, 17, !!t->has_picture);
	bind_text(st, 18, t->mb_track_id);
	bind_text(st, 19, t->mb_album_id);
	bind_text(st, 20, t->mb_artist_id);
	bind_text(st, 21, t->mb_album_artist_id);
	tags_sources(t, sources);
	bind_text(st, 22, sources);
	if (t->has_gain)
		sqlite3_bind_double(st, 23, t->gain_db);
	else
		sqlite3_bind_null(st, 23);
	if (t->has_album_gain)
		sqlite3_bind_double(st, 24, t->album_gain_db);
	else
		sqlite3_bind_null(st, 24);
	bind_int(st, 25, id);
	return step_id(which, &file);
}

/* A track added (its room made before: this cannot fail):
 * music_commit() gives it its search row and queues it for analysis. */
static void note_added(void)
{
	m.added.v[m.added.nr++] = sqlite3_last_insert_rowid(m.db);
}

/* An archive's ComicInfo.xml and pages: no row when it has neither. */
static int apply_comicinfo(const struct comicinfo *ci, int64_t file)
{
	int which = ci->found || ci->pages ? ST_CI_SET : ST_CI_DEL;
	sqlite3_stmt *st = m.st[which];
	int64_t none;

	sqlite3_bind_int64(st, 1, file);
	if (which == ST_CI_SET) {
		bind_text(st, 2, ci->series);
		sqlite3_bind_double(st, 3, ci->volume);
		sqlite3_bind_double(st, 4, ci->number);
		sqlite3_bind_int64(st, 5, (int64_t)ci->pages);
		bind_text(st, 6, ci->cover);
	}
	return step_id(which, &none);
}

/* A track's picture is kept where its bytes are; a known file that has
 * none (any more), or one over [music] max_picture, leaves no row, and a
 * new one has none to drop. */
static int apply_picture(const struct music_rec *rec, int64_t file)
{
	const struct picture *pic = &rec->tags.picture;
	int found = pic->found, which;
	sqlite3_stmt *st;
	int64_t none;

	if (found && pic->length > covers_max_picture()) {
		log_warn("music: the picture in %.*s claims %llu bytes, more"
			 " than [music] max_picture (%llu): no cover from it",
			 (int)rec->path_len, rec->path,
			 (unsigned long long)pic->length,
			 (unsigned long long)covers_max_picture());
		found = 0;
	}
	if (!found && !rec->id)
		return 0;
	which = found ? ST_PIC_SET : ST_PIC_DEL;
	st = m.st[which];
	sqlite3_bind_int64(st, 1, file);
	if (found) {
		sqlite3_bind_int(st, 2, pic->type);
		sqlite3_bind_text(st, 3, pic->mime, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, pic->offset);
		sqlite3_bind_int64(st, 5, pic->length);
		sqlite3_bind_int(st, 6, pic->unsync);
	}
	return step_id(which, &none);
}

/* Bind ?2 to ?6, where a file is (its folder and its name there) and
 * what it looks like, the same way for a new file and a renamed one. */
static int bind_location(sqlite3_stmt *st, const struct music_rec *rec)
{
	size_t skip = name_start(rec);
	int64_t dir;
	int rc = dir_id(rec, &dir);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 2, dir);
	sqlite3_bind_blob(st, 3, rec->path + skip, rec->path_len - skip,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, rec->size);
	sqlite3_bind_int64(st, 5, rec->mtime_ns);
	sqlite3_bind_int64(st, 6, rec->inode);
	return 0;
}

/* A file the store does not have yet is inserted (a gone one's ids back,
 * gone.h); one it has (rec->id) is updated in place: its track keeps its id. */
static int apply_file(const struct music_rec *rec)
{
	int which = rec->id ? ST_FILE_UPDATE : ST_FILE_ADD;
	sqlite3_stmt *st = m.st[which];
	int64_t file = rec->id, none, track = 0;
	int rc, had;

	if (rec->parsed && id_room(&m.added))
		return log_error(-ENOMEM, "writer: out of memory at %.*s",
				 (int)rec->path_len, rec->path);
	had = rec->id ? note_refs(ST_TRACK_REFS, rec->id) : 0;
	rc = had < 0 ? had : bind_location(st, rec);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, rec->id ? rec->id : rec->root_id);
	sqlite3_bind_text(st, 7, rec->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, rec->parsed && rec->tags.tag_error);
	bind_text(st, 9, rec->parsed && rec->tags.tag_error ?
		  rec->tags.error : NULL);
	if (rec->id)
		rc = step_id(which, &none);
	else if (!(rc = step_insert(which, &file)) && rec->parsed)
		rc = gone_take(m.db, &file, &track);
	if (!rc && !rec->id && m.counting)
		rc = count_file(rec->root_id);
	if (rc || !rec->parsed)
		return rc;
	if (!strcmp(rec->kind, "archive"))
		return apply_comicinfo(&rec->ci, file);
	rc = apply_track(rec->id ? ST_TRACK_UPSERT : ST_TRACK_ADD,
			 &rec->tags, file, track);
	if (rc)
		return rc;
	m.count[CT_TRACKS] += m.counting && !rec->id;
	if (!had)
		note_added();
	rc = gone_restore(m.db, track);
	return rc ? rc : apply_picture(rec, file);
}

static int apply_rename(const struct music_rec *rec)
{
	sqlite3_stmt *st = m.st[ST_FILE_RENAME];
	int64_t none;
	int rc;

	rc = bind_location(st, rec);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, rec->id);
	return step_id(ST_FILE_RENAME, &none);
}

/* A record that failed for itself: its directory's next record keeps no
 * digest, so that the next walk looks at its files. */
static void music_failed(const struct writer_rec *wr)
{
	const struct music_rec *rec = (const struct music_rec *)wr;
	size_t len = dir_len(rec);
	struct failed_dir *f;

	if (rec->op != MUSIC_FILE && rec->op != MUSIC_RENAME)
		return;
	f = array_grow(m.failed, m.nr_failed, &m.alloc_failed, sizeof(*f), 8);
	if (!f) {
		m.no_digests = 1;
		return;
	}
	m.failed = f;
	f = &m.failed[m.nr_failed];
	f->path = strndup(rec->path, len);
	if (!f->path) {
		m.no_digests = 1;
		return;
	}
	f->root_id = rec->root_id;
	f->len = len;
	m.nr_failed++;
}

/* Whether a file record of the directory rec failed (the note is then
 * dropped: this record is the one it was for). */
static int dir_failed(const struct music_rec *rec)
{
	for (size_t i = 0; i < m.nr_failed; i++) {
		struct failed_dir *f = &m.failed[i];

		if (f->root_id == rec->root_id && f->len == rec->path_len &&
		    !memcmp(f->path, rec->path, f->len)) {
			free(f->path);
			*f = m.failed[--m.nr_failed];
			return 1;
		}
	}
	return 0;
}

static int apply_dir(const struct music_rec *rec)
{
	sqlite3_stmt *st = m.st[ST_DIR_SET];
	int keep = rec->has_digest && !dir_failed(rec) && !m.no_digests;
	int64_t id;
	int rc;

	sqlite3_bind_int64(st, 1, rec->root_id);
	sqlite3_bind_blob(st, 2, rec->path, rec->path_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, rec->mtime_ns);
	if (keep)
		sqlite3_bind_int64(st, 4, (int64_t)rec->digest);
	else
		sqlite3_bind_null(st, 4);
	rc = step_id(ST_DIR_SET, &id);
	if (rc)
		return rc;
	/* A listing goes with a digest: without one, the next scan reads
	 * the folder anyway. A new folder has none to delete. */
	if (keep && rec->listing) {
		st = m.st[ST_LISTING_SET];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, rec->listing_ctime_ns);
		sqlite3_bind_int64(st, 3, rec->listing_inode);
		sqlite3_bind_blob(st, 4, rec->listing, rec->listing_len,
				  SQLITE_STATIC);
		return step_id(ST_LISTING_SET, &id);
	}
	if (rec->wr.bulk)
		return 0;
	sqlite3_bind_int64(m.st[ST_LISTING_DEL], 1, id);
	return step_id(ST_LISTING_DEL, &id);
}

/* Delete a file, or a directory and the files it holds, counting the
 * files in *rec->deleted. */
static int apply_delete(const struct music_rec *rec)
{
	int file = rec->op == MUSIC_DELETE_FILE;
	int64_t none;
	int rc;

	if (!file)
		name_cache_clear(&m.dirs);
	rc = note_refs(file ? ST_TRACK_REFS : ST_DIR_REFS, rec->id);
	rc = rc < 0 ? rc : gone_keep(m.db, !file, rec->id);
	if (rc)
		return rc;
	sqlite3_bind_int64(m.st[file ? ST_FILE_DELETE : ST_DIR_FILES_DELETE],
			   1, rec->id);
	rc = step_id(file ? ST_FILE_DELETE : ST_DIR_FILES_DELETE, &none);
	if (rc)
		return rc;
	if (rec->deleted)
		__atomic_add_fetch(rec->deleted, sqlite3_changes(m.db),
				   __ATOMIC_RELAXED);
	if (file)
		return 0;
	sqlite3_bind_int64(m.st[ST_DIR_DELETE], 1, rec->id);
	return step_id(ST_DIR_DELETE, &none);
}

/* One record becomes rows, inside the writer's open transaction. */
static int music_apply(const struct writer_rec *wr)
{
	const struct music_rec *rec = (const struct music_rec *)wr;

	switch (rec->op) {
	case MUSIC_DIR:
		return apply_dir(rec);
	case MUSIC_FILE:
		return apply_file(rec);
	case MUSIC_RENAME:
		return apply_rename(rec);
	case MUSIC_DELETE_DIR:
	case MUSIC_DELETE_FILE:
		return apply_delete(rec);
	}
	return -EINVAL;
}

/* The ids of l as a JSON array, for json_each(): one statement for the
 * tracks of a whole transaction. */
static int ids_json(const struct id_list *l, struct strbuf *out)
{
	strbuf_addch(out, '[');
	for (size_t i = 0; i < l->nr; i++)
		strbuf_addf(out, "%s%lld", i ? "," : "", (long long)l->v[i]);
	strbuf_addch(out, ']');
	return out->buf ? 0 : log_error(-ENOMEM, "writer: out of memory");
}

/* What the transaction's new and changed tracks need beside their rows,
 * set by set before the COMMIT. */
static int music_commit(void)
{
	struct strbuf ids = STRBUF_INIT;
	sqlite3_stmt *st = m.st[ST_QUEUE_ADDED];
	int64_t none;
	int rc = 0;

	if (m.added.nr) {
		rc = ids_json(&m.added, &ids);
		if (!rc)
			rc = search_index_forget(m.db, ids.buf);
		if (!rc)
			rc = search_index_add(m.db, ids.buf);
		if (!rc) {
			sqlite3_bind_text(st, 1, ids.buf, ids.len,
					  SQLITE_STATIC);
			rc = step_id(ST_QUEUE_ADDED, &none);
		}
	}
	strbuf_release(&ids);
	if (!rc)
		rc = search_index_sync(m.db);
	if (!rc)
		rc = covers_refresh(m.db);
	if (!rc)
		rc = count_flush();
	m.added.nr = 0;
	return rc;
}

/* The statements move to db, the writer's connection, new or reopened. */
static int music_open(sqlite3 *db)
{
	sqlite3_stmt *st[ST_COUNT] = { NULL };
	int rc = 0;

	for (int i = 0; !rc && i < ST_COUNT; i++)
		rc = db_prepare(db, statements[i], &st[i]);
	if (rc) {
		for (int i = 0; i < ST_COUNT; i++)
			sqlite3_finalize(st[i]);
		return rc;
	}
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(m.st[i]);
		m.st[i] = st[i];
	}
	m.db = db;
	music_forget();
	return 0;
}

/* The writer's connection closes: nothing of it is kept. */
static void music_close(void)
{
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(m.st[i]);
		m.st[i] = NULL;
	}
	music_forget();
	free(m.orphan_artists.v);
	free(m.orphan_albums.v);
	free(m.added.v);
	for (size_t i = 0; i < m.nr_failed; i++)
		free(m.failed[i].path);
	free(m.failed);
	memset(&m, 0, sizeof(m));
}

/* Drop the bulk indexes and triggers if the store holds no file, and
 * say so in *dropped. */
static int drop_if_empty(sqlite3 *db, void *dropped)
{
	sqlite3_stmt *st;
	int rc, any;

	rc = db_prepare(db, "SELECT EXISTS (SELECT 1 FROM files)", &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	any = rc != SQLITE_ROW || sqlite3_column_int(st, 0);
	rc = db_finalize(st, rc, "look for files");
	if (!rc && !any)
		rc = schema_drop_bulk_indexes(db);
	*(int *)dropped = !rc && !any;
	return rc;
}

int music_bulk_begin(sqlite3 *db, void *unused)
{
	int dropped = 0, rc;

	(void)unused;
	/* Pages written many times in a bulk load are copied into the
	 * store once every 64 MB of log, not once every 4 MB. */
	db_exec(db, "PRAGMA wal_autocheckpoint = 16384");
	rc = db_transaction(db, drop_if_empty, &dropped);
	m.counting = !rc && dropped;
	return rc;
}

/* The covers of the albums the bulk load marked wait for the index that
 * finds an album's tracks. */
static int make_indexes(sqlite3 *db, void *unused)
{
	int rc;

	(void)unused;
	m.counting = 0;
	rc = schema_make_bulk_indexes(db);
	return rc ? rc : covers_refresh(db);
}

int music_bulk_end(sqlite3 *db, void *unused)
{
	int rc;

	/* SQLite's sorter may use helper threads; the scan's are done. */
	db_exec(db, "PRAGMA threads = 2");
	rc = db_transaction(db, make_indexes, unused);
	db_exec(db, "PRAGMA threads = 0");
	db_exec(db, "PRAGMA wal_autocheckpoint = 1000");
	return rc;
}

/* The records go back with what their tags hold. */
static void music_release(struct writer_rec *wr)
{
	music_rec_free((struct music_rec *)wr);
}

static int refresh_covers(sqlite3 *db, void *unused)
{
	(void)unused;
	return covers_refresh(db);
}

/* The covers of the albums a cut-short bulk load or a migration marked,
 * and the tracks they left out of the search index: a failure keeps
 * them marked or listed for the next commit. */
static void music_start(sqlite3 *db)
{
	db_transaction(db, refresh_covers, NULL);
	search_index_sync(db);
}

const struct writer_ops music_writer_ops = {
	.start = music_start,
	.open = music_open,
	.close = music_close,
	.apply = music_apply,
	.failed = music_failed,
	.release = music_release,
	.commit = music_commit,
	.forget = music_forget,
};
