#ifndef MEDIAMON_QUERY_MANGA_H
#define MEDIAMON_QUERY_MANGA_H

/*
 * What the store knows of each manga series, for the /manga folders
 * (fs/manga_view.h): the series themselves, and the documents of one
 * series, each appended whole to out. Functions return 0, -ENOENT when
 * the series is gone, or another negative errno value (logged).
 */

#include <stdint.h>

struct strbuf;

/* The settings a user may write for a series (indexer_set_series_*()). */
enum query_series_setting {
	QUERY_SERIES_MONITORED,	/* 1 or 0 */
	QUERY_SERIES_LATEST,	/* the latest volume published, or nothing */
	QUERY_SERIES_SOURCE,	/* where news of it comes from, or nothing */
};

/*
 * Call fn with the name and id of every series, by name then id; stops
 * when fn returns nonzero, and returns that value.
 */
int query_series_each(int (*fn)(void *arg, const char *name, int64_t id),
		      void *arg);

/* The volumes owned, one number per line, ranges expanded, each once. */
int query_series_volumes(struct strbuf *out, int64_t series);

/* The volumes missing, one whole number per line. */
int query_series_missing(struct strbuf *out, int64_t series);

/* One setting as a line of text, or nothing when it is not set. */
int query_series_setting(struct strbuf *out, int64_t series,
			 enum query_series_setting which);

/*
 * status.json: series, path, monitored, latest, volumes, missing,
 * source, status, last_checked, and the files that are not volumes
 * (chapters, specials, unparsed), read as one snapshot.
 */
int query_series_status(struct strbuf *out, int64_t series);

#endif
