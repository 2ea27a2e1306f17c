/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The rows a scan's record becomes, inside the writer's open
 * transaction: a folder with its digest and listing, a file with its
 * track, artist, album, picture or ComicInfo, a rename, a deletion;
 * the artists and albums a changed or deleted track may leave without
 * tracks, noted and dropped; the folders a file record failed in,
 * which keep no digest. The statements and caches are music.c's; this
 * file prepares and commits nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/array.h"
#include "common/db.h"
#include "common/log.h"
#include "indexer/library/covers.h"
#include "indexer/library/gone.h"
#include "indexer/library/music_private.h"

static int artist_id(const char *name, int64_t *id)
{
	int rc;

	*id = 0;
	if (!name || !*name)
		return 0;
	if (music_name_cache_find(&music_m.artists, 0, name, strlen(name), id))
		return 0;
	sqlite3_bind_text(music_m.st[ST_ARTIST_GET], 1, name, -1,
			  SQLITE_STATIC);
	rc = music_step_id(ST_ARTIST_GET, id);
	if (!rc && !*id) {
		sqlite3_bind_text(music_m.st[ST_ARTIST_ADD], 1, name, -1,
				  SQLITE_STATIC);
		rc = music_step_insert(ST_ARTIST_ADD, id);
	}
	if (!rc)
		music_name_cache_add(&music_m.artists, 0, name, strlen(name),
				     *id);
	return rc;
}

static int album_id(const struct tags *t, int64_t artist, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if (!t->album || !*t->album)
		return 0;
	if (music_name_cache_find(&music_m.albums, artist, t->album,
				  strlen(t->album), id))
		return 0;
	st = music_m.st[ST_ALBUM_GET];
	music_bind_int(st, 1, artist);
	sqlite3_bind_text(st, 2, t->album, -1, SQLITE_STATIC);
	rc = music_step_id(ST_ALBUM_GET, id);
	if (!rc && !*id) {
		st = music_m.st[ST_ALBUM_ADD];
		music_bind_int(st, 1, artist);
		sqlite3_bind_text(st, 2, t->album, -1, SQLITE_STATIC);
		music_bind_int(st, 3, t->year);
		music_bind_text(st, 4, t->mb_album_id);
		rc = music_step_insert(ST_ALBUM_ADD, id);
	}
	if (!rc)
		music_name_cache_add(&music_m.albums, artist, t->album,
				     strlen(t->album), *id);
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
	sqlite3_stmt *st = music_m.st[ST_DIR_GET];
	int rc;

	if (music_name_cache_find(&music_m.dirs, rec->root_id, rec->path, len,
				  id))
		return 0;
	sqlite3_bind_int64(st, 1, rec->root_id);
	sqlite3_bind_blob(st, 2, rec->path, len, SQLITE_STATIC);
	rc = music_step_id(ST_DIR_GET, id);
	if (!rc && !*id) {
		st = music_m.st[ST_DIR_ADD];
		sqlite3_bind_int64(st, 1, rec->root_id);
		sqlite3_bind_blob(st, 2, rec->path, len, SQLITE_STATIC);
		rc = music_step_insert(ST_DIR_ADD, id);
	}
	if (!rc)
		music_name_cache_add(&music_m.dirs, rec->root_id, rec->path,
				     len, *id);
	return rc;
}

/* Make room in l for one more id; returns 0 or -ENOMEM. */
static int id_room(struct music_id_list *l)
{
	int64_t *v = array_grow(l->v, l->nr, &l->alloc, sizeof(*v), 64);

	if (v)
		l->v = v;
	return v ? 0 : -ENOMEM;
}

/* Add id to l, unless 0 or the last one already; returns 0 or -ENOMEM. */
static int id_note(struct music_id_list *l, int64_t id)
{
	if (!id || (l->nr && l->v[l->nr - 1] == id))
		return 0;
	if (id_room(l))
		return -ENOMEM;
	l->v[l->nr++] = id;
	return 0;
}

/* Note an artist or album a track pointed at. */
static void orphan_note(struct music_id_list *l, int64_t id)
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
	sqlite3_stmt *st = music_m.st[which];
	int rc, n = 0;

	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		orphan_note(&music_m.orphan_artists,
			    sqlite3_column_int64(st, 0));
		orphan_note(&music_m.orphan_artists,
			    sqlite3_column_int64(st, 1));
		orphan_note(&music_m.orphan_albums,
			    sqlite3_column_int64(st, 2));
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n :
		db_error(music_m.db, rc, "read track refs");
}

