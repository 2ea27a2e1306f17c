/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The control files (control.h): each command parsed, validated and handed
 * to the indexer, and each file's state rendered. It does none of the work
 * itself; a command not understood changes nothing.
 */
#include "fs/tree/control.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/text.h"
#include "fs/tree/caller.h"
#include "fs/tree/render_monitor.h"
#include "fs/tree/render_repair.h"
#include "fs/tree/session.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

#define COMMAND_MAX 4096

/* Why this thread's last write was refused, for its log line. */
static __thread const char *refused_why;

/* The reason of a refusal the indexer logged itself, with its own words
 * (a release control/send may not send): nothing more is logged. */
static const char logged_already[] = "logged by the indexer";

int control_refuse(int rc, const char *why)
{
	refused_why = why;
	return rc;
}

int control_text(const char *buf, size_t len, char *out, size_t max)
{
	if (len && buf[len - 1] == '\n')
		len--;
	if (len && buf[len - 1] == '\r')
		len--;
	text_trim_blanks(&buf, &len);
	if (memchr(buf, '\0', len))
		return control_refuse(-EINVAL, "it holds a NUL byte");
	if (memchr(buf, '\n', len) || memchr(buf, '\r', len))
		return control_refuse(-EINVAL, "one command a write, on one"
				      " line");
	if (len >= max)
		return control_refuse(-EINVAL, "longer than any command it"
				      " takes");
	memcpy(out, buf, len);
	out[len] = '\0';
	return len;
}

void control_log_refused(const char *path, const char *buf, size_t len,
			 int rc)
{
	struct strbuf shown = STRBUF_INIT;
	const char *why = refused_why;

	refused_why = NULL;
	if (why == logged_already)
		return;
	if (!why)
		why = rc == -EINVAL ? "not a command it takes (read the file"
				      " for those it does)" :
		      rc == -EPERM ? "what it asks for is switched off (read"
				     " the file for its state)" :
		      strerror(-rc);
	for (size_t i = 0; i < len && i < CONTROL_LOG_INPUT; i++) {
		unsigned char c = buf[i];

		if (c == '\n')
			strbuf_addstr(&shown, "\\n");
		else if (c == '\r')
			strbuf_addstr(&shown, "\\r");
		else if (c < 0x20 || c >= 0x7f || c == '\\' || c == '"')
			strbuf_addf(&shown, "\\x%02x", c);
		else
			strbuf_addch(&shown, c);
	}
	log_warn("control: %s refused \"%s\"%s (%zu bytes): %s",
		 path ? path : "a control file", shown.buf,
		 len > CONTROL_LOG_INPUT ? "..." : "", len, why);
	strbuf_release(&shown);
}

int control_rescan_write(const char *buf, size_t len)
{
	char cmd[COMMAND_MAX];
	int rc;

	if (control_text(buf, len, cmd, sizeof(cmd)) <= 0)
		return -EINVAL;
	if (!strcmp(cmd, "1"))
		return indexer_rescan("control", 0, NULL);
	if (!strcasecmp(cmd, "full"))
		return indexer_rescan("control", 1, NULL);
	if (!strcasecmp(cmd, "confirm-removal"))
		return indexer_confirm_removal("control");
	if (cmd[0] != '/')
		return -EINVAL;
	rc = indexer_rescan("control", 0, cmd);
	return rc == -EINVAL ? control_refuse(rc, "not a path inside a root")
			     : rc;
}

int control_rescan_render(struct strbuf *out)
{
	struct indexer_status s;

	indexer_status(&s);
	strbuf_addf(out, "state: %s\n", s.state);
	if (!strcmp(s.state, "scanning"))
		strbuf_addf(out, "running: scan %lld (%s%s), %llu files seen\n",
			    (long long)s.scan_id, s.scan_trigger,
			    s.scan_full ? ", full" : "",
			    (unsigned long long)s.scan.files_seen);
	strbuf_addf(out, "pending: %s\n", s.scan_pending ? "yes" : "no");
	strbuf_addstr(out,
		"accepted:\n"
		"  1      rescan every root; only changed files are read\n"
		"  full   rescan every root and re-read every file's tags\n"
		"  confirm-removal  rescan every root and remove the files"
		" gone\n"
		"         that a scan kept (too many at once)\n"
		"  PATH   rescan one file or folder (absolute, inside a root)\n");
	return 0;
}

/*
 * Both check files take "1"; check-missing also "retry-client", which
 * asks again the download clients that refused their credentials.
 */
static int check_write(unsigned job, const char *buf, size_t len)
{
	char cmd[16];

	if (control_text(buf, len, cmd, sizeof(cmd)) <= 0)
		return -EINVAL;
	if (job == JOBS_CHECK_MISSING && !strcasecmp(cmd, "retry-client"))
		return indexer_retry_clients("control");
	if (strcmp(cmd, "1"))
		return -EINVAL;
	return indexer_check(job, "control");
}

