/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The files of /opds: what each feed of the catalog lists, from the
 * shelf its caller may see (opds_shelf.h), written by opds_feed.h. It
 * decides content and links, never the XML itself.
 */
#include "fs/tree/opds.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/http.h"
#include "common/strbuf.h"
#include "fs/tree/node.h"
#include "fs/tree/opds_cover.h"
#include "fs/tree/opds_feed.h"
#include "fs/tree/opds_search.h"
#include "fs/tree/opds_shelf.h"
#include "fs/tree/opds_zip.h"
#include "fs/tree/views_name.h"
#include "indexer/reads.h"

#define URN "urn:mediamon:opds:"

/* Where the feeds of /opds and of /opds/series find /opds and
 * /library/manga. */
struct place {
	const char *opds, *library;
};

static const struct place top = { "", "../library/manga/" };
static const struct place below = { "../", "../../library/manga/" };

/* A volume's numbers as a reader says them: "1", "2.5", "1-3". */
static void add_numbers(struct strbuf *out, const struct opds_volume *v)
{
	strbuf_addf(out, "%g", v->first);
	if (v->last > v->first)
		strbuf_addf(out, "-%g", v->last);
}

static int64_t newest(const struct opds_shelf *s)
{
	int64_t ns = 0;

	for (size_t i = 0; i < s->nr_series; i++)
		if (s->series[i].newest_ns > ns)
			ns = s->series[i].newest_ns;
	return ns;
}

/* The name a volume file v has in /opds/files/STEM/, STEM its series'
 * feed's name without ".xml": "STEM VOLUME", so that a book saved under
 * the link's last segment carries its series ("Blue Lock Volume
 * 004.cbz"); -ENAMETOOLONG past NAME_MAX. A special's own name is kept
 * where it starts with STEM or the other is too long. */
static int file_name(struct strbuf *out, const char *stem, size_t stem_len,
		     const struct opds_volume *v)
{
	strbuf_reset(out);
	if (!v->special || strncmp(v->name, stem, stem_len) ||
	    v->name[stem_len] != ' ') {
		strbuf_add(out, stem, stem_len);
		strbuf_addch(out, ' ');
	}
	strbuf_addstr(out, v->name);
	if (v->special && out->len > NAME_MAX) {
		strbuf_reset(out);
		strbuf_addstr(out, v->name);
	}
	return out->len > NAME_MAX ? -ENAMETOOLONG : 0;
}

/* The acquisition link of v: its file in /opds/files, or where that name
 * would be too long, in /library/manga; -ENAMETOOLONG for a folder's zip,
 * which is nowhere else. */
static int add_file_href(struct strbuf *href, const struct opds_series *se,
			 const struct opds_volume *v, const struct place *at)
{
	size_t stem_len = strlen(se->feed) - 4;	/* ".xml" */
	struct strbuf stem = STRBUF_INIT, name = STRBUF_INIT;
	int rc = 0;

	strbuf_add(&stem, se->feed, stem_len);
	if (!file_name(&name, stem.buf, stem_len, v)) {
		strbuf_addf(href, "%sfiles/", at->opds);
		http_escape(stem.buf, 0, href);
		strbuf_addch(href, '/');
		http_escape(name.buf, 0, href);
	} else if (v->zip) {
		rc = -ENAMETOOLONG;
	} else {
		strbuf_addstr(href, at->library);
		http_escape(se->dir, 0, href);
		strbuf_addch(href, '/');
		http_escape(v->name, 0, href);
	}
	strbuf_release(&stem);
	strbuf_release(&name);
	return rc;
}

/* The acquisition entry of a volume file, titled with its series and
 * number ("Blue Lock, volume 4") or a special's name ("Blue Lock,
 * special: Blue Lock Extra"): a reader that keeps the book apart
 * from its feed keeps the series too. */
