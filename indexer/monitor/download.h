#ifndef MEDIAMON_DOWNLOAD_H
#define MEDIAMON_DOWNLOAD_H

/*
 * Hand a release the monitor chose to the configured download client:
 * qBittorrent (its WebUI API v2), Prowlarr (a grab, which sends it to
 * Prowlarr's own client), or a blackhole folder that a client watches.
 *
 *	static struct download_session session;	(lives as long as c)
 *	struct download_client c = {
 *		.client = "qbittorrent",
 *		.url = "http://qbit:8080",
 *		.username = cfg->qbit_user,
 *		.password = cfg->qbit_password,
 *		.category = "manga",
 *		.session = &session,
 *	};
 *	struct download_release r = {
 *		.title = "One Piece T105",
 *		.source = "prowlarr",
 *		.link = release->download_url,
 *		.magnet = release->magnet_url,
 *		.guid = release->guid,
 *		.indexer_id = release->indexer_id,
 *	};
 *	struct strbuf err = STRBUF_INIT;
 *
 *	if (download_accepts(&c, &r) &&
 *	    download_send(&c, &r, &cancel, &err) < 0)
 *		health_error("%s", err.buf);
 *	strbuf_release(&err);
 *
 * qBittorrent (WebUI API v2: the answers of qBittorrent 4.1 to 5.1, and
 * the new ones of API 2.14, qBittorrent 5.2): one login per session,
 * whose cookie (SID, or QBT_SID_PORT since 5.2) is reused for every add
 * while it works; when qBittorrent forgets it (an add answers 403), the
 * client logs in again once and retries the add once. A login
 * refused for a wrong user name or password is remembered in the session,
 * and every later send fails at once without asking again: qBittorrent
 * bans an address after a few failed logins, and a monitor retrying on
 * each check would soon be banned. Reset the session (zero it) when the
 * settings change. Every request names qBittorrent's own address as its
 * Referer, as its CSRF protection wants.
 *
 * Blackhole: the file is written under a temporary name in the folder
 * itself, synced, then renamed into place, so the watching client never
 * sees half a file; an existing file is never replaced, the new one gets
 * " (2)", " (3)"... instead. Its name is the release title made safe: '/'
 * becomes U+2215 ("∕"), control characters and bytes that are not UTF-8
 * become '_', leading dots and spaces go, and it is cut to
 * DOWNLOAD_NAME_MAX bytes on a character boundary. What it holds:
 *
 *   NAME.magnet   a magnet link and a newline: the release's link when it
 *                 is a magnet, or where its download URL redirected to
 *   NAME.torrent  the torrent a Prowlarr release's download URL gave (a
 *                 bencoded dictionary), fetched here
 *   NAME.link     the link of a catalog release, and a newline
 *
 * Secrets (the password, the session cookie, API keys in download URLs)
 * never appear in a log line or in err. One thread at a time may use a
 * client and its session.
 *
 * download_send() returns 0 or a negative errno value, and then sets err
 * to a short text for /status/health, naming the client:
 *
 *   -EINVAL        the client is "none", unknown or not set up (no url, no
 *                  folder, no prowlarr), or it does not accept r
 *   -ECANCELED     *cancel became nonzero before a request was sent
 *   -EACCES        qBittorrent refused the login (wrong user or password,
 *                  or this address is banned after too many failures),
 *                  or kept refusing the add after a fresh login; Prowlarr
 *                  refused its API key; the blackhole folder is not
 *                  writable
 *   -ENOENT        the blackhole folder does not exist or is not a
 *                  folder; Prowlarr no longer knows the release (more
 *                  than 30 minutes after the search: search again)
 *   -EPROTO        qBittorrent refused the torrent ("Fails.", 409, 415,
 *                  a summary of none added) or gave an answer its API
 *                  does not document; the download URL gave neither a
 *                  torrent nor a redirect to a magnet link
 *   -EIO           a 5xx answer, or the blackhole file could not be
 *                  written
 *   -ENOMEM
 *   and http_perform()'s and prowlarr_grab()'s errors (-ETIMEDOUT,
 *   -ECONNREFUSED, -EFBIG, -EAGAIN, ...).
 */

#include "common/strbuf.h"

struct prowlarr;

#define DOWNLOAD_NAME_MAX 200		/* bytes of a blackhole file's name,
					 * before " (N)" and its extension */
#define DOWNLOAD_TORRENT_MAX (10u << 20)	/* the cap on a .torrent */
#define DOWNLOAD_COOKIE_MAX 512

/*
 * What a qBittorrent client keeps between sends. Zero it to start, and to
 * forget a session and a refused login. The cookie is a secret.
 */
struct download_session {
	char cookie[DOWNLOAD_COOKIE_MAX];	/* "SID=...", "" if none */
	int logged_in;
	long refused;			/* the login was refused (its status:
					 * 200 "Fails." or 401), so -EACCES */
};

struct download_client {
	const char *client;		/* "qbittorrent", "prowlarr",
					 * "blackhole"; "none" or NULL: none */
	const char *url;		/* qBittorrent's "http://host:8080" */
	const char *username, *password;
	const char *category;		/* qBittorrent's; NULL or "": none */
	const char *blackhole_dir;
	const struct prowlarr *prowlarr;	/* for "prowlarr" */
	/* qBittorrent's session; NULL: log in for each send */
	struct download_session *session;
	long timeout_ms;		/* per request; 0: HTTP_TIMEOUT_MS */
};

struct download_release {
	const char *title;
	const char *source;		/* "prowlarr" or "catalog" */
	const char *link;		/* magnet:, or an http(s) URL: the
					 * torrent download URL of a prowlarr
					 * release, any link of a catalog one */
	const char *magnet;		/* a prowlarr release's, or NULL */
	const char *guid;		/* a prowlarr release's */
	int indexer_id;			/* a prowlarr release's */
};

/*
 * Whether client c can take release r: qBittorrent a release with a
 * magnet or an http(s) link, Prowlarr a Prowlarr release with its guid
 * and indexer, a blackhole anything with a title and a link or a magnet.
 * Returns 1 or 0; 0 for the client "none" and for an unknown one.
 */
int download_accepts(const struct download_client *c,
		     const struct download_release *r);

/*
 * Hand r to client c (what it sends is described above). cancel may be
 * NULL. err is reset, and left empty on success. Returns 0 or a negative
 * errno value, as listed above.
 */
int download_send(const struct download_client *c,
		  const struct download_release *r, const int *cancel,
		  struct strbuf *err);

#endif
