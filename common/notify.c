/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The notification list in memory (notify.h): events from any thread,
 * their texts cleaned and redacted once, taken by the sender
 * (indexer/notifier.c). It must do no network, store or wait on the
 * producer's thread; how each target is spoken to is
 * notify_targets.c's.
 */
#include "common/notify.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "common/utf8.h"

static const struct {
	const char *name, *title;
	int once;
} kinds[NOTIFY_NR_KINDS] = {
	[NOTIFY_NEW_VOLUME] = { "new_volume", "New volume", 1 },
	[NOTIFY_RELEASE_FOUND] = { "release_found", "Release found", 1 },
	[NOTIFY_SENT] = { "sent", "Sent to the download client", 1 },
	[NOTIFY_HANDOFF_FAILED] = { "handoff_failed", "Hand-off failed", 1 },
	[NOTIFY_REPAIR_DONE] = { "repair_done", "Torrent repaired", 0 },
	[NOTIFY_REPAIR_FAILED] = { "repair_failed", "Repair failed", 0 },
	[NOTIFY_REPAIR_PASS] = { "repair_pass", "Debrid repair pass", 0 },
	[NOTIFY_HEALTH_ERROR] = { "health_error", "Health: error", 0 },
	[NOTIFY_HEALTH_OK] = { "health_ok", "Health: ok", 0 },
	[NOTIFY_ERROR_RATE] = { "error_rate", "Error rate", 0 },
	[NOTIFY_REPLACEMENT] = { "replacement", "Replacement searched", 0 },
	[NOTIFY_IMPORTED] = { "imported", "Imported", 1 },
	[NOTIFY_IMPORT_FAILED] = { "import_failed", "Import failed", 1 },
	[NOTIFY_ROOT_UNAVAILABLE] = { "root_unavailable", "Root unavailable",
				      0 },
	[NOTIFY_SCAN_FINISHED] = { "scan_finished", "Scan finished", 0 },
	[NOTIFY_SCAN_SLOW] = { "scan_slow", "Scan slow", 0 },
};

const char *const notify_event_names[] = {
	"all", "new_volume", "release_found", "sent", "handoff_failed",
	"repair_done", "repair_failed", "repair_pass", "health_error",
	"health_ok", "error_rate", "replacement", "imported",
	"import_failed", "root_unavailable", "scan_finished", "scan_slow", NULL
};

/* The events waiting for the sender, and what it wants. */
static struct {
	pthread_once_t once;
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* on the monotonic clock */
	struct notify_msg *head, *tail;
	size_t nr;
	unsigned accepted;
	int woken;
	int full;			/* the last event was dropped */
} q = {
	.once = PTHREAD_ONCE_INIT,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

const char *notify_kind_name(enum notify_kind kind)
{
	return kinds[kind].name;
}

const char *notify_kind_title(enum notify_kind kind)
{
	return kinds[kind].title;
}

int notify_kind_once(enum notify_kind kind)
{
	return kinds[kind].once;
}

int notify_kind_parse(const char *name)
{
	for (int k = 0; k < NOTIFY_NR_KINDS; k++)
		if (!strcmp(kinds[k].name, name))
			return k;
	return -1;
}

int notify_accepts(enum notify_kind kind)
{
	int yes;

	pthread_mutex_lock(&q.lock);
	yes = !!(q.accepted & NOTIFY_BIT(kind));
	pthread_mutex_unlock(&q.lock);
	return yes;
}

/* A timed wait must not jump with the wall clock. */
static void init_cond(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q.cond, &attr);
	pthread_condattr_destroy(&attr);
}

/*
 * Text every target can carry: no secret (redact()), valid UTF-8, no
 * control character but the line breaks of a message (headers and
 * titles take none), cut on a character boundary at max bytes.
 */
static void clean(const char *text, size_t max, int newlines,
		  struct strbuf *out)
{
	struct strbuf shown = STRBUF_INIT;
	const char *bytes, *s;
	size_t len, k, n;
	unsigned int cp;
	char c;

	redact(text, REDACT_MASK, &shown);
	s = shown.buf;
	len = shown.len;
	for (size_t i = 0; i < len; i += k) {
		k = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		bytes = s + i;
		n = k;
		if (!k) {
			k = 1;
			bytes = "\xef\xbf\xbd";
			n = 3;
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			c = cp == '\n' && newlines ? '\n' : ' ';
			bytes = &c;
			n = 1;
		}
		if (out->len + n > max)
			break;
		strbuf_add(out, bytes, n);
	}
	strbuf_release(&shown);
}