/* Both check files show their job's state the same way. */
static int check_render(unsigned job, struct strbuf *out)
{
	struct indexer_status s;

	indexer_status(&s);
	if (!(s.jobs.enabled & job)) {
		strbuf_addstr(out, "state: off (no [manga] root, or switched"
			      " off in [monitor])\n");
		return 0;
	}
	strbuf_addf(out, "state: %s\n", s.jobs.running & job ?
		    "checking" : s.jobs.pending & job ? "queued" : "idle");
	strbuf_addstr(out, "accepted:\n"
		      "  1      check now (see /metrics/monitor.json)\n");
	if (job == JOBS_CHECK_MISSING)
		strbuf_addstr(out, "  retry-client  ask again the download"
			      " clients that refused\n"
			      "         their credentials, and check now\n");
	return 0;
}

int control_check_missing_write(const char *buf, size_t len)
{
	return check_write(JOBS_CHECK_MISSING, buf, len);
}

int control_check_missing_render(struct strbuf *out)
{
	return check_render(JOBS_CHECK_MISSING, out);
}

int control_check_new_write(const char *buf, size_t len)
{
	return check_write(JOBS_CHECK_NEW, buf, len);
}

int control_check_new_render(struct strbuf *out)
{
	return check_render(JOBS_CHECK_NEW, out);
}

int control_dry_run_write(const char *buf, size_t len)
{
	static const char *const on[] = { "1", "yes", "on", "true" };
	static const char *const off[] = { "0", "no", "off", "false" };
	char cmd[8];

	if (control_text(buf, len, cmd, sizeof(cmd)) <= 0)
		return -EINVAL;
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(cmd, on[i]) || !strcasecmp(cmd, off[i])) {
			indexer_set_dry_run(!strcasecmp(cmd, on[i]));
			return 0;
		}
	}
	return -EINVAL;
}

int control_dry_run_render(struct strbuf *out)
{
	struct indexer_status s;

	indexer_status(&s);
	strbuf_addf(out, "%d\n", s.dry_run);
	strbuf_addstr(out, "accepted:\n"
		      "  1      dry-run: show what would be sent or deleted,"
		      " do nothing\n"
		      "  0      carry out downloads and repairs\n");
	return 0;
}

/* The number of a "limit=" option: 1 to RD_LIMIT_MAX, digits only. */
static int repair_limit(const char *text)
{
	long n;

	return !config_parse_count(text, &n) && n >= 1 && n <= RD_LIMIT_MAX ?
		(int)n : -EINVAL;
}

/* The options of a run pass asked by hand, blank-separated, each at
 * most once: "mode=links|quick|full" and "limit=N". */
