/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The files of /playlists (playlists.h): which tracks each playlist
 * holds for its caller, the names of similar/, and the M3U8 text. It
 * reads the store through indexer/analysis/playlist_reads.h alone and computes no
 * similarity itself.
 */
#include "fs/playlists.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "fs/caller.h"
#include "fs/node.h"
#include "indexer/reads.h"

/* A playlist being written: how many entries it holds, and may. */
struct m3u {
	struct strbuf *out;
	size_t n, max;
	int owner;
	int first;	/* the track of a similar list, still to come */
};

/* Text of one #EXTINF line: no line break within it. */
static void add_flat(struct strbuf *out, const char *s)
{
	for (; *s; s++)
		strbuf_addch(out, *s == '\n' || *s == '\r' ? ' ' : *s);
}

/* Whether the caller of this thread may have t in a playlist. */
static int shown(const struct m3u *m, const struct playlist_track *t)
{
	if (strpbrk(t->path, "\n\r"))
		return 0;
	return m->owner || caller_may_read(t->path);
}

static int add_entry(void *arg, const struct playlist_track *t)
{
	struct m3u *m = arg;
	int first = m->first;

	m->first = 0;
	if (m->n >= m->max)
		return 1;
	if (!shown(m, t))
		return first ? -ENOENT : 0;
	strbuf_addf(m->out, "#EXTINF:%lld,", t->seconds < 0 ? -1LL :
		    (long long)llround(t->seconds));
	if (*t->artist) {
		add_flat(m->out, t->artist);
		strbuf_addstr(m->out, " - ");
	}
	add_flat(m->out, t->title);
	strbuf_addf(m->out, "\n%s\n", t->path);
	m->n++;
	return 0;
}

static int add_duplicate(void *arg, int group, const struct playlist_track *t)
{
	(void)group;
	return add_entry(arg, t);
}

static void m3u_begin(struct m3u *m, struct strbuf *out, size_t max)
{
	*m = (struct m3u){ out, 0, max, caller_is_owner(), 0 };
	strbuf_addstr(out, "#EXTM3U\n");
}

/* A callback's "stop" (1) is no error. */
static int done(int rc)
{
	return rc > 0 ? 0 : rc;
}

int playlists_render_recent(struct strbuf *out)
{
	struct m3u m;

	m3u_begin(&m, out, PLAYLISTS_RECENT);
	return done(playlist_reads_recent(PLAYLISTS_MAX, add_entry, &m));
}

int playlists_render_duplicates(struct strbuf *out)
{
	struct m3u m;

	m3u_begin(&m, out, PLAYLISTS_MAX);
	return done(playlist_reads_duplicates(add_duplicate, &m));
}

int playlists_render_similar(struct strbuf *out, int64_t track)
{
	struct m3u m;

	m3u_begin(&m, out, SIMILAR_MAX + 1);
	m.first = 1;
	return done(playlist_reads_similar(track, PLAYLISTS_SIMILAR_POOL,
					   add_entry, &m));
}

/* The names of similar/ the caller may see. */
struct names {
	struct name {
		char *text;
		int64_t track;
	} *v;
	size_t nr, alloc;
	int owner;
};

/* Append the file name of t (without its number or extension). */
static void base_name(struct strbuf *out, const struct playlist_track *t)
{
	size_t start = out->len;

	strbuf_addstr(out, *t->artist ? t->artist : "Unknown artist");
	strbuf_addstr(out, " - ");
	strbuf_addstr(out, t->title);
	for (size_t i = start; i < out->len; i++) {
		unsigned char c = out->buf[i];

		if (c < 0x20 || c == 0x7f || c == '/')
			out->buf[i] = '_';
	}
	if (out->buf[start] == '.')
		out->buf[start] = '_';
	if (out->len - start > PLAYLISTS_NAME_MAX) {
		size_t end = start + PLAYLISTS_NAME_MAX;

		while (end > start && ((unsigned char)out->buf[end] & 0xc0) ==
		       0x80)
			end--;
		out->len = end;
		out->buf[end] = '\0';
	}
}

