/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_AD_CLIENT_H
#define MEDIAMON_AD_CLIENT_H

/*
 * A client for AllDebrid's magnet API (v4), as debrid_alldebrid
 * (debrid.h): the repairer's list, info, re-add and delete over
 *
 *	GET  /magnet/status[?id=ID]	every magnet, or one with its links
 *	POST /magnet/upload		form magnets[]=MAGNET
 *	GET  /magnet/delete?id=ID
 *
 * each with agent=mediamon in the query and the key as "Authorization:
 * Bearer", never in a URL. A magnet is a torrent of rd_client.h: its id
 * (AllDebrid's number), filename, hash, size, uploadDate, its links as
 * files (info only), and its statusCode as Real-Debrid's status: 0
 * queued, 1 downloading, 2 compressing, 3 uploading, 4 downloaded, any
 * other error. AllDebrid downloads every file: there is no selection.
 *
 * Errors come as {"status": "error", "error": {"code", "message"}}, with
 * HTTP 200 as often as not, and mean (rd_client.h's errors):
 *   -EAGAIN   HTTP 429, or the code TOO_MANY_REQUESTS
 *   -EIO      HTTP 5xx, whatever the body says
 *   -EACCES   AUTH_MISSING_APIKEY, AUTH_BAD_APIKEY, AUTH_BLOCKED,
 *             AUTH_USER_BANNED, or HTTP 401 or 403
 *   -ENOENT   MAGNET_INVALID_ID
 *   -ENOSPC   MAGNET_TOO_MANY_ACTIVE, MAGNET_TOO_MANY
 *   -EIO      any other
 */

#define AD_URL "https://api.alldebrid.com/v4"
#define AD_AGENT "mediamon"

#endif
