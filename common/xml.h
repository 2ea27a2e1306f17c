/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_XML_H
#define MEDIAMON_XML_H

/*
 * libxml2 as the daemon uses it from several threads: set up once, and
 * silent. The parse options' NOERROR quiets the parser, but encoding
 * errors go to the generic error handler whatever the options; libxml2
 * keeps that handler per thread, so a parse silences it around itself:
 *
 *	struct xml_quiet q;
 *
 *	xml_quiet_begin(&q);
 *	doc = xmlCtxtReadMemory(...);
 *	xml_quiet_end(&q);
 */

#include <libxml/xmlerror.h>

struct xml_quiet {
	xmlGenericErrorFunc func;
	void *ctx;
};

/* Set libxml2 up (once, whichever thread comes first), then silence the
 * calling thread's generic error handler, keeping the old one in q. */
void xml_quiet_begin(struct xml_quiet *q);

/* Put back the handler xml_quiet_begin() kept. */
void xml_quiet_end(const struct xml_quiet *q);

#endif
