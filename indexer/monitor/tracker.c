/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Each hand-off followed in its download client (tracker.h): the
 * clients' answers read into states, what follows from them, and the
 * rows stored through the writer. The import of a completed download is
 * tracker_import.c's; this file moves no file.
 */
#include "indexer/monitor/tracker.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/strbuf.h"
#include "indexer/monitor/blocklist.h"
#include "indexer/monitor/checks.h"
#include "indexer/monitor/handoff.h"
#include "indexer/monitor/tracker_private.h"
#include "indexer/store/services.h"
#include "indexer/store/writer.h"

static const char *const state_names[] = {
	[TRACKER_SENT] = "sent",
	[TRACKER_QUEUED] = "queued",
	[TRACKER_DOWNLOADING] = "downloading",
	[TRACKER_COMPLETED] = "completed",
	[TRACKER_IMPORTED] = "imported",
	[TRACKER_FAILED] = "failed",
};

const char *tracker_state_name(enum tracker_state s)
{
	return s < TRACKER_NR_STATES ? state_names[s] : "unknown";
}

int tracker_state_parse(const char *name)
{
	for (int i = 0; i < TRACKER_NR_STATES; i++)
		if (name && !strcmp(state_names[i], name))
			return i;
	return -1;
}

/* A string member of obj, or "". */
static const char *text_of(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* A number member of obj, integer or real, or 0. */
static double number_of(json_t *obj, const char *key)
{
	return json_number_value(json_object_get(obj, key));
}

/* Whether s ends with end. */
static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && !strcmp(s + n - m, end);
}

/*
 * qBittorrent's torrents/info object (its states from 4.1 to 5.1:
 * stoppedDL/stoppedUP are 5.0's names of pausedDL/pausedUP): error and
 * missingFiles failed, the ...UP states with all pieces completed, the
 * waiting ones queued, any other on its way.
 */
static int read_qbit(json_t *t, struct tracker_seen *out)
{
	static const char *const waiting[] = {
		"queuedDL", "pausedDL", "stoppedDL", "checkingDL",
		"checkingResumeData", "allocating",
	};
	const char *state = text_of(t, "state");
	const char *content = text_of(t, "content_path");

	if (!*text_of(t, "hash") || !*state)
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%s", text_of(t, "hash"));
	out->progress = number_of(t, "progress");
	if (*content)
		snprintf(out->path, sizeof(out->path), "%s", content);
	else
		snprintf(out->path, sizeof(out->path), "%s/%s",
			 text_of(t, "save_path"), text_of(t, "name"));
	out->state = TRACKER_DOWNLOADING;
	if (!strcmp(state, "error") || !strcmp(state, "missingFiles")) {
		out->state = TRACKER_FAILED;
		snprintf(out->reason, sizeof(out->reason), "qbittorrent: the"
			 " torrent is in state %s", state);
	} else if (ends_with(state, "UP") && out->progress >= 1) {
		out->state = TRACKER_COMPLETED;
	} else {
		for (size_t i = 0; i < sizeof(waiting) / sizeof(*waiting);
		     i++)
			if (!strcmp(state, waiting[i]))
				out->state = TRACKER_QUEUED;
	}
	return 0;
}

/*
 * Transmission's torrent-get object: a local error (error 3) failed, in
 * its errorString (a tracker's error or warning passes); status 0
 * stopped, 1-2 checking, 3 waiting, 4 downloading, 5-6 seeding;
 * complete when nothing is left and the metadata is there.
 */
static int read_transmission(json_t *t, struct tracker_seen *out)
{
	json_t *status = json_object_get(t, "status");
	int done = number_of(t, "leftUntilDone") == 0 &&
		number_of(t, "metadataPercentComplete") >= 1;

	if (!*text_of(t, "hashString") || !json_is_integer(status))
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%s", text_of(t, "hashString"));
	out->progress = number_of(t, "percentDone");
	snprintf(out->path, sizeof(out->path), "%s/%s",
		 text_of(t, "downloadDir"), text_of(t, "name"));
	if (json_integer_value(json_object_get(t, "error")) == 3) {
		out->state = TRACKER_FAILED;
		snprintf(out->reason, sizeof(out->reason), "transmission:"
			 " %.200s", text_of(t, "errorString"));
	} else if (done) {
		out->state = TRACKER_COMPLETED;
	} else if (json_integer_value(status) == 4) {
		out->state = TRACKER_DOWNLOADING;
	} else {
		out->state = TRACKER_QUEUED;
	}
	return 0;
}

