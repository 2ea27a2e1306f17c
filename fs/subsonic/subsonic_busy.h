/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_BUSY_H
#define MEDIAMON_SUBSONIC_BUSY_H
/*
 * The answers of the Subsonic API (fs/subsonic/subsonic.h) each account has in
 * progress, held to [http] max_answers_per_account: an answer is made
 * whole on one of the listener's few threads, each of which serves
 * many connections, so that one account's loop of heavy calls
 * (getPlaylists over every track) would hold every other account's
 * request behind its own. One more than the cap is refused at once
 * (the caller answers 429 with a Retry-After), logged once while the
 * account stays at its cap.
 *
 *	subsonic_busy_set(cfg->http_max_answers_per_account);
 *	...
 *	if (subsonic_busy_begin(account))
 *		(refuse: -EBUSY)
 *	(make the answer)
 *	subsonic_busy_end(account);
 */

/* The answers one account may have in progress at once (at least 1);
 * at start and each reload. */
void subsonic_busy_set(int per_account);

/* Count an answer of account in progress: 0, or -EBUSY when the
 * account has its cap in progress already (logged once while it
 * lasts), or -ENOMEM. */
int subsonic_busy_begin(const char *account);

/* The answer subsonic_busy_begin() counted is made. */
void subsonic_busy_end(const char *account);
#endif
