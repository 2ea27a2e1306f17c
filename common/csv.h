/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_CSV_H
#define MEDIAMON_CSV_H

/*
 * CSV as RFC 4180 has it, for the history files under /metrics that
 * spreadsheets, csvkit and Python's csv module read: fields separated
 * by commas, a field that holds a comma, a double quote, a carriage
 * return or a line feed enclosed in double quotes, its double quotes
 * doubled. Every text field of every CSV file goes through here, so a
 * value that one day holds a comma (a scan's scope "all,full") never
 * shifts the columns after it.
 *
 *	csv_add_field(&out, "all,full");	"all,full" quoted
 *	strbuf_addch(&out, ',');
 *	csv_add_field(&out, "control");		control
 *
 * Numbers and times hold none of those characters and are written as
 * they are; rows end with a line feed, which readers take as well as
 * the RFC's CR LF.
 */

struct strbuf;

/* Append s as one field, quoted when it must be; NULL is an empty
 * field. */
void csv_add_field(struct strbuf *out, const char *s);

/* Append the time t (seconds since the epoch) as RFC 3339 UTC, or
 * nothing when it is not known: a time field. */
void csv_add_time(struct strbuf *out, double t, int known);

#endif
