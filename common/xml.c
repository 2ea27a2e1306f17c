/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libxml2 set up once and kept silent per thread (xml.h). It parses
 * nothing by itself.
 */
#include "common/xml.h"

#include <pthread.h>

#include <libxml/parser.h>

/* libxml2 2.9 wants xmlInitParser() called once before threads parse;
 * pthread_once() makes the first caller do it and the others wait. */
static void xml_setup(void)
{
	xmlInitParser();
}

/* Somewhere to send libxml2's messages that is not stderr. */
static void drop_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

void xml_quiet_begin(struct xml_quiet *q)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, xml_setup);
	q->func = xmlGenericError;
	q->ctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(NULL, drop_generic);
}

void xml_quiet_end(const struct xml_quiet *q)
{
	xmlSetGenericErrorFunc(q->ctx, q->func);
}
