/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RELEASE_H
#define MEDIAMON_RELEASE_H

/*
 * The releases found for the wanted volumes of a manga series, from the
 * local catalog or Prowlarr, gathered volume by volume and ranked best
 * first.
 *
 *	struct release_want *w = calloc(nr, sizeof(*w));
 *
 *	w[0].volume = 12;
 *	release_want_add(&w[0], &(struct release){ .title = "...", ... });
 *	release_want_rank(&w[0]);		(w[0].r[0] is the best)
 *	release_wants_free(w, nr);
 */

#include <stddef.h>
#include <stdint.h>

struct json_t;

struct release {
	char *title, *link, *magnet, *guid, *indexer;
	const char *source;		/* "catalog" or "prowlarr" (static) */
	const char *protocol;		/* "torrent", "usenet" or NULL
					 * (static) */
	int order;			/* the source's place in the flow's
					 * search_sources */
	int indexer_id, seeders;
	int64_t size;			/* -1: unknown */
	double first, last;		/* the volumes it holds */
	double published_at;		/* epoch seconds, 0: unknown */
	double found_at;		/* when the source answered */
	int pref;			/* the preferences' rank, lower
					 * first (prefs.h); 0: none */
	int year;			/* release_want_years(): 0 names
					 * the series' year (or it has
					 * none), 1 no year, 2 another */
};

struct release_want {
	int volume;
	int newly_found;		/* releases now, none at the last
					 * check (set when stored) */
	struct json_t *dropped;		/* [{title, source, reason}] the
					 * preferences did not take
					 * (prefs.h), or NULL */
	struct release *r;
	size_t nr, alloc;
};

/* The length of a release's id: hexadecimal digits. */
#define RELEASE_ID_LEN 16

/*
 * A release's id into out (RELEASE_ID_LEN digits and a NUL): a digest of
 * its guid (Prowlarr's), else its link, else its magnet, else its title,
 * so that the same release has the same id at every check.
 */
void release_id(const char *guid, const char *link, const char *magnet,
		const char *title, char out[RELEASE_ID_LEN + 1]);

/*
 * Give w a copy of r, its strings copied (title required, the others may
 * be NULL). Returns 0 or -ENOMEM (logged).
 */
int release_want_add(struct release_want *w, const struct release *r);

/* Remove w's release i, keeping the order of the others. */
void release_want_remove(struct release_want *w, size_t i);

/*
 * Set the year of w's releases from the year the series folder's name
 * ends with ("Dune (2020)"): a title naming that year first, then one
 * naming no year, then one naming another ("Dune (1984) T02"). A folder
 * without a year leaves them all 0. The year is never searched for
 * (names_title_len()): it only breaks ties in release_want_rank().
 */
void release_want_years(struct release_want *w, const char *series);

/*
 * Sort w's releases best first: by the preferences' rank (language,
 * group, packs), a single volume before a range holding it, the year
 * (release_want_years()), then by order (the configured order of
 * sources), then more seeders, newer, larger, and by title last, so
 * that the order never depends on how the sources answered.
 */
void release_want_rank(struct release_want *w);

/* Free the nr wants at w with their releases; NULL is allowed. */
void release_wants_free(struct release_want *w, size_t nr);

#endif
