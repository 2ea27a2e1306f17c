/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RD_CLIENT_H
#define MEDIAMON_RD_CLIENT_H

/*
 * A client for Real-Debrid's torrent API: list the account's torrents,
 * read one with its files, add a magnet, select its files, delete one.
 *
 *	struct rd_client c = {
 *		.token = cfg->rd_token,
 *		.throttle = t,		(one for every Real-Debrid call)
 *	};
 *	struct rd_torrent *list, info;
 *	struct rd_result res;
 *	size_t nr;
 *	long total;
 *	char *id;
 *
 *	ret = rd_list(&c, offset, RD_LIST_MAX, &cancel, &list, &nr,
 *		      &total, &res);
 *	if (!ret) {
 *		...	list[0 .. nr - 1]; the next request starts at
 *			offset + nr, until a page comes back short
 *		rd_torrents_free(list, nr);
 *	}
 *	record_attempt(now, ret, res.error_code, res.elapsed_s);
 *
 *	if (!rd_info(&c, old_id, &cancel, &info, &res)) {
 *		ret = rd_add_magnet(&c, info.hash, &cancel, &id, &res);
 *		...	rd_select_files(&c, id, ids, nr_ids, &cancel, &res);
 *		...	rd_info(&c, id, ...) until its status is "downloaded"
 *		...	rd_delete(&c, old_id, &cancel, &res);
 *		rd_torrent_release(&info);
 *	}
 *
 * Every call waits its turn at the throttle and tells it how the request
 * went: refusals for the rate (HTTP 429, error codes 34 and 5) pause it
 * for the Retry-After and the backoff, 5xx and network errors count as
 * failures. Refused requests count against Real-Debrid's limit too, so
 * the caller looks at throttle_paused() rather than retrying at once.
 *
 * The token is sent as "Authorization: Bearer" only, never in a URL, and
 * never reaches a log line. Torrent ids, which go into URL paths, must be
 * letters and digits; a magnet is logged by its info hash at most, as its
 * tracker URLs may hold private passkeys.
 *
 * Each call fills *res in, whatever the outcome, for the attempt log. All
 * return 0 or a negative errno value, logged here once (http_perform()
 * logs transport errors itself):
 *
 *   -EAGAIN        rate limited: HTTP 429, or error_code 34
 *                  (too_many_requests) or 5 (slow down); the throttle is
 *                  paused
 *   -EACCES        the token was refused: HTTP 401 or 403, or error_code 8
 *                  (bad_token)
 *   -EPERM         infringing_file: HTTP 451 or error_code 35
 *   -ENOSPC        no slot: HTTP 509, or error_code 21 (too many active
 *                  downloads)
 *   -ENOENT        unknown torrent: HTTP 404 or error_code 7
 *   -EIO           HTTP 5xx, or another status the API does not document
 *                  for the call (a 400, a redirect ...)
 *   -EPROTO        an answer that is not what the API documents: malformed
 *                  JSON, wrong types, an id that is not letters and digits
 *   -ECANCELED     *cancel became nonzero while waiting for the throttle
 *   -EINVAL        bad arguments, no request sent: no token or throttle, an
 *                  id that is not 1 to RD_ID_MAX letters and digits, a
 *                  hash that is not 40 hex digits, a limit out of range
 *   -ENOMEM
 *   and http_perform()'s errors (-ETIMEDOUT, -EFBIG, -ECONNREFUSED ...).
 * Where the answer matches several lines (a 403 with error_code 35), the
 * first one wins.
 */

#include <stddef.h>
#include <stdint.h>

struct config_user;
struct throttle;

#define RD_URL "https://api.real-debrid.com/rest/1.0"
#define RD_LIST_MAX 5000		/* torrents per list request: the
					 * API's documented most */
#define RD_LIST_MAX_BODY (16u << 20)	/* 5000 torrents take a few MiB */
#define RD_INFO_MAX_BODY (4u << 20)	/* a torrent of many files */
#define RD_ID_MAX 64			/* characters of a torrent id */

/* The error_code values of Real-Debrid's error answers the client tells
 * apart (its HTTP statuses aside). */
#define RD_ERR_SLOW_DOWN 5		/* slow_down: a rate limit */
#define RD_ERR_UNKNOWN_RESOURCE 7	/* no such torrent */
#define RD_ERR_BAD_TOKEN 8
#define RD_ERR_TOO_MANY_ACTIVE 21	/* no slot for one more download */
#define RD_ERR_TOO_MANY_REQUESTS 34	/* the account's rate limit */
#define RD_ERR_INFRINGING 35		/* infringing_file */

/* A number macro as a string, for SQL text. */
#define RD_STR(n) RD_STR_(n)
#define RD_STR_(n) #n