/*
 * NZBGet's listgroups or history object: in the history, SUCCESS/... (and
 * WARNING/SCRIPT: only a script complained) completed, any other status
 * failed (FAILURE/FETCH: the link could not be fetched; DELETED/MANUAL:
 * removed by the user); in the queue, QUEUED, PAUSED and FETCHING
 * queued, downloading and post-processing on its way.
 */
static int read_nzbget(json_t *g, struct tracker_seen *out)
{
	const char *status = text_of(g, "Status");
	const char *dir = text_of(g, "FinalDir");
	double size = number_of(g, "FileSizeMB");
	int history = strchr(status, '/') != NULL;

	if (!json_is_integer(json_object_get(g, "NZBID")) || !*status)
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%lld", (long long)
		 json_integer_value(json_object_get(g, "NZBID")));
	snprintf(out->path, sizeof(out->path), "%s",
		 *dir ? dir : text_of(g, "DestDir"));
	out->progress = size > 0 ? 1 - number_of(g, "RemainingSizeMB") / size
		: 0;
	if (history && (!strncmp(status, "SUCCESS/", 8) ||
			!strcmp(status, "WARNING/SCRIPT"))) {
		out->state = TRACKER_COMPLETED;
		out->progress = 1;
	} else if (history) {
		out->state = TRACKER_FAILED;
		snprintf(out->reason, sizeof(out->reason), "nzbget: %s%s",
			 status, !strcmp(status, "FAILURE/FETCH") ?
			 " (the NZB could not be fetched)" :
			 !strcmp(status, "DELETED/MANUAL") ?
			 " (removed by the user)" : "");
	} else if (!strcmp(status, "QUEUED") || !strcmp(status, "PAUSED") ||
		   !strcmp(status, "FETCHING")) {
		out->state = TRACKER_QUEUED;
	} else {
		out->state = TRACKER_DOWNLOADING;
	}
	return 0;
}

/* A number SABnzbd gives as text ("12.50"), or 0. */
static double text_number(json_t *obj, const char *key)
{
	return strtod(text_of(obj, key), NULL);
}

/*
 * SABnzbd's queue or history slot (a history slot has a fail_message,
 * "" or not): in the history, Completed completed, in its storage
 * folder, Failed failed with its fail_message ("URL Fetching failed;
 * File not on server": the link gave 404), any other status
 * post-processing, on its way; in the queue, Downloading and Fetching
 * (more par2 files) on their way, any other (Grabbing the NZB, Queued,
 * Paused, Propagating, Checking) queued.
 */
static int read_sabnzbd(json_t *slot, struct tracker_seen *out)
{
	const char *status = text_of(slot, "status");
	double mb = text_number(slot, "mb");

	if (!*text_of(slot, "nzo_id") || !*status)
		return -EINVAL;
	snprintf(out->id, sizeof(out->id), "%s", text_of(slot, "nzo_id"));
	if (json_object_get(slot, "fail_message")) {
		snprintf(out->path, sizeof(out->path), "%s",
			 text_of(slot, "storage"));
		out->progress = 1;
		out->state = TRACKER_DOWNLOADING;
		if (!strcmp(status, "Completed")) {
			out->state = TRACKER_COMPLETED;
		} else if (!strcmp(status, "Failed")) {
			out->state = TRACKER_FAILED;
			out->progress = 0;
			snprintf(out->reason, sizeof(out->reason), "sabnzbd:"
				 " %.200s", *text_of(slot, "fail_message") ?
				 text_of(slot, "fail_message") : "failed");
		}
		return 0;
	}
	out->progress = mb > 0 ? 1 - text_number(slot, "mbleft") / mb : 0;
	out->state = !strcmp(status, "Downloading") ||
		!strcmp(status, "Fetching") ? TRACKER_DOWNLOADING :
		TRACKER_QUEUED;
	return 0;
}

