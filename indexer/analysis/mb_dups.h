/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MB_DUPS_H
#define MEDIAMON_MB_DUPS_H

/*
 * Duplicates by their tags, before or without the audio analysis: the
 * tracks whose MusicBrainz recording ids (tracks.mb_track_id) are one
 * and whose lengths are within MB_DUPS_SLACK_S seconds of one another
 * (a track joins the group of any such track) hold one recording.
 * Tracks without a length are left out.
 */

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define MB_DUPS_SLACK_S 2.0

/*
 * Call fn(arg, ids, nr) for every group of two tracks or more, ids in
 * track id order, through db (a read transaction the caller holds).
 * Stops when fn returns nonzero and returns that; else 0, -ENOMEM or
 * -EIO.
 */
int mb_dups_groups(sqlite3 *db,
		   int (*fn)(void *arg, const int64_t *ids, size_t nr),
		   void *arg);

#endif
