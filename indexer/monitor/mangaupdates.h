/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MANGAUPDATES_H
#define MEDIAMON_MANGAUPDATES_H

/*
 * The MangaUpdates client: how many volumes of a series are out in its
 * original language, from its public API v1
 * (https://api.mangaupdates.com/v1).
 *
 *	struct remote_source mu = { .throttle = t };
 *	struct mangaupdates_info info;
 *
 *	ret = mangaupdates_search(&mu, "One Piece", "ja", &cancel,
 *				  &info);
 *	if (!ret)				(info.id, type)
 *		ret = mangaupdates_series(&mu, &cancel, &info);
 *	if (!ret)
 *		...	info.count volumes in the original language
 *
 * The search is POST URL/v1/series/search with {"search": TITLE,
 * "perpage": MANGAUPDATES_SEARCH_LIMIT}. Of its results, those whose
 * record's title or hit_title names TITLE (remote_title_rank(): an
 * exact title before one with its "(AUTHOR)" or "(YEAR)" set aside)
 * are candidates, and those of the edition's kind (a Manga for "ja",
 * a Manhwa for "ko", a Manhua for "zh") go before the others, which
 * sets novels and other kinds aside. The best is the series; none is
 * -ENOENT, and two as good are -EEXIST, with neither taken. The record
 * gives the series_id and the type ("Manga", "Manhwa", "Novel", ...).
 * A result not of the documented shape is passed over, and refuses the
 * search only when no other one is taken.
 *
 * The count is GET URL/v1/series/ID: the first line of its "status" text
 * that names volumes gives those published in the original language,
 * "14 Volumes (Ongoing)" or "1 Volume (Complete)", wherever that line
 * stands (manhwa records open with their chapters; with several
 * editions, the original's line comes first); "completed" says whether
 * the series is over.
 *
 * An answer with "status": "exception" (MangaUpdates' error body, with
 * its "reason"), HTML, or any other shape is refused whole.
 */

#include <stddef.h>

#include "indexer/monitor/remote.h"
#include "indexer/monitor/series_meta.h"

struct remote_form;

#define MANGAUPDATES_URL "https://api.mangaupdates.com"
#define MANGAUPDATES_SEARCH_LIMIT 10
#define MANGAUPDATES_MAX_COUNT 9999
#define MANGAUPDATES_MAX_ANSWER (2u << 20)	/* bytes */

struct mangaupdates_info {
	long long id;			/* series_id, > 0 */
	char type[16];			/* "Manga", ..., or "" */
	int count;			/* volumes in the original language */
	char line[96];			/* the status line count was read
					 * from (cut), or "" */
	int completed;
	long long other;		/* with -EEXIST: the other record */
	struct series_meta meta;	/* what the series record says */
};

/* The edition the original of type is: "ja" for Manga, "ko" for
 * Manhwa, "zh" for Manhua, NULL for another or an unknown type. */
const char *mangaupdates_edition(const char *type);

/*
 * Search the series titled title and fill out's id and type in. Returns
 * 0, or:
 *
 *   -EINVAL     title is empty, or no throttle
 *   -ECANCELED  *cancel became nonzero while waiting for the throttle
 *   -ENOENT     no result bears that title
 *   -EEXIST     two results as good bear it (out->id and out->other)
 *   -EACCES     401 or 403
 *   -EAGAIN     429: the throttle is paused for its Retry-After
 *   -EIO        a 5xx answer, or another unexpected status
 *   -EBADMSG    an HTML page where JSON was expected
 *   -EPROTO     another answer than the documented one, an error body
 *   -EFBIG      the answer is larger than MANGAUPDATES_MAX_ANSWER
 *
 * or http_perform()'s other errors.
 */
int mangaupdates_search(const struct remote_source *mu, const char *title,
			const char *edition, const int *cancel,
			struct mangaupdates_info *out);

/*
 * Fill io->count, completed, type and meta in from the series io->id:
 * meta is its title, associated titles, status, description, genres,
 * authors' names, image (url.original), page (url), and the language of
 * its type. Returns
 * 0, -ENODATA when its status names no volumes, -ENOENT for a 404, or
 * the other errors of mangaupdates_search().
 */
int mangaupdates_series(const struct remote_source *mu, const int *cancel,
			struct mangaupdates_info *io);

/* Parse a search answer as mangaupdates_search() does. */
int mangaupdates_parse_search(const char *body, size_t len,
			      const char *title, const char *edition,
			      struct mangaupdates_info *out);

/* Parse a series record as mangaupdates_series() does. */
int mangaupdates_parse_series(const char *body, size_t len,
			      struct mangaupdates_info *io);

/* The form of a struct mangaupdates_info in the cache, one line of JSON:
 * remote_info_dump() writes it, remote_info_load() reads it back. */
extern const struct remote_form mangaupdates_info_form;

#endif
