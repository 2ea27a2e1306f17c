/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PLAYLIST_ROWS_H
#define MEDIAMON_PLAYLIST_ROWS_H

/*
 * The analysed tracks' rows of the playlists (playlist_reads.h), read by
 * one query (playlist_reads_analysed()) and kept in memory for one
 * generation of the store, which the caller names (indexer_generation()),
 * so that the similar and mix playlists of a listing of /playlists read
 * that table instead of making a query each. One table is kept, shared
 * by every thread, and made again at the PLAYLIST_ROWS_AFTER-th call of
 * a new generation (the calls before read the store, as do those of a
 * store that changes faster: a table pays only while the store holds
 * still).
 *
 * It holds at most PLAYLIST_ROWS_BYTES (about 320 bytes a track with
 * paths of 100 bytes, the analysis' vector with it: 32 MB per 100,000
 * tracks); a library whose rows take more is read from the store at each
 * call, as before the table.
 */

#include <stddef.h>
#include <stdint.h>

struct playlist_track;

#define PLAYLIST_ROWS_BYTES (64u << 20)
#define PLAYLIST_ROWS_AFTER 4

/*
 * As playlist_reads_tracks(): fn on the analysed tracks of ids (n), in
 * that order, an id of no analysed track left out; the rows are those of
 * the store at generation (or a later one). Returns 0, what fn returned
 * to stop, or a negative errno value (logged).
 */
int playlist_rows_tracks(uint64_t generation, const int64_t *ids, size_t n,
			 int (*fn)(void *arg, const struct playlist_track *t),
			 void *arg);

/*
 * As playlist_reads_rank(): the id of track first (-ENOENT when it is not
 * analysed), then of the up to max analysed tracks most like it, most
 * alike first, into ids (room for max + 1), *n in all; when may is given,
 * ranked among the tracks whose paths may() passes alone. Ranked from
 * the vectors of the table when there is one.
 */
int playlist_rows_rank(uint64_t generation, int64_t track, size_t max,
		       int (*may)(const char *path), int64_t *ids,
		       size_t *n);

#endif
