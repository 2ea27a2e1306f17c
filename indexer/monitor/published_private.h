/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_PUBLISHED_PRIVATE_H
#define MEDIAMON_PUBLISHED_PRIVATE_H

/*
 * What the files of the count of volumes out share, for them alone:
 * what a source said of a series, where the series' source places it at
 * each source, how a failure or a tie is shown (published.c), and
 * MangaDex's questions (published_mangadex.c).
 */

#include <stdint.h>

#include "common/strbuf.h"
#include "indexer/monitor/mangadex.h"
#include "indexer/monitor/series_meta.h"

struct monitor;
struct series;
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

/* Where the series is at each source, from its source text. */
struct ids {
	struct strbuf slug;		/* Nautiljon's, "" when not named */
	char mangadex[MANGADEX_ID_LEN + 1];	/* "" when not named */
	long long mangaupdates;		/* 0 when not named */
	long long anilist;		/* 0 when not named */
};

/* Show a source t that gave no count for what (the series' name or the
 * page asked) with rc: a source that does not know the series is an
 * info line, a refusal or a source out of reach a warning in health, the
 * rest an error. */
void published_report_failure(struct throttle *t, const char *what,
			      int rc);

/*
 * How asking the source t for series ended, rc: -EEXIST, records id and
 * other both bear its title (neither is taken; out->tie says so for
 * status.json, which health shows); -ENOENT for the record asked (the
 * id the series' source names, "" none), gone (HTTP 404: a warning, its
 * metadata kept, the series passes to the next source until the user
 * writes another id); another failure, published_report_failure(); 0,
 * the source answered. -ECANCELED is not shown.
 */
void published_report(struct throttle *t, const char *series, int rc,
		      const char *asked, const char *id, const char *other,
		      struct answer *out);

/* Keep the id found at a source (prefix: PREFIX(SOURCE)) in the source
 * of the series, unless it names one there already. Returns 0 or the
 * writer's error. */
int published_keep_id(int64_t series, const char *prefix, const char *id);

/*
 * Each source's question, published_ask_NAME() for each row of
 * common/manga_sources.def (published.c's, or its own file's, as
 * published_mangadex.c for MangaDex): the count of the volumes out in
 * edition for the series s at ids, with the record's status and
 * metadata, into out. Returns 0, -ENODATA when it has no count for the
 * edition, or the -errno the source failed with (reported).
 */
#define MANGA_SOURCE(name, title, editions, rank, ...)			\
	int published_ask_##name(struct monitor *m, const struct series *s, \
				 struct ids *ids, const char *edition,	\
				 struct answer *out);
#include "common/manga_sources.def"
#undef MANGA_SOURCE

#endif
