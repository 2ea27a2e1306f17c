/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The shelf the OPDS feeds are written from: the series and volume files
 * of the store with their /library/manga names, cut down to what the
 * caller may see. It reads and checks; it writes no document.
 */
#include "fs/tree/opds_shelf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "fs/tree/caller.h"
#include "fs/tree/opds_feed.h"
#include "fs/tree/opds_zip.h"
#include "fs/tree/views.h"
#include "fs/tree/views_real.h"
#include "fs/tree/views_manga.h"
#include "fs/tree/views_name.h"
#include "indexer/reads.h"

/* The volumes and specials of one series as they are read: every one
 * of its folder is named (a folder of images too, whose name may take
 * one a file would have), the files alone kept. */
struct reading {
	struct opds_shelf *s;
	size_t series, first;
	struct views_list names;
	struct strbuf name;
};

/* Add v, named as r->name holds with an extension of ext_len bytes. */
static int add_file(struct reading *r, const struct manga_volume_file *v,
		    size_t ext_len, int special)
{
	struct opds_shelf *s = r->s;
	struct opds_volume *vol;
	int rc = views_list_add(&r->names, r->name.buf, r->name.len,
				ext_len);

	if (rc)
		return rc;
	vol = array_grow(s->volumes, s->nr_volumes, &s->alloc_volumes,
			 sizeof(*vol), 64);
	if (!vol)
		return -ENOMEM;
	s->volumes = vol;
	vol = &s->volumes[s->nr_volumes++];
	*vol = (struct opds_volume){
		.file = v->file, .dir = v->file ? 0 : v->dir,
		.first = v->first, .last = v->last,
		.size = v->size, .mtime_ns = v->mtime_ns, .pages = v->pages,
		.cover = pages_ext_kind(v->cover), .series = r->series,
		.special = special,
	};
	if ((v->summary && !(vol->summary = strdup(v->summary))) ||
	    (v->writer && !(vol->writer = strdup(v->writer))) ||
	    (v->issued && !(vol->issued = strdup(v->issued))))
		return -ENOMEM;
	return 0;
}

static int add_volume(void *arg, const struct manga_volume_file *v)
{
	struct reading *r = arg;
	size_t ext_len;

	strbuf_reset(&r->name);
	ext_len = views_manga_volume_name(&r->name, v);
	if (!v->file) {
		strbuf_addstr(&r->name, ".cbz");
		ext_len = 4;
	}
	return add_file(r, v, ext_len, 0);
}

/* A special keeps its own name: nothing in it is a volume number. */
static int add_special(void *arg, const struct manga_volume_file *v)
{
	struct reading *r = arg;
	const char *base = memrchr(v->path, '/', v->path_len);
	size_t len;

	base = base ? base + 1 : v->path;
	len = v->path_len - (size_t)(base - v->path);
	strbuf_reset(&r->name);
	views_name_add(&r->name, base, len);
	if (!v->file) {
		strbuf_addstr(&r->name, ".cbz");
		return add_file(r, v, 4, 1);
	}
	return add_file(r, v, views_name_ext(base, len), 1);
}

/* Free what v holds. */
static void volume_free(struct opds_volume *v)
{
	opds_zip_free(v->zip);
	CLEANUP_FREE_ALL(v->name, v->summary, v->writer, v->issued);
}

/* The zip of a folder of images v, its size, time and cover; none for
 * a folder with no image. */
static int read_zip(struct opds_volume *v)
{
	int rc = opds_zip_build(v->dir, &v->zip);

	/* no image, or more than a volume may have (logged): no zip */
	if (rc == -ENOENT || rc == -E2BIG)
		return 0;
	if (!rc)
		rc = opds_zip_locate(v->zip);
	if (rc)
		return rc;
	v->size = (int64_t)v->zip->size;
	v->mtime_ns = v->zip->mtime_ns;
	v->pages = (int64_t)v->zip->nr;
	v->cover = v->zip->cover;
	return 0;
}

static int read_volumes(struct opds_shelf *s, size_t series)
{
	struct reading r = { s, series, s->nr_volumes, VIEWS_LIST_INIT,
			     STRBUF_INIT };
	int rc = manga_reads_volume_files(s->series[series].id, add_volume,
					  &r);

	if (!rc)
		rc = manga_reads_special_files(s->series[series].id,
					       add_special, &r);

	if (!rc)
		rc = views_list_settle(&r.names);
	for (size_t i = 0; !rc && i < r.names.nr; i++) {
		struct opds_volume *v = &s->volumes[r.first +
						    r.names.v[i].index];

		if (!(v->name = strdup(r.names.v[i].name)))
			rc = -ENOMEM;
		else if (v->dir)
			rc = read_zip(v);
	}
	views_list_clear(&r.names);
	strbuf_release(&r.name);
	return rc;
}

