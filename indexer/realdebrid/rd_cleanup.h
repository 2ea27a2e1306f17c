/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_CLEANUP_H
#define MEDIAMON_RD_CLEANUP_H

/*
 * What happens when a torrent cannot come back: its dead links are
 * deleted (once the failure is [realdebrid] orphan_grace old, rd_job.h;
 * each by descriptor, rd_unlink.h), and the series (Sonarr) or movie (Radarr)
 * that held them is asked to rescan, so it sees the files gone; or, when its
 * Arr is to search_on_failure, the records of those files are deleted there and
 * another release searched (rd_replace.h).
 *
 *	struct rd_cleanup c = {
 *		.cfg = cfg,
 *		.db = read_connection,
 *		.torrent_id = "6S4KKKMAE6MCS",
 *		.guard = mount_looks_up,
 *		.arg = state,
 *	};
 *	rc = rd_cleanup_links(&c);
 *	...	c.deleted links went, c.rescans rescans and c.searches
 *		searches were asked
 *
 * Only the links rd_links maps to the torrent and marks broken are
 * candidates, and each is deleted only if it still is a symlink to the
 * same target and that target still does not resolve (a link fixed or
 * changed since the walk is left alone), and only while guard(arg) says
 * the mount looks up. Each Arr is asked once per series or movie, with
 * its id found by the link's path (arr.h); a link no Arr holds brings no
 * rescan, never one without an id. A search that cannot be asked (the
 * Arr knows none of the files, or fails) falls back to the rescan.
 */

#include <sqlite3.h>

struct config;

struct rd_cleanup {
	const struct config *cfg;	/* [sonarr] and [radarr] */
	sqlite3 *db;			/* to read rd_links */
	const char *torrent_id;
	const char *torrent_name;	/* or NULL, for the messages */
	int (*guard)(void *arg);	/* 1: go on, 0: stop deleting */
	void *arg;
	int deleted;			/* links deleted */
	int rescans;			/* rescans Sonarr or Radarr took */
	int searches;			/* searches they took */
};

/*
 * Orphans ([realdebrid] orphans): dead links into the mount that no
 * torrent explains once the account was listed whole (mapped to none,
 * rd_map.h's RD_MAP_NO_TORRENT). rd_cleanup_track_orphans() keeps them
 * in rd_orphans with the time they were first seen so (none with
 * orphans = keep); with orphans = delete, rd_cleanup_orphans() deletes
 * those seen so for orphan_grace or more at now, each only while the
 * guard holds, while it still is the same dead link, and when no Arr
 * knows it as a file (an Arr that cannot tell keeps it). Each deletion
 * goes to rd_actions ("delete_orphan"), c->deleted counts them. The
 * caller never calls it in dry-run. Both return 0, or a negative errno
 * value when the store failed.
 */
int rd_cleanup_track_orphans(const struct config *cfg, double now);

int rd_cleanup_orphans(struct rd_cleanup *c, double now);

/*
 * Delete the dead links of c->torrent_id and ask for the rescans or the
 * searches, filling c->deleted, c->rescans and c->searches in. Deleted links
 * leave rd_links. A link that cannot be deleted is logged and kept; an Arr that
 * fails is logged. Returns 0, or a negative errno value when the store failed.
 */
int rd_cleanup_links(struct rd_cleanup *c);

#endif