int tracker_read(const char *client, json_t *obj, struct tracker_seen *out)
{
	memset(out, 0, sizeof(*out));
	out->listed = 1;
	if (!json_is_object(obj))
		return -EINVAL;
	if (!strcmp(client, "qbittorrent"))
		return read_qbit(obj, out);
	if (!strcmp(client, "transmission"))
		return read_transmission(obj, out);
	if (!strcmp(client, "nzbget"))
		return read_nzbget(obj, out);
	if (!strcmp(client, "sabnzbd"))
		return read_sabnzbd(obj, out);
	return -EINVAL;
}

/* Whether obj, one of client's, is the download id. */
static int is_download(const char *client, json_t *obj, const char *id)
{
	char nzbid[32];

	if (!strcmp(client, "qbittorrent")) {
		const char *tags = text_of(obj, "tags");
		size_t len = strlen(id);

		if (!strcasecmp(text_of(obj, "hash"), id))
			return 1;
		/* tags: "a, b, c" */
		for (const char *t = strstr(tags, id); t;
		     t = strstr(t + 1, id))
			if ((t == tags || t[-1] == ' ' || t[-1] == ',') &&
			    (t[len] == '\0' || t[len] == ','))
				return 1;
		return 0;
	}
	if (!strcmp(client, "transmission"))
		return !strcasecmp(text_of(obj, "hashString"), id);
	if (!strcmp(client, "sabnzbd"))
		return !strcmp(text_of(obj, "nzo_id"), id);
	snprintf(nzbid, sizeof(nzbid), "%lld", (long long)
		 json_integer_value(json_object_get(obj, "NZBID")));
	return !strcmp(nzbid, id);
}

json_t *tracker_find(const char *client, json_t *list, const char *id)
{
	json_t *obj, *found = NULL;
	size_t i;

	/* NZBGet and SABnzbd list an item in their queue and, once
	 * done, in their history: the last one says most. */
	json_array_foreach(list, i, obj)
		if (is_download(client, obj, id))
			found = obj;
	return found;
}

void tracker_next(const struct tracker_row *was,
		  const struct tracker_seen *seen, double now, long poll_s,
		  long stall_s, struct tracker_row *out)
{
	double grace = fmax(TRACKER_GRACE_POLLS * (double)poll_s,
			    TRACKER_GRACE_MIN);
	double since;

	if (out != was)
		*out = *was;
	if (was->state == TRACKER_COMPLETED && !seen->listed &&
	    !strncmp(was->reason, "import: ", strlen("import: "))) {
		/* what stood in the import's way no longer matters */
		out->state = TRACKER_FAILED;
		snprintf(out->reason, sizeof(out->reason), "removed from the"
			 " download client before its import");
	}
	if (was->state >= TRACKER_COMPLETED)
		return;
	if (!seen->listed) {
		if (was->state != TRACKER_SENT) {
			out->state = TRACKER_FAILED;
			snprintf(out->reason, sizeof(out->reason), "removed"
				 " from the download client");
		} else if (now - was->sent_at > grace) {
			out->state = TRACKER_FAILED;
			snprintf(out->reason, sizeof(out->reason), "the"
				 " download client never listed it within"
				 " %.0f s: its link could not be fetched",
				 grace);
		}
		return;
	}
	out->state = seen->state;
	if (seen->state == TRACKER_FAILED) {
		snprintf(out->reason, sizeof(out->reason), "%s",
			 seen->reason);
		return;
	}
	out->reason[0] = '\0';
	if (seen->progress > was->progress || !was->progress_at) {
		out->progress = seen->progress;
		out->progress_at = now;
		return;
	}
	since = now - fmax(was->progress_at, was->sent_at);
	if (seen->state == TRACKER_DOWNLOADING && since > stall_s) {
		out->state = TRACKER_FAILED;
		snprintf(out->reason, sizeof(out->reason), "stalled: no"
			 " progress for %.0f s ([download] stall_timeout)",
			 since);
	}
}

/* A writer_call() function: store what became of a hand-off. */
struct update {
	const struct track *t;
	const struct tracker_row *row;
	const char *client_id, *path;
	double now;
};

