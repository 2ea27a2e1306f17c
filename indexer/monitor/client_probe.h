/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CLIENT_PROBE_H
#define MEDIAMON_CLIENT_PROBE_H

/*
 * The probe of a download client that has no download on its way, so
 * that one gone (stopped, moved, its folder removed) is in
 * /status/health while nothing is followed: the tracker calls it at each
 * pass (every [download] poll_interval, and at each missing check) for
 * each such client, once dry-run is off.
 *
 *	rc = client_probe(c, failing);
 *	if (rc > 0)
 *		...	c answers again: what failed there may go again
 *
 * The question is download_version()'s, the cheapest the client has
 * (qBittorrent's version with the session's cookie, Transmission's
 * session-get, SABnzbd's queue, NZBGet's version, a blackhole's folder
 * opened), asked with the client's session: a refusal of its credentials
 * is remembered there and not asked again until a reload or a
 * retry-client (download.h), so a wrong password costs one login, not
 * one a poll.
 */

#include "indexer/monitor/download.h"

/*
 * Ask c (its session held by the caller's thread) and store how it went
 * for /status/health under c's name: an answer clears its line; a
 * client out of reach (http_out_of_reach(): stopped, a timeout, no
 * network) is a warning naming the cause, which may pass by itself; any
 * other failure (its credentials refused, a folder gone, an answer that
 * is not the client's) an error. failing: whether health
 * named c before. Returns 1 when c answered and failing was set, 0, or
 * -ENOMEM. A client that has no such question ("none", Prowlarr) is not
 * asked: 0.
 */
int client_probe(const struct download_client *c, int failing);

#endif
