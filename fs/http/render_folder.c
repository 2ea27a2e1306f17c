/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A folder's page for the HTTP door (render_folder.h): the mount's
 * listing (nodes.h) as a grid of cards with covers. It reads only what
 * the tree lists, never a file's bytes, and writes nothing.
 */
#include "fs/http/render_folder.h"

#include <string.h>

#include "common/http.h"
#include "common/utf8.h"
#include "fs/tree/nodes.h"

struct folder {
	struct strbuf *out;
	const char *path;
	struct strbuf cover;	/* the name of a cover found */
	struct strbuf names;	/* the folders' names, each NUL-ended */
	int files;		/* files listed so far */
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

/* The cover held by the folder path/name into cover (empty: none). */
static void cover_of(const char *path, const char *name,
		     struct strbuf *cover)
{
	struct strbuf child = STRBUF_INIT;

	strbuf_reset(cover);
	strbuf_addf(&child, "%s%s%s", path, strcmp(path, "/") ? "/" : "",
		    name);
	if (nodes_children(child.buf, find_cover, cover) < 0)
		strbuf_reset(cover);
	strbuf_release(&child);
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

/* Each folder's card: its cover, if it holds one, over its name. */
static void add_cards(struct folder *f)
{
	for (size_t at = 0; at < f->names.len;) {
		const char *name = f->names.buf + at;

		cover_of(f->path, name, &f->cover);
		strbuf_addstr(f->out, "<li><a href=\"");
		http_escape(name, 0, f->out);
		strbuf_addstr(f->out, "/\">");
		if (f->cover.len) {
			strbuf_addstr(f->out, "<img src=\"");
			http_escape(name, 0, f->out);
			strbuf_addch(f->out, '/');
			http_escape(f->cover.buf, 0, f->out);
			strbuf_addstr(f->out, "\" alt=\"\">");
		}
		utf8_add_xml(f->out, name, 1);
		strbuf_addstr(f->out, "/</a>\n");
		at += strlen(name) + 1;
	}
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
