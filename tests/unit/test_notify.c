/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake.h"
#include <jansson.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/db.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/notify_targets.h"
#include "common/strbuf.h"
#include "indexer/notifier.h"
#include "indexer/store/writer.h"

/* A secret in every address: it must never reach the log. */
#define TOKEN "hOOkTOKEN-secret_123"
#define NTFY_TOKEN "tk_fakeTOKEN"
#define TG_TOKEN "7000000001:AAFakeBotTokenForMediamonTests_x1"
#define WAIT_S 60.0

static struct fake hooks, ntfy, tg;
static char discord_url[160], slack_url[160], ntfy_url[160], hook_url[160];
static char tg_url[160];

static int start_fakes(void **state)
{
	(void)state;
	if (fake_start("webhook_fake.py", &hooks) ||
	    fake_start("ntfy_fake.py", &ntfy) ||
	    fake_start("telegram_fake.py", &tg))
		return -1;
	snprintf(discord_url, sizeof(discord_url),
		 "http://127.0.0.1:%d/api/webhooks/42/" TOKEN, hooks.port);
	snprintf(slack_url, sizeof(slack_url),
		 "http://127.0.0.1:%d/services/T0001/B0001/" TOKEN,
		 hooks.port);
	snprintf(ntfy_url, sizeof(ntfy_url),
		 "http://127.0.0.1:%d/private" TOKEN, ntfy.port);
	snprintf(hook_url, sizeof(hook_url),
		 "http://127.0.0.1:%d/hook?token=" TOKEN, hooks.port);
	snprintf(tg_url, sizeof(tg_url), "http://127.0.0.1:%d", tg.port);
	return 0;
}

static int stop_fakes(void **state)
{
	(void)state;
	fake_stop(&hooks);
	fake_stop(&ntfy);
	fake_stop(&tg);
	return 0;
}

/* Every post a fake took so far. */
static json_t *posts(struct fake *f)
{
	json_t *p = fake_json(f, NULL, "/_posts", NULL);

	assert_non_null(p);
	return p;
}

static json_t *last_post(struct fake *f)
{
	json_t *p = posts(f), *last;

	assert_true(json_array_size(p) > 0);
	last = json_incref(json_array_get(p, json_array_size(p) - 1));
	json_decref(p);
	return last;
}

/* Set the canned answers of kind at fake f: plan is the rest of the
 * JSON object, such as "\"answers\": [\"ratelimited\"]". */
static void plan(struct fake *f, const char *kind, const char *rest)
{
	char body[256];
	json_t *ok;

	snprintf(body, sizeof(body), "{\"kind\": \"%s\", %s}", kind, rest);
	ok = fake_json(f, "POST", "/_plan", body);
	assert_non_null(ok);
	json_decref(ok);
}

static const char *member(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	return json_string_value(json_object_get(o, path));
}

static const char *header(json_t *post, const char *name)
{
	return member(json_object_get(post, "headers"), name);
}

static struct notify_msg msg(enum notify_kind kind, const char *subject,
			     const char *message, const char *details)
{
	return (struct notify_msg) {
		.kind = kind,
		.subject = (char *)subject,
		.message = (char *)message,
		.details = (char *)details,
		.at = 1795276800.0,	/* 2026-11-21T16:00:00Z */
	};
}

static struct notify_target target(enum notify_target_kind kind,
				   const char *url)
{
	return (struct notify_target) { .kind = kind, .url = url };
}

static int send_to(enum notify_target_kind kind, const char *url,
		   const struct notify_msg *m, struct notify_answer *a)
{
	struct notify_target t = target(kind, url);

	return notify_target_send(&t, m, NULL, a);
}

/* Discord gets the title and message as content, its author named, and
 * no mention parsed; ?wait=true makes 200 mean "saved". */
static void test_discord_message(void **state)
{
	struct notify_msg m = msg(NOTIFY_SENT, "One Piece volume 104",
				  "\"One Piece T104\" sent to qbittorrent "
				  "@everyone", NULL);
	struct notify_answer a;
	json_t *p, *body;

	(void)state;
	assert_int_equal(send_to(NOTIFY_DISCORD, discord_url, &m, &a), 0);
	assert_int_equal(a.status, 200);
	p = last_post(&hooks);
	body = json_object_get(p, "body");
	assert_string_equal(member(p, "kind"), "discord");
	assert_string_equal(member(body, "content"),
			    "mediamon: Sent to the download client: One Piece"
			    " volume 104\n\"One Piece T104\" sent to"
			    " qbittorrent @everyone");
	assert_string_equal(member(body, "username"), "mediamon");
	assert_int_equal(json_array_size(json_object_get(json_object_get(
		body, "allowed_mentions"), "parse")), 0);
	assert_non_null(json_object_get(json_object_get(body,
		"allowed_mentions"), "parse"));
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(json_object_get(p, "query"), "wait"), 0)),
		"true");
	json_decref(p);
}

