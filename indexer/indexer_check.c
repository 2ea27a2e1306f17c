/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mediamon --check [--apply] (indexer.h): the indexer started once on the
 * configuration's store without a mount, one scan, one missing-volume
 * check and one repair pass waited for, and what they found printed from
 * the store's reads. It owns that sequence and its report; it must not
 * mount, and without apply it must not let a job act (jobs.h's dry-run
 * is on before any job thread starts).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "common/config.h"
#include "common/strbuf.h"
#include "indexer/indexer_private.h"
#include "indexer/jobs.h"
#include "indexer/monitor/found.h"
#include "indexer/reads.h"

#define POLL_NS (50 * 1000 * 1000L)

/* The jobs of one check, each run when the configuration enables it. */
static const struct step {
	unsigned job;
	const char *name;
} steps[] = {
	{ JOBS_CHECK_MISSING, "missing-volume check" },
	{ JOBS_REPAIR_RUN, "repair pass" },
};

static void pause_a_little(void)
{
	struct timespec ts = { 0, POLL_NS };

	nanosleep(&ts, NULL);
}

/* Wait for the first scan; 0 when it ended, 1 when it failed. */
static int wait_scan(FILE *out)
{
	struct indexer_status st;

	for (;;) {
		indexer_status(&st);
		if (st.scan_pending && st.scan_retry_in_s > 0) {
			fprintf(out, "error: scan: failed, and waits to run"
				" again (see the log lines)\n");
			return 1;
		}
		if (st.has_last && !st.scan_pending &&
		    strcmp(st.state, "scanning"))
			break;
		pause_a_little();
	}
	fprintf(out, "scan: %llu files seen, %llu new, %llu changed, %llu"
		" deleted, %llu tag errors, %llu i/o errors (%.1f s)%s\n",
		(unsigned long long)st.last.stats.files_seen,
		(unsigned long long)st.last.stats.files_new,
		(unsigned long long)st.last.stats.files_changed,
		(unsigned long long)st.last.stats.files_deleted,
		(unsigned long long)st.last.stats.tag_errors,
		(unsigned long long)st.last.stats.io_errors,
		st.last.duration_s, st.last.success ? "" : ": failed");
	return !st.last.success || st.last.stats.io_errors;
}

/* Queue the steps the configuration enables and wait for them; returns
 * those it ran. */
static unsigned run_steps(const struct config *cfg, FILE *out)
{
	struct indexer_status st;
	unsigned asked = 0;
	int rc;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (!jobs_enabled(cfg, steps[i].job)) {
			fprintf(out, "%s: not configured\n", steps[i].name);
			continue;
		}
		rc = jobs_submit(steps[i].job, "check");
		if (rc)
			fprintf(out, "error: %s: cannot run: %s\n",
				steps[i].name, strerror(-rc));
		else
			asked |= steps[i].job;
	}
	for (;;) {
		indexer_status(&st);
		if (!((st.jobs.running | st.jobs.pending) & asked))
			return asked;
		pause_a_little();
	}
}

/* The figures of the steps that ran, as the store took them. */
static int print_steps(unsigned asked, FILE *out)
{
	struct monitor_state m;
	struct rd_repairs r;
	const int *k = m.last_missing.count;
	const int64_t *p = r.last.count;
	int rc = 0;

	if (asked & JOBS_CHECK_MISSING) {
		rc = monitor_reads_state(0, 0, &m);
		if (!rc && m.has_missing)
			fprintf(out, "missing-volume check: %d series, %d"
				" volumes wanted, %d found, %d sent, %d"
				" skipped, %d failed, %d errors\n",
				k[MC_SERIES], k[MC_WANTED], k[MC_FOUND],
				k[MC_SENT], k[MC_SKIPPED], k[MC_FAILED],
				k[MC_ERRORS]);
		monitor_state_release(&m);
	}
	if (!rc && (asked & JOBS_REPAIR_RUN)) {
		rc = rd_reads_repairs(&r);
		if (!rc && r.has_last)
			fprintf(out, "repair pass: %lld links, %lld dead, %lld"
				" unmapped, %lld repairs started, %lld"
				" repaired, %lld failed, %lld requests%s%s\n",
				(long long)p[RD_LINKS], (long long)p[RD_BROKEN],
				(long long)p[RD_UNMAPPED],
				(long long)p[RD_STARTED],
				(long long)p[RD_REPAIRED],
				(long long)p[RD_FAILED],
				(long long)p[RD_REQUESTS],
				r.last.guard_reason ? ", stopped: " : "",
				r.last.guard_reason ? r.last.guard_reason : "");
		rd_repairs_release(&r);
	}
	return rc;
}

static void print_counts(FILE *out)
{
	struct library_counts c;

	if (library_stats_counts(&c)) {
		fprintf(out, "error: store: cannot be read\n");
		return;
	}
	fprintf(out, "library: %lld tracks, %lld albums, %lld series, %lld"
		" volumes, %lld missing volumes, %lld dead links\n",
		(long long)c.tracks, (long long)c.albums, (long long)c.series,
		(long long)c.volumes, (long long)c.missing,
		(long long)c.broken_links);
}

