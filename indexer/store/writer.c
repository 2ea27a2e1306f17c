#include "indexer/store/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/db.h"
#include "common/log.h"
#include "common/thread.h"
#include "indexer/store/schema.h"
#include "indexer/store/search_index.h"
#include "indexer/store/storefile.h"

#define QUEUE_MAX 4096
#define WRITER_PUT_BATCH 256
#define NAME_CACHE 16

struct writer_callreq {
	struct writer_callreq *next;
	uint64_t after_seq;	/* 0: urgent, runs before queued records */
	int (*fn)(sqlite3 *db, void *arg);
	void *arg;
	int result;
	int done;
};

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
	ST_DIR_GET, ST_DIR_UPSERT, ST_FILE_ADD, ST_FILE_UPDATE, ST_FILE_RENAME,
	ST_FILE_DELETE, ST_DIR_DELETE, ST_ARTIST_GET, ST_ARTIST_ADD,
	ST_ALBUM_GET, ST_ALBUM_ADD, ST_TRACK_ADD, ST_TRACK_UPSERT,
	ST_TRACK_REFS, ST_ALBUM_ORPHAN, ST_ARTIST_ORPHAN, ST_CI_SET,
	ST_CI_DEL, ST_PIC_SET, ST_PIC_DEL, ST_DIR_SET, ST_DIR_REFS,
	ST_DIR_FILES_DELETE, ST_COUNT
};

#define TRACK_INSERT \
	"INSERT INTO tracks (file_id, title, artist_id, album_artist_id," \
	" album_id, track_no, track_total, disc_no, disc_total, year, genre," \
	" duration_s, codec, bitrate_kbps, sample_rate, channels, has_picture," \
	" mb_track_id, mb_album_id, mb_artist_id, mb_album_artist_id," \
	" tag_source)" \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14," \
	" ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)"

static const char *const statements[ST_COUNT] = {
	[ST_DIR_GET] =
	"SELECT id FROM directories WHERE root_id = ?1 AND path = ?2",
	[ST_DIR_UPSERT] =
	"INSERT INTO directories (root_id, path, mtime_ns) VALUES (?1, ?2, ?3)"
	" ON CONFLICT (root_id, path) DO UPDATE SET mtime_ns = excluded.mtime_ns"
	" RETURNING id",
	[ST_FILE_ADD] =
	"INSERT INTO files (root_id, dir_id, path, size, mtime_ns, inode, kind,"
	" tag_error, tag_error_reason)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_FILE_UPDATE] =
	"UPDATE files SET dir_id = ?2, path = ?3, size = ?4, mtime_ns = ?5,"
	" inode = ?6, kind = ?7, tag_error = ?8, tag_error_reason = ?9"
	" WHERE id = ?1",
	[ST_FILE_RENAME] =
	"UPDATE files SET dir_id = ?2, path = ?3, size = ?4, mtime_ns = ?5,"
	" inode = ?6 WHERE id = ?1",
	[ST_FILE_DELETE] = "DELETE FROM files WHERE id = ?1",
	[ST_DIR_SET] =
	"INSERT INTO directories (root_id, path, mtime_ns, digest)"
	" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (root_id, path) DO UPDATE SET"
	" mtime_ns = excluded.mtime_ns, digest = excluded.digest",
	[ST_DIR_REFS] =
	"SELECT t.artist_id, t.album_artist_id, t.album_id FROM files f"
	" JOIN tracks t ON t.file_id = f.id WHERE f.dir_id = ?1",
	[ST_DIR_FILES_DELETE] = "DELETE FROM files WHERE dir_id = ?1",
	[ST_DIR_DELETE] = "DELETE FROM directories WHERE id = ?1",
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
	"INSERT INTO comicinfo (file_id, series, volume, number)"
	" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (file_id) DO UPDATE SET"
	" series = excluded.series, volume = excluded.volume,"
	" number = excluded.number",
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
	" tag_source = excluded.tag_source",
};

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;		/* records or calls arrived, or stop */
	pthread_cond_t space;		/* the queue has room again */
	pthread_cond_t called;		/* a call finished */
	struct writer_rec *head, *tail;
	size_t queued;
	uint64_t put_seq, applied_seq;
	struct writer_callreq *calls;
	int stopping, running;

	char *path;
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	int in_txn;
	int doomed;		/* the open transaction met a fault of the store */
	int dropping;		/* records are dropped until the next call */
	size_t rows_in_txn;
	struct name_cache artists, albums, dirs;
	struct id_list orphan_artists, orphan_albums;
	struct failed_dir *failed;	/* directories a file record failed in */
	size_t nr_failed;
	int no_digests;		/* out of memory noting a failure: keep no
				 * digest until the next call */

	uint64_t generation;
	uint64_t errors;
	uint64_t lost;		/* transactions lost to faults of the store */
	void (*on_loss)(void);
	double busy_s;
} w = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.space = PTHREAD_COND_INITIALIZER,
	.called = PTHREAD_COND_INITIALIZER,
};

