/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ANALYSIS_SPECTRUM_H
#define MEDIAMON_ANALYSIS_SPECTRUM_H

/*
 * Statistics of a track's spectrum and tempo, from a mono signal at a low
 * rate (about 11 kHz) fed in blocks of any size: what the feature vector
 * of analysis.c is made of. Memory stays the same whatever the length.
 *
 *	struct analysis_spectrum *s = analysis_spectrum_new(11025);
 *	struct analysis_spectrum_stats st;
 *
 *	while (...)
 *		analysis_spectrum_feed(s, mono, n);
 *	analysis_spectrum_finish(s, &st);
 *	analysis_spectrum_free(s);
 *
 * Frames are 4096 samples long, a hop of half that apart; frames quieter
 * than -70 dBFS count for no statistic but the tempo.
 */

#include <stddef.h>

#define ANALYSIS_BANDS	6

struct analysis_spectrum_stats {
	long frames;		/* frames the statistics come from */
	double chroma[12];	/* mean pitch-class profile, sums to 1;
				 * slot 0 is A, slot 1 A#, ... */
	double chroma_change;	/* mean distance between the profiles of
				 * consecutive frames, 0 to 2 */
	double centroid;	/* mean spectral centroid, octaves from 1 kHz */
	double centroid_sd;	/* its spread over frames, octaves */
	double spread;		/* mean spread around the centroid, octaves */
	double rolloff;		/* mean 85 % roll-off, octaves from 1 kHz */
	double flatness;	/* mean spectral flatness, dB (<= 0) */
	double flatness_sd;	/* its spread over frames, dB */
	double flux;		/* mean rise of magnitudes between frames,
				 * relative to the frame's own, 0 to 1 */
	double band[ANALYSIS_BANDS];	/* share of energy per band, dB */
	double level_sd;	/* spread of frame levels, dB */
	double quiet_share;	/* share of frames that were silence */
	double bpm;		/* 0 when no tempo was found */
	double beat_share;	/* share of beat intervals near the tempo */
};

struct analysis_spectrum;

/* Statistics of mono audio at rate Hz; NULL when out of memory. */
struct analysis_spectrum *analysis_spectrum_new(unsigned rate);

/* Feed n more samples (+-1.0). */
void analysis_spectrum_feed(struct analysis_spectrum *s, const float *x,
			    size_t n);

/* Fill *out from everything fed so far (out->frames 0: all silence). */
void analysis_spectrum_finish(struct analysis_spectrum *s,
			      struct analysis_spectrum_stats *out);

/* Free s; it may be NULL. */
void analysis_spectrum_free(struct analysis_spectrum *s);

#endif