/* Discord counts 2,000 characters as UTF-16 units: a message of emoji
 * (two units each) is cut to fit, and says so. */
static void test_discord_cut(void **state)
{
	struct strbuf text = STRBUF_INIT;
	struct notify_msg m;
	struct notify_answer a;
	const char *content;
	json_t *p;
	size_t units = 0;

	(void)state;
	for (int i = 0; i < 1500; i++)
		strbuf_addstr(&text, "\xf0\x9f\x93\x9a");	/* U+1F4DA */
	m = msg(NOTIFY_NEW_VOLUME, "Saga volume 2", text.buf, NULL);
	assert_int_equal(send_to(NOTIFY_DISCORD, discord_url, &m, &a), 0);
	p = last_post(&hooks);
	content = member(json_object_get(p, "body"), "content");
	for (const unsigned char *c = (const unsigned char *)content; *c; c++)
		if ((*c & 0xc0) != 0x80)
			units += *c >= 0xf0 ? 2 : 1;
	assert_true(units <= 2000);
	assert_true(units > 1990);
	assert_non_null(strstr(content, "\xe2\x80\xa6"));
	json_decref(p);
	strbuf_release(&text);
}

/* A 429 is "later", as long as Discord asked (the longer of the body's
 * retry_after and Retry-After); a deleted webhook is "never again". */
static void test_discord_refusals(void **state)
{
	struct notify_msg m = msg(NOTIFY_HEALTH_OK, "", "ok again", NULL);
	struct notify_answer a;

	(void)state;
	plan(&hooks, "discord", "\"answers\": [\"ratelimited\"],"
	     " \"retry_after\": 2.25");
	assert_int_equal(send_to(NOTIFY_DISCORD, discord_url, &m, &a),
			 -EAGAIN);
	assert_int_equal(a.status, 429);
	assert_true(a.retry_after_s == 3);
	assert_non_null(strstr(a.error, "HTTP 429"));
	plan(&hooks, "discord", "\"answers\": [\"unknown_webhook\"]");
	assert_int_equal(send_to(NOTIFY_DISCORD, discord_url, &m, &a),
			 -EACCES);
	assert_string_equal(a.error, "HTTP 404 (Unknown Webhook)");
	plan(&hooks, "discord", "\"answers\": [\"invalid_token\"]");
	assert_int_equal(send_to(NOTIFY_DISCORD, discord_url, &m, &a),
			 -EACCES);
	plan(&hooks, "discord", "\"answers\": [\"bad_gateway\"]");
	assert_int_equal(send_to(NOTIFY_DISCORD, discord_url, &m, &a),
			 -EAGAIN);
	assert_true(a.retry_after_s == 0);
	plan(&hooks, "discord", "\"answers\": [\"close\"]");
	assert_int_equal(send_to(NOTIFY_DISCORD, discord_url, &m, &a),
			 -EAGAIN);
	assert_int_equal(a.status, 0);
	assert_int_equal(send_to(NOTIFY_DISCORD, discord_url, &m, &a), 0);
}

/* Slack reads <...> as links and mentions: the text goes escaped. */
static void test_slack_message(void **state)
{
	struct notify_msg m = msg(NOTIFY_RELEASE_FOUND, "Tom & Jerry volume 3",
				  "best: <!channel> \"T03\" > others", NULL);
	struct notify_answer a;
	json_t *p;

	(void)state;
	assert_int_equal(send_to(NOTIFY_SLACK, slack_url, &m, &a), 0);
	assert_int_equal(a.status, 200);
	p = last_post(&hooks);
	assert_string_equal(member(p, "kind"), "slack");
	assert_string_equal(member(json_object_get(p, "body"), "text"),
			    "mediamon: Release found: Tom &amp; Jerry volume 3"
			    "\nbest: &lt;!channel&gt; \"T03\" &gt; others");
	json_decref(p);
}