static void volume_entry(struct opds_feed *f, const struct opds_shelf *s,
			 const struct opds_volume *v, const struct place *at)
{
	const struct opds_series *se = &s->series[v->series];
	struct strbuf id = STRBUF_INIT, title = STRBUF_INIT;
	struct strbuf href = STRBUF_INIT, cover = STRBUF_INIT;
	struct strbuf stream = STRBUF_INIT;
	int pages = v->cover >= 0 ? opds_feed_pages(v->name) : 0;

	if (v->zip) {
		/* its cover is its first image itself; no page streaming */
		pages &= OPDS_COVER;
		strbuf_addf(&id, URN "folder:%" PRId64, v->dir);
	} else {
		strbuf_addf(&id, URN "volume:%" PRId64, v->file);
	}
	if (pages & OPDS_STREAM)
		strbuf_addf(&stream, "%spages/%" PRId64 "/{pageNumber}"
			    "?maxWidth={maxWidth}", at->opds, v->file);
	strbuf_addf(&cover, "%scovers/", at->opds);
	if (pages & OPDS_COVER)
		opds_cover_name(v->zip ? v->zip->v[0].file : v->file,
				v->cover, &cover);
	if (v->special) {
		strbuf_addf(&title, "%s, special: %.*s", se->dir,
			    (int)(strlen(v->name) -
				  views_name_ext(v->name, strlen(v->name))),
			    v->name);
	} else {
		strbuf_addf(&title, "%s, volume ", se->dir);
		add_numbers(&title, v);
	}
	if (add_file_href(&href, se, v, at))
		goto out;
	opds_feed_entry(f, &(struct opds_entry){
		.id = id.buf, .title = title.buf, .content = title.buf,
		.summary = v->summary, .author = v->writer,
		.issued = v->issued,
		.updated_ns = v->mtime_ns, .rel = OPDS_REL_ACQUISITION,
		.href = href.buf, .type = opds_feed_type(v->name),
		.length = v->size,
		.image = pages & OPDS_COVER ? cover.buf : NULL,
		.image_type = pages ? pages_type(v->cover) : NULL,
		.stream = pages & OPDS_STREAM ? stream.buf : NULL,
		.stream_type = pages ? pages_type(v->cover) : NULL,
		.pages = v->pages,
	});
out:
	strbuf_release(&cover);
	strbuf_release(&stream);
	strbuf_release(&id);
	strbuf_release(&title);
	strbuf_release(&href);
}

/* The navigation entry of a series, leading to its feed. */
static void series_entry(struct opds_feed *f, const struct opds_series *se,
			 const struct place *at)
{
	struct strbuf id = STRBUF_INIT, content = STRBUF_INIT;
	struct strbuf href = STRBUF_INIT, cover = STRBUF_INIT;
	struct opds_said said;

	/* without what its source said, the entry is what the shelf gives */
	opds_shelf_said(se->id, &said);
	if (se->cover_file) {
		strbuf_addf(&cover, "%scovers/", at->opds);
		opds_cover_name(se->cover_file, se->cover_kind, &cover);
	}
	strbuf_addf(&id, URN "series:%" PRId64, se->id);
	strbuf_addf(&content, "%zu volume%s", se->nr_volumes,
		    se->nr_volumes == 1 ? "" : "s");
	strbuf_addf(&href, "%sseries/", at->opds);
	http_escape(se->feed, 0, &href);
	opds_feed_entry(f, &(struct opds_entry){
		.id = id.buf, .title = se->dir, .content = content.buf,
		.updated_ns = se->newest_ns, .rel = "subsection",
		.href = href.buf, .type = OPDS_ACQUISITION,
		.image = se->cover_file ? cover.buf : NULL,
		.image_type = se->cover_file ? pages_type(se->cover_kind) :
			      NULL,
		.summary = said.summary, .language = said.language,
		.page = said.page,
		.authors = said.authors.len ? said.authors.buf : NULL,
		.genres = said.genres.len ? said.genres.buf : NULL,
	});
	opds_said_release(&said);
	strbuf_release(&cover);
	strbuf_release(&id);
	strbuf_release(&content);
	strbuf_release(&href);
}

