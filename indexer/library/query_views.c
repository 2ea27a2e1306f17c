/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The library views' listings read from the store (query_views.h):
 * levels, folders, tracks, search and paths. It groups and orders;
 * names and what a caller may see are the mount's.
 */
#include "indexer/library/query_views.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/strbuf.h"
#include "indexer/store/reader.h"
#include "indexer/analysis/similar.h"

/* How a level groups tracks: by up to two key expressions, named after
 * two label columns (aggregates allowed), with the file of one of its
 * tracks. A label of max() comes with the file of a track that gives
 * it: SQLite takes a bare column from the row max() picks, when max() is
 * the only aggregate. */
static const struct {
	const char *key[2];
	const char *label[2];
	const char *file;	/* NULL: min(t.file_id) */
} levels[] = {
	[QUERY_BY_ARTIST] = { { "t.album_artist_id" }, { "aa.name", "NULL" },
			      NULL },
	[QUERY_BY_ALBUM_YEAR] = { { "t.album_id" },
				  { "al.title", "max(t.year)" }, "t.file_id" },
	[QUERY_BY_ALBUM_ARTIST] = { { "t.album_id", "t.album_artist_id" },
				    { "al.title", "aa.name" }, NULL },
	[QUERY_BY_GENRE] = { { "t.genre" }, { "t.genre", "NULL" }, NULL },
	[QUERY_BY_YEAR] = { { "t.year" }, { "t.year", "NULL" }, NULL },
	[QUERY_BY_ARTIST_ALBUM] = { { "t.album_id", "t.album_artist_id" },
				    { "aa.name", "al.title" }, NULL },
};

/* The tracks with their labels; every track has its file (a foreign key
 * the connection enforces), so the folders need not join it. */
#define TRACKS_FROM \
	" FROM tracks t LEFT JOIN albums al ON al.id = t.album_id" \
	" LEFT JOIN artists aa ON aa.id = t.album_artist_id"

#define TRACK_COLUMNS \
	"SELECT t.file_id, t.track_no, t.disc_no, t.disc_total, t.title," \
	" f.path, r.path"
#define TRACK_ROOT " JOIN roots r ON r.id = f.root_id"

int query_key_copy(struct query_key *dst, const struct query_key *src)
{
	*dst = *src;
	if (src->type != QUERY_KEY_TEXT)
		return 0;
	dst->text = malloc(src->len + 1);
	if (!dst->text) {
		dst->type = QUERY_KEY_NULL;
		return -ENOMEM;
	}
	memcpy(dst->text, src->text, src->len);
	dst->text[src->len] = '\0';
	return 0;
}

void query_key_clear(struct query_key *k)
{
	if (k->type == QUERY_KEY_TEXT)
		free(k->text);
	*k = (struct query_key){ .type = QUERY_KEY_NULL };
}

int query_begin(void)
{
	return reader_begin() ? 0 : -EIO;
}

void query_end(void)
{
	reader_end(reader_db());
}

/* A column as a key that borrows the row's text. */
static void column_key(sqlite3_stmt *st, int col, struct query_key *k)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_INTEGER:
		*k = (struct query_key){ .type = QUERY_KEY_INT,
					 .n = sqlite3_column_int64(st, col) };
		break;
	case SQLITE_FLOAT:
		*k = (struct query_key){ .type = QUERY_KEY_REAL,
					 .d = sqlite3_column_double(st, col) };
		break;
	case SQLITE_NULL:
		*k = (struct query_key){ .type = QUERY_KEY_NULL };
		break;
	default:
		*k = (struct query_key){
			.type = QUERY_KEY_TEXT,
			.text = (char *)sqlite3_column_text(st, col),
			.len = sqlite3_column_bytes(st, col),
		};
	}
}

