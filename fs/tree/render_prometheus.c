/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * /metrics/prometheus (render_prometheus.h): the counters and gauges of
 * the JSON status files in Prometheus' text format, read from the same
 * store figures and live status as they are, one metric a row of the
 * table fs/tree/prometheus_metrics.def, in its order. It writes nothing, and
 * names no metric outside the table.
 */
#include "fs/tree/render_prometheus.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "fs/tree/caller.h"
#include "fs/tree/http_stats.h"
#include "fs/tree/render_status.h"
#include "fs/tree/session.h"
#include "fs/tree/sizes.h"
#include "fs/tree/stamps.h"
#include "fs/tree/views_statahead.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

/*
 * Everything the file shows, read at once: the store's figures in one
 * read transaction, the live status once. Each metric shows the value of
 * the field of the JSON document it mirrors (summary.json, scan.json,
 * watch.json, monitor.json, repair.json, analysis.json, fuse.json), in
 * base units; the table's rows name which. The library's counts are
 * the owner's alone, as in summary.json: another user gets no sample.
 */
struct prom {
	struct strbuf *out;
	const char *name;		/* the metric being written */
	struct indexer_status s;
	struct watch_status w;
	struct session_stats fuse;
	int owner;			/* the library's counts shown */
	struct library_counts counts;
	struct strbuf roots;		/* mediamon_root_files' samples */
	struct library_scan last;
	int has_last;
	struct library_scan_totals totals;
	struct monitor_store_stats monitor;
	struct rd_stats rd;
	struct strbuf endpoints;	/* mediamon_repair_requests' */
	struct analysis_counts analysis;
	struct throttle_info *services;	/* requests.json's, by name */
	size_t nr_services;
	json_t *health;			/* summary.json's */
	json_t *http;			/* http.json */
};

/* The HELP and TYPE lines that begin a metric, whose samples follow. */
static void metric(struct prom *p, const char *name, const char *type,
		   const char *help)
{
	p->name = name;
	strbuf_addf(p->out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		    type);
}

/* Label values are file paths and names: the format wants backslash,
 * double quote and line feed escaped, and nothing else; bytes that are
 * no UTF-8 become U+FFFD, as in the documents. */
static void add_label_value(struct strbuf *out, const char *s, size_t len)
{
	struct strbuf text = STRBUF_INIT;

	utf8_add_text(&text, s, len);
	for (size_t i = 0; i < text.len; i++) {
		if (text.buf[i] == '\\' || text.buf[i] == '"')
			strbuf_addch(out, '\\');
		if (text.buf[i] == '\n')
			strbuf_addstr(out, "\\n");
		else
			strbuf_addch(out, text.buf[i]);
	}
	strbuf_release(&text);
}

/* A sample's name and labels (label[i] = value[i], as many as named). */
static void sample_name(struct strbuf *out, const char *name,
			const char *const label[2], const char *const value[2])
{
	strbuf_addstr(out, name);
	for (int i = 0; i < 2 && label[i]; i++) {
		strbuf_addf(out, "%s%s=\"", i ? "," : "{", label[i]);
		add_label_value(out, value[i], strlen(value[i]));
		strbuf_addch(out, '"');
	}
	strbuf_addstr(out, label[0] ? "} " : " ");
}

/* Integers are printed whole, so a counter never turns into 1.2e+07. */
static void int_sample(struct prom *p, const char *label, const char *value,
		       int64_t v)
{
	sample_name(p->out, p->name, (const char *const[]){ label, NULL },
		    (const char *const[]){ value, NULL });
	strbuf_addf(p->out, "%lld\n", (long long)v);
}

#define INT(v) int_sample(p, NULL, NULL, (v))

/* A figure the documents round to a thousandth (json_num()), in units
 * of scale; none when it is unknown (NaN: a rate over no time). */
static void num_sample(struct prom *p, const char *label, const char *value,
		       double v, double scale)
{
	if (!isfinite(v))
		return;
	sample_name(p->out, p->name, (const char *const[]){ label, NULL },
		    (const char *const[]){ value, NULL });
	strbuf_addf(p->out, "%.15g\n", json_round(v) * scale);
}

#define NUM(v) num_sample(p, NULL, NULL, (v), 1)

/* An integer shown in other units (KiB as bytes, ms as seconds). */
static void scaled_sample(struct prom *p, int64_t v, double scale)
{
	strbuf_addf(p->out, "%s %.15g\n", p->name, (double)v * scale);
}

/* n / d as json_ratio() gives it: unknown when d is not above 0. */
static double ratio(double n, double d)
{
	return d > 0 ? n / d : NAN;
}