struct writer_rec *writer_rec_new(enum writer_op op, const char *path,
				  size_t path_len)
{
	struct writer_rec *rec = calloc(1, sizeof(*rec) + path_len);

	if (!rec)
		return NULL;
	rec->op = op;
	rec->path_len = path_len;
	memcpy(rec->path, path, path_len);
	return rec;
}

void writer_rec_free(struct writer_rec *rec)
{
	tags_release(&rec->tags);
	comicinfo_release(&rec->ci);
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
static void caches_clear(void)
{
	name_cache_clear(&w.artists);
	name_cache_clear(&w.albums);
	name_cache_clear(&w.dirs);
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
	sqlite3_stmt *st = w.st[which];
	int rc = sqlite3_step(st);

	*id = 0;
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(w.db, rc, statements[which]);
}

/* Step an INSERT and give the new row's id. */
static int step_insert(int which, int64_t *id)
{
	int rc = step_id(which, id);

	if (!rc)
		*id = sqlite3_last_insert_rowid(w.db);
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
	if (name_cache_find(&w.artists, 0, name, strlen(name), id))
		return 0;
	sqlite3_bind_text(w.st[ST_ARTIST_GET], 1, name, -1, SQLITE_STATIC);
	rc = step_id(ST_ARTIST_GET, id);
	if (!rc && !*id) {
		sqlite3_bind_text(w.st[ST_ARTIST_ADD], 1, name, -1,
				  SQLITE_STATIC);
		rc = step_insert(ST_ARTIST_ADD, id);
	}
	if (!rc)
		name_cache_add(&w.artists, 0, name, strlen(name), *id);
	return rc;
}

static int album_id(const struct tags *t, int64_t artist, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if (!t->album || !*t->album)
		return 0;
	if (name_cache_find(&w.albums, artist, t->album, strlen(t->album),
			    id))
		return 0;
	st = w.st[ST_ALBUM_GET];
	bind_int(st, 1, artist);
	sqlite3_bind_text(st, 2, t->album, -1, SQLITE_STATIC);
	rc = step_id(ST_ALBUM_GET, id);
	if (!rc && !*id) {
		st = w.st[ST_ALBUM_ADD];
		bind_int(st, 1, artist);
		sqlite3_bind_text(st, 2, t->album, -1, SQLITE_STATIC);
		bind_int(st, 3, t->year);
		bind_text(st, 4, t->mb_album_id);
		rc = step_insert(ST_ALBUM_ADD, id);
	}
	if (!rc)
		name_cache_add(&w.albums, artist, t->album, strlen(t->album),
			       *id);
	return rc;
}

/* The length of the folder part of a record's path. */
static size_t dir_len(const struct writer_rec *rec)
{
	const char *slash = memrchr(rec->path, '/', rec->path_len);

	return slash ? (size_t)(slash - rec->path) : 0;
}

static int dir_id(const struct writer_rec *rec, int64_t *id)
{
	size_t len = dir_len(rec);
	sqlite3_stmt *st = w.st[ST_DIR_GET];
	int rc;

	if (name_cache_find(&w.dirs, rec->root_id, rec->path, len, id))
		return 0;
	sqlite3_bind_int64(st, 1, rec->root_id);
	sqlite3_bind_blob(st, 2, rec->path, len, SQLITE_STATIC);
	rc = step_id(ST_DIR_GET, id);
	if (!rc && !*id) {
		st = w.st[ST_DIR_UPSERT];
		sqlite3_bind_int64(st, 1, rec->root_id);
		sqlite3_bind_blob(st, 2, rec->path, len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, 0);
		rc = step_id(ST_DIR_UPSERT, id);
	}
	if (!rc)
		name_cache_add(&w.dirs, rec->root_id, rec->path, len, *id);
	return rc;
}

static void id_note(struct id_list *l, int64_t id)
{
	if (!id || (l->nr && l->v[l->nr - 1] == id))
		return;
	if (l->nr == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 64;
		int64_t *v = realloc(l->v, n * sizeof(*v));

		if (!v) {
			log_error(-ENOMEM, "writer: out of memory; orphans may"
				  " stay until the next cleanup");
			return;
		}
		l->v = v;
		l->alloc = n;
	}
	l->v[l->nr++] = id;
}

/* Before a known file's track changes or goes (which: ST_TRACK_REFS,
 * of the file id; ST_DIR_REFS, of the files of the directory id), note
 * what it pointed at: those are the only artists and albums it can leave
 * without tracks. */
static int note_refs(int which, int64_t id)
{
	sqlite3_stmt *st = w.st[which];
	int rc;

	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id_note(&w.orphan_artists, sqlite3_column_int64(st, 0));
		id_note(&w.orphan_artists, sqlite3_column_int64(st, 1));
		id_note(&w.orphan_albums, sqlite3_column_int64(st, 2));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(w.db, rc, "read track refs");
}

static int drop_each(int which, struct id_list *l)
{
	int64_t none;
	int rc = 0;

	for (size_t i = 0; !rc && i < l->nr; i++) {
		sqlite3_bind_int64(w.st[which], 1, l->v[i]);
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
	rc = drop_each(ST_ALBUM_ORPHAN, &w.orphan_albums);
	return rc ? rc : drop_each(ST_ARTIST_ORPHAN, &w.orphan_artists);
}

/* A store that failed keeps the lists for the next time. */
int writer_drop_orphans(sqlite3 *db, void *unused)
{
	int rc;

	(void)unused;
	if (!w.orphan_albums.nr && !w.orphan_artists.nr)
		return 0;
	rc = db_transaction(db, drop_orphans, NULL);
	if (!rc) {
		w.orphan_albums.nr = 0;
		w.orphan_artists.nr = 0;
	}
	return rc;
}

/* A new file's track is inserted; a known file's track may exist and is
 * then updated in place (which is ST_TRACK_UPSERT). */
static int apply_track(int which, const struct tags *t, int64_t file)
{
	sqlite3_stmt *st = w.st[which];
	int64_t artist, album_artist, album;
	char sources[TAGS_SOURCES_MAX];
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
	tags_sources(t, sources, sizeof(sources));
	if (*sources)
		sqlite3_bind_text(st, 22, sources, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 22);
	return step_id(which, &file);
}

/* An archive's ComicInfo.xml is kept when it says anything; one that is
 * gone (or never was) leaves no row. */
static int apply_comicinfo(const struct comicinfo *ci, int64_t file)
{
	int which = ci->found ? ST_CI_SET : ST_CI_DEL;
	sqlite3_stmt *st = w.st[which];
	int64_t none;

	sqlite3_bind_int64(st, 1, file);
	if (ci->found) {
		bind_text(st, 2, ci->series);
		sqlite3_bind_double(st, 3, ci->volume);
		sqlite3_bind_double(st, 4, ci->number);
	}
	return step_id(which, &none);
}

/* A track's picture is kept where its bytes are; a known file that has
 * none (any more) leaves no row, and a new one has none to drop. */
static int apply_picture(const struct picture *pic, int64_t file, int known)
{
	int which = pic->found ? ST_PIC_SET : ST_PIC_DEL;
	sqlite3_stmt *st = w.st[which];
	int64_t none;

	if (!pic->found && !known)
		return 0;
	sqlite3_bind_int64(st, 1, file);
	if (pic->found) {
		sqlite3_bind_int(st, 2, pic->type);
		sqlite3_bind_text(st, 3, pic->mime, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, pic->offset);
		sqlite3_bind_int64(st, 5, pic->length);
		sqlite3_bind_int(st, 6, pic->unsync);
	}
	return step_id(which, &none);
}

/* Bind ?2 to ?6, where a file is and what it looks like, the same way
 * for a new file and a renamed one. */
static int bind_location(sqlite3_stmt *st, const struct writer_rec *rec)
{
	int64_t dir;
	int rc = dir_id(rec, &dir);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 2, dir);
	sqlite3_bind_blob(st, 3, rec->path, rec->path_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, rec->size);
	sqlite3_bind_int64(st, 5, rec->mtime_ns);
	sqlite3_bind_int64(st, 6, rec->inode);
	return 0;
}

/* A file the store does not have yet is inserted; one it has (rec->id) is
 * updated in place, so its track keeps its id. */
static int apply_file(const struct writer_rec *rec)
{
	int which = rec->id ? ST_FILE_UPDATE : ST_FILE_ADD;
	sqlite3_stmt *st = w.st[which];
	int64_t file = rec->id, none;
	int rc;

	rc = rec->id ? note_refs(ST_TRACK_REFS, rec->id) : 0;
	if (!rc)
		rc = bind_location(st, rec);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, rec->id ? rec->id : rec->root_id);
	sqlite3_bind_text(st, 7, rec->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, rec->parsed && rec->tags.tag_error);
	bind_text(st, 9, rec->parsed && rec->tags.tag_error ?
		  rec->tags.error : NULL);
	if (rec->id)
		rc = step_id(which, &none);
	else
		rc = step_insert(which, &file);
	if (rc || !rec->parsed)
		return rc;
	if (!strcmp(rec->kind, "archive"))
		return apply_comicinfo(&rec->ci, file);
	rc = apply_track(rec->id ? ST_TRACK_UPSERT : ST_TRACK_ADD,
			 &rec->tags, file);
	return rc ? rc : apply_picture(&rec->tags.picture, file, !!rec->id);
}

