/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The parts of the page at / that tell the caller what it has and what
 * came lately and what runs now (render_home.h). It reads the live
 * status, the caller's counts (render_status.h), its albums
 * (subsonic_index.h) and the manga shelf (opds_shelf.h) and writes
 * nothing; the page itself is http_serve.c's.
 */
#include "fs/http/render_home.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/http.h"
#include "common/utf8.h"
#include "fs/http/page_token.h"
#include "fs/tree/caller.h"
#include "fs/tree/opds_cover.h"
#include "fs/tree/opds_feed.h"
#include "fs/tree/opds_shelf.h"
#include "fs/tree/opds_zip.h"
#include "fs/tree/render_status.h"
#include "fs/subsonic/subsonic_index.h"
#include "fs/subsonic/subsonic_music.h"
#include "indexer/indexer.h"
#include "indexer/reads.h"

void render_home_counts(struct strbuf *out)
{
	struct library_counts c;
	int rc = render_status_counts(&c);

	if (rc == -EAGAIN) {
		strbuf_addstr(out, "<p id=\"counts\">(being counted)</p>\n");
		return;
	}
	if (rc) {
		strbuf_addf(out, "<p>(%s)</p>\n", strerror(-rc));
		return;
	}
	strbuf_addf(out, "<table id=\"counts\">\n"
		    "<tr><th>tracks</th><td id=\"count-tracks\">%lld</td>\n"
		    "<tr><th>albums</th><td id=\"count-albums\">%lld</td>\n"
		    "<tr><th>artists</th><td id=\"count-artists\">%lld</td>\n"
		    "<tr><th>series</th><td id=\"count-series\">%lld</td>\n"
		    "<tr><th>volumes</th><td id=\"count-volumes\">%lld</td>\n"
		    "<tr><th>missing</th><td id=\"count-missing\">%lld</td>\n"
		    "</table>\n", (long long)c.tracks, (long long)c.albums,
		    (long long)c.artists, (long long)c.series,
		    (long long)c.volumes, (long long)c.missing);
}

/* The hand-offs on their way (sent, queued in the client, downloading)
 * with their progress, for the owner, who alone may read downloads.json;
 * how many. */