/* The series by their /library/manga names, each with a feed named
 * after it (cut and told apart as names are). */
static int read_series(struct opds_shelf *s, struct views_listing *ls)
{
	struct views_list feeds = VIEWS_LIST_INIT;
	struct strbuf name = STRBUF_INIT;
	int rc = views_manga_build(ls, 0);

	if (!rc)
		rc = views_list_settle(&ls->names);
	for (size_t i = 0; !rc && i < ls->names.nr; i++) {
		const struct views_entry *e = &ls->names.v[i];
		struct opds_series *v = array_grow(s->series, s->nr_series,
						   &s->alloc_series,
						   sizeof(*v), 64);

		if (!v) {
			rc = -ENOMEM;
			break;
		}
		s->series = v;
		v[s->nr_series] = (struct opds_series){
			.id = ls->items[e->index].key[0].n,
			.dir = strdup(e->name),
		};
		if (!v[s->nr_series++].dir)
			rc = -ENOMEM;
		strbuf_reset(&name);
		strbuf_addf(&name, "%s.xml", e->name);
		if (!rc)
			rc = views_list_add(&feeds, name.buf, name.len, 4);
	}
	if (!rc)
		rc = views_list_settle(&feeds);
	for (size_t i = 0; !rc && i < feeds.nr; i++) {
		char **feed = &s->series[feeds.v[i].index].feed;

		if (!(*feed = strdup(feeds.v[i].name)))
			rc = -ENOMEM;
	}
	views_list_clear(&feeds);
	strbuf_release(&name);
	return rc;
}

/* Whether the caller may not read the volume v: -EACCES or such. */
static int denied(const struct opds_volume *v)
{
	return v->zip ? opds_zip_access(v->zip) : views_real_access(v->file);
}

/* Drop what the caller may not see (nothing for the owner) and the
 * folders with no image, and count what is left. */
static int keep_shown(struct opds_shelf *s)
{
	int owner = caller_is_owner();
	size_t *to = malloc((s->nr_series ? s->nr_series : 1) * sizeof(*to));
	size_t ns = 0, nv = 0;

	if (!to)
		return -ENOMEM;

	for (size_t i = 0; i < s->nr_series; i++) {
		struct opds_series *se = &s->series[i];

		if (owner || views_series_listable(se->id)) {
			to[i] = ns;
			s->series[ns++] = *se;
			continue;
		}
		to[i] = SIZE_MAX;
		free(se->dir);
		free(se->feed);
	}
	for (size_t i = 0; i < s->nr_volumes; i++) {
		struct opds_volume *v = &s->volumes[i];
		struct opds_series *se;
		int rc = 0;

		if ((!v->file && !v->zip) || to[v->series] == SIZE_MAX ||
		    (!owner && (rc = denied(v)))) {
			volume_free(v);
			if (rc == -EAGAIN || rc == -ENOMEM) {
				/* the caller at its cap: no volume hidden */
				while (++i < s->nr_volumes)
					volume_free(&s->volumes[i]);
				s->nr_series = ns;
				s->nr_volumes = nv;
				free(to);
				return rc;
			}
			continue;
		}
		v->series = to[v->series];
		se = &s->series[v->series];
		se->nr_volumes++;
		if (v->mtime_ns > se->newest_ns)
			se->newest_ns = v->mtime_ns;
		if (!se->cover_file && v->cover >= 0 &&
		    (opds_feed_pages(v->name) & OPDS_COVER)) {
			se->cover_file = v->zip ? v->zip->v[0].file :
					 v->file;
			se->cover_kind = v->cover;
		}
		s->volumes[nv++] = *v;
	}
	s->nr_series = ns;
	s->nr_volumes = nv;
	free(to);
	return 0;
}

/* Keep the one series of s whose id is id, if any. */
static void keep_one(struct opds_shelf *s, int64_t id)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->nr_series; i++) {
		if (s->series[i].id == id && !kept) {
			s->series[kept++] = s->series[i];
			continue;
		}
		free(s->series[i].dir);
		free(s->series[i].feed);
	}
	s->nr_series = kept;
}