static int drop_each(int which, struct music_id_list *l)
{
	int64_t none;
	int rc = 0;

	for (size_t i = 0; !rc && i < l->nr; i++) {
		sqlite3_bind_int64(music_m.st[which], 1, l->v[i]);
		rc = music_step_id(which, &none);
	}
	return rc;
}

/* Albums first: an album that goes may take its artist's last row. */
static int drop_orphans(sqlite3 *db, void *unused)
{
	int rc;

	(void)db;
	(void)unused;
	rc = drop_each(ST_ALBUM_ORPHAN, &music_m.orphan_albums);
	return rc ? rc : drop_each(ST_ARTIST_ORPHAN, &music_m.orphan_artists);
}

/* A store that failed keeps the lists for the next time. */
int music_drop_orphans(sqlite3 *db, void *unused)
{
	int rc;

	(void)unused;
	if (!music_m.orphan_albums.nr && !music_m.orphan_artists.nr)
		return 0;
	rc = db_transaction(db, drop_orphans, NULL);
	if (!rc) {
		music_m.orphan_albums.nr = 0;
		music_m.orphan_artists.nr = 0;
	}
	return rc;
}

/* A new file's track is inserted (as id, a gone one's, unless 0); a known
 * file's track may exist and is then updated in place (ST_TRACK_UPSERT). */
static int apply_track(int which, const struct tags *t, int64_t file,
		       int64_t id)
{
	sqlite3_stmt *st = music_m.st[which];
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
	music_bind_text(st, 2, t->title);
	music_bind_int(st, 3, artist);
	music_bind_int(st, 4, album_artist);
	music_bind_int(st, 5, album);
	music_bind_int(st, 6, t->track);
	music_bind_int(st, 7, t->track_total);
	music_bind_int(st, 8, t->disc);
	music_bind_int(st, 9, t->disc_total);
	music_bind_int(st, 10, t->year);
	music_bind_text(st, 11, t->genre);
	db_bind_real_if(st, 12, t->duration_s > 0, t->duration_s);
	music_bind_text(st, 13, t->codec);
	music_bind_int(st, 14, t->bitrate_kbps);
	music_bind_int(st, 15, t->sample_rate);
	music_bind_int(st, 16, t->channels);
	sqlite3_bind_int(st, 17, !!t->has_picture);
	music_bind_text(st, 18, t->mb_track_id);
	music_bind_text(st, 19, t->mb_album_id);
	music_bind_text(st, 20, t->mb_artist_id);
	music_bind_text(st, 21, t->mb_album_artist_id);
	tags_sources(t, sources);
	music_bind_text(st, 22, sources);
	db_bind_real_if(st, 23, t->has_gain, t->gain_db);
	db_bind_real_if(st, 24, t->has_album_gain, t->album_gain_db);
	music_bind_int(st, 25, id);
	music_bind_int(st, 26, t->bit_depth);
	return music_step_id(which, &file);
}

/* A track added (its room made before: this cannot fail):
 * music_commit() gives it its search row and queues it for analysis. */
static void note_added(void)
{
	music_m.added.v[music_m.added.nr++] =
		sqlite3_last_insert_rowid(music_m.db);
}

/* An archive's ComicInfo.xml and pages: no row when it has neither. */
static int apply_comicinfo(const struct comicinfo *ci, int64_t file)
{
	int which = ci->found || ci->pages ? ST_CI_SET : ST_CI_DEL;
	sqlite3_stmt *st = music_m.st[which];
	int64_t none;

	sqlite3_bind_int64(st, 1, file);
	if (which == ST_CI_SET) {
		music_bind_text(st, 2, ci->series);
		sqlite3_bind_double(st, 3, ci->volume);
		sqlite3_bind_double(st, 4, ci->number);
		sqlite3_bind_int64(st, 5, (int64_t)ci->pages);
		music_bind_text(st, 6, ci->cover);
		music_bind_text(st, 7, ci->summary);
		music_bind_text(st, 8, ci->writer);
		music_bind_text(st, 9, ci->issued[0] ? ci->issued : NULL);
	}
	return music_step_id(which, &none);
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
	st = music_m.st[which];
	sqlite3_bind_int64(st, 1, file);
	if (found) {
		sqlite3_bind_int(st, 2, pic->type);
		sqlite3_bind_text(st, 3, pic->mime, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, pic->offset);
		sqlite3_bind_int64(st, 5, pic->length);
		sqlite3_bind_int(st, 6, pic->unsync);
	}
	return music_step_id(which, &none);
}

