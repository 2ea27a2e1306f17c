/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_INDEX_H
#define MEDIAMON_SUBSONIC_INDEX_H
/*
 * What the Subsonic lists (fs/subsonic/subsonic_lists.h) order, filter and look
 * up, so that a list costs the page it answers, not the whole music:
 * every album subsonic_music_albums() finds for this thread's caller,
 * with its name, artist folder, year and the files, names, titles and
 * years of its songs. It is gathered once for each caller identity
 * (caller_who(); the owner's callers are one) and each change of what
 * the mount lists by name (indexer_names_generation(): a rescan that
 * changed something moves it), and kept for the calls that follow,
 * for a caller other than the owner at most SUBSONIC_INDEX_KEEP_S
 * seconds: what its user may read changes with no change of names (a
 * chmod), and a folder it may newly read shows in its lists within that
 * time (one it may no longer read leaves them at once, below).
 * SUBSONIC_INDEX_KEPT identities are kept, a newer one taking the place
 * of the one used least recently.
 *
 * It gives nothing to a client itself: a page's albums and songs are
 * read again through the view as the caller (subsonic_music_get(),
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
	} *songs;
	size_t nsongs;
	size_t *by_file;	/* the songs' indexes by their files */
	int refs;	/* the keeper's and each subsonic_index_get()'s */
};

/* The index of this thread's caller into *out, in the view's order (by
 * artist, then album), to give back with subsonic_index_put(): 0 or a
 * negative errno value. Any thread that answers a Subsonic request. */
int subsonic_index_get(struct subsonic_index **out);

/* Give back an index subsonic_index_get() gave. */
void subsonic_index_put(struct subsonic_index *ix);

/* The song of ix whose file is file (a files.id), or NULL. */
const struct subsonic_index_song *
subsonic_index_find(const struct subsonic_index *ix, int64_t file);
#endif
