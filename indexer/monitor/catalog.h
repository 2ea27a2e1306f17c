/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CATALOG_H
#define MEDIAMON_CATALOG_H

/*
 * The local catalog: a JSON lines file of releases that users keep
 * (EBDZ-style link collections), loaded into the store with an FTS5 index
 * and searched for a series' wanted volumes. It is local, so nothing
 * throttles it.
 *
 *	writer_call(catalog_reload, (void *)cfg->catalog_file);
 *	...
 *	struct catalog_hit *hits;
 *	size_t nr;
 *
 *	if (!catalog_search(db, "One Piece", 105, &hits, &nr))
 *		...	hits[0] is the best release holding volume 105
 *	catalog_hits_free(hits, nr);
 *
 * Each line of the file is one JSON object:
 *
 *   title   string, not empty (required): the release's name
 *   link    string, not empty (required)
 *   size    integer, 0 or more, in bytes; may be absent or null
 *   source  string; may be absent or null
 *
 * Other members are ignored. A line that is not such an object (not JSON,
 * not valid UTF-8, a required member missing, a member of the wrong type,
 * longer than CATALOG_MAX_LINE bytes) is skipped and counted as bad; it
 * is never fatal. Blank lines are skipped without being counted.
 *
 * The store keeps the catalog in the tables catalog and catalog_fts (an
 * external-content FTS5 index of the titles, accents folded), and what
 * was loaded in catalog_meta: one row with the file's path, size and
 * mtime_ns, loaded_at (seconds since the epoch), entries and bad_lines.
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* The longest line read, newline aside; longer lines are bad. */
#define CATALOG_MAX_LINE 65536

/*
 * A writer_call() function: (re)load the catalog file at path (a const
 * char *) when its path, size or mtime differs from what catalog_meta
 * says was loaded; otherwise it does nothing. Reloading replaces every
 * row in one transaction. A missing file empties the catalog (its size
 * is then recorded as -1). Returns 0, or a negative errno value when the
 * file cannot be read or the store written (logged); the catalog is then
 * left as it was.
 */
int catalog_reload(sqlite3 *db, void *path);

struct catalog_hit {
	char *title, *link;
	char *source;		/* NULL when the line gave none */
	int64_t size;		/* -1 when the line gave none */
	double first, last;	/* the volume or range the title holds */
};

/*
 * Find the releases of series that hold volume, on any connection. The
 * index is asked for titles holding every word of the series (each word
 * quoted, so no user text is ever FTS5 syntax), or the words run
 * together ("Dr Stone", "DrStone"); each title is then read with
 * names_parse() and kept only when it is a volume or range covering
 * volume, of the same series as names_same_series() judges (chapters,
 * specials and longer series names are dropped). Hits come best first:
 * single volumes before ranges, then larger sizes first. *hits is a
 * malloc'd array of *nr hits (NULL when none), freed with
 * catalog_hits_free(). Returns 0, -EINVAL for a NULL argument, or
 * another negative errno value (logged).
 */
int catalog_search(sqlite3 *db, const char *series, int volume,
		   struct catalog_hit **hits, size_t *nr);

/* Free an array catalog_search() gave. */
void catalog_hits_free(struct catalog_hit *hits, size_t nr);

#endif
