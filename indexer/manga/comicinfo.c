/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The ComicInfo.xml reader (comicinfo.h): series, volume and the
 * fields the views show, from a descriptor, with libxml2; and the
 * writer of one for an imported volume (its text only: the archive is
 * the import's). It opens no archive and decides nothing about names.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlwriter.h>

#include "common/log.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "common/xml.h"
#include "indexer/manga/comic_archive.h"
#include "indexer/manga/comicinfo.h"
#include "indexer/manga/names.h"
#include "indexer/manga/pages.h"

#define FIRST_ALLOC	16384		/* for an entry of unknown size */

/* No network, no entity expansion, no DTD loading, and quiet. */
#define XML_OPTIONS \
	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

enum place { NOT_IT, TOP, NESTED };

/* Whether path climbs out of the archive: a ".." between separators. */
static int climbs_out(const char *path)
{
	for (const char *p = path; *p; p++)
		if ((p == path || p[-1] == '/' || p[-1] == '\\') &&
		    p[0] == '.' && p[1] == '.' &&
		    (!p[2] || p[2] == '/' || p[2] == '\\'))
			return 1;
	return 0;
}

/*
 * Where an entry named ComicInfo.xml sits: "./" and "/" in front still
 * mean the top, as tar writes them; backslashes separate folders too,
 * as some Windows zip tools write them. One whose path climbs out of the
 * archive ("../ComicInfo.xml") describes no volume in it.
 */
static enum place entry_place(const char *path)
{
	const char *base;

	if (climbs_out(path))
		return NOT_IT;

	for (;;) {
		if (path[0] == '/')
			path++;
		else if (path[0] == '.' && path[1] == '/')
			path += 2;
		else
			break;
	}
	base = path + strlen(path);
	while (base > path && base[-1] != '/' && base[-1] != '\\')
		base--;
	if (strcasecmp(base, "ComicInfo.xml"))
		return NOT_IT;
	return base == path ? TOP : NESTED;
}

/*
 * Read the current entry whole into *out. A declared size over the cap
 * saves reading it, but sizes can be missing or lie, so reading stops
 * past COMICINFO_MAX_SIZE too, which a zip bomb reaches quickly. An
 * entry too big or that cannot be decompressed leaves *out NULL and
 * returns 0; an I/O error or no memory is an error.
 */
static int read_entry(struct archive *a, struct archive_entry *e,
		      const struct comic_archive_source *src, char **out,
		      size_t *len)
{
	size_t alloc = FIRST_ALLOC, n = 0;
	la_ssize_t r;
	char *buf, *p;

	*out = NULL;
	*len = 0;
	if (archive_entry_size_is_set(e)) {
		if (archive_entry_size(e) > COMICINFO_MAX_SIZE)
			return 0;
		if (archive_entry_size(e) >= 0)
			alloc = archive_entry_size(e) + 1;
	}
	buf = malloc(alloc);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == alloc) {
			alloc = alloc * 2 > COMICINFO_MAX_SIZE + 1 ?
				COMICINFO_MAX_SIZE + 1 : alloc * 2;
			p = realloc(buf, alloc);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
		}
		r = archive_read_data(a, buf + n, alloc - n);
		if (r < 0) {
			free(buf);
			return src->err;
		}
		if (!r)
			break;
		n += r;
		if (n > COMICINFO_MAX_SIZE) {
			free(buf);
			return 0;
		}
	}
	*out = buf;
	*len = n;
	return 0;
}

/*
 * Walk the entries for the one ComicInfo.xml that counts (see the
 * header), tallying the pages of every entry. A damaged archive ends
 * the walk with what was read before the damage; only a failed read of
 * the file is an error. The walk also ends before it would unpack more
 * than COMICINFO_MAX_SKIP bytes of entries to pass over them: a folder's
 * ComicInfo.xml met before then is not taken, as another may follow,
 * and the pages are not known.
 */
