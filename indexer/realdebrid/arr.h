/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ARR_H
#define MEDIAMON_ARR_H

/*
 * A client for Sonarr and Radarr (API v3), for what follows a torrent
 * that cannot come back, once its links were deleted: ask the one series
 * or movie that held them to rescan its folder, so it sees the files
 * gone; or, with search_on_failure, drop the records of those files and
 * ask for another release of what they held.
 *
 *	struct arr a = {
 *		.kind = ARR_SONARR,
 *		.url = cfg->sonarr_url,
 *		.api_key = cfg->sonarr_api_key,
 *		.user = &cfg->sonarr_user,
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
 *	struct arr_ids files = { 0 }, episodes = { 0 };
 *
 *	arr_files(&a, id, dead_paths, nr, &files);
 *	for each file:	arr_episodes(&a, file, &episodes);
 *			arr_delete_file(&a, file);
 *	arr_search(&a, episodes.v, episodes.nr);	(Radarr: movie ids)
 *
 * arr_files() reads GET /api/v3/episodefile?seriesId=ID (Radarr:
 * /api/v3/moviefile?movieId=ID); arr_episodes() GET
 * /api/v3/episode?episodeFileId=ID; arr_delete_file() DELETE
 * /api/v3/episodefile/ID (moviefile); arr_search() POST /api/v3/command
 * {"name": "EpisodeSearch", "episodeIds": [...]} (Radarr:
 * "MoviesSearch", "movieIds"), never with an empty list.
 *
 * The API key goes in "X-Api-Key" only and never reaches a log line.
 * Both return 0 or a negative errno value, logged here:
 *
 *   -ENOENT    arr_find(): no item holds the path; arr_delete_file(),
 *              arr_episodes(): HTTP 404, the file is gone already
 *   -EACCES    HTTP 401 or 403: the key was refused
 *   -EIO       another status than the call's success (200, 201)
 *   -EPROTO    an answer that is not what the API documents
 *   -EINVAL    no url or key, an id < 1, a path that is not absolute
 *   -ENOMEM, and http_perform()'s errors
 */

#include <stddef.h>
#include <stdint.h>

struct config_user;

#define ARR_MAX_BODY (32u << 20)	/* a large library's series list */

enum arr_kind {
	ARR_SONARR,
	ARR_RADARR,
};

/* Ids, each once, in the order they came. */
struct arr_ids {
	int64_t *v;
	size_t nr, alloc;
};

struct arr {
	enum arr_kind kind;
	const char *url;
	const char *api_key;
	long timeout_ms;		/* 0: HTTP_TIMEOUT_MS */
	/* the user it runs as on this machine (NULL or no name: root or
	 * the daemon's alone): no other listener is sent the key */
	const struct config_user *user;
};

/*
 * Find the series (movie) whose folder holds path, into *id. When
 * folders nest, the deepest wins. Returns 0 or an error as above.
 */
int arr_find(const struct arr *a, const char *path, int64_t *id);

/* Ask for a rescan of series (movie) id. Returns 0 or an error above. */
int arr_rescan(const struct arr *a, int64_t id);

/*
 * The ids of the files of series (movie) id whose path is one of the nr
 * paths, added to *out. Returns 0 or an error above.
 */
int arr_files(const struct arr *a, int64_t id, const char *const *paths,
	      size_t nr, struct arr_ids *out);

/* Sonarr only: the ids of the episodes episode file `file` holds, added
 * to *out. Returns 0 or an error above. */
int arr_episodes(const struct arr *a, int64_t file, struct arr_ids *out);

/* Delete the record of file (its file is a dead link already). Returns
 * 0, -ENOENT when the Arr has no such file any more, or an error above. */
int arr_delete_file(const struct arr *a, int64_t file);

/* Ask for a search of the nr episodes (Radarr: movies) ids. Returns 0
 * or an error above. */
int arr_search(const struct arr *a, const int64_t *ids, size_t nr);

/* Add id to ids unless it is there. Returns 0 or -ENOMEM (logged). */
int arr_ids_add(struct arr_ids *ids, int64_t id);

void arr_ids_release(struct arr_ids *ids);

/* "sonarr" or "radarr", for log lines and the store. */
const char *arr_name(const struct arr *a);

#endif
