/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The documents the mount makes without the store (render.h): /log and
 * /status/health's own lines (the README is nodes.c's, from its table). The index's lines of health are
 * render_health.c's. It writes no file.
 */
#include "fs/tree/render.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "fs/tree/health_since.h"
#include "fs/tree/render_health.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* Why the last reload was refused (empty when it was not), until one
 * works: what runs is not what the file on disk says; and what the HTTP
 * listener could not do at the last reload. */
static struct {
	pthread_mutex_t lock;
	char why[1024];
	char http[512];
} refusal = { .lock = PTHREAD_MUTEX_INITIALIZER };

void render_reload_refused(const char *why)
{
	pthread_mutex_lock(&refusal.lock);
	snprintf(refusal.why, sizeof(refusal.why), "%s", why ? why : "");
	pthread_mutex_unlock(&refusal.lock);
}

void render_http_fault(const char *why)
{
	pthread_mutex_lock(&refusal.lock);
	snprintf(refusal.http, sizeof(refusal.http), "%s", why ? why : "");
	pthread_mutex_unlock(&refusal.lock);
}

/* A backup that failed leaves the store without its newest safe copy,
 * one that did not reach backup_dir without its copy on another disk:
 * that is the owner's to know until one goes again, not a log line. A
 * folder refused as others may change it is an error, with why, until
 * it is mended. */
static void backup_health(struct strbuf *out, struct strbuf *warn)
{
	struct indexer_status s;
	char at[CLOCK_RFC3339_LEN];

	indexer_status(&s);
	if (s.jobs.backup_error) {
		clock_rfc3339((time_t)s.jobs.backup_failed_at, at);
		strbuf_addf(out, "error: backup failed at %s: %s (see /log)\n",
			    at, s.jobs.backup_why[0] ? s.jobs.backup_why :
			    strerror(-s.jobs.backup_error));
	} else if (s.jobs.far_error && s.jobs.backup_why[0]) {
		clock_rfc3339((time_t)s.jobs.far_failed_at, at);
		strbuf_addf(out, "error: backup: the copy into backup_dir"
			    " refused at %s: %s\n", at, s.jobs.backup_why);
	} else if (s.jobs.far_error) {
		clock_rfc3339((time_t)s.jobs.far_failed_at, at);
		strbuf_addf(warn, "warn: backup: the copy into backup_dir"
			    " failed at %s: %s (see /log)\n", at,
			    strerror(-s.jobs.far_error));
	}
}

/* Its lines quote remote answers, configured URLs and names others
 * chose: all redact()ed, their control characters escaped. */
int render_health_shown(struct strbuf *out,
			const struct query_series_filter *shown)
{
	struct strbuf lines = STRBUF_INIT, warn = STRBUF_INIT;
	struct strbuf masked = STRBUF_INIT;
	size_t start;
	int rc;

	pthread_mutex_lock(&refusal.lock);
	if (refusal.why[0])
		strbuf_addf(&lines, "error: reload refused: %s; the "
			    "configuration from before is in use\n",
			    refusal.why);
	if (refusal.http[0])
		strbuf_addf(&lines, "error: http: %s (see /log)\n",
			    refusal.http);
	pthread_mutex_unlock(&refusal.lock);
	backup_health(&lines, &warn);
	rc = render_health_lines(&lines, shown);
	/* the warnings come last, and there is no "ok" beside them */
	if (warn.len && !strcmp(lines.buf, "ok\n"))
		strbuf_reset(&lines);
	strbuf_add(&lines, warn.buf, warn.len);
	redact(lines.buf, REDACT_MASK, &masked);
	start = out->len;
	log_escape(masked.buf, out);
	health_since_note(out->buf + start, !shown, clock_wall());
	strbuf_release(&masked);
	strbuf_release(&warn);
	strbuf_release(&lines);
	return rc;
}

int render_health(struct strbuf *out)
{
	return render_health_shown(out, NULL);
}

int render_log(struct strbuf *out)
{
	log_ring_dump(out);
	return 0;
}