/*
 * The file id moves to the folder dir: the folder it leaves keeps no
 * digest, which described it with the file. A folder renamed away and
 * back while a scan walked would else match its digest again and be
 * taken as holding what the store has there: nothing, the file lost.
 */
static int dir_left(int64_t id, int64_t dir)
{
	sqlite3_stmt *st = music_m.st[ST_DIR_LEFT];
	int64_t none;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, dir);
	return music_step_id(ST_DIR_LEFT, &none);
}

/* Bind ?2 to ?6 and ?10, where a file is (its folder and its name
 * there) and what it looks like and whose it is, the same way for a new
 * file and a renamed one. */
static int bind_location(sqlite3_stmt *st, const struct music_rec *rec)
{
	size_t skip = name_start(rec);
	int64_t dir;
	int rc = dir_id(rec, &dir);

	if (!rc && rec->id)
		rc = dir_left(rec->id, dir);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 2, dir);
	sqlite3_bind_blob(st, 3, rec->path + skip, rec->path_len - skip,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, rec->size);
	sqlite3_bind_int64(st, 5, rec->mtime_ns);
	sqlite3_bind_int64(st, 6, rec->inode);
	sqlite3_bind_int64(st, 10, rec->uid);
	return 0;
}

/*
 * After a new file's row: in a bulk load the next file's id is counted
 * here, not read (the b-tree's last row and file_ids, 2.5% of a first
 * scan's time): each file the load adds takes the id after the one
 * before, which gone_take() may give back an older id, but file_ids
 * then keeps this one, and a file deleted meanwhile had an id below it.
 * A rollback forgets the count (music_forget()).
 */
static int next_file(const struct music_rec *rec, int64_t *file,
		     int64_t *track)
{
	if (music_m.counting)
		music_m.next_file = *file + 1;
	return rec->parsed ? gone_take(music_m.db, file, track) : 0;
}

/* A file the store does not have yet is inserted (a gone one's ids back,
 * gone.h); one it has (rec->id) is updated in place: its track keeps its id. */
static int apply_file(const struct music_rec *rec)
{
	int which = rec->id ? ST_FILE_UPDATE :
		music_m.counting && music_m.next_file ? ST_FILE_ADD_AT :
		ST_FILE_ADD;
	sqlite3_stmt *st = music_m.st[which];
	int64_t file = rec->id, none, track = 0;
	int rc, had;

	if (rec->parsed && id_room(&music_m.added))
		return log_error(-ENOMEM, "writer: out of memory at %.*s",
				 (int)rec->path_len, rec->path);
	had = rec->id ? note_refs(ST_TRACK_REFS, rec->id) : 0;
	rc = had < 0 ? had : bind_location(st, rec);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, rec->id ? rec->id : rec->root_id);
	sqlite3_bind_text(st, 7, rec->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, rec->parsed && rec->tags.tag_error);
	music_bind_text(st, 9, rec->parsed && rec->tags.tag_error ?
			rec->tags.error : NULL);
	db_bind_int64_if(st, 11, rec->has_crc, rec->crc);
	/* first_seen: SQLite's strftime() was 1% of a first scan's writer */
	if (!rec->id)
		sqlite3_bind_int64(st, 12, (int64_t)time(NULL));
	if (which == ST_FILE_ADD_AT)
		sqlite3_bind_int64(st, 13, music_m.next_file);
	if (rec->id)
		rc = music_step_id(which, &none);
	else if (!(rc = music_step_insert(which, &file)))
		rc = next_file(rec, &file, &track);
	if (!rc && !rec->id && music_m.counting)
		rc = music_count_file(rec->root_id);
	if (rc || !rec->parsed)
		return rc;
	if (!strcmp(rec->kind, "archive"))
		return apply_comicinfo(&rec->ci, file);
	rc = apply_track(rec->id ? ST_TRACK_UPSERT : ST_TRACK_ADD,
			 &rec->tags, file, track);
	if (rc)
		return rc;
	music_m.count[CT_TRACKS] += music_m.counting && !rec->id;
	if (!had)
		note_added();
	rc = gone_restore(music_m.db, track);
	return rc ? rc : apply_picture(rec, file);
}

