/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PROWLARR_H
#define MEDIAMON_PROWLARR_H

/*
 * A client for Prowlarr's search API: find the releases of a manga
 * series' volumes, and have Prowlarr grab one.
 *
 *	struct prowlarr p = {
 *		.url = "http://prowlarr:9696",
 *		.api_key = cfg->prowlarr_key,
 *		.categories = "7000,7030",
 *		.throttle = t,
 *	};
 *	struct prowlarr_release *r;
 *	size_t nr;
 *
 *	if (!prowlarr_search(&p, "One Piece", &cancel, &r, &nr)) {
 *		for (size_t i = 0; i < nr; i++)
 *			...	r[i].first .. r[i].last is the volume range
 *		prowlarr_releases_free(r, nr);
 *	}
 *
 * One search per series covers all of its wanted volumes: the caller
 * matches the ranges to its gaps. A release is kept only when its title
 * parses (names_parse(), the parser the scanner uses for files) as a
 * volume or a range of volumes of the series asked for; chapters,
 * specials and other series with a similar name are dropped.
 *
 * What Prowlarr's search answers (its ReleaseResource, as its
 * SearchController maps it): every release has a protocol, "torrent" or
 * "usenet" (the enum's name; its number, 2 or 1, is read too). Both
 * downloadUrl and magnetUrl are rewritten into Prowlarr's own proxy link,
 * http(s)://HOST/{indexerId}/download?apikey=KEY&link=...&file=..., which
 * answers the torrent or NZB, or redirects (301) to the real link or to a
 * magnet: URI; a magnet-only indexer gives no downloadUrl and a magnetUrl
 * that is such a link. guid is not rewritten, and often is the raw
 * magnet: link. Usenet releases have null seeders; publishDate is
 * 0001-01-01T00:00:00Z when the indexer gave none (read as unknown);
 * size is 64-bit. Members not read here (indexerFlags as strings or
 * numbers, ageHours as a float, categories ...) may have any shape.
 *
 * A release can be grabbed (sent by Prowlarr to its download client)
 * for 30 minutes after the search that found it. Download and magnet URLs
 * are kept as Prowlarr gave them and never fetched here: links.h reads
 * where they lead, for the download clients.
 *
 * Every request goes through the throttle (waiting its turn, and telling
 * it how the request went). The API key is sent as the X-Api-Key header
 * only, never in a URL, so it never reaches a log line.
 *
 * Failures are logged here, once; http_perform() logs transport errors.
 * Returns, for both requests:
 *
 *   -ECANCELED     *cancel became nonzero while waiting for the throttle
 *   -EACCES        401 or 403: the API key is wrong
 *   -EAGAIN        429: the throttle was paused for the Retry-After
 *   -EIO           5xx: Prowlarr failed
 *   -EREMOTEIO     400 or 409: Prowlarr refused the request, its message
 *                  logged (all of the indexers unavailable, an indexer's
 *                  limit reached; the indexer failed a grab)
 *   -EPROTO        an answer that is not what the API documents: malformed
 *                  JSON, wrong types, or an unexpected status
 *   -EBADMSG       an HTML page instead of JSON: Prowlarr's web interface
 *                  (a url without Prowlarr's url base) or a login page of
 *                  a proxy in front of it
 *   -EINVAL        a missing url or api_key, or categories or indexer_ids
 *                  that are not comma-separated numbers
 *   -ENOMEM
 *   and http_perform()'s errors (-ETIMEDOUT, -EFBIG, -ECONNREFUSED ...).
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct throttle;

/* The cap on a search answer; a few hundred releases take ~1 MiB. */
#define PROWLARR_MAX_BODY (4u << 20)

struct prowlarr {
	const char *url;		/* "http://host:9696", with or without
					 * a trailing slash */
	const char *api_key;
	const char *categories;		/* "7000,7030"; NULL: all */
	const char *indexer_ids;	/* "1,4"; NULL: all */
	struct throttle *throttle;
	long timeout_ms;		/* 0: HTTP_TIMEOUT_MS */
	/* a user besides root and the daemon's that may listen at url on
	 * this machine and be sent the key (listener_trusted()) */
	const char *user;
	uid_t user_uid;
};

/* The protocols of releases, as Prowlarr names them. */
#define PROWLARR_TORRENT "torrent"
#define PROWLARR_USENET "usenet"

struct prowlarr_release {
	char *guid;
	char *title;
	char *indexer;			/* its name, or NULL */
	char *download_url;		/* or NULL */
	char *magnet_url;		/* or NULL */
	const char *protocol;		/* PROWLARR_TORRENT, PROWLARR_USENET
					 * or NULL (unknown); static */
	int indexer_id;
	int64_t size;			/* bytes, 0 when not given */
	int seeders;			/* -1 when not given (usenet) */
	double published_at;		/* epoch seconds, 0: not given */
	double first, last;		/* the volume range from the title */
};

/*
 * Search Prowlarr for series (asking for its name without the groups
 * that end it: "Dune (2020)" as "Dune"), filling *out (malloc'd, NULL
 * when nothing matched) with its nr releases of volumes. Returns 0 or a negative
 * errno value as above; *out and *nr are set only on success.
 */
int prowlarr_search(const struct prowlarr *p, const char *series,
		    const int *cancel, struct prowlarr_release **out,
		    size_t *nr);

/*
 * Ask Prowlarr to send release r to its download client. Returns 0, or
 * -ENOENT when Prowlarr no longer knows the release (404: the search is
 * older than 30 minutes, search again), or an error as above.
 */
int prowlarr_grab(const struct prowlarr *p, const struct prowlarr_release *r,
		  const int *cancel);

/*
 * Read a search answer of len bytes (no NUL needed) for series as
 * prowlarr_search() reads Prowlarr's, filling *out and *nr the same way.
 * Returns 0, -EPROTO (logged) or -ENOMEM.
 */
int prowlarr_parse(const char *body, size_t len, const char *series,
		   struct prowlarr_release **out, size_t *nr);

/*
 * The nr releases at r as a search answer in Prowlarr's shape, one
 * malloc'd line of JSON that prowlarr_parse() reads back (for keeping an
 * answer in the cache), or NULL when out of memory.
 */
char *prowlarr_releases_dump(const struct prowlarr_release *r, size_t nr);

/* Free the nr releases at r; NULL is allowed. */
void prowlarr_releases_free(struct prowlarr_release *r, size_t nr);

#endif
