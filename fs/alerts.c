#include "fs/alerts.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/http.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "indexer/store/query.h"

/* A webhook that does not answer soon is given up: alerts are not
 * worth holding the service thread for. */
#define ALERT_TIMEOUT_MS 10000
/* Discord cuts messages at 2,000 characters. */
#define DISCORD_MAX 1900

static struct {
	int health_error;	/* -1 until the first look */
	int64_t scan_id;	/* the last scan looked at */
	int rate_above;
} seen = { .health_error = -1 };

/* Only the status tells whether a receiver took it; the address is a
 * secret, so lines name the kind of webhook only. */
static void post(const char *what, const char *url, json_t *doc)
{
	char *body = json_dumps(doc, JSON_COMPACT);
	struct http_request req = {
		.method = "POST",
		.url = url,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.content_type = "application/json",
		.timeout_ms = ALERT_TIMEOUT_MS,
		.secret_path = 1,
	};
	struct http_response resp;

	json_decref(doc);
	if (!body) {
		log_error(-ENOMEM, "notify: out of memory");
		return;
	}
	if (!http_perform(&req, &resp) &&
	    (resp.status < 200 || resp.status > 299))
		log_warn("notify: the %s answered %ld", what, resp.status);
	else if (!resp.error[0])
		log_info("notify: alert sent to the %s", what);
	http_response_release(&resp);
	free(body);
}

/*
 * Discord shows text only, so the figures (details, consumed here) go to
 * the plain webhook alone. Messages hold paths, which are bytes: they go
 * through json_text so that a name that is not UTF-8 still gets sent.
 */
static void send_alert(const struct config *cfg, const char *event,
		       const char *message, json_t *details)
{
	log_info("notify: %s", message);
	if (cfg->notify_discord_webhook) {
		struct strbuf text = STRBUF_INIT;

		strbuf_addf(&text, "mediamon: %.*s", DISCORD_MAX, message);
		post("discord webhook", cfg->notify_discord_webhook,
		     json_pack("{s:o}", "content",
			       json_text(text.buf, text.len)));
		strbuf_release(&text);
	}
	if (cfg->notify_webhook)
		post("webhook", cfg->notify_webhook,
		     json_pack("{s:s, s:s, s:o, s:o, s:o}",
			       "source", "mediamon", "event", event,
			       "message", json_text(message, strlen(message)),
			       "at", json_time(clock_wall()),
			       "details", details ? details : json_object()));
	else
		json_decref(details);
}

/* The error lines of the health file, or an empty list: "warn:" lines
 * are not worth a message in the middle of the night. */
static int health_errors(json_t *lines)
{
	struct strbuf health = STRBUF_INIT;
	int rc = query_health(&health);

	for (char *line = health.buf, *end; !rc && *line; line = end + 1) {
		end = strchrnul(line, '\n');
		if (!strncmp(line, "error: ", 7))
			json_array_append_new(lines, json_text(line + 7,
							       end - line - 7));
		if (!*end)
			break;
	}
	strbuf_release(&health);
	return rc;
}

/* Only a change of state is news: entering error, or leaving it. A
 * daemon that starts healthy says nothing; one that starts broken does. */
static void check_health(const struct config *cfg)
{
	json_t *lines = json_array();
	struct strbuf message = STRBUF_INIT;
	size_t i;
	json_t *line;
	int error;

	if (!lines || health_errors(lines)) {
		json_decref(lines);
		return;
	}
	error = json_array_size(lines) > 0;
	if (error == seen.health_error || (!error && seen.health_error < 0)) {
		seen.health_error = error;
		json_decref(lines);
		return;
	}
	seen.health_error = error;
	if (!error) {
		json_decref(lines);
		send_alert(cfg, "health_ok", "/status/health is no longer in"
			   " error", NULL);
		return;
	}
	strbuf_addstr(&message, "/status/health turned to error:");
	json_array_foreach(lines, i, line)
		strbuf_addf(&message, "%s %s", i ? ";" : "",
			    json_string_value(line));
	send_alert(cfg, "health_error", message.buf,
		   json_pack("{s:o}", "errors", lines));
	strbuf_release(&message);
}

/* Each finished scan is looked at once; only the first of a run of scans
 * above the threshold is news, so a library that stays broken does not
 * page its owner after every rescan. */
static void check_error_rate(const struct config *cfg)
{
	struct strbuf message = STRBUF_INIT;
	int64_t id, files, errors;
	sqlite3 *db = reader_begin();
	sqlite3_stmt *st;
	double rate;
	int rc;

	if (!db)
		return;
	rc = sqlite3_prepare_v2(db, "SELECT id, files_seen, tag_errors +"
				" io_errors FROM scans WHERE success IS NOT"
				" NULL ORDER BY id DESC LIMIT 1", -1, &st,
				NULL);
	if (rc != SQLITE_OK) {
		db_error(db, rc, "notify: last scan");
		reader_end(db);
		return;
	}
	rc = sqlite3_step(st);
	id = sqlite3_column_int64(st, 0);
	files = sqlite3_column_int64(st, 1);
	errors = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	reader_end(db);
	if (rc != SQLITE_ROW || id == seen.scan_id)
		return;
	seen.scan_id = id;
	/* A scan that saw nothing could read nothing: every error counts. */
	rate = files ? (double)errors / files : errors > 0;
	if (rate <= cfg->notify_error_rate || seen.rate_above) {
		seen.rate_above = rate > cfg->notify_error_rate;
		return;
	}
	seen.rate_above = 1;
	strbuf_addf(&message, "scan %lld could not read %lld of %lld files"
		    " (%.1f%%, above %.1f%%)", (long long)id, (long long)errors,
		    (long long)files, rate * 100, cfg->notify_error_rate * 100);
	send_alert(cfg, "error_rate", message.buf,
		   json_pack("{s:I, s:I, s:I, s:f, s:f}",
			     "scan", (json_int_t)id,
			     "files_seen", (json_int_t)files,
			     "errors", (json_int_t)errors,
			     "error_rate", rate,
			     "threshold", cfg->notify_error_rate));
	strbuf_release(&message);
}

void alerts_check(const struct config *cfg)
{
	if (!cfg->notify_discord_webhook && !cfg->notify_webhook)
		return;
	check_health(cfg);
	check_error_rate(cfg);
}
