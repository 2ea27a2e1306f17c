#include "fs/views.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/db.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/caller.h"
#include "fs/nodes.h"
#include "indexer/store/reader.h"
#include "fs/views_cover.h"
#include "fs/views_name.h"
#include "fs/views_similar.h"
#include "indexer/indexer.h"
#include "indexer/manga/manga.h"

#define CACHE_SLOTS 64
#define MAX_KEYS 8
#define ARTIST_DIRS 16		/* album folders looked above for an image */
#define COVER_MEMO 16384	/* album folders whose cover is kept */
#define COVER_MEMO_PROBES 8
#define PREFETCH_AHEAD 4	/* folders made before a walk asks for them */
#define PREFETCH_QUEUE 16

/*
 * How the tracks of a music view are grouped into the folders of one
 * depth: by up to two key expressions, named after two label columns
 * (aggregates allowed) with their fallbacks.
 */
enum form {
	FORM_ONE,		/* LABEL1 */
	FORM_YEAR,		/* LABEL1 (LABEL2), or LABEL1 without one */
	FORM_PAREN,		/* LABEL1 (LABEL2) */
	FORM_DASH,		/* LABEL1 - LABEL2 */
};

struct level {
	const char *key[2];
	const char *label[2];
	const char *fallback[2];
	enum form form;
};

static const struct level by_artist = {
	{ "t.album_artist_id" }, { "aa.name", "NULL" },
	{ "Unknown Artist" }, FORM_ONE,
};
static const struct level by_album_year = {
	{ "t.album_id" }, { "al.title", "max(t.year)" },
	{ "Unknown Album" }, FORM_YEAR,
};
static const struct level by_album_artist = {
	{ "t.album_id", "t.album_artist_id" }, { "al.title", "aa.name" },
	{ "Unknown Album", "Unknown Artist" }, FORM_PAREN,
};
static const struct level by_genre = {
	{ "t.genre" }, { "t.genre", "NULL" }, { "Unknown Genre" }, FORM_ONE,
};
static const struct level by_year = {
	{ "t.year" }, { "t.year", "NULL" }, { "Unknown Year" }, FORM_ONE,
};
static const struct level by_artist_album = {
	{ "t.album_id", "t.album_artist_id" }, { "aa.name", "al.title" },
	{ "Unknown Artist", "Unknown Album" }, FORM_DASH,
};

/* The query views (search, similar) are last: their folders are named by
 * what the user asks, not by the store. */
enum view_kind { VIEW_MUSIC, VIEW_MANGA, VIEW_SEARCH, VIEW_SIMILAR };

static const struct view {
	const char *root;
	enum view_kind kind;
	const struct level *levels[3];
	int depth;		/* folder levels above the files */
} views[] = {
	{ "/library/music/artists", VIEW_MUSIC,
	  { &by_artist, &by_album_year }, 2 },
	{ "/library/music/albums", VIEW_MUSIC, { &by_album_artist }, 1 },
	{ "/library/music/genres", VIEW_MUSIC,
	  { &by_genre, &by_artist, &by_album_year }, 3 },
	{ "/library/music/years", VIEW_MUSIC,
	  { &by_year, &by_artist_album }, 2 },
	{ "/library/manga", VIEW_MANGA, { NULL }, 2 },
	{ "/search", VIEW_SEARCH, { NULL }, 1 },
	{ "/similar", VIEW_SIMILAR, { NULL }, 1 },
};

#define NR_VIEWS (sizeof(views) / sizeof(*views))

/* The tracks with their labels; every track has its file (a foreign key
 * the connection enforces), so the folders need not join it. */
#define TRACKS_FROM \
	" FROM tracks t LEFT JOIN albums al ON al.id = t.album_id" \
	" LEFT JOIN artists aa ON aa.id = t.album_artist_id"

enum item_type { ITEM_DIR, ITEM_FILE, ITEM_MISSING };

struct item {
	enum item_type type;
	int64_t file;
	char *real;		/* a track's file on disk, or NULL */
	sqlite3_value *key[2];
};

/* One folder as listed: its names, what each stands for, and the keys
 * that select its own content (its ancestors' and its own). */
struct listing {
	char *path;
	size_t len;		/* of path */
	unsigned long serial;	/* tells it from a later one at its address */
	unsigned long used;
	uint64_t generation;	/* cache_generation when it was begun */
	uint64_t epoch;		/* cache_epoch then */
	struct listing *next_building;
	struct views_list names;
	struct item *items;
	size_t nr, alloc;
	sqlite3_value *chain[MAX_KEYS];
	int nchain;
};

/* The track the calling thread resolved last and its file on disk: a
 * callback resolves a path, then stats or opens what it found, and needs
 * no query of the store for that. */
static __thread struct {
	int64_t file;
	char path[4096];
} last_real;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct listing *cache[CACHE_SLOTS];
static uint64_t cache_generation;
/* How many times the cache was dropped, from 1: what tells the cover
 * memo's entries of now from older ones (and from empty ones). */
static uint64_t cache_epoch = 1;
static unsigned long cache_tick;
/* Folders dropped since views_retired() last ran: the kernel may still
 * keep their entries. */
static struct listing *retired[CACHE_SLOTS];
static size_t nr_retired;
/* Folders being made outside cache_lock, and the signal that one is done:
 * a thread that needs one of them waits for it rather than make it too. */
static struct listing *building;
static pthread_cond_t built = PTHREAD_COND_INITIALIZER;
static unsigned long listings_made;

/* The folders a walk will ask for next, made by a thread of their own
 * while the walk waits on the kernel. Under cache_lock. */
static struct {
	pthread_t thread;
	pthread_cond_t wake;
	char *queue[PREFETCH_QUEUE];
	size_t first, nr;
	unsigned long last;	/* the serial of the folder it looked past */
	int started, stop;
} prefetch = { .wake = PTHREAD_COND_INITIALIZER };

