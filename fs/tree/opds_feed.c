/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The writing of OPDS feeds as Atom documents: what the elements are and
 * in which order, with libxml2 escaping what they hold. It knows nothing
 * of the store or of who asks.
 */
#include "fs/tree/opds_feed.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "fs/tree/opds_search.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"
#define OPDS_NS "http://opds-spec.org/2010/catalog"
#define PSE_NS "http://vaemendis.net/opds-pse/ns"
#define DC_NS "http://purl.org/dc/terms/"

static const struct {
	const char *ext, *type;
	int pages;
} types[] = {
	{ "cbz", "application/vnd.comicbook+zip", OPDS_COVER | OPDS_STREAM },
	{ "zip", "application/vnd.comicbook+zip", OPDS_COVER | OPDS_STREAM },
	{ "cbr", "application/vnd.comicbook-rar", OPDS_COVER | OPDS_STREAM },
	{ "rar", "application/vnd.comicbook-rar", OPDS_COVER | OPDS_STREAM },
	{ "cb7", "application/x-cb7-compressed", OPDS_COVER | OPDS_STREAM },
	{ "7z", "application/x-cb7-compressed", OPDS_COVER | OPDS_STREAM },
	{ "cbt", "application/x-cbt", OPDS_COVER },
	{ "pdf", "application/pdf", 0 },
	{ "epub", "application/epub+zip", 0 },
};

/* The index of the name's type in types, or -1. */
static int type_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < ARRAY_SIZE(types); i++)
		if (!strcasecmp(dot + 1, types[i].ext))
			return (int)i;
	return -1;
}

const char *opds_feed_type(const char *name)
{
	int i = type_of(name);

	return i < 0 ? "application/octet-stream" : types[i].type;
}

int opds_feed_pages(const char *name)
{
	int i = type_of(name);

	return i < 0 ? 0 : types[i].pages;
}

/* Each call of the writer says whether it failed; the first failure is
 * kept and the rest of the document then written to no effect. */
static void check(struct opds_feed *f, int rc)
{
	if (rc < 0)
		f->failed = 1;
}

static void open_tag(struct opds_feed *f, const char *name)
{
	if (!f->failed)
		check(f, xmlTextWriterStartElement(f->w, BAD_CAST name));
}

static void end(struct opds_feed *f)
{
	if (!f->failed)
		check(f, xmlTextWriterEndElement(f->w));
}

/* Names and tags may hold what XML 1.0 has no place for (a control
 * character, U+FFFE, bytes that are not UTF-8): the text as
 * utf8_add_xml() makes it fit, libxml2 escaping the markup. */
static const xmlChar *chars(struct opds_feed *f, const char *text)
{
	strbuf_reset(&f->text);
	utf8_add_xml(&f->text, text, 0);
	return BAD_CAST f->text.buf;
}

static void attr(struct opds_feed *f, const char *name, const char *value)
{
	if (!f->failed)
		check(f, xmlTextWriterWriteAttribute(f->w, BAD_CAST name,
						     chars(f, value)));
}

static void element(struct opds_feed *f, const char *name, const char *text)
{
	if (!f->failed)
		check(f, xmlTextWriterWriteElement(f->w, BAD_CAST name,
						   chars(f, text)));
}

static void date(struct opds_feed *f, const char *name, int64_t ns)
{
	char when[CLOCK_RFC3339_LEN];

	clock_rfc3339((time_t)(ns / 1000000000), when);
	element(f, name, when);
}

static void link_to(struct opds_feed *f, const char *rel, const char *href,
		    const char *type)
{
	open_tag(f, "link");
	attr(f, "rel", rel);
	attr(f, "href", href);
	attr(f, "type", type);
	end(f);
}

