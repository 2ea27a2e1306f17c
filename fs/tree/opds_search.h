/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_OPDS_SEARCH_H
#define MEDIAMON_OPDS_SEARCH_H

/*
 * The search of the OPDS catalog (opds.h): its OpenSearch description,
 * the queries asked (each kept under a number, as a node carries a
 * number and no text) and how a query's words match a title.
 *
 *   search.xml        the OpenSearch 1.1 description: its template is
 *                     search/{searchTerms}.xml, relative as every link
 *   search/QUERY.xml  the series whose name holds every word of QUERY
 *                     (their navigation entries), else the volumes whose
 *                     series, number and file name do (acquisition),
 *                     among what the caller may see; looked up, never
 *                     listed
 *
 * A word matches at the start of a word of the title, both folded as
 * people type (common/fold.h: case and marks, in every script: "deja"
 * matches "Déjà"); a word of digits matches a number of the same value
 * ("4" matches "Volume 004", not "14").
 */

#include <stddef.h>
#include <stdint.h>

struct strbuf;

#define OPDS_SEARCH_MAX 256	/* bytes of a query */
#define OPDS_SEARCH_TYPE "application/opensearchdescription+xml"

/* The number of the query of len bytes (kept the first time it is
 * asked; the oldest forgotten past a thousand) into *id: 0, -EINVAL for
 * an empty query, -ENAMETOOLONG past OPDS_SEARCH_MAX bytes. */
int opds_search_intern(const char *query, size_t len, int64_t *id);

/* The query of number id into buf (OPDS_SEARCH_MAX + 1 bytes): 0, or
 * -ENOENT when it was forgotten. */
int opds_search_query(int64_t id, char *buf);

/* Whether every word of query matches in text (1 or 0). */
int opds_search_matches(const char *query, const char *text);

/* /opds/search.xml: 0 or a negative errno value. */
int opds_search_description(struct strbuf *out);

#endif
