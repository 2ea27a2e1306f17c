/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Covers and artist images of the library views (covers.h): which
 * image stands for an album or an artist, found in folders or embedded.
 * It finds pictures' places, not their bytes; serving them is the
 * mount's.
 */
#include "indexer/library/covers.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/store/reader.h"
#include "indexer/library/cover_copies.h"
#include "indexer/library/picture.h"
#include "indexer/library/tags.h"

/* The names a cover or an artist image may have, best first. */
static const char *const cover_names[] = { "cover", "folder", "front",
					   "album" };
static const char *const cover_exts[] = { ".jpg", ".jpeg", ".png", ".webp" };
static const char *const artist_names[] = { "artist" };
static const char *const artist_exts[] = { ".jpg", ".png" };

/* An embedded picture as the store has it, with what tells whether a
 * kept copy is still the one in the file. */
struct embedded {
	struct strbuf path;
	struct picture pic;
	int64_t mtime_ns;
};

/* [music] covers: on until the indexer first starts; [music]
 * max_picture. */
static int covers_on = 1;
static uint64_t max_picture = 16 << 20;

void covers_enable(int on)
{
	__atomic_store_n(&covers_on, !!on, __ATOMIC_RELEASE);
}

int covers_enabled(void)
{
	return __atomic_load_n(&covers_on, __ATOMIC_ACQUIRE);
}

void covers_set_max_picture(uint64_t bytes)
{
	__atomic_store_n(&max_picture, bytes, __ATOMIC_RELEASE);
}

uint64_t covers_max_picture(void)
{
	return __atomic_load_n(&max_picture, __ATOMIC_ACQUIRE);
}

/* The extension an entry gets for an image extension or a MIME type. */
static const char *entry_ext(const char *type)
{
	if (strcasestr(type, "png"))
		return ".png";
	if (strcasestr(type, "webp"))
		return ".webp";
	if (strcasestr(type, "gif"))
		return ".gif";
	return ".jpg";
}

int covers_rank(const char *name, size_t len, int artist,
		const char **ext)
{
	const char *const *names = artist ? artist_names : cover_names;
	const char *const *exts = artist ? artist_exts : cover_exts;
	size_t nn = artist ? ARRAY_SIZE(artist_names) : ARRAY_SIZE(cover_names);
	size_t ne = artist ? ARRAY_SIZE(artist_exts) : ARRAY_SIZE(cover_exts);

	for (size_t i = 0; i < nn; i++) {
		size_t bl = strlen(names[i]);

		if (len <= bl || strncasecmp(name, names[i], bl))
			continue;
		for (size_t j = 0; j < ne; j++) {
			if (len - bl == strlen(exts[j]) &&
			    !strncasecmp(name + bl, exts[j], len - bl)) {
				*ext = entry_ext(exts[j]);
				return i * ne + j;
			}
		}
	}
	return -1;
}

/* This thread's statement for sql, kept for the next album folder; give
 * it back with reader_done(). */
static int prepare(const char *sql, sqlite3 **db, sqlite3_stmt **st)
{
	int rc = reader_prepare(sql, "cover: prepare", st);

	if (!rc)
		*db = sqlite3_db_handle(*st);
	return rc;
}

/* prepare() for a query of one track or album, bound to its ?1. */
static int prepare_id(const char *sql, int64_t id, sqlite3 **db,
		      sqlite3_stmt **st)
{
	int rc = prepare(sql, db, st);

	if (!rc)
		sqlite3_bind_int64(*st, 1, id);
	return rc;
}

/*
 * Rank the file whose id and name are in columns col and col + 1 of the
 * current row of st, and take it into *out when it beats *best (-1 for
 * nothing yet). A folder holds few files, so ranking them all beats
 * asking SQLite to match sixteen names without case.
 */
static void rank_row(sqlite3_stmt *st, int col, int artist, int *best,
		     struct cover *out)
{
	const char *name = sqlite3_column_blob(st, col + 1);
	const char *ext;
	int rank;

	if (!name)
		return;
	rank = covers_rank(name, sqlite3_column_bytes(st, col + 1), artist,
			   &ext);
	if (rank >= 0 && (*best < 0 || rank < *best)) {
		*best = rank;
		out->file = sqlite3_column_int64(st, col);
		strcpy(out->ext, ext);
	}
}

