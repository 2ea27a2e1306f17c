/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The manga source Nautiljon (a row of common/manga_sources.def): how
 * many volumes of a manga series are out in France (VF) and in Japan
 * (VO), read from the series page, as Nautiljon has no API; the monitor
 * asks it through published_ask_nautiljon() (published_private.h), which
 * answers from the cache or one request and reports how it went. Which
 * sources are asked and what a count changes is published.c's.
 *
 * The page is URL/mangas/SLUG.html, where SLUG is the series' source's
 * "nautiljon:SLUG" or bare SLUG, else its title in lowercase,
 * URL-encoded with spaces as '+'. Each request goes through the
 * source's throttle, which should be slower than the 10 requests per 10
 * seconds other scrapers allow themselves, and is sent with mediamon's
 * User-Agent. It fetches nothing a page refers to.
 *
 * The counts are found by label, not by the class names around them,
 * which change: every <li> of the page is read as plain text (entities
 * decoded, runs of white space, no-break spaces included, made one
 * space), and the first whose text starts with "Nb volumes VF" (or VO),
 * in any case, then ':' gives the count, the integer right after the
 * colon, and the status, the text in the parentheses right after that:
 *
 *	<li><span class="bold">Nb volumes VF :</span> 111 (En cours)</li>
 *
 * The items "Titre original", "Auteur" (or "Auteurs") and "Genres" are
 * read the same way, their lists split at " - " and ",", into the
 * series' metadata (series_meta.h), beside what the page's blocks
 * hold, where scrapers of the live site read them (tests/data/
 * SOURCES.md): the title, the itemprop="name" element under the first
 * class="h1titre" element; the summary, the first class="description"
 * element ("N/C" is none); the cover, the href of the link
 * id="onglets_3_couverture", a path on NAUTILJON_URL.
 *
 * Statuses are given as the page spells them ("En cours", "En attente",
 * "Abandonné", "Terminé"), in UTF-8. A count above NAUTILJON_MAX_COUNT
 * is not believed and reads as 0. HTML is parsed with libxml2 in its
 * forgiving mode, without network access, assuming UTF-8; its messages
 * are never printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "common/bytes.h"
#include "common/cache.h"
#include "common/http.h"
#include "common/redact.h"
#include "common/strbuf.h"
#include "common/xml.h"
#include "indexer/manga/names.h"
#include "indexer/monitor/monitor_private.h"
#include "indexer/monitor/published_private.h"
#include "indexer/monitor/remote.h"
#include "indexer/monitor/series_meta.h"
#include "indexer/store/services.h"

#define NAUTILJON_URL "https://www.nautiljon.com"
#define NAUTILJON_MAX_COUNT 9999
#define NAUTILJON_MAX_PAGE (4u << 20)	/* bytes */

struct nautiljon_info {
	int vf_count;			/* 0 when absent or unbelievable */
	int vo_count;
	char vf_status[32];		/* "En cours", "Terminé"... or "" */
	char vo_status[32];
	struct series_meta meta;	/* with a VF count: what the page's
					 * items "Titre original", "Auteur"
					 * and "Genres" say, vf_status, and
					 * its title, summary and cover */
};

/* Forgiving, quiet, and never fetching anything a page refers to. */
#define HTML_OPTIONS \
	(HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | \
	 HTML_PARSE_RECOVER)

/* Enough of an item's text for the label, the count and the status. */
#define ITEM_TEXT 256

/* The label of each count, after which comes an optional space and ':'. */
#define LABEL_VF "nb volumes vf"
#define LABEL_VO "nb volumes vo"
#define LABEL_ORIGINAL "titre original"
#define LABEL_AUTHOR "auteur"
#define LABEL_AUTHORS "auteurs"
#define LABEL_GENRES "genres"

/* What an item's text is gathered into, one space for any white space. */
struct text {
	char buf[ITEM_TEXT];
	size_t len;
	int space;		/* white space since the last character */
};

/*
 * The length of the white space at s (n bytes left), 0 if none: ASCII
 * white space, and the no-break spaces French typography puts before a
 * colon (U+00A0, U+202F) and the thin space (U+2009).
 */
static size_t space_at(const unsigned char *s, size_t n)
{
	if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
		return 2;
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] == 0xaf || s[2] == 0x89))
		return 3;
	return 0;
}

/*
 * Add a text node's content, keeping one space between words and none
 * in front; what does not fit is dropped, as the fields sit at the start.
 */
