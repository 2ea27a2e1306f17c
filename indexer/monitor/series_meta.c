/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A series' metadata from a source (series_meta.h): its fields cleaned
 * and capped, as JSON, and kept in the series' row. Which record it
 * comes from is the clients' and the monitor's (published.c); how it is
 * shown is the renderers'.
 */
#include "indexer/monitor/series_meta.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/bytes.h"
#include "common/cleanup.h"
#include "common/db.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "indexer/store/writer_run.h"

/* The bytes of a summary's text read: it is cut at SERIES_META_SUMMARY
 * after its markup and white space are set aside. */
#define SUMMARY_READ (4 * SERIES_META_SUMMARY)

/* The longest tag, entity or link looked for: a '<' or '[' without its
 * end within it is plain text, and a hostile summary of them costs no
 * more than its length times this. */
#define MARK_MAX 512

/* What Markdown lets a backslash escape. */
#define ESCAPED "\\`*_{}[]()#+-.!"
#define ELLIPSIS "\xe2\x80\xa6"

/* Copy the n bytes at s into dst of size bytes, cut to fit, with
 * mark (or "") after a cut. */
static void copy_cut(char *dst, size_t size, const char *s, size_t n,
		     const char *mark)
{
	size_t k;

	if (!size)
		return;
	if (n < size) {
		memcpy(dst, s, n);
		dst[n] = '\0';
		return;
	}
	k = utf8_fit(s, n, size - 1 > strlen(mark) ?
		     size - 1 - strlen(mark) : 0);
	while (k && s[k - 1] == ' ')
		k--;
	memcpy(dst, s, k);
	snprintf(dst + k, size - k, "%s", mark);
}

static int blank(unsigned char c)
{
	return c <= ' ' || c == 0x7f;
}

/* Append text to out as one line: control characters and runs of white
 * space one space, none at either end. */
static void add_plain(struct strbuf *out, const char *text)
{
	const char *p = text;

	while (*p && blank((unsigned char)*p))
		p++;
	while (*p) {
		if (blank((unsigned char)*p)) {
			while (*p && blank((unsigned char)*p))
				p++;
			if (*p)
				strbuf_addch(out, ' ');
			continue;
		}
		strbuf_addch(out, *p++);
	}
}

void series_meta_set(char *dst, size_t size, const char *text)
{
	struct strbuf b = STRBUF_INIT;

	add_plain(&b, text ? text : "");
	copy_cut(dst, size, b.len ? b.buf : "", b.len, "");
	strbuf_release(&b);
}

/* Whether the list holds item as one of its lines. */
static int listed(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; *p; ) {
		size_t k = strcspn(p, "\n");

		if (k == n && !memcmp(p, item, n))
			return 1;
		p += k + (p[k] == '\n');
	}
	return 0;
}

void series_meta_add(char *list, size_t size, const char *text)
{
	struct strbuf b = STRBUF_INIT;
	size_t used = strlen(list);

	add_plain(&b, text ? text : "");
	if (b.len && used + !!used + b.len < size && !listed(list, b.buf))
		snprintf(list + used, size - used, "%s%s", used ? "\n" : "",
			 b.buf);
	strbuf_release(&b);
}

void series_meta_add_each(char *list, size_t size, json_t *array,
			  const char *key)
{
	json_t *v;
	size_t i;

	json_array_foreach(array, i, v)
		series_meta_add(list, size, json_string_value(key ?
				json_object_get(v, key) : v));
}

void series_meta_set_url(char *dst, size_t size, const char *url)
{
	size_t n = url ? strlen(url) : 0;

	dst[0] = '\0';
	if (n < size && n > 8 && !strncmp(url, "https://", 8) &&
	    !strpbrk(url, " \t\r\n\"<>"))
		memcpy(dst, url, n + 1);
}

int series_meta_empty(const struct series_meta *m)
{
	return !m->title[0] && !m->alt_titles[0] && !m->status[0] &&
	       !m->genres[0] && !m->summary[0] && !m->authors[0] &&
	       !m->cover[0] && !m->url[0];
}

static const struct {
	const char *name, *text;
} entities[] = {
	{ "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" },
	{ "apos", "'" }, { "#39", "'" }, { "nbsp", " " }, { "mdash", "-" },
	{ "ndash", "-" }, { "hellip", "..." },
};