static void test_slack_refusals(void **state)
{
	struct notify_msg m = msg(NOTIFY_HEALTH_OK, "", "ok again", NULL);
	struct notify_answer a;
	const struct {
		const char *answer;
		int rc;
		long status;
	} cases[] = {
		{ "rate_limited", -EAGAIN, 429 },
		{ "no_service", -EACCES, 404 },
		{ "channel_not_found", -EACCES, 404 },
		{ "channel_is_archived", -EACCES, 410 },
		{ "action_prohibited", -EACCES, 403 },
		{ "invalid_payload", -EINVAL, 400 },
		{ "rollup_error", -EAGAIN, 500 },
	};
	char rest[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		snprintf(rest, sizeof(rest), "\"answers\": [\"%s\"],"
			 " \"retry_after\": 7", cases[i].answer);
		plan(&hooks, "slack", rest);
		assert_int_equal(send_to(NOTIFY_SLACK, slack_url, &m, &a),
				 cases[i].rc);
		assert_int_equal(a.status, cases[i].status);
		assert_non_null(strstr(a.error, cases[i].answer));
	}
	plan(&hooks, "slack", "\"answers\": [\"rate_limited\"],"
	     " \"retry_after\": 7");
	send_to(NOTIFY_SLACK, slack_url, &m, &a);
	assert_true(a.retry_after_s == 7);
}

/* ntfy takes the message as the body and the rest as headers; a title
 * that is not ASCII arrives whole through RFC 2047. */
static void test_ntfy_message(void **state)
{
	struct notify_msg m = msg(NOTIFY_HANDOFF_FAILED,
				  "L'Attaque des Titans \xe2\x80\x93 Tome 5"
				  " \xf0\x9f\x93\x9a \xc3\xa9t\xc3\xa9",
				  "qbittorrent: login refused\nline two", NULL);
	struct notify_target t = target(NOTIFY_NTFY, ntfy_url);
	struct notify_answer a;
	json_t *p, *shown;

	(void)state;
	t.token = NTFY_TOKEN;
	assert_int_equal(notify_target_send(&t, &m, NULL, &a), 0);
	p = last_post(&ntfy);
	shown = json_object_get(p, "message");
	assert_string_equal(member(shown, "title"),
			    "mediamon: Hand-off failed: L'Attaque des Titans"
			    " \xe2\x80\x93 Tome 5 \xf0\x9f\x93\x9a"
			    " \xc3\xa9t\xc3\xa9");
	assert_string_equal(member(shown, "message"),
			    "qbittorrent: login refused\nline two");
	assert_int_equal(json_integer_value(json_object_get(shown,
							    "priority")), 4);
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(shown, "tags"), 0)), "warning");
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(shown, "tags"), 1)), "mediamon");
	assert_non_null(strstr(header(p, "X-Title"), "=?UTF-8?B?"));
	json_decref(p);
}

/* A protected topic: the token, or credentials in the URL, open it;
 * none or wrong ones are a refusal of the address. */
static void test_ntfy_auth(void **state)
{
	struct notify_msg m = msg(NOTIFY_REPAIR_PASS, "", "1 repaired", NULL);
	struct notify_target t = target(NOTIFY_NTFY, ntfy_url);
	struct notify_answer a;
	char with_user[200];

	(void)state;
	assert_int_equal(notify_target_send(&t, &m, NULL, &a), -EACCES);
	assert_int_equal(a.status, 403);
	assert_string_equal(a.error, "HTTP 403 (forbidden)");
	t.token = "tk_wrong";
	assert_int_equal(notify_target_send(&t, &m, NULL, &a), -EACCES);
	assert_int_equal(a.status, 401);
	snprintf(with_user, sizeof(with_user),
		 "http://phil:fakepass@127.0.0.1:%d/private" TOKEN, ntfy.port);
	t = target(NOTIFY_NTFY, with_user);
	assert_int_equal(notify_target_send(&t, &m, NULL, &a), 0);
	plan(&ntfy, "ntfy", "\"answers\": [\"too_many_requests\"]");
	assert_int_equal(notify_target_send(&t, &m, NULL, &a), -EAGAIN);
	assert_int_equal(a.status, 429);
	assert_true(a.retry_after_s == 0);
	assert_non_null(strstr(a.error, "limit reached"));
}