/* A feed of /opds itself, its head filled but for id, title, type. */
static void head_top(struct opds_head *h, const char *self,
		     const struct opds_shelf *s)
{
	h->updated_ns = newest(s);
	h->self = self;
	h->start = h->up = "catalog.xml";
	h->search = "search.xml";
}

int opds_render_catalog(struct strbuf *out)
{
	static const struct {
		const char *what, *title, *content, *rel, *href, *type;
	} feeds[] = {
		{ "series", "All series", "Every series, A to Z",
		  "subsection", "series.xml", OPDS_NAVIGATION },
		{ "recent", "Recently added volumes",
		  "The volumes added last, newest first",
		  "http://opds-spec.org/sort/new", "recent.xml",
		  OPDS_ACQUISITION },
		{ "updated", "Series with new volumes",
		  "The series whose newest volume is the newest",
		  "subsection", "updated.xml", OPDS_NAVIGATION },
	};
	struct opds_shelf s;
	struct opds_head h = { URN "catalog", "mediamon", 0,
			       OPDS_NAVIGATION, NULL, NULL, NULL, NULL };
	struct opds_feed f;
	struct strbuf id = STRBUF_INIT;
	int rc = opds_shelf_read(&s, OPDS_SHELF_ALL);

	if (rc)
		return rc;
	head_top(&h, "catalog.xml", &s);
	opds_feed_begin(&f, &h);
	for (size_t i = 0; i < ARRAY_SIZE(feeds); i++) {
		strbuf_reset(&id);
		strbuf_addf(&id, URN "%s", feeds[i].what);
		opds_feed_entry(&f, &(struct opds_entry){
			.id = id.buf, .title = feeds[i].title,
			.content = feeds[i].content, .updated_ns = h.updated_ns,
			.rel = feeds[i].rel, .href = feeds[i].href,
			.type = feeds[i].type,
		});
	}
	strbuf_release(&id);
	opds_shelf_release(&s);
	return opds_feed_end(&f, out);
}

int opds_render_series_list(struct strbuf *out)
{
	struct opds_shelf s;
	struct opds_head h = { URN "series", "All series", 0,
			       OPDS_NAVIGATION, NULL, NULL, NULL, NULL };
	struct opds_feed f;
	int rc = opds_shelf_read(&s, OPDS_SHELF_ALL);

	if (rc)
		return rc;
	head_top(&h, "series.xml", &s);
	opds_feed_begin(&f, &h);
	for (size_t i = 0; i < s.nr_series; i++)
		series_entry(&f, &s.series[i], &top);
	opds_shelf_release(&s);
	return opds_feed_end(&f, out);
}

/* Newest first; the same mtime by id (a folder's, whose file is 0, by
 * its folder's), so the order is stable. */
static int by_newest_volume(const void *a, const void *b, void *arg)
{
	const struct opds_shelf *s = arg;
	const struct opds_volume *x = &s->volumes[*(const size_t *)a];
	const struct opds_volume *y = &s->volumes[*(const size_t *)b];

	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? 1 : -1;
	if (x->file != y->file)
		return x->file > y->file ? 1 : -1;
	return (x->dir > y->dir) - (x->dir < y->dir);
}

static int by_newest_series(const void *a, const void *b, void *arg)
{
	const struct opds_shelf *s = arg;
	const struct opds_series *x = &s->series[*(const size_t *)a];
	const struct opds_series *y = &s->series[*(const size_t *)b];

	if (x->newest_ns != y->newest_ns)
		return x->newest_ns < y->newest_ns ? 1 : -1;
	return (x->id > y->id) - (x->id < y->id);
}

/* The feeds of the newest: volumes, or series that have volumes. */
static const struct newest_feed {
	const char *id, *title, *type, *self;
	int series;
	int (*cmp)(const void *, const void *, void *);
} newest_feeds[] = {
	{ URN "recent", "Recently added volumes", OPDS_ACQUISITION,
	  "recent.xml", 0, by_newest_volume },
	{ URN "updated", "Series with new volumes", OPDS_NAVIGATION,
	  "updated.xml", 1, by_newest_series },
};

