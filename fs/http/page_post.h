/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PAGE_POST_H
#define MEDIAMON_PAGE_POST_H

/*
 * A POST to /control/NAME that a web page sent: the page at / posts its
 * buttons' forms (render_home.h), any other site's page is refused.
 * Browsers name the page a POST comes from (Origin, or Referer alone
 * when an old one or a page's policy leaves Origin out), and another
 * site's would come with the browser's saved password: such a POST is
 * taken only from the listener's own origin (its Host), with the form's
 * token of the user it was shown to (page_token.h).
 */

#include <microhttpd.h>
#include <sys/types.h>

#include "common/strbuf.h"

/* Where the POST on c comes from: 0 no page (a program), 1 a page of
 * the listener's own origin, -1 another site's page (refuse it). */
int page_post_from(struct MHD_Connection *c);

/*
 * The form body of a page's POST on c, as user uid: its token checked
 * and its value left in body with a newline, as a write of the control
 * file takes it. Returns 0, or -EACCES (no form, no token or not uid's,
 * no value), or -ENOMEM.
 */
int page_post_value(struct MHD_Connection *c, uid_t uid,
		    struct strbuf *body);

#endif
