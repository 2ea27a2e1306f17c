/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RFC 4180 fields for the /metrics CSV files (csv.h). It quotes; it
 * knows no file's columns.
 */
#include "common/csv.h"

#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/strbuf.h"

/* Only the fields that need it are quoted, so that the files read as they
 * always did wherever a value is a plain word. */
void csv_add_field(struct strbuf *out, const char *s)
{
	if (!s)
		return;
	if (!s[strcspn(s, ",\"\r\n")]) {
		strbuf_addstr(out, s);
		return;
	}
	strbuf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addch(out, '"');
		strbuf_addch(out, *s);
	}
	strbuf_addch(out, '"');
}

void csv_add_time(struct strbuf *out, double t, int known)
{
	char at[CLOCK_RFC3339_LEN];

	if (!known)
		return;
	clock_rfc3339((time_t)t, at);
	strbuf_addstr(out, at);
}