static int add_name(void *arg, const struct playlist_track *t)
{
	struct names *ns = arg;
	struct strbuf name = STRBUF_INIT;

	if (strpbrk(t->path, "\n\r") ||
	    (!ns->owner && !caller_may_read(t->path)))
		return 0;
	if (ns->nr == ns->alloc) {
		size_t alloc = ns->alloc ? 2 * ns->alloc : 64;
		struct name *v = realloc(ns->v, alloc * sizeof(*v));

		if (!v)
			return log_error(-ENOMEM, "playlists: out of memory");
		ns->v = v;
		ns->alloc = alloc;
	}
	base_name(&name, t);
	ns->v[ns->nr].text = strbuf_detach(&name, NULL);
	ns->v[ns->nr++].track = t->track;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct name *x = a, *y = b;
	int c = strcmp(x->text, y->text);

	if (c)
		return c;
	return (x->track > y->track) - (x->track < y->track);
}

static void names_release(struct names *ns)
{
	for (size_t i = 0; i < ns->nr; i++)
		free(ns->v[i].text);
	free(ns->v);
}

/* Read the names, sorted, each made whole but for its form (its number
 * after a first of one name). */
static int names_read(struct names *ns)
{
	struct strbuf name = STRBUF_INIT, prev = STRBUF_INIT;
	int rc;

	*ns = (struct names){ .owner = caller_is_owner() };
	rc = playlist_reads_analysed(add_name, ns);
	if (rc) {
		names_release(ns);
		return rc;
	}
	qsort(ns->v, ns->nr, sizeof(*ns->v), by_name);
	for (size_t i = 0, same = 1; i < ns->nr; i++) {
		same = i && !strcmp(ns->v[i].text, prev.buf) ? same + 1 : 1;
		strbuf_reset(&prev);
		strbuf_addstr(&prev, ns->v[i].text);
		strbuf_reset(&name);
		strbuf_addstr(&name, ns->v[i].text);
		if (same > 1)
			strbuf_addf(&name, " (%zu)", same);
		free(ns->v[i].text);
		ns->v[i].text = strbuf_detach(&name, NULL);
	}
	strbuf_release(&prev);
	strbuf_release(&name);
	return 0;
}

static void similar_node(struct node *out, int64_t track)
{
	*out = (struct node){ NODE_FILE,
			      .render_series = playlists_render_similar,
			      .series = track };
}

/* The forms of the names: in similar/ and in mpd/. */
static const struct form {
	const char *prefix, *ext;
} forms[] = {
	[PLAYLISTS_SIMILAR] = { "", ".m3u8" },
	[PLAYLISTS_MPD] = { "similar - ", ".m3u" },
};

/* The playlists of mpd/ beside the similar ones. */
static const struct {
	const char *name;
	int (*render)(struct strbuf *out);
} mpd_fixed[] = {
	{ "recent.m3u", playlists_render_recent },
	{ "duplicates.m3u", playlists_render_duplicates },
};

/* The name of similar list i in form f into out. */
static void form_name(struct strbuf *out, const struct names *ns, size_t i,
		      const struct form *f)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s%s%s", f->prefix, ns->v[i].text, f->ext);
}

int playlists_resolve(const char *name, enum playlists_form form,
		      struct node *out)
{
	struct strbuf whole = STRBUF_INIT;
	struct names ns;
	int rc;

	for (size_t i = 0; form == PLAYLISTS_MPD && i < ARRAY_SIZE(mpd_fixed);
	     i++) {
		if (!strcmp(name, mpd_fixed[i].name)) {
			*out = (struct node){ NODE_FILE,
					      .render = mpd_fixed[i].render };
			return 0;
		}
	}
	rc = names_read(&ns);
	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; rc && i < ns.nr; i++) {
		form_name(&whole, &ns, i, &forms[form]);
		if (!strcmp(whole.buf, name)) {
			similar_node(out, ns.v[i].track);
			rc = 0;
		}
	}
	strbuf_release(&whole);
	names_release(&ns);
	return rc;
}

int playlists_list(enum playlists_form form,
		   int (*fn)(const char *name, const struct node *child,
			     void *arg),
		   void *arg)
{
	struct strbuf whole = STRBUF_INIT;
	struct names ns;
	struct node n;
	int rc;

	for (size_t i = 0; form == PLAYLISTS_MPD && i < ARRAY_SIZE(mpd_fixed);
	     i++) {
		n = (struct node){ NODE_FILE, .render = mpd_fixed[i].render };
		if (fn(mpd_fixed[i].name, &n, arg))
			return 0;
	}
	rc = names_read(&ns);
	if (rc)
		return rc;
	for (size_t i = 0; i < ns.nr; i++) {
		similar_node(&n, ns.v[i].track);
		form_name(&whole, &ns, i, &forms[form]);
		if (fn(whole.buf, &n, arg))
			break;
	}
	strbuf_release(&whole);
	names_release(&ns);
	return 0;
}
