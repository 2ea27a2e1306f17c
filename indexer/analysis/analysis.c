/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The analysis of one track (analysis.h): decoding fed to the
 * fingerprint, loudness, peak, spectrum and tempo, and the result put
 * together. It runs in mediamon-analyse only: no store, no thread of
 * its own, no open but of the descriptor it is given.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>

#include "common/log.h"
#include "indexer/analysis/analysis.h"
#include "indexer/analysis/analysis_decode.h"
#include "indexer/analysis/analysis_fp.h"
#include "indexer/analysis/analysis_peak.h"
#include "indexer/analysis/analysis_spectrum.h"

/*
 * The feature vector, slot by slot. Each raw feature x becomes
 * w * (x - mean) / sd, clamped to +-4 sd, with a mean and sd guessed for
 * popular music (the table below; not fitted to a corpus), so that no
 * feature dominates the cosine by its unit and a feature at its usual
 * value adds nothing; the vector is then scaled to unit length.
 * Spectral statistics come from 4096-sample frames of the mono signal at
 * about 11 kHz, silent frames left out (analysis_spectrum.h); a track
 * that is all silence has them at 0.
 *
 *   0-11  mean pitch-class profile (share of 130 Hz - 2 kHz energy per
 *         semitone class), rotated so that the strongest class comes
 *         first: a transposed copy keeps the same profile. Weight 0.5
 *         each, so the twelve together weigh about three features.
 *   12    spectral centroid, octaves from 1 kHz (log-frequency, power
 *         weighted)
 *   13    spread of the centroid over frames, octaves
 *   14    mean spectral spread around the centroid, octaves
 *   15    85 % roll-off frequency, octaves from 1 kHz
 *   16    spectral flatness, dB
 *   17    spread of the flatness over frames, dB
 *   18-23 share of the energy in the bands 0-150, 150-300, 300-600,
 *         600-1200, 1200-2400 and 2400-5000 Hz, dB
 *   24    spectral flux: mean rise of magnitudes between frames
 *   25    harmonic change: mean distance between consecutive profiles
 *   26    spread of frame levels, dB (dynamics)
 *   27    integrated loudness, LUFS
 *   28    crest: true peak in dBTP minus the loudness
 *   29    tempo, octaves from 120 BPM (0 when no tempo was found)
 *   30    share of beat intervals at that tempo (its steadiness)
 *   31    share of silent frames
 */
static const struct norm {
	double mean, sd, weight;
} slot_norm[ANALYSIS_VECTOR_LEN] = {
	{ 0.18, 0.05, 0.5 }, { 0.075, 0.04, 0.5 }, { 0.075, 0.04, 0.5 },
	{ 0.075, 0.04, 0.5 }, { 0.075, 0.04, 0.5 }, { 0.075, 0.04, 0.5 },
	{ 0.075, 0.04, 0.5 }, { 0.075, 0.04, 0.5 }, { 0.075, 0.04, 0.5 },
	{ 0.075, 0.04, 0.5 }, { 0.075, 0.04, 0.5 }, { 0.075, 0.04, 0.5 },
	{ -1.0, 0.7, 1 },	/* centroid */
	{ 0.3, 0.2, 1 },	/* its spread */
	{ 1.3, 0.4, 1 },	/* spectral spread */
	{ 0.5, 0.8, 1 },	/* roll-off */
	{ -25, 8, 1 },		/* flatness */
	{ 4, 2, 1 },		/* its spread */
	{ -8, 5, 1 }, { -7, 5, 1 }, { -6, 5, 1 },
	{ -8, 5, 1 }, { -12, 5, 1 }, { -17, 5, 1 },
	{ 0.15, 0.08, 1 },	/* flux */
	{ 0.5, 0.25, 1 },	/* harmonic change */
	{ 4, 3, 1 },		/* level spread */
	{ -12, 5, 1 },		/* loudness */
	{ 12, 4, 1 },		/* crest */
	{ 0, 0.5, 1 },		/* tempo */
	{ 0.5, 0.25, 1 },	/* steadiness */
	{ 0.05, 0.1, 1 },	/* silence */
};

/* Shorter audio has too few frames for a tempo or a fingerprint. */
#define MIN_SECONDS	3.0
/* The loudness given to silence: EBU R128's absolute gate. */
#define SILENCE_LUFS	(-70.0)
/* The rate of the signal the spectrum, tempo and fingerprint see. */
#define LOW_RATE	11025
#define LOW_BLOCK	4096
/* An 8th-order Butterworth low-pass before decimation: 4 biquads. */
#define SECTIONS	4

