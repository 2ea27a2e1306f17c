/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCAN_ERRORS_H
#define MEDIAMON_SCAN_ERRORS_H

/*
 * The first errors of a scan, in words: the file or folder and why it
 * failed, kept with the scan's row (scans.first_errors) so that
 * /metrics/scans.json says what went wrong, not only how often. The
 * scanner's threads note each error as they count it; the first
 * SCAN_ERRORS_KEPT are kept, the rest only counted.
 *
 *	struct scan_errors e;
 *
 *	scan_errors_init(&e);
 *	req.errors = &e;			(each root's scan notes in it)
 *	...
 *	scan_errors_note(&e, "/music/a", "b.flac", 6, "bad frame");
 *	...
 *	scan_errors_json(&e, &text);		(the column's value)
 *	scan_errors_destroy(&e);
 */

#include <pthread.h>
#include <stddef.h>

struct strbuf;

#define SCAN_ERRORS_KEPT	5
#define SCAN_ERRORS_PATH_MAX	512
#define SCAN_ERRORS_WHY_MAX	160

struct scan_errors {
	pthread_mutex_t lock;
	size_t nr;		/* kept, at most SCAN_ERRORS_KEPT */
	struct {
		char path[SCAN_ERRORS_PATH_MAX];
		char why[SCAN_ERRORS_WHY_MAX];
	} kept[SCAN_ERRORS_KEPT];
};

void scan_errors_init(struct scan_errors *e);
void scan_errors_destroy(struct scan_errors *e);

/*
 * Note an error at root/rel (the first len bytes of rel; "" for the root
 * itself) for the reason the format gives; thread-safe. e may be NULL
 * (nothing is kept). Paths and reasons are cut to their buffers.
 */
void scan_errors_note(struct scan_errors *e, const char *root,
		      const char *rel, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * The kept errors as a JSON array of {"path", "error"} objects, appended
 * to out; "" (nothing appended) when none was kept. Returns 0 or -ENOMEM.
 */
int scan_errors_json(struct scan_errors *e, struct strbuf *out);

#endif
