/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_LINKS_H
#define MEDIAMON_LINKS_H

/*
 * Where a release's link leads, read here before anything is handed to
 * a download client, so that a client gets what it can take: a magnet
 * link, a torrent's bytes or an NZB's.
 *
 *	struct links_target t = LINKS_TARGET_INIT;
 *	struct strbuf err = STRBUF_INIT;
 *
 *	if (!links_fetch(url, LINKS_TORRENT | LINKS_MAGNET, 0, &cancel, &t,
 *			 &err))
 *		...	t.kind, t.data (the magnet URI, or the file)
 *	links_target_release(&t);
 *
 * Prowlarr's search rewrites every download and magnet link into its own
 * proxy link, http://HOST/{indexerId}/download?apikey=KEY&link=...&file=...
 * (SearchController.MapReleases, DownloadMappingService). Asked, the
 * proxy answers the file (200, application/x-bittorrent or
 * application/x-nzb), or redirects (301) to the indexer's link (usenet
 * indexers, and those set to redirect) or to a magnet: URI (a magnet-only
 * indexer, whose link is a magnet). Its errors are small XML documents:
 * 410 (the release is gone, or the indexer is disabled), 429 with
 * Retry-After (the indexer's grab limit, or disabled after failures), 500
 * (the indexer failed), and 400 or 404 for a link it does not know
 * (NewznabController.GetDownload).
 *
 * Redirects to http and https are followed (HTTP_MAX_REDIRECTS at most);
 * one to magnet: is read, not followed, and is the answer. A redirect
 * loop, a redirect elsewhere (ftp:, file:, javascript: ...) or one
 * without a Location is an error for that link. The link's query holds
 * Prowlarr's API key: neither log lines nor err ever show a query.
 *
 * Returns 0, or a negative errno value with err set to a short reason,
 * for the caller to log (a transport failure is logged by http.h):
 *
 *   -ELOOP         a redirect loop
 *   -EPROTO        a redirect to another scheme, an answer that is none of
 *                  what was asked for (an HTML page, an NZB where a
 *                  torrent was wanted ...), or a redirect to a magnet link
 *                  when no magnet was asked for
 *   -EIDRM         the release is gone for good (404, 410)
 *   -ENOLINK       the link is refused (400)
 *   -EACCES        401 or 403: the API key in the link was refused
 *   -EAGAIN        429: the indexer's grab limit (Retry-After in err)
 *   -EIO           a 5xx answer
 *   -EFBIG         a file larger than LINKS_MAX_FILE
 *   -ECANCELED, -ENOMEM, and http_perform()'s errors
 */

#include "common/strbuf.h"

/* The cap on a torrent or an NZB read from a link. */
#define LINKS_MAX_FILE (10u << 20)

/* What a link may lead to; links_fetch() takes a mask of those asked. */
enum links_kind {
	LINKS_MAGNET = 1,
	LINKS_TORRENT = 2,
	LINKS_NZB = 4,
};

struct links_target {
	enum links_kind kind;
	struct strbuf data;		/* the magnet URI, or the file */
};

#define LINKS_TARGET_INIT { 0, STRBUF_INIT }

/* Whether s is a magnet link, which is opened, never fetched. */
int links_is_magnet(const char *s);

/* Whether s is an http or https URL. */
int links_is_web(const char *s);

/* Whether s is an ed2k link ("ed2k://", any case). */
int links_is_ed2k(const char *s);

/* What an ed2k file link says of its file. */
struct links_ed2k {
	char *name;			/* its name, %XX decoded (malloc'd) */
	long long size;			/* in bytes */
	char hash[33];			/* its MD4 hash, lower-case hex */
};

/*
 * Read the ed2k file link "ed2k://|file|NAME|SIZE|HASH|..." (any case,
 * anything after HASH ignored: sources, AICH hash) into out. Returns 0,
 * -EINVAL for a link that is not one (a server link, a name empty or
 * badly escaped, a size that is no number, a hash not 32 hex digits), or
 * -ENOMEM; out->name is the caller's to free() on success.
 */
int links_ed2k_parse(const char *link, struct links_ed2k *out);

/*
 * Read where the http(s) url leads, accepting the kinds in the mask
 * wanted, into *out (released and refilled). timeout_ms 0 is
 * HTTP_TIMEOUT_MS. Returns 0 or an error as listed above.
 */
int links_fetch(const char *url, int wanted, long timeout_ms,
		const int *cancel, struct links_target *out,
		struct strbuf *err);

void links_target_release(struct links_target *t);

#endif
