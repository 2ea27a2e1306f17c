/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_HTTP_STATS_H
#define MEDIAMON_HTTP_STATS_H

/*
 * The HTTP door's figures, counted since the start: answers by kind of
 * request and status, body bytes sent, connections open; shown in
 * /metrics/http.json (fs/render_http.c) and /metrics/prometheus.
 */

#include <jansson.h>
#include <stdint.h>

enum http_kind {
	HTTP_KIND_FILE,		/* a file or folder of the mount */
	HTTP_KIND_PAGE,		/* the dashboard at / */
	HTTP_KIND_SUBSONIC,	/* /rest */
	HTTP_KIND_CONTROL,	/* a POST */
	HTTP_KINDS
};

/* Name the kind of the request this thread answers now. */
void http_stats_begin(enum http_kind kind);

/* Count an answer of status to the request this thread answers. */
void http_stats_answered(unsigned status);

/* Count bytes of a body sent. */
void http_stats_sent(uint64_t bytes);

/* Count a call of the Subsonic method i (below HTTP_STATS_METHODS) whose
 * name, a string that lasts, is name. */
void http_stats_call(int i, const char *name);

#define HTTP_STATS_METHODS 128

/* Count a cover getCoverArt scaled (fs/subsonic/subsonic_cover.h), or,
 * from_memory, one it answered from those kept. */
void http_stats_cover(int from_memory);

/* A connection opened (+1) or closed (-1). */
void http_stats_connection(int delta);

/*
 * Add to o "connections", "bytes_sent", "requests": [{kind, code,
 * count}] for each kind and status answered at least once, in the order
 * of the kinds and of the statuses, "subsonic_calls": {METHOD:
 * count} of the methods called at least once, "covers_scaled" and
 * "covers_from_memory" (http_stats_cover()). 0 or -ENOMEM.
 */
int http_stats_json(json_t *o);

struct strbuf;

/*
 *   /metrics/http.json  {connections (open now), bytes_sent (bodies),
 *                       requests [{kind (file, page, subsonic, control),
 *                       code (the status, or "other"), count}],
 *                       subsonic_calls {METHOD: count}, covers_scaled,
 *                       covers_from_memory}, since the start
 *
 * rendered like the files of render.h: 0 or a negative errno value.
 */
int http_stats_render(struct strbuf *out);

#endif