/* The plain receiver gets every field, the details as an object. */
static void test_webhook_message(void **state)
{
	struct notify_msg m = msg(NOTIFY_ERROR_RATE, "", "scan 3 could not read"
				  " 2 of 12 files", "{\"errors\": 2}");
	struct notify_answer a;
	json_t *p, *body;

	(void)state;
	assert_int_equal(send_to(NOTIFY_WEBHOOK, hook_url, &m, &a), 0);
	p = last_post(&hooks);
	body = json_object_get(p, "body");
	assert_string_equal(member(p, "content_type"), "application/json");
	assert_string_equal(member(body, "source"), "mediamon");
	assert_string_equal(member(body, "event"), "error_rate");
	assert_string_equal(member(body, "title"), "Error rate");
	assert_string_equal(member(body, "subject"), "");
	assert_string_equal(member(body, "message"),
			    "scan 3 could not read 2 of 12 files");
	assert_string_equal(member(body, "at"), "2026-11-21T16:00:00Z");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		body, "details"), "errors")), 2);
	json_decref(p);
	m.details = "not json";
	assert_int_equal(send_to(NOTIFY_WEBHOOK, hook_url, &m, &a), 0);
	p = last_post(&hooks);
	assert_int_equal(json_object_size(json_object_get(json_object_get(p,
		"body"), "details")), 0);
	json_decref(p);
	plan(&hooks, "hook", "\"answers\": [\"busy\", \"bad\", \"gone\"],"
	     " \"retry_after\": 9");
	assert_int_equal(send_to(NOTIFY_WEBHOOK, hook_url, &m, &a), -EAGAIN);
	assert_true(a.retry_after_s == 9);
	assert_int_equal(send_to(NOTIFY_WEBHOOK, hook_url, &m, &a), -EINVAL);
	/* what any receiver answers may echo its address: not shown */
	assert_string_equal(a.error, "HTTP 422");
	assert_int_equal(send_to(NOTIFY_WEBHOOK, hook_url, &m, &a), -EACCES);
}

/* Nothing listening is "later"; a URL that is no URL is "never". The
 * secret parts of every address stay out of the log, failed or not. */
static void test_unreachable_and_secrets(void **state)
{
	struct notify_msg m = msg(NOTIFY_HEALTH_OK, "", "ok again", NULL);
	struct notify_answer a;
	struct strbuf log = STRBUF_INIT;
	const char *urls[NOTIFY_NR_TARGETS] = {
		[NOTIFY_DISCORD] = discord_url, [NOTIFY_SLACK] = slack_url,
		[NOTIFY_NTFY] = ntfy_url, [NOTIFY_WEBHOOK] = hook_url,
		[NOTIFY_TELEGRAM] = tg_url,
	};

	(void)state;
	assert_int_equal(send_to(NOTIFY_SLACK, "http://127.0.0.1:1/services/"
				 "T/B/" TOKEN, &m, &a), -EAGAIN);
	assert_non_null(strstr(a.error, "127.0.0.1:1"));
	assert_null(strstr(a.error, TOKEN));
	assert_int_equal(send_to(NOTIFY_WEBHOOK, "http://user:" TOKEN
				 "@127.0.0.1:1/x", &m, &a), -EAGAIN);
	assert_null(strstr(a.error, TOKEN));
	assert_int_equal(send_to(NOTIFY_DISCORD, "ftp://x/" TOKEN, &m, &a),
			 -EACCES);
	for (int k = 0; k < NOTIFY_NR_TARGETS; k++) {
		struct notify_target t = target(k, urls[k]);

		t.token = TOKEN;
		t.chat = "42";
		notify_target_send(&t, &m, NULL, &a);
		assert_null(strstr(a.error, TOKEN));
	}
	log_ring_dump(&log);
	assert_non_null(strstr(log.buf, "127.0.0.1:1"));
	assert_null(strstr(log.buf, TOKEN));
	strbuf_release(&log);
}

/* What producers give is made safe for every target once. */
static void test_event_texts_cleaned(void **state)
{
	char subject[300];
	struct notify_msg *m;

	(void)state;
	notify_accept(NOTIFY_ALL);
	notify_event(NOTIFY_NEW_VOLUME, "bad \xff\xfe name\nwith\tbreaks",
		     json_pack("{s:i}", "volume", 3), "line one\nline\x01two"
		     " %d\n\n", 3);
	memset(subject, 'a', sizeof(subject));
	memcpy(subject + NOTIFY_SUBJECT_MAX - 1, "\xc3\xa9", 2);
	subject[sizeof(subject) - 1] = '\0';
	notify_event(NOTIFY_SENT, subject, NULL, "%s", "");
	m = notify_take(0);
	assert_non_null(m);
	assert_string_equal(m->subject, "bad \xef\xbf\xbd\xef\xbf\xbd name"
			    " with breaks");
	assert_string_equal(m->message, "line one\nline two 3");
	assert_string_equal(m->details, "{\"volume\":3}");
	assert_int_equal(m->kind, NOTIFY_NEW_VOLUME);
	assert_true(m->at > 0);
	assert_non_null(m->next);
	/* cut before the character that would pass the limit */
	assert_int_equal(strlen(m->next->subject), NOTIFY_SUBJECT_MAX - 1);
	assert_string_equal(m->next->message, "Sent to the download client");
	assert_null(m->next->next);
	notify_msg_free(m);
	notify_accept(0);
}