/* The cover of the album folders listed since the store last moved, by
 * the folder's first track: an album is a folder of each music view, and
 * finding its cover takes two queries. Under memo_lock. */
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cover_memo {
	int64_t track;
	uint64_t epoch;
	int found;
	struct views_cover cover;
} cover_memo[COVER_MEMO];

/* A listing owns copies of its keys, as rows do not outlive their
 * statement. */
static void listing_free(struct listing *ls)
{
	if (!ls)
		return;
	for (size_t i = 0; i < ls->nr; i++) {
		free(ls->items[i].real);
		sqlite3_value_free(ls->items[i].key[0]);
		sqlite3_value_free(ls->items[i].key[1]);
	}
	for (int i = 0; i < ls->nchain; i++)
		sqlite3_value_free(ls->chain[i]);
	views_list_clear(&ls->names);
	free(ls->items);
	free(ls->path);
	free(ls);
}

/* Add one entry named name (len bytes, ext_len of them the extension). */
static int add_item(struct listing *ls, const struct strbuf *name,
		    size_t ext_len, const struct item *it)
{
	int rc;

	if (ls->nr == ls->alloc) {
		size_t n = ls->alloc ? ls->alloc * 2 : 64;
		struct item *v = realloc(ls->items, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ls->items = v;
		ls->alloc = n;
	}
	rc = views_list_add(&ls->names, name->buf, name->len, ext_len);
	if (rc)
		return rc;
	ls->items[ls->nr++] = *it;
	return 0;
}

/* A label column as a name part, or its fallback when empty. */
static void add_label(struct strbuf *name, sqlite3_stmt *st, int col,
		      const char *fallback)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	int len = sqlite3_column_bytes(st, col);

	if (text && len)
		views_name_add(name, text, len);
	else
		strbuf_addstr(name, fallback);
}

/* The keys of a folder's ancestors and its own are ?1, ?2, ... in the
 * order of the levels, as add_where() and the manga queries expect. */
static void bind_chain(sqlite3_stmt *st, const struct listing *ls)
{
	for (int i = 0; i < ls->nchain; i++)
		sqlite3_bind_value(st, i + 1, ls->chain[i]);
}

/* This thread's statement for sql, kept from one folder to the next (a
 * walk asks the same few queries thousands of times); what names the
 * query in the log if it fails. Give it back with reader_done(). */
static int prepare(const char *sql, const char *what, sqlite3 **db,
		   sqlite3_stmt **st)
{
	int rc = reader_prepare(sql, what, st);

	if (!rc)
		*db = sqlite3_db_handle(*st);
	return rc;
}

/* What a loop over rows that stopped with rc comes to: 0 once every row
 * was read, else the error (logged). */
static int end_rows(sqlite3 *db, int rc, const char *what)
{
	if (rc == SQLITE_DONE)
		return 0;
	return rc < 0 ? rc : db_error(db, rc, what);
}

/*
 * Make the current row of st into an entry: its name (with an extension
 * of *ext_len bytes) and what it stands for, keys copied with
 * sqlite3_value_dup(). Nonzero when memory ran out.
 */
typedef int (*row_fn)(sqlite3_stmt *st, const void *arg,
		      struct strbuf *name, size_t *ext_len, struct item *it);

/* Every folder but the tracks' is one query whose rows are its entries,
 * with the folder's keys bound. */
static int add_rows(struct listing *ls, const char *sql, const char *what,
		    row_fn fn, const void *arg)
{
	struct strbuf name = STRBUF_INIT;
	sqlite3_stmt *st;
	sqlite3 *db;
	int rc = prepare(sql, what, &db, &st);

	if (rc)
		return rc;
	bind_chain(st, ls);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct item it = { .type = ITEM_DIR };
		size_t ext_len = 0;

		strbuf_reset(&name);
		if (fn(st, arg, &name, &ext_len, &it) ||
		    add_item(ls, &name, ext_len, &it)) {
			sqlite3_value_free(it.key[0]);
			sqlite3_value_free(it.key[1]);
			rc = -ENOMEM;
			break;
		}
	}
	reader_done(st);
	strbuf_release(&name);
	return end_rows(db, rc, what);
}

/* Keep column col as a key of the entry. */
static int take_key(sqlite3_stmt *st, int col, sqlite3_value **key)
{
	*key = sqlite3_value_dup(sqlite3_column_value(st, col));
	return !*key;
}

/* The WHERE clause that keeps the tracks under ls in view v. */
static void add_where(struct strbuf *sql, const struct view *v,
		      const struct listing *ls)
{
	int n = 0;

	strbuf_addstr(sql, " WHERE 1");
	for (int d = 0; n < ls->nchain; d++) {
		for (int k = 0; k < 2 && v->levels[d]->key[k]; k++)
			strbuf_addf(sql, " AND %s IS ?%d",
				    v->levels[d]->key[k], ++n);
	}
}

/* A folder of a music view: its keys, then the two labels. */
static int group_row(sqlite3_stmt *st, const void *arg, struct strbuf *name,
		     size_t *ext_len, struct item *it)
{
	const struct level *lv = arg;
	int nkeys = lv->key[1] ? 2 : 1;
	int has_second = sqlite3_column_bytes(st, nkeys + 1) > 0;
	int paren = lv->form == FORM_PAREN ||
		    (lv->form == FORM_YEAR && has_second);

	(void)ext_len;
	add_label(name, st, nkeys, lv->fallback[0]);
	if (lv->form == FORM_DASH)
		strbuf_addstr(name, " - ");
	else if (paren)
		strbuf_addstr(name, " (");
	if (lv->form == FORM_DASH || paren)
		add_label(name, st, nkeys + 1, lv->fallback[1]);
	if (paren)
		strbuf_addch(name, ')');
	for (int k = 0; k < nkeys; k++)
		if (take_key(st, k, &it->key[k]))
			return 1;
	return 0;
}