static int find_entry(struct archive *a,
		      const struct comic_archive_source *src, char **xml,
		      size_t *len, struct pages_tally *t)
{
	struct archive_entry *e;
	char *held = NULL;
	size_t held_len = 0;
	int64_t passed = 0, last = 0;
	int top = 0, nested = 0, r, err = 0;
	const char *path;

	*xml = NULL;
	*len = 0;
	while (!err) {
		if (last && comic_archive_unpacks(a) &&
		    (passed += last) > COMICINFO_MAX_SKIP) {
			nested++;
			t->cut = 1;
			break;
		}
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			err = src->err;
			break;
		}
		err = pages_tally_add(t, e);
		last = !archive_entry_size_is_set(e) ? COMICINFO_MAX_SKIP + 1 :
			archive_entry_size(e) > 0 ? archive_entry_size(e) : 0;
		path = archive_entry_pathname(e);
		if (err || !path || archive_entry_filetype(e) != AE_IFREG)
			continue;
		switch (entry_place(path)) {
		case NOT_IT:
			break;
		case TOP:
			if (!top++)
				err = read_entry(a, e, src, xml, len);
			break;
		case NESTED:
			if (!nested++)
				err = read_entry(a, e, src, &held, &held_len);
			break;
		}
	}
	if (!err && !top && nested == 1) {
		*xml = held;
		*len = held_len;
		held = NULL;
	}
	free(held);
	if (err) {
		free(*xml);
		*xml = NULL;
	}
	return err;
}

/*
 * A DOCTYPE is where entity declarations and external DTDs come from,
 * and no ComicInfo.xml needs one: stop there, before its internal
 * subset is read, which leaves a document without a root element.
 */
static void refuse_doctype(void *ctx, const xmlChar *name,
			   const xmlChar *external_id, const xmlChar *system_id)
{
	(void)name;
	(void)external_id;
	(void)system_id;
	xmlStopParser(ctx);
}

/* Parse silently (common/xml.h); *doc is NULL when the XML is not
 * well-formed. */
static int parse_xml(const char *xml, size_t len, xmlDocPtr *doc)
{
	xmlParserCtxtPtr ctxt;
	struct xml_quiet q;
	int err = 0;

	xml_quiet_begin(&q);
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		xml_quiet_end(&q);
		return -ENOMEM;
	}
	ctxt->sax->internalSubset = refuse_doctype;
	*doc = xmlCtxtReadMemory(ctxt, xml, (int)len, NULL, NULL, XML_OPTIONS);
	xml_quiet_end(&q);
	if (!*doc && ctxt->errNo == XML_ERR_NO_MEMORY)
		err = -ENOMEM;
	xmlFreeParserCtxt(ctxt);
	return err;
}

