#ifndef MEDIAMON_NOTIFY_H
#define MEDIAMON_NOTIFY_H

/*
 * Messages to the user's Discord, through a channel webhook
 * ([notify] discord_webhook).
 *
 *	notify_discord(cfg->notify_discord_webhook,
 *		       "mediamon: 2 torrents repaired");
 *
 * The message is sent as POST URL {"content": TEXT}; Discord answers 204
 * (200 with ?wait=true). The webhook's path holds its token, a secret:
 * log lines and errors name its host only.
 */

/* The longest message Discord takes, in characters. */
#define NOTIFY_DISCORD_MAX 2000

/*
 * Post text (1 to NOTIFY_DISCORD_MAX bytes) to the webhook at url.
 * Returns 0, -EINVAL for no url or a text empty or too long, -EAGAIN when
 * Discord rate limits (HTTP 429), -EIO for another status than 200 or
 * 204, or http_perform()'s errors; all logged.
 */
int notify_discord(const char *url, const char *text);

#endif