static int add_root(void *arg, const char *kind, const char *path,
		    size_t len, int64_t files)
{
	struct strbuf *out = arg;

	strbuf_addstr(out, "mediamon_root_files{kind=\"");
	add_label_value(out, kind ? kind : "", kind ? strlen(kind) : 0);
	strbuf_addstr(out, "\",path=\"");
	add_label_value(out, path ? path : "", path ? len : 0);
	strbuf_addf(out, "\"} %lld\n", (long long)files);
	return 0;
}

static int add_endpoint(void *arg, const char *endpoint, int64_t requests)
{
	struct strbuf *out = arg;

	if (!endpoint)
		return 0;
	sample_name(out, "mediamon_repair_requests",
		    (const char *const[]){ "endpoint", NULL },
		    (const char *const[]){ endpoint, NULL });
	strbuf_addf(out, "%lld\n", (long long)requests);
	return 0;
}

/* The store's figures, in one snapshot, after the live status. */
static int read_all(struct prom *p)
{
	int rc = reader_hold();

	if (rc)
		return rc;
	rc = library_stats_counts(&p->counts);
	if (!rc && p->owner)
		rc = library_stats_each_root(add_root, &p->roots);
	if (!rc)
		rc = render_last_scan(&p->s, &p->last, &p->has_last);
	if (!rc)
		rc = library_stats_scan_totals(&p->totals);
	if (!rc)
		rc = monitor_stats_read(&p->monitor,
					p->s.jobs.monitor.cache_ttl_s);
	if (!rc)
		rc = rd_stats_read(&p->rd);
	if (!rc)
		rc = rd_stats_each_endpoint(add_endpoint, &p->endpoints);
	if (!rc)
		rc = analysis_reads_counts(&p->analysis);
	reader_release();
	if (!rc)
		rc = throttle_all(&p->services, &p->nr_services);
	p->health = rc ? NULL : render_status_health();
	p->http = rc ? NULL : json_object();
	if (!rc && (!p->health || !p->http || http_stats_json(p->http)))
		rc = -ENOMEM;
	return rc;
}

static int scanning(const struct prom *p)
{
	return !strcmp(p->s.state, "scanning");
}

/* The scans finished or failed, with the failed scans the store could
 * not take (as scan.json's totals). */
static int64_t scans(const struct prom *p)
{
	return p->totals.scans + p->s.unstored_failures;
}

static void success_ratio(struct prom *p)
{
	if (scans(p))
		num_sample(p, NULL, NULL,
			   100.0 * p->totals.succeeded / scans(p), 0.01);
}

static void phase_samples(struct prom *p)
{
	static const char *const phases[] = { "walk", "parse", "write" };
	const double s[] = { p->last.walk_s, p->last.parse_s,
			     p->last.write_s };

	for (size_t i = 0; i < ARRAY_SIZE(phases); i++)
		num_sample(p, "phase", phases[i], s[i], 1);
}

static void kind_samples(struct prom *p)
{
	for (int i = 0; i < WATCH_KINDS; i++)
		int_sample(p, "kind", watch_kind_names[i], p->w.by_kind[i]);
}

/* A latency, none before the first sample (as watch.json's null). */
static void latency(struct prom *p, double ms)
{
	if (p->w.latency_samples)
		num_sample(p, NULL, NULL, ms, 1e-3);
}

/* How a field of struct throttle_stats is read: a uint64_t, an int, a
 * double, or a double that is a time and none while it is 0. */
enum service_field { SERVICE_U64, SERVICE_INT, SERVICE_NUM, SERVICE_TIME };

#define THROTTLE(f) offsetof(struct throttle_stats, f)

/* A figure of each remote service's throttle, field its offset in
 * struct throttle_stats, in the order requests.json lists them. */
static void service_samples(struct prom *p, size_t field,
			    enum service_field kind)
{
	for (size_t i = 0; i < p->nr_services; i++) {
		const char *name = p->services[i].name;
		const char *at = (const char *)&p->services[i].stats + field;
		double v = kind >= SERVICE_NUM ? *(const double *)at : 0;

		if (kind == SERVICE_U64)
			int_sample(p, "service", name,
				   *(const uint64_t *)at);
		else if (kind == SERVICE_INT)
			int_sample(p, "service", name, *(const int *)at);
		else if (kind == SERVICE_NUM || v > 0)
			num_sample(p, "service", name, v, 1);
	}
}

/* Each service's last refusal: its HTTP status, or when (at). */
static void refusal_samples(struct prom *p, int at)
{
	for (size_t i = 0; i < p->nr_services; i++) {
		const struct throttle_stats *s = &p->services[i].stats;

		if (!s->last_refusal)
			continue;
		if (at)
			num_sample(p, "service", p->services[i].name,
				   s->last_refusal_at, 1);
		else
			int_sample(p, "service", p->services[i].name,
				   s->last_refusal);
	}
}

/* The last check of flow i, or NULL before the first. */
static const struct monitor_check_stats *check(const struct prom *p, int i)
{
	return p->monitor.checks[i].found ? &p->monitor.checks[i] : NULL;
}