struct biquad {
	float b0, b1, b2, a1, a2;
	float z1, z2;
};

/* What one analysis keeps while the decoder hands it blocks. */
struct run {
	const char *path;
	ebur128_state *loud;
	struct analysis_peak *peak;
	struct analysis_fp *fp;
	struct analysis_spectrum *spec;
	unsigned rate, channels, factor, phase;
	uint64_t frames;
	struct biquad lp[SECTIONS];
	float low[LOW_BLOCK];
	size_t nlow;
};

/*
 * The low-pass cuts at 0.4 of the decimated rate, so that little of what
 * lies above half that rate folds back into it; the quality factors are
 * those of a Butterworth filter.
 */
static void lowpass_init(struct run *run)
{
	static const double q[SECTIONS] = { 0.50980, 0.60134, 0.89998,
					    2.56292 };
	double w0 = 2.0 * M_PI * 0.4 / run->factor;
	double cw = cos(w0), alpha, a0;

	for (int i = 0; i < SECTIONS; i++) {
		alpha = sin(w0) / (2.0 * q[i]);
		a0 = 1.0 + alpha;
		run->lp[i] = (struct biquad){
			.b0 = (float)((1.0 - cw) / 2.0 / a0),
			.b1 = (float)((1.0 - cw) / a0),
			.b2 = (float)((1.0 - cw) / 2.0 / a0),
			.a1 = (float)(-2.0 * cw / a0),
			.a2 = (float)((1.0 - alpha) / a0),
		};
	}
}

/*
 * The first block tells the format; everything else is sized from it.
 * libebur128 keeps a histogram of block loudness rather than every block,
 * so its memory does not grow with the track.
 */
static int run_start(struct run *run, const struct analysis_pcm *pcm)
{
	run->rate = pcm->rate;
	run->channels = pcm->channels;
	if (run->rate < 8000)
		return log_error(-EBADMSG, "analysis: %s: rate %u Hz is too "
				 "low", run->path, run->rate);
	run->factor = run->rate / LOW_RATE ? run->rate / LOW_RATE : 1;
	lowpass_init(run);
	run->loud = ebur128_init(run->channels, run->rate,
				 EBUR128_MODE_I | EBUR128_MODE_HISTOGRAM);
	run->peak = analysis_peak_new(run->channels);
	run->fp = analysis_fp_new(run->rate / run->factor);
	run->spec = analysis_spectrum_new(run->rate / run->factor);
	if (!run->loud || !run->peak || !run->fp || !run->spec)
		return log_error(-ENOMEM, "analysis: %s: no memory",
				 run->path);
	return 0;
}

/* The decimated signal goes to the spectrum and the fingerprint. */
static int run_flush(struct run *run)
{
	size_t n = run->nlow;

	run->nlow = 0;
	analysis_spectrum_feed(run->spec, run->low, n);
	return analysis_fp_feed(run->fp, run->low, n);
}

/*
 * Mixes to mono and keeps every factor-th sample of the filtered mix. The
 * filter runs on every input sample, the hottest loop of the analysis
 * after libebur128's: its state is kept in locals for the block.
 */
static int run_decimate(struct run *run, const float *x, size_t frames)
{
	struct biquad lp[SECTIONS];
	unsigned ch = run->channels;
	float m, y, scale = 1.0f / (float)ch;
	int rc = 0;

	memcpy(lp, run->lp, sizeof(lp));
	for (size_t i = 0; i < frames && !rc; i++, x += ch) {
		m = x[0];
		for (unsigned c = 1; c < ch; c++)
			m += x[c];
		m *= scale;
		if (run->factor > 1) {
			for (int s = 0; s < SECTIONS; s++) {
				y = lp[s].b0 * m + lp[s].z1;
				lp[s].z1 = lp[s].b1 * m - lp[s].a1 * y +
					   lp[s].z2;
				lp[s].z2 = lp[s].b2 * m - lp[s].a2 * y;
				m = y;
			}
			if (++run->phase < run->factor)
				continue;
			run->phase = 0;
		}
		run->low[run->nlow++] = m;
		if (run->nlow == LOW_BLOCK)
			rc = run_flush(run);
	}
	memcpy(run->lp, lp, sizeof(lp));
	return rc;
}

/*
 * The decoder's callback: loudness and true peak at the native rate, the
 * rest on the low-rate mono signal.
 */
