/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CONTROL_H
#define MEDIAMON_CONTROL_H

/*
 * The control files: each takes one command per write and shows its state
 * when read. A write is validated and queued, never waited for; anything
 * not understood is -EINVAL and changes nothing.
 */

#include <stddef.h>

struct strbuf;

/*
 * The text of one write as people type it: one trailing line end dropped
 * (LF, CRLF or CR), then the blanks (spaces and tabs) at both ends; no other
 * line break or NUL allowed, at most max - 1 bytes left. Copies it
 * NUL-terminated into out (max bytes) and returns its length, or -EINVAL
 * (its reason noted for control_log_refused()). An empty write (a lone
 * line end, or only blanks) gives "". Command words are matched without
 * regard to case; what follows one (a path, an id) is taken as written.
 */
int control_text(const char *buf, size_t len, char *out, size_t max);

/*
 * Refuse the write under way with rc (a negative errno value), noting
 * why, a phrase with static storage, for control_log_refused() on this
 * thread. Returns rc.
 */
int control_refuse(int rc, const char *why);

/*
 * Log the one line of a write of len bytes at buf refused with rc by the
 * file at path (its mount path): the input, cut to CONTROL_LOG_INPUT
 * bytes with every byte that is not printable ASCII escaped, and why:
 * the reason this thread's last control_refuse() noted, else rc's own.
 */
void control_log_refused(const char *path, const char *buf, size_t len,
			 int rc);

#define CONTROL_LOG_INPUT 64

/*
 * /control/rescan: "1" rescans every root, "full" re-reads every file's
 * tags, an absolute path inside a root rescans that file or subtree. One
 * trailing newline is allowed.
 */
int control_rescan_write(const char *buf, size_t len);

/* The rescan state and the accepted commands. */
int control_rescan_render(struct strbuf *out);

/*
 * /control/check-missing and /control/check-new: "1" queues that check
 * of the monitored series (-EPERM when [monitor] switches it off). Read,
 * they show whether it runs or waits.
 */
int control_check_missing_write(const char *buf, size_t len);
int control_check_missing_render(struct strbuf *out);
int control_check_new_write(const char *buf, size_t len);
int control_check_new_render(struct strbuf *out);

/*
 * /control/dry-run: "1" (yes, on, true) or "0" (no, off, false) until the
 * daemon stops; reading it shows 1 or 0 first.
 */
int control_dry_run_write(const char *buf, size_t len);
int control_dry_run_render(struct strbuf *out);

/*
 * /control/repair: "scan" finds dead Real-Debrid links and maps them,
 * "run" repairs them too (sending nothing in dry-run), "resync" lists
 * the whole account again, "retry ID" and "forget ID" retry or forget
 * the failed, loop-stopped or waiting repair of torrent ID
 * (rd_commands.h; -EINVAL for a torrent they do not take). -EPERM when
 * [realdebrid] does not allow it. Read, it shows the state, the listing
 * of the account and the commands.
 */
int control_repair_write(const char *buf, size_t len);
int control_repair_render(struct strbuf *out);

/*
 * /control/maintenance: "backup" writes a backup of the database now,
 * "prune" applies the retention now, "vacuum" rebuilds the database
 * file. Read, it shows what runs or waits and the next timed cleanup
 * and backup.
 */
int control_maintenance_write(const char *buf, size_t len);
int control_maintenance_render(struct strbuf *out);

/*
 * /control/log-level: "debug", "info", "warn" or "error" sets the lowest
 * level logged until the daemon stops or reloads its configuration;
 * reading it shows the level in use first.
 */
int control_log_level_write(const char *buf, size_t len);
int control_log_level_render(struct strbuf *out);

/*
 * /control/pause: "1" pauses the background audio analysis, "0" resumes
 * it, until the daemon stops; reading it shows 1 or 0 first.
 */
int control_pause_write(const char *buf, size_t len);
int control_pause_render(struct strbuf *out);

/*
 * /control/blocklist: a release's id (found.json's) puts it on the
 * blocklist, "remove ID" takes it off; anything else is -EINVAL and
 * changes nothing. Read, it lists the entries and the commands.
 */
int control_blocklist_write(const char *buf, size_t len);
int control_blocklist_render(struct strbuf *out);

/*
 * /control/send: a release's id (found.json's) sends it to its download
 * client now (indexer_send()); an id no found release has, one on the
 * blocklist or of a volume handed over already is -EINVAL and sends
 * nothing. Read, it shows what it takes.
 */
int control_send_write(const char *buf, size_t len);
int control_send_render(struct strbuf *out);

/*
 * /control/reset-metrics: "1" sets the counters since the start to zero
 * (the indexer's and the mount's; the history in the store stays).
 * Read, it shows since when they count.
 */
int control_reset_metrics_write(const char *buf, size_t len);
int control_reset_metrics_render(struct strbuf *out);

#endif
