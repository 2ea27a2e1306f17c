/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One delivery of one event to one target (notify_targets.h):
 * the request each service wants and what its answer means. No
 * queueing or retry here (notify.c owns them).
 */
#include "common/notify_targets.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/http.h"
#include "common/json.h"
#include "common/listener.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "common/utf8.h"

/* Discord takes 2,000 characters, counted as JavaScript does; Telegram
 * 4,096, counted so too (its entities' offsets are UTF-16 units). */
#define DISCORD_MAX_UNITS 2000
#define TELEGRAM_MAX_UNITS 4096
/* RFC 2047: an encoded word is at most 75 characters; 45 bytes make 60
 * in base64, and the word's frame 12 more. */
#define WORD_BYTES 45

static const char *const names[NOTIFY_NR_TARGETS] = {
	[NOTIFY_DISCORD] = "discord",
	[NOTIFY_SLACK] = "slack",
	[NOTIFY_NTFY] = "ntfy",
	[NOTIFY_WEBHOOK] = "webhook",
	[NOTIFY_TELEGRAM] = "telegram",
};

/* ntfy's priorities (1 min to 5 max) and emoji tags, by kind: failures
 * buzz, a pass summary waits in the drawer. */
static const struct {
	int priority;
	const char *tag;
} ntfy_look[NOTIFY_NR_KINDS] = {
	[NOTIFY_NEW_VOLUME] = { 3, "books" },
	[NOTIFY_RELEASE_FOUND] = { 3, "mag" },
	[NOTIFY_SENT] = { 3, "inbox_tray" },
	[NOTIFY_HANDOFF_FAILED] = { 4, "warning" },
	[NOTIFY_REPAIR_DONE] = { 3, "white_check_mark" },
	[NOTIFY_REPAIR_FAILED] = { 4, "x" },
	[NOTIFY_REPAIR_PASS] = { 2, "wrench" },
	[NOTIFY_HEALTH_ERROR] = { 4, "rotating_light" },
	[NOTIFY_HEALTH_OK] = { 3, "white_check_mark" },
	[NOTIFY_ERROR_RATE] = { 4, "warning" },
	[NOTIFY_REPLACEMENT] = { 3, "mag" },
	[NOTIFY_IMPORTED] = { 3, "books" },
	[NOTIFY_IMPORT_FAILED] = { 4, "warning" },
	[NOTIFY_ROOT_UNAVAILABLE] = { 4, "warning" },
	[NOTIFY_SCAN_FINISHED] = { 2, "bar_chart" },
	[NOTIFY_SCAN_SLOW] = { 3, "turtle" },
};

const char *notify_target_name(enum notify_target_kind kind)
{
	return names[kind];
}

/* "Release found: One Piece 104", or the kind's title alone. */
static void title(const struct notify_msg *m, struct strbuf *out)
{
	strbuf_addstr(out, notify_kind_title(m->kind));
	if (*m->subject)
		strbuf_addf(out, ": %s", m->subject);
}

/* Cut text (valid UTF-8) where a count of UTF-16 units would pass max,
 * with an ellipsis to show it. */
static void utf16_cut(struct strbuf *text, size_t max)
{
	size_t units = 0, k, last = 0;
	unsigned int cp;

	for (size_t i = 0; i < text->len; i += k) {
		k = utf8_decode((unsigned char *)text->buf + i, text->len - i,
				&cp);
		if (!k)
			k = 1;
		units += cp > 0xffff ? 2 : 1;
		if (units > max - 1) {
			text->len = last;
			text->buf[last] = '\0';
			strbuf_addstr(text, "\xe2\x80\xa6");
			return;
		}
		last = i + k;
	}
}

/* "mediamon: TITLE\nMESSAGE", within max UTF-16 units. */
static void chat_text(const struct notify_msg *m, size_t max,
		      struct strbuf *text)
{
	strbuf_addstr(text, "mediamon: ");
	title(m, text);
	strbuf_addf(text, "\n%s", m->message);
	utf16_cut(text, max);
}

static json_t *discord_body(const struct notify_msg *m)
{
	struct strbuf text = STRBUF_INIT;
	json_t *doc;

	chat_text(m, DISCORD_MAX_UNITS, &text);
	doc = json_pack("{s:s%, s:s, s:{s:[]}}", "content", text.buf,
			text.len, "username", "mediamon", "allowed_mentions",
			"parse");
	strbuf_release(&text);
	return doc;
}

