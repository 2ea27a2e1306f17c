/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The health block of the page at / (render_home_health.h): the lines
 * the caller reads, each with since when it holds and where its fix is
 * told. It reads the lines' notes (health_since.h) and the caller's
 * manga shelf (opds_shelf.h) and writes nothing; what the lines say is
 * fs/tree/render_health.c's.
 */
#include "fs/http/render_home_health.h"

#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/http.h"
#include "common/utf8.h"
#include "fs/tree/caller.h"
#include "fs/tree/health_since.h"
#include "fs/tree/opds_shelf.h"
#include "fs/tree/render.h"

/* The series of the shelf whose folder the line names, or NULL. */
static const struct opds_series *line_series(const struct opds_shelf *s,
					   const char *line, size_t len)
{
	struct strbuf want = STRBUF_INIT;
	const struct opds_series *found = NULL;

	for (size_t i = 0; !found && s && i < s->nr_series; i++) {
		const char *dir = s->series[i].dir;

		strbuf_reset(&want);
		strbuf_addf(&want, "/manga/%s/", dir);
		if (memmem(line, len, want.buf, want.len))
			found = &s->series[i];
		strbuf_reset(&want);
		strbuf_addf(&want, "warn: %s volume ", dir);
		if (len >= want.len && !memcmp(line, want.buf, want.len))
			found = &s->series[i];
	}
	strbuf_release(&want);
	return found;
}

/* Since when the line holds: its time, and how long that is. */
static void add_since(struct strbuf *out, const char *line, size_t len)
{
	double since = health_since_of(line, len), now = clock_wall();
	char at[CLOCK_RFC3339_LEN], words[CLOCK_WORDS_LEN];

	if (since <= 0)
		return;
	clock_rfc3339((time_t)since, at);
	clock_words(now > since ? now - since : 0, words);
	/* "2026-11-21T19:12:14Z" shown "2026-11-21 19:12 UTC" */
	strbuf_addf(out, " <span class=\"since\">since <time datetime=\"%s\">"
		    "%.10s %.5s UTC</time> (%s)</span>", at, at, at + 11,
		    words);
}

/* What to do: the series' feed, /log, the page of the manual. */
static void add_fix(struct strbuf *out, const struct opds_shelf *s,
		    const char *line, size_t len)
{
	const struct opds_series *se = line_series(s, line, len);

	strbuf_addstr(out, " <span class=\"fix\">see ");
	if (se) {
		strbuf_addstr(out, "<a href=\"/opds/series/");
		http_escape(se->feed, 0, out);
		strbuf_addstr(out, "\">");
		utf8_add_xml(out, se->dir, 1);
		strbuf_addstr(out, "</a>, ");
	}
	if (caller_is_owner() && memmem(line, len, "(see /log)", 10))
		strbuf_addstr(out, "<a href=\"/log\">/log</a>, ");
	strbuf_addf(out, "%s</span>", health_since_see(line, len));
}

void render_home_health(struct strbuf *out, const char *text)
{
	struct strbuf line = STRBUF_INIT;
	struct opds_shelf shelf;
	int have = !opds_shelf_read(&shelf, OPDS_SHELF_NONE);

	strbuf_addstr(out, "<ul id=\"health\">\n");
	for (const char *l = text, *end; *l; l = end + !!*end) {
		end = strchrnul(l, '\n');
		strbuf_reset(&line);
		strbuf_add(&line, l, end - l);
		if (!strcmp(line.buf, "ok")) {
			strbuf_addstr(out, "<li class=\"ok\">ok\n");
			continue;
		}
		strbuf_addf(out, "<li class=\"%s\"><span class=\"line\">",
			    strncmp(line.buf, "error:", 6) ? "warn" : "error");
		utf8_add_xml(out, line.buf, 1);
		strbuf_addstr(out, "</span>");
		add_since(out, line.buf, line.len);
		add_fix(out, have ? &shelf : NULL, line.buf, line.len);
		strbuf_addch(out, '\n');
	}
	strbuf_addstr(out, "</ul>\n");
	if (have)
		opds_shelf_release(&shelf);
	strbuf_release(&line);
}
