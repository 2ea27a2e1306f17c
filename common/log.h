/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_LOG_H
#define MEDIAMON_LOG_H

/*
 * Logging for the whole daemon.
 *
 * Every line goes into a ring of the last LOG_RING_LINES lines, which the
 * mount shows as /log, and to one target: stderr with a time stamp (a
 * terminal), stderr with the journal's priority prefix ("<3>" for errors,
 * when systemd runs the daemon), or syslog (once daemonized). Lines below
 * the current level are dropped.
 *
 *	log_set_target(foreground ? log_target_detect() : LOG_TO_SYSLOG);
 *	log_set_errors_to_stderr(!foreground);
 *	...
 *	fuse_daemonize(foreground);
 *	log_set_errors_to_stderr(0);
 *
 * Lines of one format (its string's address: one place in the code)
 * beyond 20 within 60 s are counted, not written anywhere: one line
 * "log: N more lines like this one left out ..." with the last of them
 * follows with the first line logged after the 60 s, or before the ring
 * is read, so thousands of bad files cannot push every other line out.
 *
 * Errors are logged once, where the decision is made; log_error() returns
 * its first argument so a function can write `return log_error(-EIO, ...)`.
 */

#include <stddef.h>
#include <stdint.h>

#define LOG_RING_LINES 500

struct strbuf;

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

/* Parse "debug", "info", "warn" or "error"; returns -EINVAL otherwise. */
int log_level_parse(const char *name, enum log_level *out);

/* The lowercase name of a level. */
const char *log_level_name(enum log_level level);

void log_set_level(enum log_level level);
enum log_level log_get_level(void);

enum log_target {
	LOG_TO_STDERR,		/* "2026-11-21T19:12:14Z info: ..." */
	LOG_TO_JOURNAL,		/* "<6>info: ...", the stamp is systemd's */
	LOG_TO_SYSLOG,		/* facility daemon, ident "mediamon" */
};

/*
 * Where lines of a process that has not daemonized should go: the journal
 * when systemd started it (JOURNAL_STREAM or INVOCATION_ID is set), else
 * stderr.
 */
enum log_target log_target_detect(void);

/* Send the lines from now on to target (the default is LOG_TO_STDERR). */
void log_set_target(enum log_target target);

/* Stop (or resume) writing lines to stderr, e.g. in unit tests. */
void log_set_stderr(int enabled);

/*
 * While on, error lines sent to syslog are also printed to stderr as
 * "mediamon: MESSAGE": a daemon started by mount(8) says nothing on the
 * terminal before it detaches, unless something is wrong.
 */
void log_set_errors_to_stderr(int enabled);

/*
 * s added to out with every control character but the newline (C0, DEL,
 * and C1 as UTF-8 writes it) shown as \xHH, so a name someone else chose
 * cannot drive the terminal that shows /log or health. Every line logged
 * passes through it (its newlines made spaces first).
 */
void log_escape(const char *s, struct strbuf *out);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)

/* Log at error level and return code (a negative errno value). */
int log_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append the ring's lines, oldest first, each ending with a newline. */
void log_ring_dump(struct strbuf *out);

/*
 * The ring is also a stream: every line kept since the start, one after
 * the other, each at its place (in bytes, newlines included) from the
 * stream's start. log_ring_since() appends what the ring still holds of
 * it from the place from on (a line partly when from is inside it; from
 * the oldest line kept when from is older) and returns the place of the
 * first byte appended (log_ring_end() when it appends nothing).
 * log_ring_start() is the place of the oldest line kept (the end when
 * there is none), log_ring_end() the place of the next line. None waits
 * on anything but the ring's lock.
 */
uint64_t log_ring_since(uint64_t from, struct strbuf *out);
uint64_t log_ring_start(void);
uint64_t log_ring_end(void);

#endif
