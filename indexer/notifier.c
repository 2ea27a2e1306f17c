/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The notifier thread (notifier.h): the events producers hand over
 * queued in the store through the writer, then sent to each target paced,
 * held back after a failure and given up past retry_for. No producer
 * waits on it.
 */
#include "indexer/notifier.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/cleanup.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/notify_targets.h"
#include "common/strbuf.h"
#include "common/thread.h"
#include "indexer/store/services.h"
#include "indexer/store/writer.h"

/* How long the thread sleeps when nothing is due: events wake it. */
#define IDLE_S 3600.0

struct target {
	struct notify_target t;
	char health[32];	/* its name in /status/health */
	int fails;		/* attempts in a row that failed */
	double hold_until;	/* monotonic: nothing goes before */
	int waiting;		/* an alert waits for it */
	int refused;		/* it refused its address */
	int shown;		/* health shows how it went this run */
	int gave_up;		/* alerts given up in this round */
};

static struct {
	const struct config *cfg;
	struct target t[NOTIFY_NR_TARGETS];
	size_t nr;
	sqlite3 *db;		/* the thread's read connection */
	pthread_t thread;
	int running;
	int stop, cancel;	/* atomic */
} nt;

/* One alert of the queue. */
struct row {
	int64_t id;
	struct notify_msg m;
};

/* The kinds a list of names stands for ("all": NOTIFY_ALL, to which
 * the kinds it leaves out may be added by name); an empty list is none. */
static unsigned kinds_of(const struct config_list *l)
{
	unsigned mask = 0;
	int k;

	for (size_t i = 0; i < l->nr; i++) {
		k = notify_kind_parse(l->items[i]);
		if (!strcmp(l->items[i], "all"))
			mask |= NOTIFY_ALL;
		else if (k >= 0)
			mask |= NOTIFY_BIT(k);
	}
	return mask;
}

/* The configured targets, each with its own events or the common ones. */
static void make_targets(const struct config *cfg)
{
	const struct {
		enum notify_target_kind kind;
		const char *url, *token, *chat;
		const struct config_list *events;
	} all[] = {
		{ NOTIFY_DISCORD, cfg->notify_discord_webhook, NULL, NULL,
		  &cfg->notify_discord_events },
		{ NOTIFY_SLACK, cfg->notify_slack_webhook, NULL, NULL,
		  &cfg->notify_slack_events },
		{ NOTIFY_NTFY, cfg->notify_ntfy_url, cfg->notify_ntfy_token,
		  NULL, &cfg->notify_ntfy_events },
		{ NOTIFY_WEBHOOK, cfg->notify_webhook, NULL, NULL,
		  &cfg->notify_webhook_events },
		/* its base URL has a default: the chat says it is wanted */
		{ NOTIFY_TELEGRAM, cfg->notify_telegram_chat ?
		  cfg->notify_telegram_url : NULL, cfg->notify_telegram_token,
		  cfg->notify_telegram_chat, &cfg->notify_telegram_events },
	};

	memset(nt.t, 0, sizeof(nt.t));
	nt.nr = 0;
	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		struct target *t = &nt.t[nt.nr];

		if (!all[i].url)
			continue;
		t->t = (struct notify_target) {
			.kind = all[i].kind,
			.url = all[i].url,
			.token = all[i].token,
			.chat = all[i].chat,
			.user = &cfg->notify_user,
			.events = kinds_of(all[i].events->nr ? all[i].events :
					   &cfg->notify_events),
		};
		snprintf(t->health, sizeof(t->health), "notify %s",
			 notify_target_name(all[i].kind));
		nt.nr++;
	}
}

/* Whether m is news: kinds told once per subject are told the first
 * time only. Returns 1, 0, or a negative errno value. */
