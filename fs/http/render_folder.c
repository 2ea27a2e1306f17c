/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A folder's page for the HTTP door (render_folder.h): the mount's
 * listing (nodes.h) as a grid of cards with covers. It reads only what
 * the tree lists and the index's sizes and times of the files, never a
 * file's bytes nor the disk, and writes nothing.
 */
#include "fs/http/render_folder.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "common/http.h"
#include "common/utf8.h"
#include "fs/tree/nodes.h"
#include "indexer/reads.h"

struct folder {
	struct strbuf *out;
	const char *path;
	struct strbuf cover;	/* the name of a cover found */
	struct strbuf names;	/* the folders' names, each NUL-ended */
	int files;		/* files listed so far */
};

/* What a card tells of the folder it links to, gathered from listings:
 * the cover it holds, the files.id of its files and of its folders'
 * files (an artist's albums' tracks), its folders' names. */
struct card {
	struct strbuf cover;
	struct strbuf ids;	/* a JSON array being written, "[1,2" */
	struct strbuf subs;	/* its folders' names, each NUL-ended */
	int depth;		/* 0: the card's folder, 1: one of its */
};

/* A picture the views name as an album's (or a folder's) cover. */
static int is_cover(const char *name, const struct node *n)
{
	return n->type != NODE_DIR && !strncmp(name, "cover.", 6);
}

static int find_cover(const char *name, const struct node *child,
		      void *arg)
{
	struct strbuf *cover = arg;

	if (!is_cover(name, child))
		return 0;
	strbuf_addstr(cover, name);
	return 1;
}

/* Note a child of the card's folder (its folders, its cover) or of one
 * of its folders: a real file's id. */
static int card_gather(const char *name, const struct node *child, void *arg)
{
	struct card *c = arg;

	if (child->type == NODE_DIR) {
		if (!c->depth && strcmp(name, ".") && strcmp(name, ".."))
			strbuf_add(&c->subs, name, strlen(name) + 1);
		return 0;
	}
	if (!c->depth && !c->cover.len && is_cover(name, child))
		strbuf_addstr(&c->cover, name);
	/* a real file of the index; not a track's embedded picture */
	if (child->type == NODE_REAL && child->file > 0)
		strbuf_addf(&c->ids, "%c%lld", c->ids.len ? ',' : '[',
			    (long long)child->file);
	return 0;
}

/* The card of the folder path/name: what it holds and what its folders
 * hold, from the tree's listings (no file on disk is looked at). */
static void card_of(const char *path, const char *name, struct card *c)
{
	struct strbuf child = STRBUF_INIT, sub = STRBUF_INIT;

	strbuf_reset(&c->cover);
	strbuf_reset(&c->ids);
	strbuf_reset(&c->subs);
	c->depth = 0;
	strbuf_addf(&child, "%s%s%s", path, strcmp(path, "/") ? "/" : "",
		    name);
	/* a listing that fails leaves the card no cover, no size */
	if (nodes_children(child.buf, card_gather, c) < 0) {
		strbuf_reset(&c->cover);
		strbuf_reset(&c->ids);
		strbuf_reset(&c->subs);
	}
	c->depth = 1;
	for (size_t at = 0; at < c->subs.len; at += sub.len + 1) {
		strbuf_reset(&sub);
		strbuf_addstr(&sub, c->subs.buf + at);
		strbuf_addf(&child, "/%s", sub.buf);
		if (nodes_children(child.buf, card_gather, c) < 0) {
			strbuf_reset(&c->ids);
			break;
		}
		child.len -= sub.len + 1;
		child.buf[child.len] = '\0';
	}
	strbuf_release(&sub);
	strbuf_release(&child);
}

/* bytes in the units people read, as "4.2 MB" */
static void add_size(struct strbuf *out, int64_t bytes)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double n = (double)bytes;
	size_t u = 0;

	while (n >= 1000 && u + 1 < sizeof(units) / sizeof(*units)) {
		n /= 1000;
		u++;
	}
	strbuf_addf(out, u && n < 10 ? "%.1f %s" : "%.0f %s", n, units[u]);
}

/* The size and the date of the card's files, as the index knows them. */
static void add_size_date(struct strbuf *out, struct card *c)
{
	int64_t bytes, newest_ns;
	char day[16];
	struct tm tm;
	time_t t;

	if (!c->ids.len)
		return;
	strbuf_addch(&c->ids, ']');
	if (query_files_total(c->ids.buf, &bytes, &newest_ns))
		return;
	strbuf_addstr(out, "<span class=\"size\">");
	add_size(out, bytes);
	strbuf_addstr(out, "</span>");
	t = (time_t)(newest_ns / 1000000000);
	if (newest_ns <= 0 || !gmtime_r(&t, &tm) ||
	    !strftime(day, sizeof(day), "%Y-%m-%d", &tm))
		return;
	strbuf_addf(out, " <time datetime=\"%s\">%s</time>", day, day);
}