/* A figure of the last check of each flow, field its offset in struct
 * monitor_check_stats. */
static void check_samples(struct prom *p, size_t field)
{
	for (int i = 0; i < MONITOR_CHECK_KINDS; i++)
		if (check(p, i))
			int_sample(p, "check", monitor_check_kinds[i],
				   *(const int *)((const char *)check(p, i) +
						  field));
}

#define CHECK(f) offsetof(struct monitor_check_stats, f)

static void running_samples(struct prom *p)
{
	const int running[MONITOR_CHECK_KINDS] = {
		JOBS_CHECK_MISSING, JOBS_CHECK_NEW,
	};

	for (int i = 0; i < MONITOR_CHECK_KINDS; i++)
		int_sample(p, "check", monitor_check_kinds[i],
			   !!(p->s.jobs.running & running[i]));
}

/* When the last check of each flow started, or finished. */
static void time_samples(struct prom *p, int finished)
{
	const struct monitor_check_stats *c;

	for (int i = 0; i < MONITOR_CHECK_KINDS; i++) {
		if (!(c = check(p, i)) ||
		    !(finished ? c->has_finished : c->has_started))
			continue;
		num_sample(p, "check", monitor_check_kinds[i],
			   finished ? c->finished_at : c->started_at, 1);
	}
}

/* The requests of the last check of flow i, per source. */
static void check_requests(struct prom *p, int i,
			   const struct monitor_check_stats *c)
{
#define MANGA_SOURCE(name, ...) #name,
	static const char *const sources[] = {
		"catalog", "prowlarr",
#include "common/manga_sources.def"
	};
#undef MANGA_SOURCE
#define MANGA_SOURCE(name, ...) c->name,
	const int n[] = { c->catalog, c->prowlarr,
#include "common/manga_sources.def"
	};
#undef MANGA_SOURCE

	for (size_t k = 0; k < ARRAY_SIZE(sources); k++) {
		sample_name(p->out, p->name,
			    (const char *const[]){ "check", "source" },
			    (const char *const[]){ monitor_check_kinds[i],
						   sources[k] });
		strbuf_addf(p->out, "%d\n", n[k]);
	}
}

static void request_samples(struct prom *p)
{
	for (int i = 0; i < MONITOR_CHECK_KINDS; i++)
		if (check(p, i))
			check_requests(p, i, check(p, i));
}

/* A number of summary.json's health. */
static int64_t health(const struct prom *p, const char *key)
{
	json_t *v = json_object_get(p->health, key);

	return json_is_boolean(v) ? json_is_true(v) : json_integer_value(v);
}

/* A number of http.json. */
static int64_t http(const struct prom *p, const char *key)
{
	return json_integer_value(json_object_get(p->http, key));
}

static void http_request_samples(struct prom *p)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(p->http, "requests"), i, r) {
		const char *kind, *code;

		kind = json_string_value(json_object_get(r, "kind"));
		code = json_string_value(json_object_get(r, "code"));

		sample_name(p->out, p->name,
			    (const char *const[]){ "kind", "code" },
			    (const char *const[]){ kind, code });
		strbuf_addf(p->out, "%lld\n", (long long)json_integer_value(
			json_object_get(r, "count")));
	}
}

static void subsonic_call_samples(struct prom *p)
{
	const char *method;
	json_t *n;

	json_object_foreach(json_object_get(p->http, "subsonic_calls"),
			    method, n)
		int_sample(p, "method", method, json_integer_value(n));
}

#define G "gauge"
#define C "counter"

/* Each metric's samples, from its row of the table. */
#define PROM(name, type, help, source, ...) \
	static void sample_##name(struct prom *p) { __VA_ARGS__; }
#include "fs/tree/prometheus_metrics.def"
#undef PROM

static const struct {
	const char *name, *type, *help;
	void (*sample)(struct prom *p);
} metrics[] = {
#define PROM(name, type, help, source, ...) \
	{ #name, type, help, sample_##name },
#include "fs/tree/prometheus_metrics.def"
#undef PROM
};

int render_prometheus(struct strbuf *out)
{
	struct prom p = {
		.out = out,
		.roots = STRBUF_INIT,
		.endpoints = STRBUF_INIT,
		.owner = caller_is_owner(),
	};
	int rc;

	indexer_status(&p.s);
	watch_status(&p.w);
	session_get_stats(&p.fuse);
	rc = read_all(&p);
	if (!rc) {
		for (size_t i = 0; i < ARRAY_SIZE(metrics); i++) {
			metric(&p, metrics[i].name, metrics[i].type,
			       metrics[i].help);
			metrics[i].sample(&p);
		}
	}
	strbuf_release(&p.roots);
	strbuf_release(&p.endpoints);
	free(p.services);
	json_decref(p.health);
	json_decref(p.http);
	return rc;
}
