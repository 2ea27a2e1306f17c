/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tracks of the mount's playlists read from the store
 * (playlist_reads.h), on the calling thread's read connection. It writes
 * nothing and decides no name or line of a playlist.
 */
#include "indexer/analysis/playlist_reads.h"

#include <errno.h>
#include <stdlib.h>

#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/analysis/analysis_store.h"
#include "indexer/store/reader.h"

#define COLUMNS \
	"SELECT t.id, coalesce(a.name, ''), t.title, r.path, f.path," \
	" coalesce(t.duration_s, -1), l.loudness_lufs, t.file_id" \
	" FROM tracks t" \
	" JOIN file_paths f ON f.id = t.file_id" \
	" JOIN roots r ON r.id = f.root_id" \
	" LEFT JOIN artists a ON a.id = t.artist_id" \
	" LEFT JOIN analysis l ON l.track_id = t.id AND l.state = 'ok'"

/* Call fn with the row st stands on. */
static int row_track(sqlite3_stmt *st,
		     int (*fn)(void *arg, const struct playlist_track *t),
		     void *arg)
{
	struct strbuf path = STRBUF_INIT;
	struct playlist_track t = {
		.track = sqlite3_column_int64(st, 0),
		.artist = (const char *)sqlite3_column_text(st, 1),
		.title = (const char *)sqlite3_column_text(st, 2),
		.seconds = sqlite3_column_double(st, 5),
		.has_lufs = sqlite3_column_type(st, 6) != SQLITE_NULL,
		.lufs = sqlite3_column_double(st, 6),
		.file = sqlite3_column_int64(st, 7),
	};
	int rc;

	strbuf_add(&path, sqlite3_column_blob(st, 3),
		   sqlite3_column_bytes(st, 3));
	strbuf_addch(&path, '/');
	strbuf_add(&path, sqlite3_column_blob(st, 4),
		   sqlite3_column_bytes(st, 4));
	t.path = path.buf;
	if (!t.artist)
		t.artist = "";
	if (!t.title)
		t.title = "";
	rc = fn(arg, &t);
	strbuf_release(&path);
	return rc;
}

/* Step st to its end, fn on each row. */
static int each_row(sqlite3 *db, sqlite3_stmt *st, const char *what,
		    int (*fn)(void *arg, const struct playlist_track *t),
		    void *arg)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int stop = row_track(st, fn, arg);

		if (stop)
			return stop;
	}
	return rc == SQLITE_DONE ? 0 : db_error(db, rc, what);
}

#define ALBUM_ORDER \
	" ORDER BY coalesce(a.name, ''), t.album_id, t.disc_no, t.track_no," \
	" t.id LIMIT ?2"

/* Run sql (binding n to ?1 when n >= 0, or text when not NULL, and max
 * to ?2 when sql has it) and call fn on each row. */
static int query_by(const char *sql, int64_t n, const char *text,
		    int64_t max, const char *what,
		    int (*fn)(void *arg, const struct playlist_track *t),
		    void *arg)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	rc = db_prepare(db, sql, &st);
	if (!rc) {
		if (text)
			sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
		else if (n >= 0)
			sqlite3_bind_int64(st, 1, n);
		if (sqlite3_bind_parameter_count(st) >= 2)
			sqlite3_bind_int64(st, 2, max);
		rc = each_row(db, st, what, fn, arg);
		sqlite3_finalize(st);
	}
	reader_end(db);
	return rc;
}

int playlist_reads_analysed(int (*fn)(void *arg,
				      const struct playlist_track *t),
			    void *arg)
{
	return query_by(COLUMNS " JOIN analysis n ON n.track_id = t.id"
			" AND n.state = 'ok' ORDER BY t.id", -1, NULL, 0,
			"list analysed tracks", fn, arg);
}

int playlist_reads_recent(size_t max,
			  int (*fn)(void *arg, const struct playlist_track *t),
			  void *arg)
{
	return query_by(COLUMNS " JOIN files m ON m.id = t.file_id"
			" ORDER BY m.mtime_ns DESC, t.id LIMIT ?2", -1, NULL,
			(int64_t)max, "list recent tracks", fn, arg);
}

/* What decides which tracks a ranking may hold: may() on their files. */
struct keep {
	sqlite3 *db;
	sqlite3_stmt *path;
	int (*may)(const char *path);
};

static int keep_track(void *arg, int64_t id)
{
	struct keep *k = arg;
	struct strbuf path = STRBUF_INIT;
	int ok = 0;

	sqlite3_bind_int64(k->path, 1, id);
	if (sqlite3_step(k->path) == SQLITE_ROW) {
		strbuf_add(&path, sqlite3_column_blob(k->path, 0),
			   sqlite3_column_bytes(k->path, 0));
		strbuf_addch(&path, '/');
		strbuf_add(&path, sqlite3_column_blob(k->path, 1),
			   sqlite3_column_bytes(k->path, 1));
		ok = k->may(path.buf);
	}
	sqlite3_reset(k->path);
	strbuf_release(&path);
	return ok;
}

/* The up to max tracks most like track (among those may() passes when
 * may is given) into v; *n says how many. */
static int rank(sqlite3 *db, int64_t track, int (*may)(const char *path),
		int64_t *v, size_t max, size_t *n)
{
	struct keep k = { db, NULL, may };
	int rc = 0;

	if (may)
		rc = db_prepare(db, "SELECT r.path, f.path FROM tracks t"
				" JOIN file_paths f ON f.id = t.file_id"
				" JOIN roots r ON r.id = f.root_id"
				" WHERE t.id = ?1", &k.path);
	if (!rc)
		rc = analysis_store_similar(db, track, may ? keep_track : NULL,
					    &k, v, max, n);
	sqlite3_finalize(k.path);
	return rc;
}