/* The folders of one depth of a music view. */
static int list_groups(struct listing *ls, const struct view *v,
		       const struct level *lv)
{
	struct strbuf sql = STRBUF_INIT, keys = STRBUF_INIT;
	int rc;

	strbuf_addstr(&keys, lv->key[0]);
	if (lv->key[1])
		strbuf_addf(&keys, ", %s", lv->key[1]);
	strbuf_addf(&sql, "SELECT %s, %s, %s" TRACKS_FROM, keys.buf,
		    lv->label[0], lv->label[1]);
	add_where(&sql, v, ls);
	strbuf_addf(&sql, " GROUP BY %s ORDER BY %s", keys.buf, keys.buf);
	rc = add_rows(ls, sql.buf, "list view folder", group_row, lv);
	strbuf_release(&sql);
	strbuf_release(&keys);
	return rc;
}

struct track_row {
	int64_t file;
	int track, disc, disc_total;
	char *title;
	size_t title_len;
	char *real;
	char ext[16];
};

/* Name the tracks of one folder: the disc goes first when the folder
 * holds several. */
static int name_tracks(struct listing *ls, struct track_row *rows,
		       size_t nr)
{
	struct strbuf name = STRBUF_INIT;
	int discs = 0, rc = 0;

	for (size_t i = 0; i < nr; i++)
		discs |= rows[i].disc > 1 || rows[i].disc_total > 1;
	for (size_t i = 0; !rc && i < nr; i++) {
		struct item it = {
			.type = ITEM_FILE, .file = rows[i].file,
			.real = rows[i].real,
		};

		strbuf_reset(&name);
		if (rows[i].track > 0 && discs)
			strbuf_addf(&name, "%d-%02d - ",
				    rows[i].disc > 0 ? rows[i].disc : 1,
				    rows[i].track);
		else if (rows[i].track > 0)
			strbuf_addf(&name, "%02d - ", rows[i].track);
		views_name_add(&name, rows[i].title, rows[i].title_len);
		strbuf_addstr(&name, rows[i].ext);
		rc = add_item(ls, &name, strlen(rows[i].ext), &it);
		if (!rc)
			rows[i].real = NULL;
	}
	strbuf_release(&name);
	return rc;
}

/* Read the tracks a statement returns (file id, track, disc, disc total,
 * title, file path, root path) and list them. */
static int list_track_rows(struct listing *ls, sqlite3 *db, sqlite3_stmt *st)
{
	struct track_row *rows = NULL;
	size_t nr = 0, alloc = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = sqlite3_column_blob(st, 5);
		size_t plen = sqlite3_column_bytes(st, 5);
		const char *root = (const char *)sqlite3_column_text(st, 6);
		size_t ext = views_name_ext(path, plen);
		struct track_row *r;

		if (nr == alloc) {
			size_t n = alloc ? alloc * 2 : 32;
			struct track_row *p = realloc(rows, n * sizeof(*p));

			if (!p) {
				rc = -ENOMEM;
				break;
			}
			rows = p;
			alloc = n;
		}
		r = &rows[nr];
		r->file = sqlite3_column_int64(st, 0);
		r->track = sqlite3_column_int(st, 1);
		r->disc = sqlite3_column_int(st, 2);
		r->disc_total = sqlite3_column_int(st, 3);
		r->title_len = sqlite3_column_bytes(st, 4);
		r->title = malloc(r->title_len + 1);
		r->real = NULL;
		if (!r->title || (root && asprintf(&r->real, "%s/%.*s", root,
						   (int)plen, path) < 0)) {
			free(r->title);
			rc = -ENOMEM;
			break;
		}
		if (r->title_len)	/* the blob of "" may be NULL */
			memcpy(r->title, sqlite3_column_blob(st, 4),
			       r->title_len);
		memcpy(r->ext, path + plen - ext, ext);
		r->ext[ext] = '\0';
		nr++;
	}
	rc = end_rows(db, rc, "list tracks");
	if (!rc)
		rc = name_tracks(ls, rows, nr);
	for (size_t i = 0; i < nr; i++) {
		free(rows[i].title);
		free(rows[i].real);
	}
	free(rows);
	return rc;
}

#define TRACK_COLUMNS \
	"SELECT t.file_id, t.track_no, t.disc_no, t.disc_total, t.title," \
	" f.path, r.path"
#define TRACK_ROOT " JOIN roots r ON r.id = f.root_id"

/* Name a cover found (found is 0) once or twice (second not NULL), as
 * players look for one name or the other (views_cover.h). */
static int add_cover(struct listing *ls, const char *first,
		     const char *second, int found,
		     const struct views_cover *cover)
{
	struct item it = { .type = ITEM_FILE, .file = cover->file };
	struct strbuf name = STRBUF_INIT;
	int rc;

	if (found)
		return found == -ENOENT ? 0 : found;
	strbuf_addf(&name, "%s%s", first, cover->ext);
	rc = add_item(ls, &name, strlen(cover->ext), &it);
	if (!rc && second) {
		strbuf_reset(&name);
		strbuf_addf(&name, "%s%s", second, cover->ext);
		rc = add_item(ls, &name, strlen(cover->ext), &it);
	}
	strbuf_release(&name);
	return rc;
}

/* The memo's place for track: its own, else a free one near its hash
 * (one from before the cache was last dropped is free), else the first
 * near it. */
static struct cover_memo *memo_slot(int64_t track, uint64_t epoch)
{
	size_t h = (uint64_t)track % COVER_MEMO;