static int store_update(sqlite3 *db, void *arg)
{
	const struct update *u = arg;
	sqlite3_stmt *st;
	int rc;

	rc = db_prepare(db, "UPDATE downloads SET state = ?3, progress = ?4,"
		" progress_at = ?5, error = ?6, client_id = ?7,"
		" path = coalesce(?8, path), changed_at = CASE WHEN"
		" state = ?3 THEN changed_at ELSE ?9 END"
		" WHERE series = ?1 AND volume = ?2 AND client_id = ?10", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, u->t->series, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, u->t->volume);
	sqlite3_bind_text(st, 3, tracker_state_name(u->row->state), -1,
			  SQLITE_STATIC);
	sqlite3_bind_double(st, 4, u->row->progress);
	sqlite3_bind_double(st, 5, u->row->progress_at);
	db_bind_text(st, 6, u->row->reason[0] ? u->row->reason : NULL);
	sqlite3_bind_text(st, 7, u->client_id, -1, SQLITE_STATIC);
	db_bind_text(st, 8, u->path && *u->path ? u->path : NULL);
	sqlite3_bind_double(st, 9, u->now);
	sqlite3_bind_text(st, 10, u->t->client_id, -1, SQLITE_STATIC);
	return db_finalize(st, sqlite3_step(st), "store download state");
}

static void track_free(struct track *t, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(t[i].series);
		free(t[i].client);
		free(t[i].client_id);
		free(t[i].release_id);
		free(t[i].title);
		free(t[i].path);
	}
	free(t);
}

