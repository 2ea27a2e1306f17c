/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TRACKER_H
#define MEDIAMON_TRACKER_H

/*
 * Each hand-off followed in its download client after the client took
 * it, until the volume is in the library or the download failed: the
 * rows of downloads (handoff.h) with the id download_send() gave
 * (client_id), polled on the checks lane every [download] poll_interval
 * with download_list(), one request per client (a few for qBittorrent's
 * tags).
 *
 *	struct tracker_pass pass = { .db = db, .cfg = cfg,
 *				     .handoff = &handoff };
 *
 *	tracker_run(&pass);
 *	...	pass.changed, pass.failed
 *
 * States, in the order a download goes through them:
 *
 *   sent          the client took it, and has not listed it yet
 *   queued        listed, waiting (queued, paused, checking, fetching)
 *   downloading   listed, on its way (metadata, stalled, post-processing)
 *   completed     all there, where the client says; imported at once
 *                 (import.h: the path the client gives mapped by
 *                 [download] path_map, and kept in the clients' save
 *                 paths, or the client's own folder when no save_path
 *                 names one), else kept completed with the import's
 *                 error and its fix as its reason (a name taken, no
 *                 space, a folder refused: nothing is moved), a health
 *                 line and a notification import_failed, and imported
 *                 again by itself after a back-off (from poll_interval,
 *                 doubling, to TRACKER_RETRY_MAX), at the first poll
 *                 after a reload, and at each missing check; one that
 *                 holds no wanted volume (another volume, extras)
 *                 failed: its release is wrong. A completed download
 *                 not imported that the client no longer lists failed.
 *                 While dry-run is on, nothing is imported: the reason
 *                 says "dry-run: would import into FOLDER", and the import
 *                 runs at the first poll once dry-run is off
 *   imported      in the series folder, for the wanted volume of the
 *                 hand-off; the watcher sees the file, the gap closes,
 *                 and a notification imported goes out
 *   failed        and why: the client's own error (Transmission's
 *                 errorString, qBittorrent's error or missingFiles,
 *                 NZBGet's FAILURE/... or DELETED/..., SABnzbd's Failed
 *                 with its fail_message); completed, holding no wanted
 *                 volume (the import's reason); never listed
 *                 within TRACKER_GRACE_POLLS polls (at least
 *                 TRACKER_GRACE_MIN seconds) of the hand-off: its link
 *                 could not be fetched (qBittorrent answers "Ok." to a
 *                 link that gives 404, and never lists it); listed once,
 *                 then no more: removed from the client; downloading
 *                 with no progress for [download] stall_timeout
 *                 ([ed2k] stall_timeout for the ed2k client)
 *
 * A failed hand-off's release is blocklisted (blocklist.h), the volume
 * is wanted again, and a notification handoff_failed goes out; the
 * caller runs a missing check at once, which sends the next best
 * release. A client that cannot be asked (down, credentials refused)
 * changes nothing: its downloads keep their states, and health says
 * why under the client's name. A completed download never goes back, but
 * to failed when it holds no wanted volume.
 *
 * The two steps are apart so that a table of client answers can test
 * them: tracker_read() says what one of the client's objects means,
 * tracker_next() what follows from it.
 */

#include <jansson.h>
#include <limits.h>
#include <sqlite3.h>

#include "indexer/monitor/download.h"

struct config;
struct handoff;

/* How long a client has to list a download it took (a link it fetches
 * itself may take a moment), in polls, and at least in seconds. */
#define TRACKER_GRACE_POLLS 3
#define TRACKER_GRACE_MIN 10.0

/* Room for a reason: two whole paths (a download's and its save folder)
 * and the words around them, so no path in it is ever cut. */
#define TRACKER_REASON_MAX (2 * PATH_MAX + 512)

/* The longest wait before a failed import is tried again, in seconds. */
#define TRACKER_RETRY_MAX (15 * 60.0)

/* The reason of a completed download dry-run kept from its import; it is
 * imported at the first poll after dry-run goes off. */
#define TRACKER_WOULD_IMPORT "dry-run: would import"

/* Each state of a download and its name in the store (downloads.state)
 * and the status files (tracker_state_name()). */
#define TRACKER_STATES(X)						\
	X(TRACKER_SENT, "sent")						\
	X(TRACKER_QUEUED, "queued")					\
	X(TRACKER_DOWNLOADING, "downloading")				\
	X(TRACKER_COMPLETED, "completed")				\
	X(TRACKER_IMPORTED, "imported")					\
	X(TRACKER_FAILED, "failed")
#define TRACKER_STATE_ENUM(state, name) state,

