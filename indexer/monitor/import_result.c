/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The lists of an import's result (import_private.h): the volumes it
 * wrote and the entries it left out, with why. The walk (import_walk.c)
 * and the import (import.c) both fill them; this file calls neither,
 * reads no file and decides nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/log.h"
#include "indexer/monitor/import_private.h"

struct import_file *import_add_file(struct import_file **v, size_t *nr,
				    size_t *alloc, const char *from)
{
	struct import_file *f = array_grow(*v, *nr, alloc, sizeof(**v), 8);

	if (!f || !(from = strdup(from)))
		abort();
	*v = f;
	f = &f[(*nr)++];
	*f = (struct import_file){ .from = (char *)from };
	return f;
}

void import_leave_out(struct import_result *res, const char *from,
		      double first, double last, const char *fmt, ...)
{
	struct import_file *f = import_add_file(&res->left_out,
						&res->nr_left_out,
						&res->alloc_left_out, from);
	va_list ap;

	f->first = first;
	f->last = last;
	va_start(ap, fmt);
	if (vasprintf(&f->why, fmt, ap) < 0)
		abort();
	va_end(ap);
	log_debug("import: %s left out: %s", *from ? from : "the download",
		  f->why);
}
