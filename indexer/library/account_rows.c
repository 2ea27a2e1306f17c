/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Subsonic accounts' own rows (account_rows.h): playlists,
 * bookmarks, play queues and ratings, written on the writer's connection
 * and read on the caller's. It owns the tables subsonic_playlists,
 * subsonic_playlist_songs, subsonic_bookmarks, subsonic_queues,
 * subsonic_queue_songs and subsonic_ratings, and must not judge what an
 * account may see (the API does, as the caller).
 */
#include "indexer/library/account_rows.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/db.h"
#include "common/log.h"
#include "indexer/store/reader.h"

static const char *const kinds[] = {
	[STARRED_SONG] = "song",
	[STARRED_ALBUM] = "album",
	[STARRED_ARTIST] = "artist",
};

/* Insert files[] as the songs of the list key (?1) into table, whose
 * key column is col, in place of those it held. */
static int put_files(sqlite3 *db, const char *table, const char *col,
		     struct db_arg key, const int64_t *files, size_t n)
{
	sqlite3_stmt *st = NULL;
	char sql[160];
	int rc;

	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ?1", table,
		 col);
	rc = db_run(db, "forget a list's songs", sql, &key, 1);
	snprintf(sql, sizeof(sql), "INSERT INTO %s (%s, pos, file_id)"
		 " VALUES (?1, ?2, ?3)", table, col);
	if (!rc)
		rc = db_prepare_bound(db, "keep a list's songs", sql, &key, 1,
				      &st);
	for (size_t i = 0; !rc && i < n; i++) {
		if (sqlite3_bind_int64(st, 2, (sqlite3_int64)i) ||
		    sqlite3_bind_int64(st, 3, files[i]))
			rc = db_error(db, SQLITE_ERROR, "bind a list's song");
		if (!rc)
			rc = db_step(st, "keep a list's song");
	}
	sqlite3_finalize(st);
	return rc;
}

/* A db_transaction() function: the change of a playlist. */
static int playlist_tx(sqlite3 *db, void *arg)
{
	struct account_playlist_change *c = arg;
	sqlite3_int64 owned = 0;
	int rc = 0;

	if (c->id)
		rc = db_one_int(db, "find a playlist", "SELECT count(*) FROM"
				" subsonic_playlists WHERE id = ?1 AND"
				" account = ?2", DB_ARGS(DB_INT(c->id),
				DB_TEXT(c->account)), &owned);
	if (!rc && c->id && !owned)
		return -ENOENT;
	if (!rc && c->remove)
		return db_run(db, "delete a playlist", "DELETE FROM"
			      " subsonic_playlists WHERE id = ?1",
			      DB_ARGS(DB_INT(c->id)));
	if (!rc && !c->id) {
		rc = db_run(db, "make a playlist", "INSERT INTO"
			    " subsonic_playlists (account, name, comment,"
			    " public, created, changed) VALUES (?1, ?2,"
			    " coalesce(?3, ''), max(?4, 0), ?5, ?5)",
			    DB_ARGS(DB_TEXT(c->account), DB_TEXT(c->name),
				    DB_TEXT(c->comment), DB_INT(c->is_public),
				    DB_REAL(c->at)));
		c->id = sqlite3_last_insert_rowid(db);
	} else if (!rc) {
		rc = db_run(db, "change a playlist", "UPDATE subsonic_playlists"
			    " SET name = coalesce(?2, name), comment ="
			    " coalesce(?3, comment), public = CASE WHEN ?4 < 0"
			    " THEN public ELSE ?4 END, changed = ?5"
			    " WHERE id = ?1", DB_ARGS(DB_INT(c->id),
			    DB_TEXT(c->name), DB_TEXT(c->comment),
			    DB_INT(c->is_public), DB_REAL(c->at)));
	}
	if (!rc && c->songs)
		rc = put_files(db, "subsonic_playlist_songs", "playlist_id",
			       DB_INT(c->id), c->files, c->nr_files);
	return rc;
}

int account_rows_playlist(sqlite3 *db, void *change)
{
	struct account_playlist_change *c = change;
	int64_t was = c->id;
	int rc = db_transaction(db, playlist_tx, change);

	if (rc)
		c->id = was;
	return rc;
}

int account_rows_bookmark(sqlite3 *db, void *arg)
{
	const struct account_bookmark *b = arg;

	if (b->remove)
		return db_run(db, "delete a bookmark", "DELETE FROM"
			      " subsonic_bookmarks WHERE account = ?1 AND"
			      " file_id = ?2", DB_ARGS(DB_TEXT(b->account),
			      DB_INT(b->file)));
	return db_run(db, "keep a bookmark", "INSERT INTO subsonic_bookmarks"
		      " (account, file_id, position, comment, created,"
		      " changed) VALUES (?1, ?2, ?3, coalesce(?4, ''), ?5, ?5)"
		      " ON CONFLICT (account, file_id) DO UPDATE SET"
		      " position = excluded.position,"
		      " comment = excluded.comment, changed = excluded.changed",
		      DB_ARGS(DB_TEXT(b->account), DB_INT(b->file),
			      DB_INT(b->position), DB_TEXT(b->comment),
			      DB_REAL(b->changed)));
}

