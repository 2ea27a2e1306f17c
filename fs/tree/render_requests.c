/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The request budget of every remote service (Prowlarr, Nautiljon,
 * Real-Debrid...) as /metrics/requests.json shows it, read from the
 * throttles alive. It reads figures only: it never waits on a request,
 * and owns no throttle.
 */
#include "fs/tree/render_requests.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"

/* A wall-clock time as a number of seconds, or null when it is 0. */
static json_t *seconds(double t)
{
	return t > 0 ? json_num(t) : json_null();
}

json_t *render_requests_service(const struct throttle_stats *s)
{
	json_t *refusal = s->last_refusal ?
		json_pack("{s:i, s:o, s:o}", "status", s->last_refusal,
			  "at", json_time(s->last_refusal_at),
			  "at_s", seconds(s->last_refusal_at)) : json_null();

	return json_pack("{s:{s:I, s:i, s:o, s:o}, s:o, s:o, s:o, s:o, s:i,"
			 " s:o, s:I, s:I, s:I, s:I}",
		"window",
		"requests", (json_int_t)s->window_requests,
		"limit", s->requests_per_minute,
		"resets_at", json_time(s->window_resets_at),
		"resets_at_s", seconds(s->window_resets_at),
		"paused_until", json_time(s->paused_until),
		"paused_until_s", seconds(s->paused_until),
		"backoff_seconds", json_num(s->backoff_s),
		"last_refusal", refusal,
		"requests_per_minute", s->requests_per_minute,
		"min_interval_seconds", json_num(s->min_interval_s),
		"requests", (json_int_t)s->requests,
		"waits", (json_int_t)s->waits,
		"http_429", (json_int_t)s->http_429,
		"failures", (json_int_t)s->failures);
}

int render_requests_json(struct strbuf *out)
{
	struct throttle_info *v;
	json_t *doc = json_object();
	size_t n;
	int rc = throttle_all(&v, &n);

	if (rc || !doc) {
		json_decref(doc);
		if (!rc)
			free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		json_object_set_new(doc, v[i].name,
				    render_requests_service(&v[i].stats));
	free(v);
	return json_append(out, doc);
}

int render_requests_find(const char *name, struct throttle_stats *out)
{
	struct throttle_info *v;
	size_t n;
	int found = 0;

	if (throttle_all(&v, &n))
		return 0;
	for (size_t i = 0; i < n && !found; i++)
		if (!strcmp(v[i].name, name)) {
			*out = v[i].stats;
			found = 1;
		}
	free(v);
	return found;
}
