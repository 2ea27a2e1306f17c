/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ANALYSIS_READS_H
#define MEDIAMON_ANALYSIS_READS_H

/*
 * The analysis' figures of the store for the mount: read through the
 * calling thread's read connection (reader.h) in one read transaction,
 * or in the one its caller holds; 0 or a negative errno value (logged).
 * The workers' live figures are the caller's (indexer_status()).
 */

#include "indexer/analysis/analysis_store.h"

/* The analysed, failed, too short and queued tracks. */
int analysis_reads_counts(struct analysis_counts *out);

/* Why files are shown as holding one recording. */
#define ANALYSIS_DUP_AUDIO		"audio"
#define ANALYSIS_DUP_MUSICBRAINZ	"musicbrainz"

/*
 * Call fn(arg, group, reason, path) for every track of every group of
 * tracks that hold one recording, path its file's absolute path: first
 * the groups of the audio analysis (analysis_store_duplicates(): groups
 * numbered from 0, reason ANALYSIS_DUP_AUDIO), then those of one
 * MusicBrainz recording id and length (mb_dups.h; reason
 * ANALYSIS_DUP_MUSICBRAINZ, numbered on) but those the analysis holds
 * whole already. Stops when fn returns nonzero and returns that.
 */
int analysis_reads_duplicates(int (*fn)(void *arg, int group,
					const char *reason,
					const char *path),
			      void *arg);

#endif
