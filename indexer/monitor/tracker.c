/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tracker's pass (tracker.h): the hand-offs on their way loaded, each
 * client asked once, what became of each stored, the completed imported.
 * What one answer means is tracker_read.c's, the import of a completed
 * download tracker_import.c's; FUSE never comes here, and this file
 * moves no file.
 */
#include "indexer/monitor/tracker.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/bytes.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/http.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/strbuf.h"
#include "indexer/monitor/blocklist.h"
#include "indexer/monitor/checks.h"
#include "indexer/monitor/client_probe.h"
#include "indexer/monitor/handoff.h"
#include "indexer/monitor/tracker_private.h"
#include "indexer/store/services.h"
#include "indexer/store/writer.h"

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
	if (seen->state == TRACKER_DOWNLOADING && stall_s > 0 &&
	    since > stall_s) {
		out->state = TRACKER_FAILED;
		snprintf(out->reason, sizeof(out->reason), "stalled: no"
			 " progress for %.0f s (its stall_timeout)", since);
	}
}

/* A writer_call() function: store what became of a hand-off. */
struct update {
	const struct track *t;
	const struct tracker_row *row;
	const struct tracker_seen *seen;	/* its figures, if listed */
	const char *client_id, *path;
	double now;
};

/* A figure of tracker_seen, NULL (a text of none) when it is unknown. */
static struct db_arg figure(long long v)
{
	return v < 0 ? DB_TEXT(NULL) : DB_INT(v);
}

static int store_update(sqlite3 *db, void *arg)
{
	const struct update *u = arg;

	return db_run(db, "store download state", "UPDATE downloads SET"
		" state = ?3, progress = ?4,"
		" progress_at = ?5, error = ?6, client_id = ?7,"
		" path = coalesce(?8, path), changed_at = CASE WHEN"
		" state = ?3 THEN changed_at ELSE ?9 END,"
		" bytes_done = CASE WHEN ?11 THEN ?12 ELSE bytes_done END,"
		" bytes_total = CASE WHEN ?11 THEN ?13 ELSE bytes_total END,"
		" bytes_per_s = CASE WHEN ?11 THEN ?14 ELSE bytes_per_s END"
		" WHERE series = ?1 AND volume = ?2 AND client_id = ?10",
		DB_ARGS(DB_TEXT(u->t->series), DB_INT(u->t->volume),
			DB_TEXT(tracker_state_name(u->row->state)),
			DB_REAL(u->row->progress),
			DB_REAL(u->row->progress_at),
			DB_TEXT(u->row->reason[0] ? u->row->reason : NULL),
			DB_TEXT(u->client_id),
			DB_TEXT(u->path && *u->path ? u->path : NULL),
			DB_REAL(u->now), DB_TEXT(u->t->client_id),
			DB_INT(u->seen->listed), figure(u->seen->done),
			figure(u->seen->total), figure(u->seen->speed)));
}

static const struct db_field track_texts[] = {
	DB_FIELD_OR(struct track, series, 0, ""),
	DB_FIELD_OR(struct track, client, 3, ""),
	DB_FIELD_OR(struct track, client_id, 4, ""),
	DB_FIELD_OR(struct track, release_id, 5, ""),
	DB_FIELD_OR(struct track, title, 6, ""),
	DB_FIELD_OR(struct track, path, 11, ""),
};

static void track_free(struct track *t, size_t nr)
{
	db_rows_free(t, nr, sizeof(*t), DB_FIELDS(track_texts));
}

static int track_row(sqlite3_stmt *st, void *row, void *arg)
{
	struct track *n = row;
	const char *reason = (const char *)sqlite3_column_text(st, 10);

	(void)arg;
	n->volume = sqlite3_column_int(st, 1);
	n->row.state = tracker_state_parse((const char *)
		sqlite3_column_text(st, 2));
	n->row.progress = sqlite3_column_double(st, 7);
	n->row.progress_at = sqlite3_column_double(st, 8);
	n->row.sent_at = sqlite3_column_double(st, 9);
	n->applied = sqlite3_column_int(st, 12);
	snprintf(n->row.reason, sizeof(n->row.reason), "%s",
		 reason ? reason : "");
	return db_row_fields(st, n, DB_FIELDS(track_texts));
}

/* The hand-offs on their way, with an id in their client. */
static int load(sqlite3 *db, struct track **out, size_t *nr)
{
	int rc;

	*out = NULL;
	*nr = 0;
	rc = db_read_rows(db, "SELECT series, volume, state, client,"
			  " client_id, release_id, title, progress,"
			  " progress_at, coalesce(sent_at, at), error, path,"
			  " applied FROM downloads"
			  " WHERE client_id IS NOT NULL AND state IN ('sent',"
			  " 'queued', 'downloading', 'completed')",
			  "read downloads", track_row, NULL, (void **)out, nr,
			  sizeof(**out));
	if (rc) {
		track_free(*out, *nr);
		*out = NULL;
		*nr = 0;
	}
	return rc;
}