/* Kinds no target wants are dropped at once, waiting ones included. */
static void test_accept(void **state)
{
	struct notify_msg *m;

	(void)state;
	notify_accept(0);
	assert_false(notify_accepts(NOTIFY_SENT));
	notify_event(NOTIFY_SENT, "x", json_object(), "dropped");
	assert_null(notify_take(0));
	notify_accept(NOTIFY_BIT(NOTIFY_SENT) | NOTIFY_BIT(NOTIFY_HEALTH_OK));
	assert_true(notify_accepts(NOTIFY_SENT));
	assert_false(notify_accepts(NOTIFY_HEALTH_ERROR));
	notify_event(NOTIFY_HEALTH_ERROR, NULL, NULL, "dropped");
	notify_event(NOTIFY_SENT, "x", NULL, "kept");
	notify_event(NOTIFY_HEALTH_OK, NULL, NULL, "dropped later");
	notify_accept(NOTIFY_BIT(NOTIFY_SENT));
	m = notify_take(0);
	assert_non_null(m);
	assert_string_equal(m->message, "kept");
	assert_null(m->next);
	notify_msg_free(m);
	notify_accept(0);
}

/* A full list drops the newest, and says so once. */
static void test_pending_cap(void **state)
{
	struct strbuf log = STRBUF_INIT;
	struct notify_msg *m, *i;
	const char *line = "notify: 1000 events wait already";
	size_t n = 0;

	(void)state;
	notify_accept(NOTIFY_ALL);
	for (int k = 0; k < NOTIFY_PENDING_MAX + 5; k++)
		notify_event(NOTIFY_REPAIR_DONE, NULL, NULL, "%d", k);
	m = notify_take(0);
	for (i = m; i; i = i->next)
		n++;
	assert_int_equal(n, NOTIFY_PENDING_MAX);
	assert_string_equal(m->message, "0");
	notify_msg_free(m);
	log_ring_dump(&log);
	assert_non_null(strstr(log.buf, line));
	assert_null(strstr(strstr(log.buf, line) + 1, line));
	strbuf_release(&log);
	notify_accept(0);
}

/* A wake makes a waiting take return without waiting its time out. */
static void test_wake(void **state)
{
	double t0 = clock_mono();

	(void)state;
	notify_wake();
	assert_null(notify_take(WAIT_S));
	assert_true(clock_mono() - t0 < WAIT_S / 2);
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(notify_event_names[0], "all");
	for (int k = 0; k < NOTIFY_NR_KINDS; k++) {
		assert_string_equal(notify_event_names[k + 1],
				    notify_kind_name(k));
		assert_int_equal(notify_kind_parse(notify_kind_name(k)), k);
	}
	assert_null(notify_event_names[NOTIFY_NR_KINDS + 1]);
	assert_int_equal(notify_kind_parse("all"), -1);
	assert_int_equal(notify_kind_parse("bogus"), -1);
	assert_true(notify_kind_once(NOTIFY_RELEASE_FOUND));
	assert_false(notify_kind_once(NOTIFY_HEALTH_ERROR));
}

/* The notifier: a store with its writer, and every target at a fake. */
struct env {
	char dir[64], db[96], conf[96];
	struct config cfg;
};

static void write_conf(struct env *e, const char *extra)
{
	FILE *f = fopen(e->conf, "w");

	assert_non_null(f);
	fprintf(f, "[general]\ndatabase = %s\n[music]\nroot = %s\n"
		"[notify]\ndiscord_webhook = %s\nslack_webhook = %s\n"
		"ntfy_url = %s\nntfy_token = %s\nwebhook = %s\n"
		"telegram_url = %s\ntelegram_token = " TG_TOKEN "\n"
		"telegram_chat = 123456789\n%s", e->db, e->dir, discord_url,
		slack_url, ntfy_url, NTFY_TOKEN, hook_url, tg_url, extra);
	fclose(f);
	assert_int_equal(chmod(e->conf, 0600), 0);
}

