/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * syslog.h's LOG_DEBUG and LOG_INFO are macros that would rename our own
 * levels, so its priorities are read first and the macros dropped.
 */
#include <syslog.h>

static const int priorities[] = { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR };

#undef LOG_DEBUG
#undef LOG_INFO

#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/bytes.h"
#include "common/redact.h"
#include "common/strbuf.h"

#define LOG_LINE_MAX 1024

static const char *const level_names[] = {
	[LOG_DEBUG] = "debug",
	[LOG_INFO] = "info",
	[LOG_WARN] = "warn",
	[LOG_ERROR] = "error",
};

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum log_level log_level = LOG_INFO;
static enum log_target log_target = LOG_TO_STDERR;
static int log_to_stderr = 1;
static int errors_to_stderr;
static char *ring[LOG_RING_LINES];
static size_t ring_next;
/* The ring as a stream: where each line starts in it, and its end (the
 * bytes of every line kept since the start, newlines included). */
static uint64_t ring_at[LOG_RING_LINES];
static uint64_t ring_end;

/*
 * Lines of one format (one call site, or one message pattern: the format
 * string's address) beyond LOG_FOLD_BURST within LOG_FOLD_WINDOW seconds
 * are counted, not written: one summary line says how many there were and
 * the last of them, when the window is over or /log is read. A library of
 * 60,000 bad files then leaves a few lines, not 120,000 that push every
 * other line out of the ring.
 */
#define LOG_FOLD_SLOTS 32
#define LOG_FOLD_BURST 20
#define LOG_FOLD_WINDOW 60

static struct fold {
	const char *fmt;		/* NULL: a free slot */
	time_t start;			/* the window's start */
	unsigned long used;		/* fold_seq at its last line */
	unsigned count;			/* lines in this window */
	unsigned left_out;		/* of them not written yet */
	enum log_level level;		/* the highest left out */
	char last[LOG_LINE_MAX];	/* the message of the last left out */
} folds[LOG_FOLD_SLOTS];
static unsigned long fold_seq;