static void bind_key(sqlite3_stmt *st, int i, const struct query_key *k)
{
	switch (k->type) {
	case QUERY_KEY_INT:
		sqlite3_bind_int64(st, i, k->n);
		break;
	case QUERY_KEY_REAL:
		sqlite3_bind_double(st, i, k->d);
		break;
	case QUERY_KEY_TEXT:
		sqlite3_bind_text(st, i, k->text, k->len, SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(st, i);
	}
}

/* The keys of a folder's ancestors and its own are ?1, ?2, ... in the
 * order of the levels, as add_where() writes them. */
static void bind_at(sqlite3_stmt *st, const struct query_at *at)
{
	for (int i = 0; i < at->nkeys; i++)
		bind_key(st, i + 1, &at->keys[i]);
}

/* The WHERE clause that keeps the tracks under the folder at. */
static void add_where(struct strbuf *sql, const struct query_at *at)
{
	int n = 0;

	strbuf_addstr(sql, " WHERE 1");
	for (int d = 0; n < at->nkeys && d < at->depth; d++) {
		const char *const *key = levels[at->levels[d]].key;

		for (int k = 0; k < 2 && key[k]; k++)
			strbuf_addf(sql, " AND %s IS ?%d", key[k], ++n);
	}
}

/* This thread's statement for sql, kept from one folder to the next (a
 * walk asks the same few queries thousands of times), with the keys of
 * at bound when at is not NULL. Give it back with reader_done(). */
static int prepare(const char *sql, const char *what,
		   const struct query_at *at, sqlite3_stmt **st)
{
	int rc = reader_prepare(sql, what, st);

	if (!rc && at)
		bind_at(*st, at);
	return rc;
}

int query_view_groups(const struct query_at *at, enum query_level level,
		      int (*fn)(void *arg, const struct query_group *g),
		      void *arg)
{
	struct strbuf sql = STRBUF_INIT, keys = STRBUF_INIT;
	int nkeys = levels[level].key[1] ? 2 : 1;
	sqlite3_stmt *st;
	int rc;

	strbuf_addstr(&keys, levels[level].key[0]);
	if (nkeys > 1)
		strbuf_addf(&keys, ", %s", levels[level].key[1]);
	strbuf_addf(&sql, "SELECT %s, %s, %s, %s" TRACKS_FROM,
		    keys.buf, levels[level].label[0], levels[level].label[1],
		    levels[level].file ? levels[level].file :
		    "min(t.file_id)");
	add_where(&sql, at);
	strbuf_addf(&sql, " GROUP BY %s ORDER BY %s", keys.buf, keys.buf);
	rc = prepare(sql.buf, "list view folder", at, &st);
	strbuf_release(&sql);
	strbuf_release(&keys);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct query_group g = { .nkeys = nkeys };
		int stop;

		for (int k = 0; k < nkeys; k++)
			column_key(st, k, &g.key[k]);
		for (int i = 0; i < 2; i++) {
			g.label[i] = (const char *)sqlite3_column_text(
				st, nkeys + i);
			g.label_len[i] = sqlite3_column_bytes(st, nkeys + i);
		}
		g.file = sqlite3_column_int64(st, nkeys + 2);
		g.file_decides = levels[level].file &&
				 sqlite3_column_type(st, nkeys + 1) !=
				 SQLITE_NULL;
		stop = fn(arg, &g);
		if (stop) {
			rc = stop;
			break;
		}
	}
	return reader_finish(st, rc, "list view folder");
}

/* Hand each track of st (TRACK_COLUMNS) to fn. */
static int each_track(sqlite3_stmt *st, const char *what,
		      int (*fn)(void *arg, const struct query_track *t),
		      void *arg)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct query_track t = {
			.file = sqlite3_column_int64(st, 0),
			.track = sqlite3_column_int(st, 1),
			.disc = sqlite3_column_int(st, 2),
			.disc_total = sqlite3_column_int(st, 3),
			.title = sqlite3_column_blob(st, 4),
			.title_len = sqlite3_column_bytes(st, 4),
			.path = sqlite3_column_blob(st, 5),
			.path_len = sqlite3_column_bytes(st, 5),
			.root = (const char *)sqlite3_column_text(st, 6),
		};
		int stop = fn(arg, &t);

		if (stop) {
			rc = stop;
			break;
		}
	}
	return reader_finish(st, rc, what);
}