static void load_conf(struct env *e, const char *extra)
{
	char err[512];

	write_conf(e, extra);
	config_init(&e->cfg);
	assert_int_equal(config_load_file(&e->cfg, e->conf, err, sizeof(err)),
			 0);
	assert_int_equal(config_finish(&e->cfg, err, sizeof(err)), 0);
}

static int env_start(void **state, const char *extra)
{
	struct env *e = calloc(1, sizeof(*e));

	strcpy(e->dir, "/tmp/mediamon-notify-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->db, sizeof(e->db), "%s/index.db", e->dir);
	snprintf(e->conf, sizeof(e->conf), "%s/m.conf", e->dir);
	load_conf(e, extra);
	assert_int_equal(writer_start(e->db), 0);
	assert_int_equal(notifier_start(&e->cfg), 0);
	*state = e;
	return 0;
}

static int setup(void **state)
{
	return env_start(state, "");
}

static int setup_short_retry(void **state)
{
	return env_start(state, "retry_for = 1s\n");
}

static int teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];

	notifier_stop();
	writer_stop();
	config_release(&e->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	for (int i = 0; i < 3; i++)
		plan(&hooks, (const char *[]){ "discord", "slack", "hook" }[i],
		     "\"sticky\": null, \"answers\": []");
	plan(&ntfy, "ntfy", "\"sticky\": null, \"answers\": []");
	plan(&tg, "telegram", "\"sticky\": null, \"answers\": []");
	notify_accept(0);
	return 0;
}

/* Stop the notifier and the writer, as a daemon that stops, and start
 * them again with the configuration extra gives. */
static void restart(struct env *e, const char *extra)
{
	notifier_stop();
	writer_stop();
	config_release(&e->cfg);
	load_conf(e, extra);
	assert_int_equal(writer_start(e->db), 0);
	assert_int_equal(notifier_start(&e->cfg), 0);
}

static const char *const fake_kinds[NOTIFY_NR_TARGETS] = {
	[NOTIFY_DISCORD] = "discord", [NOTIFY_SLACK] = "slack",
	[NOTIFY_NTFY] = "ntfy", [NOTIFY_WEBHOOK] = "hook",
	[NOTIFY_TELEGRAM] = "telegram",
};

/* The text of a post that names its event's subject. */
static const char *post_text(json_t *p)
{
	json_t *body = json_object_get(p, "body");
	const char *kind = member(p, "kind");

	if (!strcmp(kind, "discord"))
		return member(body, "content");
	if (!strcmp(kind, "slack"))
		return member(body, "text");
	if (!strcmp(kind, "ntfy"))
		return member(json_object_get(p, "message"), "title");
	if (!strcmp(kind, "telegram"))
		return member(body, "text");
	return member(body, "subject");
}

/* How many posts of target kind k that mention subject got status (0:
 * any). */
static int count(int k, const char *subject, long status)
{
	json_t *all = posts(k == NOTIFY_NTFY ? &ntfy :
			    k == NOTIFY_TELEGRAM ? &tg : &hooks), *p;
	size_t i;
	int n = 0;

	json_array_foreach(all, i, p) {
		const char *text = post_text(p);

		if (strcmp(member(p, "kind"), fake_kinds[k]) || !text ||
		    !strstr(text, subject))
			continue;
		if (!status || json_integer_value(json_object_get(p, "status"))
		    == status)
			n++;
	}
	json_decref(all);
	return n;
}

/* Wait until every target kind in mask took n posts naming subject. */
static void wait_delivered(unsigned mask, const char *subject, int n)
{
	double deadline = clock_mono() + WAIT_S;
	int done;

	do {
		done = 1;
		for (int k = 0; k < NOTIFY_NR_TARGETS; k++)
			if (mask & (1u << k) && count(k, subject, 200) < n)
				done = 0;
		if (done)
			return;
		clock_sleep(0.1);
	} while (clock_mono() < deadline);
	fail_msg("\"%s\" did not reach every target", subject);
}

static int queued(struct env *e, const char *target)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n;

	assert_int_equal(db_open(e->db, 1, &db), 0);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM"
		" notify_queue WHERE ?1 IS NULL OR target = ?1", -1, &st,
		NULL), SQLITE_OK);
	db_bind_text(st, 1, target);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	db_close(db);
	return n;
}

static int log_has(const char *text)
{
	struct strbuf log = STRBUF_INIT;
	int n = 0;

	log_ring_dump(&log);
	for (const char *p = log.buf; (p = strstr(p, text)); p++)
		n++;
	strbuf_release(&log);
	return n;
}

