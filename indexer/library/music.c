/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The library's rows on the writer's connection: the statements,
 * prepared when the writer opens its connection and finalized when it
 * closes it, the ids of artists, albums and folders cached, the bulk
 * load's counts added to the running totals, what a transaction's new
 * tracks need at its commit (search rows, the analysis queue, covers),
 * the bulk load's start and end, and music_writer_ops, the table the
 * indexer registers with the writer. What rows a record becomes is
 * music_rows.c's; nothing here runs off the writer thread.
 */
#include "indexer/library/music.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/library/covers.h"
#include "indexer/library/music_private.h"
#include "indexer/library/search_build.h"
#include "indexer/library/search_index.h"
#include "indexer/store/name_rows.h"
#include "indexer/store/schema.h"


static const char *const counted[CT_COUNT] = {
	"files", "tracks", "albums", "artists",
};

#define TRACK_INSERT \
	"INSERT INTO tracks (file_id, title, artist_id, album_artist_id," \
	" album_id, track_no, track_total, disc_no, disc_total, year, genre," \
	" duration_s, codec, bitrate_kbps, sample_rate, channels," \
	" has_picture, mb_track_id, mb_album_id, mb_artist_id," \
	" mb_album_artist_id, tag_source, tag_gain_db," \
	" tag_album_gain_db, id, bit_depth)" \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13," \
	" ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)"

static const char *const statements[ST_COUNT] = {
	[ST_DIR_GET] =
	"SELECT id FROM directories WHERE root_id = ?1 AND path = ?2",
	[ST_DIR_ADD] =
	"INSERT INTO directories (root_id, path, mtime_ns) VALUES (?1, ?2, 0)",
	/* an id no file had before (version 47) */
	[ST_FILE_ADD] =
	"INSERT INTO files (root_id, dir_id, name, size, mtime_ns, inode, kind,"
	" tag_error, tag_error_reason, uid, crc, id, first_seen)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	" (SELECT max(last, coalesce((SELECT max(id) FROM files), 0)) + 1"
	" FROM file_ids), ?12)",
	/* the same id, counted by a bulk load (music_rows.c) */
	[ST_FILE_ADD_AT] =
	"INSERT INTO files (root_id, dir_id, name, size, mtime_ns, inode, kind,"
	" tag_error, tag_error_reason, uid, crc, id, first_seen)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?12)",
	[ST_FILE_UPDATE] =
	"UPDATE files SET dir_id = ?2, name = ?3, size = ?4, mtime_ns = ?5,"
	" inode = ?6, kind = ?7, tag_error = ?8, tag_error_reason = ?9,"
	" uid = ?10, crc = ?11 WHERE id = ?1",
	[ST_FILE_RENAME] =
	"UPDATE files SET dir_id = ?2, name = ?3, size = ?4, mtime_ns = ?5,"
	" inode = ?6, uid = ?10 WHERE id = ?1",
	[ST_FILE_DELETE] = "DELETE FROM files WHERE id = ?1",
	[ST_DIR_LEFT] =
	"UPDATE directories SET digest = NULL WHERE id ="
	" (SELECT dir_id FROM files WHERE id = ?1) AND id <> ?2"
	" AND digest IS NOT NULL",
	[ST_DIR_SET] =
	"INSERT INTO directories (root_id, path, mtime_ns, digest)"
	" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (root_id, path) DO UPDATE SET"
	" mtime_ns = excluded.mtime_ns, digest = excluded.digest RETURNING id",
	[ST_DIR_REFS] =
	"SELECT t.artist_id, t.album_artist_id, t.album_id FROM files f"
	" JOIN tracks t ON t.file_id = f.id WHERE f.dir_id = ?1",
	[ST_DIR_FILES_DELETE] = "DELETE FROM files WHERE dir_id = ?1",
	/* CROSS JOIN: the batch drives, each id looked up. Statistics of
	 * a store that was small make a scan of tracks look cheaper, which
	 * cost (tracks) x (ids) at every commit (issue 76). */
	[ST_QUEUE_ADDED] =
	"INSERT INTO analysis_queue (track_id, owner)"
	" SELECT j.value, f.uid FROM json_each(?1) j"
	" CROSS JOIN tracks t ON t.id = j.value"
	" CROSS JOIN files f ON f.id = t.file_id"
	" WHERE j.value NOT IN (SELECT track_id FROM analysis)"
	" ON CONFLICT (track_id) DO UPDATE SET gen = gen + 1,"
	" owner = excluded.owner",
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
	"INSERT INTO comicinfo VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON"
	" CONFLICT (file_id) DO UPDATE SET series = excluded.series, volume ="
	" excluded.volume, number = excluded.number, pages = excluded.pages,"
	" cover = excluded.cover, summary = excluded.summary, writer ="
	" excluded.writer, issued = excluded.issued",
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
	" bit_depth = excluded.bit_depth,"
	" has_picture = excluded.has_picture,"
	" mb_track_id = excluded.mb_track_id,"
	" mb_album_id = excluded.mb_album_id,"
	" mb_artist_id = excluded.mb_artist_id,"
	" mb_album_artist_id = excluded.mb_album_artist_id,"
	" tag_source = excluded.tag_source,"
	" tag_gain_db = excluded.tag_gain_db,"
	" tag_album_gain_db = excluded.tag_album_gain_db",
};

struct music_state music_m;

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

struct music_rec *music_rec_pack(struct music_rec *rec)
{
	char **from[TAGS_TEXT_FIELDS], **to[TAGS_TEXT_FIELDS];
	size_t head = sizeof(*rec) + rec->path_len, text = 0, n;
	struct music_rec *p;
	char *at;

	tags_text_fields(&rec->tags, from);
	for (int i = 0; i < TAGS_TEXT_FIELDS; i++)
		text += *from[i] ? strlen(*from[i]) + 1 : 0;
	if (!text || rec->packed || !(p = malloc(head + text)))
		return rec;
	memcpy(p, rec, head);
	p->packed = 1;
	tags_text_fields(&p->tags, to);
	at = (char *)p + head;
	for (int i = 0; i < TAGS_TEXT_FIELDS; i++) {
		if (!*from[i])
			continue;
		n = strlen(*from[i]) + 1;
		*to[i] = memcpy(at, *from[i], n);
		at += n;
		free(*from[i]);
	}
	free(rec);
	return p;
}

void music_rec_free(struct music_rec *rec)
{
	if (!rec->packed)
		tags_release(&rec->tags);
	comicinfo_release(&rec->ci);
	free(rec->listing);
	free(rec);
}

void music_name_cache_clear(struct music_name_cache *c)
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
	music_name_cache_clear(&music_m.artists);
	music_name_cache_clear(&music_m.albums);
	music_name_cache_clear(&music_m.dirs);
	music_m.added.nr = 0;
	music_m.next_file = 0;
	music_m.no_digests = 0;
	memset(music_m.count, 0, sizeof(music_m.count));
}

