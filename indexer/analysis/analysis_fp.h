/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ANALYSIS_FP_H
#define MEDIAMON_ANALYSIS_FP_H

/*
 * The Chromaprint fingerprint of a track, computed as fpcalc does (raw
 * items, mono) from the first ANALYSIS_FP_SECONDS of a mono signal fed in
 * blocks; the matching and indexing of fingerprints are in analysis.h
 * (analysis_fingerprint_match(), analysis_fingerprint_keys()).
 *
 *	struct analysis_fp *fp = analysis_fp_new(11025);
 *
 *	while (...)
 *		analysis_fp_feed(fp, mono, n);
 *	if (analysis_fp_finish(fp, &items, &len) == 0)
 *		...	free(items) later
 *	analysis_fp_free(fp);
 */

#include <stddef.h>
#include <stdint.h>

/* How much of a track the fingerprint covers, in seconds. */
#define ANALYSIS_FP_SECONDS	120

struct analysis_fp;

/* A fingerprinter for mono audio at rate Hz; NULL when out of memory. */
struct analysis_fp *analysis_fp_new(unsigned rate);

/*
 * Feed n more samples (+-1.0); whatever comes after the first
 * ANALYSIS_FP_SECONDS is ignored. Returns 0, or -EIO when Chromaprint
 * refuses them.
 */
int analysis_fp_feed(struct analysis_fp *fp, const float *x, size_t n);

/*
 * End the fingerprint and give its raw items, malloc'd, in *items and
 * their number in *len. Returns 0; -EBADMSG when the audio was too short
 * for a single item; -ENOMEM; -EIO when Chromaprint fails.
 */
int analysis_fp_finish(struct analysis_fp *fp, uint32_t **items, int *len);

/* Free the fingerprinter; fp may be NULL. */
void analysis_fp_free(struct analysis_fp *fp);

#endif