int playlist_reads_similar(int64_t track, size_t max,
			   int (*may)(const char *path),
			   int (*fn)(void *arg,
				     const struct playlist_track *t),
			   void *arg)
{
	sqlite3 *db = reader_begin();
	struct strbuf ids = STRBUF_INIT;
	int64_t *v = malloc((max + 1) * sizeof(*v));
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int rc;

	if (!db || !v) {
		free(v);
		reader_end(db);
		return db ? log_error(-ENOMEM, "playlists: out of memory") :
			    -EIO;
	}
	v[0] = track;
	rc = rank(db, track, may, v + 1, max, &n);
	strbuf_addch(&ids, '[');
	for (size_t i = 0; !rc && i <= n; i++)
		strbuf_addf(&ids, "%s%lld", i ? "," : "", (long long)v[i]);
	strbuf_addch(&ids, ']');
	if (!rc)
		rc = db_prepare(db, COLUMNS " JOIN json_each(?1) j"
				" ON j.value = t.id ORDER BY j.key", &st);
	if (!rc) {
		sqlite3_bind_text(st, 1, ids.buf, ids.len, SQLITE_STATIC);
		rc = each_row(db, st, "list similar tracks", fn, arg);
		sqlite3_finalize(st);
	}
	strbuf_release(&ids);
	free(v);
	reader_end(db);
	return rc;
}

int playlist_reads_genre(const char *genre, size_t max,
			 int (*fn)(void *arg, const struct playlist_track *t),
			 void *arg)
{
	return query_by(COLUMNS " WHERE t.genre = ?1" ALBUM_ORDER, -1, genre,
			(int64_t)max, "list a genre's tracks", fn, arg);
}

int playlist_reads_decade(int64_t decade, size_t max,
			  int (*fn)(void *arg,
				    const struct playlist_track *t),
			  void *arg)
{
	return query_by(COLUMNS " WHERE t.year BETWEEN ?1 AND ?1 + 9"
			ALBUM_ORDER, decade, NULL, (int64_t)max,
			"list a decade's tracks", fn, arg);
}

int playlist_reads_genres(int (*fn)(void *arg, const char *genre,
				    int64_t track),
			  void *arg)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	rc = db_prepare(db, "SELECT genre, min(id) FROM tracks"
			" WHERE genre <> '' GROUP BY genre ORDER BY genre",
			&st);
	while (!rc) {
		int step = sqlite3_step(st);

		if (step != SQLITE_ROW) {
			if (step != SQLITE_DONE)
				rc = db_error(db, step, "list genres");
			break;
		}
		rc = fn(arg, (const char *)sqlite3_column_text(st, 0),
			sqlite3_column_int64(st, 1));
	}
	sqlite3_finalize(st);
	reader_end(db);
	return rc;
}

int playlist_reads_genre_of(int64_t track, struct strbuf *out)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	rc = db_prepare(db, "SELECT genre FROM tracks WHERE id = ?1"
			" AND genre <> ''", &st);
	if (!rc) {
		sqlite3_bind_int64(st, 1, track);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			strbuf_addstr(out,
				      (const char *)sqlite3_column_text(st, 0));
		rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT :
		     db_error(db, rc, "read a track's genre");
		sqlite3_finalize(st);
	}
	reader_end(db);
	return rc;
}

int playlist_reads_decades(int (*fn)(void *arg, int64_t decade), void *arg)
{
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	int rc;

	if (!db)
		return -EIO;
	rc = db_prepare(db, "SELECT DISTINCT year / 10 * 10 FROM tracks"
			" WHERE year > 0 ORDER BY 1", &st);
	while (!rc) {
		int step = sqlite3_step(st);

		if (step != SQLITE_ROW) {
			if (step != SQLITE_DONE)
				rc = db_error(db, step, "list decades");
			break;
		}
		rc = fn(arg, sqlite3_column_int64(st, 0));
	}
	sqlite3_finalize(st);
	reader_end(db);
	return rc;
}

struct dup_rows {
	sqlite3 *db;
	sqlite3_stmt *st;
	int group;
	int (*fn)(void *arg, int group, const struct playlist_track *t);
	void *arg;
};

static int dup_call(void *arg, const struct playlist_track *t)
{
	struct dup_rows *d = arg;

	return d->fn(d->arg, d->group, t);
}

static int dup_row(void *arg, int group, int64_t track_id)
{
	struct dup_rows *d = arg;
	int rc;

	d->group = group;
	sqlite3_bind_int64(d->st, 1, track_id);
	rc = each_row(d->db, d->st, "read a duplicate", dup_call, d);
	sqlite3_reset(d->st);
	return rc;
}

int playlist_reads_duplicates(int (*fn)(void *arg, int group,
					const struct playlist_track *t),
			      void *arg)
{
	struct dup_rows d = { .db = reader_begin(), .fn = fn, .arg = arg };
	int rc;

	if (!d.db)
		return -EIO;
	rc = db_prepare(d.db, COLUMNS " WHERE t.id = ?1", &d.st);
	if (!rc)
		rc = analysis_store_duplicates(d.db, dup_row, &d);
	sqlite3_finalize(d.st);
	reader_end(d.db);
	return rc;
}