static int is_space(xmlChar c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The digits after s's leading blanks into *n, which stops growing once
 * above max; where they end, or NULL when s holds no digit there. */
static const xmlChar *read_digits(const xmlChar *s, long max, long *n)
{
	*n = 0;
	while (is_space(*s))
		s++;
	if (*s < '0' || *s > '9')
		return NULL;
	for (; *s >= '0' && *s <= '9'; s++)
		if (*n <= max)
			*n = *n * 10 + (*s - '0');
	return s;
}

/*
 * ComicInfo numbers are plain decimals ("3", "10.5"); a sign, an
 * exponent, hex or trailing text ("3a") make no number, read as 0, as
 * does one beyond NAMES_MAX_NUMBER. One decimal digit is kept, as the
 * name parser does. No strtod(): it would follow the locale.
 */
static double read_number(const xmlChar *s)
{
	long n;
	double v;

	s = read_digits(s, NAMES_MAX_NUMBER, &n);
	if (!s || n > NAMES_MAX_NUMBER)
		return 0;
	v = n;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return 0;
		v += (*s - '0') / 10.0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	while (is_space(*s))
		s++;
	return *s ? 0 : v;
}

/* An element's text, trimmed and cut to max bytes on a character's
 * start, into *out; blank is none (NULL). */
static int take_text(const xmlChar *s, size_t max, char **out)
{
	size_t len;

	while (is_space(*s))
		s++;
	len = strlen((const char *)s);
	while (len && is_space(s[len - 1]))
		len--;
	len = utf8_fit((const char *)s, len, max);
	if (!len)
		return 0;
	*out = strndup((const char *)s, len);
	return *out ? 0 : -ENOMEM;
}

/* A whole number from min to max, written plainly; 0 for anything
 * else. */
static int read_whole(const xmlChar *s, int min, int max)
{
	long n;

	s = read_digits(s, max, &n);
	if (!s)
		return 0;
	while (is_space(*s))
		s++;
	return *s || n < min || n > max ? 0 : (int)n;
}

enum { CI_SERIES, CI_VOLUME, CI_NUMBER, CI_SUMMARY, CI_WRITER, CI_YEAR,
       CI_MONTH, CI_DAY, NR_CI };

/* The date parts read, until take_doc() writes them as issued. */
struct date_parts {
	int year, month, day;
};

/*
 * Take one child of ComicInfo; seen keeps the first of each so that a
 * repeated element cannot change what an earlier one said.
 */
static int take_child(xmlNodePtr node, struct comicinfo *out, int *seen,
		      struct date_parts *d)
{
	static const char *const names[NR_CI] = {
		"Series", "Volume", "Number", "Summary", "Writer", "Year",
		"Month", "Day",
	};
	xmlChar *text;
	double v;
	int i, err = 0;

	for (i = 0; i < NR_CI; i++)
		if (!xmlStrcasecmp(node->name, (const xmlChar *)names[i]))
			break;
	if (i == NR_CI || seen[i])
		return 0;
	seen[i] = 1;
	text = xmlNodeGetContent(node);
	if (!text)
		return -ENOMEM;
	switch (i) {
	case CI_SERIES:
		err = take_text(text, SIZE_MAX, &out->series);
		break;
	case CI_VOLUME:
		v = read_number(text);
		if (v >= 1 && (v < 1900 || v > 2099))
			out->volume = v;
		break;
	case CI_NUMBER:
		out->number = read_number(text);
		break;
	case CI_SUMMARY:
		err = take_text(text, COMICINFO_MAX_TEXT, &out->summary);
		break;
	case CI_WRITER:
		err = take_text(text, COMICINFO_MAX_TEXT, &out->writer);
		break;
	case CI_YEAR:
		d->year = read_whole(text, 1000, 2999);
		break;
	case CI_MONTH:
		d->month = read_whole(text, 1, 12);
		break;
	case CI_DAY:
		d->day = read_whole(text, 1, 31);
		break;
	}
	xmlFree(text);
	return err;
}

/* The date as far as it goes: a year, then its month, then its day. */
static void write_issued(const struct date_parts *d, struct comicinfo *out)
{
	if (!d->year)
		return;
	if (!d->month)
		snprintf(out->issued, sizeof(out->issued), "%04d", d->year);
	else if (!d->day)
		snprintf(out->issued, sizeof(out->issued), "%04d-%02d",
			 d->year, d->month);
	else
		snprintf(out->issued, sizeof(out->issued), "%04d-%02d-%02d",
			 d->year, d->month, d->day);
}

/* Fill out from the document's ComicInfo root, when it has one. */
static int take_doc(xmlDocPtr doc, struct comicinfo *out)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), node;
	struct date_parts d = { 0, 0, 0 };
	int seen[NR_CI] = { 0 }, err = 0;

	if (!root || xmlStrcasecmp(root->name, (const xmlChar *)"ComicInfo"))
		return 0;
	out->found = 1;
	for (node = root->children; node && !err; node = node->next)
		if (node->type == XML_ELEMENT_NODE)
			err = take_child(node, out, seen, &d);
	write_issued(&d, out);
	return err;
}

/*
 * The archive is closed before the XML is parsed, so the two never hold
 * memory at once, and libxml2 is only set up once an archive has given
 * a ComicInfo.xml.
 */
int comicinfo_read(int fd, struct comicinfo *out)
{
	struct comic_archive *ca = malloc(sizeof(*ca));
	struct pages_tally t = { 0, 0, NULL, 0, 0 };
	xmlDocPtr doc = NULL;
	char *xml = NULL;
	size_t len = 0, pages, refused;
	int err, kind, too_many;

	memset(out, 0, sizeof(*out));
	if (!ca)
		return -ENOMEM;
	err = comic_archive_open(ca, fd);
	if (!err)
		err = find_entry(ca->a, &ca->src, &xml, &len, &t);
	comic_archive_close(ca);
	free(ca);
	refused = t.refused;
	too_many = t.entries > PAGES_MAX_ENTRIES;
	pages = pages_tally_end(&t, &kind);
	/* not an archive: nothing found */
	if (err == -EINVAL)
		err = 0;
	if (!err && xml)
		err = parse_xml(xml, len, &doc);
	free(xml);
	if (!err && doc)
		err = take_doc(doc, out);
	xmlFreeDoc(doc);
	if (err) {
		comicinfo_release(out);
		return err;
	}
	out->pages = pages;
	out->cover = pages ? pages_ext(kind) : NULL;
	out->refused = refused;
	out->too_many = too_many;
	return 0;
}

