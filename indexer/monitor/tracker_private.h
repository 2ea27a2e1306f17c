/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TRACKER_PRIVATE_H
#define MEDIAMON_TRACKER_PRIVATE_H

/*
 * What the tracker's files share, for them alone: a hand-off as the
 * tracker loads it (tracker.c) and the import of a completed one, told
 * when it fails and tried again after a back-off (tracker_import.c).
 */

#include <jansson.h>

#include "common/notify.h"
#include "common/strbuf.h"
#include "indexer/monitor/tracker.h"

/* One hand-off on its way, as the store keeps it. */
struct track {
	char *series, *client, *client_id, *release_id, *title;
	char *path;			/* the content, as the client said */
	int volume;
	int applied;			/* sent by mediamon --check --apply */
	struct tracker_row row;
};

/*
 * Tell of t (notify_event()): about its volume, as the hand-off's and
 * the new volumes' are, told once per volume (indexer/notifier.h); its
 * details its volume, title, client and key's value (consumed), its
 * message its series and volume followed by fmt.
 */
void tracker_tell(const struct track *t, enum notify_kind kind,
		  const char *key, json_t *value, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Whether row is a completed download dry-run kept from its import. */
int tracker_would_import(const struct tracker_row *row);

/* Look again at the save folders found unavailable (save_guard.h),
 * against the save folders of p's configuration. */
void tracker_look_saves(struct tracker_pass *p);

/* Whether dry-run is on for the pass p, and holds t (when not NULL): a
 * hand-off of mediamon --check --apply is the user's own, never held. */
int tracker_dry_run_on(const struct tracker_pass *p, const struct track *t);

/*
 * Whether the completed download t, whose import failed, is due another
 * try at now: at the first pass of a hand-off (a start, a reload), then
 * after a back-off that doubles from [download] poll_interval up to
 * TRACKER_RETRY_MAX. Never under dry-run.
 */
int tracker_import_due(struct tracker_pass *p, const struct track *t,
		       double now);

/*
 * Import the completed download of t, at path as its client reported
 * it (obj: its object in the client's listing, NULL when it lists it no
 * more), into its series folder, only the files a torrent client lists
 * for it (download_files()): the path mapped to this machine's and
 * kept in the clients' save folders (a save_path, or the client's own
 * folder, import_home.h), then import_run() for t's volume. Returns the
 * state row goes to: imported; failed when the download holds no
 * wanted volume (its release is wrong: no later try can import it);
 * else completed, with row->reason saying why and what to do, told
 * once per volume (import_failed) and tried again after a back-off
 * (tracker_import_due()); or, under dry-run, completed with
 * TRACKER_WOULD_IMPORT and nothing moved.
 */
enum tracker_state tracker_import(struct tracker_pass *p,
				  const struct track *t, json_t *obj,
				  const char *path, struct tracker_row *row);

#endif
