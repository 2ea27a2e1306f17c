/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_VIEWS_H
#define MEDIAMON_VIEWS_H

/*
 * The library views: folders made from the store whose files are the real
 * media files.
 *
 *   /library/music/artists/ALBUM ARTIST/ALBUM (YEAR)/NN - TITLE.EXT
 *   /library/music/albums/ALBUM (ALBUM ARTIST)/NN - TITLE.EXT
 *   /library/music/genres/GENRE/ALBUM ARTIST/ALBUM (YEAR)/NN - TITLE.EXT
 *   /library/music/years/YEAR/ALBUM ARTIST - ALBUM/NN - TITLE.EXT
 *   /library/manga/SERIES/Volume NNN.EXT and MISSING - VOLUME N (a volume
 *                         that is a folder of images: Volume NNN/IMAGES)
 *   /search/QUERY/NN - TITLE.EXT
 *   /similar/QUERY/NN - TITLE.EXT
 *
 * A track is "D-NN - TITLE.EXT" when its folder holds several discs, and
 * "TITLE.EXT" when it has no number; missing tags read "Unknown Artist",
 * "Unknown Album", "Unknown Genre", "Unknown Year"; " (YEAR)" is left out
 * when the album has none. Names follow views_name.h.
 *
 * Album folders also hold cover.EXT and folder.EXT, artist folders
 * artist.EXT, when indexer/library/covers.h finds such an image.
 *
 * /search/QUERY holds the tracks (at most VIEWS_SEARCH_MAX of
 * views_music.h, best first) whose title, artist, album or album artist
 * hold every word of QUERY as the start of a word, accents folded; QUERY
 * is plain text, never FTS5 syntax, and /search itself lists nothing.
 *
 * /similar/QUERY holds the SIMILAR_MAX tracks most similar to the
 * best match of QUERY (as /search finds it), by
 * indexer/analysis/similar.h; the best match itself is not listed, and
 * the folder is empty when nothing matches or the best match is not
 * analysed yet.
 *
 * Folders are listed once per change of the store (indexer_generation())
 * and kept in a small cache (views_cache.h), so a walk of the tree reads
 * each one once; listing a folder has a thread make the next few folders
 * a walk goes to ahead of the request (views_prefetch.h). The folders
 * are made by views_music.h and views_manga.h from what the store lists
 * (indexer/library/query_views.h). A caller other than the daemon's user
 * (caller.h) is shown, of each folder, the files it may read in a folder
 * it may list (a picture embedded in a track: where it may read the
 * track), the folders named after tags that such a file carries, and the
 * series whose folder it may list with all in them; what it is not shown
 * is not there for it (-ENOENT), as a name that never was. Its verdicts
 * are kept with the folder's listing, per caller, CALLER_KEEP_S seconds.
 *
 *	struct node n;
 *
 *	if (views_owns(path) && !views_resolve(path, &n) &&
 *	    n.type == NODE_REAL)
 *		fd = views_real_open(n.file, &copy);	(views_real.h)
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct node;

/* Nonzero when path is a view's own folder (/search, ...) or below one. */
int views_owns(const char *path);

/* Whether this thread's caller may list the folder of the series (a
 * series.id) on disk: what shows the series in the views and feeds. */
int views_series_listable(int64_t series);

/*
 * Fill *out for a path below a view's folder: a dynamic NODE_DIR, a
 * NODE_REAL whose file is the store's files.id, or an empty NODE_FILE
 * (a missing volume). Returns 0, -ENOENT, or another negative errno
 * value when the store cannot be read.
 */
int views_resolve(const char *path, struct node *out);

/*
 * Call fn with the name and node of every entry of the view folder at
 * path, in name order; stops when fn returns nonzero. Returns 0, -ENOENT,
 * -ENOTDIR, or another negative errno value.
 */
int views_list(const char *path,
	       int (*fn)(const char *name, const struct node *child,
			 void *arg),
	       void *arg);

/*
 * A hash of the names the view folder at path holds for this thread's
 * caller, in name order, at *names: what its time is told by (a folder
 * whose names did not change keeps its time). Lists it as views_list()
 * does, but makes nothing ahead of a walk. Returns what views_list() does.
 */
int views_names_hash(const char *path, uint64_t *names);

/*
 * Call fn with the path of every folder listed before the store last
 * moved (indexer_generation()) and of every entry it held, then forget
 * them: the kernel may still keep those entries. Meant for a thread that
 * is not a FUSE callback; fn runs without any lock of this module held.
 * When nothing moved since the last call, fn is not called.
 */
void views_retired(void (*fn)(const char *path, void *arg), void *arg);

/*
 * Stop the thread that makes ahead the folders a walk will list next, and
 * make none any more: before the store's readers close, at unmount.
 */
void views_stop(void);

/* The attribute name of the track of file (a files.id) for the caller of
 * req, or the names of all it has when name is NULL, as
 * track_attrs_get() and track_attrs_list() give them: its album's gain
 * computed over the album's tracks the caller may read. */
struct fuse_req;
int views_track_attrs(struct fuse_req *req, int64_t file, const char *name,
		      char *buf, size_t size);
/* The same for the caller this thread already holds (caller_begin_user()
 * and its like). */
int views_track_attrs_held(int64_t file, const char *name, char *buf,
			   size_t size);
/* Every attribute of the track of file for the caller this thread holds,
 * in one read, as track_attrs_all() gives them. */
int views_track_record_held(int64_t file, char *buf, size_t size);

#endif
