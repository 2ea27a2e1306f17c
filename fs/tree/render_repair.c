/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The files that show the Real-Debrid repair (render_repair.h): dead
 * links, queues, passes and what they cost, from rd_reads.h and the live
 * status. It writes nothing.
 */
#include "fs/tree/render_repair.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/csv.h"
#include "common/http.h"
#include "common/json.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "fs/tree/render_requests.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* The names of a pass's counts, in rd_pass_count's order: repair.csv's
 * columns and the keys of a pass in JSON. */
static const char *const count_names[RD_PASS_COUNTS] = {
	"links", "broken", "unmapped", "guard_ok", "started", "repaired",
	"retries", "failed", "links_deleted", "rescans", "requests",
	"rate_limited",
};

/* A path as a field of a tab-separated line: a path under the mount
 * holds the torrent's name, which is what Real-Debrid answered. */
static void add_path_shown(struct strbuf *out, const char *path)
{
	struct strbuf b = STRBUF_INIT;

	redact(path, REDACT_MASK, &b);
	utf8_add_field(out, b.buf);
	strbuf_release(&b);
}

int render_repair_broken(struct strbuf *out)
{
	struct rd_broken *b;
	size_t n;
	int rc = rd_reads_broken(&b, &n);

	for (size_t i = 0; !rc && i < n; i++) {
		add_path_shown(out, b[i].link);
		strbuf_addch(out, '\t');
		add_path_shown(out, b[i].target);
		strbuf_addf(out, "\t%s\n", b[i].state);
	}
	rd_broken_free(b, n);
	return rc;
}

/* The rows of the n at v as a JSON array, each made an object by its
 * members: the lists of the repair documents. */
#define ROWS_ARRAY(v, n, members) \
	json_rows(v, n, sizeof(*(v)), JSON_ROW_OBJECT(members))

/* A dead link as broken.json shows it. */
static const struct json_member broken_members[] = {
	JSON_MEMBER("link", SHOWN, struct rd_broken, link),
	JSON_MEMBER("target", SHOWN, struct rd_broken, target),
	JSON_MEMBER("torrent", TEXT, struct rd_broken, torrent),
	JSON_MEMBER("torrent_name", SHOWN, struct rd_broken, torrent_name),
	JSON_MEMBER("state", TEXT, struct rd_broken, state),
	JSON_MEMBER("reason", SHOWN, struct rd_broken, reason),
	JSON_MEMBER("attempts", INT64, struct rd_broken, attempts),
	JSON_MEMBER("next_retry_at", TIME, struct rd_broken, next_retry_at),
	JSON_MEMBER("plan", TEXT, struct rd_broken, plan),
};

int render_repair_broken_json(struct strbuf *out)
{
	struct rd_broken *b;
	size_t n;
	int rc = rd_reads_broken(&b, &n);
	json_t *a = rc ? NULL : ROWS_ARRAY(b, n, broken_members);

	rd_broken_free(b, n);
	return rc ? rc : json_append(out, a);
}

int render_repair_orphans(struct strbuf *out)
{
	char age[CLOCK_WORDS_LEN];
	double now = clock_wall();
	struct rd_orphan *o;
	size_t n;
	int rc = rd_reads_orphans(&o, &n);

	for (size_t i = 0; !rc && i < n; i++) {
		add_path_shown(out, o[i].path);
		strbuf_addch(out, '\t');
		add_path_shown(out, o[i].target);
		clock_words(now - o[i].since, age);
		strbuf_addf(out, "\t%s\n", age);
	}
	rd_orphans_free(o, n);
	return rc;
}

/* A torrent of the account as debrid-torrents.json shows it. */
static const struct json_member held_members[] = {
	JSON_MEMBER("id", TEXT, struct rd_held, id),
	JSON_MEMBER("name", SHOWN, struct rd_held, name),
	JSON_MEMBER("hash", TEXT, struct rd_held, hash),
	JSON_MEMBER("status", TEXT, struct rd_held, status),
	JSON_MEMBER("bytes", INT64, struct rd_held, bytes),
	JSON_MEMBER("added_at", TIME, struct rd_held, added_at),
	JSON_MEMBER("seen_at", TIME, struct rd_held, seen_at),
};

