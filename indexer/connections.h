/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CONNECTIONS_H
#define MEDIAMON_CONNECTIONS_H
/*
 * mediamon --check-connections: every service the configuration names
 * (Prowlarr, the download clients, Real-Debrid, Sonarr, Radarr, Plex,
 * Jellyfin, Emby, Nautiljon, MangaDex, the notification targets) is asked
 * one request that changes nothing, and answers with a line:
 *
 *	prowlarr: ok (version 1.20.1.4603)
 *	qbittorrent: refused credentials (login refused (Fails.): ...)
 *	sonarr: unreachable (GET http://127.0.0.1:8989/api/v3/system/status:
 *		cannot connect: Connection refused)
 *	slack: not asked (no harmless request)
 *
 * The download clients are asked through their own code
 * (download_version()). No line shows a key, token or password: the HTTP
 * layer's errors name scheme, host, port and path only, a service's
 * answer is cut to printable bytes, and each line passes redact().
 */
#include <stdio.h>

struct config;

/*
 * Ask every configured service of cfg, one line each to out. Returns 0
 * when each answered well (or was not asked: Slack and generic webhooks
 * have no harmless request), 1 otherwise.
 */
int connections_check(const struct config *cfg, FILE *out);
#endif
