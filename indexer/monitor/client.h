/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CLIENT_H
#define MEDIAMON_CLIENT_H

/*
 * The download clients behind download.h, one file each
 * (client_qbittorrent.c, client_transmission.c, client_sabnzbd.c,
 * client_nzbget.c, client_blackhole.c, client_amule.c), and what they
 * share. Only
 * download.c uses them: it checks that a client takes a release, reads
 * the release's links into what the client takes, and calls its send.
 *
 * A send gets the release and its payload, and returns 0 once the client
 * confirmed it took it, or a negative errno value as download.h lists,
 * with err set (client_fail() sets and logs it at once).
 */

#include <jansson.h>

#include "common/strbuf.h"
#include "indexer/monitor/download.h"
#include "indexer/monitor/links.h"

/* What a client is handed: a link it opens itself, or what a link gave. */
struct client_payload {
	int kind;			/* LINKS_MAGNET, LINKS_TORRENT,
					 * LINKS_NZB, or CLIENT_URL (a link of
					 * any scheme, handed on as it is) */
	const char *text;		/* the magnet or web link, NUL-ended */
	const char *data;		/* the torrent's or NZB's bytes */
	size_t len;
};

/*
 * Payloads a client takes besides links.h's kinds: a web link handed on
 * as it is, for the client to fetch; and (a torrent blackhole) a catalog
 * link of any scheme, written down.
 */
#define CLIENT_URL 8
#define CLIENT_ANY_LINK 16
#define CLIENT_ED2K 32			/* an ed2k file link, as it is */

struct client_kind {
	const char *name;
	const char *protocol;		/* "torrent", "usenet", "ed2k"; NULL:
					 * the client's own (blackhole) */
	int takes;			/* payloads it takes, as a mask */
	int url;			/* reached at a url (not a folder):
					 * a refusal of its credentials is
					 * remembered */
	/* whether c is set up (a url, a folder ...), before any link is
	 * read: 0, or -EINVAL or the folder's error, with err set */
	int (*ready)(const struct download_client *c, struct strbuf *err);
	/* id (DOWNLOAD_ID_MAX bytes, "" on entry) gets the download's
	 * identity in the client when it tells one */
	int (*send)(const struct download_client *c,
		    const struct download_release *r,
		    const struct client_payload *p, const int *cancel,
		    char *id, struct strbuf *err);
	/* the downloads of ids as the client lists them now, into *out (a
	 * JSON array of its own objects); NULL: the client lists none */
	int (*list)(const struct download_client *c,
		    const char *const *ids, size_t nr, json_t **out,
		    struct strbuf *err);
	/* the files of obj (one of list's objects) that the client
	 * downloads, as paths in its own view (client_add_path()), into
	 * *out (a JSON array of strings); NULL: it gives no list */
	int (*files)(const struct download_client *c, json_t *obj,
		     json_t **out, struct strbuf *err);
	/* one request that changes nothing (a blackhole: its folder
	 * opened), what the client says of itself (its version) into out:
	 * 0, or a negative errno value as send's, with err set */
	int (*version)(const struct download_client *c, struct strbuf *out,
		       struct strbuf *err);
	/* where the client puts a download of c's category that no
	 * save_path names (its own default folder, in its own view),
	 * appended to out; NULL: it tells none */
	int (*home)(const struct download_client *c, struct strbuf *out,
		    struct strbuf *err);
};

extern const struct client_kind client_qbittorrent, client_transmission,
	client_sabnzbd, client_nzbget, client_blackhole;
extern const struct client_kind client_amule;

struct tracker_seen;

/*
 * What one object of aMule's listing (client_amule.c: hash, name, size,
 * done, speed, status, stopped, shared, path) says, into out as
 * tracker_read() does. Returns 0 or -EINVAL.
 */
int client_amule_read(json_t *obj, struct tracker_seen *out);

/*
 * Set err to the text of a failure decided in a client and log it, once;
 * the text is built without secrets, so the two can be the same.
 * Returns ret.
 */
int client_fail(struct strbuf *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The same for an HTTP answer of status the client has no meaning for
 * (what names the step: "qbittorrent: add"): -EIO for a server error,
 * else -EPROTO.
 */
int client_http_fail(struct strbuf *err, const char *what, long status);

/*
 * Append the string at doc's key (inside doc's obj when obj is not NULL)
 * to out: a client's version in its answer. Else -EPROTO, err saying
 * what ("sabnzbd: queue") had no key.
 */
int client_answer_string(json_t *doc, const char *obj, const char *key,
			 const char *what, struct strbuf *out,
			 struct strbuf *err);

/*
 * Append to list the path dir/name (dir's last slashes dropped): a file
 * of a download in the client's own view. Returns 0 or -ENOMEM.
 */
int client_add_path(json_t *list, const char *dir, const char *name);

/* Overwrite a secret (NULL allowed) before its memory is freed. */
void client_wipe(char *s);

/*
 * Append "Authorization: Basic ..." for user and password (NULL: ""),
 * or nothing when both are unset. A secret: client_wipe() it.
 */
void client_basic_auth(const char *user, const char *password,
		       struct strbuf *out);

#endif
