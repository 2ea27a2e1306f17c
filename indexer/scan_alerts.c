/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The notifications a finished scan gives (scan_alerts.h): its figures,
 * too many errors, too slow. Owns whether the last scan was above a limit,
 * so that a library that stays broken or slow is told once; it reads no
 * store and sends nothing itself (common/notify.h queues).
 */
#include "indexer/scan_alerts.h"

#include <jansson.h>

#include "common/notify.h"

/* Whether the last scan looked at was above each limit. */
static int rate_above, slow_below;

/* Only the first of a run of scans above [notify] error_rate is news. */
static void tell_error_rate(const struct config *cfg,
			    const struct scan_alerts_scan *s, uint64_t errors)
{
	uint64_t files = s->stats->files_seen;
	double limit = cfg->notify_error_rate;
	/* A scan that saw nothing could read nothing: every error counts. */
	double rate = files ? (double)errors / files : errors > 0;

	if (rate <= limit || rate_above) {
		rate_above = rate > limit;
		return;
	}
	rate_above = 1;
	notify_event(NOTIFY_ERROR_RATE, NULL,
		     json_pack("{s:I, s:I, s:I, s:f, s:f}",
			       "scan", (json_int_t)s->id,
			       "files_seen", (json_int_t)files,
			       "errors", (json_int_t)errors,
			       "error_rate", rate, "threshold", limit),
		     "scan %lld could not read %llu of %llu files (%.1f%%,"
		     " above %.1f%%)", (long long)s->id,
		     (unsigned long long)errors, (unsigned long long)files,
		     rate * 100, limit * 100);
}

/* Only scans of every root that saw files say how fast the library
 * reads: a folder the watcher rescans is mostly the scan's own start. */
static void tell_slow(const struct config *cfg,
		      const struct scan_alerts_scan *s, double per_s)
{
	long limit = cfg->notify_min_files_per_s;

	if (!limit || !s->all || !s->success || !s->stats->files_seen)
		return;
	if (per_s >= limit || slow_below) {
		slow_below = per_s < limit;
		return;
	}
	slow_below = 1;
	notify_event(NOTIFY_SCAN_SLOW, NULL,
		     json_pack("{s:I, s:I, s:f, s:f, s:I}",
			       "scan", (json_int_t)s->id,
			       "files_seen", (json_int_t)s->stats->files_seen,
			       "duration_s", s->duration_s,
			       "files_per_s", per_s,
			       "threshold", (json_int_t)limit),
		     "scan %lld read %.1f files a second (%llu in %.1f s),"
		     " below %ld", (long long)s->id, per_s,
		     (unsigned long long)s->stats->files_seen, s->duration_s,
		     limit);
}

static void tell_finished(const struct scan_alerts_scan *s, uint64_t errors,
			  double per_s)
{
	const struct scan_stats *st = s->stats;
	double mb_per_s = s->duration_s > 0 ?
		st->bytes_read / 1e6 / s->duration_s : 0;

	notify_event(NOTIFY_SCAN_FINISHED, NULL,
		     json_pack("{s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:I,"
			       " s:f, s:f, s:f}",
			       "scan", (json_int_t)s->id,
			       "success", s->success,
			       "files_seen", (json_int_t)st->files_seen,
			       "files_new", (json_int_t)st->files_new,
			       "files_changed", (json_int_t)st->files_changed,
			       "files_deleted", (json_int_t)st->files_deleted,
			       "errors", (json_int_t)errors,
			       "bytes_read", (json_int_t)st->bytes_read,
			       "duration_s", s->duration_s,
			       "files_per_s", per_s, "mb_per_s", mb_per_s),
		     "scan %lld %s in %.1f s: %llu files (%llu new, %llu"
		     " changed, %llu deleted), %llu errors, %.1f files/s",
		     (long long)s->id, s->success ? "finished" : "failed",
		     s->duration_s, (unsigned long long)st->files_seen,
		     (unsigned long long)st->files_new,
		     (unsigned long long)st->files_changed,
		     (unsigned long long)st->files_deleted,
		     (unsigned long long)errors, per_s);
}

void scan_alerts_tell(const struct config *cfg,
		      const struct scan_alerts_scan *s)
{
	uint64_t errors = s->stats->tag_errors + s->stats->io_errors;
	double per_s = s->duration_s > 0 ?
		s->stats->files_seen / s->duration_s : 0;

	tell_error_rate(cfg, s, errors);
	tell_slow(cfg, s, per_s);
	tell_finished(s, errors, per_s);
}
