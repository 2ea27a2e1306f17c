/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_MANGA_SOURCES_H
#define MEDIAMON_MANGA_SOURCES_H

/*
 * The default order of the manga sources (common/manga_sources.def), the
 * one the new-volume check asks them in when [monitor] new_sources is not
 * set, and the same in words for the documents. A source is an index in
 * the table, as enum config_manga (common/config.h) numbers them.
 */

#include <stddef.h>

#include "common/config.h"
#include "common/strbuf.h"

/*
 * Fill order with the sources asked by default for edition (such as
 * "fr"), by rank, a tie in the table's order; returns how many.
 */
size_t manga_sources_default(const char *edition,
			     size_t order[CONFIG_MANGA_NR]);

/*
 * Append the default order in words to out, as the documents say it:
 * "nautiljon, mangadex for fr; ... for ja, ko and zh; mangadex for the
 * others" (the editions a row names, those of the same order together).
 */
void manga_sources_default_text(struct strbuf *out);

#endif
