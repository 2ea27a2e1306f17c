/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The folders of the music views, /search and /similar (views_music.h),
 * named by views_name.h, with the covers and artist images added. It fills
 * the listing it is given and opens no snapshot of its own.
 */
#include "fs/tree/views_music.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/strbuf.h"

#define ARTIST_DIRS 16		/* album folders looked above for an image */
#define COVER_MEMO 16384	/* album folders whose cover is kept */
#define COVER_MEMO_PROBES 8

/* How the folders of a level are named from its two labels. */
static const struct {
	const char *fallback[2];
	enum {
		FORM_ONE,	/* LABEL1 */
		FORM_YEAR,	/* LABEL1 (LABEL2), or LABEL1 without one */
		FORM_PAREN,	/* LABEL1 (LABEL2) */
		FORM_DASH,	/* LABEL1 - LABEL2 */
	} form;
} names[] = {
	[QUERY_BY_ARTIST] = { { "Unknown Artist" }, FORM_ONE },
	[QUERY_BY_ALBUM_YEAR] = { { "Unknown Album" }, FORM_YEAR },
	[QUERY_BY_ALBUM_ARTIST] = { { "Unknown Album", "Unknown Artist" },
				    FORM_PAREN },
	[QUERY_BY_GENRE] = { { "Unknown Genre" }, FORM_ONE },
	[QUERY_BY_YEAR] = { { "Unknown Year" }, FORM_ONE },
	[QUERY_BY_ARTIST_ALBUM] = { { "Unknown Artist", "Unknown Album" },
				    FORM_DASH },
};

/* The cover of the album folders listed since the store last moved, by
 * the folder's first track: an album is a folder of each music view, and
 * finding its cover takes two queries. Under memo_lock. */
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cover_memo {
	int64_t track;
	uint64_t epoch;
	int found;
	struct cover cover;
} cover_memo[COVER_MEMO];

/* A label as a name part, or its fallback when empty. */
static void add_label(struct strbuf *name, const struct query_group *g,
		      int i, const char *fallback)
{
	if (g->label[i] && g->label_len[i])
		views_name_add(name, g->label[i], g->label_len[i]);
	else
		strbuf_addstr(name, fallback);
}

struct groups {
	struct views_listing *ls;
	enum query_level level;
};