/* The OPDS_RECENT newest of what w lists, newest first. */
static int render_newest(struct strbuf *out, const struct newest_feed *w)
{
	struct opds_shelf s;
	struct opds_head h = { w->id, w->title, 0, w->type, NULL, NULL,
			       NULL, NULL };
	struct opds_feed f;
	size_t *order, n, shown = 0;
	int rc = opds_shelf_read(&s, OPDS_SHELF_ALL);

	if (rc)
		return rc;
	n = w->series ? s.nr_series : s.nr_volumes;
	order = malloc((n ? n : 1) * sizeof(*order));
	if (!order) {
		opds_shelf_release(&s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), w->cmp, &s);
	head_top(&h, w->self, &s);
	opds_feed_begin(&f, &h);
	for (size_t i = 0; i < n && shown < OPDS_RECENT; i++) {
		if (!w->series) {
			volume_entry(&f, &s, &s.volumes[order[i]], &top);
			shown++;
		} else if (s.series[order[i]].nr_volumes) {
			series_entry(&f, &s.series[order[i]], &top);
			shown++;
		}
	}
	free(order);
	opds_shelf_release(&s);
	return opds_feed_end(&f, out);
}

int opds_render_recent(struct strbuf *out)
{
	return render_newest(out, &newest_feeds[0]);
}

int opds_render_updated(struct strbuf *out)
{
	return render_newest(out, &newest_feeds[1]);
}

int opds_render_series(struct strbuf *out, int64_t series)
{
	struct opds_shelf s;
	struct opds_head h = { .type = OPDS_ACQUISITION,
			       .start = "../catalog.xml",
			       .up = "../series.xml" };
	struct strbuf id = STRBUF_INIT, self = STRBUF_INIT;
	const struct opds_series *se;
	struct opds_feed f;
	int rc = opds_shelf_read(&s, series);

	if (!rc && !s.nr_series)
		rc = -ENOENT;
	if (rc) {
		opds_shelf_release(&s);
		return rc;
	}
	se = &s.series[0];
	strbuf_addf(&id, URN "series:%" PRId64, series);
	http_escape(se->feed, 0, &self);
	h.id = id.buf;
	h.title = se->dir;
	h.updated_ns = se->newest_ns;
	h.self = self.buf;
	opds_feed_begin(&f, &h);
	for (size_t i = 0; i < s.nr_volumes; i++)
		volume_entry(&f, &s, &s.volumes[i], &below);
	strbuf_release(&id);
	strbuf_release(&self);
	opds_shelf_release(&s);
	return opds_feed_end(&f, out);
}

/* Whether every word of query is in the volume's title and name. */
static int volume_matches(const struct opds_shelf *s,
			  const struct opds_volume *v, const char *query)
{
	struct strbuf text = STRBUF_INIT;
	int yes;

	strbuf_addf(&text, "%s, volume ", s->series[v->series].dir);
	add_numbers(&text, v);
	strbuf_addf(&text, " %s", v->name);
	yes = opds_search_matches(query, text.buf);
	strbuf_release(&text);
	return yes;
}