struct rd_client {
	const char *url;		/* NULL: RD_URL; with or without a
					 * trailing slash */
	const char *token;
	struct throttle *throttle;
	long timeout_ms;		/* 0: HTTP_TIMEOUT_MS */
	/* the user it runs as when on this machine (NULL or unnamed: root
	 * or the daemon's alone): no other listener is sent the token */
	const struct config_user *user;
};

struct rd_file {
	int id;				/* what selectFiles takes */
	char *path;			/* "/Show/S01E01.mkv" */
	int64_t bytes;
	int selected;			/* 0 or 1 */
};

struct rd_torrent {
	char *id;
	char *filename;
	char *original_filename;	/* rd_info() only; else NULL */
	char *hash;			/* hex as given, or NULL */
	char *status;			/* "downloaded", "magnet_error" ... */
	int64_t bytes;
	double added_at;		/* epoch seconds, 0: not given */
	struct rd_file *files;		/* rd_info() only; else NULL */
	size_t nr_files;
};

/* How one request went, for the attempt log. */
struct rd_result {
	long http_status;		/* 0 when no answer came */
	int error_code;			/* Real-Debrid's error_code, 0: none */
	char error[64];			/* its error string, "" if none */
	double elapsed_s;		/* response time, throttle wait apart */
};

/*
 * List the account's torrents from offset (from 0), limit (1 to
 * RD_LIST_MAX) of them, newest first as Real-Debrid sorts them (GET
 * /torrents?offset=&limit=), into *out (malloc'd,
 * NULL when none) and *nr. *total is X-Total-Count, the number of
 * torrents on the account, or -1 when the answer did not say. An empty
 * page (HTTP 204, past the end) is success with *nr 0. The torrents have
 * no files and no original_filename. Returns 0 or an error as above;
 * *out, *nr and *total are set only on success.
 */
int rd_list(const struct rd_client *c, long offset, int limit,
	    const int *cancel, struct rd_torrent **out, size_t *nr,
	    long *total, struct rd_result *res);

/*
 * Read torrent id with its files into *out, which the caller releases
 * with rd_torrent_release(). Returns 0, -ENOENT when the account has no
 * such torrent, or an error as above; *out is set only on success.
 */
int rd_info(const struct rd_client *c, const char *id, const int *cancel,
	    struct rd_torrent *out, struct rd_result *res);

/*
 * Add a torrent from hash_or_magnet: a bare info hash of 40 hex digits
 * (sent as "magnet:?xt=urn:btih:HASH") or a whole "magnet:?" link. The
 * new torrent's id goes to *id_out (malloc'd) on success. The torrent
 * then waits for rd_select_files(). Returns 0, -EPERM when Real-Debrid
 * refuses it as infringing, -ENOSPC when the account has no slot, or an
 * error as above.
 */
int rd_add_magnet(const struct rd_client *c, const char *hash_or_magnet,
		  const int *cancel, char **id_out, struct rd_result *res);

/*
 * Select the nr files file_ids (nr >= 1, ids >= 0, as rd_info() gave
 * them) of torrent id for download. Selecting files already selected is
 * success (HTTP 202). Returns 0, -ENOENT for an unknown torrent, or an
 * error as above.
 */
int rd_select_files(const struct rd_client *c, const char *id,
		    const int *file_ids, size_t nr, const int *cancel,
		    struct rd_result *res);

/*
 * Delete torrent id from the account. Returns 0, -ENOENT when there is no
 * such torrent (already gone), or an error as above.
 */
int rd_delete(const struct rd_client *c, const char *id, const int *cancel,
	      struct rd_result *res);

/*
 * Whether id may be a torrent id: 1 to RD_ID_MAX letters, digits, '-'
 * and '_' (Premiumize's transfer ids hold those), as ids go into URL
 * paths, where they must stay one segment. NULL is not.
 */
int rd_valid_id(const char *id);

/*
 * Read a list answer (GET /torrents) of len bytes (no NUL needed) as
 * rd_list() does, into *out (malloc'd, NULL when empty) and *nr. Returns
 * 0, -EPROTO (logged) for an answer not of the documented shape, or
 * -ENOMEM; *out and *nr are set only on success.
 */
int rd_parse_list(const char *body, size_t len, struct rd_torrent **out,
		  size_t *nr);

/*
 * Read an info answer (GET /torrents/info/ID) of len bytes (no NUL
 * needed) as rd_info() does, files included, into *out, which the caller
 * releases with rd_torrent_release(). Returns 0, -EPROTO (logged) or
 * -ENOMEM; *out is set only on success.
 */
int rd_parse_info(const char *body, size_t len, struct rd_torrent *out);

/* Free what t owns and zero it; NULL is allowed. */
void rd_torrent_release(struct rd_torrent *t);

/* Release the nr torrents at t and free t; NULL is allowed. */
void rd_torrents_free(struct rd_torrent *t, size_t nr);

#endif
