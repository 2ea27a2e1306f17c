/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PM_CLIENT_H
#define MEDIAMON_PM_CLIENT_H

/*
 * A client for Premiumize's transfer API, as debrid_premiumize
 * (debrid.h): the repairer's list, info, re-add and delete over
 *
 *	GET  /transfer/list		every transfer
 *	POST /transfer/create		form src=MAGNET
 *	POST /transfer/delete		form id=ID
 *
 * each with the key as the apikey parameter of the query (the only way
 * Premiumize takes a key; the URL never reaches a log line, http.h). A
 * transfer is a torrent of rd_client.h: its id, name, the info hash of
 * its src magnet, and its status as Real-Debrid's: waiting and queued
 * queued, running downloading, finished and seeding downloaded, any
 * other error. The list has no files and no sizes; info is the list's
 * entry. Premiumize downloads every file: there is no selection.
 *
 * Errors come as {"status": "error", "message": TEXT}, with HTTP 200 as
 * often as not, and mean (rd_client.h's errors):
 *   -EAGAIN   HTTP 429
 *   -EIO      HTTP 5xx, whatever the body says
 *   -EACCES   HTTP 401 or 403, or a message saying the key was refused
 *             ("not logged in", "apikey", "api key")
 *   -ENOENT   a message with "not found", or an id the list lacks
 *   -EIO      any other
 */

#define PM_URL "https://www.premiumize.me/api"

#endif