int render_repair_torrents_json(struct strbuf *out)
{
	struct rd_held *h;
	size_t n;
	int rc = rd_reads_held(&h, &n);
	json_t *a = rc ? NULL : ROWS_ARRAY(h, n, held_members);

	rd_held_free(h, n);
	return rc ? rc : json_append(out, a);
}

/* An info hash as a magnet link takes it: 40 hexadecimal digits. */
static int is_info_hash(const char *hash)
{
	return hash && strlen(hash) == 40 &&
		strspn(hash, "0123456789abcdefABCDEF") == 40;
}

int render_repair_magnets(struct strbuf *out)
{
	struct strbuf name = STRBUF_INIT;
	struct rd_held *h;
	size_t n;
	int rc = rd_reads_held(&h, &n);

	for (size_t i = 0; !rc && i < n; i++) {
		if (!is_info_hash(h[i].hash))
			continue;
		strbuf_addf(out, "magnet:?xt=urn:btih:%s", h[i].hash);
		if (h[i].name) {
			strbuf_reset(&name);
			redact(h[i].name, REDACT_MASK, &name);
			strbuf_addstr(out, "&dn=");
			http_escape(name.buf, 0, out);
		}
		strbuf_addch(out, '\n');
	}
	strbuf_release(&name);
	rd_held_free(h, n);
	return rc;
}

/* A pass as the last_pass of repairs.json and repair.json shows it, or
 * null when none was made: the store's integers as integers, the
 * guard's reason after its decision. */
static json_t *pass_object(const struct rd_pass *p, int has)
{
	json_t *o;

	if (!has)
		return json_null();
	o = json_pack("{s:o, s:o, s:i, s:o, s:o, s:o}",
		"kind", json_text_or_null(p->kind),
		"trigger", json_text_or_null(p->trigger),
		"dry_run", p->dry_run,
		"started_at", json_time(p->started_at),
		"finished_at", json_time(p->finished_at),
		"duration_s", json_num(p->duration_s));
	for (int i = 0; o && i < RD_RATE_LIMITED; i++) {
		json_object_set_new(o, count_names[i],
				    json_integer(p->count[i]));
		if (i == RD_GUARD_OK)
			json_object_set_new(o, "guard_reason",
					    json_text_shown(p->guard_reason));
	}
	return o;
}

/* The last pass's guard decision as {ok, reason, checked_at}. */
static json_t *guard_object(const struct rd_pass *p, int has)
{
	return json_pack("{s:b, s:o, s:o}",
		"ok", !has || p->count[RD_GUARD_OK],
		"reason", has ? json_text_shown(p->guard_reason) :
			json_null(),
		"checked_at", has ? json_time(p->started_at) : json_null());
}

/* The listing of the account: the cycle of pages under way, or the last
 * one, with the resync's progress. */
static json_t *sync_object(const struct rd_sync *r)
{
	return json_pack("{s:b, s:i, s:I, s:I, s:o, s:o, s:o, s:o}",
		"resync", r->full,
		"next_page", r->next_page,
		"pages_done", (json_int_t)r->pages_done,
		"torrents_seen", (json_int_t)r->torrents_seen,
		"total", r->total >= 0 ? json_integer(r->total) : json_null(),
		"started_at", json_time(r->started_at),
		"finished_at", json_time(r->finished_at),
		"synced_at", json_time(r->synced_at));
}

/* A repair as the queues of repairs.json show it. */
static const struct json_member repair_members[] = {
	JSON_MEMBER("torrent", TEXT, struct rd_repair_row, torrent),
	JSON_MEMBER("name", SHOWN, struct rd_repair_row, name),
	JSON_MEMBER("hash", TEXT, struct rd_repair_row, hash),
	JSON_MEMBER("state", TEXT, struct rd_repair_row, state),
	JSON_MEMBER("new_id", TEXT, struct rd_repair_row, new_id),
	JSON_MEMBER("attempts", INT64, struct rd_repair_row, attempts),
	JSON_MEMBER("started_at", TIME, struct rd_repair_row, started_at),
	JSON_MEMBER("updated_at", TIME, struct rd_repair_row, updated_at),
	JSON_MEMBER("next_retry_at", TIME, struct rd_repair_row, next_retry_at),
	JSON_MEMBER("last_error", SHOWN, struct rd_repair_row, last_error),
	JSON_MEMBER("plan", TEXT, struct rd_repair_row, plan),
};