static int queue_tx(sqlite3 *db, void *arg)
{
	const struct account_queue *q = arg;
	int rc = db_run(db, "keep a play queue", "INSERT OR REPLACE INTO"
			" subsonic_queues (account, current, position,"
			" changed, changed_by) VALUES (?1, ?2, ?3, ?4, ?5)",
			DB_ARGS(DB_TEXT(q->account),
				DB_INT_OR_NULL(q->current),
				DB_INT(q->position), DB_REAL(q->changed),
				DB_TEXT(q->changed_by ? q->changed_by : "")));

	if (!rc)
		rc = put_files(db, "subsonic_queue_songs", "account",
			       DB_TEXT(q->account), q->files, q->nr_files);
	return rc;
}

int account_rows_queue(sqlite3 *db, void *queue)
{
	return db_transaction(db, queue_tx, queue);
}

int account_rows_rating(sqlite3 *db, void *arg)
{
	const struct account_rating *r = arg;
	const struct db_arg args[] = {
		DB_TEXT(r->account), DB_TEXT(kinds[r->kind]),
		r->kind == STARRED_SONG ? DB_INT(r->file) : DB_TEXT(r->item),
		DB_INT(r->rating),
	};

	if (r->rating < 0 || r->rating > 5)
		return log_error(-EINVAL, "store: a rating of %d", r->rating);
	return db_run(db, "keep a rating", !r->rating ? "DELETE FROM"
		      " subsonic_ratings WHERE account = ?1 AND kind = ?2"
		      " AND item = ?3" : "INSERT INTO subsonic_ratings"
		      " (account, kind, item, rating) VALUES (?1, ?2, ?3, ?4)"
		      " ON CONFLICT DO UPDATE SET rating = excluded.rating",
		      args, r->rating ? 4 : 3);
}

/* A read: its parameters (an account ?1, an id ?2, a flag ?3) and what
 * it calls back. */
struct read {
	const char *account;
	int64_t id;
	int flag;
	void *fn;
	void *arg;
	int found;
};

static int bind_read(void *arg, sqlite3_stmt *st)
{
	struct read *r = arg;
	int rc = sqlite3_bind_parameter_count(st) >= 1 ?
		 db_bind_text(st, 1, r->account) : SQLITE_OK;

	if (rc == SQLITE_OK && sqlite3_bind_parameter_count(st) >= 2)
		rc = sqlite3_bind_int64(st, 2, r->id);
	if (rc == SQLITE_OK && sqlite3_bind_parameter_count(st) >= 3)
		rc = sqlite3_bind_int(st, 3, r->flag);
	return rc;
}

static const char *column_text(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? s : "";
}

static int each_playlist(void *arg, sqlite3_stmt *st)
{
	struct read *r = arg;
	int (*fn)(void *, const struct account_playlist *) = r->fn;
	struct account_playlist p = {
		.id = sqlite3_column_int64(st, 0),
		.account = column_text(st, 1),
		.name = column_text(st, 2), .comment = column_text(st, 3),
		.is_public = sqlite3_column_int(st, 4),
		.created = sqlite3_column_double(st, 5),
		.changed = sqlite3_column_double(st, 6),
	};

	r->found = 1;
	return fn(r->arg, &p);
}

#define PLAYLIST_COLUMNS "SELECT id, account, name, comment, public," \
	" created, changed FROM subsonic_playlists "

int account_rows_playlists_each(const char *account, int others,
				int (*fn)(void *arg,
					  const struct account_playlist *p),
				void *arg)
{
	struct read r = { account, 0, !!others, (void *)fn, arg, 0 };

	return reader_each_bound(PLAYLIST_COLUMNS "WHERE account = ?1 OR"
				 " (public AND ?3)"
				 " ORDER BY name, id", "read the playlists",
				 bind_read, each_playlist, &r);
}

int account_rows_playlist_get(int64_t id, const char *account,
			      int (*fn)(void *arg,
					const struct account_playlist *p),
			      void *arg)
{
	struct read r = { account, id, 0, (void *)fn, arg, 0 };
	int rc = reader_each_bound(PLAYLIST_COLUMNS "WHERE id = ?2 AND"
				   " (?1 IS NULL OR account = ?1 OR public)",
				   "read a playlist",
				   bind_read, each_playlist, &r);

	return rc ? rc : r.found;
}

/* Files being read into an array. */
struct files {
	int64_t *v;
	size_t nr, alloc;
};

