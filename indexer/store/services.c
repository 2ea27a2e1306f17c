/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the store keeps per remote service (services.h): throttle
 * state and how its last request went. It sends no request.
 */
#include "indexer/store/services.h"

#include <string.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/db.h"
#include "indexer/store/writer.h"

int services_load(sqlite3 *db, const char *name, struct throttle_state *out)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_prepare(db, "SELECT last_request_at, paused_until, backoff_s"
			" FROM services WHERE name = ?1", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->last_request_at = sqlite3_column_double(st, 0);
		out->paused_until = sqlite3_column_double(st, 1);
		out->backoff_s = sqlite3_column_double(st, 2);
	}
	return db_finalize(st, rc, "read service state");
}

int services_store(sqlite3 *db, void *report)
{
	const struct services_report *r = report;
	const char *name = r->name ? r->name : throttle_name(r->throttle);
	double at = r->at ? r->at : clock_wall();
	struct throttle_stats stats = { 0 };
	struct throttle_state state = { 0 };
	sqlite3_stmt *st;
	int rc;

	if (r->throttle) {
		throttle_save(r->throttle, &state);
		throttle_stats(r->throttle, &stats);
	}
	rc = db_prepare(db, "INSERT INTO services (name) VALUES (?1)"
			" ON CONFLICT (name) DO NOTHING", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = db_finalize(st, sqlite3_step(st), "store service state");
	if (rc)
		return rc;
	rc = db_prepare(db,
		"UPDATE services SET"
		" last_request_at = CASE WHEN ?2 THEN ?3 ELSE last_request_at"
		"  END,"
		" paused_until = CASE WHEN ?2 THEN ?4 ELSE paused_until END,"
		" backoff_s = CASE WHEN ?2 THEN ?5 ELSE backoff_s END,"
		" failures = CASE WHEN ?2 THEN ?6 ELSE failures END,"
		" last_ok_at = CASE WHEN ?7 THEN ?9 ELSE last_ok_at END,"
		" last_error = CASE WHEN ?8 IS NOT NULL THEN ?8"
		"  ELSE last_error END,"
		" error_level = CASE WHEN ?8 IS NOT NULL THEN ?10"
		"  ELSE error_level END,"
		" last_error_at = CASE WHEN ?8 IS NOT NULL THEN ?9"
		"  ELSE last_error_at END"
		" WHERE name = ?1", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->throttle != NULL);
	sqlite3_bind_double(st, 3, state.last_request_at);
	sqlite3_bind_double(st, 4, state.paused_until);
	sqlite3_bind_double(st, 5, state.backoff_s);
	sqlite3_bind_int(st, 6, stats.consecutive_failures);
	sqlite3_bind_int(st, 7, r->ok);
	if (!r->ok && r->error)
		sqlite3_bind_text(st, 8, r->error, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 9, at);
	sqlite3_bind_text(st, 10, r->level ? r->level : "error", -1,
			  SQLITE_STATIC);
	return db_finalize(st, sqlite3_step(st), "store service state");
}

int services_record(struct throttle *t, const char *name, int rc,
		    const char *error, const char *level)
{
	const char *who = name ? name : throttle_name(t);
	size_t len = strlen(who);
	struct services_report rep = {
		.name = name,
		.throttle = t,
		.ok = rc == 0,
		.error = error,
		.level = level,
	};

	/* health puts the name before the error: not twice */
	if (error && !strncmp(error, who, len) && !strncmp(error + len, ": ", 2))
		rep.error = error + len + 2;
	return writer_call(services_store, &rep);
}

int services_failing(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int rc, failing;

	rc = db_prepare(db, "SELECT 1 FROM services WHERE name = ?1 AND"
			" last_error_at IS NOT NULL AND (last_ok_at IS NULL"
			" OR last_ok_at < last_error_at)", &st);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	failing = rc == SQLITE_ROW;
	rc = db_finalize(st, rc, "read a service's state");
	return rc ? rc : failing;
}

/* Every service whose row services_forget_unconfigured() may drop. */
static const char *const known[] = {
	"prowlarr", "nautiljon", "qbittorrent", "transmission", "sabnzbd",
	"nzbget", "blackhole", "realdebrid", "amule",
};

int services_forget_unconfigured(sqlite3 *db, void *configured)
{
	const char *const *kept = configured;
	sqlite3_stmt *st;
	int rc = 0, keep;

	for (size_t i = 0; !rc && i < ARRAY_SIZE(known); i++) {
		keep = 0;
		for (size_t j = 0; kept[j]; j++)
			keep |= !strcmp(kept[j], known[i]);
		if (keep)
			continue;
		rc = db_prepare(db, "DELETE FROM services WHERE name = ?1",
				&st);
		if (rc)
			break;
		sqlite3_bind_text(st, 1, known[i], -1, SQLITE_STATIC);
		rc = db_finalize(st, sqlite3_step(st),
				 "forget a service no longer configured");
	}
	return rc;
}