/* The hand-offs on their way, with an id in their client. */
static int load(sqlite3 *db, struct track **out, size_t *nr)
{
	struct track *t = NULL, *grown;
	size_t alloc = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*nr = 0;
	rc = db_prepare(db, "SELECT series, volume, state, client, client_id,"
			" release_id, title, progress, progress_at,"
			" coalesce(sent_at, at), error, path FROM downloads"
			" WHERE client_id IS NOT NULL AND state IN ('sent',"
			" 'queued', 'downloading', 'completed')", &st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct track *n;

		if (*nr == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			grown = realloc(t, alloc * sizeof(*t));
			if (!grown) {
				rc = SQLITE_NOMEM;
				break;
			}
			t = grown;
		}
		n = &t[(*nr)++];
		memset(n, 0, sizeof(*n));
		n->volume = sqlite3_column_int(st, 1);
		n->row.state = tracker_state_parse((const char *)
			sqlite3_column_text(st, 2));
		n->row.progress = sqlite3_column_double(st, 7);
		n->row.progress_at = sqlite3_column_double(st, 8);
		n->row.sent_at = sqlite3_column_double(st, 9);
		snprintf(n->row.reason, sizeof(n->row.reason), "%s",
			 sqlite3_column_text(st, 10) ?
			 (const char *)sqlite3_column_text(st, 10) : "");
		if (db_column_strdup(st, 0, "", &n->series) ||
		    db_column_strdup(st, 3, "", &n->client) ||
		    db_column_strdup(st, 4, "", &n->client_id) ||
		    db_column_strdup(st, 5, "", &n->release_id) ||
		    db_column_strdup(st, 6, "", &n->title) ||
		    db_column_strdup(st, 11, "", &n->path)) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	rc = db_finalize(st, rc, "read downloads");
	if (rc) {
		track_free(t, *nr);
		*nr = 0;
		return rc;
	}
	*out = t;
	return 0;
}


/* A failed hand-off: its release never again, and the user told. */
static void failed(const struct track *t, const struct tracker_row *row)
{
	struct strbuf subject = STRBUF_INIT;

	log_warn("tracker: \"%s\" for %s volume %d failed in %s: %s",
		 t->title, t->series, t->volume, t->client, row->reason);
	if (blocklist_valid_id(t->release_id))
		blocklist_add(t->release_id, t->title, row->reason);
	tracker_subject(t, &subject);
	notify_event(NOTIFY_HANDOFF_FAILED, subject.buf,
		     json_pack("{s:i, s:s, s:s, s:s}", "volume", t->volume,
			       "title", t->title, "client", t->client,
			       "reason", row->reason),
		     "%s volume %d: the download of \"%s\" failed in %s: %s",
		     t->series, t->volume, t->title, t->client, row->reason);
	strbuf_release(&subject);
}


/* Count what became of a download against the newest missing check: a
 * count lost costs a figure, not the download. */
static void count_outcome(enum tracker_state was, enum tracker_state now)
{
	enum checks_outcome o;

	if (now >= TRACKER_COMPLETED && now != TRACKER_FAILED &&
	    was < TRACKER_COMPLETED) {
		o = CHECKS_COMPLETED;
		writer_call(checks_count_download, &o);
	}
	if (now == was)
		return;
	if (now == TRACKER_IMPORTED || now == TRACKER_FAILED) {
		o = now == TRACKER_IMPORTED ? CHECKS_IMPORTED :
			CHECKS_DOWNLOAD_FAILED;
		writer_call(checks_count_download, &o);
	}
}

/* Follow the hand-offs of the tracks t that went to client c. */
static int follow(struct tracker_pass *p, const struct download_client *c,
		  struct track *t, size_t nr, int probe)
{
	const char **ids = calloc(nr ? nr : 1, sizeof(*ids));
	struct strbuf err = STRBUF_INIT;
	size_t n = 0;
	json_t *list;
	int rc;

	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(t[i].client, c->client))
			ids[n++] = t[i].client_id;
	if (!n && probe)
		ids[n++] = TRACKER_PROBE_ID;
	if (!n) {
		free(ids);
		return 0;
	}
	rc = download_list(c, ids, n, &list, &err);
	free(ids);
	if (rc == -EOPNOTSUPP) {
		strbuf_release(&err);
		return 0;
	}
	if (rc) {
		/* The client, not its downloads: they stay as they are. */
		services_record(NULL, c->client, rc, err.buf, "error");
		p->active += (int)n;
		strbuf_release(&err);
		return rc == -ENOMEM ? rc : 0;
	}
	services_record(NULL, c->client, 0, NULL, NULL);
	strbuf_release(&err);
	rc = 0;
	for (size_t i = 0; !rc && i < nr; i++) {
		struct tracker_seen seen = { 0 };
		struct tracker_row row;
		json_t *obj;
		double now = clock_wall();

		if (strcmp(t[i].client, c->client))
			continue;
		obj = tracker_find(c->client, list, t[i].client_id);
		if (obj && tracker_read(c->client, obj, &seen))
			continue;
		tracker_next(&t[i].row, &seen, now,
			     p->cfg->download_poll_interval_s,
			     p->cfg->download_stall_timeout_s, &row);
		if (row.state == TRACKER_COMPLETED &&
		    (t[i].row.state != TRACKER_COMPLETED || p->retry_imports ||
		     (tracker_would_import(&t[i].row) &&
		      !tracker_dry_run_on(p)) ||
		     tracker_import_due(p, &t[i], now)))
			row.state = tracker_import(p, &t[i], *seen.path ?
				seen.path : t[i].path, &row);
		if (row.state == TRACKER_FAILED)
			failed(&t[i], &row);
		if (row.state < TRACKER_COMPLETED)
			p->active++;
		p->failed += row.state == TRACKER_FAILED;
		count_outcome(t[i].row.state, row.state);
		if (row.state != t[i].row.state ||
		    strcmp(row.reason, t[i].row.reason)) {
			p->changed++;
			log_info("tracker: \"%s\" for %s volume %d: %s",
				 t[i].title, t[i].series, t[i].volume,
				 tracker_state_name(row.state));
		}
		rc = writer_call(store_update, &(struct update) {
			.t = &t[i], .row = &row, .now = now,
			.client_id = seen.id[0] ? seen.id : t[i].client_id,
			.path = seen.path,
		});
	}
	json_decref(list);
	return rc;
}

int tracker_run(struct tracker_pass *p)
{
	const struct download_client *clients[] = {
		&p->handoff->torrent.c, &p->handoff->usenet.c,
	};
	unsigned asked = download_retries();
	/* dry-run asks a client nothing it need not */
	int probe = !tracker_dry_run_on(p) &&
		p->handoff->probed != (long long)asked;
	struct track *t;
	size_t nr;
	int rc;

	p->changed = p->failed = p->active = 0;
	rc = load(p->db, &t, &nr);
	for (size_t i = 0; !rc && i < 2; i++)
		if (clients[i]->client &&
		    (!i || strcmp(clients[i]->client, clients[0]->client)))
			rc = follow(p, clients[i], t, nr, probe);
	track_free(t, nr);
	if (!rc && probe)
		p->handoff->probed = asked;
	return rc;
}
