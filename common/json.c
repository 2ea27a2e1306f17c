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
