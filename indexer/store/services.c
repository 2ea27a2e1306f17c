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

static int state_row(sqlite3_stmt *st, void *arg)
{
	struct throttle_state *out = arg;

	out->last_request_at = sqlite3_column_double(st, 0);
	out->paused_until = sqlite3_column_double(st, 1);
	out->backoff_s = sqlite3_column_double(st, 2);
	return 0;
}

int services_load(sqlite3 *db, const char *name, struct throttle_state *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_one_row(db, "read service state", "SELECT last_request_at,"
			" paused_until, backoff_s FROM services"
			" WHERE name = ?1",
			DB_ARGS(DB_TEXT(name)), state_row, out);
	return rc < 0 ? rc : 0;
}

int services_store(sqlite3 *db, void *report)
{
	const struct services_report *r = report;
	const char *name = r->name ? r->name : throttle_name(r->throttle);
	double at = r->at ? r->at : clock_wall();
	struct throttle_stats stats = { 0 };
	struct throttle_state state = { 0 };
	int rc;

	if (r->throttle) {
		throttle_save(r->throttle, &state);
		throttle_stats(r->throttle, &stats);
	}
	rc = db_run(db, "store service state", "INSERT INTO services (name)"
		    " VALUES (?1) ON CONFLICT (name) DO NOTHING",
		    DB_ARGS(DB_TEXT(name)));
	if (rc)
		return rc;
	return db_run(db, "store service state", "UPDATE services SET"
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
		" WHERE name = ?1",
		DB_ARGS(DB_TEXT(name), DB_INT(r->throttle != NULL),
			DB_REAL(state.last_request_at),
			DB_REAL(state.paused_until), DB_REAL(state.backoff_s),
			DB_INT(stats.consecutive_failures), DB_INT(r->ok),
			DB_TEXT(r->ok ? NULL : r->error), DB_REAL(at),
			DB_TEXT(r->level ? r->level : "error")));
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
	sqlite3_int64 failing;
	int rc = db_one_int(db, "read a service's state", "SELECT 1 FROM"
			    " services WHERE name = ?1 AND last_error_at IS"
			    " NOT NULL AND (last_ok_at IS NULL OR last_ok_at"
			    " < last_error_at)", DB_ARGS(DB_TEXT(name)),
			    &failing);

	return rc ? rc : (int)failing;
}

/* Every service whose row services_forget_unconfigured() may drop, the
 * download clients of common/download_clients.def among them. */
static const char *const known[] = {
	"prowlarr", "nautiljon", "realdebrid",
#define DOWNLOAD_CLIENT(name, protocol) #name,
#include "common/download_clients.def"
#undef DOWNLOAD_CLIENT
};

int services_forget_unconfigured(sqlite3 *db, void *configured)
{
	const char *const *kept = configured;
	int rc = 0, keep;

	for (size_t i = 0; !rc && i < ARRAY_SIZE(known); i++) {
		keep = 0;
		for (size_t j = 0; kept[j]; j++)
			keep |= !strcmp(kept[j], known[i]);
		if (keep)
			continue;
		rc = db_run(db, "forget a service no longer configured",
			    "DELETE FROM services WHERE name = ?1",
			    DB_ARGS(DB_TEXT(known[i])));
	}
	return rc;
}