static int apply_rename(const struct writer_rec *rec)
{
	sqlite3_stmt *st = w.st[ST_FILE_RENAME];
	int64_t none;
	int rc;

	rc = bind_location(st, rec);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, rec->id);
	return step_id(ST_FILE_RENAME, &none);
}

/* A file record failed: its directory's digest would claim the file
 * stored, so the directory's next record keeps none. */
static void note_failed_dir(const struct writer_rec *rec)
{
	size_t len = dir_len(rec);
	struct failed_dir *f;
	void *v;

	if (rec->op != WRITER_FILE && rec->op != WRITER_RENAME)
		return;
	v = realloc(w.failed, (w.nr_failed + 1) * sizeof(*w.failed));
	if (!v) {
		w.no_digests = 1;
		return;
	}
	w.failed = v;
	f = &w.failed[w.nr_failed];
	f->path = strndup(rec->path, len);
	if (!f->path) {
		w.no_digests = 1;
		return;
	}
	f->root_id = rec->root_id;
	f->len = len;
	w.nr_failed++;
}

/* Whether a file record of the directory rec failed (the note is then
 * dropped: this record is the one it was for). */
static int dir_failed(const struct writer_rec *rec)
{
	for (size_t i = 0; i < w.nr_failed; i++) {
		struct failed_dir *f = &w.failed[i];

		if (f->root_id == rec->root_id && f->len == rec->path_len &&
		    !memcmp(f->path, rec->path, f->len)) {
			free(f->path);
			*f = w.failed[--w.nr_failed];
			return 1;
		}
	}
	return 0;
}

