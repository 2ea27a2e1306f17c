/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The HTTP door's counters (http_stats.h), atomic, bumped by the threads
 * that answer; the statuses counted one by one are those the door
 * answers, any other counted as "other"; and /metrics/http.json. It
 * answers nothing and reads nothing but its counters.
 */
#include "fs/tree/http_stats.h"

#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>

#include "common/json.h"
#include "common/strbuf.h"

static const unsigned codes[] = {
	200, 206, 301, 304, 400, 401, 403, 404, 405, 412, 413, 416, 429,
	431, 500, 503,
};

#define NR_CODES (sizeof(codes) / sizeof(*codes))

static const char *const kinds[HTTP_KINDS] = {
	[HTTP_KIND_FILE] = "file",
	[HTTP_KIND_PAGE] = "page",
	[HTTP_KIND_SUBSONIC] = "subsonic",
	[HTTP_KIND_CONTROL] = "control",
};

/* the last column: any other status */
static _Atomic uint64_t answers[HTTP_KINDS][NR_CODES + 1];
static _Atomic uint64_t bytes_sent;
static _Atomic uint64_t calls[HTTP_STATS_METHODS];
static const char *_Atomic call_names[HTTP_STATS_METHODS];
static _Atomic int64_t connections;
static _Atomic uint64_t covers[2];	/* scaled, from memory */
static __thread enum http_kind current;

void http_stats_begin(enum http_kind kind)
{
	current = kind;
}

void http_stats_answered(unsigned status)
{
	size_t i = 0;

	while (i < NR_CODES && codes[i] != status)
		i++;
	atomic_fetch_add(&answers[current][i], 1);
}

void http_stats_sent(uint64_t bytes)
{
	atomic_fetch_add(&bytes_sent, bytes);
}

void http_stats_call(int i, const char *name)
{
	assert(i >= 0 && i < HTTP_STATS_METHODS);
	atomic_store(&call_names[i], name);
	atomic_fetch_add(&calls[i], 1);
}

/* {METHOD: count} of the methods called. */
static json_t *calls_json(void)
{
	json_t *o = json_object();

	for (int i = 0; o && i < HTTP_STATS_METHODS; i++) {
		const char *name = atomic_load(&call_names[i]);

		if (name && json_object_set_new(o, name, json_integer(
				(json_int_t)atomic_load(&calls[i])))) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

void http_stats_cover(int from_memory)
{
	atomic_fetch_add(&covers[!!from_memory], 1);
}

void http_stats_connection(int delta)
{
	atomic_fetch_add(&connections, delta);
}

int http_stats_json(json_t *o)
{
	json_t *requests = json_array();
	char code[8];
	int rc = requests ? 0 : -ENOMEM;

	for (int k = 0; !rc && k < HTTP_KINDS; k++) {
		for (size_t i = 0; !rc && i <= NR_CODES; i++) {
			uint64_t n = atomic_load(&answers[k][i]);

			if (!n)
				continue;
			snprintf(code, sizeof(code), "%u", i < NR_CODES ?
				 codes[i] : 0);
			if (json_array_append_new(requests, json_pack(
				    "{s:s, s:s, s:I}", "kind", kinds[k],
				    "code", i < NR_CODES ? code : "other",
				    "count", (json_int_t)n)))
				rc = -ENOMEM;
		}
	}
	if (!rc && (json_object_set_new(o, "connections", json_integer(
			atomic_load(&connections))) ||
		    json_object_set_new(o, "bytes_sent", json_integer(
			(json_int_t)atomic_load(&bytes_sent))) ||
		    json_object_set(o, "requests", requests) ||
		    json_object_set_new(o, "subsonic_calls", calls_json()) ||
		    json_object_set_new(o, "covers_scaled", json_integer(
			(json_int_t)atomic_load(&covers[0]))) ||
		    json_object_set_new(o, "covers_from_memory", json_integer(
			(json_int_t)atomic_load(&covers[1])))))
		rc = -ENOMEM;
	json_decref(requests);
	return rc;
}

int http_stats_render(struct strbuf *out)
{
	json_t *o = json_object();
	int rc = o ? http_stats_json(o) : -ENOMEM;

	if (rc) {
		json_decref(o);
		return rc;
	}
	return json_append(out, o);
}
