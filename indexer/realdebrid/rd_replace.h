/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_REPLACE_H
#define MEDIAMON_RD_REPLACE_H

/*
 * The search for another release of what a torrent that cannot come back
 * held ([sonarr] / [radarr] search_on_failure): Sonarr does not search a
 * missing episode by itself, so after the dead links of a series (movie)
 * were deleted, the records of the files they were are deleted in the
 * Arr and their episodes (the movie) searched again.
 *
 *	struct rd_replace r = {
 *		.a = &sonarr,
 *		.id = series_id,
 *		.paths = deleted_links,
 *		.nr = nr,
 *		.torrent_id = "6S4KKKMAE6MCS",
 *		.torrent_name = "Show.S02.720p",
 *		.guard = mount_looks_up,
 *		.arg = state,
 *	};
 *	rc = rd_replace(&r);
 *	if (!rc && !r.searched)
 *		...	ask for a rescan instead
 *
 * Sonarr: the episode files of the series whose path is one of the
 * links (GET /api/v3/episodefile?seriesId=), their episodes (GET
 * /api/v3/episode?episodeFileId=), each file's record deleted (DELETE
 * /api/v3/episodefile/ID; a 404 means it is gone already), then one
 * EpisodeSearch of those episodes. Radarr: the movie's files, deleted
 * alike, then a MoviesSearch of the movie. No record is deleted while
 * guard(arg) says the mount looks down, and a search is asked only for
 * what lost its file record. Each step goes to rd_actions; a search
 * asked is told (NOTIFY_REPLACEMENT). The caller never calls this in
 * dry-run.
 */

#include <stddef.h>
#include <stdint.h>

struct arr;

struct rd_replace {
	const struct arr *a;
	int64_t id;			/* the series or movie */
	const char *const *paths;	/* its dead links, deleted */
	size_t nr;
	const char *torrent_id;
	const char *torrent_name;	/* or NULL */
	int (*guard)(void *arg);	/* 1: the mount looks up */
	void *arg;
	int searched;			/* out: 1 when the search was asked */
};

/*
 * Delete the records of r's files in its Arr and ask for their search,
 * setting r->searched. An Arr that fails or knows none of the files
 * leaves r->searched 0 (logged, recorded). Returns 0, or a negative
 * errno value when the store failed.
 */
int rd_replace(struct rd_replace *r);

#endif