static struct notify_msg *msg_new(enum notify_kind kind, const char *subject,
				  json_t *details, const char *fmt,
				  va_list ap)
{
	struct strbuf raw = STRBUF_INIT, text = STRBUF_INIT;
	struct notify_msg *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->kind = kind;
	m->at = clock_wall();
	clean(subject ? subject : "", NOTIFY_SUBJECT_MAX, 0, &text);
	m->subject = strbuf_detach(&text, NULL);
	strbuf_vaddf(&raw, fmt, ap);
	clean(raw.buf, NOTIFY_MESSAGE_MAX, 1, &text);
	strbuf_rtrim(&text);
	if (!text.len)
		strbuf_addstr(&text, kinds[kind].title);
	m->message = strbuf_detach(&text, NULL);
	strbuf_release(&raw);
	if (details) {
		char *doc = json_dumps(details, JSON_COMPACT);

		/* Figures only: a huge one is not worth queueing. */
		if (doc && strlen(doc) <= NOTIFY_DETAILS_MAX) {
			redact(doc, REDACT_MASK, &text);
			m->details = strbuf_detach(&text, NULL);
		}
		free(doc);
	}
	return m;
}

void notify_event(enum notify_kind kind, const char *subject,
		  json_t *details, const char *fmt, ...)
{
	struct notify_msg *m;
	va_list ap;

	pthread_once(&q.once, init_cond);
	if (!notify_accepts(kind)) {
		json_decref(details);
		return;
	}
	va_start(ap, fmt);
	m = msg_new(kind, subject, details, fmt, ap);
	va_end(ap);
	json_decref(details);
	if (!m) {
		log_error(-ENOMEM, "notify: out of memory, %s event lost",
			  kinds[kind].name);
		return;
	}
	pthread_mutex_lock(&q.lock);
	if (q.nr >= NOTIFY_PENDING_MAX) {
		if (!q.full)
			log_warn("notify: %d events wait already; dropping"
				 " the newest until they are taken",
				 NOTIFY_PENDING_MAX);
		q.full = 1;
		pthread_mutex_unlock(&q.lock);
		notify_msg_free(m);
		return;
	}
	q.full = 0;
	if (q.tail)
		q.tail->next = m;
	else
		q.head = m;
	q.tail = m;
	q.nr++;
	pthread_cond_signal(&q.cond);
	pthread_mutex_unlock(&q.lock);
}

void notify_accept(unsigned mask)
{
	struct notify_msg *keep = NULL, **tail = &keep, *drop = NULL, *m, *next;

	pthread_once(&q.once, init_cond);
	pthread_mutex_lock(&q.lock);
	q.accepted = mask;
	q.nr = 0;
	for (m = q.head; m; m = next) {
		next = m->next;
		if (mask & NOTIFY_BIT(m->kind)) {
			*tail = m;
			tail = &m->next;
			q.tail = m;
			q.nr++;
		} else {
			m->next = drop;
			drop = m;
		}
	}
	*tail = NULL;
	q.head = keep;
	if (!keep)
		q.tail = NULL;
	pthread_mutex_unlock(&q.lock);
	notify_msg_free(drop);
}

struct notify_msg *notify_take(double timeout_s)
{
	struct notify_msg *list;
	struct timespec until;

	pthread_once(&q.once, init_cond);
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)timeout_s;
	until.tv_nsec += (long)((timeout_s - (time_t)timeout_s) * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&q.lock);
	while (!q.head && !q.woken && timeout_s > 0 &&
	       pthread_cond_timedwait(&q.cond, &q.lock, &until) != ETIMEDOUT)
		;
	q.woken = 0;
	list = q.head;
	q.head = q.tail = NULL;
	q.nr = 0;
	q.full = 0;
	pthread_mutex_unlock(&q.lock);
	return list;
}

void notify_wake(void)
{
	pthread_once(&q.once, init_cond);
	pthread_mutex_lock(&q.lock);
	q.woken = 1;
	pthread_cond_signal(&q.cond);
	pthread_mutex_unlock(&q.lock);
}

void notify_msg_free(struct notify_msg *m)
{
	struct notify_msg *next;

	for (; m; m = next) {
		next = m->next;
		CLEANUP_FREE_ALL(m->subject, m->message, m->details, m);
	}
}