/* A repair given up, as repairs.json's failed shows it. */
static const struct json_member failure_members[] = {
	JSON_MEMBER("torrent", TEXT, struct rd_failure, torrent),
	JSON_MEMBER("name", SHOWN, struct rd_failure, name),
	JSON_MEMBER("hash", TEXT, struct rd_failure, hash),
	JSON_MEMBER("reason", SHOWN, struct rd_failure, reason),
	JSON_MEMBER("at", TIME, struct rd_failure, at),
	JSON_MEMBER("links_deleted", INT64, struct rd_failure, links_deleted),
	JSON_MEMBER("rescans", INT64, struct rd_failure, rescans),
};

/* A request as repairs.json's recent_attempts shows it. */
static json_t *attempt_object(const void *row, void *arg)
{
	const struct rd_attempt_row *t = row;

	(void)arg;
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"at", json_time(t->at),
		"endpoint", json_text_or_null(t->endpoint),
		"torrent", json_text_or_null(t->torrent),
		"result", json_text_shown(t->result),
		"http_status", t->has_http_status ?
			json_integer(t->http_status) : json_null(),
		"error_code", t->has_error_code ?
			json_integer(t->error_code) : json_null(),
		"elapsed_s", json_num(t->elapsed_s));
}

/* An old torrent still to delete. */
static const struct json_member delete_members[] = {
	JSON_MEMBER("torrent", TEXT, struct rd_delete, torrent),
	JSON_MEMBER("name", TEXT, struct rd_delete, name),
	JSON_MEMBER("new_id", TEXT, struct rd_delete, new_id),
	JSON_MEMBER("since_at", TIME, struct rd_delete, since_at),
	JSON_MEMBER("failures", INT64, struct rd_delete, failures),
	JSON_MEMBER("last_error", TEXT, struct rd_delete, last_error),
	JSON_MEMBER("tried_at", TIME, struct rd_delete, tried_at),
};

/* An action as repairs.json's recent_actions shows it. */
static const struct json_member action_members[] = {
	JSON_MEMBER("at", TIME, struct rd_action, at),
	JSON_MEMBER("torrent", TEXT, struct rd_action, torrent),
	JSON_MEMBER("service", TEXT, struct rd_action, service),
	JSON_MEMBER("action", TEXT, struct rd_action, action),
	JSON_MEMBER("target", TEXT, struct rd_action, target),
	JSON_MEMBER("result", SHOWN, struct rd_action, result),
};

int render_repairs_json(struct strbuf *out)
{
	struct indexer_status s;
	struct rd_repairs r;
	json_t *doc;
	int rc;

	indexer_status(&s);
	rc = rd_reads_repairs(&r);
	doc = rc ? NULL : json_pack(
		"{s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
		" s:o, s:o}",
		"dry_run", s.dry_run,
		"running", !!(s.jobs.running & (JOBS_REPAIR_SCAN |
						JOBS_REPAIR_RUN)),
		"guard", guard_object(&r.last, r.has_last),
		"last_pass", pass_object(&r.last, r.has_last),
		"next_pass_at", json_time(s.jobs.next_repair_at),
		"sync", sync_object(&r.sync),
		"queue", ROWS_ARRAY(r.queue, r.nr_queue, repair_members),
		"retry_queue", ROWS_ARRAY(r.retry_queue, r.nr_retry_queue,
					  repair_members),
		"repaired", ROWS_ARRAY(r.repaired, r.nr_repaired,
				       repair_members),
		"failed", ROWS_ARRAY(r.failed, r.nr_failed, failure_members),
		"loops_stopped", ROWS_ARRAY(r.loops_stopped,
					    r.nr_loops_stopped, repair_members),
		"old_torrents_to_delete", ROWS_ARRAY(r.deletes, r.nr_deletes,
						     delete_members),
		"recent_attempts", json_rows(r.attempts, r.nr_attempts,
					     sizeof(*r.attempts),
					     attempt_object, NULL),
		"recent_actions", ROWS_ARRAY(r.actions, r.nr_actions,
					     action_members));
	rd_repairs_release(&r);
	return rc ? rc : json_append(out, doc);
}