	for (size_t i = 0; i < COVER_MEMO_PROBES; i++) {
		struct cover_memo *m = &cover_memo[(h + i) % COVER_MEMO];

		if (m->epoch != epoch || m->track == track)
			return m;
	}
	return &cover_memo[h];
}

/* views_cover_album() once per album folder and store generation (epoch
 * is the cache's when the folder was begun); an error that may pass (not
 * -ENOENT) is asked again the next time. */
static int album_cover(int64_t track, uint64_t epoch,
		       struct views_cover *cover)
{
	struct cover_memo *m;
	int rc;

	pthread_mutex_lock(&memo_lock);
	m = memo_slot(track, epoch);
	rc = m->track == track && m->epoch == epoch ? m->found : 1;
	if (!rc)
		*cover = m->cover;
	pthread_mutex_unlock(&memo_lock);
	if (rc <= 0)
		return rc;
	rc = views_cover_album(track, cover);
	if (rc && rc != -ENOENT)
		return rc;
	pthread_mutex_lock(&memo_lock);
	m = memo_slot(track, epoch);
	*m = (struct cover_memo){ .track = track, .epoch = epoch, .found = rc };
	if (!rc)
		m->cover = *cover;
	pthread_mutex_unlock(&memo_lock);
	return rc;
}

/* The tracks of the deepest folders of a music view, and their cover. */
static int list_tracks(struct listing *ls, const struct view *v)
{
	struct strbuf sql = STRBUF_INIT;
	struct views_cover cover;
	sqlite3_stmt *st;
	sqlite3 *db;
	int rc;

	/* The keys are all the tracks' own: no label to join. */
	strbuf_addstr(&sql, TRACK_COLUMNS " FROM tracks t"
		      " JOIN files f ON f.id = t.file_id" TRACK_ROOT);
	add_where(&sql, v, ls);
	strbuf_addstr(&sql, " ORDER BY t.disc_no, t.track_no, t.id");
	rc = prepare(sql.buf, "list tracks", &db, &st);
	strbuf_release(&sql);
	if (rc)
		return rc;
	bind_chain(st, ls);
	rc = list_track_rows(ls, db, st);
	reader_done(st);
	if (rc || !ls->nr)
		return rc;
	rc = album_cover(ls->items[0].file, ls->epoch, &cover);
	return add_cover(ls, "cover", "folder", rc, &cover);
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

/* The best matches, named in track id order so that the names of equal
 * titles stay the same while the library does. */
static int list_search(struct listing *ls, const char *query)
{
	struct strbuf q = STRBUF_INIT;
	sqlite3_stmt *st;
	sqlite3 *db;
	int rc;

	search_expr(query, &q);
	if (!q.len)
		return 0;
	rc = prepare(TRACK_COLUMNS " FROM (SELECT rowid AS id FROM tracks_fts"
		     " WHERE tracks_fts MATCH ?1 ORDER BY rank LIMIT ?2) m"
		     " JOIN tracks t ON t.id = m.id"
		     " JOIN files f ON f.id = t.file_id" TRACK_ROOT
		     " ORDER BY t.id",
		     "search tracks", &db, &st);
	if (rc) {
		strbuf_release(&q);
		return rc;
	}
	sqlite3_bind_text(st, 1, q.buf, q.len, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, VIEWS_SEARCH_MAX);
	rc = list_track_rows(ls, db, st);
	reader_done(st);
	strbuf_release(&q);
	return rc;
}

/* The tracks most similar to the best match of the query, most similar
 * first, named like the search's. */
static int list_similar(struct listing *ls, const char *query)
{
	struct strbuf q = STRBUF_INIT, ids = STRBUF_INIT;
	sqlite3_stmt *st;
	sqlite3 *db = reader_db();
	int rc;

	if (!db)
		return -EIO;
	search_expr(query, &q);
	rc = q.len ? views_similar(db, q.buf, &ids) : 0;
	if (!rc && ids.len)
		rc = prepare(TRACK_COLUMNS " FROM json_each(?1) j"
			     " JOIN tracks t ON t.id = j.value"
			     " JOIN files f ON f.id = t.file_id" TRACK_ROOT
			     " ORDER BY j.key", "list similar tracks", &db,
			     &st);
	if (!rc && ids.len) {
		sqlite3_bind_text(st, 1, ids.buf, ids.len, SQLITE_STATIC);
		rc = list_track_rows(ls, db, st);
		reader_done(st);
	}
	strbuf_release(&q);
	strbuf_release(&ids);
	return rc;
}

/* A series: its id, then its name. */
static int series_row(sqlite3_stmt *st, const void *arg, struct strbuf *name,
		      size_t *ext_len, struct item *it)
{
	(void)arg;
	(void)ext_len;
	add_label(name, st, 1, "Unknown Series");
	return take_key(st, 0, &it->key[0]);
}

/* Series in name then id order: a second series of one name (another
 * root) is the one that gets " (2)". */
static int list_series(struct listing *ls)
{
	return add_rows(ls, "SELECT id, name FROM series ORDER BY name, id",
			"list series", series_row, NULL);
}

/* A volume number as the name shows it: 3 as "003", 10.5 as "010.5". */
static void add_number(struct strbuf *name, double n)
{
	int whole = (int)n;

	strbuf_addf(name, "%03d", whole);
	if (n != whole) {
		struct strbuf frac = STRBUF_INIT;

		strbuf_addf(&frac, "%g", n - whole);
		strbuf_addstr(name, frac.buf + 1);
		strbuf_release(&frac);
	}
}

/* The gaps of a series, as zero-byte entries. */
static int list_gaps(struct listing *ls, int64_t series)
{
	struct strbuf name = STRBUF_INIT;
	sqlite3 *db = reader_db();
	int *gaps;
	size_t ng;
	int rc;

	if (!db)
		return -EIO;
	rc = manga_series_gaps(db, series, &gaps, &ng);

	for (size_t i = 0; !rc && i < ng; i++) {
		struct item it = { .type = ITEM_MISSING };

		strbuf_reset(&name);
		strbuf_addf(&name, "MISSING - VOLUME %d", gaps[i]);
		rc = add_item(ls, &name, 0, &it);
	}
	free(gaps);
	strbuf_release(&name);
	return rc;
}

/* A volume: its file's id or, for a folder of images, NULL and the
 * folder's directories.id; its numbers; its path. */
static int volume_row(sqlite3_stmt *st, const void *arg, struct strbuf *name,
		      size_t *ext_len, struct item *it)
{
	double first = sqlite3_column_double(st, 1);
	double last = sqlite3_column_double(st, 2);
	const char *path = sqlite3_column_blob(st, 3);
	size_t plen = sqlite3_column_bytes(st, 3);

	(void)arg;
	*ext_len = 0;
	if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
		if (take_key(st, 4, &it->key[0]))
			return 1;
	} else {
		it->type = ITEM_FILE;
		it->file = sqlite3_column_int64(st, 0);
		*ext_len = views_name_ext(path, plen);
	}
	strbuf_addstr(name, "Volume ");
	add_number(name, first);
	if (last > first) {
		strbuf_addch(name, '-');
		add_number(name, last);
	}
	strbuf_add(name, path + plen - *ext_len, *ext_len);
	return 0;
}