static int apply_dir(const struct writer_rec *rec)
{
	sqlite3_stmt *st = w.st[ST_DIR_SET];
	int64_t none;

	sqlite3_bind_int64(st, 1, rec->root_id);
	sqlite3_bind_blob(st, 2, rec->path, rec->path_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, rec->mtime_ns);
	if (rec->has_digest && !dir_failed(rec) && !w.no_digests)
		sqlite3_bind_int64(st, 4, (int64_t)rec->digest);
	else
		sqlite3_bind_null(st, 4);
	return step_id(ST_DIR_SET, &none);
}

/* Delete a file, or a directory and the files it holds, counting the
 * files in *rec->deleted. */
static int apply_delete(const struct writer_rec *rec)
{
	int file = rec->op == WRITER_DELETE_FILE;
	int64_t none;
	int rc;

	if (!file)
		name_cache_clear(&w.dirs);
	rc = note_refs(file ? ST_TRACK_REFS : ST_DIR_REFS, rec->id);
	if (rc)
		return rc;
	sqlite3_bind_int64(w.st[file ? ST_FILE_DELETE : ST_DIR_FILES_DELETE],
			   1, rec->id);
	rc = step_id(file ? ST_FILE_DELETE : ST_DIR_FILES_DELETE, &none);
	if (rc)
		return rc;
	if (rec->deleted)
		__atomic_add_fetch(rec->deleted, sqlite3_changes(w.db),
				   __ATOMIC_RELAXED);
	if (file)
		return 0;
	sqlite3_bind_int64(w.st[ST_DIR_DELETE], 1, rec->id);
	return step_id(ST_DIR_DELETE, &none);
}

