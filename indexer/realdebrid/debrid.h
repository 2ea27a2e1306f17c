/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_DEBRID_H
#define MEDIAMON_DEBRID_H

/*
 * One interface over the debrid services the repairer can work with:
 * Real-Debrid (rd_client.h), AllDebrid (ad_client.h) and Premiumize
 * (pm_client.h). The configuration chooses one; the repair calls it
 * through its table of operations, which all speak rd_client.h's types
 * and errors (-EAGAIN rate limited, -EACCES key refused, -ENOENT no such
 * torrent, -ENOSPC no slot, -EIO, -EPROTO ...).
 *
 *	const struct debrid_ops *ops = debrid_configured(cfg);
 *	struct rd_client c = {
 *		.url = debrid_url(cfg), .token = debrid_key(cfg), ...
 *	};
 *
 *	ops->list(&c, 0, RD_LIST_MAX, &cancel, &t, &nr, &total, &res);
 *
 * Every service's torrents are told with Real-Debrid's statuses, those
 * the repair knows: "queued", "downloading", "compressing", "uploading",
 * "downloaded", and "error" for a download the service gave up.
 */

#include <jansson.h>

#include "indexer/realdebrid/rd_client.h"

struct config;
struct config_user;

struct debrid_ops {
	const char *name;		/* "realdebrid": config section,
					 * services row */
	const char *title;		/* "Real-Debrid", for messages */
	int whole;			/* answers the whole account at once,
					 * paged here: its count is exact */
	int (*list)(const struct rd_client *c, long offset, int limit,
		    const int *cancel, struct rd_torrent **out, size_t *nr,
		    long *total, struct rd_result *res);
	int (*info)(const struct rd_client *c, const char *id,
		    const int *cancel, struct rd_torrent *out,
		    struct rd_result *res);
	int (*add_magnet)(const struct rd_client *c, const char *hash,
			  const int *cancel, char **id_out,
			  struct rd_result *res);
	/* NULL for a service that downloads every file (its torrents
	 * never wait in "waiting_files_selection") */
	int (*select_files)(const struct rd_client *c, const char *id,
			    const int *file_ids, size_t nr, const int *cancel,
			    struct rd_result *res);
	int (*del)(const struct rd_client *c, const char *id,
		   const int *cancel, struct rd_result *res);
};

extern const struct debrid_ops debrid_realdebrid, debrid_alldebrid,
	debrid_premiumize;

/*
 * The service cfg gives a key for, Real-Debrid when none does
 * (config_finish() refuses a configuration with two keys, or with an
 * [alldebrid] or [premiumize] url and no key).
 */
const struct debrid_ops *debrid_configured(const struct config *cfg);

/* Its key (the [realdebrid] api_token, the others' api_key), NULL when
 * not set, and its url (NULL: the service's own). */
const char *debrid_key(const struct config *cfg);
const char *debrid_url(const struct config *cfg);
/* The user its section names (unset: root or the daemon's alone), the
 * only other one that may listen where its url leads on this machine. */
const struct config_user *debrid_user(const struct config *cfg);

/*
 * For the AllDebrid and Premiumize clients: the info hash of a magnet
 * link into *hash (malloc'd; NULL when magnet is NULL or its btih is not
 * 40 hex digits), and a bare hash or a whole "magnet:?" link (with no
 * line break) made the magnet link to add, into *out (malloc'd). Return
 * 0, -EINVAL or -ENOMEM.
 */
int debrid_magnet_hash(const char *magnet, char **hash);
int debrid_magnet_of(const char *hash_or_magnet, char **out);

/*
 * Fill *out and *nr with torrents all[offset ... offset + limit - 1] of
 * the nr_all held: the paging of rd_list() over a service that lists
 * everything at once. The torrents moved out are left zeroed in all;
 * the caller frees all with rd_torrents_free(). Returns 0 or -ENOMEM.
 */
int debrid_page(struct rd_torrent *all, size_t nr_all, long offset,
		int limit, struct rd_torrent **out, size_t *nr);

/* One request of the AllDebrid or Premiumize client. */
struct debrid_call {
	const char *svc;		/* "alldebrid": log lines */
	const char *base;		/* the service's URL, if c->url is not
					 * set */
	const char *method;
	const char *path;		/* after the base, with its query */
	const char *key_param;		/* the key goes into the query as
					 * this, or NULL: as a Bearer token */
	const char *form;		/* urlencoded body, or NULL */
	const char *what;		/* "status of 12": log lines */
	/* what a refusal means, from the HTTP status and the service's
	 * error code (or message) */
	int (*classify)(long status, const char *code);
};

/*
 * Send call through c's throttle, filling *res in. Both services answer
 * {"status": "success", ...} or {"status": "error", ...} (with HTTP 200 as
 * often as not): *doc is the success's object, which the caller releases
 * with json_decref(); an error's code (AllDebrid's error.code, else
 * Premiumize's message) goes to res->error and through call->classify.
 * The key is never logged. Returns 0 or an error as rd_client.h lists,
 * logged once.
 */
int debrid_send(const struct rd_client *c, const struct debrid_call *call,
		const int *cancel, json_t **doc, struct rd_result *res);

/*
 * debrid_send() of a magnet: hash_or_magnet (as debrid_magnet_of() takes
 * it) goes into call's form as the field named field. A bad link is
 * refused with -EINVAL, logged with call->svc and call->what.
 */
int debrid_send_magnet(const struct rd_client *c, struct debrid_call *call,
		       const char *field, const char *hash_or_magnet,
		       const int *cancel, json_t **doc,
		       struct rd_result *res);

/* rc as returned, logged once when it is -EPROTO (an answer not as the
 * service documents it: what names the request) or -ENOMEM. */
int debrid_protocol(const char *svc, const char *what, int rc);

/* Copy a service's error code into res->error: printable ASCII, cut to
 * the field. */
void debrid_copy_error(const char *s, struct rd_result *res);

#endif