/* A failed hand-off: its release never again, and the user told. */
static void failed(const struct track *t, const struct tracker_row *row)
{
	log_warn("tracker: \"%s\" for %s volume %d failed in %s: %s",
		 t->title, t->series, t->volume, t->client, row->reason);
	if (blocklist_valid_id(t->release_id))
		blocklist_add(t->release_id, t->title, row->reason);
	tracker_tell(t, NOTIFY_HANDOFF_FAILED, "reason",
		     json_string(row->reason), ": the download of \"%s\" failed"
		     " in %s: %s", t->title, t->client, row->reason);
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

/* t's download as c's list tells it: its next state (an import when it
 * completed), counted in p and stored. */
static int follow_one(struct tracker_pass *p, const struct download_client *c,
		      struct track *t, json_t *list)
{
	struct tracker_seen seen = { 0 };
	struct tracker_row row;
	json_t *obj;
	double now = clock_wall();

	obj = tracker_find(c->client, list, t->client_id);
	if (obj && tracker_read(c->client, obj, &seen))
		return 0;
	tracker_next(&t->row, &seen, now, p->cfg->download_poll_interval_s,
		     c == &p->handoff->ed2k.c ? p->cfg->ed2k_stall_timeout_s :
		     p->cfg->download_stall_timeout_s, &row);
	if (row.state == TRACKER_COMPLETED &&
	    (t->row.state != TRACKER_COMPLETED || p->retry_imports ||
	     (tracker_would_import(&t->row) && !tracker_dry_run_on(p, t)) ||
	     tracker_import_due(p, t, now)))
		row.state = tracker_import(p, t, obj, *seen.path ?
					   seen.path : t->path, &row);
	if (row.state == TRACKER_FAILED)
		failed(t, &row);
	if (row.state < TRACKER_COMPLETED)
		p->active++;
	p->failed += row.state == TRACKER_FAILED;
	count_outcome(t->row.state, row.state);
	if (row.state != t->row.state || strcmp(row.reason, t->row.reason)) {
		p->changed++;
		log_info("tracker: \"%s\" for %s volume %d: %s", t->title,
			 t->series, t->volume, tracker_state_name(row.state));
	}
	return writer_call(store_update, &(struct update) {
		.t = t, .row = &row, .seen = &seen, .now = now,
		.client_id = seen.id[0] ? seen.id : t->client_id,
		.path = seen.path,
	});
}

/* Follow the hand-offs of the tracks t that went to client c; with none,
 * probe it (client_probe.h), unless dry-run holds. */
static int follow(struct tracker_pass *p, const struct download_client *c,
		  struct track *t, size_t nr)
{
	const char **ids = calloc(nr ? nr : 1, sizeof(*ids));
	struct strbuf err = STRBUF_INIT;
	int dry = tracker_dry_run_on(p, NULL);
	size_t n = 0;
	json_t *list;
	int rc, failing;

	if (!ids)
		return -ENOMEM;
	failing = dry ? 0 : services_failing(p->db, c->client);
	if (failing < 0) {
		free(ids);
		return failing;
	}
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(t[i].client, c->client))
			ids[n++] = t[i].client_id;
	if (!n) {
		free(ids);
		rc = dry ? 0 : client_probe(c, failing);
		p->back += rc > 0;
		return rc < 0 ? rc : 0;
	}
	rc = download_list(c, ids, n, &list, &err);
	free(ids);
	if (rc == -EOPNOTSUPP) {
		strbuf_release(&err);
		return 0;
	}
	if (rc) {
		/* The client, not its downloads: they stay as they are; one
		 * out of reach is a warning, as a source is */
		services_record(NULL, c->client, rc, err.buf,
				http_out_of_reach(rc) ? "warn" : "error");
		p->active += (int)n;
		strbuf_release(&err);
		return rc == -ENOMEM ? rc : 0;
	}
	services_record(NULL, c->client, 0, NULL, NULL);
	p->back += failing;
	strbuf_release(&err);
	rc = 0;
	for (size_t i = 0; !rc && i < nr; i++)
		if (!strcmp(t[i].client, c->client))
			rc = follow_one(p, c, &t[i], list);
	json_decref(list);
	return rc;
}

int tracker_run(struct tracker_pass *p)
{
	const struct download_client *clients[] = {
		&p->handoff->torrent.c, &p->handoff->usenet.c,
		&p->handoff->ed2k.c,
	};
	struct track *t;
	size_t nr;
	int rc;

	p->changed = p->failed = p->active = p->back = 0;
	tracker_look_saves(p);
	rc = load(p->db, &t, &nr);
	for (size_t i = 0; !rc && i < ARRAY_SIZE(clients); i++)
		if (clients[i]->client &&
		    (!i || strcmp(clients[i]->client, clients[0]->client)))
			rc = follow(p, clients[i], t, nr);
	track_free(t, nr);
	return rc;
}