static int apply(const struct writer_rec *rec)
{
	switch (rec->op) {
	case WRITER_DIR:
		return apply_dir(rec);
	case WRITER_FILE:
		return apply_file(rec);
	case WRITER_RENAME:
		return apply_rename(rec);
	case WRITER_DELETE_DIR:
	case WRITER_DELETE_FILE:
		return apply_delete(rec);
	}
	return -EINVAL;
}

/* A transaction that met a fault of the store is lost, and so is what
 * its scan queued after it (until the next call): that scan failed and is
 * run again, which finds all of it again. The scan hears of it at once. */
static void lose(void)
{
	if (!sqlite3_get_autocommit(w.db))
		sqlite3_exec(w.db, "ROLLBACK", NULL, NULL, NULL);
	caches_clear();
	w.dropping = 1;
	__atomic_add_fetch(&w.lost, 1, __ATOMIC_RELAXED);
	if (w.on_loss)
		w.on_loss();
}

/* A transaction is begun only on the file the store was opened on: one
 * deleted or replaced since would take writes that no later start sees. */
static void begin(void)
{
	w.in_txn = 1;
	if (storefile_check() != STOREFILE_OK || db_exec(w.db, "BEGIN"))
		w.doomed = 1;
}

/* Ending a transaction is where a batch becomes visible, so it is also
 * where readers learn (through the generation) that the store moved. */
static void commit(void)
{
	if (!w.in_txn)
		return;
	if (!w.doomed) {
		/* a failed sync keeps its list for the next commit */
		search_index_sync(w.db);
		w.doomed = db_exec(w.db, "COMMIT") != 0;
		if (!w.doomed)
			storefile_writes_work();
	}
	if (w.doomed)
		lose();
	w.in_txn = 0;
	w.doomed = 0;
	w.rows_in_txn = 0;
	__atomic_add_fetch(&w.generation, 1, __ATOMIC_RELEASE);
}