static int each_file(void *arg, sqlite3_stmt *st)
{
	struct files *f = ((struct read *)arg)->arg;
	int64_t *grown = array_grow(f->v, f->nr, &f->alloc, sizeof(*f->v),
				    32);

	if (!grown)
		return -ENOMEM;
	f->v = grown;
	f->v[f->nr++] = sqlite3_column_int64(st, 0);
	return 0;
}

int account_rows_playlist_files(int64_t id, int64_t **files, size_t *nr)
{
	struct files f = { 0 };
	struct read r = { NULL, id, 0, NULL, &f, 0 };
	int rc = reader_each_bound("SELECT file_id FROM subsonic_playlist_songs"
				   " WHERE playlist_id = ?2 ORDER BY pos",
				   "read a playlist's songs", bind_read,
				   each_file, &r);

	if (rc) {
		free(f.v);
		f = (struct files){ 0 };
	}
	*files = f.v;
	*nr = f.nr;
	return rc;
}

static int each_bookmark(void *arg, sqlite3_stmt *st)
{
	struct read *r = arg;
	int (*fn)(void *, const struct account_bookmark *) = r->fn;
	struct account_bookmark b = {
		.account = r->account, .file = sqlite3_column_int64(st, 0),
		.position = sqlite3_column_int64(st, 1),
		.comment = column_text(st, 2),
		.created = sqlite3_column_double(st, 3),
		.changed = sqlite3_column_double(st, 4),
	};

	return fn(r->arg, &b);
}

int account_rows_bookmarks_each(const char *account,
				int (*fn)(void *arg,
					  const struct account_bookmark *b),
				void *arg)
{
	struct read r = { account, 0, 0, (void *)fn, arg, 0 };

	return reader_each_bound("SELECT file_id, position, comment, created,"
				 " changed FROM subsonic_bookmarks"
				 " WHERE account = ?1 ORDER BY changed DESC,"
				 " file_id", "read the bookmarks", bind_read,
				 each_bookmark, &r);
}

/* A queue being read: its header's row, then its songs. */
struct queue_read {
	struct account_queue q;
	char *changed_by;
	struct files files;
};

static int queue_head(void *arg, sqlite3_stmt *st)
{
	struct read *r = arg;
	struct queue_read *qr = r->arg;

	qr->q.current = sqlite3_column_int64(st, 0);
	qr->q.position = sqlite3_column_int64(st, 1);
	qr->q.changed = sqlite3_column_double(st, 2);
	qr->changed_by = strdup(column_text(st, 3));
	r->found = 1;
	return qr->changed_by ? 0 : -ENOMEM;
}

int account_rows_queue_get(const char *account,
			   int (*fn)(void *arg,
				     const struct account_queue *q),
			   void *arg)
{
	struct queue_read qr = { .q = { .account = account } };
	struct read r = { account, 0, 0, NULL, &qr, 0 };
	int rc = reader_hold();

	if (rc)
		return rc;
	rc = reader_each_bound("SELECT coalesce(current, 0), position,"
			       " changed, changed_by FROM subsonic_queues"
			       " WHERE account = ?1", "read a play queue",
			       bind_read, queue_head, &r);
	r.arg = &qr.files;
	if (!rc && r.found)
		rc = reader_each_bound("SELECT file_id FROM"
				       " subsonic_queue_songs WHERE"
				       " account = ?1 ORDER BY pos",
				       "read a play queue's songs", bind_read,
				       each_file, &r);
	reader_release();
	qr.q.changed_by = qr.changed_by;
	qr.q.files = qr.files.v;
	qr.q.nr_files = qr.files.nr;
	if (!rc && r.found)
		rc = fn(arg, &qr.q);
	free(qr.changed_by);
	free(qr.files.v);
	return rc ? rc : r.found;
}

static int each_rating(void *arg, sqlite3_stmt *st)
{
	struct read *r = arg;
	int (*fn)(void *, const struct account_rating *) = r->fn;
	const char *kind = column_text(st, 0);
	struct account_rating x = {
		.account = r->account, .rating = sqlite3_column_int(st, 2),
	};

	for (int k = STARRED_SONG; k <= STARRED_ARTIST; k++) {
		if (strcmp(kind, kinds[k]))
			continue;
		x.kind = k;
		if (k == STARRED_SONG)
			x.file = sqlite3_column_int64(st, 1);
		else
			x.item = column_text(st, 1);
		return fn(r->arg, &x);
	}
	return 0;
}

int account_rows_ratings_each(const char *account,
			      int (*fn)(void *arg,
					const struct account_rating *r),
			      void *arg)
{
	struct read r = { account, 0, 0, (void *)fn, arg, 0 };

	return reader_each_bound("SELECT kind, item, rating FROM"
				 " subsonic_ratings WHERE account = ?1",
				 "read the ratings", bind_read, each_rating,
				 &r);
}