/* The volumes of a series in volume order, then its gaps: a volume file
 * is a file, a folder of images a folder. */
static int list_volumes(struct listing *ls)
{
	int rc = add_rows(ls, "SELECT f.id, v.first, v.last, v.path, d.id"
		" FROM volumes v JOIN series s ON s.id = v.series_id"
		" LEFT JOIN files f ON f.root_id = s.root_id AND f.path = v.path"
		" LEFT JOIN directories d ON d.root_id = s.root_id"
		" AND d.path = v.path"
		" WHERE v.series_id = ?1 AND v.kind = 'volume'"
		" AND (f.id IS NOT NULL OR d.id IS NOT NULL)"
		" ORDER BY v.first, v.last, v.path", "list volumes",
		volume_row, NULL);

	return rc ? rc : list_gaps(ls, sqlite3_value_int64(ls->chain[0]));
}

/* An image of a volume folder: its file's id and path. */
static int image_row(sqlite3_stmt *st, const void *arg, struct strbuf *name,
		     size_t *ext_len, struct item *it)
{
	const char *path = sqlite3_column_blob(st, 1);
	size_t plen = sqlite3_column_bytes(st, 1);
	const char *base = memrchr(path, '/', plen);
	size_t blen;

	(void)arg;
	base = base ? base + 1 : path;
	blen = plen - (base - path);
	it->type = ITEM_FILE;
	it->file = sqlite3_column_int64(st, 0);
	views_name_add(name, base, blen);
	*ext_len = views_name_ext(base, blen);
	return 0;
}

/* The files of a volume that is a folder of images, under their own
 * names. */
static int list_volume_folder(struct listing *ls)
{
	return add_rows(ls, "SELECT id, path FROM files WHERE dir_id = ?2"
			" ORDER BY path", "list volume folder", image_row,
			NULL);
}

/* An artist folder (whose folders are albums) shows the image in the
 * folder above its albums' folders, looking above a few of them. */
static int add_artist_image(struct listing *ls, const struct view *v)
{
	struct strbuf sql = STRBUF_INIT;
	int64_t dirs[ARTIST_DIRS];
	struct views_cover cover;
	size_t nr = 0;
	sqlite3_stmt *st;
	sqlite3 *db;
	int rc;

	strbuf_addstr(&sql, "SELECT DISTINCT f.dir_id FROM tracks t"
		      " JOIN files f ON f.id = t.file_id");
	add_where(&sql, v, ls);
	strbuf_addf(&sql, " LIMIT %d", ARTIST_DIRS);
	rc = prepare(sql.buf, "list artist folders", &db, &st);
	strbuf_release(&sql);
	if (rc)
		return rc;
	bind_chain(st, ls);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		dirs[nr++] = sqlite3_column_int64(st, 0);
	reader_done(st);
	rc = end_rows(db, rc, "list artist folders");
	if (rc)
		return rc;
	rc = views_cover_artist(dirs, nr, &cover);
	return add_cover(ls, "artist", NULL, rc, &cover);
}

/* Fill ls, a folder depth levels below view v's own; last is the folder's
 * own name (the query, for a search). */
static int build(struct listing *ls, const struct view *v, int depth,
		 const char *last)
{
	int rc;

	switch (v->kind) {
	case VIEW_MUSIC:
		if (depth == v->depth)
			return list_tracks(ls, v);
		rc = list_groups(ls, v, v->levels[depth]);
		if (!rc && v->levels[depth] == &by_album_year)
			rc = add_artist_image(ls, v);
		return rc;
	case VIEW_MANGA:
		if (depth == 2)
			return list_volume_folder(ls);
		return depth ? list_volumes(ls) : list_series(ls);
	case VIEW_SIMILAR:
		return depth ? list_similar(ls, last) : 0;
	default:
		return depth ? list_search(ls, last) : 0;
	}
}

/* A folder's queries (its entries, its cover) read one snapshot of the
 * store, which costs one lock of it rather than one per query. */
static int build_snapshot(struct listing *ls, const struct view *v,
			  int depth)
{
	sqlite3 *db = reader_begin();
	int rc;

	if (!db)
		return -EIO;
	rc = build(ls, v, depth, strrchr(ls->path, '/') + 1);
	reader_end(db);
	return rc;
}

/* Drop every cached folder once the store has moved, keeping it for
 * views_retired() while there is room: past that, the kernel's own
 * timeouts are what forget its entries. */