/* A record failed for itself: counted, and its directory keeps no
 * digest. */
static void failed(const struct writer_rec *rec)
{
	__atomic_add_fetch(&w.errors, 1, __ATOMIC_RELAXED);
	note_failed_dir(rec);
}

/* Returns the seconds spent, for the scan's write phase figure. A record
 * that fails for itself is counted and skipped; one that fails for the
 * store dooms its transaction. */
static double apply_list(struct writer_rec *list)
{
	double start = clock_mono();

	while (list) {
		struct writer_rec *next = list->next;

		if (!w.dropping) {
			if (!w.in_txn)
				begin();
			if (!w.doomed && apply(list)) {
				if (storefile_classify(w.db) != STOREFILE_OK)
					w.doomed = 1;
				else
					failed(list);
			}
			if (++w.rows_in_txn >= WRITER_BATCH)
				commit();
		}
		writer_rec_free(list);
		list = next;
	}
	return clock_mono() - start;
}

/* Takes the oldest call whose records have all been applied. */
static struct writer_callreq *ready_call(void)
{
	struct writer_callreq **p = &w.calls;

	for (; *p; p = &(*p)->next) {
		if ((*p)->after_seq <= w.applied_seq) {
			struct writer_callreq *c = *p;

			*p = c->next;
			return c;
		}
	}
	return NULL;
}

static void *writer_main(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&w.lock);
	for (;;) {
		struct writer_callreq *call;
		struct writer_rec *list;
		double busy;
		size_t n;

		while (!w.head && !w.calls && !w.stopping)
			pthread_cond_wait(&w.wake, &w.lock);
		if ((call = ready_call())) {
			pthread_mutex_unlock(&w.lock);
			commit();
			caches_clear();
			w.dropping = 0;
			/* a scan's records end before its calls */
			w.no_digests = 0;
			call->result = call->fn ? call->fn(w.db, call->arg) : 0;
			/* fn may have written: readers must look again */
			if (call->fn)
				__atomic_add_fetch(&w.generation, 1,
						   __ATOMIC_RELEASE);
			pthread_mutex_lock(&w.lock);
			call->done = 1;
			pthread_cond_broadcast(&w.called);
			continue;
		}
		if (!w.head) {
			if (w.stopping)
				break;
			continue;
		}
		list = w.head;
		n = w.queued;
		w.head = w.tail = NULL;
		w.queued = 0;
		pthread_cond_broadcast(&w.space);
		pthread_mutex_unlock(&w.lock);

		busy = apply_list(list);

		pthread_mutex_lock(&w.lock);
		w.busy_s += busy;
		w.applied_seq += n;
		if (!w.head)
			commit();
	}
	pthread_mutex_unlock(&w.lock);
	commit();
	return NULL;
}

static void close_store(void)
{
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(w.st[i]);
		w.st[i] = NULL;
	}
	caches_clear();
	free(w.orphan_artists.v);
	free(w.orphan_albums.v);
	for (size_t i = 0; i < w.nr_failed; i++)
		free(w.failed[i].path);
	free(w.failed);
	w.failed = NULL;
	w.nr_failed = 0;
	memset(&w.orphan_artists, 0, sizeof(w.orphan_artists));
	memset(&w.orphan_albums, 0, sizeof(w.orphan_albums));
	if (w.db) {
		db_exec(w.db, "PRAGMA optimize");
		db_close(w.db);
	}
	w.db = NULL;
}

/* A connection to the store at w.path with the writer's statements, or
 * nothing (an error, logged). */
static int open_store(sqlite3 **db, sqlite3_stmt *st[ST_COUNT])
{
	int rc = db_open(w.path, 0, db);

	for (int i = 0; !rc && i < ST_COUNT; i++)
		rc = db_prepare(*db, statements[i], &st[i]);
	if (rc && *db) {
		for (int i = 0; i < ST_COUNT; i++) {
			sqlite3_finalize(st[i]);
			st[i] = NULL;
		}
		db_close(*db);
		*db = NULL;
	}
	return rc;
}

