/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ANILIST_H
#define MEDIAMON_ANILIST_H

/*
 * The AniList client: how many volumes of a manga are out in its
 * original language, from AniList's public GraphQL API
 * (https://graphql.anilist.co).
 *
 *	struct remote_source al = { .throttle = t };
 *	struct anilist_info info = { 0 };	(or .id of a known media)
 *
 *	ret = anilist_media(&al, "One Piece", &cancel, &info);
 *	if (!ret)
 *		...	info.count volumes (0: not given while it runs)
 *
 * One request: POST URL {"query": ..., "variables": {...}}, by id when
 * io->id is set: "query ($id: Int) { Media(id: $id, type: MANGA,
 * format_not: NOVEL) { FIELDS } }"; by title otherwise: "query ($search:
 * String) { Page(perPage: 50) { media(search: $search, type: MANGA,
 * format_not: NOVEL) { FIELDS } } }", FIELDS being "id format volumes
 * status countryOfOrigin title { romaji english native } synonyms
 * description genres coverImage { large } siteUrl staff(perPage: 8) {
 * edges { role node { name { full } } } }".
 *
 * AniList's search is fuzzy and files light novels as MANGA under the
 * comic's title: of the records that bear the title (in one of their
 * titles or synonyms, trimmed, ASCII case ignored), a light novel is
 * never taken, a series goes before a one-shot, and two as good are a
 * tie, neither taken (-EEXIST, with io->id and io->other). A record of
 * another shape is passed over. "volumes" is null while a series runs.
 *
 * The answer is {"data": {"Page": {"media": [...]}}} to a search,
 * {"data": {"Media": {...}}} by id; one with an "errors" array (which
 * AniList sends with a 200 as with a 4xx), HTML, or any other shape is
 * refused whole.
 */

#include <stddef.h>

#include "indexer/monitor/remote.h"
#include "indexer/monitor/series_meta.h"

struct remote_form;

#define ANILIST_URL "https://graphql.anilist.co"
#define ANILIST_MAX_COUNT 9999
#define ANILIST_MAX_ANSWER (1u << 20)	/* bytes */

struct anilist_info {
	long long id;			/* the media's id, > 0 */
	char country[4];		/* countryOfOrigin: "JP", ... or "" */
	char status[20];		/* "RELEASING", "FINISHED", ... or "" */
	int count;			/* volumes, 0 when null */
	long long other;		/* with -EEXIST: the other record */
	struct series_meta meta;	/* what the media says */
};

/* The edition the original of country is: "ja" for JP, "ko" for KR,
 * "zh" for CN and TW, NULL for another. */
const char *anilist_edition(const char *country);

/*
 * Fill io in from the media io->id, or from the manga titled title when
 * io->id is 0. Returns 0 (io->count 0 when volumes is null), or:
 *
 *   -EINVAL     no id and an empty title, or no throttle
 *   -ECANCELED  *cancel became nonzero while waiting for the throttle
 *   -ENOENT     a 404 (no such media), a light novel, or no record of
 *               the title
 *   -EEXIST     two records as good bear it (io->id and io->other)
 *   -EACCES     401 or 403
 *   -EAGAIN     429: the throttle is paused for its Retry-After
 *   -EIO        a 5xx answer, or another unexpected status
 *   -EBADMSG    an HTML page where JSON was expected
 *   -EPROTO     another answer than the documented one, an error body
 *   -EFBIG      the answer is larger than ANILIST_MAX_ANSWER
 *
 * or http_perform()'s other errors.
 */
int anilist_media(const struct remote_source *al, const char *title,
		  const int *cancel, struct anilist_info *io);

/* Parse an answer as anilist_media() does (title NULL: asked by id). */
int anilist_parse(const char *body, size_t len, const char *title,
		  struct anilist_info *io);

/* The form of a struct anilist_info in the cache, one line of JSON:
 * remote_info_dump() writes it, remote_info_load() reads it back. */
extern const struct remote_form anilist_info_form;

#endif
