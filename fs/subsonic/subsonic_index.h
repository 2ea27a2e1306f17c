/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_INDEX_H
#define MEDIAMON_SUBSONIC_INDEX_H
/*
 * What the Subsonic lists (fs/subsonic/subsonic_lists.h) order, filter and look
 * up, so that a list costs the page it answers, not the whole music:
 * every album subsonic_music_albums() finds, with its name, artist
 * folder, year and the files, names, titles, years and paths on disk of
 * its songs. The owner's is gathered through the view, the first time
 * on the first request, then, for each change of what the mount lists
 * by name (indexer_names_generation(): a rescan that changed something
 * moves it), ahead on a thread of its own (mm-subsonic), woken by the
 * store's move, which makes the accounts' asked for in the last
 * SUBSONIC_INDEX_KEEP_S seconds again from it after. Another caller's
 * (caller_who() tells them apart) is made from the owner's without
 * walking the view: the songs whose files it may read, checked at once
 * with one change of identity (caller_may_read_each()), and the albums
 * that keep one. Until the thread is done, a request gets the index
 * kept, of the generation before (subsonic_index_previous() says so):
 * what came since shows once it is done, what went is left out of the
 * answer (below). A caller other than the owner's is kept at most
 * SUBSONIC_INDEX_KEEP_S seconds: what its user may read changes with no
 * change of names (a chmod), and a folder it may newly read shows in its
 * lists within that time (one it may no longer read leaves them at
 * once, below: subsonic_index_may() and subsonic_index_seen() judge the
 * rights of now, and the files still there). SUBSONIC_INDEX_KEPT
 * identities are kept, a newer one taking the place of the one used
 * least recently (never the owner's, which the others are made from).
 *
 * It gives nothing to a client itself: a page's albums and songs are
 * judged again as the caller (subsonic_brief_album(),
 * subsonic_music_song_at()), so their rights, marks and analysis are
 * those of the moment; one that went meanwhile is left out of the page.
 *
 *	struct subsonic_index *ix;
 *
 *	if (!subsonic_index_get(&ix)) {
 *		for (size_t i = 0; i < ix->nalbums; i++)
 *			use(ix->albums[i].rel);
 *		subsonic_index_put(ix);
 *	}
 */
#include <stddef.h>
#include <stdint.h>

#define SUBSONIC_INDEX_KEPT 4
#define SUBSONIC_INDEX_KEEP_S 60.0

struct subsonic_index {
	struct subsonic_index_album {
		char *rel;	/* "ARTIST/ALBUM", its folders in the view */
		char *name;	/* the tags' */
		char *artist;	/* its artist folder's name */
		char *name_fold, *artist_fold;	/* fold_name()'s */
		long year;	/* the greatest of its songs', or 0 */
		int64_t last;	/* the greatest files.id of its songs */
		int cover;	/* it has a cover.EXT */
		size_t song, nsongs;	/* its songs in songs */
	} *albums;
	size_t nalbums;
	struct subsonic_index_song {
		int64_t file;	/* files.id */
		char *name;	/* its file's in the album folder */
		char *title;
		char *title_fold;	/* fold_name()'s */
		char *genre;	/* its tag, or NULL */
		long duration;	/* whole seconds */
		int64_t first_seen;	/* files.first_seen, or 0 */
		long year;
		size_t album;	/* in albums */
		char *path;	/* its file on disk, absolute */
	} *songs;
	size_t nsongs;
	size_t *by_file;	/* the songs' indexes by their files */
	uint64_t generation;	/* the names' it was made at */
	int refs;	/* the keeper's and each subsonic_index_get()'s */
	/* the owner's, whose strings a caller's holds, or NULL */
	struct subsonic_index *base;
};

/* The index of this thread's caller into *out, in the view's order (by
 * artist, then album), to give back with subsonic_index_put(): 0 or a
 * negative errno value. Any thread that answers a Subsonic request. */
int subsonic_index_get(struct subsonic_index **out);

/* Give back an index subsonic_index_get() gave. */
void subsonic_index_put(struct subsonic_index *ix);

/* Whether subsonic_index_get() gave this thread an index of another
 * generation than the store's names since this was last asked: 1 or
 * 0, and it is 0 again. */
int subsonic_index_previous(void);

/* Stop the thread that makes the indexes again, and let the kept ones
 * go: once no request is answered any more (after http_stop()). */
void subsonic_index_stop(void);

/* Whether this thread's caller may now list the folder of the file of
 * each of the n songs of ix at songs (their places in ix->songs) and
 * read it, into may[i]: one change of identity for them all (the owner
 * may all, but, in an index of another generation than the store's
 * names, the files no longer there). 0 or -ENOMEM. */
int subsonic_index_may(const struct subsonic_index *ix,
		       const size_t *songs, size_t n, unsigned char *may);

/* Whether this thread's caller may now read a song of each album of ix
 * from from to to - 1, into seen[i - from] for ix->albums[i]: each
 * album's first song judged, then the others of those whose first it
 * may not read. 0 or -ENOMEM. */
int subsonic_index_seen(const struct subsonic_index *ix, size_t from,
			size_t to, unsigned char *seen);

/* Whether this thread's caller may now read a song of the albums of ix
 * from from to to - 1: 1, or 0 when it may not or that cannot be told
 * (fewer rights, never more). */
int subsonic_index_seen_any(const struct subsonic_index *ix, size_t from,
			    size_t to);

/* The song of ix whose file is file (a files.id), or NULL. */
const struct subsonic_index_song *
subsonic_index_find(const struct subsonic_index *ix, int64_t file);
#endif