int music_name_cache_find(struct music_name_cache *c, int64_t key,
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

void music_name_cache_add(struct music_name_cache *c, int64_t key,
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
int music_step_id(int which, int64_t *id)
{
	sqlite3_stmt *st = music_m.st[which];
	int rc = sqlite3_step(st);

	*id = 0;
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 :
		db_error(music_m.db, rc, statements[which]);
}

/* Step an INSERT and give the new row's id. */
int music_step_insert(int which, int64_t *id)
{
	int rc = music_step_id(which, id);

	if (!rc)
		*id = sqlite3_last_insert_rowid(music_m.db);
	if (!rc && music_m.counting)
		music_m.count[CT_ARTISTS] += which == ST_ARTIST_ADD;
	if (!rc && music_m.counting)
		music_m.count[CT_ALBUMS] += which == ST_ALBUM_ADD;
	return rc;
}

/* Add what the bulk load counted to the running totals. */
static int count_flush(void)
{
	int64_t none;
	int rc = 0;

	for (int i = 0; !rc && i < CT_COUNT; i++) {
		if (!music_m.count[i])
			continue;
		sqlite3_bind_text(music_m.st[ST_TOTAL_ADD], 1, counted[i], -1,
				  SQLITE_STATIC);
		sqlite3_bind_int64(music_m.st[ST_TOTAL_ADD], 2,
				   music_m.count[i]);
		rc = music_step_id(ST_TOTAL_ADD, &none);
	}
	if (!rc && music_m.count[CT_FILES]) {
		sqlite3_bind_int64(music_m.st[ST_ROOT_TOTAL_ADD], 1,
				   music_m.count_root);
		sqlite3_bind_int64(music_m.st[ST_ROOT_TOTAL_ADD], 2,
				   music_m.count[CT_FILES]);
		rc = music_step_id(ST_ROOT_TOTAL_ADD, &none);
	}
	memset(music_m.count, 0, sizeof(music_m.count));
	return rc;
}

/* Count a file of root that a bulk load added. */
int music_count_file(int64_t root)
{
	int rc = 0;

	if (music_m.count[CT_FILES] && music_m.count_root != root)
		rc = count_flush();
	music_m.count_root = root;
	music_m.count[CT_FILES]++;
	return rc;
}

void music_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

void music_bind_int(sqlite3_stmt *st, int i, int64_t v)
{
	if (v)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}


/* The ids of l as a JSON array, for json_each(): one statement for the
 * tracks of a whole transaction. */
static int ids_json(const struct music_id_list *l, struct strbuf *out)
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
	sqlite3_stmt *st = music_m.st[ST_QUEUE_ADDED];
	int64_t none;
	int rc = 0;

	/* A bulk load's tracks are searchable and queued at its end, all
	 * at once (schema_make_bulk_indexes()): there is nothing to sync,
	 * and a crash before it leaves the triggers for the next start to
	 * make, with these rows. */
	if (music_m.counting)
		music_m.added.nr = 0;
	if (music_m.added.nr) {
		rc = ids_json(&music_m.added, &ids);
		if (!rc)
			rc = search_index_forget(music_m.db, ids.buf);
		if (!rc)
			rc = search_index_add(music_m.db, ids.buf);
		if (!rc) {
			sqlite3_bind_text(st, 1, ids.buf, ids.len,
					  SQLITE_STATIC);
			rc = music_step_id(ST_QUEUE_ADDED, &none);
		}
	}
	strbuf_release(&ids);
	if (!rc && !music_m.counting)
		rc = search_index_sync(music_m.db);
	if (!rc)
		rc = covers_refresh(music_m.db);
	if (!rc)
		rc = count_flush();
	music_m.added.nr = 0;
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
		sqlite3_finalize(music_m.st[i]);
		music_m.st[i] = st[i];
	}
	music_m.db = db;
	music_forget();
	return 0;
}

