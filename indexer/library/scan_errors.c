/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The first errors of a scan in words (scan_errors.h): kept under a lock
 * by whichever thread meets them, written out as JSON for the scan's
 * row. It counts nothing (the scan's stats do) and logs nothing.
 */
#include "indexer/library/scan_errors.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/utf8.h"

void scan_errors_init(struct scan_errors *e)
{
	pthread_mutex_init(&e->lock, NULL);
	e->nr = 0;
}

void scan_errors_destroy(struct scan_errors *e)
{
	pthread_mutex_destroy(&e->lock);
}

void scan_errors_note(struct scan_errors *e, const char *root,
		      const char *rel, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t i;

	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	i = e->nr;
	if (i < SCAN_ERRORS_KEPT) {
		e->nr++;
		snprintf(e->kept[i].path, sizeof(e->kept[i].path), "%s%s%.*s",
			 root, len ? "/" : "", (int)len, rel);
		va_start(ap, fmt);
		vsnprintf(e->kept[i].why, sizeof(e->kept[i].why), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&e->lock);
}

int scan_errors_json(struct scan_errors *e, struct strbuf *out)
{
	json_t *a = json_array();
	char *text;
	int rc = 0;

	/* Names are bytes: what is not UTF-8 becomes U+FFFD, as JSON wants
	 * text. */
	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; a && !rc && i < e->nr; i++) {
		struct strbuf path = STRBUF_INIT, why = STRBUF_INIT;

		utf8_add_text(&path, e->kept[i].path, strlen(e->kept[i].path));
		utf8_add_text(&why, e->kept[i].why, strlen(e->kept[i].why));
		if (json_array_append_new(a, json_pack("{s:s, s:s}",
				"path", path.buf, "error", why.buf)))
			rc = -ENOMEM;
		strbuf_release(&path);
		strbuf_release(&why);
	}
	pthread_mutex_unlock(&e->lock);
	if (!a)
		return -ENOMEM;
	if (!rc && json_array_size(a)) {
		text = json_dumps(a, JSON_COMPACT | JSON_ENSURE_ASCII);
		if (text)
			strbuf_addstr(out, text);
		else
			rc = -ENOMEM;
		free(text);
	}
	json_decref(a);
	return rc;
}
