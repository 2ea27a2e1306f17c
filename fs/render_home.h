/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_HOME_H
#define MEDIAMON_RENDER_HOME_H

/*
 * Parts of the page at / (issue 79), as HTML for the caller of this
 * thread: what it has, counted over what it may read (table#counts),
 * and what runs now (p#now: the state, a scan's files done of its
 * estimate, the checks running and queued).
 */

#include "common/strbuf.h"

#define RENDER_HOME_BUSY_S 5	/* the page reloads this often while busy */
#define RENDER_HOME_IDLE_S 60	/* and this often when idle */

void render_home_counts(struct strbuf *out);

/* Returns 1 when something runs (the state is not idle), else 0. */
int render_home_now(struct strbuf *out);

#endif