int query_view_tracks(const struct query_at *at,
		      int (*fn)(void *arg, const struct query_track *t),
		      void *arg)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	/* The keys are all the tracks' own: no label to join. */
	strbuf_addstr(&sql, TRACK_COLUMNS " FROM tracks t"
		      " JOIN file_paths f ON f.id = t.file_id" TRACK_ROOT);
	add_where(&sql, at);
	strbuf_addstr(&sql, " ORDER BY t.disc_no, t.track_no, t.id");
	rc = prepare(sql.buf, "list tracks", at, &st);
	strbuf_release(&sql);
	return rc ? rc : each_track(st, "list tracks", fn, arg);
}

int query_view_dirs(const struct query_at *at, int64_t *dirs, size_t max,
		    size_t *nr)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	*nr = 0;
	strbuf_addstr(&sql, "SELECT DISTINCT f.dir_id FROM tracks t"
		      " JOIN files f ON f.id = t.file_id");
	add_where(&sql, at);
	strbuf_addf(&sql, " LIMIT %zu", max);
	rc = prepare(sql.buf, "list artist folders", at, &st);
	strbuf_release(&sql);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		dirs[(*nr)++] = sqlite3_column_int64(st, 0);
	return reader_finish(st, rc, "list artist folders");
}

/* Every word of the query as the start of a word of the track, each
 * quoted so that nothing the user types is FTS5 syntax. */
static void search_expr(const char *query, struct strbuf *q)
{
	const char *s = query;

	while (*s) {
		size_t len = strcspn(s, " \t");

		if (len) {
			if (q->len)
				strbuf_addch(q, ' ');
			db_fts_string(q, s, len);
			strbuf_addch(q, '*');
		}
		s += len;
		s += strspn(s, " \t");
	}
}

static int track_may(void *arg, int64_t id);

/* The ids of the at most max tracks the FTS5 expression fts ranks best
 * among those whose file may(path) passes, as a JSON array into ids. */
static int ranked_readable(const char *fts, int max,
			   int (*may)(const char *path), struct strbuf *ids)
{
	sqlite3_stmt *st;
	int n = 0, rc = prepare("SELECT rowid FROM tracks_fts WHERE tracks_fts"
				" MATCH ?1 ORDER BY rank", "search tracks",
				NULL, &st);

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, fts, -1, SQLITE_STATIC);
	strbuf_addch(ids, '[');
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (track_may(&may, id))
			strbuf_addf(ids, "%s%lld", n++ ? "," : "",
				    (long long)id);
	}
	strbuf_addch(ids, ']');
	return reader_finish(st, n == max ? SQLITE_DONE : rc,
			     "search tracks");
}

int query_search_tracks(const char *query, int max,
			int (*may)(const char *path),
			int (*fn)(void *arg, const struct query_track *t),
			void *arg)
{
	struct strbuf q = STRBUF_INIT, ids = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	search_expr(query, &q);
	if (!q.len)
		return 0;
	rc = may ? ranked_readable(q.buf, max, may, &ids) : 0;
	if (!rc)
		rc = prepare(may ? TRACK_COLUMNS " FROM json_each(?1) j"
			     " JOIN tracks t ON t.id = j.value"
			     " JOIN file_paths f ON f.id = t.file_id" TRACK_ROOT
			     " ORDER BY t.id" :
			     TRACK_COLUMNS " FROM (SELECT rowid AS id FROM"
			     " tracks_fts WHERE tracks_fts MATCH ?1"
			     " ORDER BY rank LIMIT ?2) m"
			     " JOIN tracks t ON t.id = m.id"
			     " JOIN file_paths f ON f.id = t.file_id" TRACK_ROOT
			     " ORDER BY t.id", "search tracks", NULL, &st);
	if (!rc) {
		sqlite3_bind_text(st, 1, may ? ids.buf : q.buf,
				  may ? ids.len : q.len, SQLITE_STATIC);
		if (!may)
			sqlite3_bind_int(st, 2, max);
		rc = each_track(st, "search tracks", fn, arg);
	}
	strbuf_release(&q);
	strbuf_release(&ids);
	return rc;
}