static void cache_check(void)
{
	uint64_t gen = indexer_generation();

	if (gen == cache_generation)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		if (cache[i] && nr_retired < CACHE_SLOTS)
			retired[nr_retired++] = cache[i];
		else
			listing_free(cache[i]);
		cache[i] = NULL;
	}
	cache_generation = gen;
	cache_epoch++;
}

/* Whether ls is the folder at the len bytes of path. */
static int listing_is(const struct listing *ls, const char *path, size_t len)
{
	return ls->len == len && !memcmp(ls->path, path, len);
}

/* A linear look is enough: the cache is small, and a walk asks for the
 * folder it just listed. A folder begun before the store last moved is
 * not the store's any more. */
static struct listing *cache_find(const char *path, size_t len)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct listing *ls = cache[i];

		if (ls && ls->generation == cache_generation &&
		    listing_is(ls, path, len)) {
			ls->used = ++cache_tick;
			return ls;
		}
	}
	return NULL;
}

/* Keep ls in place of the folder used longest ago. */
static void cache_put(struct listing *ls)
{
	size_t slot = 0;

	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		if (!cache[i]) {
			slot = i;
			break;
		}
		if (cache[i]->used < cache[slot]->used)
			slot = i;
	}
	listing_free(cache[slot]);
	ls->used = ++cache_tick;
	cache[slot] = ls;
}

/* A view owns its folder and everything below it, never a sibling that
 * only starts with its name. */
static const struct view *view_of(const char *path, const char **rest)
{
	for (size_t i = 0; i < NR_VIEWS; i++) {
		size_t n = strlen(views[i].root);

		if (!strncmp(path, views[i].root, n) &&
		    (!path[n] || path[n] == '/')) {
			*rest = path + n;
			return &views[i];
		}
	}
	return NULL;
}

int views_owns(const char *path)
{
	const char *rest;

	return view_of(path, &rest) != NULL;
}

/* How many names follow the view's own folder in rest ("/a/b" is 2). */
static int depth_of(const char *rest)
{
	int d = 0;

	for (; *rest; rest++)
		d += *rest == '/';
	return d;
}

static int get_listing(const struct view *v, const char *path, size_t len,
		       int depth, struct listing **out);

/* Take the keys of the folder named by path's last name from its parent:
 * they select what ls holds. */
static int inherit_keys(struct listing *ls, const struct view *v,
			const char *path, size_t len, int depth)
{
	const char *slash = memrchr(path, '/', len);
	const struct views_entry *e;
	struct listing *parent;
	const struct item *it;
	char *name;
	int rc;

	rc = get_listing(v, path, slash - path, depth - 1, &parent);
	if (rc)
		return rc;
	name = strndup(slash + 1, len - (slash + 1 - path));
	if (!name)
		return -ENOMEM;
	e = views_list_find(&parent->names, name);
	free(name);
	if (!e)
		return -ENOENT;
	it = &parent->items[e->index];
	if (it->type != ITEM_DIR)
		return -ENOTDIR;
	for (int i = 0; i < parent->nchain; i++)
		if (!(ls->chain[ls->nchain++] = sqlite3_value_dup(
			      parent->chain[i])))
			return -ENOMEM;
	for (int k = 0; k < 2 && it->key[k]; k++)
		if (!(ls->chain[ls->nchain++] = sqlite3_value_dup(it->key[k])))
			return -ENOMEM;
	return 0;
}

/* A walk of the tree goes deep before it comes back up: keep a folder's
 * ancestors as fresh in the cache as the folder itself, or the wide ones
 * near the top would be made again for every few folders below them. */
static void touch_ancestors(const char *path, size_t len, int depth)
{
	while (depth-- > 0) {
		len = (const char *)memrchr(path, '/', len) - path;
		cache_find(path, len);
	}
}

static struct listing *building_find(const char *path, size_t len)
{
	struct listing *ls = building;

	while (ls && !listing_is(ls, path, len))
		ls = ls->next_building;
	return ls;
}

/* Make ls, begun under cache_lock, without it: the queries take the
 * time, and other threads find other folders in the cache meanwhile. */
static int build_unlocked(struct listing *ls, const struct view *v,
			  int depth)
{
	int rc;

	pthread_mutex_unlock(&cache_lock);
	rc = build_snapshot(ls, v, depth);
	if (!rc)
		rc = views_list_settle(&ls->names);
	pthread_mutex_lock(&cache_lock);
	return rc;
}

static void building_done(struct listing *ls)
{
	struct listing **p = &building;

	while (*p != ls)
		p = &(*p)->next_building;
	*p = ls->next_building;
	pthread_cond_broadcast(&built);
}

/* The listing of the folder at the len bytes of path, depth levels below
 * view v's own, from the cache or made (its parents too) and cached.
 * Called with cache_lock held, which it lets go while it makes one. */
static int get_listing(const struct view *v, const char *path, size_t len,
		       int depth, struct listing **out)
{
	struct listing *ls;
	int rc = 0;

	while (!(ls = cache_find(path, len)) && building_find(path, len))
		pthread_cond_wait(&built, &cache_lock);
	*out = ls;
	if (ls) {
		touch_ancestors(path, len, depth);
		return 0;
	}
	if (depth > v->depth)
		return -ENOTDIR;
	ls = calloc(1, sizeof(*ls));
	if (!ls || !(ls->path = strndup(path, len))) {
		free(ls);
		return -ENOMEM;
	}
	ls->len = len;
	ls->serial = ++listings_made;
	ls->generation = cache_generation;
	ls->epoch = cache_epoch;
	ls->next_building = building;
	building = ls;
	if (depth > 0 && v->kind < VIEW_SEARCH)
		rc = inherit_keys(ls, v, path, len, depth);
	if (!rc)
		rc = build_unlocked(ls, v, depth);
	building_done(ls);
	if (rc) {
		listing_free(ls);
		return rc;
	}
	cache_put(ls);
	*out = ls;
	return 0;
}

