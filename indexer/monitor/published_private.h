/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PUBLISHED_PRIVATE_H
#define MEDIAMON_PUBLISHED_PRIVATE_H

/*
 * What the files of the count of volumes out share, for them alone:
 * what a source said of a series, where the series' source places it at
 * a source, how a failure or a tie is shown (published.c), and each
 * source's question, asked in its own file (the manga sources'
 * table, common/manga_sources.def: indexer/monitor/NAME.c).
 */

#include <stddef.h>
#include <stdint.h>

#include "indexer/monitor/series_meta.h"

struct monitor;
struct series;
struct strbuf;
struct throttle;

/* The prefix of a source's ids in a series' source: "mangadex:" */
#define PREFIX(source) #source ":"

/* What a source said of a series. */
struct answer {
	int count;
	char status[48];
	int none_yet;		/* known there, no volume out yet */
	char tie[200];		/* the two records that bear its title, as
				 * status.json says it, or "" */
	char record[80];	/* "SOURCE:ID" of the count's record */
	char line[96];		/* MangaUpdates' status line read, or "" */
	struct series_meta meta;	/* what that record says */
};

/* A search that found nothing, as the cache keeps it till it forgets. */
#define PUBLISHED_NOT_FOUND "null"

/*
 * The id the series' source names at a source: the rest of its first
 * word that starts with prefix (PREFIX(NAME)), or, when bare, that holds
 * no ':' (then the whole word: a bare Nautiljon slug); words are
 * separated by spaces, tabs or commas. Returns its length, 0 for none,
 * and where it starts in *at.
 */
size_t published_id(const char *source, const char *prefix, int bare,
		    const char **at);

/* The id the series' source names at prefix as published_id() finds it,
 * when a positive decimal number of 15 digits at most, else 0. */
long long published_number_id(const char *source, const char *prefix);

/* Whether edition is one a manga, manhwa or manhua is first published
 * in (ja, ko, zh), whose counts MangaUpdates and AniList give. */
int published_original(const char *edition);

/* Show a source t that gave no count for what (the series' name or the
 * page asked) with rc: a source that does not know the series is an
 * info line, a rate limit (-EAGAIN) too, health showing t's pause until
 * it ends; a refusal or a source out of reach a warning in health, the
 * rest an error. */
void published_report_failure(struct throttle *t, const char *what,
			      int rc);

/*
 * How asking the source t for the series s ended, rc: -EEXIST, records
 * id and other both bear its title (neither is taken; out->tie says so
 * for status.json, which health shows); -ENOENT for the record asked
 * (the id the series' source names, "" none), gone (HTTP 404: kept as
 * "SOURCE:ID" in the series' gone records, a warning of its own in
 * health until the user writes its source; its metadata kept, the
 * series passes to the next source); another failure,
 * published_report_failure(); 0, the source answered. -ECANCELED is not
 * shown.
 */
void published_report(struct throttle *t, const struct series *s, int rc,
		      const char *asked, const char *id, const char *other,
		      struct answer *out);

/* The cache's key of a search for title in edition ("search:EDITION:"
 * then cache_key()): a search ranks records by the edition's kind (a
 * manga for ja, a manhwa for ko), so another edition searches again. */
void published_search_key(const char *edition, const char *title,
			  struct strbuf *key);

/* Keep the id found by a search at a source (prefix: PREFIX(SOURCE))
 * among the series' found ids (never in its source, which is the
 * user's), unless its source or found ids name one there already; the
 * next check's struct series has it after the user's ids. Returns 0 or
 * the writer's error. */
int published_keep_id(int64_t series, const char *prefix, const char *id);

/* published_report() of a source whose ids are numbers (asked 0: the
 * series' source named none). */
void published_report_ids(struct throttle *t, const struct series *s,
			  int rc, long long asked, long long id,
			  long long other, struct answer *out);

/*
 * Each source's question, published_ask_NAME() for each row of
 * common/manga_sources.def, in its own file indexer/monitor/NAME.c: the
 * count of the volumes out in edition for the series s (at the id its
 * source names there, published_id(), or found by its name), with the
 * record's status and metadata, into out. Returns 0, -ENODATA when it
 * has no count for the edition, or the -errno the source failed with
 * (reported).
 */
#define MANGA_SOURCE(name, title, editions, rank, ...)			\
	int published_ask_##name(struct monitor *m, const struct series *s, \
				 const char *edition, struct answer *out);
#include "common/manga_sources.def"
#undef MANGA_SOURCE

#endif