static int repair_options(char *opts, struct rd_ask *ask)
{
	char *save = NULL;
	int limited = 0;

	*ask = (struct rd_ask){ .mode = -1 };
	for (char *w = strtok_r(opts, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (!strncasecmp(w, "mode=", 5) && ask->mode < 0) {
			ask->mode = rd_mode_parse(w + 5);
			if (ask->mode < 0)
				return control_refuse(-EINVAL, "no such repair"
						      " mode (links, quick or"
						      " full)");
		} else if (!strncasecmp(w, "limit=", 6) && !limited) {
			ask->limit = repair_limit(w + 6);
			if (ask->limit < 0)
				return control_refuse(-EINVAL, "a limit is a"
						      " number of torrents, 1"
						      " to " RD_LIMIT_TEXT);
			limited = 1;
		} else {
			return control_refuse(-EINVAL, "not an option of a"
					      " repair (mode=, limit=, each"
					      " once)");
		}
	}
	return 0;
}

/* "run" or "repair", alone or with options: a run pass. */
static int repair_run(char *cmd)
{
	struct rd_ask ask;
	size_t word = strcspn(cmd, " \t");
	int rc;

	if ((word != 3 || strncasecmp(cmd, "run", 3)) &&
	    (word != 6 || strncasecmp(cmd, "repair", 6)))
		return -EINVAL;
	rc = repair_options(cmd + word, &ask);
	return rc ? rc : indexer_repair(&ask, "control");
}

int control_repair_write(const char *buf, size_t len)
{
	char cmd[COMMAND_MAX];
	enum rd_command what;
	const char *id;
	int rc;

	if (control_text(buf, len, cmd, sizeof(cmd)) <= 0)
		return -EINVAL;
	if (!strcasecmp(cmd, "scan"))
		return indexer_check(JOBS_REPAIR_SCAN, "control");
	if (!strcasecmp(cmd, "resync"))
		return indexer_check(JOBS_REPAIR_RESYNC, "control");
	if (!strncasecmp(cmd, "retry ", 6)) {
		what = RD_COMMAND_RETRY;
		id = cmd + 6;
	} else if (!strncasecmp(cmd, "forget ", 7)) {
		what = RD_COMMAND_FORGET;
		id = cmd + 7;
	} else {
		return repair_run(cmd);
	}
	rc = rd_reads_takes(what, id);
	if (rc == -EINVAL)
		return control_refuse(rc, "no torrent of that id this command"
				      " takes (see /status/repairs.json)");
	return rc ? rc : indexer_repair_torrent(what, id, "control");
}

int control_repair_render(struct strbuf *out)
{
	const unsigned passes = JOBS_REPAIR_SCAN | JOBS_REPAIR_RUN |
		JOBS_REPAIR_RESYNC | JOBS_REPAIR_TORRENTS;
	struct indexer_status s;
	int rc;

	indexer_status(&s);
	if (!(s.jobs.enabled & passes)) {
		strbuf_addstr(out, "state: off (set mount and library in"
			      " [realdebrid])\n");
		return 0;
	}
	strbuf_addf(out, "state: %s\n", s.jobs.running & passes ?
		    "repairing" : s.jobs.pending & passes ? "queued" : "idle");
	strbuf_addf(out, "dry-run: %d\n", s.dry_run);
	rc = render_repair_listing(out);
	if (rc)
		return rc;
	strbuf_addstr(out, "accepted:\n"
		      "  scan       find dead links and map them to"
		      " torrents\n");
	if (!(s.jobs.enabled & JOBS_REPAIR_RUN))
		return 0;
	strbuf_addf(out,
		"  run        and repair them (see /status/repairs.json)\n"
		"  repair     the same; either takes options, as in"
		" \"repair mode=links limit=5\":\n"
		"               mode=links  only the torrents with dead links\n"
		"               mode=quick  only those the account lists in"
		" error\n"
		"               mode=full   both\n"
		"               (without mode=, %s: [realdebrid] repair_mode)\n"
		"               limit=N     at most N torrents this pass, the"
		" rest later\n"
		"  resync     list the whole account again, page by page\n"
		"  retry ID   repair torrent ID again from the start (a failed,"
		" loop-stopped\n"
		"             or waiting one: see /status/repairs.json)\n"
		"  forget ID  drop torrent ID from the queues and the"
		" failures\n", rd_mode_name(s.jobs.repair_mode));
	return 0;
}

/* The maintenance commands, in the order the state shows them. */
static const struct {
	const char *name;
	unsigned job;
} maintenance[] = {
	{ "prune", JOBS_PRUNE },
	{ "backup", JOBS_BACKUP },
	{ "vacuum", JOBS_VACUUM },
};

int control_maintenance_write(const char *buf, size_t len)
{
	char cmd[8];

	if (control_text(buf, len, cmd, sizeof(cmd)) <= 0)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(maintenance); i++)
		if (!strcasecmp(cmd, maintenance[i].name))
			return indexer_check(maintenance[i].job, "control");
	return -EINVAL;
}

/* When a timed job comes next, or "off". */
static void next_render(const char *what, double at, struct strbuf *out)
{
	char when[CLOCK_RFC3339_LEN];

	if (!at) {
		strbuf_addf(out, "next %s: off\n", what);
		return;
	}
	clock_rfc3339((time_t)at, when);
	strbuf_addf(out, "next %s: %s\n", what, when);
}

int control_maintenance_render(struct strbuf *out)
{
	struct indexer_status s;
	const char *sep = "";

	indexer_status(&s);
	strbuf_addstr(out, "state: ");
	for (size_t i = 0; i < ARRAY_SIZE(maintenance); i++)
		if (s.jobs.running & maintenance[i].job)
			strbuf_addf(out, "running %s", maintenance[i].name);
	if (!(s.jobs.running & JOBS_MAINTENANCE))
		strbuf_addstr(out, "idle");
	strbuf_addstr(out, "\nqueued:");
	for (size_t i = 0; i < ARRAY_SIZE(maintenance); i++) {
		if (s.jobs.pending & maintenance[i].job) {
			strbuf_addf(out, "%s %s", sep, maintenance[i].name);
			sep = ",";
		}
	}
	strbuf_addstr(out, *sep ? "\n" : " none\n");
	next_render("cleanup", s.jobs.next_prune_at, out);
	next_render("backup", s.jobs.next_backup_at, out);
	strbuf_addstr(out, "accepted:\n"
		      "  backup  copy the database now into backups/ beside"
		      " it\n"
		      "  prune   drop the history older than [retention]"
		      " says\n"
		      "  vacuum  rebuild the database file without its free"
		      " pages\n");
	return 0;
}