/*
 * The best image among the rows of st, a statement with its parameters
 * bound whose columns col and col + 1 are a file's id and name. Returns
 * 0 with *out filled, -ENOENT, or the error of a failed step.
 */
static int best_of_rows(sqlite3_stmt *st, int col, int artist,
			struct cover *out)
{
	int best = -1, rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		rank_row(st, col, artist, &best, out);
	if (rc != SQLITE_DONE)
		return db_error(sqlite3_db_handle(st), rc,
				"cover: list folder");
	return best < 0 ? -ENOENT : 0;
}

/* Step st for one row: 0 when there is one, -ENOENT when none, or the
 * error of a failed step (logged as what). */
static int step_row(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? -ENOENT : db_error(db, rc, what);
}

/* The first front cover of the album in track order, else its first
 * picture; a track without an album (album 0) only has its own. */
static int embedded_cover(sqlite3 *db, int64_t album, int64_t track,
			  struct cover *out)
{
	sqlite3_stmt *st;
	int rc;

	rc = prepare_id(!album ?
		"SELECT t.file_id, p.mime FROM tracks t"
		" JOIN pictures p ON p.file_id = t.file_id"
		" WHERE t.file_id = ?1 AND p.length <= ?2" :
		"SELECT t.file_id, p.mime FROM tracks t"
		" JOIN pictures p ON p.file_id = t.file_id"
		" WHERE t.album_id = ?1 AND p.length <= ?2"
		" ORDER BY p.type != 3, t.disc_no, t.track_no, t.id LIMIT 1",
		album ? album : track, &db, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 2, covers_max_picture());
	rc = step_row(db, st, "cover: find embedded");
	if (!rc) {
		out->file = -sqlite3_column_int64(st, 0);
		strcpy(out->ext, entry_ext((const char *)
					   sqlite3_column_text(st, 1) ?: ""));
	}
	reader_done(st);
	return rc;
}

int covers_disc_folder(const char *name, size_t len)
{
	static const char *const words[] = { "cd", "disc", "disk" };

	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		size_t wl = strlen(words[i]), p = wl, d;

		if (len <= wl || strncasecmp(name, words[i], wl))
			continue;
		if (name[p] == ' ')
			p++;
		for (d = p; d < len && name[d] >= '0' && name[d] <= '9'; d++)
			;
		if (d == p)
			return 0;
		return d == len || (len - d > 3 && !memcmp(name + d, " - ", 3));
	}
	return 0;
}

/* How much of the folder path (len bytes, relative to its root) is the
 * album's folder: all of it, or its parent when it holds one disc. */
static size_t album_folder(const char *path, size_t len)
{
	const char *slash = len ? memrchr(path, '/', len) : NULL;
	const char *base = slash ? slash + 1 : path;

	if (!len || !covers_disc_folder(base, len - (base - path)))
		return len;
	return slash ? (size_t)(slash - path) : 0;
}

/* The images of one folder, found by root and path. */
#define FOLDER_FILES \
	"SELECT f.id, f.name FROM directories p" \
	" JOIN files f ON f.dir_id = p.id AND f.kind = 'other'" \
	" WHERE p.root_id = ?1 AND p.path = ?2"

/* The best image of the album folder above the disc folder dir (len
 * bytes) in root, with st, a FOLDER_FILES statement; -ENOENT when dir is
 * no disc folder. */
static int above_disc_folder(sqlite3_stmt *st, int64_t root, const char *dir,
			     size_t len, struct cover *out)
{
	size_t alen = album_folder(dir, len);

	if (alen == len)
		return -ENOENT;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, root);
	sqlite3_bind_blob(st, 2, alen ? dir : "", alen, SQLITE_STATIC);
	return best_of_rows(st, 0, 0, out);
}

/* A disc folder without an image of its own shows its album folder's:
 * dir (len bytes) is the disc folder in root. */
static int album_folder_cover(sqlite3 *db, int64_t root, const char *dir,
			      size_t len, struct cover *out)
{
	sqlite3_stmt *st;
	int rc;

	if (album_folder(dir, len) == len)
		return -ENOENT;
	rc = prepare(FOLDER_FILES, &db, &st);
	if (rc)
		return rc;
	rc = above_disc_folder(st, root, dir, len, out);
	reader_done(st);
	return rc;
}