static int root_path(const char *sql, int64_t id, const char *what,
		     struct strbuf *out);

#define TRACK_PATH "SELECT r.path, f.path FROM tracks t" \
	" JOIN file_paths f ON f.id = t.file_id" \
	" JOIN roots r ON r.id = f.root_id WHERE t.id = ?1"

/* Whether may() passes the file on disk of the track id. */
static int track_may(void *arg, int64_t id)
{
	int (*may)(const char *path) = *(int (**)(const char *))arg;
	struct strbuf path = STRBUF_INIT;
	int ok = !root_path(TRACK_PATH, id, "find a track's file", &path) &&
		 may(path.buf);

	strbuf_release(&path);
	return ok;
}

int query_similar_tracks(const char *query, int (*may)(const char *path),
			 struct strbuf *best,
			 int (*fn)(void *arg, const struct query_track *t),
			 void *arg)
{
	struct strbuf q = STRBUF_INIT, ids = STRBUF_INIT;
	sqlite3 *db = reader_db();
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if (!db)
		return -EIO;
	search_expr(query, &q);
	rc = q.len ? similar_find(db, q.buf, may ? track_may : NULL, &may,
				  &id, &ids) : 0;
	if (!rc && id)
		rc = root_path(TRACK_PATH, id, "find the best match", best);
	if (!rc && ids.len)
		rc = prepare(TRACK_COLUMNS " FROM json_each(?1) j"
			     " JOIN tracks t ON t.id = j.value"
			     " JOIN file_paths f ON f.id = t.file_id" TRACK_ROOT
			     " ORDER BY j.key", "list similar tracks", NULL,
			     &st);
	if (!rc && ids.len) {
		sqlite3_bind_text(st, 1, ids.buf, ids.len, SQLITE_STATIC);
		rc = each_track(st, "list similar tracks", fn, arg);
	}
	strbuf_release(&q);
	strbuf_release(&ids);
	return rc;
}

/* Append the root and the path of the one row sql (a root's path, and a
 * path relative to it) finds for id, joined, to out. */
static int root_path(const char *sql, int64_t id, const char *what,
		     struct strbuf *out)
{
	sqlite3_stmt *st;
	int rc;

	rc = prepare(sql, what, NULL, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		strbuf_add(out, sqlite3_column_blob(st, 0),
			   sqlite3_column_bytes(st, 0));
		strbuf_addch(out, '/');
		strbuf_add(out, sqlite3_column_blob(st, 1),
			   sqlite3_column_bytes(st, 1));
		rc = SQLITE_DONE;
	} else if (rc == SQLITE_DONE) {
		rc = -ENOENT;
	}
	return reader_finish(st, rc, what);
}

int query_file_path(int64_t file, struct strbuf *out)
{
	return root_path("SELECT r.path, f.path FROM file_paths f"
			 " JOIN roots r ON r.id = f.root_id WHERE f.id = ?1",
			 file, "find real file", out);
}

int query_series_folder(int64_t series, struct strbuf *out)
{
	return root_path("SELECT r.path, s.path FROM series s"
			 " JOIN roots r ON r.id = s.root_id WHERE s.id = ?1",
			 series, "find series folder", out);
}

int query_files_total(const char *ids, int64_t *bytes, int64_t *newest_ns)
{
	const char *what = "sum a folder's files";
	sqlite3_stmt *st;
	int rc;

	*bytes = *newest_ns = 0;
	/* a file listed twice (an album's cover, its artist's) counts
	 * once */
	rc = prepare("SELECT coalesce(sum(size), 0), max(mtime_ns) FROM"
		     " files WHERE id IN (SELECT value FROM json_each(?1))",
		     what, NULL, &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, ids, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*bytes = sqlite3_column_int64(st, 0);
		*newest_ns = sqlite3_column_int64(st, 1);
		rc = SQLITE_DONE;
	}
	return reader_finish(st, rc, what);
}
