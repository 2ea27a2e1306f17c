#ifndef MEDIAMON_HANDOFF_H
#define MEDIAMON_HANDOFF_H

/*
 * The hand-off of found releases to the download client, for the
 * monitor's checks when auto_download is on: the best release of each
 * wanted volume that the client takes is sent, once.
 *
 *	struct handoff h;
 *
 *	handoff_init(&h, cfg, &prowlarr, db, &cancel, &dry_run);
 *	handoff_series(&h, "One Piece", wants, nr);
 *	...	h.sent volumes sent, h.errors sends failed
 *
 * A volume sent is remembered in the table downloads (by series name and
 * volume) and never sent again, also across restarts; a range sent counts
 * for every wanted volume it holds. A failed send is stored as "failed"
 * with its error, shown in /status/health under the client's name, and
 * tried again at the next check. While *dry_run is set, the choice is
 * logged and stored as "dry-run", and nothing is sent. A Prowlarr grab
 * takes only releases found less than HANDOFF_GRAB_WINDOW ago, as
 * Prowlarr forgets a search's releases after 30 minutes.
 */

#include <sqlite3.h>
#include <stddef.h>

#include "indexer/monitor/download.h"
#include "indexer/monitor/release.h"

struct config;
struct prowlarr;

/* How long after a search Prowlarr can still grab its releases. */
#define HANDOFF_GRAB_WINDOW (25 * 60.0)

struct handoff {
	struct download_client client;	/* "none" when auto_download is off */
	struct download_session session;
	sqlite3 *db;			/* a read connection to the store */
	const int *cancel, *dry_run;	/* read atomically */
	int sent, errors;		/* counts; the caller resets them */
};

/*
 * Set h up from cfg's [download] settings (client "none" unless
 * auto_download), grabbing through prowlarr, reading the store through
 * db. The pointers must outlive h.
 */
void handoff_init(struct handoff *h, const struct config *cfg,
		  const struct prowlarr *prowlarr, sqlite3 *db,
		  const int *cancel, const int *dry_run);

/*
 * Hand over the best release of each of the nr wanted volumes of series
 * (their releases ranked best first). Returns 0 (failed sends are
 * counted, not returned), -ECANCELED, or a negative errno value when the
 * store fails.
 */
int handoff_series(struct handoff *h, const char *series,
		   const struct want *w, size_t nr);

#endif