/*
 * Go on with a new connection to whatever file the path holds now, once
 * it is open: the old one may be on a file deleted, or on a file system
 * gone read-only. Closing the old must touch nothing by name (its -wal is
 * the new one's), which a persistent WAL ensures.
 */
static int reopen_store(void)
{
	sqlite3_stmt *st[ST_COUNT] = { NULL };
	sqlite3 *db = NULL;
	int persist = 1, rc;

	rc = open_store(&db, st);
	if (rc)
		return rc;
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(w.st[i]);
		w.st[i] = st[i];
	}
	sqlite3_file_control(w.db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	db_close(w.db);
	w.db = db;
	caches_clear();
	storefile_opened(db);
	storefile_new_epoch();
	return 0;
}

/* Give path-SUFFIX to fn. */
static int with_suffix(const char *path, const char *suffix,
		       int (*fn)(const char *))
{
	char *name;
	int rc;

	if (asprintf(&name, "%s%s", path, suffix) < 0)
		return -ENOMEM;
	rc = fn(name);
	free(name);
	return rc;
}

/*
 * The store's file was deleted while the writer had it open: the open
 * connection still holds all of it, so it is copied back to the path
 * (under a temporary name, then renamed, never over a file that came
 * meanwhile) and the writer goes on there. The -wal and -shm still named
 * for the deleted file are removed first: left beside the copy, SQLite
 * would take them for its own.
 */
static int write_back(sqlite3 *db, void *unused)
{
	char *tmp;
	int rc;

	(void)unused;
	if (storefile_check() != STOREFILE_DELETED)
		return 0;
	rc = storefile_make_folders(w.path);
	if (rc)
		return rc;
	if (asprintf(&tmp, "%s.tmp", w.path) < 0)
		return log_error(-ENOMEM, "writer: out of memory");
	rc = db_copy(db, tmp);
	if (!rc) {
		with_suffix(w.path, "-wal", unlink);
		with_suffix(w.path, "-shm", unlink);
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, w.path,
			      RENAME_NOREPLACE))
			rc = log_error(-errno, "database %s: cannot write it"
				       " back: %s", w.path, strerror(errno));
	}
	if (rc)
		unlink(tmp);
	free(tmp);
	if (!rc)
		rc = reopen_store();
	if (!rc) {
		storefile_writes_work();
		log_warn("database %s written back from the copy mediamon had"
			 " open: nothing is lost", w.path);
	}
	return rc;
}

static int reopen(sqlite3 *db, void *unused)
{
	(void)db;
	(void)unused;
	return reopen_store();
}

/* The store's header written as it was: a write that changes nothing,
 * and yet goes through the WAL to the disk like any other. */
static int rewrite_version(sqlite3 *db, void *unused)
{
	sqlite3_stmt *st;
	char sql[64];
	int rc;

	(void)unused;
	rc = db_prepare(db, "PRAGMA user_version", &st);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		 sqlite3_column_int(st, 0));
	rc = db_finalize(st, rc, "read user_version");
	return rc ? rc : db_exec(db, sql);
}

static int probe(sqlite3 *db, void *unused)
{
	int rc = db_transaction(db, rewrite_version, unused);

	if (!rc)
		storefile_writes_work();
	return rc;
}

int writer_probe(void)
{
	return writer_call_urgent(probe, NULL);
}

int writer_write_back(void)
{
	return writer_call_urgent(write_back, NULL);
}

int writer_reopen(void)
{
	return writer_call_urgent(reopen, NULL);
}