int render_repair_json(struct strbuf *out)
{
	json_t *doc, *requests = json_object();
	struct throttle_stats budget;
	struct rd_totals t;
	int rc = rd_reads_totals(&t);

	for (size_t i = 0; !rc && requests && i < t.nr_endpoints; i++)
		json_object_set_new(requests, t.endpoints[i].endpoint,
				    json_integer(t.endpoints[i].requests));
	doc = rc ? NULL : json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:O, s:o,"
		" s:o, s:o}",
		"requests", (json_int_t)t.stats.requests,
		"rate_limited", (json_int_t)t.stats.rate_limited,
		"repairs_ok", (json_int_t)t.stats.repairs_ok,
		"repairs_failed", (json_int_t)t.stats.repairs_failed,
		"permanent_failures", (json_int_t)t.stats.permanent_failures,
		"links_deleted", (json_int_t)t.stats.links_deleted,
		"rescans", (json_int_t)t.stats.rescans,
		"old_torrents_to_delete",
		(json_int_t)t.stats.old_torrents_to_delete,
		"old_torrent_delete_failures",
		(json_int_t)t.stats.old_torrent_delete_failures,
		"passes", (json_int_t)t.stats.passes,
		"requests_by_endpoint", requests,
		"last_pass", pass_object(&t.last, t.has_last),
		"last_pass_duration_s", t.has_last ?
			json_num(t.last.duration_s) : json_null(),
		"throttle", render_requests_find("realdebrid", &budget) ?
			render_requests_service(&budget) : json_null());
	json_decref(requests);
	rd_totals_release(&t);
	return rc ? rc : json_append(out, doc);
}

int render_repair_csv(struct strbuf *out)
{
	struct rd_pass *p;
	size_t n;
	int rc = rd_reads_passes(&p, &n);

	if (!rc) {
		strbuf_addstr(out, "id,kind,trigger,dry_run,started_at,"
			      "finished_at,duration_s");
		for (int k = 0; k < RD_PASS_COUNTS; k++)
			strbuf_addf(out, ",%s", count_names[k]);
		strbuf_addch(out, '\n');
	}
	for (size_t i = 0; !rc && i < n; i++) {
		strbuf_addf(out, "%lld,", (long long)p[i].id);
		csv_add_field(out, p[i].kind);
		strbuf_addch(out, ',');
		csv_add_field(out, p[i].trigger);
		strbuf_addf(out, ",%d,", p[i].dry_run);
		csv_add_time(out, p[i].started_at, 1);
		strbuf_addch(out, ',');
		csv_add_time(out, p[i].finished_at, p[i].finished);
		strbuf_addf(out, ",%.3f", isnan(p[i].duration_s) ? 0 :
			    p[i].duration_s);
		for (int k = 0; k < RD_PASS_COUNTS; k++)
			strbuf_addf(out, ",%lld", (long long)p[i].count[k]);
		strbuf_addch(out, '\n');
	}
	rd_passes_free(p, n);
	return rc;
}

int render_repair_listing(struct strbuf *out)
{
	char at[CLOCK_RFC3339_LEN];
	struct rd_sync r;
	int rc = rd_reads_sync(&r);

	if (rc)
		return rc;
	if (!r.started_at) {
		strbuf_addstr(out, "listing: not started\n");
		return 0;
	}
	clock_rfc3339((time_t)r.started_at, at);
	strbuf_addf(out, "listing: %s%lld pages, %lld torrents seen since %s",
		    r.full ? "resync, " : "", (long long)r.pages_done,
		    (long long)r.torrents_seen, at);
	if (r.total >= 0)
		strbuf_addf(out, " (the account holds %lld)",
			    (long long)r.total);
	if (r.finished_at) {
		clock_rfc3339((time_t)r.finished_at, at);
		strbuf_addf(out, ", done at %s", at);
	} else {
		strbuf_addf(out, ", page %d next", r.next_page);
	}
	strbuf_addch(out, '\n');
	return 0;
}
