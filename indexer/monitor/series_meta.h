/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SERIES_META_H
#define MEDIAMON_SERIES_META_H

/*
 * What a source of the count of volumes out said of the series besides
 * the count (issue 68): its title, other titles, status, genres,
 * summary, authors, cover and page, read by the client (mangadex.c,
 * mangaupdates.c, anilist.c, kitsu.c) from the same record that gave the
 * count, and kept in the series' row (series.meta) by the monitor when
 * that record's count is taken; manga/SERIES/status.json, the OPDS series
 * entry and an imported volume's ComicInfo.xml show it.
 *
 *	struct series_meta meta = { 0 };
 *
 *	series_meta_set(meta.title, sizeof(meta.title), "One  Piece\n");
 *	series_meta_add(meta.genres, sizeof(meta.genres), "Action");
 *	series_meta_summary(meta.summary, sizeof(meta.summary),
 *			    "<b>Luffy</b><br>sets out...");
 *
 * Every field is capped at its size, cut on a UTF-8 character's
 * boundary: a 1 MB summary from an odd source is cut, not kept whole.
 * A text's control characters and runs of white space become one space
 * (a summary keeps its paragraphs); a summary loses the HTML tags and
 * the Markdown marks sources write in theirs (AniList's <br> and <i>,
 * MangaDex's **bold** and [links](...)), its entities decoded. Lists
 * (alternative titles, genres, authors) hold one item a line, each once,
 * an item that does not fit left out whole.
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define SERIES_META_TEXT 256	/* a title, a status, a URL: bytes */
#define SERIES_META_LIST 1024	/* a list, one item a line */
#define SERIES_META_SUMMARY 4096

struct series_meta {
	char title[SERIES_META_TEXT];
	char alt_titles[SERIES_META_LIST];
	char status[SERIES_META_TEXT];	/* as the source words it */
	char genres[SERIES_META_LIST];
	char summary[SERIES_META_SUMMARY];
	char authors[SERIES_META_LIST];
	char cover[SERIES_META_TEXT];	/* an https URL, or "" */
	char url[SERIES_META_TEXT];	/* the record's page, or "" */
	char original[16];		/* the original's language ("ja"), or
					 * "" */
};

/* Set dst (of size bytes) to text made one plain line, cut to fit;
 * NULL text is "". */
void series_meta_set(char *dst, size_t size, const char *text);

/* Add text, made one plain line, to the list (one item a line) of size
 * bytes, unless it is empty, already there, or does not fit whole. */
void series_meta_add(char *list, size_t size, const char *text);

/* series_meta_add() of each string of array, or of its member key when
 * key is not NULL; an element of another kind is passed over. */
void series_meta_add_each(char *list, size_t size, json_t *array,
			  const char *key);

/* Set dst to text with its HTML and Markdown set aside, its paragraphs
 * kept, cut to fit (an ellipsis marks the cut). */
void series_meta_summary(char *dst, size_t size, const char *text);

/* Set dst to url when it is an https URL of one plain line that fits,
 * to "" otherwise. */
void series_meta_set_url(char *dst, size_t size, const char *url);

/* Whether m holds nothing. */
int series_meta_empty(const struct series_meta *m);

/*
 * m as a JSON object: {"title", "alt_titles": [...], "status",
 * "genres": [...], "summary", "authors": [...], "cover", "url",
 * "original", "source": record ("SOURCE:ID"), "at": RFC 3339 of at},
 * an absent text null; NULL when out of memory.
 */
json_t *series_meta_json(const struct series_meta *m, const char *record,
			 double at);

/* Keep m, read from record at the time at, as series' metadata (a
 * writer_call() from the monitor's thread); an empty m leaves what was
 * kept. Returns 0, -ENOMEM, or the writer's error. */
int series_meta_keep(int64_t series, const struct series_meta *m,
		     const char *record, double at);

#endif
