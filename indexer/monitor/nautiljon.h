/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_NAUTILJON_H
#define MEDIAMON_NAUTILJON_H

/*
 * The Nautiljon client: how many volumes of a manga series are out in
 * France (VF) and in Japan (VO), read from the series page, as Nautiljon
 * has no API.
 *
 *	struct remote_source n = { .throttle = t };
 *	struct nautiljon_info info;
 *	struct strbuf slug = STRBUF_INIT;
 *
 *	nautiljon_slug("One Piece", &slug);		(one+piece)
 *	ret = nautiljon_fetch(&n, slug.buf, &cancel, &info);
 *	if (!ret)
 *		...	info.vf_count volumes in French, info.vf_status
 *	else if (ret == -EACCES)
 *		health_warn("nautiljon: blocked by Cloudflare");
 *	strbuf_release(&slug);
 *
 * The page is URL/mangas/SLUG.html, where SLUG is the title in lowercase,
 * URL-encoded with spaces as '+'. Each request goes through the caller's
 * throttle, which should be slower than the 10 requests per 10 seconds
 * other scrapers allow themselves (NAUTILJON_RPM), and is sent with
 * mediamon's User-Agent.
 *
 * The counts are found by label, not by the class names around them,
 * which change: every <li> of the page is read as plain text (entities
 * decoded, runs of white space, no-break spaces included, made one
 * space), and the first whose text starts with "Nb volumes VF" (or VO),
 * in any case, then ':' gives the count, the integer right after the
 * colon, and the status, the text in the parentheses right after that:
 *
 *	<li><span class="bold">Nb volumes VF :</span> 111 (En cours)</li>
 *
 * The items "Titre original", "Auteur" (or "Auteurs") and "Genres" are
 * read the same way, their lists split at " - " and ",", into the
 * series' metadata (series_meta.h), beside what the page's blocks
 * hold, where scrapers of the live site read them (tests/data/
 * SOURCES.md): the title, the itemprop="name" element under the first
 * class="h1titre" element; the summary, the first class="description"
 * element ("N/C" is none); the cover, the href of the link
 * id="onglets_3_couverture", a path on NAUTILJON_URL.
 *
 * Statuses are given as the page spells them ("En cours", "En attente",
 * "Abandonné", "Terminé"), in UTF-8. A count above NAUTILJON_MAX_COUNT
 * is not believed and reads as 0. HTML is parsed with libxml2 in its
 * forgiving mode, without network access, assuming UTF-8; its messages
 * are never printed.
 */

#include <stddef.h>

#include "common/strbuf.h"
#include "indexer/monitor/remote.h"
#include "indexer/monitor/series_meta.h"

struct remote_form;

#define NAUTILJON_URL "https://www.nautiljon.com"
#define NAUTILJON_RPM 30		/* one request every 2 s */
#define NAUTILJON_MAX_COUNT 9999
#define NAUTILJON_MAX_PAGE (4u << 20)	/* bytes */

struct nautiljon_info {
	int vf_count;			/* 0 when absent or unbelievable */
	int vo_count;
	char vf_status[32];		/* "En cours", "Terminé"... or "" */
	char vo_status[32];
	struct series_meta meta;	/* with a VF count: what the page's
					 * items "Titre original", "Auteur"
					 * and "Genres" say, vf_status, and
					 * its title, summary and cover */
};

/*
 * Append the slug for a series title to out: the title with its white
 * space trimmed and runs of it made one space, ASCII letters lowercased,
 * then escaped by http_escape() with spaces as '+' (so accented letters
 * are percent-encoded UTF-8, and '&' and '/' are escaped too).
 */
void nautiljon_slug(const char *title, struct strbuf *out);

/*
 * Fetch and parse the page of slug (from nautiljon_slug(), or as a user
 * gave it: letters, digits and -._~+%'!()*, only), filling out in.
 * Returns what nautiljon_parse() returns for a 200 answer, or:
 *
 *   -EINVAL     slug is empty or holds other characters, or no throttle
 *   -ECANCELED  *cancel became nonzero while waiting for the throttle
 *   -EACCES     401 or 403: Cloudflare (or Nautiljon) refused mediamon
 *   -ENOENT     404 or 410: no such series page
 *   -EAGAIN     429: the throttle is paused for its Retry-After
 *   -EIO        a 5xx answer, or any other unexpected status
 *   -EFBIG      the page is larger than NAUTILJON_MAX_PAGE
 *
 * or http_perform()'s other errors. 403, 5xx and transport errors count
 * as failures for the throttle, so repeated refusals back off.
 */
int nautiljon_fetch(const struct remote_source *n, const char *slug,
		    const int *cancel, struct nautiljon_info *out);

/*
 * Parse a series page of len bytes (no NUL needed) into out, which is
 * always filled in (zeroes and empty statuses for what is absent).
 * Returns 0 when the page gives a VF count, -ENODATA when it does not
 * (out may still hold the VO count), -EPROTO when it is not HTML at all
 * (empty, holding NUL bytes, or without a single element), -EFBIG when
 * len is above NAUTILJON_MAX_PAGE, or -ENOMEM.
 */
int nautiljon_parse(const char *html, size_t len, struct nautiljon_info *out);

/* The form of a struct nautiljon_info in the cache, one line of JSON:
 * remote_info_dump() writes it, remote_info_load() reads it back. */
extern const struct remote_form nautiljon_info_form;

#endif