/* Slack reads &, < and > as markup (links, mentions): they go escaped. */
static void slack_escape(const char *s, struct strbuf *out)
{
	for (; *s; s++) {
		if (*s == '&')
			strbuf_addstr(out, "&amp;");
		else if (*s == '<')
			strbuf_addstr(out, "&lt;");
		else if (*s == '>')
			strbuf_addstr(out, "&gt;");
		else
			strbuf_addch(out, *s);
	}
}

static json_t *slack_body(const struct notify_msg *m)
{
	struct strbuf head = STRBUF_INIT, text = STRBUF_INIT;
	json_t *doc;

	strbuf_addstr(&head, "mediamon: ");
	title(m, &head);
	slack_escape(head.buf, &text);
	strbuf_addch(&text, '\n');
	slack_escape(m->message, &text);
	doc = json_pack("{s:s%}", "text", text.buf, text.len);
	strbuf_release(&head);
	strbuf_release(&text);
	return doc;
}

/* Plain text: without parse_mode nothing in a name is read as markup. */
static json_t *telegram_body(const struct notify_target *t,
			     const struct notify_msg *m)
{
	struct strbuf text = STRBUF_INIT;
	json_t *doc;

	chat_text(m, TELEGRAM_MAX_UNITS, &text);
	doc = json_pack("{s:s, s:s%, s:{s:b}}", "chat_id", t->chat ? t->chat :
			"", "text", text.buf, text.len, "link_preview_options",
			"is_disabled", 1);
	strbuf_release(&text);
	return doc;
}

/* The Bot API's method URL: the bot's token is part of the path. */
static void telegram_url(const struct notify_target *t, struct strbuf *out)
{
	size_t len = strlen(t->url);

	while (len && t->url[len - 1] == '/')
		len--;
	strbuf_add(out, t->url, len);
	strbuf_addf(out, "/bot%s/sendMessage", t->token ? t->token : "");
}

static json_t *webhook_body(const struct notify_msg *m)
{
	struct strbuf head = STRBUF_INIT;
	json_t *details = m->details ? json_loads(m->details, 0, NULL) : NULL;
	json_t *doc;

	if (!json_is_object(details)) {
		json_decref(details);
		details = json_object();
	}
	title(m, &head);
	doc = json_pack("{s:s, s:s, s:s%, s:s, s:s, s:o, s:o}",
			"source", "mediamon",
			"event", notify_kind_name(m->kind),
			"title", head.buf, head.len,
			"subject", m->subject,
			"message", m->message,
			"at", json_time(m->at),
			"details", details);
	strbuf_release(&head);
	return doc;
}

/*
 * A header value as HTTP carries it: printable ASCII as it is, anything
 * else as RFC 2047 encoded words ("=?UTF-8?B?...?="), each holding whole
 * characters, separated by spaces that the decoder drops.
 */
static void header_text(const char *s, struct strbuf *out)
{
	size_t len = strlen(s), start = 0, k;
	unsigned int cp;
	int plain = 1;

	for (size_t i = 0; i < len; i++)
		plain &= s[i] >= 0x20 && s[i] < 0x7f;
	if (plain) {
		strbuf_addstr(out, s);
		return;
	}
	while (start < len) {
		size_t end = start;

		while (end < len) {
			k = utf8_decode((const unsigned char *)s + end,
					len - end, &cp);
			k = k ? k : 1;
			if (end + k - start > WORD_BYTES)
				break;
			end += k;
		}
		strbuf_addstr(out, start ? " =?UTF-8?B?" : "=?UTF-8?B?");
		base64_encode(s + start, end - start, out);
		strbuf_addstr(out, "?=");
		start = end;
	}
}

/* The headers of an ntfy message, NULL-terminated, in lines. */
static void ntfy_headers(const struct notify_target *t,
			 const struct notify_msg *m, struct strbuf *lines,
			 const char *h[5])
{
	struct strbuf head = STRBUF_INIT;
	size_t at[4], n = 0;

	strbuf_addstr(&head, "mediamon: ");
	title(m, &head);
	at[n++] = lines->len;
	strbuf_addstr(lines, "X-Title: ");
	header_text(head.buf, lines);
	strbuf_addch(lines, '\0');
	at[n++] = lines->len;
	strbuf_addf(lines, "X-Priority: %d", ntfy_look[m->kind].priority);
	strbuf_addch(lines, '\0');
	at[n++] = lines->len;
	strbuf_addf(lines, "X-Tags: %s,mediamon", ntfy_look[m->kind].tag);
	strbuf_addch(lines, '\0');
	if (t->token && *t->token) {
		at[n++] = lines->len;
		strbuf_addf(lines, "Authorization: Bearer %s", t->token);
		strbuf_addch(lines, '\0');
	}
	for (size_t i = 0; i < n; i++)
		h[i] = lines->buf + at[i];
	h[n] = NULL;
	strbuf_release(&head);
}