/* Gather the names of the folder's folders (the listing holds the
 * views' lock: a child's cover is looked for once it is let go). */
static int add_folder(const char *name, const struct node *child,
		      void *arg)
{
	struct folder *f = arg;

	if (child->type != NODE_DIR || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return 0;
	strbuf_add(&f->names, name, strlen(name) + 1);
	return 0;
}

/* Each folder's card: its cover, if it holds one, over its name, its
 * size and its newest file's date. */
static void add_cards(struct folder *f)
{
	struct card c = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, 0 };

	for (size_t at = 0; at < f->names.len;) {
		const char *name = f->names.buf + at;

		card_of(f->path, name, &c);
		strbuf_addstr(f->out, "<li><a href=\"");
		http_escape(name, 0, f->out);
		strbuf_addstr(f->out, "/\">");
		if (c.cover.len) {
			strbuf_addstr(f->out, "<img src=\"");
			http_escape(name, 0, f->out);
			strbuf_addch(f->out, '/');
			http_escape(c.cover.buf, 0, f->out);
			strbuf_addstr(f->out, "\" alt=\"\">");
		}
		utf8_add_xml(f->out, name, 1);
		strbuf_addstr(f->out, "/</a>");
		add_size_date(f->out, &c);
		strbuf_addch(f->out, '\n');
		at += strlen(name) + 1;
	}
	strbuf_release(&c.cover);
	strbuf_release(&c.ids);
	strbuf_release(&c.subs);
}

static int add_file(const char *name, const struct node *child, void *arg)
{
	struct folder *f = arg;

	if (child->type == NODE_DIR)
		return 0;
	if (!f->files++)
		strbuf_addstr(f->out, "<ul id=\"files\">\n");
	strbuf_addstr(f->out, "<li><a href=\"");
	http_escape(name, 0, f->out);
	strbuf_addstr(f->out, "\">");
	utf8_add_xml(f->out, name, 1);
	strbuf_addstr(f->out, "</a>\n");
	return 0;
}

int render_folder_page(const char *path, struct strbuf *out)
{
	struct folder f = { out, path, STRBUF_INIT, STRBUF_INIT, 0 };
	int rc;

	strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		      "<meta charset=\"utf-8\">\n<meta name=\"viewport\""
		      " content=\"width=device-width, initial-scale=1\">\n"
		      "<title>");
	utf8_add_xml(out, path, 1);
	strbuf_addstr(out, "</title>\n<style>\n"
		      "body{font-family:sans-serif;margin:1em}\n"
		      "#folders{display:grid;grid-template-columns:"
		      "repeat(auto-fill,minmax(9em,1fr));gap:1em;"
		      "list-style:none;padding:0}\n"
		      "#folders a{display:block;word-wrap:break-word}\n"
		      "#folders .size,#folders time{display:block}\n"
		      "#folders img{display:block;width:100%;"
		      "aspect-ratio:1;object-fit:cover;margin-bottom:.3em}\n"
		      "#cover{max-width:min(100%,20em);height:auto}\n"
		      "</style>\n</head>\n<body>\n<h1>");
	utf8_add_xml(out, path, 1);
	strbuf_addstr(out, "</h1>\n<p><a href=\"../\">../</a></p>\n");
	rc = nodes_children(path, find_cover, &f.cover);
	if (rc >= 0 && f.cover.len) {
		strbuf_addstr(out, "<img id=\"cover\" src=\"");
		http_escape(f.cover.buf, 0, out);
		strbuf_addstr(out, "\" alt=\"\">\n");
	}
	if (rc >= 0) {
		rc = nodes_children(path, add_folder, &f);
		strbuf_addstr(out, "<ul id=\"folders\">\n");
		add_cards(&f);
		strbuf_addstr(out, "</ul>\n");
	}
	if (rc >= 0)
		rc = nodes_children(path, add_file, &f);
	if (f.files)
		strbuf_addstr(out, "</ul>\n");
	strbuf_addstr(out, "</body>\n</html>\n");
	strbuf_release(&f.cover);
	strbuf_release(&f.names);
	return rc < 0 ? rc : 0;
}