static void wait_log(const char *text)
{
	double deadline = clock_mono() + WAIT_S;

	while (!log_has(text)) {
		if (clock_mono() > deadline)
			fail_msg("no log line \"%s\"", text);
		clock_sleep(0.05);
	}
}

#define ALL_TARGETS ((1u << NOTIFY_NR_TARGETS) - 1)

/* Each kind of event reaches each kind of target, once; one told once
 * per subject is not told again, while a new subject is. */
static void test_each_event_reaches_each_target(void **state)
{
	struct env *e = *state;
	char subject[64];

	for (int k = 0; k < NOTIFY_NR_KINDS; k++) {
		snprintf(subject, sizeof(subject), "each-%s",
			 notify_kind_name(k));
		notify_event(k, subject, json_pack("{s:i}", "n", k),
			     "event %d", k);
	}
	for (int k = 0; k < NOTIFY_NR_KINDS; k++) {
		snprintf(subject, sizeof(subject), "each-%s",
			 notify_kind_name(k));
		if (!(NOTIFY_BIT(k) & NOTIFY_NAMED_ONLY))
			wait_delivered(ALL_TARGETS, subject, 1);
	}
	notify_event(NOTIFY_RELEASE_FOUND, "each-release_found", NULL, "again");
	notify_event(NOTIFY_RELEASE_FOUND, "each-other", NULL, "new");
	wait_delivered(ALL_TARGETS, "each-other", 1);
	for (int t = 0; t < NOTIFY_NR_TARGETS; t++)
		for (int k = 0; k < NOTIFY_NR_KINDS; k++) {
			snprintf(subject, sizeof(subject), "each-%s",
				 notify_kind_name(k));
			/* "all" leaves them out: dropped at once */
			assert_int_equal(count(t, subject, 0),
					 !(NOTIFY_BIT(k) & NOTIFY_NAMED_ONLY));
		}
	assert_int_equal(queued(e, NULL), 0);
	assert_int_equal(log_has(TOKEN), 0);
	assert_int_equal(log_has(TG_TOKEN), 0);
}

/* A 429 leaves the alert queued; it goes again once the time Discord
 * asked for has passed, not before, and the others still get it once. */
static void test_429_waits_retry_after(void **state)
{
	json_t *all, *p;
	double at[2];
	size_t i;
	int n = 0;

	(void)state;
	plan(&hooks, "discord", "\"answers\": [\"ratelimited\"],"
	     " \"retry_after\": 1.2");
	notify_event(NOTIFY_SENT, "limited-1", NULL, "after a 429");
	wait_delivered(ALL_TARGETS, "limited-1", 1);
	all = posts(&hooks);
	json_array_foreach(all, i, p)
		if (!strcmp(member(p, "kind"), "discord") &&
		    strstr(post_text(p), "limited-1") && n < 2)
			at[n++] = json_number_value(json_object_get(p, "at"));
	json_decref(all);
	assert_int_equal(n, 2);
	assert_int_equal(count(NOTIFY_DISCORD, "limited-1", 429), 1);
	assert_int_equal(count(NOTIFY_DISCORD, "limited-1", 200), 1);
	/* Retry-After said 2 (1.2 rounded up): the retry came after it */
	assert_true(at[1] - at[0] >= 2.0 - 0.05);
}

/* An alert queued while its target is down is in the store, and goes
 * out after a restart once the target is back. */
static void test_survives_restart(void **state)
{
	struct env *e = *state;
	double deadline = clock_mono() + WAIT_S;

	plan(&hooks, "hook", "\"sticky\": \"down\"");
	notify_event(NOTIFY_HEALTH_ERROR, "restart-1", NULL, "while down");
	wait_delivered(ALL_TARGETS & ~(1u << NOTIFY_WEBHOOK), "restart-1", 1);
	while (!count(NOTIFY_WEBHOOK, "restart-1", 503)) {
		assert_true(clock_mono() < deadline);
		clock_sleep(0.05);
	}
	wait_log("notify: webhook: HTTP 503");
	notifier_stop();
	assert_int_equal(queued(e, "webhook"), 1);
	assert_int_equal(queued(e, NULL), 1);
	plan(&hooks, "hook", "\"sticky\": null");
	restart(e, "");
	wait_delivered(1u << NOTIFY_WEBHOOK, "restart-1", 1);
	assert_int_equal(count(NOTIFY_WEBHOOK, "restart-1", 200), 1);
	assert_int_equal(count(NOTIFY_DISCORD, "restart-1", 0), 1);
	/* the row leaves the queue after the answer the fake counted */
	deadline = clock_mono() + WAIT_S;
	while (queued(e, NULL)) {
		assert_true(clock_mono() < deadline);
		clock_sleep(0.05);
	}
}

