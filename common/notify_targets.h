/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_NOTIFY_TARGETS_H
#define MEDIAMON_NOTIFY_TARGETS_H

/*
 * Where notifications (common/notify.h) go, and how each target wants
 * them: one attempt to deliver one event, and what the answer means.
 *
 *	struct notify_target t = {
 *		.kind = NOTIFY_NTFY,
 *		.url = "https://ntfy.sh/my-secret-topic",
 *	};
 *	struct notify_answer a;
 *
 *	switch (notify_target_send(&t, msg, &cancel, &a)) {
 *	case 0:		delivered
 *	case -EAGAIN:	try again, not before a.retry_after_s (if set)
 *	...
 *	}
 *
 * The targets, each a POST of the event to url:
 *
 *   discord  a channel webhook (https://discord.com/api/webhooks/ID/TOKEN),
 *            JSON {"content": "mediamon: TITLE\nMESSAGE", "username",
 *            "allowed_mentions": {"parse": []}} so that a name holding
 *            "@everyone" pings no one; content is cut at 2,000 UTF-16
 *            units, Discord's limit. "?wait=true" is added, so that 200
 *            means the message was saved.
 *   slack    an incoming webhook (https://hooks.slack.com/services/...),
 *            JSON {"text"}, with &, < and > escaped as Slack wants, so
 *            that no text turns into a mention or a link.
 *   ntfy     a topic URL (https://ntfy.sh/TOPIC, or a server of one's
 *            own, credentials in the URL as user:password@ if need be):
 *            the message as the plain-text body, and headers X-Title,
 *            X-Priority (2 to 4 by kind) and X-Tags (an emoji by kind,
 *            and "mediamon"); a title that is not plain ASCII goes as
 *            RFC 2047 encoded words, which ntfy decodes. token, when
 *            set, goes as "Authorization: Bearer TOKEN".
 *   webhook  any receiver of a JSON POST: {"source": "mediamon", "event",
 *            "title", "subject", "message", "at", "details"}.
 *   telegram a bot's sendMessage (url is the Bot API's base,
 *            https://api.telegram.org; token the bot's, which goes in the
 *            path as /botTOKEN/sendMessage): JSON {"chat_id": chat,
 *            "text": "mediamon: TITLE\nMESSAGE", link previews off},
 *            plain text (no parse_mode, so nothing in a name is markup),
 *            cut at 4,096 UTF-16 units, Telegram's limit.
 *
 * The URLs hold secrets (a webhook's token, a topic that is its own
 * password, credentials, a bot's token): no log line or error text here
 * shows more than the scheme, host and port.
 */

#include "common/notify.h"

struct config_user;

enum notify_target_kind {
	NOTIFY_DISCORD,
	NOTIFY_SLACK,
	NOTIFY_NTFY,
	NOTIFY_WEBHOOK,
	NOTIFY_TELEGRAM,
	NOTIFY_NR_TARGETS
};

/* A request that takes longer is given up, and tried again later. */
#define NOTIFY_TIMEOUT_MS 15000

struct notify_target {
	enum notify_target_kind kind;
	const char *url;
	const char *token;	/* ntfy's access token or Telegram's bot
				 * token, or NULL */
	const char *chat;	/* Telegram's chat id or @channel */
	unsigned events;	/* the kinds it wants: NOTIFY_BIT()s */
	/* the user it runs as on this machine ([notify] user; NULL: root
	 * or the daemon's alone): no other listener is sent an alert */
	const struct config_user *user;
};

/* What a target answered to one attempt. */
struct notify_answer {
	long status;		/* HTTP status, 0 when none came */
	double retry_after_s;	/* when to try again, as the target asked
				 * (Retry-After, or Discord's retry_after);
				 * 0: it did not say */
	char error[256];	/* what went wrong, for the log; "" when
				 * delivered */
};

/* "discord", "slack", "ntfy", "webhook" or "telegram". */
const char *notify_target_name(enum notify_target_kind kind);

/*
 * Make one attempt to deliver m to t; *cancel (read atomically; NULL:
 * never) stops it within a second. Returns:
 *
 *   0           delivered (a 2xx answer)
 *   -EAGAIN     not now: a 429, a 408, a 5xx, or no answer (the target
 *               is down or unreachable); try again later
 *   -EACCES     the target refuses its address for good: 401, 403, 404,
 *               410 or a redirect (a deleted webhook, a wrong token),
 *               Telegram's 400 "chat not found"; nothing more should go
 *               there until the address changes
 *   -EINVAL     it refused this message (another 4xx); another may pass
 *   -ECANCELED  *cancel was set
 *   -ENOMEM
 *
 * out says what came back. Nothing is logged here but what http.h logs
 * of a request that got no answer: the caller decides, and logs once.
 */
int notify_target_send(const struct notify_target *t,
		       const struct notify_msg *m, const int *cancel,
		       struct notify_answer *out);

#endif
