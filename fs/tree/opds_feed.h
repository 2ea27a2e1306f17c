/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_OPDS_FEED_H
#define MEDIAMON_OPDS_FEED_H

/*
 * OPDS 1.2 catalog feeds (Atom, RFC 4287) written with libxml2's
 * xmlTextWriter, which escapes every text and attribute: a feed, its
 * navigation entries and its acquisition entries, one after the other.
 * Every href given is already relative and percent-encoded
 * (a name as one segment by http_escape(name, 0, out)).
 *
 *	struct opds_feed f;
 *
 *	opds_feed_begin(&f, &head);
 *	opds_feed_entry(&f, &entry);	(as often as needed)
 *	rc = opds_feed_end(&f, out);
 *
 * A failure (no memory) is kept and returned by opds_feed_end(), which
 * frees the writer in any case.
 */

#include <stddef.h>
#include <stdint.h>

#include <libxml/xmlwriter.h>

#include "common/strbuf.h"
#include "common/xml.h"

#define OPDS_NAVIGATION \
	"application/atom+xml;profile=opds-catalog;kind=navigation"
#define OPDS_ACQUISITION \
	"application/atom+xml;profile=opds-catalog;kind=acquisition"
#define OPDS_REL_ACQUISITION "http://opds-spec.org/acquisition"
#define OPDS_REL_IMAGE "http://opds-spec.org/image"
#define OPDS_REL_THUMBNAIL "http://opds-spec.org/image/thumbnail"
#define OPDS_REL_STREAM "http://vaemendis.net/opds-pse/stream"

/* A feed's head: its links are relative to the feed itself. */
struct opds_head {
	const char *id;		/* a URI: "urn:mediamon:opds:..." */
	const char *title;
	int64_t updated_ns;	/* 0: the epoch */
	const char *type;	/* OPDS_NAVIGATION or OPDS_ACQUISITION */
	const char *self, *start, *up;
	const char *search;	/* the OpenSearch description, or NULL */
};

/* An entry: a link to another feed (rel "subsection" and such) or to a
 * file (OPDS_REL_ACQUISITION, with its length), maybe to an image that
 * is both its cover and its thumbnail, and maybe (OPDS-PSE) a template
 * of its pages' links, with their count as pse:count. */
struct opds_entry {
	const char *id, *title, *content;
	/* what ComicInfo.xml says, each NULL when it says nothing: summary,
	 * author (a name) and dc:issued (a date: "2021", "2021-04" or
	 * "2021-04-07") */
	const char *summary, *author, *issued;
	/* what a series' source said (monitor/series_meta.h), each NULL
	 * when it said nothing: its authors and genres (one a line: an
	 * author and a category each), the language of its volumes
	 * (dc:language) and its page there (an alternate link) */
	const char *authors, *genres, *language, *page;
	int64_t updated_ns;
	const char *rel, *href, *type;
	int64_t length;		/* 0: not said */
	const char *image, *image_type;	/* NULL: none */
	const char *stream, *stream_type;	/* NULL: none */
	int64_t pages;
};

struct opds_feed {
	xmlBufferPtr buf;
	xmlTextWriterPtr w;
	int failed;
	struct xml_quiet quiet;	/* libxml2 says nothing meanwhile */
	struct strbuf text;	/* a text made fit for XML */
};

void opds_feed_begin(struct opds_feed *f, const struct opds_head *h);
void opds_feed_entry(struct opds_feed *f, const struct opds_entry *e);

/* Close the feed and append it to out; 0 or -ENOMEM. */
int opds_feed_end(struct opds_feed *f, struct strbuf *out);

/* The media type of a volume file, by its name's extension. */
const char *opds_feed_type(const char *name);

/* What a feed may say of the volume file's pages, by its extension: a
 * comic archive's first page is its cover (OPDS_COVER); a reader may
 * stream the pages of a zip, rar or 7z one (OPDS_STREAM, OPDS-PSE). */
#define OPDS_COVER 1
#define OPDS_STREAM 2
int opds_feed_pages(const char *name);

#endif