int log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(level_names); i++) {
		if (!strcmp(name, level_names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *log_level_name(enum log_level level)
{
	return level_names[level];
}

void log_set_level(enum log_level level)
{
	__atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
}

enum log_level log_get_level(void)
{
	return __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

enum log_target log_target_detect(void)
{
	return getenv("JOURNAL_STREAM") || getenv("INVOCATION_ID") ?
		LOG_TO_JOURNAL : LOG_TO_STDERR;
}

void log_set_stderr(int enabled)
{
	__atomic_store_n(&log_to_stderr, enabled, __ATOMIC_RELAXED);
}

void log_set_errors_to_stderr(int enabled)
{
	__atomic_store_n(&errors_to_stderr, enabled, __ATOMIC_RELAXED);
}

void log_set_target(enum log_target target)
{
	pthread_mutex_lock(&log_lock);
	if (target == LOG_TO_SYSLOG && log_target != LOG_TO_SYSLOG)
		openlog("mediamon", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (target != LOG_TO_SYSLOG && log_target == LOG_TO_SYSLOG)
		closelog();
	log_target = target;
	pthread_mutex_unlock(&log_lock);
}

/* Write one line (stamped, its message at msg) to the target and the
 * ring; log_lock held. */
static void emit(enum log_level level, const char *line, const char *msg)
{
	if (log_target == LOG_TO_SYSLOG) {
		syslog(priorities[level], "%s: %s", level_names[level], msg);
		if (level == LOG_ERROR && log_to_stderr && errors_to_stderr)
			fprintf(stderr, "mediamon: %s\n", msg);
	} else if (log_to_stderr && log_target == LOG_TO_JOURNAL)
		fprintf(stderr, "<%d>%s: %s\n", priorities[level],
			level_names[level], msg);
	else if (log_to_stderr)
		fprintf(stderr, "%s\n", line);
	free(ring[ring_next]);
	ring[ring_next] = strdup(line);
	ring_at[ring_next] = ring_end;
	if (ring[ring_next])
		ring_end += strlen(line) + 1;
	ring_next = (ring_next + 1) % LOG_RING_LINES;
}

/* The line "N more lines like the last left out" of f, if any; log_lock
 * held. */
static void fold_flush(struct fold *f, time_t now)
{
	char line[LOG_LINE_MAX + 128], stamp[32];
	struct tm tm;
	int n;

	if (!f->left_out)
		return;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s %s: ", stamp,
		     level_names[f->level]);
	snprintf(line + n, sizeof(line) - n, "log: %u more lines like this"
		 " one left out (over %d in %d s), the last: %s",
		 f->left_out, LOG_FOLD_BURST, LOG_FOLD_WINDOW, f->last);
	emit(f->level, line, line + n);
	f->left_out = 0;
	f->level = LOG_DEBUG;
}

/* Whether a line of fmt is to be left out (and then kept as the last of
 * its fold); log_lock held. The summaries of windows over go first. */
static int fold(const char *fmt, enum log_level level, const char *line,
		time_t now)
{
	struct fold *f = NULL, *oldest = &folds[0];

	for (size_t i = 0; i < LOG_FOLD_SLOTS; i++) {
		struct fold *g = &folds[i];

		if (g->fmt && now - g->start >= LOG_FOLD_WINDOW) {
			fold_flush(g, now);
			g->start = now;
			g->count = 0;
		}
		if (g->fmt == fmt)
			f = g;
		if (!g->fmt || (oldest->fmt && g->used < oldest->used))
			oldest = g;
	}
	if (!f) {
		f = oldest;
		fold_flush(f, now);
		*f = (struct fold){ .fmt = fmt, .start = now };
	}
	f->used = ++fold_seq;
	if (++f->count <= LOG_FOLD_BURST)
		return 0;
	f->left_out++;
	if (level > f->level)
		f->level = level;
	snprintf(f->last, sizeof(f->last), "%s", line);
	return 1;
}

void log_escape(const char *s, struct strbuf *out)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			strbuf_addf(out, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)
			strbuf_addf(out, "\\xc2\\x%02x", *++p);
		else
			strbuf_addch(out, *p);
	}
}

/* One line is formatted outside the lock and then stored, so slow
 * formatting never holds up other threads that log. A line that cannot be
 * copied into the ring is still printed: losing /log history is better
 * than losing the message. */
static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX], stamp[32], *msg;
	struct strbuf raw = STRBUF_INIT, shown = STRBUF_INIT;
	struct tm tm;
	time_t now;
	int n;

	if (level < log_get_level())
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s %s: ", stamp, level_names[level]);
	msg = line + n;
	/* whole before it is cut, so that no half of a secret stays */
	strbuf_vaddf(&raw, fmt, ap);
	redact(raw.buf, REDACT_MASK, &shown);
	for (char *p = shown.buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	strbuf_reset(&raw);
	log_escape(shown.buf, &raw);
	snprintf(msg, sizeof(line) - n, "%s", raw.buf);
	strbuf_release(&raw);
	strbuf_release(&shown);

	pthread_mutex_lock(&log_lock);
	if (!fold(fmt, level, msg, now))
		emit(level, line, msg);
	pthread_mutex_unlock(&log_lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

int log_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERROR, fmt, ap);
	va_end(ap);
	return code;
}

void log_ring_dump(struct strbuf *out)
{
	log_ring_since(0, out);
}

/* Say what was left out so far, before the ring is read; log_lock
 * held. */
static void fold_flush_all(void)
{
	time_t now = time(NULL);

	for (size_t i = 0; i < LOG_FOLD_SLOTS; i++)
		fold_flush(&folds[i], now);
}

uint64_t log_ring_since(uint64_t from, struct strbuf *out)
{
	uint64_t start;

	pthread_mutex_lock(&log_lock);
	fold_flush_all();
	start = ring_end;
	for (size_t i = 0; i < LOG_RING_LINES; i++) {
		size_t at = (ring_next + i) % LOG_RING_LINES;
		const char *line = ring[at];
		uint64_t len, skip;

		if (!line)
			continue;
		len = strlen(line) + 1;
		if (ring_at[at] + len <= from)
			continue;
		skip = from > ring_at[at] ? from - ring_at[at] : 0;
		if (start == ring_end)
			start = ring_at[at] + skip;
		strbuf_add(out, line + skip, len - 1 - skip);
		strbuf_addch(out, '\n');
	}
	pthread_mutex_unlock(&log_lock);
	return start;
}

uint64_t log_ring_start(void)
{
	uint64_t start;
	size_t i = 0;

	pthread_mutex_lock(&log_lock);
	fold_flush_all();
	while (i < LOG_RING_LINES && !ring[(ring_next + i) % LOG_RING_LINES])
		i++;
	start = i < LOG_RING_LINES ?
		ring_at[(ring_next + i) % LOG_RING_LINES] : ring_end;
	pthread_mutex_unlock(&log_lock);
	return start;
}

uint64_t log_ring_end(void)
{
	uint64_t end;

	pthread_mutex_lock(&log_lock);
	fold_flush_all();
	end = ring_end;
	pthread_mutex_unlock(&log_lock);
	return end;
}