/* Past retry_for an alert is given up: gone from the queue, one line. */
static void test_given_up(void **state)
{
	struct env *e = *state;

	plan(&hooks, "slack", "\"sticky\": \"down\"");
	notify_event(NOTIFY_REPAIR_FAILED, "giveup-1", NULL, "never");
	wait_delivered(1u << NOTIFY_DISCORD, "giveup-1", 1);
	wait_log("notify: slack: gave up 1 alerts undelivered 1s after");
	assert_int_equal(queued(e, "slack"), 0);
	assert_int_equal(log_has("gave up"), 1);
	assert_int_equal(count(NOTIFY_SLACK, "giveup-1", 503), 1);
}

/* A target that refuses its address gets nothing more this run, logged
 * once; its alerts wait for a configuration that changes it. */
static void test_refused_address(void **state)
{
	struct env *e = *state;

	plan(&hooks, "discord", "\"sticky\": \"unknown_webhook\"");
	notify_event(NOTIFY_REPAIR_DONE, "refused-1", NULL, "one");
	wait_log("it refuses its address");
	notify_event(NOTIFY_REPAIR_DONE, "refused-2", NULL, "two");
	wait_delivered(ALL_TARGETS & ~(1u << NOTIFY_DISCORD), "refused-2", 1);
	assert_int_equal(count(NOTIFY_DISCORD, "refused-1", 0), 1);
	assert_int_equal(count(NOTIFY_DISCORD, "refused-2", 0), 0);
	assert_int_equal(log_has("it refuses its address"), 1);
	assert_int_equal(queued(e, "discord"), 2);
	plan(&hooks, "discord", "\"sticky\": null");
	restart(e, "");
	wait_delivered(1u << NOTIFY_DISCORD, "refused-2", 1);
	assert_int_equal(count(NOTIFY_DISCORD, "refused-1", 200), 1);
}

/* Each target hears only its events; one dropped from the configuration
 * loses what was queued for it, with a line. */
static void test_routing_and_dropped_target(void **state)
{
	struct env *e = *state;

	restart(e, "events = health_error, sent\n"
		"slack_events = repair_pass\nntfy_events = all\n");
	plan(&hooks, "hook", "\"sticky\": \"down\"");
	notify_event(NOTIFY_REPAIR_PASS, "route-1", NULL, "pass");
	notify_event(NOTIFY_SENT, "route-2", NULL, "sent");
	wait_delivered(1u << NOTIFY_SLACK | 1u << NOTIFY_NTFY, "route-1", 1);
	wait_delivered(1u << NOTIFY_DISCORD | 1u << NOTIFY_NTFY, "route-2", 1);
	assert_int_equal(count(NOTIFY_DISCORD, "route-1", 0), 0);
	assert_int_equal(count(NOTIFY_SLACK, "route-2", 0), 0);
	assert_int_equal(queued(e, "webhook"), 1);
	/* the webhook goes from the configuration */
	notifier_stop();
	writer_stop();
	config_release(&e->cfg);
	load_conf(e, "");
	free(e->cfg.notify_webhook);
	e->cfg.notify_webhook = NULL;
	assert_int_equal(writer_start(e->db), 0);
	assert_int_equal(notifier_start(&e->cfg), 0);
	assert_int_equal(queued(e, "webhook"), 0);
	assert_int_equal(log_has("notify: 1 alerts were queued for targets"
				 " no longer configured; dropped"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_event_texts_cleaned),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_pending_cap),
		cmocka_unit_test(test_wake),
		cmocka_unit_test(test_discord_message),
		cmocka_unit_test(test_discord_cut),
		cmocka_unit_test(test_discord_refusals),
		cmocka_unit_test(test_slack_message),
		cmocka_unit_test(test_slack_refusals),
		cmocka_unit_test(test_ntfy_message),
		cmocka_unit_test(test_ntfy_auth),
		cmocka_unit_test(test_webhook_message),
		cmocka_unit_test(test_unreachable_and_secrets),
		cmocka_unit_test_setup_teardown(
			test_each_event_reaches_each_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_429_waits_retry_after,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_survives_restart, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_given_up,
						setup_short_retry, teardown),
		cmocka_unit_test_setup_teardown(test_refused_address, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_routing_and_dropped_target, setup, teardown),
	};

	return cmocka_run_group_tests(tests, start_fakes, stop_fakes);
}