/* How many bytes of s, up to MARK_MAX, come before one of reject. */
static size_t span_to(const char *s, const char *reject)
{
	size_t n = 0;

	while (n < MARK_MAX && s[n] && !strchr(reject, s[n]))
		n++;
	return n;
}

/* Decode the entity at p ("&amp;", "&#233;", "&#xe9;") into out; the
 * bytes read, or 0 when p holds none known. */
static size_t entity(const char *p, struct strbuf *out)
{
	size_t n = span_to(p + 1, ";& \n<");
	unsigned long c = 0;
	char *end;

	if (p[1 + n] != ';' || !n || n > 8)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(entities); i++)
		if (strlen(entities[i].name) == n &&
		    !strncmp(p + 1, entities[i].name, n)) {
			strbuf_addstr(out, entities[i].text);
			return n + 2;
		}
	if (p[1] != '#' || n < 2)
		return 0;
	c = p[2] == 'x' || p[2] == 'X' ? strtoul(p + 3, &end, 16) :
		strtoul(p + 2, &end, 10);
	if (end != p + 1 + n || c < 0x20 || c > 0x10ffff ||
	    (c >= 0xd800 && c < 0xe000) || c == 0x7f)
		return 0;
	if (c < 0x80) {
		strbuf_addch(out, (char)c);
	} else if (c < 0x800) {
		strbuf_addch(out, (char)(0xc0 | c >> 6));
		strbuf_addch(out, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		strbuf_addch(out, (char)(0xe0 | c >> 12));
		strbuf_addch(out, (char)(0x80 | ((c >> 6) & 0x3f)));
		strbuf_addch(out, (char)(0x80 | (c & 0x3f)));
	} else {
		strbuf_addch(out, (char)(0xf0 | c >> 18));
		strbuf_addch(out, (char)(0x80 | ((c >> 12) & 0x3f)));
		strbuf_addch(out, (char)(0x80 | ((c >> 6) & 0x3f)));
		strbuf_addch(out, (char)(0x80 | (c & 0x3f)));
	}
	return n + 2;
}

/* The tag at p ("<br>", "</p>", "<i>"): the bytes it takes, a line
 * break added to out for those that end a line, or 0 when p is a plain
 * '<' ("a < b"). */
static size_t tag(const char *p, struct strbuf *out)
{
	const char *q = p + 1 + (p[1] == '/');
	size_t n = span_to(p, ">\n");
	size_t name = isalpha((unsigned char)*q) ?
		strspn(q, "abcdefghijklmnopqrstuvwxyz"
		       "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456") : 0;

	if (p[n] != '>' || (!name && p[1] != '!'))
		return 0;
	if ((name == 2 && (!strncasecmp(q, "br", 2) ||
			   !strncasecmp(q, "li", 2))) ||
	    (name == 1 && !strncasecmp(q, "p", 1)) ||
	    (name == 3 && !strncasecmp(q, "div", 3)))
		strbuf_addch(out, '\n');
	return n + 1;
}

/* The Markdown link at p ("[text](url)"): its text added to out and the
 * bytes it takes, or 0. */
static size_t md_link(const char *p, struct strbuf *out)
{
	size_t text = span_to(p + 1, "]\n");
	size_t url;

	if (p[1 + text] != ']' || p[2 + text] != '(')
		return 0;
	url = span_to(p + 3 + text, ")\n ");
	if (p[3 + text + url] != ')')
		return 0;
	strbuf_add(out, p + 1, text);
	return text + url + 4;
}

/* Whether the line at p (up to its end) is a Markdown rule: three or more
 * of one of '-', '*', '_', spaces and CR aside. */
static int rule(const char *p)
{
	size_t n = 0;
	char c = 0;

	for (; *p && *p != '\n'; p++) {
		if (*p == ' ' || *p == '\r')
			continue;
		if ((*p != '-' && *p != '*' && *p != '_') || (c && *p != c))
			return 0;
		c = *p;
		n++;
	}
	return n >= 3;
}

/* text with its markup set aside, into out, lines kept, until out holds
 * max bytes: the rest would be cut. Returns 1 when it was, else 0. */