/* One row per other file in the track's folder (or one with NULLs when
 * there is none), each with the track's album and folder. */
int covers_album(int64_t track, struct cover *out)
{
	struct strbuf dir = STRBUF_INIT;
	int64_t album = 0, root = 0;
	sqlite3_stmt *st;
	sqlite3 *db;
	int best = -1, rc;

	if (!covers_enabled())
		return -ENOENT;
	rc = prepare_id("SELECT t.album_id, i.id, i.name, d.root_id, d.path"
			" FROM tracks t JOIN files f ON f.id = t.file_id"
			" LEFT JOIN directories d ON d.id = f.dir_id"
			" LEFT JOIN files i ON i.dir_id = f.dir_id"
			" AND i.kind = 'other' WHERE t.file_id = ?1",
			track, &db, &st);
	if (rc)
		return rc;
	rc = step_row(db, st, "cover: find track");
	if (!rc) {
		album = sqlite3_column_int64(st, 0);
		root = sqlite3_column_int64(st, 3);
		strbuf_add(&dir, sqlite3_column_blob(st, 4),
			   sqlite3_column_bytes(st, 4));
	}
	while (!rc) {
		rank_row(st, 1, 0, &best, out);
		rc = step_row(db, st, "cover: list folder");
	}
	reader_done(st);
	if (rc == -ENOENT && best < 0)
		rc = album_folder_cover(db, root, dir.buf, dir.len, out);
	else if (rc == -ENOENT)
		rc = 0;
	strbuf_release(&dir);
	return rc == -ENOENT ? embedded_cover(db, album, track, out) : rc;
}

/*
 * Look for an artist image above the album folder of each folder in
 * turn, skipping a parent just looked at: an artist's albums usually
 * share one.
 */
int covers_artist(const int64_t *dirs, size_t nr, struct cover *out)
{
	struct strbuf last = STRBUF_INIT;
	sqlite3_stmt *dir_st, *files = NULL;
	int64_t last_root = 0;
	sqlite3 *db;
	int rc;

	if (!covers_enabled())
		return -ENOENT;
	rc = prepare("SELECT root_id, path FROM directories WHERE id = ?1",
		     &db, &dir_st);
	if (rc)
		return rc;
	rc = prepare(FOLDER_FILES, &db, &files) ?: -ENOENT;
	for (size_t i = 0; rc == -ENOENT && i < nr; i++) {
		const char *path, *slash;
		int64_t root;
		size_t len;

		sqlite3_reset(dir_st);
		sqlite3_bind_int64(dir_st, 1, dirs[i]);
		rc = step_row(db, dir_st, "cover: find folder");
		if (rc)
			continue;
		path = sqlite3_column_blob(dir_st, 1);
		len = album_folder(path, sqlite3_column_bytes(dir_st, 1));
		rc = -ENOENT;
		if (!len)
			continue;	/* the album is a root */
		root = sqlite3_column_int64(dir_st, 0);
		slash = memrchr(path, '/', len);
		len = slash ? (size_t)(slash - path) : 0;
		if (last.len == len && last_root == root &&
		    !memcmp(last.buf, path, len))
			continue;
		strbuf_reset(&last);
		strbuf_add(&last, path, len);
		last_root = root;
		sqlite3_reset(files);
		sqlite3_bind_int64(files, 1, root);
		sqlite3_bind_blob(files, 2, last.buf, len, SQLITE_STATIC);
		rc = best_of_rows(files, 0, 1, out);
	}
	reader_done(files);
	reader_done(dir_st);
	strbuf_release(&last);
	return rc;
}

/* Every album, the folder of its first track (in the order of the
 * tracks_album index) and whether it has a cover (covers_refresh()). */
/* Only the albums without a cover go on to the join and the sort: in a
 * library of a million tracks, most have one. */
#define EACH_UNCOVERED \
	"SELECT aa.name, al.title, r.path, d.path" \
	" FROM albums al LEFT JOIN artists aa ON aa.id = al.artist_id" \
	" JOIN files f ON f.id = (SELECT file_id FROM tracks" \
	" WHERE album_id = al.id ORDER BY disc_no, track_no, id LIMIT 1)" \
	" JOIN directories d ON d.id = f.dir_id" \
	" JOIN roots r ON r.id = f.root_id" \
	" WHERE NOT EXISTS (SELECT 1 FROM album_covers" \
	" WHERE album_id = al.id) ORDER BY aa.name, al.title, al.id"