struct report {
	FILE *out;
	int found;		/* something to set right */
	int64_t series;	/* the series of the line being made */
	struct strbuf line;
};

static int unparsed_line(void *arg, const char *path, const char *reason)
{
	struct report *r = arg;

	fprintf(r->out, "unparsed: %s: %s\n", path,
		reason ? reason : "no volume number");
	r->found = 1;
	return 0;
}

static void end_missing(struct report *r)
{
	if (r->line.len)
		fprintf(r->out, "%s\n", r->line.buf);
	strbuf_reset(&r->line);
}

static int missing_volume(void *arg, int64_t id, const char *series,
			  int volume, const char *path)
{
	struct report *r = arg;

	(void)path;
	if (id != r->series || !r->line.len) {
		end_missing(r);
		strbuf_addf(&r->line, "missing: %s: volume %d", series, volume);
		r->series = id;
	} else {
		strbuf_addf(&r->line, ", %d", volume);
	}
	r->found = 1;
	return 0;
}

/* A release's state in the report's words. */
static const char *release_word(const char *state)
{
	static const struct {
		const char *state, *word;
	} words[] = {
		{ "dry-run", "would send" },
		{ "sent", "sent" },
	};

	if (!state)
		return "found";
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(state, words[i].state))
			return words[i].word;
	return state;
}

static int print_releases(FILE *out)
{
	struct monitor_wanted *w;
	size_t n;

	if (monitor_reads_found(0, NULL, &w, &n))
		return -EIO;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < w[i].nr_releases; j++) {
			const struct monitor_release *rel = &w[i].releases[j];

			fprintf(out, "release: %s volume %d: %s \"%s\"%s%s\n",
				w[i].series, w[i].volume,
				release_word(rel->state), rel->title,
				rel->reason ? ": " : "",
				rel->reason ? rel->reason : "");
		}
	monitor_wanted_free(w, n);
	return 0;
}

static int print_dead_links(FILE *out, int *found)
{
	struct rd_broken *b;
	size_t n;

	if (rd_reads_broken(&b, &n))
		return -EIO;
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "dead link: %s -> %s: %s", b[i].link,
			b[i].target ? b[i].target : "?",
			b[i].state ? b[i].state : "broken");
		if (b[i].torrent)
			fprintf(out, " (torrent %s)", b[i].torrent);
		if (b[i].plan)
			fprintf(out, ": %s", b[i].plan);
		else if (b[i].reason)
			fprintf(out, ": %s", b[i].reason);
		fputc('\n', out);
	}
	*found |= n > 0;
	rd_broken_free(b, n);
	return 0;
}

/* The services' and passes' errors and warnings, as /status/health tells
 * them (a service out of reach is a warning): 1 when there is one. */
static int print_health(FILE *out)
{
	struct strbuf errors = STRBUF_INIT, warns = STRBUF_INIT;
	int rc = monitor_reads_health(&errors, &warns, NULL);

	if (!rc)
		rc = rd_reads_health(&errors, &warns);
	fputs(errors.buf, out);
	fputs(warns.buf, out);
	rc = rc ? -EIO : errors.len + warns.len > 0;
	strbuf_release(&errors);
	strbuf_release(&warns);
	return rc;
}

/* What the store holds after the steps; 1 when something is wrong. */
static int report(unsigned asked, FILE *out)
{
	struct report r = { .out = out, .line = STRBUF_INIT };
	int rc, failed;

	print_counts(out);
	rc = print_steps(asked, out);
	if (!rc)
		rc = manga_reads_unparsed(unparsed_line, &r);
	if (!rc)
		rc = manga_reads_missing(missing_volume, &r);
	end_missing(&r);
	strbuf_release(&r.line);
	if (!rc)
		rc = print_releases(out);
	if (!rc)
		rc = print_dead_links(out, &r.found);
	failed = rc ? 1 : print_health(out);
	if (rc || failed < 0)
		fprintf(out, "error: store: cannot be read (see the log)\n");
	return rc || failed || r.found;
}

int indexer_check_once(struct config *cfg, int apply, FILE *out)
{
	int rc, wrong;

	/* before the jobs threads start: a timed job must not act either */
	cfg->dry_run = !apply;
	/* and the checks and the repair run as the steps ask, once: a timer
	 * due at the start (never checked before) would race the steps'
	 * own check, Prowlarr asked twice and the report the first's */
	cfg->auto_check_interval_s = 0;
	cfg->rd_check_interval_s = 0;
	/* an alert told once (a release found) would not be told again */
	indexer.silent = !apply;
	found_run_once();
	rc = indexer_prepare_store(cfg->database, cfg->database_shared_ok);
	if (rc)
		return 2;
	if (reader_init(cfg->database))
		return 2;
	rc = indexer_start(cfg);
	if (rc) {
		indexer_stop();
		reader_close();
		reader_stop();
		return 2;
	}
	fprintf(out, "check: %s\n", apply ? "applying what it finds" :
		"dry-run, nothing is sent, moved or changed");
	wrong = wait_scan(out);
	wrong |= report(run_steps(cfg, out), out);
	fflush(out);
	reader_close();
	reader_stop();
	indexer_stop();
	return wrong;
}
