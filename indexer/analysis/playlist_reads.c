/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tracks of the mount's playlists read from the store
 * (playlist_reads.h), on the calling thread's read connection. It writes
 * nothing and decides no name or line of a playlist.
 */
#include "indexer/analysis/playlist_reads.h"

#include <errno.h>

#include "common/db.h"
#include "common/strbuf.h"
#include "indexer/analysis/analysis_store.h"
#include "indexer/store/reader.h"

#define COLUMNS \
	"SELECT t.id, coalesce(a.name, ''), t.title, r.path, f.path," \
	" coalesce(t.duration_s, -1), l.loudness_lufs, t.file_id," \
	" l.vector" \
	" FROM tracks t" \
	" JOIN file_paths f ON f.id = t.file_id" \
	" JOIN roots r ON r.id = f.root_id" \
	" LEFT JOIN artists a ON a.id = t.artist_id" \
	" LEFT JOIN analysis l ON l.track_id = t.id AND l.state = 'ok'"

/* A query's parameters and what takes its rows. */
struct query {
	int64_t n;		/* bound to ?1 when >= 0 */
	const char *text;	/* bound to ?1 instead when not NULL */
	int64_t max;		/* bound to ?2 when the query has it */
	int (*fn)(void *arg, const struct playlist_track *t);
	void *arg;
};

static int bind_query(void *arg, sqlite3_stmt *st)
{
	const struct query *q = arg;
	int rc = SQLITE_OK;

	if (q->text)
		rc = sqlite3_bind_text(st, 1, q->text, -1, SQLITE_STATIC);
	else if (q->n >= 0)
		rc = sqlite3_bind_int64(st, 1, q->n);
	if (!rc && sqlite3_bind_parameter_count(st) >= 2)
		rc = sqlite3_bind_int64(st, 2, q->max);
	return rc;
}

/* The absolute path of the row st stands on, from its columns i (the
 * root's) and i + 1 (the file's in it), into path. */
static void row_path(sqlite3_stmt *st, int i, struct strbuf *path)
{
	strbuf_add(path, sqlite3_column_blob(st, i),
		   sqlite3_column_bytes(st, i));
	strbuf_addch(path, '/');
	strbuf_add(path, sqlite3_column_blob(st, i + 1),
		   sqlite3_column_bytes(st, i + 1));
}

