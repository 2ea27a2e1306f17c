/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * jansson helpers for the mount's JSON files and for reading remote
 * answers with their types checked (json.h). No file layout here.
 */
#include "common/json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "common/utf8.h"

json_t *json_num(double v)
{
	if (!isfinite(v))
		return json_null();
	return json_real(json_round(v));
}

double json_round(double v)
{
	return round(v * 1000.0) / 1000.0;
}

json_t *json_ratio(double n, double d)
{
	return d > 0 ? json_num(n / d) : json_null();
}

json_t *json_text(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *v;

	utf8_add_text(&sb, s, len);
	v = json_stringn(sb.buf, sb.len);
	strbuf_release(&sb);
	return v;
}

/* Rows read into structs keep their unknowns as NULL. */
json_t *json_text_or_null(const char *s)
{
	return s ? json_text(s, strlen(s)) : json_null();
}

json_t *json_text_shown(const char *s)
{
	struct strbuf b = STRBUF_INIT;
	json_t *v;

	if (!s)
		return json_null();
	redact(s, REDACT_MASK, &b);
	v = json_text(b.buf, b.len);
	strbuf_release(&b);
	return v;
}

json_t *json_time(double t)
{
	char buf[CLOCK_RFC3339_LEN];

	if (t <= 0)
		return json_null();
	clock_rfc3339((time_t)t, buf);
	return json_string(buf);
}

int json_append(struct strbuf *out, json_t *doc)
{
	char *text;

	if (!doc)
		return -ENOMEM;
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			  JSON_REAL_PRECISION(15));
	json_decref(doc);
	if (!text)
		return -ENOMEM;
	strbuf_addstr(out, text);
	strbuf_addch(out, '\n');
	free(text);
	return 0;
}

/* json_dump_callback()'s writer into a struct strbuf. */
static int dump_into(const char *buffer, size_t size, void *data)
{
	strbuf_add(data, buffer, size);
	return 0;
}

int json_append_compact(struct strbuf *out, json_t *doc)
{
	int rc;

	if (!doc)
		return -ENOMEM;
	rc = json_dump_callback(doc, dump_into, out, JSON_COMPACT |
				JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(doc);
	if (rc)
		return -ENOMEM;
	strbuf_addch(out, '\n');
	return 0;
}

json_t *json_rows(const void *rows, size_t n, size_t size,
		  json_t *(*object)(const void *row, void *arg), void *arg)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		json_t *o = object((const char *)rows + i * size, arg);

		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

/* The field of row at offset off. */
#define FIELD(type, row, off) (*(const type *)((const char *)(row) + (off)))

static json_t *member_value(const void *row, const struct json_member *m)
{
	switch (m->kind) {
	case JSON_KIND_TEXT:
		return json_text_or_null(FIELD(char *, row, m->off));
	case JSON_KIND_SHOWN:
		return json_text_shown(FIELD(char *, row, m->off));
	case JSON_KIND_INT:
		return json_integer(FIELD(int, row, m->off));
	case JSON_KIND_INT64:
		return json_integer(FIELD(int64_t, row, m->off));
	case JSON_KIND_COUNT:
		return FIELD(long long, row, m->off) < 0 ? json_null() :
			json_integer(FIELD(long long, row, m->off));
	case JSON_KIND_REAL:
		return json_real(FIELD(double, row, m->off));
	case JSON_KIND_TIME:
		return json_time(FIELD(double, row, m->off));
	}
	return NULL;
}

json_t *json_row_object(const void *row, const struct json_member *m,
			size_t nr)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < nr; i++) {
		if (json_object_set_new(o, m[i].key, member_value(row,
								   &m[i]))) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

json_t *json_row_objects(const void *row, void *arg)
{
	const struct json_members *m = arg;

	return json_row_object(row, m->m, m->nr);
}

int json_member_str(json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -EPROTO;
	*out = json_string_value(v);
	return 0;
}

int json_member_int(json_t *o, const char *key, json_int_t def,
		    json_int_t *out)
{
	json_t *v = json_object_get(o, key);

	*out = def;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return -EPROTO;
	*out = json_integer_value(v);
	return 0;
}