enum tracker_state {
	TRACKER_STATES(TRACKER_STATE_ENUM)
	TRACKER_NR_STATES
};

/* A figure of tracker_seen the client did not give, or gave as no
 * number, a negative one, or one that contradicts another. */
#define TRACKER_UNKNOWN (-1LL)

/* What a client says of one download. */
struct tracker_seen {
	int listed;			/* 0: not in the client's list */
	enum tracker_state state;	/* queued, downloading, completed,
					 * failed */
	double progress;		/* 0..1 */
	char id[DOWNLOAD_ID_MAX];	/* its id there, lasting (a tag's
					 * torrent by its hash) */
	char path[PATH_MAX];		/* its content, as the client sees
					 * it; "" when unknown */
	char reason[TRACKER_REASON_MAX];	/* the client's, when failed */
	/* the wanted bytes there (done <= total), in all (above 0), and
	 * coming per second, or TRACKER_UNKNOWN */
	long long done, total, speed;
};

/* A hand-off as the store keeps it, and as it becomes. */
struct tracker_row {
	enum tracker_state state;
	double progress;
	double progress_at;		/* when progress last moved, or 0 */
	double sent_at;
	char reason[TRACKER_REASON_MAX];
};

/* The name of a state in the store and the mount ("downloading"), and
 * the state of a name, or -1. */
const char *tracker_state_name(enum tracker_state s);
int tracker_state_parse(const char *name);

/*
 * Read into *out what one object of client's download_list() answer says
 * (client: the name of a download client whose kind lists downloads: its
 * own read, client.h), *out zeroed first, listed set and
 * its figures TRACKER_UNKNOWN. Returns 0, or -EINVAL for an object that
 * is not the client's, or a client that lists nothing.
 *
 * The bytes come from the client's own fields (none is asked for them:
 * each read says which); a torrent's total is unknown until its metadata
 * came (the clients say 0).
 */
int tracker_read(const char *client, json_t *obj, struct tracker_seen *out);

/*
 * The object of list (download_list()'s answer) for the download id, or
 * NULL when the client does not list it: the last one its kind's matches
 * names (NZBGet and SABnzbd list a download in their queue and, once
 * done, in their history: the last says most).
 */
json_t *tracker_find(const char *client, json_t *list, const char *id);

/*
 * What the clients' reads share (client_NAME.c): a string member of obj,
 * or ""; a number member, integer or real, or 0; a count of bytes, a
 * whole number not negative (a real is cut), or TRACKER_UNKNOWN.
 */
const char *tracker_text(json_t *obj, const char *key);
double tracker_number(json_t *obj, const char *key);
long long tracker_bytes(json_t *obj, const char *key);

/* total less left, or TRACKER_UNKNOWN when either is or left is more. */
long long tracker_less(long long total, long long left);

/*
 * Set the figures of out, unknown where they cannot be: a total of 0 (a
 * torrent without its metadata), done unknown or beyond it, a negative
 * speed.
 */
void tracker_set_bytes(struct tracker_seen *out, long long done,
		       long long total, long long speed);

/*
 * What row was becomes now, the client having said seen, as the states
 * above say; poll_s is [download] poll_interval, stall_s the client's
 * stall_timeout ([download]'s, or [ed2k]'s for the ed2k client; 0: a
 * download never stalls). out may be was.
 */
void tracker_next(const struct tracker_row *was,
		  const struct tracker_seen *seen, double now, long poll_s,
		  long stall_s, struct tracker_row *out);

/* One poll of every download on its way. */
struct tracker_pass {
	sqlite3 *db;			/* a read connection to the store */
	const struct config *cfg;
	/* the hand-off: its clients with their sessions, its dry-run (read
	 * atomically: while set, a completed download is not imported,
	 * TRACKER_WOULD_IMPORT) */
	struct handoff *handoff;
	int retry_imports;		/* import again the completed ones
					 * whose import failed */
	int changed, failed;		/* hand-offs, this pass */
	int active;			/* still on their way after it */
	int back;			/* clients answering again */
};

/*
 * Ask the clients how their downloads stand and store what changed, as
 * above. A client with no download on its way is probed instead
 * (client_probe.h: one harmless request, a refusal of its credentials
 * not asked again until a reload or a retry-client), so that its health
 * line says how it is now, a client down included; while dry-run is on,
 * it waits. A client whose last request failed is counted in back once
 * it answers (the hand-offs it failed can go again). Returns
 * 0 (a client that cannot be asked is counted in health, not returned),
 * or a negative errno value when the store fails.
 */
int tracker_run(struct tracker_pass *p);

#endif