/* Discord waits for the message to be saved only when asked to. */
static void discord_url(const char *url, struct strbuf *out)
{
	strbuf_addstr(out, url);
	strbuf_addstr(out, strchr(url, '?') ? "&wait=true" : "?wait=true");
}

/* The last segment of url's path: a webhook's token, an ntfy topic. */
static const char *last_segment(const char *url, size_t *len)
{
	const char *auth = strstr(url, "://");
	const char *path, *seg;

	auth = auth ? auth + 3 : url;
	path = auth + strcspn(auth, "/?#");
	*len = strcspn(path, "?#");
	seg = memrchr(path, '/', *len);
	seg = seg ? seg + 1 : path;
	*len -= seg - path;
	return seg;
}

/* text with t's secrets masked: its token and its address's last
 * segment, which an answer may echo without the rest of the address,
 * then every secret redact() knows. */
static void mask_answer(const struct notify_target *t, const char *text,
			struct strbuf *out)
{
	struct strbuf own = STRBUF_INIT;
	size_t seg_len, tok_len = t->token ? strlen(t->token) : 0;
	const char *seg = last_segment(t->url, &seg_len);

	while (*text) {
		size_t n = 0;

		if (seg_len >= REDACT_MIN_SECRET &&
		    !strncmp(text, seg, seg_len))
			n = seg_len;
		else if (tok_len >= REDACT_MIN_SECRET &&
			 !strncmp(text, t->token, tok_len))
			n = tok_len;
		if (n)
			strbuf_addstr(&own, REDACT_MASK);
		else
			strbuf_addch(&own, *text);
		text += n ? n : 1;
	}
	redact(own.buf, REDACT_MASK, out);
	strbuf_release(&own);
}

/*
 * What a refusal says, for the log: Discord's "message", ntfy's "error",
 * Telegram's "description" or Slack's one word; never more than a line.
 * An answer may echo the request (a proxy's error page does): its
 * secrets are masked before it is cut, so that no piece of one is left.
 * A receiver of any kind might echo its own address in any form, so
 * only its status is shown.
 */
static void answer_text(const struct notify_target *t,
			const struct http_response *resp, char *out,
			size_t len)
{
	const struct strbuf *b = &resp->body;
	json_t *doc = json_loadb(b->buf, b->len, 0, NULL);
	struct strbuf shown = STRBUF_INIT;
	const char *why = NULL;
	size_t n = 0;

	if (t->kind != NOTIFY_WEBHOOK && json_is_object(doc)) {
		why = json_string_value(json_object_get(doc, "message"));
		if (!why)
			why = json_string_value(json_object_get(doc, "error"));
		if (!why)
			why = json_string_value(json_object_get(doc,
								"description"));
	} else if (t->kind != NOTIFY_WEBHOOK && b->len && b->len < 100) {
		why = b->buf;
	}
	snprintf(out, len, "HTTP %ld", resp->status);
	if (why) {
		mask_answer(t, why, &shown);
		n = strlen(out);
		snprintf(out + n, len - n, " (%.80s)", shown.buf);
		for (char *c = out + n; *c; c++)
			if (!isprint((unsigned char)*c))
				*c = ' ';
	}
	strbuf_release(&shown);
	json_decref(doc);
}

/* Discord says in its 429's body how long to wait, to the millisecond,
 * and Retry-After rounds it up: the longer of the two is kept. Telegram
 * says it in its error's "parameters". */
static double body_retry(enum notify_target_kind kind,
			 const struct http_response *resp)
{
	json_t *doc = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	json_t *v = kind == NOTIFY_TELEGRAM ?
		json_object_get(json_object_get(doc, "parameters"),
				"retry_after") :
		json_object_get(doc, "retry_after");
	double s = json_is_number(v) ? json_number_value(v) : 0;

	json_decref(doc);
	return s > resp->retry_after_s ? s : resp->retry_after_s;
}

/* What an HTTP answer means for this event and the next ones. */
static int classify(long status)
{
	if (status >= 200 && status < 300)
		return 0;
	if (status == 429 || status == 408 || status >= 500)
		return -EAGAIN;
	if (status == 401 || status == 403 || status == 404 ||
	    status == 410 || (status >= 300 && status < 400))
		return -EACCES;
	return -EINVAL;
}