/* The statements of covers_refresh(), prepared once for all its albums. */
enum {
	RF_DIRTY_DIRS, RF_DIR, RF_CHILDREN, RF_MARK_DIR, RF_DIRTY, RF_FIRST,
	RF_EMBEDDED, RF_DIR_FILES, RF_FOLDER_FILES, RF_ADD, RF_DEL, RF_CLEAR,
	RF_COUNT
};

static const char *const refresh_sql[RF_COUNT] = {
	[RF_DIRTY_DIRS] = "SELECT dir_id FROM covers_dirty_dirs",
	[RF_DIR] = "SELECT root_id, path FROM directories WHERE id = ?1",
	/* the folders below the one whose path is ?2 ('' is the root's):
	 * their paths start with ?2 and a slash, which sorts before '0' */
	[RF_CHILDREN] = "SELECT id, path FROM directories WHERE root_id = ?1"
	" AND (length(?2) = 0 AND path != x''"
	" OR path > CAST(?2 || '/' AS BLOB)"
	" AND path < CAST(?2 || '0' AS BLOB))",
	[RF_MARK_DIR] = "INSERT OR IGNORE INTO covers_dirty SELECT t.album_id"
	" FROM files f JOIN tracks t ON t.file_id = f.id WHERE f.dir_id = ?1"
	" AND t.album_id IS NOT NULL",
	[RF_DIRTY] = "SELECT album_id FROM covers_dirty",
	[RF_FIRST] = "SELECT f.dir_id, d.root_id, d.path FROM tracks t"
	" JOIN files f ON f.id = t.file_id JOIN directories d"
	" ON d.id = f.dir_id WHERE t.album_id = ?1"
	" ORDER BY t.disc_no, t.track_no, t.id LIMIT 1",
	[RF_EMBEDDED] = "SELECT 1 FROM tracks t JOIN pictures p"
	" ON p.file_id = t.file_id WHERE t.album_id = ?1"
	" AND p.length <= ?2 LIMIT 1",
	[RF_DIR_FILES] = "SELECT id, name FROM files"
	" WHERE dir_id = ?1 AND kind = 'other'",
	[RF_FOLDER_FILES] = FOLDER_FILES,
	[RF_ADD] = "INSERT OR IGNORE INTO album_covers VALUES (?1)",
	[RF_DEL] = "DELETE FROM album_covers WHERE album_id = ?1",
	[RF_CLEAR] = "DELETE FROM covers_dirty; DELETE FROM covers_dirty_dirs",
};

/* Mark the albums of the tracks in the folder dir, and in the disc
 * folders right below it, whose cover may be an image of dir. */
static int mark_dir(sqlite3_stmt **st, int64_t dir)
{
	const char *path, *child;
	size_t len, clen;
	int64_t root;
	int rc;

	sqlite3_bind_int64(st[RF_MARK_DIR], 1, dir);
	rc = db_step(st[RF_MARK_DIR], "cover: mark folder");
	sqlite3_reset(st[RF_DIR]);
	sqlite3_bind_int64(st[RF_DIR], 1, dir);
	if (rc || sqlite3_step(st[RF_DIR]) != SQLITE_ROW)
		return rc;	/* a folder gone has no tracks left */
	root = sqlite3_column_int64(st[RF_DIR], 0);
	path = sqlite3_column_blob(st[RF_DIR], 1);
	len = sqlite3_column_bytes(st[RF_DIR], 1);
	sqlite3_reset(st[RF_CHILDREN]);
	sqlite3_bind_int64(st[RF_CHILDREN], 1, root);
	sqlite3_bind_blob(st[RF_CHILDREN], 2, len ? path : "", len,
			  SQLITE_TRANSIENT);
	while (!rc && (rc = sqlite3_step(st[RF_CHILDREN])) == SQLITE_ROW) {
		child = sqlite3_column_blob(st[RF_CHILDREN], 1);
		clen = sqlite3_column_bytes(st[RF_CHILDREN], 1);
		child += len ? len + 1 : 0;
		clen -= len ? len + 1 : 0;
		rc = 0;
		if (memchr(child, '/', clen) ||
		    !covers_disc_folder(child, clen))
			continue;
		sqlite3_bind_int64(st[RF_MARK_DIR], 1,
				   sqlite3_column_int64(st[RF_CHILDREN], 0));
		rc = db_step(st[RF_MARK_DIR], "cover: mark folder");
	}
	return db_rows_end(sqlite3_db_handle(st[RF_CHILDREN]), rc,
			   "cover: list folders");
}

