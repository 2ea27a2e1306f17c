/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The stars and plays of the Subsonic accounts (starred.h): their rows
 * written on the writer's connection and read on the caller's. It owns
 * the subsonic_stars and subsonic_plays tables and must not judge what
 * an account may see (the API does, as the caller).
 */
#include "indexer/library/starred.h"

#include <string.h>

#include "common/db.h"
#include "indexer/store/reader.h"

static const char *const kinds[] = {
	[STARRED_SONG] = "song",
	[STARRED_ALBUM] = "album",
	[STARRED_ARTIST] = "artist",
};

/* A star's item is a file id for a song, a text id otherwise; ?4, its
 * time, is only the INSERTs'. */
int starred_write(sqlite3 *db, void *arg)
{
	const struct starred_change *c = arg;
	const struct db_arg args[] = {
		DB_TEXT(c->account), DB_TEXT(kinds[c->kind]),
		c->kind == STARRED_SONG ? DB_INT(c->file) : DB_TEXT(c->item),
		DB_REAL(c->at),
	};

	return db_run(db, "keep a star", !c->on ? "DELETE FROM subsonic_stars"
		      " WHERE account = ?1 AND kind = ?2 AND item = ?3" :
		      c->kind == STARRED_SONG ?
		      "INSERT INTO subsonic_stars (account, kind, item,"
		      " starred_at) SELECT ?1, ?2, ?3, ?4 WHERE EXISTS"
		      " (SELECT 1 FROM files WHERE id = ?3)"
		      " ON CONFLICT DO NOTHING" :
		      "INSERT INTO subsonic_stars (account, kind, item,"
		      " starred_at) VALUES (?1, ?2, ?3, ?4)"
		      " ON CONFLICT DO NOTHING", args, c->on ? 4 : 3);
}

int starred_play(sqlite3 *db, void *arg)
{
	const struct starred_play *p = arg;

	return db_run(db, "count a play",
		      "INSERT INTO subsonic_plays (account,"
		      " file_id, count, played_at) SELECT ?1, ?2, 1, ?3"
		      " WHERE EXISTS (SELECT 1 FROM files WHERE id = ?2)"
		      " ON CONFLICT (account, file_id) DO UPDATE SET"
		      " count = count + 1,"
		      " played_at = max(played_at, excluded.played_at)",
		      DB_ARGS(DB_TEXT(p->account), DB_INT(p->file),
			      DB_REAL(p->at)));
}

static int bind_account(void *arg, sqlite3_stmt *st)
{
	return db_bind_text(st, 1, *(const char **)arg);
}

/* What a read of the stars calls back. */
struct stars_read {
	const char *account;	/* first: bind_account() reads it */
	int (*fn)(void *arg, enum starred_kind kind, int64_t file,
		  const char *item, double at);
	void *arg;
};

static int each_star(void *arg, sqlite3_stmt *st)
{
	struct stars_read *r = arg;
	const char *kind = (const char *)sqlite3_column_text(st, 0);

	for (int k = STARRED_SONG; kind && k <= STARRED_ARTIST; k++)
		if (!strcmp(kind, kinds[k]))
			return r->fn(r->arg, k, k == STARRED_SONG ?
				     sqlite3_column_int64(st, 1) : 0,
				     k == STARRED_SONG ? NULL :
				     (const char *)sqlite3_column_text(st, 1),
				     sqlite3_column_double(st, 2));
	return 0;
}

int starred_each(const char *account,
		 int (*fn)(void *arg, enum starred_kind kind, int64_t file,
			   const char *item, double at),
		 void *arg)
{
	struct stars_read r = { account, fn, arg };

	return reader_each_bound("SELECT kind, item, starred_at FROM"
				 " subsonic_stars WHERE account = ?1"
				 " ORDER BY starred_at, kind, item",
				 "read the stars", bind_account, each_star,
				 &r);
}

/* What a read of the plays calls back. */
struct plays_read {
	const char *account;	/* first: bind_account() reads it */
	int (*fn)(void *arg, int64_t file, int64_t count, double played);
	void *arg;
};

static int each_play(void *arg, sqlite3_stmt *st)
{
	struct plays_read *r = arg;

	return r->fn(r->arg, sqlite3_column_int64(st, 0),
		     sqlite3_column_int64(st, 1),
		     sqlite3_column_double(st, 2));
}

int starred_plays_each(const char *account,
		       int (*fn)(void *arg, int64_t file, int64_t count,
				 double played),
		       void *arg)
{
	struct plays_read r = { account, fn, arg };

	return reader_each_bound("SELECT file_id, count, played_at FROM"
				 " subsonic_plays WHERE account = ?1",
				 "read the plays", bind_account, each_play,
				 &r);
}
