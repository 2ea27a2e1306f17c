/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HANDOFF_H
#define MEDIAMON_HANDOFF_H

/*
 * The hand-off of found releases to the download clients, for the
 * monitor's checks when auto_download is on for the flow: for each
 * wanted volume, its releases are tried best first until a client
 * confirms it took one.
 *
 *	struct handoff h;
 *
 *	handoff_init(&h, cfg, &prowlarr, db, &cancel, &dry_run);
 *	handoff_begin(&h, cfg->missing_auto_download);	(each check)
 *	handoff_series(&h, series_id, "One Piece", wants, nr);
 *	...	h.sent, h.skipped, h.failed, h.errors
 *
 * Three clients at most: the torrent client ([download] client), the
 * usenet client ([usenet] client) and the ed2k client ([ed2k] client);
 * a release goes to the one of its protocol (download_protocol()).
 * Prowlarr as the torrent client takes usenet releases too when [usenet]
 * names no client, and the torrent client is asked for ed2k releases
 * when [ed2k] names none (a blackhole writes their links down).
 *
 * For each release, best first:
 *
 *   skipped   no configured client takes it (none of its protocol, or
 *             none that can read its links), or Prowlarr would grab it
 *             but its search is older than HANDOFF_GRAB_WINDOW: the
 *             reason is kept and the next release is tried
 *   dry-run   while *dry_run is set, the first release a client would
 *             take is noted, and nothing is sent
 *   sent      the client confirmed it took it (download.h says what
 *             confirms, per client): the volume is done
 *   failed    the client refused it, or its links led nowhere
 *             (download_release_fault()), or the client itself failed
 *             (unreachable, credentials refused); the next release is
 *             tried. A client that failed is not asked again in this
 *             check: its other releases fail with the same reason, at
 *             no cost, and those of the other client still go. A
 *             release the client refused (-EPROTO) is blocklisted
 *             (blocklist.h): no later check sends it again.
 *
 * Each release's outcome and reason are stored with it in found (state,
 * reason), and the volume's in downloads (by series name and volume):
 * its state is the best reached, sent > dry-run > failed > skipped, with
 * the client, the release and the reason. A volume sent is never sent
 * again, also across restarts, unless its download fails in the client
 * (tracker.h): then the volume is wanted again; a range sent counts for
 * every wanted volume it holds. A volume's row keeps the download's id
 * in the client (download_send()) and its release's id, which the
 * tracker follows and blocklists. A volume not sent stays wanted: the
 * next check tries again. Client errors show in /status/health under
 * the client's name.
 */

#include <limits.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "indexer/monitor/download.h"
#include "indexer/monitor/release.h"

struct config;
struct digest;
struct prowlarr;

/* The states of a hand-off on its way or done (tracker.h), as SQL: a
 * volume in one of them is never handed over again. */
#define HANDOFF_HANDED_OVER "('sent', 'queued', 'downloading'," \
	" 'completed', 'imported')"

/* How long after a search Prowlarr can still grab its releases. */
#define HANDOFF_GRAB_WINDOW (25 * 60.0)

/* One client of the hand-off, and what this check learned of it. */
struct handoff_client {
	struct download_client c;	/* client "none": not set up */
	struct download_session session;
	char down[200];			/* why it failed this check, or "" */
	char home[PATH_MAX];		/* its own default folder, learned
					 * by the import (import_home.h), or
					 * "" */
};

/* A completed download whose import failed, and when to try it again
 * (tracker_private.h); the oldest is forgotten past HANDOFF_RETRIES. */
#define HANDOFF_RETRIES 64
struct handoff_retry {
	char id[DOWNLOAD_ID_MAX];	/* its id in its client; "": free */
	double next;			/* wall clock */
	int tries;
};

struct handoff {
	struct handoff_client torrent, usenet, ed2k;
	int enabled;			/* auto_download for this check */
	sqlite3 *db;			/* a read connection to the store */
	const int *cancel, *dry_run;	/* read atomically */
	int sent, skipped, failed, errors;	/* releases, this check */
	struct digest *digest;		/* where events go (digest.h), or
					 * NULL: told at once */
	const char *save_path;		/* the series' own for the torrent
					 * client (prefs.h), NULL: the
					 * client's; set around
					 * handoff_series() */
	struct handoff_retry retries[HANDOFF_RETRIES];
	int pick;			/* the only rank of a volume's releases
					 * tried (picked.h); -1: all */
};

/*
 * Set h up from cfg's [download], [usenet] and [ed2k] settings, grabbing through
 * prowlarr, reading the store through db; off until handoff_begin(). The
 * pointers must outlive h.
 */
void handoff_init(struct handoff *h, const struct config *cfg,
		  const struct prowlarr *prowlarr, sqlite3 *db,
		  const int *cancel, const int *dry_run);

/*
 * Start a check: on when enabled (the flow's auto_download), counts at
 * zero, the clients given a new chance.
 */
void handoff_begin(struct handoff *h, int enabled);

/*
 * Hand over the nr wanted volumes of the series (id series_id, named
 * series), their releases ranked best first, as above. Returns 0
 * (refusals and failures are counted and stored, not returned),
 * -ECANCELED, or a negative errno value when the store fails.
 */
int handoff_series(struct handoff *h, int64_t series_id, const char *series,
		   const struct release_want *w, size_t nr);

#endif