/* Whether the album has a cover, as covers_album() finds it: 1, 0 or a
 * negative errno value. */
static int album_has_cover(sqlite3_stmt **st, int64_t album)
{
	sqlite3 *db = sqlite3_db_handle(st[RF_FIRST]);
	struct cover c;
	int64_t root;
	int rc;

	sqlite3_reset(st[RF_FIRST]);
	sqlite3_bind_int64(st[RF_FIRST], 1, album);
	rc = step_row(db, st[RF_FIRST], "cover: find first track");
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	sqlite3_reset(st[RF_EMBEDDED]);
	sqlite3_bind_int64(st[RF_EMBEDDED], 1, album);
	sqlite3_bind_int64(st[RF_EMBEDDED], 2, covers_max_picture());
	rc = step_row(db, st[RF_EMBEDDED], "cover: find embedded");
	if (rc != -ENOENT)
		return rc ? rc : 1;
	sqlite3_reset(st[RF_DIR_FILES]);
	sqlite3_bind_int64(st[RF_DIR_FILES], 1,
			   sqlite3_column_int64(st[RF_FIRST], 0));
	rc = best_of_rows(st[RF_DIR_FILES], 0, 0, &c);
	if (rc == -ENOENT) {
		root = sqlite3_column_int64(st[RF_FIRST], 1);
		rc = above_disc_folder(st[RF_FOLDER_FILES], root,
				       sqlite3_column_blob(st[RF_FIRST], 2),
				       sqlite3_column_bytes(st[RF_FIRST], 2),
				       &c);
	}
	return rc == -ENOENT ? 0 : rc ? rc : 1;
}

/* Mark the albums of the folders marked, then settle every album marked
 * in album_covers. */
static int refresh(sqlite3_stmt **st)
{
	int64_t album;
	int rc, has;

	while ((rc = sqlite3_step(st[RF_DIRTY_DIRS])) == SQLITE_ROW) {
		rc = mark_dir(st, sqlite3_column_int64(st[RF_DIRTY_DIRS], 0));
		if (rc)
			return rc;
	}
	rc = db_rows_end(sqlite3_db_handle(st[RF_DIRTY_DIRS]), rc,
			 "cover: list marked folders");
	while (!rc && (rc = sqlite3_step(st[RF_DIRTY])) == SQLITE_ROW) {
		album = sqlite3_column_int64(st[RF_DIRTY], 0);
		has = album_has_cover(st, album);
		rc = has < 0 ? has : 0;
		if (!rc) {
			sqlite3_bind_int64(st[has ? RF_ADD : RF_DEL], 1, album);
			rc = db_step(st[has ? RF_ADD : RF_DEL],
				     "cover: keep album");
		}
	}
	return db_rows_end(sqlite3_db_handle(st[RF_DIRTY]), rc,
			   "cover: list marked albums");
}

/* Whether there is work for covers_refresh(), and the tracks_album index
 * to do it: a bulk load drops it, and each album would read every track
 * without it. */
static int refresh_due(sqlite3 *db)
{
	return db_yes(db, "cover: look for marked albums",
		      "SELECT (EXISTS (SELECT 1 FROM covers_dirty)"
		      " OR EXISTS (SELECT 1 FROM covers_dirty_dirs))"
		      " AND EXISTS (SELECT 1 FROM sqlite_master"
		      " WHERE type = 'index' AND name = 'tracks_album')");
}

int covers_refresh(sqlite3 *db)
{
	sqlite3_stmt *st[RF_COUNT] = { NULL };
	int rc = refresh_due(db);

	if (rc <= 0)
		return rc;
	rc = 0;
	for (int i = 0; !rc && i < RF_CLEAR; i++)
		rc = db_prepare(db, refresh_sql[i], &st[i]);
	if (!rc)
		rc = refresh(st);
	for (int i = 0; i < RF_COUNT; i++)
		sqlite3_finalize(st[i]);
	return rc ? rc : db_exec(db, refresh_sql[RF_CLEAR]);
}