/* Queue the folders of ls from its entry from on, at most budget of them
 * counting those already made or queued; returns how many it counted. */
static size_t prefetch_folders(const struct listing *ls, size_t from,
			       size_t budget)
{
	struct strbuf path = STRBUF_INIT;
	size_t ahead = 0;

	for (size_t i = from; i < ls->names.nr && ahead < budget; i++) {
		const struct views_entry *e = &ls->names.v[i];
		size_t k;

		if (ls->items[e->index].type != ITEM_DIR)
			continue;
		ahead++;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", ls->path, e->name);
		if (cache_find(path.buf, path.len) ||
		    building_find(path.buf, path.len))
			continue;
		for (k = 0; k < prefetch.nr; k++)
			if (!strcmp(prefetch.queue[(prefetch.first + k) %
						   PREFETCH_QUEUE], path.buf))
				break;
		if (k < prefetch.nr)
			continue;
		if (prefetch.nr == PREFETCH_QUEUE) {
			free(prefetch.queue[prefetch.first]);
			prefetch.first = (prefetch.first + 1) % PREFETCH_QUEUE;
			prefetch.nr--;
		}
		prefetch.queue[(prefetch.first + prefetch.nr) %
			       PREFETCH_QUEUE] = strbuf_detach(&path, NULL);
		prefetch.nr++;
		pthread_cond_signal(&prefetch.wake);
	}
	strbuf_release(&path);
	return ahead;
}

/* Make the queued folders, oldest first, until views_stop(). A folder
 * that cannot be made is left to the request that asks for it, which
 * tells why. */
static void *prefetch_run(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&cache_lock);
	while (!prefetch.stop) {
		const struct view *v;
		struct listing *ls;
		const char *rest;
		char *path;

		if (!prefetch.nr) {
			pthread_cond_wait(&prefetch.wake, &cache_lock);
			continue;
		}
		path = prefetch.queue[prefetch.first];
		prefetch.first = (prefetch.first + 1) % PREFETCH_QUEUE;
		prefetch.nr--;
		cache_check();
		v = view_of(path, &rest);
		if (v)
			get_listing(v, path, strlen(path), depth_of(rest), &ls);
		free(path);
	}
	pthread_mutex_unlock(&cache_lock);
	return NULL;
}

/*
 * A walk of the tree (find, du, a file manager opening folders) goes
 * depth first, each folder a round trip through the kernel: have the
 * prefetcher make the next few folders of that order in the meantime.
 * After a folder of folders comes its first folder, or its first few when
 * they hold the files; after a folder without folders, the few after it,
 * and when they run out, the one after its parent, and so up. A folder of
 * folders is made only just before the walk reaches it: made sooner, it
 * would leave the cache before it is asked for.
 */
static void prefetch_next(const struct view *v, const struct listing *ls,
			  int depth)
{
	size_t budget = depth + 1 < v->depth ? 1 : PREFETCH_AHEAD;
	const struct views_entry *e;
	struct listing *parent;
	const char *slash;
	int rc;

	/* A walk reads a folder to its end: a request that finds nothing
	 * left follows the one that listed it. */
	if (v->kind >= VIEW_SEARCH || prefetch.stop ||
	    ls->serial == prefetch.last)
		return;
	prefetch.last = ls->serial;
	if (!prefetch.started) {
		rc = pthread_create(&prefetch.thread, NULL, prefetch_run, NULL);
		if (rc) {
			log_warn("views: cannot start the prefetcher: %s",
				 strerror(rc));
			prefetch.stop = 1;
			return;
		}
		prefetch.started = 1;
	}
	if (prefetch_folders(ls, 0, budget))
		return;
	for (budget = PREFETCH_AHEAD; depth > 0 && budget; depth--) {
		slash = strrchr(ls->path, '/');
		parent = cache_find(ls->path, slash - ls->path);
		e = parent ? views_list_find(&parent->names, slash + 1) : NULL;
		if (!e)
			return;
		if (prefetch_folders(parent, e - parent->names.v + 1, budget))
			return;
		ls = parent;
		budget = 1;
	}
}

void views_stop(void)
{
	pthread_mutex_lock(&cache_lock);
	prefetch.stop = 1;
	pthread_cond_signal(&prefetch.wake);
	pthread_mutex_unlock(&cache_lock);
	if (prefetch.started)
		pthread_join(prefetch.thread, NULL);
	pthread_mutex_lock(&cache_lock);
	prefetch.started = 0;
	for (; prefetch.nr; prefetch.nr--) {
		free(prefetch.queue[prefetch.first]);
		prefetch.first = (prefetch.first + 1) % PREFETCH_QUEUE;
	}
	pthread_mutex_unlock(&cache_lock);
}

/* A missing volume is an empty file: there is nothing to read. */
static int render_nothing(struct strbuf *out)
{
	(void)out;
	return 0;
}

/* Only files carry what fs.c needs (the files.id); folders are resolved
 * again from their path. */
static void item_node(const struct item *it, struct node *out)
{
	static const struct node empty_file = {
		NODE_FILE, .render = render_nothing,
	};

	switch (it->type) {
	case ITEM_DIR:
		*out = (struct node){ .type = NODE_DIR, .dynamic = 1 };
		break;
	case ITEM_FILE:
		*out = (struct node){ .type = NODE_REAL, .file = it->file };
		break;
	default:
		*out = empty_file;
	}
}

/* Keep where a track is for views_real_stat() and views_real_open(). */
static void resolved(const struct item *it, struct node *out)
{
	item_node(it, out);
	last_real.file = 0;
	if (it->real && strlen(it->real) < sizeof(last_real.path)) {
		strcpy(last_real.path, it->real);
		last_real.file = it->file;
	}
}