static int unmark(const char *text, size_t max, struct strbuf *out)
{
	const char *p = text;
	int line_start = 1;

	while (*p && out->len < max) {
		size_t n = 0;

		if (line_start) {
			line_start = 0;
			if (rule(p)) {
				p += strcspn(p, "\n");
				continue;
			}
			p += strspn(p, " ");
			if (*p == '#' || *p == '>') {
				p += strspn(p, "#>");
				p += strspn(p, " ");
			}
			/* a last line of blanks or marks alone */
			if (!*p)
				break;
		}
		if (*p == '<')
			n = tag(p, out);
		else if (*p == '&')
			n = entity(p, out);
		else if (*p == '[')
			n = md_link(p, out);
		else if ((*p == '*' && p[1] == '*') ||
			 (*p == '_' && p[1] == '_') ||
			 (*p == '~' && p[1] == '~'))
			n = 2;
		else if (*p == '\\' && p[1] && strchr(ESCAPED, p[1])) {
			strbuf_addch(out, p[1]);
			n = 2;
		}
		if (n) {
			p += n;
			continue;
		}
		if (*p == '\r') {
			p++;
			continue;
		}
		strbuf_addch(out, *p);
		line_start = *p++ == '\n';
	}
	return *p != '\0';
}

void series_meta_summary(char *dst, size_t size, const char *text)
{
	struct strbuf raw = STRBUF_INIT, b = STRBUF_INIT, line = STRBUF_INIT;
	int blanks = 0, cut;

	cut = unmark(text ? text : "", SUMMARY_READ, &raw);
	for (const char *p = raw.len ? raw.buf : ""; *p; ) {
		size_t n = strcspn(p, "\n");
		char *one = strndup(p, n);

		strbuf_reset(&line);
		if (one)
			add_plain(&line, one);
		free(one);
		p += n + (p[n] == '\n');
		if (!line.len) {
			blanks++;
			continue;
		}
		if (b.len)
			strbuf_addstr(&b, blanks ? "\n\n" : "\n");
		strbuf_add(&b, line.buf, line.len);
		blanks = 0;
	}
	if (cut && b.len)
		strbuf_addstr(&b, " " ELLIPSIS);
	copy_cut(dst, size, b.len ? b.buf : "", b.len, ELLIPSIS);
	strbuf_release(&raw);
	strbuf_release(&b);
	strbuf_release(&line);
}

static json_t *text_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* The list's items as a JSON array. */
static json_t *list_json(const char *list)
{
	json_t *a = json_array();

	for (const char *p = list; a && *p; ) {
		size_t k = strcspn(p, "\n");

		json_array_append_new(a, json_stringn(p, k));
		p += k + (p[k] == '\n');
	}
	return a;
}

json_t *series_meta_json(const struct series_meta *m, const char *record,
			 double at)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
			 " s:o, s:o}",
			 "title", text_or_null(m->title),
			 "alt_titles", list_json(m->alt_titles),
			 "status", text_or_null(m->status),
			 "genres", list_json(m->genres),
			 "summary", text_or_null(m->summary),
			 "authors", list_json(m->authors),
			 "cover", text_or_null(m->cover),
			 "url", text_or_null(m->url),
			 "original", text_or_null(m->original),
			 "source", text_or_null(record),
			 "at", json_time(at));
}

int series_meta_keep(int64_t series, const struct series_meta *m,
		     const char *record, double at)
{
	CLEANUP_FREE char *text = NULL;
	json_t *doc;

	if (series_meta_empty(m))
		return 0;
	doc = series_meta_json(m, record, at);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!text)
		return -ENOMEM;
	/* Replaced unless the record says what it said (a cached answer
	 * too): then its time stays the first reading's, and the row is
	 * not rewritten. */
	return writer_run("keep series metadata",
			  "UPDATE series SET meta = ?2 WHERE id = ?1 AND"
			  " CASE WHEN json_valid(meta) THEN"
			  "  json_remove(meta, '$.at') IS NOT"
			  "  json_remove(?2, '$.at') ELSE 1 END",
			  DB_ARGS(DB_INT(series), DB_TEXT(text)));
}
