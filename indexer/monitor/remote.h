/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_REMOTE_H
#define MEDIAMON_REMOTE_H

/*
 * What the clients of the sources of the count of volumes out
 * (nautiljon.c, mangadex.c, mangaupdates.c, anilist.c, kitsu.c) share:
 * one throttled request whose status is told to the throttle, the loading
 * of a JSON answer that refuses web pages and oversized bodies, and the
 * one codec of their cached answers.
 *
 *	ret = remote_send(t, &req, &resp);
 *	if (!ret)
 *		ret = remote_load("anilist", title, resp.body.buf,
 *				  resp.body.len, ANILIST_MAX_ANSWER, &root);
 */

#include <stddef.h>

#include <jansson.h>

struct http_request;
struct http_response;
struct throttle;

/* Where one source is asked, a struct each (the monitor's m->NAME). */
struct remote_source {
	const char *url;		/* NULL: the source's own (NAME_URL) */
	struct throttle *throttle;	/* required */
	long timeout_ms;		/* 0: HTTP_TIMEOUT_MS */
};

/*
 * Wait for the throttle t, then perform req into resp (released by the
 * caller whatever the result), and tell t how it went. Returns 0 for a
 * 200, or:
 *
 *   -EAGAIN   429: t is paused for its Retry-After, or until the Unix
 *             time req->read_header gave (MangaDex's way)
 *   -EACCES   401 or 403, or a Cloudflare challenge of any status (a
 *             429 among them): t is paused as for a refusal
 *   -EIO      a 5xx, or another status than 200, 404, 410 and 429
 *   -ENOENT   404 or 410
 *
 * or throttle_acquire()'s and http_perform()'s errors.
 */
int remote_send(struct throttle *t, const struct http_request *req,
		struct http_response *resp);

/*
 * What a 404 (rc -ENOENT from remote_send()) of a route that always
 * exists (a search: it answers a list, empty when nothing is found)
 * means: not that the source knows no such series, but that url, where
 * service was asked, is not that source (a wrong [SERVICE] url). Logs an
 * error naming url (redacted) and returns -ENXIO; another rc is
 * returned as it is.
 */
int remote_route_missing(const char *service, const char *url, int rc);

/*
 * Load an answer of len bytes that must be JSON into *root (the
 * caller's). Returns 0, or logs "SERVICE: WHAT: REASON" and returns
 * -EFBIG (more than max bytes), -EBADMSG (an HTML page) or -EPROTO
 * (invalid JSON, nested deeper than jansson reads included).
 */
int remote_load(const char *service, const char *what, const char *body,
		size_t len, size_t max, json_t **root);

/* The longest title compared, in bytes. */
#define REMOTE_TITLE_MAX 512

/* How well s names title: 3 when they are the same once ASCII case,
 * spaces and ASCII punctuation are set aside ("Kaguya-sama: Love Is War"
 * is "kaguya sama love is war"); 2 when they are the same once a trailing
 * disambiguation in parentheses ("Look Back (FUJIMOTO Tatsuki)",
 * "Monster (2004)") or a subtitle between wave dashes ("Title
 * ~Subtitle~") is also set aside from either, or when title names that
 * author after "by" ("Look Back by Fujimoto Tatsuki"); 1 when what was
 * set aside is the label of another edition of the work ("Berserk of
 * Gluttony (Webtoon)", "Tower of God (Book Version)"); 0 when they
 * differ. */
int remote_title_rank(const char *s, const char *title);

/* Whether s names title: remote_title_rank() above 0. */
int remote_same_title(const char *s, const char *title);

/* The pick of a search's result that bears the title best (ranked above
 * 0, the higher the better), among those of its answer. */
struct remote_best {
	int rank;		/* of the one kept, 0: none yet */
	int ties;		/* results of its rank seen after it */
	int odd;		/* results not of the documented shape */
};

/*
 * A result of rank offered to b: 1 when it is the best so far (keep it),
 * 2 when it is the first to tie with the one kept (note it as the
 * other), 0 when it is passed over.
 */
int remote_best_offer(struct remote_best *b, int rank);

/*
 * What b's search found: 0 one result kept; -ENOENT none bears the
 * title; -EEXIST two or more bear it as well (the caller names them);
 * -EPROTO none did and some were not of the documented shape, logged as
 * source's answer for title, each such a what ("a manga").
 */
int remote_best_end(const struct remote_best *b, const char *source,
		    const char *title, const char *what);

/* The type of a field of a cached answer. */
enum remote_type {
	REMOTE_IS_INT,		/* an int */
	REMOTE_IS_LONG,		/* a long long */
	REMOTE_IS_TEXT,		/* a char array of size bytes */
	REMOTE_IS_ID,		/* a long long above 0 */
};

/* A field of a cached answer, at offset in its struct. */
struct remote_field {
	const char *name;
	enum remote_type type;
	size_t offset, size;
};

/* The field f of the struct s, named key in the cache (its own name
 * for the short forms). */
#define REMOTE_INT_AS(key, s, f) { key, REMOTE_IS_INT, offsetof(s, f), 0 }
#define REMOTE_TEXT_AS(key, s, f) \
	{ key, REMOTE_IS_TEXT, offsetof(s, f), sizeof(((s *)0)->f) }
#define REMOTE_INT(s, f) REMOTE_INT_AS(#f, s, f)
#define REMOTE_LONG(s, f) { #f, REMOTE_IS_LONG, offsetof(s, f), 0 }
#define REMOTE_TEXT(s, f) REMOTE_TEXT_AS(#f, s, f)
#define REMOTE_ID(s, f) { #f, REMOTE_IS_ID, offsetof(s, f), 0 }

/* The fields of a struct series_meta f of the struct s. */
#define REMOTE_META(s, f) \
	REMOTE_TEXT_AS("title", s, f.title), \
	REMOTE_TEXT_AS("alt_titles", s, f.alt_titles), \
	REMOTE_TEXT_AS("meta_status", s, f.status), \
	REMOTE_TEXT_AS("genres", s, f.genres), \
	REMOTE_TEXT_AS("summary", s, f.summary), \
	REMOTE_TEXT_AS("authors", s, f.authors), \
	REMOTE_TEXT_AS("cover", s, f.cover), \
	REMOTE_TEXT_AS("url", s, f.url), \
	REMOTE_TEXT_AS("original", s, f.original)

/* The form of a source's cached answer: its nr fields, the size of its
 * struct, and what a line read back must hold besides (NULL: nothing). */
struct remote_form {
	const struct remote_field *fields;
	size_t nr, size;
	int (*valid)(const void *info);
};

/* The form of the struct s of the fields table, checked by valid. */
#define REMOTE_FORM(table, s, valid) \
	{ table, sizeof(table) / sizeof((table)[0]), sizeof(s), valid }

/* The fields of form of the struct at info as one malloc'd line of JSON
 * for the cache; NULL when out of memory. */
char *remote_info_dump(const struct remote_form *form, const void *info);

/* Read back into info (a struct of form, zeroed first) what
 * remote_info_dump() wrote. Returns 0; -ENOMEM; or -EPROTO with info
 * untouched when a field is missing, of another type, a text too long,
 * an id not above 0, or form's check refuses it. */
int remote_info_load(const struct remote_form *form, const char *text,
		     size_t len, void *info);

#endif
