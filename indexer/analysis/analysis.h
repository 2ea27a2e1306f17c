/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ANALYSIS_H
#define MEDIAMON_ANALYSIS_H

/*
 * Audio analysis of one track: decode it (libFLAC, libmpg123) and compute
 * what the background workers store for it. A Chromaprint fingerprint,
 * integrated loudness (libebur128) and true peak per EBU R128, the tempo
 * (aubio) and a fixed-length feature vector of unit length, so that the
 * cosine of two vectors is their dot product:
 *
 *	struct analysis_result r;
 *
 *	if (analysis_run("/music/a.flac", &r) == 0) {
 *		store(r.bpm, r.loudness_lufs, r.peak, r.gain_db, r.vector,
 *		      r.fingerprint, r.fingerprint_len);
 *		analysis_result_release(&r);
 *	}
 *	...
 *	if (analysis_fingerprint_match(a, alen, b, blen) >= ANALYSIS_SAME)
 *		same_recording();
 *
 * Nothing here touches the store or keeps state between calls; any number
 * of threads may analyse at once.
 */

#include <stddef.h>
#include <stdint.h>

/* Length of the feature vector; its layout is documented in analysis.c. */
#define ANALYSIS_VECTOR_LEN	32

/* The loudness that track and album gains aim at, in LUFS (ReplayGain 2). */
#define ANALYSIS_REFERENCE_LUFS	(-18.0)

/* How many keys analysis_fingerprint_keys() gives at most. */
#define ANALYSIS_KEYS		32

/* A fingerprint match score from which two tracks are one recording. */
#define ANALYSIS_SAME		0.85

struct analysis_result {
	double duration_s;	/* of the decoded audio */
	double loudness_lufs;	/* integrated, EBU R128 */
	double peak;		/* true peak, linear (1.0 is full scale) */
	double gain_db;		/* ANALYSIS_REFERENCE_LUFS - loudness_lufs */
	double bpm;		/* 0 when no tempo was found */
	float vector[ANALYSIS_VECTOR_LEN];	/* unit length */
	uint32_t *fingerprint;	/* raw Chromaprint fingerprint, malloc'd */
	int fingerprint_len;	/* its number of 32-bit items */
};

/*
 * Decode the FLAC or MP3 file at path (the type is told by its content,
 * not its name) and fill *r. The fingerprint covers the first 120 s; the
 * loudness, peak and vector the whole track. Silence has the loudness
 * -70 LUFS (the absolute gate of EBU R128). Memory stays bounded whatever
 * the length of the track. Returns 0; -ENOENT or another -errno when the
 * file cannot be opened or read (-EISDIR for a directory); -EMEDIUMTYPE
 * when it is neither FLAC nor MP3, or not a regular file (a FIFO is never
 * waited on); -EBADMSG when the audio is damaged (a decoder error, a
 * stream shorter than its header says, garbage where frames should be);
 * -ENODATA when it is too short to analyse (under 3 s), which is not
 * logged; -ENOMEM. Each other failure is logged once. On error *r is zeroed and
 * holds nothing to release.
 */
int analysis_run(const char *path, struct analysis_result *r);

/*
 * The same for the file open on fd at its start, as analysis_run() would
 * analyse it; path only names it in messages. Nothing is opened by name,
 * so a confined process (analysis_confine.h) may call it. fd stays the
 * caller's.
 */
int analysis_run_fd(int fd, const char *path, struct analysis_result *r);

/* Free what analysis_run() allocated in *r; r may be released twice. */
void analysis_result_release(struct analysis_result *r);

/*
 * How alike two raw fingerprints are, from 0 (unrelated) to 1 (the same
 * bits), allowing for a small offset between them (up to about 6 s of
 * silence added or cut). Two encodings of one recording score at least
 * ANALYSIS_SAME; unrelated ones about 0.4 to 0.7. Only the items
 * where either fingerprint changes count, so fingerprints that hardly
 * change (silence, a steady tone, clicks) match nothing: 0. Also 0 when
 * either is NULL or shorter than 8 items.
 */
double analysis_fingerprint_match(const uint32_t *a, int alen,
				  const uint32_t *b, int blen);

/*
 * The keys under which a fingerprint is indexed so that candidates for
 * a match can be found without comparing every pair: writes up to max
 * (at most ANALYSIS_KEYS) distinct 32-bit keys to keys and returns how
 * many; the first keys of a longer list are the shorter list. Returns 0
 * for an empty fingerprint, or one that hardly changes (fewer than 8
 * changing items: it matches nothing). The keys depend on the values in
 * the fingerprint, not where they are, so an offset hardly changes them.
 * They are a probabilistic index, not a verdict: two fingerprints that
 * score at least ANALYSIS_SAME share at least one of the ANALYSIS_KEYS
 * keys with high probability (above 0.998 for the fixtures' 32 kbit/s
 * copy, all but certainly for a good copy), unrelated ones rarely (under
 * 1% up to a set similarity of 0.05; the arithmetic is in
 * analysis_match.c), besides chance equalities of 32-bit values.
 * analysis_fingerprint_match() decides.
 */
int analysis_fingerprint_keys(const uint32_t *fp, int len, uint32_t *keys,
			      int max);

/*
 * The cosine similarity of two vectors from analysis_run(), -1 to 1; 0
 * when either is all zeros.
 */
double analysis_similarity(const float *a, const float *b);

/*
 * The gain of an album, from the loudness and duration of its n analysed
 * tracks: the loudness of their energies averaged over time, against
 * ANALYSIS_REFERENCE_LUFS, in dB. Tracks without a positive duration or
 * a finite loudness are left out. Returns 0 when none is left (n is 0).
 */
double analysis_album_gain(const double *loudness_lufs,
			   const double *duration_s, int n);

#endif
