/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ANALYSIS_PCM_H
#define MEDIAMON_ANALYSIS_PCM_H

/*
 * The blocks of samples the decoders (analysis_decode.h and
 * analysis_decode_av.h) hand to the analysis, one at a time.
 */

#include <stddef.h>

struct analysis_pcm {
	const float *samples;	/* frames * channels, interleaved, +-1.0 */
	size_t frames;
	unsigned rate;		/* the same for every block of a file */
	unsigned channels;	/* likewise, 1 to ANALYSIS_MAX_CHANNELS */
};

#define ANALYSIS_MAX_CHANNELS	8

/* Takes one block; returns 0 to go on, or a negative errno to stop. */
typedef int (*analysis_pcm_fn)(const struct analysis_pcm *pcm, void *ctx);

#endif