/* The writer's connection closes: nothing of it is kept. */
static void music_close(void)
{
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(music_m.st[i]);
		music_m.st[i] = NULL;
	}
	music_forget();
	free(music_m.orphan_artists.v);
	free(music_m.orphan_albums.v);
	free(music_m.added.v);
	for (size_t i = 0; i < music_m.nr_failed; i++)
		free(music_m.failed[i].path);
	free(music_m.failed);
	memset(&music_m, 0, sizeof(music_m));
}

/* Drop the bulk indexes and triggers if the store holds no file, and
 * say so in *dropped. */
static int drop_if_empty(sqlite3 *db, void *dropped)
{
	int any = db_yes(db, "look for files",
			 "SELECT EXISTS (SELECT 1 FROM files)");
	int rc = any < 0 ? any : 0;

	if (!any)
		rc = schema_drop_bulk_indexes(db);
	*(int *)dropped = !any && !rc;
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
	music_m.counting = !rc && dropped;
	return rc;
}

static int make_indexes(sqlite3 *db, void *search)
{
	music_m.counting = 0;
	music_m.next_file = 0;
	return schema_make_bulk_indexes(db, search);
}

static int make_indexes_at_once(sqlite3 *db, void *search)
{
	return db_transaction(db, make_indexes, search);
}

static int refresh_covers(sqlite3 *db, void *unused)
{
	(void)unused;
	return covers_refresh(db);
}

int music_bulk_end(sqlite3 *db, void *unused)
{
	struct search_build *b = NULL;
	struct schema_bulk_search from;
	int rc;

	(void)unused;
	/* What the end of a load into an empty store adds (search rows,
	 * the queue) is as new as what it added: the names move, their
	 * rows unread. Its search rows are built meanwhile on a thread of
	 * their own (search_build.h), which takes the core the scan's
	 * threads left; else SQLite's sorter may use a helper thread.
	 * Not both: beside the build, a million tracks' indexes took 7-8 s
	 * with helpers and 6 s without, the end no shorter than with
	 * neither (docs/PERFORMANCE.md). */
	if (music_m.counting) {
		name_rows_new(db);
		b = search_build_start(db);
	}
	from = (struct schema_bulk_search){ search_build_attach, b };
	if (!b)
		db_exec(db, "PRAGMA threads = 2");
	rc = db_with_temp_files(db, make_indexes_at_once, b ? &from : NULL);
	search_build_end(db, b);
	/* The covers of the albums the load marked, once the index that
	 * finds an album's tracks is made; in a transaction of their own,
	 * where each album's statements keep what they change in memory
	 * (temp_store): with the sorts' temporary files, that was written
	 * to a file, a page or two an album. A crash before leaves the
	 * albums marked for the next start (music_start()). */
	if (!rc)
		rc = db_transaction(db, refresh_covers, NULL);
	db_exec(db, "PRAGMA threads = 0");
	db_exec(db, "PRAGMA wal_autocheckpoint = 1000");
	return rc;
}

/* The records go back with what their tags hold. */
static void music_release(struct writer_rec *wr)
{
	music_rec_free((struct music_rec *)wr);
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
