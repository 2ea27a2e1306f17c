/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_REQUESTS_H
#define MEDIAMON_RENDER_REQUESTS_H

#include <jansson.h>

#include "common/strbuf.h"
#include "common/throttle.h"

/*
 * /metrics/requests.json: each remote service's request budget as its
 * throttle keeps it, by service name: the open window's requests and its
 * limit, when it resets, any pause and backoff, and the last refusal.
 * Returns 0 or -ENOMEM.
 */
int render_requests_json(struct strbuf *out);

/* One service's object of requests.json (a new reference, or NULL). */
json_t *render_requests_service(const struct throttle_stats *s);

/*
 * Set *out to the figures of the throttle named name and return 1, or
 * return 0 when no such service lives (or memory ran out).
 */
int render_requests_find(const char *name, struct throttle_stats *out);

#endif
