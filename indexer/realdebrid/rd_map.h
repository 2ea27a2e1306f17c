/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_MAP_H
#define MEDIAMON_RD_MAP_H

/*
 * Map a dead link to the torrent it showed, from the local copy of the
 * account in the store (tables rd_torrents and rd_files).
 *
 *	char *id;
 *	const char *why;
 *
 *	rd_map_links(db, &unmapped);		(every dead link)
 *
 *	switch (rd_map_link(db, "Show.S01", "Show.S01E01.mkv", &id, &why)) {
 *	case 0:		...	id is the torrent; free(id)
 *	case -ENOENT:
 *	case -EEXIST:	...	"unmapped", why says so; leave the link be
 *	}
 *
 * The rules, in order, with no fuzzy guessing:
 *   1. the torrents whose filename or original_filename is name: one is
 *      the answer;
 *   2. several: of those, the ones holding a file whose path ends with
 *      "/FILE": one is the answer, else the link is ambiguous;
 *   3. none: the torrents holding the file "/NAME/FILE" (a folder
 *      torrent renamed since): one is the answer.
 * original_filename and files are known only for torrents whose info was
 * read: the caller reads the info of the candidates of rule 1 first.
 */

#include <sqlite3.h>

/* The map_error of a link no torrent of the account explains. */
#define RD_MAP_NO_TORRENT "no torrent of the account has this name"

/*
 * Find the torrent of a link to NAME/FILE (the folder and the file path
 * inside it, as rd_links_parse() gives them). Returns 0 with *id
 * (malloc'd), -ENOENT when no torrent matches, -EEXIST when several do
 * (then *why, a static text, says which), or another negative errno value
 * when the store fails (logged).
 */
int rd_map_link(sqlite3 *db, const char *name, const char *file, char **id,
		const char **why);

/*
 * Map every broken link of rd_links not mapped yet (read through db) with
 * rd_map_link(), storing the torrent or, for a link left unmapped, why
 * (map_error); *unmapped grows by those. Returns 0 or a negative errno
 * value when the store failed.
 */
int rd_map_links(sqlite3 *db, int *unmapped);

#endif
