/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What two tracks' analyses have in common (analysis.h): fingerprint
 * matching and keys, vector similarity, album gain. Pure arithmetic: no
 * store, no I/O.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indexer/analysis/analysis.h"

/*
 * The pure functions of analysis.h, apart from the analysis itself, so that
 * the daemon's store can match and index fingerprints and compare vectors
 * without linking the decoders and Chromaprint (mediamon-analyse has them).
 */

/*
 * An item covers about 0.124 s, so MAX_SHIFT items let two fingerprints
 * line up across some 6 s of silence added or cut at the start.
 */
#define MAX_SHIFT	48
/* Fewer aligned items than this say nothing about a match. */
#define MIN_OVERLAP	8
/* The bits of an item that its keys are made from: its 20 highest. */
#define KEY_BITS	20
/* The minimums per band, each band one key. */
#define KEY_ROWS	3

/*
 * Items that repeat their predecessor (silence, a held tone) say nothing:
 * two click tracks at different tempos are mostly equal silence. So the
 * bit errors count only over the pairs where either side changes, and
 * with too few of those (silence, a steady tone) there is no match.
 */
static double aligned_score(const uint32_t *a, const uint32_t *b, int n)
{
	long errors = 0;
	int moving = 0;

	for (int i = 1; i < n; i++) {
		if (a[i] == a[i - 1] && b[i] == b[i - 1])
			continue;
		errors += __builtin_popcount(a[i] ^ b[i]);
		moving++;
	}
	if (moving < MIN_OVERLAP)
		return 0;
	return 1.0 - (double)errors / (32.0 * moving);
}

double analysis_fingerprint_match(const uint32_t *a, int alen,
				  const uint32_t *b, int blen)
{
	int shortest = alen < blen ? alen : blen;
	int need = shortest / 2 > MIN_OVERLAP ? shortest / 2 : MIN_OVERLAP;
	double best = 0, score;
	int from, to;

	if (!a || !b || shortest < MIN_OVERLAP)
		return 0;
	for (int shift = -MAX_SHIFT; shift <= MAX_SHIFT; shift++) {
		from = shift < 0 ? -shift : 0;
		to = blen - shift < alen ? blen - shift : alen;
		if (to - from < need)
			continue;
		score = aligned_score(a + from, b + from + shift, to - from);
		if (score > best)
			best = score;
	}
	return best;
}

/* A fixed mixing of 32 bits, so the order it gives looks random. */
static uint32_t mix32(uint32_t k)
{
	k ^= k >> 16;
	k *= 0x7feb352dU;
	k ^= k >> 15;
	k *= 0x846ca68bU;
	k ^= k >> 16;
	return k;
}

/*
 * MinHash with banding. The set of a fingerprint is the distinct values
 * of the top KEY_BITS bits of its items, taken where an item changes
 * (held items say nothing, as for the match). KEY_ROWS * ANALYSIS_KEYS
 * hash functions (mix32() after a seed of their own) each keep their
 * minimum over the set; two sets of similarity s (shared values over all
 * values) agree on one minimum with probability s. Each band of
 * KEY_ROWS minimums, hashed with its number, is one key, so two
 * fingerprints share a key with probability 1 - (1 - s^3)^32.
 *
 * Measured on the fixtures (tests/data/make-analysis-fixtures.sh), with
 * the top 20 bits: one recording as FLAC and MP3 s = 0.945, the FLAC and
 * its 32 kbit/s copy s = 0.575, unrelated recordings s <= 0.006. More
 * bits lose the low copy (0.45 with 32), fewer make unrelated tracks
 * alike (up to 0.08 with 12 bits; in a real library unrelated tracks
 * shared a quarter of their 12-bit values); random 20-bit values give s
 * near 0.0004. So:
 *
 *	s = 0.9 (a copy):		1 - (1 - 0.729)^32	> 0.999999
 *	s = 0.575 (32 kbit/s copy):	1 - (1 - 0.190)^32	= 0.9988
 *	s = 0.5:			1 - (1 - 0.125)^32	= 0.986
 *	s = 0.05:			1 - (1 - 0.000125)^32	= 0.004
 *	s = 0.006 (unrelated):		1 - (1 - 2.2e-7)^32	< 0.00001
 *	s = 0.25:			1 - (1 - 0.0156)^32	= 0.40
 *
 * The last line is why the keys take 20 bits and not 12: at 12 bits
 * unrelated tracks are that alike, and 3 rows could not tell them from
 * a low copy (more rows, which could, lose the low copy).
 */
int analysis_fingerprint_keys(const uint32_t *fp, int len, uint32_t *keys,
			      int max)
{
	uint32_t seed[KEY_ROWS * ANALYSIS_KEYS];
	uint32_t least[KEY_ROWS * ANALYSIS_KEYS], v, h;
	int moving = 0, n = 0, j;

	if (max > ANALYSIS_KEYS)
		max = ANALYSIS_KEYS;
	for (int k = 0; k < KEY_ROWS * ANALYSIS_KEYS; k++)
		seed[k] = mix32(k + 1);
	memset(least, 0xff, sizeof(least));
	for (int i = 0; fp && i < len && max > 0; i++) {
		if (i && fp[i] == fp[i - 1])
			continue;
		moving++;
		v = fp[i] >> (32 - KEY_BITS);
		for (int k = 0; k < KEY_ROWS * max; k++) {
			h = mix32(v ^ seed[k]);
			if (h < least[k])
				least[k] = h;
		}
	}
	if (moving < MIN_OVERLAP)
		return 0;
	for (int b = 0; b < max; b++) {
		h = mix32(b + 0x9e3779b9U);
		for (int r = 0; r < KEY_ROWS; r++)
			h = mix32(h ^ least[b * KEY_ROWS + r]);
		for (j = 0; j < n && keys[j] != h; j++)
			;
		if (j == n)
			keys[n++] = h;
	}
	return n;
}

double analysis_similarity(const float *a, const float *b)
{
	double dot = 0, na = 0, nb = 0;

	for (int i = 0; i < ANALYSIS_VECTOR_LEN; i++) {
		dot += (double)a[i] * b[i];
		na += (double)a[i] * a[i];
		nb += (double)b[i] * b[i];
	}
	return na > 0 && nb > 0 ? dot / sqrt(na * nb) : 0;
}

double analysis_album_gain(const double *loudness_lufs,
			   const double *duration_s, int n)
{
	double energy = 0, time = 0;

	for (int i = 0; i < n; i++) {
		if (!(duration_s[i] > 0) || !isfinite(loudness_lufs[i]))
			continue;
		energy += duration_s[i] * pow(10.0, loudness_lufs[i] / 10.0);
		time += duration_s[i];
	}
	if (!(time > 0) || !(energy > 0))
		return 0;
	return ANALYSIS_REFERENCE_LUFS - 10.0 * log10(energy / time);
}

void analysis_result_release(struct analysis_result *r)
{
	free(r->fingerprint);
	r->fingerprint = NULL;
	r->fingerprint_len = 0;
}