/* Read the series, and the volumes of those what says, in one snapshot;
 * what the caller may see is not checked yet. */
static int read_shelf(struct opds_shelf *s, int64_t what)
{
	struct views_listing *ls = calloc(1, sizeof(*ls));
	int rc = ls ? query_begin() : -ENOMEM;

	*s = (struct opds_shelf){ NULL, 0, 0, NULL, 0, 0 };
	if (rc) {
		free(ls);
		return rc;
	}
	rc = read_series(s, ls);
	if (!rc && what > 0)
		keep_one(s, what);
	for (size_t i = 0; !rc && what != OPDS_SHELF_NONE &&
	     i < s->nr_series; i++)
		rc = read_volumes(s, i);
	query_end();
	views_listing_free(ls);
	return rc;
}

int opds_shelf_read(struct opds_shelf *s, int64_t what)
{
	int rc = read_shelf(s, what);

	if (!rc)
		rc = keep_shown(s);
	if (rc)
		opds_shelf_release(s);
	return rc;
}

int opds_shelf_volumes(struct opds_shelf *s, int64_t series)
{
	int rc;

	*s = (struct opds_shelf){ NULL, 0, 0, NULL, 0, 0 };
	s->series = calloc(1, sizeof(*s->series));
	if (!s->series)
		return -ENOMEM;
	s->series[0].id = series;
	s->nr_series = s->alloc_series = 1;
	rc = query_begin();
	if (!rc) {
		rc = read_volumes(s, 0);
		query_end();
	}
	if (!rc)
		rc = keep_shown(s);
	if (rc)
		opds_shelf_release(s);
	return rc;
}

int opds_shelf_find(const char *feed, int64_t *id)
{
	struct opds_shelf s;
	int rc = read_shelf(&s, OPDS_SHELF_NONE);

	*id = 0;
	for (size_t i = 0; !rc && i < s.nr_series && !*id; i++)
		if (!strcmp(s.series[i].feed, feed))
			*id = s.series[i].id;
	opds_shelf_release(&s);
	if (!rc && (!*id || (!caller_is_owner() &&
			     !views_series_listable(*id))))
		rc = -ENOENT;
	return rc;
}

void opds_shelf_release(struct opds_shelf *s)
{
	for (size_t i = 0; i < s->nr_series; i++) {
		free(s->series[i].dir);
		free(s->series[i].feed);
	}
	for (size_t i = 0; i < s->nr_volumes; i++)
		volume_free(&s->volumes[i]);
	free(s->series);
	free(s->volumes);
	*s = (struct opds_shelf){ NULL, 0, 0, NULL, 0, 0 };
}

/* The string member key of doc redact()ed (a source's answer may echo
 * a secret of its URL), malloc'd, or NULL. */
static char *said_text(json_t *doc, const char *key)
{
	const char *s = json_string_value(json_object_get(doc, key));
	struct strbuf b = STRBUF_INIT;

	if (!s || !*s)
		return NULL;
	redact(s, REDACT_MASK, &b);
	return strbuf_detach(&b, NULL);
}

/* The strings of the array member key of doc, redact()ed, one a line,
 * into out. */
static void said_list(json_t *doc, const char *key, struct strbuf *out)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(doc, key), i, v)
		if (json_is_string(v)) {
			if (out->len)
				strbuf_addch(out, '\n');
			redact(json_string_value(v), REDACT_MASK, out);
		}
}

int opds_shelf_said(int64_t series, struct opds_said *said)
{
	char *text = NULL;
	json_t *doc;
	int rc;

	*said = (struct opds_said){ .authors = STRBUF_INIT,
				    .genres = STRBUF_INIT };
	rc = manga_reads_setting(series, MANGA_SETTING_META, &text);
	if (rc || !text) {
		free(text);
		return rc == -ENOENT ? 0 : rc;
	}
	doc = json_loads(text, 0, NULL);
	free(text);
	if (!doc)
		return 0;
	said->summary = said_text(doc, "summary");
	said->language = said_text(doc, "edition");
	said->page = said_text(doc, "url");
	said_list(doc, "authors", &said->authors);
	said_list(doc, "genres", &said->genres);
	json_decref(doc);
	return 0;
}

void opds_said_release(struct opds_said *said)
{
	free(said->summary);
	free(said->language);
	free(said->page);
	strbuf_release(&said->authors);
	strbuf_release(&said->genres);
}
