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

/* Records a and b of the source t both bear the series' title: neither
 * is taken; out->tie says so for status.json, which health shows. */
void published_report_tie(struct throttle *t, const char *a, const char *b,
			  struct answer *out);

/* The record id the series' source names is not at the source t (HTTP
 * 404): a warning naming the series, its metadata kept as it was; the
 * series passes to the next source until the user writes another id. */
void published_report_gone(struct throttle *t, const char *series,
			   const char *id);

/* Keep the id found at a source (prefix: PREFIX(SOURCE)) in the source
 * of the series, unless it names one there already. Returns 0 or the
 * writer's error. */
int published_keep_id(int64_t series, const char *prefix, const char *id);

/* MangaDex's count of the volumes translated into the edition, with the
 * record's status and metadata, into out (published_mangadex.c). Returns
 * 0 or the -errno the source failed with (reported). */
int published_ask_mangadex(struct monitor *m, const struct series *s,
			   struct ids *ids, const char *edition,
			   struct answer *out);

#endif