void opds_feed_begin(struct opds_feed *f, const struct opds_head *h)
{
	xml_quiet_begin(&f->quiet);
	strbuf_init(&f->text, 0);
	f->failed = 0;
	f->w = NULL;
	f->buf = xmlBufferCreate();
	if (f->buf)
		f->w = xmlNewTextWriterMemory(f->buf, 0);
	if (!f->w) {
		f->failed = 1;
		return;
	}
	check(f, xmlTextWriterSetIndent(f->w, 1));
	if (!f->failed)
		check(f, xmlTextWriterStartDocument(f->w, NULL, "UTF-8",
						    NULL));
	open_tag(f, "feed");
	attr(f, "xmlns", ATOM_NS);
	attr(f, "xmlns:opds", OPDS_NS);
	attr(f, "xmlns:pse", PSE_NS);
	attr(f, "xmlns:dc", DC_NS);
	element(f, "id", h->id);
	element(f, "title", h->title);
	date(f, "updated", h->updated_ns);
	open_tag(f, "author");
	element(f, "name", "mediamon");
	end(f);
	link_to(f, "self", h->self, h->type);
	link_to(f, "start", h->start, OPDS_NAVIGATION);
	link_to(f, "up", h->up, OPDS_NAVIGATION);
	if (h->search) {
		link_to(f, "search", h->search, OPDS_SEARCH_TYPE);
		/* the template itself, which some readers take directly */
		link_to(f, "search", "search/{searchTerms}.xml",
			"application/atom+xml;profile=opds-catalog");
	}
}

/* An element of name for each line of list: an author's name, or a
 * category's term and label. */
static void each_line(struct opds_feed *f, const char *list,
		      const char *name)
{
	struct strbuf one = STRBUF_INIT;

	for (const char *p = list ? list : ""; *p; ) {
		size_t n = strcspn(p, "\n");

		strbuf_reset(&one);
		strbuf_add(&one, p, n);
		p += n + (p[n] == '\n');
		open_tag(f, name);
		if (!strcmp(name, "author")) {
			element(f, "name", one.buf);
		} else {
			attr(f, "term", one.buf);
			attr(f, "label", one.buf);
		}
		end(f);
	}
	strbuf_release(&one);
}

void opds_feed_entry(struct opds_feed *f, const struct opds_entry *e)
{
	open_tag(f, "entry");
	element(f, "title", e->title);
	element(f, "id", e->id);
	date(f, "updated", e->updated_ns);
	if (e->author) {
		open_tag(f, "author");
		element(f, "name", e->author);
		end(f);
	}
	each_line(f, e->authors, "author");
	if (e->summary) {
		open_tag(f, "summary");
		attr(f, "type", "text");
		if (!f->failed)
			check(f, xmlTextWriterWriteString(f->w,
							  chars(f, e->summary)));
		end(f);
	}
	if (e->issued)
		element(f, "dc:issued", e->issued);
	each_line(f, e->genres, "category");
	if (e->language)
		element(f, "dc:language", e->language);
	open_tag(f, "content");
	attr(f, "type", "text");
	if (!f->failed)
		check(f, xmlTextWriterWriteString(f->w, chars(f, e->content)));
	end(f);
	open_tag(f, "link");
	attr(f, "rel", e->rel);
	attr(f, "href", e->href);
	attr(f, "type", e->type);
	if (e->length > 0 && !f->failed)
		check(f, xmlTextWriterWriteFormatAttribute(f->w,
			BAD_CAST "length", "%lld", (long long)e->length));
	end(f);
	if (e->image) {
		link_to(f, OPDS_REL_IMAGE, e->image, e->image_type);
		link_to(f, OPDS_REL_THUMBNAIL, e->image, e->image_type);
	}
	if (e->page)
		link_to(f, "alternate", e->page, "text/html");
	if (e->stream) {
		open_tag(f, "link");
		attr(f, "rel", OPDS_REL_STREAM);
		attr(f, "href", e->stream);
		attr(f, "type", e->stream_type);
		if (!f->failed)
			check(f, xmlTextWriterWriteFormatAttribute(f->w,
				BAD_CAST "pse:count", "%lld",
				(long long)e->pages));
		end(f);
	}
	end(f);
}

int opds_feed_end(struct opds_feed *f, struct strbuf *out)
{
	int rc;

	if (!f->failed)
		check(f, xmlTextWriterEndDocument(f->w));
	if (f->w)
		xmlFreeTextWriter(f->w);
	rc = f->failed ? -ENOMEM : 0;
	if (!rc)
		strbuf_add(out, xmlBufferContent(f->buf),
			   (size_t)xmlBufferLength(f->buf));
	if (f->buf)
		xmlBufferFree(f->buf);
	xml_quiet_end(&f->quiet);
	strbuf_release(&f->text);
	return rc;
}