static int add_downloads(struct strbuf *out)
{
	struct monitor_download *d;
	size_t n;
	int running = 0;

	if (!caller_is_owner() || monitor_reads_downloads(&d, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		const char *st = d[i].state ? d[i].state : "";

		if (strcmp(st, "sent") && strcmp(st, "queued") &&
		    strcmp(st, "downloading"))
			continue;
		strbuf_addstr(out, running++ ? "" :
			      "<ul id=\"now-downloads\">\n");
		strbuf_addstr(out, "<li>");
		utf8_add_xml(out, d[i].series, 0);
		strbuf_addf(out, " volume %d: <span class=\"state\">%s</span>"
			    " <progress max=\"100\" value=\"%.0f\">"
			    "%.0f%%</progress></li>\n", d[i].volume,
			    d[i].state, d[i].progress * 100,
			    d[i].progress * 100);
	}
	if (running)
		strbuf_addstr(out, "</ul>\n");
	monitor_downloads_free(d, n);
	return running;
}

/* The jobs running and queued (a check, a repair pass...), a line
 * each, by the names summary.json gives them. */
static void add_jobs(struct strbuf *out, const struct jobs_status *j)
{
	const char *name, *words;

	if (!j->running && !j->pending)
		return;
	strbuf_addstr(out, "<ul id=\"now-jobs\">\n");
	for (unsigned bit = 1; bit; bit <<= 1) {
		if (!((j->running | j->pending) & bit) ||
		    !(name = render_status_job_name(bit, &words)))
			continue;
		strbuf_addf(out, "<li id=\"now-job-%s\">%s: <span"
			    " class=\"state\">%s</span>\n", name, words,
			    j->running & bit ? "running" : "queued");
	}
	strbuf_addstr(out, "</ul>\n");
}

int render_home_now(struct strbuf *out)
{
	struct indexer_status s;
	int busy;

	indexer_status(&s);
	busy = strcmp(s.state, "idle") != 0;
	strbuf_addf(out, "<p id=\"now\"><span id=\"now-state\">%s</span>",
		    s.state);
	if (!strcmp(s.state, "scanning")) {
		strbuf_addf(out, ": <span id=\"now-progress\">%llu files",
			    (unsigned long long)s.scan.files_seen);
		if (s.scan.total_estimate &&
		    s.scan.total_estimate >= s.scan.files_seen)
			strbuf_addf(out, " of %llu</span>", (unsigned long long)
				    s.scan.total_estimate);
		else
			strbuf_addstr(out, "</span> (no estimate: more files"
				      " than expected)");
		if (s.scan.counting)
			strbuf_addstr(out, " <span id=\"now-counting\">(still"
				      " counting the files on disk)</span>");
	}
	strbuf_addf(out, "; checks <span id=\"now-checks\">%d running,"
		    " %d queued</span></p>\n",
		    __builtin_popcount(s.jobs.running),
		    __builtin_popcount(s.jobs.pending));
	add_jobs(out, &s.jobs);
	return add_downloads(out) || busy;
}

/* One volume added lately: its cover, linked to its series' feed. */
static void add_lately_volume(struct strbuf *out,
			      const struct opds_shelf *s,
			      const struct opds_volume *v)
{
	const struct opds_series *se = &s->series[v->series];

	strbuf_addstr(out, "<li><a href=\"/opds/series/");
	http_escape(se->feed, 0, out);
	strbuf_addstr(out, "\">");
	if (v->cover >= 0 && (opds_feed_pages(v->name) & OPDS_COVER)) {
		strbuf_addstr(out, "<img src=\"/opds/covers/");
		opds_cover_name(v->zip ? v->zip->v[0].file : v->file,
				v->cover, out);
		strbuf_addstr(out, "\" alt=\"\" height=\"120\"> ");
	}
	utf8_add_xml(out, se->dir, 1);
	strbuf_addstr(out, ": ");
	utf8_add_xml(out, v->name, 1);
	strbuf_addstr(out, "</a>\n");
}

int render_home_lately(struct strbuf *out)
{
	struct opds_shelf s;
	unsigned char *shown;
	int rc = opds_shelf_read(&s, OPDS_SHELF_ALL);

	if (rc)
		return rc;
	shown = calloc(s.nr_volumes ? s.nr_volumes : 1, 1);
	if (!shown) {
		opds_shelf_release(&s);
		return -ENOMEM;
	}
	strbuf_addstr(out, "<ul id=\"lately-volumes\" class=\"grid\">\n");
	for (int n = 0; n < RENDER_HOME_LATELY;) {
		size_t best = SIZE_MAX;

		for (size_t i = 0; i < s.nr_volumes; i++)
			if (!shown[i] && (best == SIZE_MAX ||
					  s.volumes[i].mtime_ns >
					  s.volumes[best].mtime_ns))
				best = i;
		if (best == SIZE_MAX)
			break;
		shown[best] = 1;
		add_lately_volume(out, &s, &s.volumes[best]);
	}
	strbuf_addstr(out, "</ul>\n");
	free(shown);
	opds_shelf_release(&s);
	return 0;
}

/* The mount path of the album folder rel's cover.EXT into out, if the
 * caller may see one: 0 or -ENOENT. */
static int lately_album_cover(const char *rel, struct strbuf *out)
{
	struct strbuf path = STRBUF_INIT;
	json_t *items = NULL, *item;
	size_t i;
	int rc;

	strbuf_addf(&path, "%s/%s", SUBSONIC_MUSIC_TOP, rel);
	if (subsonic_music_children(path.buf, 0, &items))
		items = NULL;
	rc = -ENOENT;
	json_array_foreach(items, i, item) {
		const char *name = json_string_value(json_object_get(item,
								   "name"));

		if (name && !strncmp(name, "cover.", 6)) {
			strbuf_addf(out, "%s/%s", path.buf, name);
			rc = 0;
			break;
		}
	}
	json_decref(items);
	strbuf_release(&path);
	return rc;
}

/* The mount path path as a URL's path: each name escaped, not the
 * slashes between them. */
static void add_path_url(struct strbuf *out, const char *path)
{
	struct strbuf name = STRBUF_INIT;

	for (const char *p = path, *end; *p; p = end + !!*end) {
		end = strchrnul(p, '/');
		strbuf_reset(&name);
		strbuf_add(&name, p, end - p);
		http_escape(name.buf, 0, out);
		if (*end)
			strbuf_addch(out, '/');
	}
	strbuf_release(&name);
}

/* One album added lately: its cover, linked to its folder. */
static void add_lately_album(struct strbuf *out,
			     const struct subsonic_index_album *al)
{
	struct strbuf cover = STRBUF_INIT;

	strbuf_addstr(out, "<li><a href=\"");
	add_path_url(out, SUBSONIC_MUSIC_TOP "/");
	add_path_url(out, al->rel);
	strbuf_addstr(out, "/\">");
	if (al->cover && !lately_album_cover(al->rel, &cover)) {
		strbuf_addstr(out, "<img src=\"");
		add_path_url(out, cover.buf);
		strbuf_addstr(out, "\" alt=\"\" height=\"120\"> ");
	}
	utf8_add_xml(out, al->artist, 1);
	strbuf_addstr(out, ": ");
	utf8_add_xml(out, al->name, 1);
	strbuf_addstr(out, "</a>\n");
	strbuf_release(&cover);
}

int render_home_albums(struct strbuf *out)
{
	struct subsonic_index *ix;
	unsigned char *shown;
	int rc = subsonic_index_get(&ix);

	if (rc)
		return rc;
	shown = calloc(ix->nalbums ? ix->nalbums : 1, 1);
	if (!shown) {
		subsonic_index_put(ix);
		return -ENOMEM;
	}
	strbuf_addstr(out, "<ul id=\"lately-albums\" class=\"grid\">\n");
	for (int n = 0; n < RENDER_HOME_LATELY;) {
		size_t best = SIZE_MAX;

		for (size_t i = 0; i < ix->nalbums; i++)
			if (!shown[i] && (best == SIZE_MAX ||
					  ix->albums[i].last >
					  ix->albums[best].last))
				best = i;
		if (best == SIZE_MAX)
			break;
		shown[best] = 1;
		/* the index may be older than a chmod, or than the
		 * album's going */
		if (!subsonic_index_seen_any(ix, best, best + 1))
			continue;
		add_lately_album(out, &ix->albums[best]);
		n++;
	}
	strbuf_addstr(out, "</ul>\n");
	free(shown);
	subsonic_index_put(ix);
	return 0;
}

/* The buttons of the page: each a form posting its value to a control
 * file, as a write of it on the mount would. */
static const struct {
	const char *id, *file, *value, *label;
} buttons[] = {
	{ "do-rescan", "/control/rescan", "1", "Rescan" },
	{ "do-check", "/control/check-missing", "1",
	  "Look for missing volumes" },
	{ "do-pause", "/control/pause", "1", "Pause the analysis" },
	{ "do-resume", "/control/pause", "0", "Resume the analysis" },
};

void render_home_buttons(struct strbuf *out)
{
	char token[PAGE_TOKEN_LEN];

	if (!caller_is_owner() || page_token_of(caller_uid(), token))
		return;
	strbuf_addstr(out, "<h2>Do</h2>\n<div id=\"buttons\">\n");
	for (size_t i = 0; i < sizeof(buttons) / sizeof(*buttons); i++)
		strbuf_addf(out, "<form id=\"%s\" method=\"post\""
			    " action=\"%s\"><input type=\"hidden\""
			    " name=\"token\" value=\"%s\"><input"
			    " type=\"hidden\" name=\"value\" value=\"%s\">"
			    "<button>%s</button></form>\n", buttons[i].id,
			    buttons[i].file, token, buttons[i].value,
			    buttons[i].label);
	strbuf_addstr(out, "</div>\n");
}

/* The missing volumes being gathered: the shelf the caller may see, and
 * the series of the last line written, whose volumes follow it. */
struct missing {
	struct strbuf *out;
	const struct opds_shelf *s;
	int64_t last;
	int lines;
};

static int add_missing(void *arg, int64_t id, const char *series,
		       int volume, const char *series_path)
{
	struct missing *m = arg;
	const struct opds_series *se = NULL;

	(void)series;
	(void)series_path;
	for (size_t i = 0; !se && i < m->s->nr_series; i++)
		if (m->s->series[i].id == id)
			se = &m->s->series[i];
	if (!se)
		return 0;
	if (id == m->last) {
		strbuf_addf(m->out, ", %d", volume);
		return 0;
	}
	if (m->lines++ == RENDER_HOME_MISSING)
		return 1;
	m->last = id;
	strbuf_addstr(m->out, "<li><a href=\"/opds/series/");
	http_escape(se->feed, 0, m->out);
	strbuf_addstr(m->out, "\">");
	if (se->cover_file) {
		strbuf_addstr(m->out, "<img src=\"/opds/covers/");
		opds_cover_name(se->cover_file, se->cover_kind, m->out);
		strbuf_addstr(m->out, "\" alt=\"\" height=\"120\"> ");
	}
	utf8_add_xml(m->out, se->dir, 1);
	strbuf_addf(m->out, "</a> missing: %d", volume);
	return 0;
}

int render_home_missing(struct strbuf *out)
{
	struct opds_shelf s;
	struct missing m = { out, &s, 0, 0 };
	int rc = opds_shelf_read(&s, OPDS_SHELF_ALL);

	if (rc)
		return rc;
	strbuf_addstr(out, "<ul id=\"missing\" class=\"grid\">\n");
	rc = manga_reads_missing(add_missing, &m);
	strbuf_addstr(out, "</ul>\n");
	if (!rc && !m.lines)
		strbuf_addstr(out, "<p>(none)</p>\n");
	opds_shelf_release(&s);
	return rc < 0 ? rc : 0;
}
