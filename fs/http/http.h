/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HTTP_H
#define MEDIAMON_HTTP_H

/*
 * The HTTP listener ([http] listen), off by default: the mount's tree
 * read-only over HTTP on libmicrohttpd, to the accounts of [http]
 * htpasswd (fs/tree/http_auth.h), each request answered through the mount's
 * nodes with its user's rights (caller_begin_user(), fs/http/http_serve.h);
 * GET /metrics is the Prometheus file, GET / a dashboard, and POST
 * /control/NAME writes its body to the control file, for the users the
 * mount lets write it (the daemon's user and root); /rest/ is the
 * OpenSubsonic API (fs/subsonic/subsonic.h), whose clients name their account
 * in the query instead.
 *
 * It answers at most max_connections connections, each on a thread of
 * its own ("mm-http"), max_connections_per_address from one address or
 * one local user (fs/http/http_peers.h); a
 * connection silent for timeout seconds is closed, and a request's
 * headers past HTTP_HEADER_BYTES are refused. A reload applies [http]
 * anew: the htpasswd read again, and a listener with the new address
 * or limits in place of the old (whose connections under way
 * are closed), or the old kept when the new address cannot be bound.
 */

#include <microhttpd.h>

struct config;
struct http_form;

/*
 * What answers under /rest/: the OpenSubsonic API (fs/subsonic/), which
 * the program (fs/main.c) hands http_start(), so that the listener knows
 * no door but its own.
 */
struct http_rest {
	/* Answer /rest/REST (rest: what follows "/rest/") with method,
	 * for the client at addr (via as http_auth_check() takes it),
	 * form the parameters of a POST's body (fs/tree/http_form.h;
	 * NULL for another method). */
	enum MHD_Result (*answer)(struct MHD_Connection *c, const char *rest,
				  const char *method, const char *addr,
				  const char *via,
				  const struct http_form *form);
	/* Read what it needs of cfg's [http], at the start and at each
	 * reload: 0, or a negative errno (logged), and what it read
	 * before stays. */
	int (*load)(const struct config *cfg);
	/* Forget what load read. */
	void (*release)(void);
};

#define HTTP_HEADER_BYTES (32 << 10)
/* The body a POST /control/NAME, or a form to /rest/, may carry. */
#define HTTP_BODY_BYTES (64 << 10)

/* Start listening when cfg sets [http] listen, with rest (or NULL: no
 * /rest/) answering under /rest/: 0, or a negative errno value (logged)
 * when the accounts or the address will not do. */
int http_start(const struct config *cfg, const struct http_rest *rest);

/* Apply [http] of the configuration a reload (SIGHUP) made current;
 * what fails is logged, and what ran before stays. */
void http_reload(const struct config *cfg);

/* Stop listening, once the requests under way are answered. */
void http_stop(void);

#endif
