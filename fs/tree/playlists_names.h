/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PLAYLISTS_NAMES_H
#define MEDIAMON_PLAYLISTS_NAMES_H

/*
 * The names of the named playlists of /playlists (playlists.h) a caller
 * may see: of the analysed tracks (similar/, mix/), of the genres and of
 * the decades, each made safe as a file name (playlists_safe_name()),
 * sorted, and numbered (" (2)", ...) or dropped when one name comes again.
 *
 * A list is read from the store once for each generation of the store
 * (indexer_generation()) and caller identity (caller_who(); the owner's
 * callers are one), and kept for the lookups and listings that follow:
 * a listing of /playlists reads the store once for each kind of name,
 * not once for each name it looks up. PLAYLISTS_NAMES_KEPT identities
 * are kept for each kind; a newer one takes the place of the one used
 * least recently.
 *
 *	struct playlists_names *ns;
 *
 *	if (!playlists_names_get(PLAYLISTS_NAMES_TRACKS, &ns)) {
 *		for (size_t i = 0; i < ns->nr; i++)
 *			use(ns->v[i].text, ns->v[i].key);
 *		playlists_names_put(ns);
 *	}
 *
 * The tracks' names are those of the similar_tracks analysed tracks
 * found last (by track id; the [playlists] similar_tracks key), none
 * when it is 0.
 */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct strbuf;

#define PLAYLISTS_NAME_MAX 200
#define PLAYLISTS_NAMES_KEPT 4
/* [playlists] similar_tracks until the configuration's is set */
#define PLAYLISTS_SIMILAR_TRACKS 1000

enum playlists_names_kind {
	PLAYLISTS_NAMES_TRACKS,		/* "ARTIST - TITLE", key the track */
	PLAYLISTS_NAMES_GENRES,		/* the genre, key a track of it */
	PLAYLISTS_NAMES_DECADES,	/* "1990s", key the decade */
	PLAYLISTS_NAMES_KINDS
};

struct playlists_names {
	struct playlists_name {
		char *text;
		int64_t key;
		char *path;	/* a track's, to check for the caller */
	} *v;
	size_t nr, alloc;
	int owner;
	int refs;	/* the keeper's and each playlists_names_get()'s */
	uint64_t hash;	/* of the names */
	/* When the names were first seen as they are, for this caller
	 * (fs/tree/stamps.h, kept across restarts): the mtime of the folders
	 * that list them. */
	struct timespec at;
};

/* Make the name at out->buf + start safe as a file name: '/' and control
 * characters as '_', a leading '.' as '_', at most PLAYLISTS_NAME_MAX
 * bytes, cut on a character's start. */
void playlists_safe_name(struct strbuf *out, size_t start);

/*
 * Append s to out as the text of an #EXTINF line: every character that
 * a player may take for the end of a line (a control character, NEL,
 * U+2028 and U+2029) a space, so that no tag starts a line of its own.
 */
void playlists_extinf_text(struct strbuf *out, const char *s);

/* The names of kind for this thread's caller, into *out, to give back
 * with playlists_names_put(): 0 or a negative errno value (logged). Any
 * thread. */
int playlists_names_get(enum playlists_names_kind kind,
			struct playlists_names **out);

/* Give back a list playlists_names_get() gave. */
void playlists_names_put(struct playlists_names *ns);

/* How many tracks have similar/ and mix/ playlists (the [playlists]
 * similar_tracks key): those of the n analysed tracks found last, none
 * when n is 0. The kept lists follow. Any thread. */
void playlists_set_similar_tracks(int n);

/* Drop every kept list, at the session's end. */
void playlists_names_clear(void);

#endif