/* A folder of a music view, named after its labels, with its keys. */
static int add_group(void *arg, const struct query_group *g)
{
	const struct groups *gr = arg;
	int form = names[gr->level].form;
	int paren = form == FORM_PAREN ||
		    (form == FORM_YEAR && g->label_len[1] > 0);
	struct views_item it = { .type = VIEWS_ITEM_DIR, .nkeys = g->nkeys,
				 .file = g->file,
				 .file_decides = g->file_decides };
	struct strbuf name = STRBUF_INIT;
	int rc = 0;

	add_label(&name, g, 0, names[gr->level].fallback[0]);
	if (form == FORM_DASH)
		strbuf_addstr(&name, " - ");
	else if (paren)
		strbuf_addstr(&name, " (");
	if (form == FORM_DASH || paren)
		add_label(&name, g, 1, names[gr->level].fallback[1]);
	if (paren)
		strbuf_addch(&name, ')');
	for (int k = 0; !rc && k < g->nkeys; k++)
		rc = query_key_copy(&it.key[k], &g->key[k]);
	if (!rc)
		rc = views_listing_add(gr->ls, &name, 0, &it);
	if (rc) {
		query_key_clear(&it.key[0]);
		query_key_clear(&it.key[1]);
	}
	strbuf_release(&name);
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

struct tracks {
	struct track_row *rows;
	size_t nr, alloc;
};

/* Keep a track's row: the tracks of a folder are named once all are
 * known, as the disc goes first when the folder holds several. */
static int keep_track(void *arg, const struct query_track *t)
{
	struct tracks *ts = arg;
	size_t ext = views_name_ext(t->path, t->path_len);
	struct track_row *r;

	r = array_grow(ts->rows, ts->nr, &ts->alloc, sizeof(*r), 32);
	if (!r)
		return -ENOMEM;
	ts->rows = r;
	r = &ts->rows[ts->nr];
	r->file = t->file;
	r->track = t->track;
	r->disc = t->disc;
	r->disc_total = t->disc_total;
	r->title_len = t->title_len;
	r->title = malloc(r->title_len + 1);
	r->real = NULL;
	if (!r->title || (t->root && asprintf(&r->real, "%s/%.*s", t->root,
					      (int)t->path_len, t->path) < 0)) {
		free(r->title);
		return -ENOMEM;
	}
	if (r->title_len)	/* the blob of "" may be NULL */
		memcpy(r->title, t->title, r->title_len);
	memcpy(r->ext, t->path + t->path_len - ext, ext);
	r->ext[ext] = '\0';
	ts->nr++;
	return 0;
}

/* Name the tracks of one folder: the disc goes first when the folder
 * holds several. */
static int name_tracks(struct views_listing *ls, struct tracks *ts)
{
	struct strbuf name = STRBUF_INIT;
	int discs = 0, rc = 0;

	for (size_t i = 0; i < ts->nr; i++)
		discs |= ts->rows[i].disc > 1 || ts->rows[i].disc_total > 1;
	for (size_t i = 0; !rc && i < ts->nr; i++) {
		struct track_row *r = &ts->rows[i];
		struct views_item it = {
			.type = VIEWS_ITEM_FILE, .file = r->file,
			.real = r->real,
		};

		strbuf_reset(&name);
		if (r->track > 0 && discs)
			strbuf_addf(&name, "%d-%02d - ",
				    r->disc > 0 ? r->disc : 1, r->track);
		else if (r->track > 0)
			strbuf_addf(&name, "%02d - ", r->track);
		views_name_add(&name, r->title, r->title_len);
		strbuf_addstr(&name, r->ext);
		rc = views_listing_add(ls, &name, strlen(r->ext), &it);
		if (!rc)
			r->real = NULL;
	}
	strbuf_release(&name);
	return rc;
}

/* List the tracks that list() hands over, in its order. */
static int list_tracks_of(struct views_listing *ls,
			  int (*list)(const void *what,
				      int (*fn)(void *arg,
						const struct query_track *t),
				      void *arg),
			  const void *what)
{
	struct tracks ts = { NULL, 0, 0 };
	int rc = list(what, keep_track, &ts);

	if (!rc)
		rc = name_tracks(ls, &ts);
	for (size_t i = 0; i < ts.nr; i++) {
		free(ts.rows[i].title);
		free(ts.rows[i].real);
	}
	free(ts.rows);
	return rc;
}

/* Name a cover found (found is 0) once or twice (second not NULL), as
 * players look for one name or the other (indexer/library/covers.h). */
static int add_cover(struct views_listing *ls, const char *first,
		     const char *second, int found,
		     const struct cover *cover)
{
	struct views_item it = { .type = VIEWS_ITEM_FILE,
				 .file = cover->file };
	struct strbuf name = STRBUF_INIT;
	int rc;

	if (found)
		return found == -ENOENT ? 0 : found;
	strbuf_addf(&name, "%s%s", first, cover->ext);
	rc = views_listing_add(ls, &name, strlen(cover->ext), &it);
	if (!rc && second) {
		strbuf_reset(&name);
		strbuf_addf(&name, "%s%s", second, cover->ext);
		rc = views_listing_add(ls, &name, strlen(cover->ext), &it);
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

/* covers_album() once per album folder and store generation (epoch
 * is the cache's when the folder was begun); an error that may pass (not
 * -ENOENT) is asked again the next time. */
static int album_cover(int64_t track, uint64_t epoch,
		       struct cover *cover)
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
	rc = covers_album(track, cover);
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

static int view_tracks(const void *at,
		       int (*fn)(void *arg, const struct query_track *t),
		       void *arg)
{
	return query_view_tracks(at, fn, arg);
}

/* The tracks of the deepest folders of a music view, and their cover,
 * which takes the name of no track: a track's name ends in its own
 * extension, a picture's never. */
static int list_tracks(struct views_listing *ls, const struct query_at *at)
{
	struct cover cover;
	int rc = list_tracks_of(ls, view_tracks, at);

	if (rc || !ls->nr)
		return rc;
	rc = album_cover(ls->items[0].file, ls->epoch, &cover);
	return add_cover(ls, "cover", "folder", rc, &cover);
}

/* An artist folder (whose folders are albums) shows the image in the
 * folder above its albums' folders, looking above a few of them. */
static int add_artist_image(struct views_listing *ls,
			    const struct query_at *at)
{
	int64_t dirs[ARTIST_DIRS];
	struct cover cover;
	size_t nr;
	int rc = query_view_dirs(at, dirs, ARTIST_DIRS, &nr);

	if (rc)
		return rc;
	rc = covers_artist(dirs, nr, &cover);
	return add_cover(ls, "artist", NULL, rc, &cover);
}

int views_music_build(struct views_listing *ls,
		      const enum query_level *levels, int view_depth,
		      int depth)
{
	struct query_at at = { levels, depth, ls->chain, ls->nchain };
	struct groups gr = { ls, levels[depth] };
	int rc;

	if (depth == view_depth)
		return list_tracks(ls, &at);
	/* added first, the image keeps its name before an album that
	 * a tag names "artist.jpg" (views_list_settle()) */
	rc = levels[depth] == QUERY_BY_ALBUM_YEAR ?
		add_artist_image(ls, &at) : 0;
	if (!rc)
		rc = query_view_groups(&at, levels[depth], add_group, &gr);
	return rc;
}

/* A query of /search, and who it is for. */
struct search_query {
	const char *text;
	int (*may)(const char *path);
};

static int search_tracks(const void *what,
			 int (*fn)(void *arg, const struct query_track *t),
			 void *arg)
{
	const struct search_query *q = what;

	return query_search_tracks(q->text, VIEWS_SEARCH_MAX, q->may, fn, arg);
}

/* The best matches, named in track id order so that the names of equal
 * titles stay the same while the library does. */
int views_music_search(struct views_listing *ls, const char *query,
		       int (*may)(const char *path))
{
	struct search_query q = { query, may };

	return list_tracks_of(ls, search_tracks, &q);
}

/* A query of /similar, who it is for, and the file of its best match. */
struct similar_query {
	const char *text;
	int (*may)(const char *path);
	struct strbuf best;
};

static int similar_tracks(const void *what,
			  int (*fn)(void *arg, const struct query_track *t),
			  void *arg)
{
	struct similar_query *q = (struct similar_query *)what;

	return query_similar_tracks(q->text, q->may, &q->best, fn, arg);
}

/* The tracks similar to the best match are shown only with it, to those
 * who may read it (ls->anchor). */
int views_music_similar(struct views_listing *ls, const char *query,
			int (*may)(const char *path))
{
	struct similar_query q = { query, may, STRBUF_INIT };
	int rc = list_tracks_of(ls, similar_tracks, &q);

	if (!rc && q.best.len)
		ls->anchor = strbuf_detach(&q.best, NULL);
	strbuf_release(&q.best);
	return rc;
}
