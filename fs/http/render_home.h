/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_HOME_H
#define MEDIAMON_RENDER_HOME_H

/*
 * Parts of the page at / (issue 79), as HTML for the caller of this
 * thread: what it has, counted over what it may read (table#counts),
 * the manga volumes added last that it may read, each with its cover
 * linked to its series' feed (ul#lately-volumes), and what runs now
 * (p#now: the state, a scan's files done of its estimate, the checks
 * running and queued).
 */

#include "common/strbuf.h"

#define RENDER_HOME_BUSY_S 5	/* the page reloads this often while busy */
#define RENDER_HOME_IDLE_S 60	/* and this often when idle */

#define RENDER_HOME_LATELY 8	/* albums, volumes shown as added lately */
#define RENDER_HOME_MISSING 50	/* series shown with their missing volumes */

void render_home_counts(struct strbuf *out);

/* The albums the caller may read added last (the greatest file ids),
 * each with its cover linked to its folder (ul#lately-albums), from the
 * caller's Subsonic index (kept). Returns 0 or a negative errno value. */
int render_home_albums(struct strbuf *out);

/* Reads the whole shelf, as opds/recent.xml does. Returns 0 or a
 * negative errno value (nothing added then but maybe the list's head). */
int render_home_lately(struct strbuf *out);

/* For the owner, who alone may write control files: the buttons that
 * rescan, look for missing volumes, pause and resume the analysis
 * (div#buttons), each a form posting its value and the caller's token
 * (page_token.h) to its control file. Nothing for anyone else. */
void render_home_buttons(struct strbuf *out);

/* The missing volumes of the monitored series the caller may see
 * (ul#missing), a series with its cover linked to its feed, then its
 * volumes; RENDER_HOME_MISSING series at most. Returns 0 or a negative
 * errno value. */
int render_home_missing(struct strbuf *out);

/* Returns 1 when something runs (the state is not idle), else 0. */
int render_home_now(struct strbuf *out);

#endif
