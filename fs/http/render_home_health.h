/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_HOME_HEALTH_H
#define MEDIAMON_RENDER_HOME_HEALTH_H

/*
 * The health block of the page at / (issue 79): each line of
 * /status/health as the caller of this thread reads it (ul#health, an
 * li.error or li.warn each, or li.ok alone), with since when it holds
 * (health_since.h: span.since, its time.datetime in UTC) and what to do
 * (span.fix: the section of mediamon(8) or mediamon.conf(5) that tells,
 * a link to /log for the owner, a link to the series' feed for a line
 * naming a series the caller may see).
 */

#include "common/strbuf.h"

/* Append the block for text, the health file as the caller reads it. */
void render_home_health(struct strbuf *out, const char *text);

#endif