static void text_add(struct text *t, const xmlChar *s)
{
	size_t n = strlen((const char *)s), w;

	while (n && t->len < sizeof(t->buf) - 1) {
		w = space_at(s, n);
		if (w) {
			t->space = t->len > 0;
			s += w;
			n -= w;
			continue;
		}
		if (t->space) {
			t->buf[t->len++] = ' ';
			t->space = 0;
			continue;
		}
		t->buf[t->len++] = (char)*s++;
		n--;
	}
	t->buf[t->len] = '\0';
}

/*
 * Gather the start of the text under item, in document order, without
 * recursion (a hostile page may nest deeply) and without reading more
 * than fits.
 */
static void item_text(xmlNodePtr item, struct text *t)
{
	xmlNodePtr node = item->children;

	t->len = 0;
	t->space = 0;
	t->buf[0] = '\0';
	while (node && node != item && t->len < sizeof(t->buf) - 1) {
		if ((node->type == XML_TEXT_NODE ||
		     node->type == XML_CDATA_SECTION_NODE) && node->content)
			text_add(t, node->content);
		if (node->type == XML_ELEMENT_NODE && node->children) {
			node = node->children;
			continue;
		}
		while (node != item && !node->next)
			node = node->parent;
		if (node != item)
			node = node->next;
	}
}

/*
 * If text starts with label, then an optional space and ':', return
 * what follows the colon, else NULL.
 */
static const char *after_label(const char *text, const char *label)
{
	size_t n = strlen(label);

	if (strncasecmp(text, label, n))
		return NULL;
	text += n;
	if (*text == ' ')
		text++;
	return *text == ':' ? text + 1 : NULL;
}

/*
 * Copy the status between the parentheses at s into status, trimmed,
 * redacted (a page may echo the request's credentials) before it is cut
 * at a character boundary when too long; nothing without a ')'.
 */