int control_log_level_write(const char *buf, size_t len)
{
	enum log_level level, verbose;
	char cmd[8];

	if (control_text(buf, len, cmd, sizeof(cmd)) <= 0)
		return -EINVAL;
	for (char *c = cmd; *c; c++)
		*c = tolower((unsigned char)*c);
	if (log_level_parse(cmd, &level))
		return -EINVAL;
	/* The change is said at the more verbose of the two levels, so it
	 * reaches the log whichever way it goes. */
	verbose = level < log_get_level() ? level : log_get_level();
	log_set_level(verbose);
	log_msg(verbose, "log level now %s", cmd);
	log_set_level(level);
	return 0;
}

int control_log_level_render(struct strbuf *out)
{
	strbuf_addf(out, "%s\n", log_level_name(log_get_level()));
	strbuf_addstr(out, "accepted:\n"
		      "  debug  everything, also what is only for finding bugs\n"
		      "  info   what the daemon does (the default)\n"
		      "  warn   problems it works around, and errors\n"
		      "  error  only what failed\n");
	return 0;
}

int control_pause_write(const char *buf, size_t len)
{
	char cmd[8];

	if (control_text(buf, len, cmd, sizeof(cmd)) <= 0 ||
	    (strcmp(cmd, "1") && strcmp(cmd, "0")))
		return -EINVAL;
	indexer_pause_analysis(cmd[0] == '1');
	return 0;
}

int control_pause_render(struct strbuf *out)
{
	struct indexer_status s;

	indexer_status(&s);
	strbuf_addf(out, "%d\n", s.analysis.paused);
	if (!s.analysis.enabled)
		strbuf_addstr(out, "state: off (switched off in [analysis])\n");
	strbuf_addstr(out, "accepted:\n"
		      "  1      pause the audio analysis (the track under way"
		      " is finished)\n"
		      "  0      resume it (see /metrics/analysis.json)\n");
	return 0;
}

int control_blocklist_write(const char *buf, size_t len)
{
	char cmd[64];

	if (control_text(buf, len, cmd, sizeof(cmd)) <= 0)
		return -EINVAL;
	if (!strncasecmp(cmd, "remove ", 7))
		return indexer_blocklist(cmd + 7, 1);
	return indexer_blocklist(cmd, 0);
}

int control_send_write(const char *buf, size_t len)
{
	char id[64];

	int rc;

	if (control_text(buf, len, id, sizeof(id)) <= 0)
		return -EINVAL;
	rc = indexer_send(id);
	/* the indexer logged why it may not go (picked.h, indexer.h) */
	if (rc == -EINVAL || rc == -EPERM || rc == -EBUSY)
		return control_refuse(rc, logged_already);
	return rc;
}

int control_send_render(struct strbuf *out)
{
	strbuf_addstr(out, "accepted:\n"
		      "  ID  send release ID (the id /status/found.json shows"
		      " for each\n"
		      "      release) to its download client now, to be"
		      " followed and\n"
		      "      imported like one the monitor sends\n");
	return 0;
}

/* The releases blocked are the owner's to read: a release's title names
 * its series, which may be another user's private one, and its reason
 * what the client said of it. */
int control_blocklist_render(struct strbuf *out)
{
	int rc = caller_is_owner() ? render_monitor_blocklist(out) : 0;

	if (rc)
		return rc;
	strbuf_addstr(out, "accepted:\n"
		      "  ID         never send release ID again (the id"
		      " /status/found.json\n"
		      "             shows for each release)\n"
		      "  remove ID  take it off the blocklist\n");
	return 0;
}

int control_reset_metrics_write(const char *buf, size_t len)
{
	char cmd[8];

	if (control_text(buf, len, cmd, sizeof(cmd)) <= 0 || strcmp(cmd, "1"))
		return -EINVAL;
	indexer_reset_metrics();
	session_reset_stats();
	return 0;
}

int control_reset_metrics_render(struct strbuf *out)
{
	char since[CLOCK_RFC3339_LEN];
	struct indexer_status s;

	indexer_status(&s);
	clock_rfc3339((time_t)s.counters_since, since);
	strbuf_addf(out, "counting since %s (%s)\n", since,
		    s.counters_since > s.started_at ? "the last reset" :
		    "the start");
	strbuf_addstr(out, "accepted:\n"
		      "  1      set the counters since the start to zero:"
		      " the watcher's events,\n"
		      "         batches and delays, requests to remote"
		      " services, the cache's\n"
		      "         hits and misses, the audio analysis' figures,"
		      " the mount's requests;\n"
		      "         the history in the store (scans, checks,"
		      " repairs) stays\n");
	return 0;
}
