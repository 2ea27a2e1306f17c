/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MANGADEX_H
#define MEDIAMON_MANGADEX_H

/*
 * The MangaDex client: how many volumes of a manga series are out in one
 * translated language, from its public API (https://api.mangadex.org).
 *
 *	struct remote_source md = { .throttle = t };
 *	struct mangadex_info info;
 *
 *	ret = mangadex_search(&md, "One Piece", &cancel, &info);
 *	if (!ret)				(info.id, status, last_volume)
 *		ret = mangadex_volumes(&md, "en", &cancel, &info);
 *	if (!ret)
 *		...	info.count volumes in English
 *
 * The search is GET URL/manga?title=TITLE&limit=MANGADEX_SEARCH_LIMIT
 * (with includes[] of its authors, artists and cover, which the answer
 * then names in the manga's relationships);
 * of the mangas it lists, the one that bears TITLE best (remote_title_
 * rank(), its title before its alternative titles, in any language) is
 * the series, and none is -ENOENT: MangaDex's search is fuzzy, and
 * another series' count would be wrong. Two as good (a "Book Version"
 * under the same title) are -EEXIST, with neither taken; a manga not of
 * the documented shape is passed over, and refuses the search only when
 * no other one is taken. Its attributes give the status
 * ("ongoing", "completed", "hiatus", "cancelled") and lastVolume, the
 * last volume of a completed series in its original language, and its
 * metadata (series_meta.h): title and altTitles (in English, else the
 * first language given), status, description, originalLanguage, the
 * tags of the group "genre", the names of its authors and artists, its
 * cover (MANGADEX_COVERS/ID/FILENAME) and page (MANGADEX_PAGES/ID).
 *
 * The count is GET URL/manga/ID/aggregate?translatedLanguage[]=LANG: the
 * volumes with chapters translated into LANG, keyed by their number
 * ("none" for chapters without one). The count of volumes out in that
 * edition is the last of the run of consecutive whole volumes that starts
 * at the lowest: a gap is no volume to want, and a chapter filed under a
 * far volume does not make the ones before it exist.
 *
 * A manga named by its id in the series' source is not searched: its
 * record is GET URL/manga/ID (with the same includes[]), {"result": "ok",
 * "response": "entity", "data": MANGA}, the manga as a search lists it,
 * which gives its status, lastVolume and metadata.
 *
 * Every answer is a JSON object with "result": "ok"; one with "result":
 * "error" (and its "errors" array), HTML, or any other shape is refused
 * whole. Each request goes through the caller's throttle and is sent
 * with mediamon's User-Agent, which MangaDex asks every client to set.
 */

#include <stddef.h>

#include "indexer/monitor/remote.h"
#include "indexer/monitor/series_meta.h"

struct remote_form;

#define MANGADEX_URL "https://api.mangadex.org"
#define MANGADEX_PAGES "https://mangadex.org/title"
#define MANGADEX_COVERS "https://uploads.mangadex.org/covers"
#define MANGADEX_SEARCH_LIMIT 10
#define MANGADEX_MAX_COUNT 9999
#define MANGADEX_MAX_ANSWER (2u << 20)	/* bytes */
#define MANGADEX_ID_LEN 36		/* a UUID */

struct mangadex_info {
	char id[MANGADEX_ID_LEN + 1];	/* the manga's UUID, lowercase */
	char status[16];		/* as MangaDex spells it, or "" */
	int last_volume;		/* lastVolume, 0 when not given */
	int count;			/* volumes out in the language */
	char other[MANGADEX_ID_LEN + 1];	/* with -EEXIST: the other */
	struct series_meta meta;	/* what the manga's record says */
};

/* Whether id is a UUID as MangaDex writes them (lowercase hex, dashes). */
int mangadex_id_ok(const char *id);

/* Whether lang is a language code MangaDex knows the form of: two
 * lowercase letters, perhaps "-" and two more ("pt-br", "es-la"). */
int mangadex_lang_ok(const char *lang);

/*
 * Search the series titled title and fill out's id, status and
 * last_volume in (count 0). Returns 0, or:
 *
 *   -EINVAL     title is empty, or no throttle
 *   -ECANCELED  *cancel became nonzero while waiting for the throttle
 *   -ENOENT     no manga listed bears that title
 *   -EEXIST     two bear it as well (out->id and out->other)
 *   -EACCES     401 or 403
 *   -EAGAIN     429: the throttle is paused until the Unix time of its
 *               X-RateLimit-Retry-After (or for its Retry-After)
 *   -EIO        a 5xx answer, or any other unexpected status
 *   -EBADMSG    an HTML page where JSON was expected
 *   -EPROTO     another answer than the documented one, an error body
 *   -EFBIG      the answer is larger than MANGADEX_MAX_ANSWER
 *
 * or http_perform()'s other errors. A 400 (the API refused the request's
 * parameters) is -EIO too, and is logged with the API's own detail.
 */
int mangadex_search(const struct remote_source *md, const char *title,
		    const int *cancel, struct mangadex_info *out);

/*
 * Fill io->count in with the highest volume translated into lang of the
 * manga io->id. Returns 0, -ENODATA when no volume is numbered in that
 * language, -ENOENT for a 404 (no such manga), -EINVAL for an id or a
 * lang of another form, or the other errors of mangadex_search().
 */
int mangadex_volumes(const struct remote_source *md, const char *lang,
		     const int *cancel, struct mangadex_info *io);

/*
 * Fill io's status, last_volume and meta in from the record of the manga
 * io->id (its count is left as it is). Returns 0, -ENOENT for a 404 (no
 * such manga), -EINVAL for an id of another form, -EPROTO for a record
 * of another manga or of another shape, or the other errors of
 * mangadex_search().
 */
int mangadex_manga(const struct remote_source *md, const int *cancel,
		   struct mangadex_info *io);

/* Parse a search answer of len bytes as mangadex_search() does. */
int mangadex_parse_search(const char *body, size_t len, const char *title,
			  struct mangadex_info *out);

/* Parse a record answer of len bytes into io, as mangadex_manga() does. */
int mangadex_parse_manga(const char *body, size_t len,
			 struct mangadex_info *io);

/* Parse an aggregate answer of len bytes into *count, as
 * mangadex_volumes() does. */
int mangadex_parse_aggregate(const char *body, size_t len, int *count);

/* The form of a struct mangadex_info in the cache, one line of JSON:
 * remote_info_dump() writes it, remote_info_load() reads it back and
 * refuses an id that is no UUID. */
extern const struct remote_form mangadex_info_form;

#endif
