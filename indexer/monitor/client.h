/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CLIENT_H
#define MEDIAMON_CLIENT_H

/*
 * The download clients behind download.h, one file each (client_NAME.c
 * for each row of common/download_clients.def), and what they share.
 * clients.c finds a client's kind by its name; download.c uses them: it
 * checks that the client takes a release, reads the release's links into
 * what the client takes, and calls its send; tracker_read.c reads the
 * objects of their lists through their read and matches.
 *
 * A send gets the release and its payload, and returns 0 once the client
 * confirmed it took it, or a negative errno value as download.h lists,
 * with err set (client_fail() sets and logs it at once).
 */

#include <jansson.h>

#include "common/strbuf.h"
#include "indexer/monitor/download.h"
#include "indexer/monitor/links.h"

struct tracker_seen;

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
	int takes;			/* payloads it takes, as a mask */
	int url;			/* reached at a url (not a folder):
					 * c->url must be set ("NAME: no url
					 * set", aMule's "no host set"), and
					 * a refusal of its credentials is
					 * remembered */
	/* where c's client listens as a url with its port, malloc'd into
	 * *out, when c->url is no such url (aMule's HOST[:PORT]): 0,
	 * -EINVAL or -ENOMEM; NULL: c->url */
	int (*listens)(const struct download_client *c, char **out);
	/* whether c is set up beyond its url (a key, a folder ...), before
	 * any link is read: 0, or -EINVAL or the folder's error, with err
	 * set; NULL: nothing more to check */
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
	/* what obj, one of list's objects, says of its download (tracker.h),
	 * into out, zeroed, listed set and its figures TRACKER_UNKNOWN: 0, or
	 * -EINVAL for an object that is not the client's; NULL with list */
	int (*read)(json_t *obj, struct tracker_seen *out);
	/* whether obj, one of list's objects, is the download id (as send
	 * gave it); NULL with list */
	int (*matches)(json_t *obj, const char *id);
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

/* The three operations of a client that lists its downloads, which go
 * together, as PREFIX_list, PREFIX_read and PREFIX_matches. */
#define CLIENT_LISTS(prefix) .list = prefix##_list, \
	.read = prefix##_read, .matches = prefix##_matches

/* client_NAME, defined by client_NAME.c, for each row of
 * common/download_clients.def (its name and protocol). */
#define DOWNLOAD_CLIENT(name, protocol) \
	extern const struct client_kind client_##name;
#include "common/download_clients.def"
#undef DOWNLOAD_CLIENT

/*
 * The kind of the client named name, and its protocol ("torrent",
 * "usenet", or "either": the section's that names it), from
 * common/download_clients.def (clients.c); NULL for NULL, "none",
 * "prowlarr" and unknown names.
 */
const struct client_kind *client_kind_of(const char *name);
const char *client_protocol_of(const char *name);

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

/*
 * Append the address of a client's RPC: base as given when it names a
 * path, else base joined to path (its default: "/transmission/rpc").
 */
void client_rpc_url(const char *base, const char *path, struct strbuf *out);

/* Overwrite a secret (NULL allowed) before its memory is freed. */
void client_wipe(char *s);

/*
 * Append "Authorization: Basic ..." for user and password (NULL: ""),
 * or nothing when both are unset. A secret: client_wipe() it.
 */
void client_basic_auth(const char *user, const char *password,
		       struct strbuf *out);

#endif
