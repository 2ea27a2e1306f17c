/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MEDIASERVER_H
#define MEDIAMON_MEDIASERVER_H

/*
 * The media servers told of the folders a repair changed, so they show
 * the item again (or no longer) without waiting for their next scheduled
 * scan, and with the reading servers of the folders an import wrote to
 * (mediaserver_imported()): Plex ([plex] url, token), Jellyfin ([jellyfin] url, api_key) and
 * Emby ([emby] url, api_key), each only when configured.
 *
 *	const char *folders[] = { "/srv/tv/Show/Season 1" };
 *	struct mediaserver_told told;
 *
 *	mediaserver_refresh(cfg, folders, 1, note, arg, &told);
 *
 * Plex: GET /library/sections (JSON) gives each section's folders
 * ("Location"); each folder is refreshed in the section whose folder
 * holds it, deepest first: GET /library/sections/KEY/refresh?path=FOLDER,
 * one request per folder; a folder no section holds is skipped. The
 * token goes in X-Plex-Token.
 * Jellyfin and Emby: one POST /Library/Media/Updated {"Updates": [{"Path":
 * FOLDER, "UpdateType": "Modified"}, ...]} for every folder at once,
 * the key in "Authorization: MediaBrowser Token=..." (Jellyfin) or
 * X-Emby-Token (Emby).
 *
 * Each request is made once: a server that fails is logged and noted,
 * never asked again within the call. note(arg, service, target, rc) is
 * called for each request: service "plex", "jellyfin" or "emby", target
 * the folder (Plex) or the number of folders, rc 0 or a negative errno
 * value: -EACCES (401, 403: the token or key was refused), -EIO (another
 * status than 200 or 204), -EPROTO (an answer the API does not document),
 * -ENOENT (no Plex section holds the folder), or http_perform()'s.
 */

#include <stddef.h>

struct config;

#define MEDIASERVER_MAX_BODY (8u << 20)	/* Plex's sections */

struct mediaserver_told {
	int asked;			/* requests that refreshed something */
	int failed;			/* that failed */
};

/*
 * Tell every configured media server that the nr folders (absolute)
 * changed, into *told. Returns 0, or the first note() error.
 */
int mediaserver_refresh(const struct config *cfg, const char *const *folders,
			size_t nr,
			int (*note)(void *arg, const char *service,
				    const char *target, int rc),
			void *arg, struct mediaserver_told *told);

/*
 * Tell every configured server of a folder an import wrote into: the
 * media servers as mediaserver_refresh() does, and the reading servers,
 * each only when configured, into *told:
 * Komga ([komga] url, api_key): GET /api/v1/libraries, then POST
 * /api/v1/libraries/ID/scan of the library whose root holds the folder
 * (the deepest; none: a warning, nothing asked), the key in X-API-Key.
 * Kavita ([kavita] url, api_key): POST /api/Library/scan-folder
 * {"apiKey": KEY, "folderPath": FOLDER}, the key in x-api-key too.
 * Each is asked once; a failure is logged, never retried here.
 */
void mediaserver_imported(const struct config *cfg, const char *folder,
			  struct mediaserver_told *told);

#endif
