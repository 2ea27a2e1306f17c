/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The lines of /status/health that judge the index (render_health.h),
 * from the live status and the domains' reads. It writes nothing.
 */
#include "fs/tree/render_health.h"

#include <math.h>
#include <string.h>

#include "common/config.h"
#include "common/strbuf.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/* The line of the failed scan id: why, when the indexer knows (it ran
 * since the start), and whether it runs again. */
static void scan_failure(struct strbuf *out, int64_t id,
			 const struct indexer_status *s)
{
	strbuf_addf(out, "error: scan %lld did not finish", (long long)id);
	if (s->has_last && s->last.id == id && s->last.error)
		strbuf_addf(out, ": %s", strerror(-s->last.error));
	if (s->scan_retry_in_s > 0)
		strbuf_addf(out, "; it runs again in %.0f s",
			    ceil(s->scan_retry_in_s));
	strbuf_addstr(out, " (see /log)\n");
}

/* The line the last scan leaves in the health file, if any: the
 * indexer's own when the store failed to take it. */
static int last_scan_health(struct strbuf *out, struct strbuf *warn)
{
	struct indexer_status s;
	struct library_scan last;
	int found, rc;

	indexer_status(&s);
	if (s.has_last && !s.last.stored) {
		if (!s.last.success)
			strbuf_addstr(out, "error: the last scan did not finish"
				      " (see /log)\n");
		return 0;
	}
	rc = library_stats_last_judged(&last, &found);
	if (rc || !found)
		return rc;
	if (!last.success)
		scan_failure(out, last.id, &s);
	if (last.io_errors)
		strbuf_addf(warn, "warn: the last scan could not read %lld"
			    " files or directories (see /log)\n",
			    (long long)last.io_errors);
	return 0;
}

int render_health_lines(struct strbuf *out,
			const struct query_series_filter *shown)
{
	struct strbuf warn = STRBUF_INIT;
	struct analysis_worker_status analysis;
	const struct indexer_root *roots;
	struct watch_status watch;
	size_t nr;
	int rc;

	roots = indexer_roots(&nr);
	for (size_t i = 0; i < nr; i++)
		root_guard_health(roots[i].kind, roots[i].path, out, &warn);
	analysis_worker_status(&analysis);
	if (analysis.threads && analysis.analyser_missing)
		strbuf_addstr(out, "error: analysis: mediamon-analyse not"
			      " found, tracks fail (see /log)\n");
	watch_status(&watch);
	if (watch.polled_dirs) {
		char every[32];

		config_format_duration(watch.poll_interval_s, every,
				       sizeof(every));
		strbuf_addf(&warn, "warn: inotify watch limit reached, %llu"
			    " directories polled every %s\n",
			    (unsigned long long)watch.polled_dirs, every);
	}
	indexer_store_health(out, &warn);
	rc = last_scan_health(out, &warn);
	if (!rc)
		rc = monitor_reads_health(out, &warn, shown);
	if (!rc)
		rc = rd_reads_health(out, &warn);
	if (rc)
		strbuf_addstr(out, "error: store: cannot be read (see /log)\n");
	strbuf_add(out, warn.buf, warn.len);
	strbuf_release(&warn);
	if (!out->len)
		strbuf_addstr(out, "ok\n");
	return 0;
}