static int is_news(sqlite3 *db, sqlite3_stmt *once, const struct notify_msg *m)
{
	int rc;

	if (!notify_kind_once(m->kind))
		return 1;
	sqlite3_bind_text(once, 1, notify_kind_name(m->kind), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(once, 2, m->subject, -1, SQLITE_STATIC);
	sqlite3_bind_double(once, 3, m->at);
	rc = db_step(once, "notify: note event");
	return rc ? rc : sqlite3_changes(db) > 0;
}

/* One row of notify_queue per target that wants m. */
static int queue(sqlite3_stmt *add, const struct notify_msg *m)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < nt.nr; i++) {
		if (!(nt.t[i].t.events & NOTIFY_BIT(m->kind)))
			continue;
		sqlite3_bind_text(add, 1, notify_target_name(nt.t[i].t.kind),
				  -1, SQLITE_STATIC);
		sqlite3_bind_text(add, 2, notify_kind_name(m->kind), -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(add, 3, m->subject, -1, SQLITE_STATIC);
		sqlite3_bind_text(add, 4, m->message, -1, SQLITE_STATIC);
		db_bind_text(add, 5, m->details);
		sqlite3_bind_double(add, 6, m->at);
		rc = db_step(add, "notify: queue alert");
	}
	return rc;
}

/* A db_transaction() function: a list of events queued, and the events
 * told once forgotten after [retention] attempts. */
static int queue_events(sqlite3 *db, void *arg)
{
	const struct notify_msg *m = arg;
	CLEANUP_STMT sqlite3_stmt *once = NULL;
	CLEANUP_STMT sqlite3_stmt *add = NULL;
	CLEANUP_STMT sqlite3_stmt *prune = NULL;
	static const char *const sql[] = {
		"INSERT INTO notify_once (event, subject, at)"
		" VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
		"INSERT INTO notify_queue (target, event, subject, message,"
		" details, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		"DELETE FROM notify_once WHERE at < ?1",
	};
	int rc = db_prepare_each(db, sql, (sqlite3_stmt **const[]){
					 &once, &add, &prune },
				 ARRAY_SIZE(sql));

	for (; !rc && m; m = m->next) {
		rc = is_news(db, once, m);
		rc = rc > 0 ? queue(add, m) : rc;
	}
	if (!rc) {
		sqlite3_bind_double(prune, 1, clock_wall() -
				    nt.cfg->retention_attempts_s);
		rc = db_step(prune, "notify: forget told events");
	}
	return rc;
}

/* A writer_call() function: queue_events() in a transaction. */
static int store_events(sqlite3 *db, void *arg)
{
	return db_transaction(db, queue_events, arg);
}

/* Hand the events taken to the store; on failure they are lost, which
 * is logged: the daemon goes on. */
static void keep(struct notify_msg *m)
{
	if (m && writer_call_urgent(store_events, m))
		log_warn("notify: events could not be queued; they are lost");
	notify_msg_free(m);
}

/* A writer_call() function: forget the alerts and the health of the
 * targets that are not configured any more. */
static int forget_others(sqlite3 *db, void *unused)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc, dropped;

	(void)unused;
	strbuf_addstr(&sql, "DELETE FROM notify_queue WHERE target NOT IN"
		      " (''");
	for (size_t i = 0; i < nt.nr; i++)
		strbuf_addf(&sql, ", '%s'", notify_target_name(nt.t[i].t.kind));
	strbuf_addch(&sql, ')');
	rc = db_prepare(db, sql.buf, &st);
	if (!rc) {
		rc = db_finalize(st, sqlite3_step(st), "notify: drop alerts");
		dropped = sqlite3_changes(db);
		if (!rc && dropped)
			log_warn("notify: %d alerts were queued for targets no"
				 " longer configured; dropped", dropped);
	}
	strbuf_reset(&sql);
	strbuf_addstr(&sql, "DELETE FROM services WHERE name LIKE 'notify %'"
		      " AND name NOT IN (''");
	for (size_t i = 0; i < nt.nr; i++)
		strbuf_addf(&sql, ", '%s'", nt.t[i].health);
	strbuf_addch(&sql, ')');
	if (!rc)
		rc = db_exec(db, sql.buf);
	strbuf_release(&sql);
	return rc;
}

struct row_sql {
	const char *sql;
	int64_t id;
	const char *text;
};

/* A writer_call() function: one statement on one alert. */
static int row_exec(sqlite3 *db, void *arg)
{
	const struct row_sql *q = arg;
	sqlite3_stmt *st;
	int rc = db_prepare(db, q->sql, &st);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, q->id);
	db_bind_text(st, 2, q->text);
	return db_finalize(st, sqlite3_step(st), "notify: alert");
}

static int row_delete(int64_t id)
{
	return writer_call_urgent(row_exec, &(struct row_sql){
		.sql = "DELETE FROM notify_queue WHERE id = ?1", .id = id });
}