int views_resolve(const char *path, struct node *out)
{
	const char *rest, *slash;
	const struct view *v = view_of(path, &rest);
	const struct views_entry *e;
	struct listing *parent;
	int depth, rc;

	if (!v)
		return -ENOENT;
	depth = depth_of(rest);
	if (!depth || (v->kind >= VIEW_SEARCH && depth == 1)) {
		*out = (struct node){ .type = NODE_DIR, .dynamic = 1 };
		return 0;
	}
	slash = strrchr(path, '/');
	pthread_mutex_lock(&cache_lock);
	cache_check();
	rc = get_listing(v, path, slash - path, depth - 1, &parent);
	if (!rc) {
		e = views_list_find(&parent->names, slash + 1);
		if (e)
			resolved(&parent->items[e->index], out);
		else
			rc = -ENOENT;
	}
	pthread_mutex_unlock(&cache_lock);
	return rc == -ENOTDIR ? -ENOENT : rc;
}

static int real_path(int64_t file, struct strbuf *out);

/*
 * Whether this thread's caller may see it, an entry of a folder depth
 * levels below view v's own: a file whose real folder the caller may
 * list, a series whose folder it may list. The folders named after tags
 * stand for no folder on disk, and show to every caller.
 */
static int visible(const struct view *v, int depth, const struct item *it)
{
	struct strbuf path = STRBUF_INIT;
	sqlite3 *db;
	char *slash;
	int rc = 0, may = 0;

	if (it->type == ITEM_FILE && it->real) {
		strbuf_addstr(&path, it->real);
	} else if (it->type == ITEM_FILE) {
		rc = real_path(it->file < 0 ? -it->file : it->file, &path);
	} else if (it->type == ITEM_DIR && v->kind == VIEW_MANGA && !depth) {
		db = reader_db();
		rc = db ? manga_series_folder(db, sqlite3_value_int64(
						      it->key[0]), &path) :
			-EIO;
	} else {
		return 1;
	}
	slash = it->type == ITEM_FILE ? strrchr(path.buf, '/') : NULL;
	if (slash)
		*slash = '\0';
	if (!rc)
		may = caller_may_list(path.buf);
	strbuf_release(&path);
	return may;
}

int views_list(const char *path,
	       int (*fn)(const char *name, const struct node *child,
			 void *arg),
	       void *arg)
{
	const char *rest;
	const struct view *v = view_of(path, &rest);
	int depth, all = caller_is_owner();
	struct listing *ls;
	int rc;

	if (!v)
		return -ENOENT;
	depth = depth_of(rest);
	pthread_mutex_lock(&cache_lock);
	cache_check();
	rc = get_listing(v, path, strlen(path), depth, &ls);
	if (!rc)
		prefetch_next(v, ls, depth);
	for (size_t i = 0; !rc && i < ls->names.nr; i++) {
		const struct item *it = &ls->items[ls->names.v[i].index];
		struct node n;

		if (!all && !visible(v, depth, it))
			continue;
		item_node(it, &n);
		if (fn(ls->names.v[i].name, &n, arg))
			break;
	}
	pthread_mutex_unlock(&cache_lock);
	return rc;
}

void views_retired(void (*fn)(const char *path, void *arg), void *arg)
{
	struct listing *gone[CACHE_SLOTS];
	struct strbuf path = STRBUF_INIT;
	size_t nr;

	pthread_mutex_lock(&cache_lock);
	cache_check();
	nr = nr_retired;
	memcpy(gone, retired, nr * sizeof(*gone));
	nr_retired = 0;
	pthread_mutex_unlock(&cache_lock);
	for (size_t i = 0; i < nr; i++) {
		struct listing *ls = gone[i];

		fn(ls->path, arg);
		for (size_t k = 0; k < ls->names.nr; k++) {
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/%s", ls->path,
				    ls->names.v[k].name);
			fn(path.buf, arg);
		}
		listing_free(ls);
	}
	strbuf_release(&path);
}

/* Where the file with this files.id is on disk. */
static int real_path(int64_t file, struct strbuf *out)
{
	sqlite3_stmt *st;
	sqlite3 *db;
	int rc;

	if (file && file == last_real.file) {
		strbuf_addstr(out, last_real.path);
		return 0;
	}
	rc = prepare("SELECT r.path, f.path FROM files f"
		     " JOIN roots r ON r.id = f.root_id WHERE f.id = ?1",
		     "find real file", &db, &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, file);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		strbuf_add(out, sqlite3_column_blob(st, 0),
			   sqlite3_column_bytes(st, 0));
		strbuf_addch(out, '/');
		strbuf_add(out, sqlite3_column_blob(st, 1),
			   sqlite3_column_bytes(st, 1));
	}
	reader_done(st);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? -ENOENT : db_error(db, rc, "find real file");
}

int views_real_stat(int64_t file, struct stat *st)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	if (file < 0)
		return views_cover_stat(-file, st);
	rc = real_path(file, &path);
	if (!rc)
		rc = caller_stat(path.buf, st);
	if (!rc && !S_ISREG(st->st_mode))
		rc = -ENOENT;
	strbuf_release(&path);
	if (!rc)
		st->st_mode &= ~(mode_t)0222;
	return rc;
}

int views_real_open(int64_t file)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	if (file < 0)
		return views_cover_open(-file);
	rc = real_path(file, &path);
	if (!rc)
		rc = caller_open(path.buf, O_RDONLY);
	strbuf_release(&path);
	return rc == -EXDEV ? -EACCES : rc;
}

int views_real_access(int64_t file)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	if (caller_is_owner())
		return 0;
	rc = real_path(file < 0 ? -file : file, &path);
	if (!rc && !caller_may_read(path.buf))
		rc = -EACCES;
	strbuf_release(&path);
	return rc;
}
