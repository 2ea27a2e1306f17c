/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_INFOHASH_H
#define MEDIAMON_INFOHASH_H

/*
 * The BitTorrent v1 info hash of a magnet link or a torrent, as the
 * clients name torrents: 40 lowercase hex digits. A client that answers
 * "already there" without saying which torrent is asked about it by this
 * hash.
 *
 *	char hash[INFOHASH_HEX];
 *
 *	if (!infohash_magnet(link, hash))
 *		... "/api/v2/torrents/info?hashes=" hash
 */

#include <stddef.h>

#define INFOHASH_HEX 41			/* 40 hex digits and a NUL */

/*
 * The hash of a magnet link's "xt=urn:btih:" (40 hex digits, or 32
 * base32 ones). Returns 0, or -EINVAL when it has none.
 */
int infohash_magnet(const char *magnet, char out[INFOHASH_HEX]);

/*
 * The SHA-1 of the bencoded info dictionary of the torrent data (len
 * bytes). Returns 0, or -EINVAL when data is not a torrent.
 */
int infohash_torrent(const char *data, size_t len, char out[INFOHASH_HEX]);

#endif