int covers_each_uncovered(sqlite3 *db,
			  int (*fn)(void *arg, const char *artist,
				    const char *album, const char *folder),
			  void *arg)
{
	struct strbuf folder = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc, err = 0;

	if (!covers_enabled())
		return 0;
	rc = sqlite3_prepare_v2(db, EACH_UNCOVERED, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, "cover: prepare");
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *artist = (const char *)sqlite3_column_text(st, 0);
		const char *dir = sqlite3_column_blob(st, 3);
		size_t len = sqlite3_column_bytes(st, 3);

		len = album_folder(dir, len);
		strbuf_reset(&folder);
		strbuf_add(&folder, sqlite3_column_blob(st, 2),
			   sqlite3_column_bytes(st, 2));
		if (len)
			strbuf_addch(&folder, '/');
		strbuf_add(&folder, dir, len);
		if (!err)
			err = fn(arg, artist && *artist ? artist :
				 "Unknown Artist",
				 (const char *)sqlite3_column_text(st, 1),
				 folder.buf);
	}
	if (!err && rc != SQLITE_DONE)
		err = db_error(db, rc, "cover: list albums");
	sqlite3_finalize(st);
	strbuf_release(&folder);
	return err < 0 ? err : 0;
}

/* Where the track's picture is, and the real file holding it. */
static int load_embedded(int64_t track, struct embedded *e)
{
	sqlite3_stmt *st;
	sqlite3 *db;
	int rc;

	rc = prepare_id("SELECT r.path, f.path, p.offset, p.length, p.unsync,"
			" p.type, f.mtime_ns FROM pictures p"
			" JOIN file_paths f ON f.id = p.file_id"
			" JOIN roots r ON r.id = f.root_id WHERE p.file_id = ?1"
			" AND p.length <= ?2", track, &db, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 2, covers_max_picture());
	rc = step_row(db, st, "cover: find picture");
	if (!rc) {
		strbuf_add(&e->path, sqlite3_column_blob(st, 0),
			   sqlite3_column_bytes(st, 0));
		strbuf_addch(&e->path, '/');
		strbuf_add(&e->path, sqlite3_column_blob(st, 1),
			   sqlite3_column_bytes(st, 1));
		e->pic.found = 1;
		e->pic.offset = sqlite3_column_int64(st, 2);
		e->pic.length = sqlite3_column_int64(st, 3);
		e->pic.unsync = sqlite3_column_int(st, 4);
		e->pic.type = sqlite3_column_int(st, 5);
		e->mtime_ns = sqlite3_column_int64(st, 6);
	}
	reader_done(st);
	return rc;
}

int covers_stat(int64_t track,
		int (*stat_file)(const char *path, struct stat *st),
		struct stat *st)
{
	struct embedded e = { .path = STRBUF_INIT };
	int rc = load_embedded(track, &e);

	if (!rc)
		rc = stat_file(e.path.buf, st);
	if (!rc && !S_ISREG(st->st_mode))
		rc = -ENOENT;
	if (!rc) {
		st->st_mode = S_IFREG | (st->st_mode & 0444);
		st->st_size = e.pic.length;
		st->st_blocks = (e.pic.length + 511) / 512;
		st->st_nlink = 1;
	}
	strbuf_release(&e.path);
	return rc;
}

/* The track is opened even when a copy of its picture is kept: what the
 * opener may not open, it is shown no copy of. */
int covers_open(int64_t track, int (*open_file)(const char *path, int flags),
		struct cover_copy **copy)
{
	struct embedded e = { .path = STRBUF_INIT };
	struct cover_copies_key key;
	int rc = load_embedded(track, &e), fd = -1;

	*copy = NULL;
	if (!rc)
		rc = fd = open_file(e.path.buf, O_RDONLY);
	if (rc >= 0) {
		key = (struct cover_copies_key){ track, e.mtime_ns, e.pic };
		rc = cover_copies_get(&key, fd, e.path.buf, copy);
	}
	strbuf_release(&e.path);
	return rc;
}

int covers_uncovered(int (*fn)(void *arg, const char *artist,
			       const char *album, const char *folder),
		     void *arg)
{
	return READER_WITH(db, covers_each_uncovered(db, fn, arg));
}
