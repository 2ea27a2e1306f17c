#ifndef MEDIAMON_LOG_H
#define MEDIAMON_LOG_H

/*
 * Logging for the whole daemon.
 *
 * Every line goes to stderr (when it is a terminal or the daemon runs in
 * the foreground) and into a ring of the last LOG_RING_LINES lines, which
 * the mount shows as /log. Lines below the current level are dropped.
 *
 * Errors are logged once, where the decision is made; log_error() returns
 * its first argument so a function can write `return log_error(-EIO, ...)`.
 */

#include <stddef.h>

#define LOG_RING_LINES 500

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

/* Stop (or resume) copying lines to stderr, e.g. once daemonized. */
void log_set_stderr(int enabled);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)

/* Log at error level and return code (a negative errno value). */
int log_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct strbuf;

/* Append the ring's lines, oldest first, each ending with a newline. */
void log_ring_dump(struct strbuf *out);

#endif
