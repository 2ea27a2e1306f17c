/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_JSON_H
#define MEDIAMON_JSON_H

/*
 * Small helpers over jansson for the JSON files the mount shows: numbers
 * without float noise, RFC 3339 times, and documents appended to a strbuf
 * with the trailing newline every file ends with; and for reading the
 * members of remote services' answers, checking their types.
 */

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct strbuf;

/* A real rounded to a thousandth, so 0.1 prints as 0.1, not 0.1000...1. */
json_t *json_num(double v);

/* The value json_num() keeps of v (NaN and infinities it makes null), so
 * that figures shown outside JSON (the Prometheus file) are the same. */
double json_round(double v);

/*
 * n / d as json_num() gives it, or null when d is not above 0: a rate or
 * an average over no sample is unknown, and 0 would read as instant or
 * as nothing done. Prometheus output then leaves the sample out.
 */
json_t *json_ratio(double n, double d);

/*
 * A JSON string of the len bytes at s, which may not be valid UTF-8 (file
 * names are bytes): invalid sequences become U+FFFD, as jansson takes
 * valid UTF-8 only.
 */
json_t *json_text(const char *s, size_t len);

/* The same for the C string s, or JSON null when s is NULL (a column
 * that holds nothing). */
json_t *json_text_or_null(const char *s);

/* The same for a string a remote service gave (a link, a reason, an
 * error's text): shown redact()ed (common/redact.h). */
json_t *json_text_shown(const char *s);

/* An RFC 3339 UTC string for t, or JSON null when t is 0. */
json_t *json_time(double t);

/*
 * Serialize doc (consuming its reference) into out, indented, followed by
 * a newline. Returns 0, or -ENOMEM when doc is NULL or cannot be dumped,
 * which is how a failed json_pack() reaches the caller.
 */
int json_append(struct strbuf *out, json_t *doc);

/* The same, with no space between the tokens (an answer to a program,
 * as the OpenSubsonic API's): written straight into out. */
int json_append_compact(struct strbuf *out, json_t *doc);

/*
 * The n rows of size bytes at rows as a JSON array, row i the object
 * object(row i, arg) makes; NULL when one could not be made (no memory).
 */
json_t *json_rows(const void *rows, size_t n, size_t size,
		  json_t *(*object)(const void *row, void *arg), void *arg);

/*
 * A field of a row struct as a member of its JSON object:
 * JSON_MEMBER("key", TEXT, struct x, field), the kind one of enum
 * json_kind without its JSON_KIND_. One array of them per row struct
 * makes its objects, with json_row_object() or, for json_rows(),
 * JSON_ROW_OBJECT(array). A field of the wrong C type does not compile.
 */
enum json_kind {
	JSON_KIND_TEXT,		/* char *, json_text_or_null() */
	JSON_KIND_SHOWN,	/* char *, json_text_shown() */
	JSON_KIND_INT,		/* int, an integer */
	JSON_KIND_INT64,	/* int64_t, an integer */
	JSON_KIND_COUNT,	/* long long, an integer, null when -1 */
	JSON_KIND_REAL,		/* double, a real as it is */
	JSON_KIND_TIME,		/* double, json_time() */
};

struct json_member {
	const char *key;
	enum json_kind kind;
	size_t off;
};

/* The C type of a field of each kind. */
#define JSON_CTYPE_TEXT char *
#define JSON_CTYPE_SHOWN char *
#define JSON_CTYPE_INT int
#define JSON_CTYPE_INT64 int64_t
#define JSON_CTYPE_COUNT long long
#define JSON_CTYPE_REAL double
#define JSON_CTYPE_TIME double

#define JSON_MEMBER(key, kind, type, field) { (key), JSON_KIND_##kind, \
	offsetof(type, field) + 0 * sizeof(char[ \
		__builtin_types_compatible_p(__typeof__(((type *)0)->field), \
					     JSON_CTYPE_##kind) ? 1 : -1]) }

/* The nr members m names of row as a JSON object, in their order; NULL
 * when there is no memory. */
json_t *json_row_object(const void *row, const struct json_member *m,
			size_t nr);

/* The members of a row struct for json_row_objects(). */
struct json_members {
	const struct json_member *m;
	size_t nr;
};

/* An object of json_rows(): json_row_object() by the struct
 * json_members arg. */
json_t *json_row_objects(const void *row, void *arg);

/* The members of array a, and how many: json_row_object()'s m and nr. */
#define JSON_MEMBERS(a) (a), (sizeof(a) / sizeof((a)[0]))

/* json_row_objects and its arg for the members of array a. */
#define JSON_ROW_OBJECT(a) json_row_objects, (void *)&(const struct \
	json_members){ JSON_MEMBERS(a) }

/*
 * Read the string member key of object o into *out (owned by o), NULL
 * when it is absent or null. Returns 0, or -EPROTO when it has another
 * type: a shape the service does not give.
 */
int json_member_str(json_t *o, const char *key, const char **out);

/*
 * Read the integer member key of object o into *out, def when it is
 * absent or null. Returns 0, or -EPROTO when it has another type.
 */
int json_member_int(json_t *o, const char *key, json_int_t def,
		    json_int_t *out);

#endif