int writer_start(const char *db_path)
{
	int rc;

	free(w.path);
	w.path = strdup(db_path);
	if (!w.path)
		return log_error(-ENOMEM, "writer: out of memory");
	rc = db_open(db_path, 0, &w.db);
	if (!rc) {
		storefile_opened(w.db);
		rc = schema_migrate(w.db);
	}
	/* tracks a migration or a crash left out of the search index; a
	 * failure keeps them listed for the next commit */
	if (!rc)
		search_index_sync(w.db);
	for (int i = 0; !rc && i < ST_COUNT; i++)
		rc = db_prepare(w.db, statements[i], &w.st[i]);
	if (!rc) {
		w.stopping = 0;
		rc = -pthread_create(&w.thread, NULL, writer_main, NULL);
		if (rc)
			log_error(rc, "writer: cannot start thread");
	}
	if (rc) {
		close_store();
		return rc;
	}
	w.running = 1;
	return 0;
}

void writer_stop(void)
{
	if (!w.running)
		return;
	thread_stop(w.thread, &w.lock, &w.wake, &w.stopping);
	w.running = 0;
	close_store();
}

void writer_batch_flush(struct writer_batch *batch)
{
	if (!batch->nr)
		return;
	pthread_mutex_lock(&w.lock);
	while (w.queued >= QUEUE_MAX)
		pthread_cond_wait(&w.space, &w.lock);
	if (w.tail)
		w.tail->next = batch->head;
	else
		w.head = batch->head;
	w.tail = batch->tail;
	w.queued += batch->nr;
	w.put_seq += batch->nr;
	pthread_cond_signal(&w.wake);
	pthread_mutex_unlock(&w.lock);
	batch->head = batch->tail = NULL;
	batch->nr = 0;
}

void writer_batch_add(struct writer_batch *batch, struct writer_rec *rec)
{
	rec->next = NULL;
	if (batch->tail)
		batch->tail->next = rec;
	else
		batch->head = rec;
	batch->tail = rec;
	if (++batch->nr >= WRITER_PUT_BATCH)
		writer_batch_flush(batch);
}

void writer_put(struct writer_rec *rec)
{
	struct writer_batch batch = WRITER_BATCH_INIT;

	writer_batch_add(&batch, rec);
	writer_batch_flush(&batch);
}

static int call_after(int (*fn)(sqlite3 *db, void *arg), void *arg,
		      int urgent)
{
	struct writer_callreq call = { .fn = fn, .arg = arg };
	struct writer_callreq **p;

	pthread_mutex_lock(&w.lock);
	/* A call after the stop began would wait for a thread that is gone. */
	if (!w.running || w.stopping) {
		pthread_mutex_unlock(&w.lock);
		return log_error(-ESHUTDOWN, "writer: store is closed");
	}
	call.after_seq = urgent ? 0 : w.put_seq;
	for (p = &w.calls; *p; p = &(*p)->next)
		;
	*p = &call;
	pthread_cond_signal(&w.wake);
	while (!call.done)
		pthread_cond_wait(&w.called, &w.lock);
	pthread_mutex_unlock(&w.lock);
	return call.result;
}

int writer_call(int (*fn)(sqlite3 *db, void *arg), void *arg)
{
	return call_after(fn, arg, 0);
}

int writer_call_urgent(int (*fn)(sqlite3 *db, void *arg), void *arg)
{
	return call_after(fn, arg, 1);
}

uint64_t writer_generation(void)
{
	return __atomic_load_n(&w.generation, __ATOMIC_ACQUIRE);
}

double writer_busy_seconds(void)
{
	double s;

	pthread_mutex_lock(&w.lock);
	s = w.busy_s;
	pthread_mutex_unlock(&w.lock);
	return s;
}

uint64_t writer_errors(void)
{
	return __atomic_load_n(&w.errors, __ATOMIC_RELAXED);
}

uint64_t writer_lost(void)
{
	return __atomic_load_n(&w.lost, __ATOMIC_RELAXED);
}

void writer_on_loss(void (*fn)(void))
{
	pthread_mutex_lock(&w.lock);
	w.on_loss = fn;
	pthread_mutex_unlock(&w.lock);
}