int opds_render_search(struct strbuf *out, int64_t query)
{
	char q[OPDS_SEARCH_MAX + 1];
	struct strbuf id = STRBUF_INIT, title = STRBUF_INIT;
	struct strbuf self = STRBUF_INIT;
	struct opds_shelf s;
	struct opds_head h = { .type = OPDS_ACQUISITION,
			       .start = "../catalog.xml",
			       .up = "../catalog.xml" };
	struct opds_feed f;
	size_t series = 0;
	int rc = opds_search_query(query, q);

	if (!rc)
		rc = opds_shelf_read(&s, OPDS_SHELF_ALL);
	if (rc)
		return rc;
	strbuf_addstr(&id, URN "search:");
	http_escape(q, 0, &id);
	strbuf_addstr(&self, id.buf + strlen(URN "search:"));
	strbuf_addstr(&self, ".xml");
	strbuf_addf(&title, "Search: %s", q);
	h.id = id.buf;
	h.title = title.buf;
	h.self = self.buf;
	h.updated_ns = newest(&s);
	for (size_t i = 0; i < s.nr_series; i++)
		series += opds_search_matches(q, s.series[i].dir);
	/* a feed of series is one of navigation, as OPDS wants */
	if (series)
		h.type = OPDS_NAVIGATION;
	opds_feed_begin(&f, &h);
	for (size_t i = 0; series && i < s.nr_series; i++)
		if (opds_search_matches(q, s.series[i].dir))
			series_entry(&f, &s.series[i], &below);
	for (size_t i = 0; !series && i < s.nr_volumes; i++)
		if (volume_matches(&s, &s.volumes[i], q))
			volume_entry(&f, &s, &s.volumes[i], &below);
	strbuf_release(&id);
	strbuf_release(&title);
	strbuf_release(&self);
	opds_shelf_release(&s);
	return opds_feed_end(&f, out);
}

int opds_search_resolve(const char *name, struct node *out)
{
	size_t len = strlen(name);
	int64_t id;
	int rc;

	if (len <= 4 || strcmp(name + len - 4, ".xml"))
		return -ENOENT;
	rc = opds_search_intern(name, len - 4, &id);
	if (rc)
		return rc == -EINVAL ? -ENOENT : rc;
	*out = (struct node){ NODE_FILE, .render_series = opds_render_search,
			      .series = id };
	return 0;
}

static void series_node(struct node *out, int64_t id)
{
	*out = (struct node){ NODE_FILE,
			      .render_series = opds_render_series,
			      .series = id };
}

int opds_resolve(const char *name, struct node *out)
{
	int64_t id;
	int rc = opds_shelf_find(name, &id);

	if (!rc)
		series_node(out, id);
	return rc;
}

int opds_list(int (*fn)(const char *name, const struct node *child,
			void *arg),
	      void *arg)
{
	struct opds_shelf s;
	struct node n;
	int rc = opds_shelf_read(&s, OPDS_SHELF_NONE);

	for (size_t i = 0; !rc && i < s.nr_series; i++) {
		series_node(&n, s.series[i].id);
		if (fn(s.series[i].feed, &n, arg))
			break;
	}
	opds_shelf_release(&s);
	return rc;
}

/* The volume file of the series id called name in /opds/files/STEM. */
static int file_node(int64_t id, const char *stem, size_t stem_len,
		     const char *name, struct node *out)
{
	struct strbuf want = STRBUF_INIT;
	struct opds_shelf s;
	int rc = opds_shelf_volumes(&s, id);

	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; rc && i < s.nr_volumes; i++) {
		const struct opds_volume *v = &s.volumes[i];

		if (file_name(&want, stem, stem_len, v) ||
		    strcmp(want.buf, name))
			continue;
		if (v->zip)
			*out = (struct node){ NODE_FILE,
					      .stat_series = opds_zip_stat,
					      .series = v->dir, .zip = 1 };
		else
			*out = (struct node){ .type = NODE_REAL,
					      .file = v->file };
		rc = 0;
	}
	strbuf_release(&want);
	opds_shelf_release(&s);
	return rc;
}

int opds_file_resolve(const char *rest, struct node *out)
{
	const char *slash = strchr(rest, '/');
	size_t stem_len = slash ? (size_t)(slash - rest) : strlen(rest);
	struct strbuf feed = STRBUF_INIT;
	int64_t id;
	int rc;

	if (!stem_len || (slash && (!slash[1] || strchr(slash + 1, '/'))))
		return -ENOENT;
	strbuf_add(&feed, rest, stem_len);
	strbuf_addstr(&feed, ".xml");
	rc = opds_shelf_find(feed.buf, &id);
	strbuf_release(&feed);
	if (rc)
		return rc;
	if (slash)
		return file_node(id, rest, stem_len, slash + 1, out);
	*out = (struct node){ .type = NODE_DIR, .dynamic = 1 };
	return 0;
}