/* Call q's fn with the track of the row st stands on (COLUMNS). */
static int track_row(void *arg, sqlite3_stmt *st)
{
	const struct query *q = arg;
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

	row_path(st, 3, &path);
	t.path = path.buf;
	if (sqlite3_column_bytes(st, 8) == ANALYSIS_VECTOR_LEN *
	    (int)sizeof(float))
		t.vector = sqlite3_column_blob(st, 8);
	if (!t.artist)
		t.artist = "";
	if (!t.title)
		t.title = "";
	rc = q->fn(q->arg, &t);
	strbuf_release(&path);
	return rc;
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
	struct query q = { n, text, max, fn, arg };

	return reader_each_bound(sql, what, bind_query, track_row, &q);
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
struct rank_filter {
	sqlite3 *db;
	sqlite3_stmt *path;
	int (*may)(const char *path);
};

static int keep_track(void *arg, int64_t id)
{
	struct rank_filter *k = arg;
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
	struct rank_filter k = { db, NULL, may };
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

int playlist_reads_rank(int64_t track, size_t max,
			int (*may)(const char *path), int64_t *ids,
			size_t *n)
{
	sqlite3 *db = reader_begin();
	int rc;

	if (!db)
		return -EIO;
	ids[0] = track;
	rc = rank(db, track, may, ids + 1, max, n);
	*n = rc ? 0 : *n + 1;
	reader_end(db);
	return rc;
}

int playlist_reads_tracks(const int64_t *ids, size_t n,
			  int (*fn)(void *arg,
				    const struct playlist_track *t),
			  void *arg)
{
	struct strbuf list = STRBUF_INIT;
	int rc;

	strbuf_addch(&list, '[');
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&list, "%s%lld", i ? "," : "", (long long)ids[i]);
	strbuf_addch(&list, ']');
	rc = query_by(COLUMNS " JOIN json_each(?1) j ON j.value = t.id"
		      " JOIN analysis n ON n.track_id = t.id"
		      " AND n.state = 'ok' ORDER BY j.key", -1, list.buf, 0,
		      "list similar tracks", fn, arg);
	strbuf_release(&list);
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

/* What takes the rows of a list of genres or decades. */
struct name_rows {
	int (*genre)(void *arg, const char *genre, int64_t track,
		     const char *path);
	int (*decade)(void *arg, int64_t decade, const char *path);
	void *arg;
};

static int genre_row(void *arg, sqlite3_stmt *st)
{
	const struct name_rows *l = arg;
	struct strbuf path = STRBUF_INIT;
	int rc;

	row_path(st, 2, &path);
	rc = l->genre(l->arg, (const char *)sqlite3_column_text(st, 0),
		      sqlite3_column_int64(st, 1), path.buf);
	strbuf_release(&path);
	return rc;
}

/* The least track id of each genre (or of each genre in each folder),
 * with its file's path. */
#define GENRES(by) \
	"SELECT t.genre, min(t.id), r.path, f.path FROM tracks t" \
	" JOIN file_paths f ON f.id = t.file_id" \
	" JOIN roots r ON r.id = f.root_id WHERE t.genre <> ''" \
	" GROUP BY t.genre" by " ORDER BY t.genre"

int playlist_reads_genres(int per_folder,
			  int (*fn)(void *arg, const char *genre,
				    int64_t track, const char *path),
			  void *arg)
{
	struct name_rows l = { .genre = fn, .arg = arg };

	return reader_each(per_folder ? GENRES(", f.dir_id") : GENRES(""),
			   "list genres", genre_row, &l);
}

static int genre_of_row(void *arg, sqlite3_stmt *st)
{
	const struct query *q = arg;

	strbuf_addstr(q->arg, (const char *)sqlite3_column_text(st, 0));
	return 0;
}

int playlist_reads_genre_of(int64_t track, struct strbuf *out)
{
	struct query q = { .n = track, .arg = out };
	size_t len = out->len;
	int rc = reader_each_bound("SELECT genre FROM tracks WHERE id = ?1"
				   " AND genre <> ''", "read a track's genre",
				   bind_query, genre_of_row, &q);

	return rc ? rc : out->len > len ? 0 : -ENOENT;
}

static int decade_row(void *arg, sqlite3_stmt *st)
{
	const struct name_rows *l = arg;
	struct strbuf path = STRBUF_INIT;
	int rc;

	row_path(st, 1, &path);
	rc = l->decade(l->arg, sqlite3_column_int64(st, 0), path.buf);
	strbuf_release(&path);
	return rc;
}

int playlist_reads_decades(int (*fn)(void *arg, int64_t decade,
				     const char *path),
			   void *arg)
{
	struct name_rows l = { .decade = fn, .arg = arg };

	return reader_each("SELECT t.year / 10 * 10, r.path, f.path"
			   " FROM tracks t JOIN file_paths f"
			   " ON f.id = t.file_id JOIN roots r"
			   " ON r.id = f.root_id WHERE t.year > 0"
			   " GROUP BY 1, f.dir_id ORDER BY 1", "list decades",
			   decade_row, &l);
}

struct dup_rows {
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

	d->group = group;
	return query_by(COLUMNS " WHERE t.id = ?1", track_id, NULL, 0,
			"read a duplicate", dup_call, d);
}

int playlist_reads_duplicates(int (*fn)(void *arg, int group,
					const struct playlist_track *t),
			      void *arg)
{
	struct dup_rows d = { .fn = fn, .arg = arg };

	return READER_WITH(db, analysis_store_duplicates(db, dup_row, &d));
}

struct times {
	int (*fn)(void *arg, const struct playlist_time *t);
	void *arg;
};

static int time_row(void *arg, sqlite3_stmt *st)
{
	const struct times *l = arg;
	struct playlist_time t = {
		.key = (uint64_t)sqlite3_column_int64(st, 0),
		.content = (uint64_t)sqlite3_column_int64(st, 1),
		.len = sqlite3_column_int64(st, 2),
		.at_ns = sqlite3_column_int64(st, 3),
	};

	return l->fn(l->arg, &t);
}

int playlist_reads_times(int (*fn)(void *arg, const struct playlist_time *t),
			 void *arg)
{
	struct times l = { fn, arg };

	return reader_each("SELECT key, content, len, at_ns FROM"
			   " playlist_times ORDER BY key",
			   "read playlist times", time_row, &l);
}
