#ifndef MEDIAMON_ARR_H
#define MEDIAMON_ARR_H

/*
 * A client for Sonarr and Radarr (API v3), for one thing: after links of
 * a torrent that cannot come back were deleted, ask the one series or
 * movie that held them to rescan its folder, so it sees the files gone.
 *
 *	struct arr a = {
 *		.kind = ARR_SONARR,
 *		.url = cfg->sonarr_url,
 *		.api_key = cfg->sonarr_api_key,
 *	};
 *	int64_t id;
 *
 *	if (!arr_find(&a, "/media/tv/Show/Season 1/E01.mkv", &id))
 *		arr_rescan(&a, id);
 *
 * arr_find() reads GET /api/v3/series (Radarr: /api/v3/movie) and picks
 * the item whose "path" holds the given path. arr_rescan() sends
 * POST /api/v3/command {"name": "RescanSeries", "seriesId": ID}
 * (Radarr: "RescanMovie", "movieId"). A command without an id would
 * rescan the whole library, so there is no way to send one.
 *
 * The API key goes in "X-Api-Key" only and never reaches a log line.
 * Both return 0 or a negative errno value, logged here:
 *
 *   -ENOENT    arr_find(): no item holds the path
 *   -EACCES    HTTP 401 or 403: the key was refused
 *   -EIO       another status than the call's success (200, 201)
 *   -EPROTO    an answer that is not what the API documents
 *   -EINVAL    no url or key, an id < 1, a path that is not absolute
 *   -ENOMEM, and http_perform()'s errors
 */

#include <stdint.h>

#define ARR_MAX_BODY (32u << 20)	/* a large library's series list */

enum arr_kind {
	ARR_SONARR,
	ARR_RADARR,
};

struct arr {
	enum arr_kind kind;
	const char *url;
	const char *api_key;
	long timeout_ms;		/* 0: HTTP_TIMEOUT_MS */
};

/*
 * Find the series (movie) whose folder holds path, into *id. When
 * folders nest, the deepest wins. Returns 0 or an error as above.
 */
int arr_find(const struct arr *a, const char *path, int64_t *id);

/* Ask for a rescan of series (movie) id. Returns 0 or an error above. */
int arr_rescan(const struct arr *a, int64_t id);

/* "sonarr" or "radarr", for log lines and the store. */
const char *arr_name(const struct arr *a);

#endif