/* Telegram answers a chat that is not there (a wrong id, a bot never
 * added) with a 400, which is the address's fault, not the message's. */
static int telegram_classify(const struct http_response *resp)
{
	json_t *doc;
	const char *why;
	int gone;

	if (resp->status != 400)
		return classify(resp->status);
	doc = json_loadb(resp->body.buf, resp->body.len, 0, NULL);
	why = json_string_value(json_object_get(doc, "description"));
	gone = why && strstr(why, "chat not found");
	json_decref(doc);
	return gone ? -EACCES : -EINVAL;
}

/* REQ's address and body for T's kind: a JSON document in *BODY (freed by
 * the caller), or ntfy's plain text with its HEADERS kept in LINES. */
static int request_body(const struct notify_target *t,
			const struct notify_msg *m, struct http_request *req,
			struct strbuf *url, struct strbuf *lines,
			const char **headers, char **body)
{
	json_t *doc = NULL;

	switch (t->kind) {
	case NOTIFY_DISCORD:
		discord_url(t->url, url);
		req->url = url->buf;
		doc = discord_body(m);
		break;
	case NOTIFY_SLACK:
		doc = slack_body(m);
		break;
	case NOTIFY_WEBHOOK:
		doc = webhook_body(m);
		break;
	case NOTIFY_TELEGRAM:
		telegram_url(t, url);
		req->url = url->buf;
		doc = telegram_body(t, m);
		break;
	case NOTIFY_NTFY:
		ntfy_headers(t, m, lines, headers);
		req->content_type = "text/plain; charset=utf-8";
		req->body = m->message;
		req->body_len = strlen(m->message);
		return 0;
	default:
		return -EINVAL;
	}
	*body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!*body)
		return -ENOMEM;
	req->body = *body;
	req->body_len = strlen(*body);
	return 0;
}

/* What the answer to T's request means: 0, or -errno with OUT's error. */
static int answer_verdict(const struct notify_target *t, int rc,
			  const struct http_response *resp,
			  struct notify_answer *out)
{
	out->status = resp->status;
	if (rc) {
		snprintf(out->error, sizeof(out->error), "%s", resp->error);
		return rc == -ECANCELED || rc == -ENOMEM ? rc :
			rc == -EINVAL ? -EACCES : -EAGAIN;
	}
	rc = t->kind == NOTIFY_TELEGRAM ? telegram_classify(resp) :
		classify(resp->status);
	out->retry_after_s = (t->kind == NOTIFY_DISCORD ||
			      t->kind == NOTIFY_TELEGRAM) &&
		resp->status == 429 ? body_retry(t->kind, resp) :
		resp->retry_after_s;
	if (rc)
		answer_text(t, resp, out->error, sizeof(out->error));
	return rc;
}

/* Whether another user than t's, root or the daemon's listens on its
 * port on this machine: -EAGAIN (the alert waits) with out->error naming
 * that user, logged once; else 0. */
static int not_its_listener(const struct notify_target *t,
			    struct notify_answer *out)
{
	const char *name = notify_target_name(t->kind);
	char who[64];

	if (!listener_check(name, "notify", t->url, t->user))
		return 0;
	if (!listener_refused(t->url, t->user, who, sizeof(who)))
		return 0;
	snprintf(out->error, sizeof(out->error), "its port on this machine"
		 " is user %s's, not %s's: nothing sent (name that user as"
		 " user in [notify] if it runs %s)", who, name, name);
	return -EAGAIN;
}

int notify_target_send(const struct notify_target *t,
		       const struct notify_msg *m, const int *cancel,
		       struct notify_answer *out)
{
	struct strbuf url = STRBUF_INIT, lines = STRBUF_INIT;
	const char *headers[5] = { NULL };
	struct http_request req = {
		.method = "POST",
		.url = t->url,
		.content_type = "application/json",
		.timeout_ms = NOTIFY_TIMEOUT_MS,
		.cancel = cancel,
		.secret_path = 1,
		.headers = headers,
	};
	struct http_response resp;
	char *body = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = request_body(t, m, &req, &url, &lines, headers, &body);
	if (rc == -ENOMEM)
		snprintf(out->error, sizeof(out->error), "no memory");
	if (!rc)
		rc = not_its_listener(t, out);
	if (!rc) {
		rc = http_perform(&req, &resp);
		rc = answer_verdict(t, rc, &resp, out);
		http_response_release(&resp);
	}
	free(body);
	strbuf_release(&url);
	strbuf_release(&lines);
	return rc;
}
