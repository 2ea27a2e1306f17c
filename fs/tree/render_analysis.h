/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_RENDER_ANALYSIS_H
#define MEDIAMON_RENDER_ANALYSIS_H

/*
 * The files of the background audio analysis, from its figures in the
 * store (indexer/analysis/analysis_reads.h) and the workers' live status
 * (indexer/indexer.h): one whole document appended to out; 0 or a
 * negative errno value.
 *
 *   /metrics/analysis.json  {enabled, paused, threads, busy, analysed,
 *                           queued, failed, too_short, done, audio_s,
 *                           cpu_s, tracks_per_second,
 *                           audio_seconds_per_cpu_second, last_error
 *                           (null or {message, at, at_s})}
 *   /status/duplicates      the groups of files holding one recording:
 *                           a path per line in path order, a blank line
 *                           between groups (in the order of their first
 *                           paths); empty when there is none; the groups
 *                           of the analysis, then those of one
 *                           MusicBrainz recording id and length
 *                           (analysis_reads_duplicates())
 *   /status/duplicates.json the same groups as [{reason ("audio" or
 *                           "musicbrainz"), paths}]
 */

#include "fs/tree/node.h"

node_render_fn render_analysis_json, render_duplicates,
	render_duplicates_json;

#endif