static void take_status(const char *s, char *status, size_t size)
{
	struct strbuf raw = STRBUF_INIT, shown = STRBUF_INIT;
	const char *end = strchr(s, ')');
	size_t n;

	if (!end)
		return;
	while (s < end && *s == ' ')
		s++;
	while (end > s && end[-1] == ' ')
		end--;
	strbuf_add(&raw, s, (size_t)(end - s));
	redact(raw.buf, REDACT_MASK, &shown);
	n = shown.len;
	if (n >= size) {
		n = size - 1;
		while (n && ((unsigned char)shown.buf[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(status, shown.buf, n);
	status[n] = '\0';
	strbuf_release(&shown);
	strbuf_release(&raw);
}

/*
 * Read " 111 (En cours)" after a label's colon: the count right after
 * the colon, then the status in the parentheses right after the count.
 */
static void take_value(const char *s, int *count, char *status, size_t size)
{
	long v = 0;
	int digits = 0;

	if (*s == ' ')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if (v <= NAUTILJON_MAX_COUNT)
			v = v * 10 + (*s - '0');
	*count = digits && v <= NAUTILJON_MAX_COUNT ? (int)v : 0;
	if (*s == ' ')
		s++;
	if (*s == '(')
		take_status(s + 1, status, size);
}

/* Add each item of the list s ("Action - Aventure", "A, B") to the
 * metadata list of size bytes. */
static void take_list(const char *s, char *list, size_t size)
{
	struct strbuf one = STRBUF_INIT;

	while (*s) {
		size_t n = strcspn(s, ",");
		const char *dash = strstr(s, " - ");

		if (dash && (size_t)(dash - s) < n)
			n = (size_t)(dash - s);
		strbuf_reset(&one);
		strbuf_add(&one, s, n);
		series_meta_add(list, size, one.buf);
		s += n;
		s += strspn(s, ", -");
	}
	strbuf_release(&one);
}

/* What a labelled item says of the series besides the counts: its
 * original title, authors and genres (series_meta.h). */
static void take_item_meta(const char *text, struct series_meta *meta)
{
	const char *v;

	if ((v = after_label(text, LABEL_ORIGINAL)))
		series_meta_add(meta->alt_titles, sizeof(meta->alt_titles), v);
	else if ((v = after_label(text, LABEL_AUTHOR)) ||
		 (v = after_label(text, LABEL_AUTHORS)))
		take_list(v, meta->authors, sizeof(meta->authors));
	else if ((v = after_label(text, LABEL_GENRES)))
		take_list(v, meta->genres, sizeof(meta->genres));
}

/* Whether the element's attribute attr is value (class: holds the word
 * value among its classes). */
static int attr_is(xmlNodePtr node, const char *attr, const char *value)
{
	xmlChar *v = xmlGetProp(node, (const xmlChar *)attr);
	const char *s = (const char *)v;
	size_t n = strlen(value);
	int found = 0;

	while (s && *s && !found) {
		s += strspn(s, " \t\n");
		found = !strncmp(s, value, n) &&
			(!s[n] || strchr(" \t\n", s[n]));
		if (strcmp(attr, "class"))
			break;
		s += strcspn(s, " \t\n");
	}
	xmlFree(v);
	return found;
}

/* The node after node under top in document order (an element's
 * children first), or NULL past the last. */
static xmlNodePtr next_under(xmlNodePtr node, xmlNodePtr top)
{
	if (node->type == XML_ELEMENT_NODE && node->children)
		return node->children;
	while (node != top && !node->next)
		node = node->parent;
	return node == top ? NULL : node->next;
}

/* The first element under top (top included) whose attribute attr is
 * value, without recursion, or NULL. */
static xmlNodePtr find_attr(xmlNodePtr top, const char *attr,
			    const char *value)
{
	xmlNodePtr node = top;

	while (node) {
		if (node->type == XML_ELEMENT_NODE &&
		    attr_is(node, attr, value))
			return node;
		node = next_under(node, top);
	}
	return NULL;
}

/* The synopsis in the element node: its content as HTML, its line ends
 * spaces as in HTML (only its tags break lines), made plain by
 * series_meta_summary(); "N/C" (not known) is none. */
static void take_summary(xmlNodePtr node, struct series_meta *meta)
{
	xmlBufferPtr buf = xmlBufferCreate();
	char *s;
	xmlNodePtr c;

	if (!buf)
		return;
	for (c = node->children; c; c = c->next)
		htmlNodeDump(buf, node->doc, c);
	s = (char *)xmlBufferContent(buf);
	for (char *p = s; p && *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	series_meta_summary(meta->summary, sizeof(meta->summary), s);
	if (!strcmp(meta->summary, "N/C"))
		meta->summary[0] = '\0';
	xmlBufferFree(buf);
}

/* The cover: the link's href, a path on the site or an https URL. */
static void take_cover(xmlNodePtr node, struct series_meta *meta)
{
	xmlChar *href = xmlGetProp(node, (const xmlChar *)"href");
	const char *h = (const char *)href;
	struct strbuf url = STRBUF_INIT;

	if (h && h[0] == '/' && h[1] != '/')
		strbuf_addf(&url, "%s%s", NAUTILJON_URL, h);
	else if (h)
		strbuf_addstr(&url, h);
	if (url.len)
		series_meta_set_url(meta->cover, sizeof(meta->cover),
				    url.buf);
	strbuf_release(&url);
	xmlFree(href);
}

/*
 * The series' title, synopsis and cover where Nautiljon's page holds
 * them (tests/data/SOURCES.md): the itemprop="name" under the
 * class="h1titre" heading, the first class="description" and the link
 * id="onglets_3_couverture"; the first of each.
 */
static void take_block(xmlNodePtr node, struct series_meta *meta)
{
	xmlNodePtr name;
	struct text t;

	if (!meta->title[0] && attr_is(node, "class", "h1titre") &&
	    (name = find_attr(node, "itemprop", "name"))) {
		item_text(name, &t);
		series_meta_set(meta->title, sizeof(meta->title), t.buf);
	} else if (!meta->summary[0] &&
		   attr_is(node, "class", "description")) {
		take_summary(node, meta);
	} else if (!meta->cover[0] &&
		   attr_is(node, "id", "onglets_3_couverture")) {
		take_cover(node, meta);
	}
}

/*
 * Look at every <li> of the page, in document order, for the first VF
 * and the first VO item, and the items of the metadata, and at every
 * element for the blocks of take_block().
 */
static void walk(xmlNodePtr top, struct nautiljon_info *out)
{
	xmlNodePtr node = top;
	int seen_vf = 0, seen_vo = 0;
	struct text t;
	const char *v;

	while (node) {
		if (node->type == XML_ELEMENT_NODE)
			take_block(node, &out->meta);
		if (node->type == XML_ELEMENT_NODE &&
		    !xmlStrcasecmp(node->name, (const xmlChar *)"li")) {
			item_text(node, &t);
			take_item_meta(t.buf, &out->meta);
			if (!seen_vf && (v = after_label(t.buf, LABEL_VF))) {
				take_value(v, &out->vf_count, out->vf_status,
					   sizeof(out->vf_status));
				seen_vf = 1;
			} else if (!seen_vo &&
				   (v = after_label(t.buf, LABEL_VO))) {
				take_value(v, &out->vo_count, out->vo_status,
					   sizeof(out->vo_status));
				seen_vo = 1;
			}
		}
		node = next_under(node, top);
	}
}

/* Parse silently (common/xml.h); *doc is NULL when nothing could be
 * made of it. */
static int parse_html(const char *html, size_t len, xmlDocPtr *doc)
{
	htmlParserCtxtPtr ctxt;
	struct xml_quiet q;
	int err = 0;

	xml_quiet_begin(&q);
	ctxt = htmlNewParserCtxt();
	if (!ctxt) {
		xml_quiet_end(&q);
		return -ENOMEM;
	}
	*doc = htmlCtxtReadMemory(ctxt, html, (int)len, NULL, "UTF-8",
				  HTML_OPTIONS);
	xml_quiet_end(&q);
	if (!*doc && ctxt->errNo == XML_ERR_NO_MEMORY)
		err = -ENOMEM;
	htmlFreeParserCtxt(ctxt);
	return err;
}

/*
 * Parse a series page of len bytes (no NUL needed) into out, which is
 * always filled in (zeroes and empty statuses for what is absent).
 * Returns 0 when the page gives a VF count, -ENODATA when it does not
 * (out may still hold the VO count), -EPROTO when it is not HTML at all
 * (empty, holding NUL bytes, or without a single element), -EFBIG when
 * len is above NAUTILJON_MAX_PAGE, or -ENOMEM. A page with NUL bytes is
 * binary, not HTML: it is refused before libxml2, which would make a
 * document of anything, makes something up.
 */
static int nautiljon_parse(const char *html, size_t len, struct nautiljon_info *out)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	int err;

	memset(out, 0, sizeof(*out));
	if (len > NAUTILJON_MAX_PAGE)
		return -EFBIG;
	if (!len || memchr(html, '\0', len))
		return -EPROTO;
	err = parse_html(html, len, &doc);
	if (err)
		return err;
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root)
		err = -EPROTO;
	else
		walk(root, out);
	/* the page's metadata is its VF edition's: none without a count */
	if (!out->vf_count)
		memset(&out->meta, 0, sizeof(out->meta));
	else
		series_meta_set(out->meta.status, sizeof(out->meta.status),
				out->vf_status);
	xmlFreeDoc(doc);
	if (err)
		return err;
	return out->vf_count ? 0 : -ENODATA;
}

/* Characters a slug given by a user may hold: nothing that ends a path. */
static int slug_ok(const char *slug)
{
	static const char extra[] = "-._~+%'!()*,";
	const char *s;

	if (!*slug)
		return 0;
	for (s = slug; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return 0;
	return 1;
}

/*
 * Append the slug for a series title to out: the title without the
 * folder's year or tag that ends it ("Dune (2020)" is "Dune", as
 * names_title_len() cuts it, as Prowlarr is asked), its white
 * space trimmed and runs of it made one space, ASCII letters lowercased
 * (Nautiljon's slugs are lowercase), then escaped by http_escape() with
 * spaces as '+' (so accented letters are percent-encoded UTF-8, and '&'
 * and '/' are escaped too).
 */
static void nautiljon_slug(const char *title, struct strbuf *out)
{
	struct strbuf clean = STRBUF_INIT;
	const char *s = title;
	size_t w, n = names_title_len(title);
	int space = 0;

	while (n) {
		w = space_at((const unsigned char *)s, n);
		if (w) {
			space = clean.len > 0;
			s += w;
			n -= w;
			continue;
		}
		if (space)
			strbuf_addch(&clean, ' ');
		space = 0;
		strbuf_addch(&clean, *s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
		s++;
		n--;
	}
	http_escape(clean.buf, 1, out);
	strbuf_release(&clean);
}

/*
 * Fetch and parse the page of slug (from nautiljon_slug(), or as a user
 * gave it: letters, digits and -._~+%'!()*, only), filling out in, with
 * one throttled GET; the Accept headers are what a browser sends, which
 * Cloudflare likes better than none. Returns what nautiljon_parse()
 * returns for a 200 answer, or:
 *
 *   -EINVAL     slug is empty or holds other characters, or no throttle
 *   -ECANCELED  *cancel became nonzero while waiting for the throttle
 *   -EACCES     401 or 403, or a Cloudflare challenge sent with a 429:
 *               Cloudflare (or Nautiljon) refused mediamon
 *   -ENOENT     404 or 410: no such series page
 *   -EAGAIN     429: the throttle is paused for its Retry-After
 *   -EIO        a 5xx answer, or any other unexpected status
 *   -EFBIG      the page is larger than NAUTILJON_MAX_PAGE
 *
 * or http_perform()'s other errors. 403, 5xx and transport errors count
 * as failures for the throttle, so repeated refusals back off.
 */
static int nautiljon_fetch(const struct remote_source *n, const char *slug,
		    const int *cancel, struct nautiljon_info *out)
{
	static const char *const headers[] = {
		"Accept: text/html,application/xhtml+xml",
		"Accept-Language: fr-FR,fr;q=0.9,en;q=0.5",
		NULL
	};
	struct strbuf url = STRBUF_INIT;
	struct http_request req = {
		.headers = headers,
		.timeout_ms = n->timeout_ms,
		.max_body = NAUTILJON_MAX_PAGE,
		.follow_redirects = 1,
	};
	struct http_response resp;
	int err;

	memset(out, 0, sizeof(*out));
	if (!slug || !slug_ok(slug) || !n->throttle)
		return -EINVAL;
	strbuf_addf(&url, "%s/mangas/%s.html", n->url ? n->url : NAUTILJON_URL,
		    slug);
	req.url = url.buf;
	req.cancel = cancel;
	err = remote_send(n->throttle, &req, &resp);
	if (!err)
		err = nautiljon_parse(resp.body.buf, resp.body.len, out);
	/* the page to link to is Nautiljon's own, not a proxy's */
	if (!err && (!n->url || !strcmp(n->url, NAUTILJON_URL)))
		series_meta_set_url(out->meta.url, sizeof(out->meta.url),
				    url.buf);
	http_response_release(&resp);
	strbuf_release(&url);
	return err;
}

/* The form of a struct nautiljon_info in the cache, one line of JSON,
 * with the names of the fields earlier versions wrote. */
static const struct remote_field nautiljon_fields[] = {
	REMOTE_INT_AS("vf", struct nautiljon_info, vf_count),
	REMOTE_TEXT(struct nautiljon_info, vf_status),
	REMOTE_INT_AS("vo", struct nautiljon_info, vo_count),
	REMOTE_TEXT(struct nautiljon_info, vo_status),
	REMOTE_META(struct nautiljon_info, meta),
};

static const struct remote_form nautiljon_info_form =
	REMOTE_FORM(nautiljon_fields, struct nautiljon_info, NULL);

struct nautiljon_ask {
	const char *slug;
	struct nautiljon_info info;
};

/* One Nautiljon page, in the shape monitor_with_retry() sends. */
static int send_nautiljon(struct monitor *m, void *arg)
{
	struct nautiljon_ask *a = arg;

	return nautiljon_fetch(&m->nautiljon, a->slug, m->cancel, &a->info);
}

/* Nautiljon's French count, from the cache or one request; it has no
 * count for another edition. */
int published_ask_nautiljon(struct monitor *m, const struct series *s,
			    const char *edition, struct answer *out)
{
	struct strbuf slug = STRBUF_INIT, value = STRBUF_INIT;
	struct nautiljon_ask a = { 0 };
	const char *named;
	size_t n = published_id(s->source, PREFIX(nautiljon), 1, &named);
	int rc = 0;

	if (strcmp(edition, "fr"))
		return -ENODATA;
	if (n)
		strbuf_add(&slug, named, n);
	else
		nautiljon_slug(s->name, &slug);
	a.slug = slug.buf;
	if (!monitor_cached(m, "nautiljon", slug.buf, &value, NULL) &&
	    !remote_info_load(&nautiljon_info_form, value.buf, value.len,
			      &a.info))
		goto out;
	rc = monitor_with_retry(m, m->nautiljon_t, send_nautiljon, &a,
				&m->c.nautiljon);
	if (rc && rc != -ECANCELED)
		published_report_failure(m->nautiljon_t, slug.buf, rc);
	if (rc)
		goto done;
	services_record(m->nautiljon_t, NULL, 0, NULL, NULL);
	monitor_keep("nautiljon", slug.buf,
		     remote_info_dump(&nautiljon_info_form, &a.info));
out:
	out->count = a.info.vf_count;
	snprintf(out->status, sizeof(out->status), "%s", a.info.vf_status);
	snprintf(out->record, sizeof(out->record), PREFIX(nautiljon) "%s",
		 slug.buf);
	out->meta = a.info.meta;
done:
	strbuf_release(&slug);
	strbuf_release(&value);
	return rc;
}