static int run_block(const struct analysis_pcm *pcm, void *ctx)
{
	struct run *run = ctx;
	int rc;

	if (!run->loud) {
		rc = run_start(run, pcm);
		if (rc)
			return rc;
	}
	if (ebur128_add_frames_float(run->loud, pcm->samples, pcm->frames) !=
	    EBUR128_SUCCESS)
		return log_error(-ENOMEM, "analysis: %s: no memory",
				 run->path);
	analysis_peak_feed(run->peak, pcm->samples, pcm->frames);
	run->frames += pcm->frames;
	return run_decimate(run, pcm->samples, pcm->frames);
}

/* Fill r->vector from the statistics, as the layout above says. */
static void make_vector(struct analysis_result *r,
			const struct analysis_spectrum_stats *st)
{
	double x[ANALYSIS_VECTOR_LEN], z, norm = 0;
	int top = 0;

	for (int i = 1; i < 12; i++)
		if (st->chroma[i] > st->chroma[top])
			top = i;
	for (int i = 0; i < 12; i++)
		x[i] = st->chroma[(top + i) % 12];
	x[12] = st->centroid;
	x[13] = st->centroid_sd;
	x[14] = st->spread;
	x[15] = st->rolloff;
	x[16] = st->flatness;
	x[17] = st->flatness_sd;
	for (int b = 0; b < ANALYSIS_BANDS; b++)
		x[18 + b] = st->band[b];
	x[24] = st->flux;
	x[25] = st->chroma_change;
	x[26] = st->level_sd;
	x[27] = r->loudness_lufs;
	x[28] = 20.0 * log10(r->peak > 1e-6 ? r->peak : 1e-6) -
		r->loudness_lufs;
	x[29] = st->bpm > 0 ? log2(st->bpm / 120.0) : 0;
	x[30] = st->beat_share;
	x[31] = st->quiet_share;
	for (int i = 0; i < ANALYSIS_VECTOR_LEN; i++) {
		const struct norm *nm = &slot_norm[i];

		z = (x[i] - nm->mean) / nm->sd;
		z = z > 4 ? 4 : z < -4 ? -4 : z;
		x[i] = nm->weight * z;
		norm += x[i] * x[i];
	}
	norm = sqrt(norm);
	for (int i = 0; i < ANALYSIS_VECTOR_LEN; i++)
		r->vector[i] = norm > 0 ? (float)(x[i] / norm) : 0;
}

/* Once the whole stream went through: the figures, then the vector. */
static int run_finish(struct run *run, struct analysis_result *r)
{
	struct analysis_spectrum_stats st;
	double lufs;
	int rc;

	rc = run_flush(run);
	if (rc)
		return rc;
	r->duration_s = (double)run->frames / run->rate;
	/* a jingle is no fault: its worker counts it, and logs a sum */
	if (r->duration_s < MIN_SECONDS)
		return -ENODATA;
	if (ebur128_loudness_global(run->loud, &lufs) != EBUR128_SUCCESS)
		return log_error(-EIO, "analysis: %s: loudness failed",
				 run->path);
	r->loudness_lufs = isfinite(lufs) && lufs > SILENCE_LUFS ?
			   lufs : SILENCE_LUFS;
	r->gain_db = ANALYSIS_REFERENCE_LUFS - r->loudness_lufs;
	r->peak = analysis_peak_finish(run->peak);
	analysis_spectrum_finish(run->spec, &st);
	r->bpm = st.bpm;
	make_vector(r, &st);
	rc = analysis_fp_finish(run->fp, &r->fingerprint,
				&r->fingerprint_len);
	if (rc == -EBADMSG)
		log_error(rc, "analysis: %s: no fingerprint", run->path);
	return rc;
}

/* One run over the file open on fd, or at path when fd is -1. */
static int run_file(int fd, const char *path, struct analysis_result *r)
{
	struct run *run = calloc(1, sizeof(*run));
	int rc;

	memset(r, 0, sizeof(*r));
	if (!run)
		return log_error(-ENOMEM, "analysis: %s: no memory", path);
	run->path = path;
	rc = fd < 0 ? analysis_decode(path, run_block, run) :
		      analysis_decode_fd(fd, path, run_block, run);
	if (!rc)
		rc = run_finish(run, r);
	if (run->loud)
		ebur128_destroy(&run->loud);
	analysis_peak_free(run->peak);
	analysis_fp_free(run->fp);
	analysis_spectrum_free(run->spec);
	free(run);
	if (rc) {
		analysis_result_release(r);
		memset(r, 0, sizeof(*r));
	}
	return rc;
}

int analysis_run(const char *path, struct analysis_result *r)
{
	return run_file(-1, path, r);
}

int analysis_run_fd(int fd, const char *path, struct analysis_result *r)
{
	return run_file(fd, path, r);
}