static int apply_rename(const struct music_rec *rec)
{
	sqlite3_stmt *st = music_m.st[ST_FILE_RENAME];
	int64_t none;
	int rc;

	rc = bind_location(st, rec);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, rec->id);
	return music_step_id(ST_FILE_RENAME, &none);
}

void music_failed(const struct writer_rec *wr)
{
	const struct music_rec *rec = (const struct music_rec *)wr;
	size_t len = dir_len(rec);
	struct music_failed_dir *f;

	if (rec->op != MUSIC_FILE && rec->op != MUSIC_RENAME)
		return;
	f = array_grow(music_m.failed, music_m.nr_failed, &music_m.alloc_failed,
		       sizeof(*f), 8);
	if (!f) {
		music_m.no_digests = 1;
		return;
	}
	music_m.failed = f;
	f = &music_m.failed[music_m.nr_failed];
	f->path = strndup(rec->path, len);
	if (!f->path) {
		music_m.no_digests = 1;
		return;
	}
	f->root_id = rec->root_id;
	f->len = len;
	music_m.nr_failed++;
}

/* Whether a file record of the directory rec failed (the note is then
 * dropped: this record is the one it was for). */
static int dir_failed(const struct music_rec *rec)
{
	for (size_t i = 0; i < music_m.nr_failed; i++) {
		struct music_failed_dir *f = &music_m.failed[i];

		if (f->root_id == rec->root_id && f->len == rec->path_len &&
		    !memcmp(f->path, rec->path, f->len)) {
			free(f->path);
			*f = music_m.failed[--music_m.nr_failed];
			return 1;
		}
	}
	return 0;
}

static int apply_dir(const struct music_rec *rec)
{
	sqlite3_stmt *st = music_m.st[ST_DIR_SET];
	int keep = rec->has_digest && !dir_failed(rec) && !music_m.no_digests;
	int64_t id;
	int rc;

	sqlite3_bind_int64(st, 1, rec->root_id);
	sqlite3_bind_blob(st, 2, rec->path, rec->path_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, rec->mtime_ns);
	db_bind_int64_if(st, 4, keep, (int64_t)rec->digest);
	rc = music_step_id(ST_DIR_SET, &id);
	if (rc)
		return rc;
	/* A listing goes with a digest: without one, the next scan reads
	 * the folder anyway. A new folder has none to delete. */
	if (keep && rec->listing) {
		st = music_m.st[ST_LISTING_SET];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, rec->listing_ctime_ns);
		sqlite3_bind_int64(st, 3, rec->listing_inode);
		sqlite3_bind_blob(st, 4, rec->listing, rec->listing_len,
				  SQLITE_STATIC);
		return music_step_id(ST_LISTING_SET, &id);
	}
	if (rec->wr.bulk)
		return 0;
	sqlite3_bind_int64(music_m.st[ST_LISTING_DEL], 1, id);
	return music_step_id(ST_LISTING_DEL, &id);
}

/* Delete a file, or a directory and the files it holds, counting the
 * files in *rec->deleted. */
static int apply_delete(const struct music_rec *rec)
{
	int file = rec->op == MUSIC_DELETE_FILE;
	int64_t none;
	int rc;

	if (!file)
		music_name_cache_clear(&music_m.dirs);
	rc = note_refs(file ? ST_TRACK_REFS : ST_DIR_REFS, rec->id);
	rc = rc < 0 ? rc : gone_keep(music_m.db, !file, rec->id);
	if (rc)
		return rc;
	sqlite3_bind_int64(music_m.st[file ? ST_FILE_DELETE :
				      ST_DIR_FILES_DELETE], 1, rec->id);
	rc = music_step_id(file ? ST_FILE_DELETE : ST_DIR_FILES_DELETE, &none);
	if (rc)
		return rc;
	if (rec->deleted)
		__atomic_add_fetch(rec->deleted, sqlite3_changes(music_m.db),
				   __ATOMIC_RELAXED);
	if (file)
		return 0;
	sqlite3_bind_int64(music_m.st[ST_DIR_DELETE], 1, rec->id);
	return music_step_id(ST_DIR_DELETE, &none);
}

int music_apply(const struct writer_rec *wr)
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