/* Zeroing lets the caller reuse the same struct for the next file. */
void comicinfo_release(struct comicinfo *ci)
{
	free(ci->series);
	free(ci->summary);
	free(ci->writer);
	memset(ci, 0, sizeof(*ci));
}

/* A volume number as ComicInfo writes it: "5", "10.5". */
static void add_number(char *out, size_t len, double v)
{
	if (v == (long)v)
		snprintf(out, len, "%ld", (long)v);
	else
		snprintf(out, len, "%.1f", v);
}

/* The element name of text made fit for XML (its line ends kept when
 * lines), when text is given; nonzero when it cannot be written. */
static int said_element(xmlTextWriterPtr w, const char *name,
			const char *text, int lines)
{
	struct strbuf b = STRBUF_INIT;
	int bad;

	if (!text || !*text)
		return 0;
	for (const char *p = text; *p; ) {
		size_t n = lines ? strcspn(p, "\n") : strlen(p);
		char *one = strndup(p, n);

		if (!one) {
			strbuf_release(&b);
			return 1;
		}
		utf8_add_field(&b, one);
		free(one);
		p += n;
		if (*p == '\n')
			strbuf_addch(&b, *p++);
	}
	bad = xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST b.buf) < 0;
	strbuf_release(&b);
	return bad;
}

/* What said gives, in the schema's order; nonzero on a failure. */
static int said_elements(xmlTextWriterPtr w,
			 const struct comicinfo_said *said)
{
	if (!said)
		return 0;
	return said_element(w, "Summary", said->summary, 1) ||
	       said_element(w, "Writer", said->writer, 0) ||
	       said_element(w, "Genre", said->genre, 0) ||
	       said_element(w, "Web", said->web, 0) ||
	       said_element(w, "LanguageISO", said->language, 0);
}

int comicinfo_build(const char *series, double first, double last,
		    const struct comicinfo_said *said, struct strbuf *out)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	struct strbuf text = STRBUF_INIT;
	char a[32], b[32], title[80];
	struct xml_quiet quiet;
	int bad;

	if (!w) {
		xmlBufferFree(buf);
		return log_error(-ENOMEM, "comicinfo: out of memory");
	}
	xml_quiet_begin(&quiet);
	/* a folder name is bytes: XML takes neither other bytes than UTF-8
	 * nor control characters */
	utf8_add_field(&text, series);
	add_number(a, sizeof(a), first);
	add_number(b, sizeof(b), last);
	if (last > first)
		snprintf(title, sizeof(title), "Volumes %s-%s", a, b);
	else
		snprintf(title, sizeof(title), "Volume %s", a);
	bad = xmlTextWriterSetIndent(w, 1) < 0 ||
		xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
		xmlTextWriterStartElement(w, BAD_CAST "ComicInfo") < 0 ||
		xmlTextWriterWriteElement(w, BAD_CAST "Series",
					  BAD_CAST text.buf) < 0 ||
		xmlTextWriterWriteElement(w, BAD_CAST "Title",
					  BAD_CAST title) < 0 ||
		xmlTextWriterWriteElement(w, BAD_CAST "Number", BAD_CAST a) < 0 ||
		xmlTextWriterWriteElement(w, BAD_CAST "Volume", BAD_CAST a) < 0 ||
		said_elements(w, said) ||
		xmlTextWriterWriteElement(w, BAD_CAST "Manga",
					  BAD_CAST "Yes") < 0 ||
		xmlTextWriterEndDocument(w) < 0;
	xmlFreeTextWriter(w);
	xml_quiet_end(&quiet);
	if (!bad)
		strbuf_add(out, (const char *)xmlBufferContent(buf),
			   xmlBufferLength(buf));
	xmlBufferFree(buf);
	strbuf_release(&text);
	return bad ? log_error(-ENOMEM, "comicinfo: cannot write the XML of"
			       " %s", series) : 0;
}