/* A copy of a text column, "" for NULL; NULL only when out of memory. */
static char *column_dup(sqlite3_stmt *st, int i)
{
	const char *text = (const char *)sqlite3_column_text(st, i);

	return strdup(text ? text : "");
}

static void row_release(struct row *r)
{
	free(r->m.subject);
	free(r->m.message);
	free(r->m.details);
	memset(r, 0, sizeof(*r));
}

/*
 * The oldest alert waiting for t, copied into r (row_release() it), so
 * that no read stays open while it is sent. Returns 1 when there is one,
 * 0 when none waits, or a negative errno value.
 */
static int oldest(const struct target *t, struct row *r)
{
	sqlite3_stmt *st;
	const char *event;
	int rc, kind;

	for (;;) {
		rc = db_prepare(nt.db, "SELECT id, event, subject, message,"
				" details, created_at FROM notify_queue WHERE"
				" target = ?1 ORDER BY id LIMIT 1", &st);
		if (rc)
			return rc;
		sqlite3_bind_text(st, 1, notify_target_name(t->t.kind), -1,
				  SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			return db_finalize(st, rc, "notify: read queue");
		event = (const char *)sqlite3_column_text(st, 1);
		kind = event ? notify_kind_parse(event) : -1;
		*r = (struct row) {
			.id = sqlite3_column_int64(st, 0),
			.m = {
				.kind = kind,
				.subject = column_dup(st, 2),
				.message = column_dup(st, 3),
				.details = sqlite3_column_type(st, 4) ==
					SQLITE_NULL ? NULL : column_dup(st, 4),
				.at = sqlite3_column_double(st, 5),
			},
		};
		sqlite3_finalize(st);
		if (!r->m.subject || !r->m.message) {
			row_release(r);
			return log_error(-ENOMEM, "notify: out of memory");
		}
		if (kind >= 0)
			return 1;
		/* An event this version does not know (a newer one queued
		 * it): nothing can be sent for it. */
		rc = row_delete(r->id);
		row_release(r);
		if (rc)
			return rc;
	}
}

/* How long to leave a target that failed alone: what it asked for, or
 * a delay that doubles with each failure in a row. */
static double backoff(const struct target *t, const struct notify_answer *a)
{
	double s = NOTIFIER_BACKOFF;

	if (a->retry_after_s > 0)
		return a->retry_after_s;
	for (int i = 1; i < t->fails && s < NOTIFIER_BACKOFF_MAX; i++)
		s *= 2;
	return s < NOTIFIER_BACKOFF_MAX ? s : NOTIFIER_BACKOFF_MAX;
}

/* What health shows of a target: nothing wrong, or its trouble. */
static void show(struct target *t, int rc, const char *text,
		 const char *level)
{
	t->shown = 1;
	services_record(NULL, t->health, rc, text, level);
}

/* The outcome of one attempt to deliver r to t, rc as
 * notify_target_send() returned it. */
static void settle(struct target *t, const struct row *r, int rc,
		   const struct notify_answer *a)
{
	const char *name = notify_target_name(t->t.kind);
	char text[384];
	double delay;

	if (!rc) {
		if (t->fails)
			log_info("notify: %s takes alerts again", name);
		log_info("notify: %s alert sent to %s",
			 notify_kind_name(r->m.kind), name);
		if (t->fails || !t->shown)
			show(t, 0, NULL, NULL);
		t->fails = 0;
		t->hold_until = clock_mono() + NOTIFIER_PACE;
		row_delete(r->id);
		return;
	}
	if (rc == -EAGAIN || rc == -ENOMEM) {
		t->fails++;
		delay = backoff(t, a);
		t->hold_until = clock_mono() + delay;
		/* http.h logged a request that got no answer already. */
		if (t->fails == 1)
			log_warn("notify: %s: %s; alerts wait, next try in"
				 " %.0f s", name, a->status ? a->error :
				 "no answer", delay);
		snprintf(text, sizeof(text), "%s; alerts wait, next try in"
			 " %.0f s", a->error, delay);
		if (t->fails == 1)
			show(t, rc, text, "warn");
		writer_call_urgent(row_exec, &(struct row_sql){
			.sql = "UPDATE notify_queue SET attempts ="
			       " attempts + 1, last_error = ?2 WHERE id = ?1",
			.id = r->id, .text = a->error });
		return;
	}
	if (rc == -EACCES) {
		t->refused = 1;
		snprintf(text, sizeof(text), "%s: it refuses its address;"
			 " nothing more goes there until the configuration"
			 " changes", a->error);
		log_error(rc, "notify: %s: %s", name, text);
		show(t, rc, text, "error");
		return;
	}
	log_error(rc, "notify: %s refused the %s alert (%s); dropped", name,
		  notify_kind_name(r->m.kind), a->error);
	t->hold_until = clock_mono() + NOTIFIER_PACE;
	row_delete(r->id);
}

/*
 * Send what is due to t, until it must wait or nothing waits. Returns
 * the seconds until it may take the next one (IDLE_S when nothing waits
 * for it), or -ECANCELED when the notifier stops.
 */
static double deliver_to(struct target *t)
{
	struct notify_answer a;
	struct row r;
	double now;
	int rc;

	while (!t->refused && !__atomic_load_n(&nt.stop, __ATOMIC_ACQUIRE)) {
		now = clock_mono();
		if (t->waiting && now < t->hold_until)
			return t->hold_until - now;
		rc = oldest(t, &r);
		t->waiting = rc > 0;
		if (rc <= 0)
			break;
		if (clock_wall() - r.m.at > nt.cfg->notify_retry_for_s) {
			t->gave_up++;
			rc = row_delete(r.id);
			row_release(&r);
			if (rc)
				return IDLE_S;
			continue;
		}
		if (now < t->hold_until) {
			row_release(&r);
			return t->hold_until - now;
		}
		rc = notify_target_send(&t->t, &r.m, &nt.cancel, &a);
		if (rc != -ECANCELED)
			settle(t, &r, rc, &a);
		row_release(&r);
		if (rc == -ECANCELED)
			return rc;
	}
	return IDLE_S;
}

/* One round over the targets. Returns the seconds until one is due. */
static double deliver(void)
{
	double next = IDLE_S, due;

	for (size_t i = 0; i < nt.nr; i++) {
		struct target *t = &nt.t[i];
		char after[32];

		due = deliver_to(t);
		if (t->gave_up) {
			config_format_duration(nt.cfg->notify_retry_for_s,
					       after, sizeof(after));
			log_error(-ETIMEDOUT, "notify: %s: gave up %d alerts"
				  " undelivered %s after they happened",
				  notify_target_name(t->t.kind), t->gave_up,
				  after);
			t->gave_up = 0;
		}
		if (due < 0)
			return 0;
		if (due < next)
			next = due;
	}
	return next;
}

static void *notifier_main(void *unused)
{
	double wait = 0;

	(void)unused;
	thread_name("mm-notify");
	for (;;) {
		keep(notify_take(wait));
		if (__atomic_load_n(&nt.stop, __ATOMIC_ACQUIRE))
			break;
		wait = deliver();
	}
	return NULL;
}

int notifier_start(const struct config *cfg)
{
	unsigned mask = 0;
	int rc;

	nt.cfg = cfg;
	make_targets(cfg);
	rc = writer_call_urgent(forget_others, NULL);
	if (rc || !nt.nr) {
		notify_accept(0);
		return rc;
	}
	rc = db_open(cfg->database, 1, &nt.db);
	if (rc) {
		notify_accept(0);
		return rc;
	}
	for (size_t i = 0; i < nt.nr; i++)
		mask |= nt.t[i].t.events;
	notify_accept(mask);
	nt.stop = nt.cancel = 0;
	rc = -pthread_create(&nt.thread, NULL, notifier_main, NULL);
	if (rc) {
		log_error(rc, "notify: cannot start thread");
		notify_accept(0);
		db_close(nt.db);
		nt.db = NULL;
		return rc;
	}
	nt.running = 1;
	return 0;
}

void notifier_stop(void)
{
	if (!nt.running)
		return;
	__atomic_store_n(&nt.stop, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&nt.cancel, 1, __ATOMIC_RELEASE);
	notify_wake();
	pthread_join(nt.thread, NULL);
	keep(notify_take(0));
	db_close(nt.db);
	nt.db = NULL;
	nt.running = 0;
}
