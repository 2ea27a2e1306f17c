/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The spectrum and tempo statistics of a mono signal fed in blocks
 * (analysis_spectrum.h), with memory that does not grow with the track.
 * Pure arithmetic.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <aubio/aubio.h>

#include "indexer/analysis/analysis_spectrum.h"

#define FRAME		4096
#define HOP		(FRAME / 2)
#define BINS		(FRAME / 2 + 1)
/*
 * aubio's tempo tracker sees the signal at half the rate again (onsets
 * need no more), with its usual time step: 64 samples at 5.5 kHz.
 */
#define TEMPO_WIN	256
#define TEMPO_HOP	64
/* -70 dBFS, the mean square under which a frame is silence. */
#define SILENT		1e-7
/*
 * The pitch classes come from 130 Hz (C3) to 2 kHz, where bins are narrow
 * enough to tell semitones apart; every statistic stops at 5 kHz, under
 * the Nyquist frequency of the rates this is fed at (11 to 22 kHz).
 */
#define CHROMA_LO	130.0
#define CHROMA_HI	2000.0
#define TOP_HZ		5000.0
#define ROLLOFF		0.85
/*
 * Beat intervals are counted per millisecond up to 8 s; the tempo is
 * looked for from 240 to 40 BPM, and longer intervals (beats the tracker
 * missed) count as that many beats.
 */
#define IBI_MIN_MS	250
#define IBI_MAX_MS	1500
#define IBI_KEEP_MS	8000
#define IBI_BINS	(IBI_KEEP_MS + 1)

static const double band_edge[ANALYSIS_BANDS + 1] = {
	0, 150, 300, 600, 1200, 2400, TOP_HZ,
};

struct analysis_spectrum {
	unsigned rate;
	int top;			/* last bin under TOP_HZ */
	float frame[FRAME];
	size_t fill;
	float window[FRAME];
	signed char pclass[BINS];	/* -1 outside the chroma range */
	signed char band[BINS];
	float oct[BINS];		/* log2(f / 1 kHz) */
	float prev_mag[BINS];
	double prev_chroma[12];
	int have_prev;
	fvec_t *in, *complex;
	cvec_t *spec;
	aubio_fft_t *fft;

	aubio_tempo_t *tempo;
	fvec_t *tin, *tout;
	size_t tfill;
	float half;		/* odd sample waiting for its pair */
	int odd;
	double last_beat;
	int have_beat;
	long intervals;
	unsigned ibi_count[IBI_BINS];
	double ibi_sum[IBI_BINS];

	long frames, quiet, changes, fluxes;
	double chroma[12], chroma_change;
	double cent, cent2, spread, roll, flat, flat2, flux;
	double band_e[ANALYSIS_BANDS], total_e;
	double lev, lev2;
};

/*
 * aubio plans its FFTs with FFTW, whose planner is not thread-safe, and
 * several workers may analyse at once: aubio objects are made and freed
 * under one lock.
 */
static pthread_mutex_t aubio_lock = PTHREAD_MUTEX_INITIALIZER;

/* Per-bin lookups, so that a frame costs no logarithm but flatness's. */
static void fill_tables(struct analysis_spectrum *s)
{
	double f, semis;
	int b = 0;

	for (int i = 0; i < FRAME; i++)
		s->window[i] = 0.5f - 0.5f * cosf(2.0f * (float)M_PI * i /
						  FRAME);
	s->top = (int)(TOP_HZ * FRAME / s->rate);
	if (s->top > BINS - 1)
		s->top = BINS - 1;
	for (int k = 1; k < BINS; k++) {
		f = (double)k * s->rate / FRAME;
		s->oct[k] = (float)log2(f / 1000.0);
		s->pclass[k] = -1;
		if (f >= CHROMA_LO && f <= CHROMA_HI) {
			semis = 12.0 * log2(f / 440.0);
			s->pclass[k] = (signed char)((lround(semis) % 12 + 12) %
						     12);
		}
		while (b < ANALYSIS_BANDS - 1 && f >= band_edge[b + 1])
			b++;
		s->band[k] = (signed char)b;
	}
}

struct analysis_spectrum *analysis_spectrum_new(unsigned rate)
{
	struct analysis_spectrum *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->rate = rate;
	fill_tables(s);
	pthread_mutex_lock(&aubio_lock);
	s->in = new_fvec(FRAME);
	s->complex = new_fvec(FRAME);
	s->spec = new_cvec(FRAME);
	s->fft = new_aubio_fft(FRAME);
	s->tempo = new_aubio_tempo("default", TEMPO_WIN, TEMPO_HOP, rate / 2);
	s->tin = new_fvec(TEMPO_HOP);
	s->tout = new_fvec(1);
	pthread_mutex_unlock(&aubio_lock);
	if (!s->in || !s->complex || !s->spec || !s->fft || !s->tempo ||
	    !s->tin || !s->tout) {
		analysis_spectrum_free(s);
		return NULL;
	}
	return s;
}

/* The profile of one frame, normalised, and how far it moved. */
static void frame_chroma(struct analysis_spectrum *s, const smpl_t *mag)
{
	double c[12] = { 0 }, sum = 0, change = 0, p;

	for (int k = 1; k <= s->top; k++) {
		if (s->pclass[k] < 0)
			continue;
		p = (double)mag[k] * mag[k];
		c[s->pclass[k]] += p;
		sum += p;
	}
	if (sum <= 0)
		return;
	for (int i = 0; i < 12; i++) {
		c[i] /= sum;
		s->chroma[i] += c[i];
		change += fabs(c[i] - s->prev_chroma[i]);
		s->prev_chroma[i] = c[i];
	}
	if (s->have_prev) {
		s->chroma_change += change;
		s->changes++;
	}
}

/*
 * The shape statistics of one frame, weighted by power over log
 * frequency: a centroid in octaves moves by the same amount wherever a
 * transposition lands. Returns 0 when the frame has no energy under
 * TOP_HZ to weigh with (it then counts as silence).
 */
static int frame_shape(struct analysis_spectrum *s, const smpl_t *mag)
{
	double e = 0, cent = 0, spread = 0, logs = 0, rise = 0, total = 0;
	double p, acc = 0, roll = s->oct[s->top], flat;
	int n = s->top, rolled = 0;

	for (int k = 1; k <= n; k++) {
		p = (double)mag[k] * mag[k];
		e += p;
		cent += p * s->oct[k];
		s->band_e[s->band[k]] += p;
		logs += log(p + 1e-20);
		total += mag[k];
		if (s->have_prev && mag[k] > s->prev_mag[k])
			rise += mag[k] - s->prev_mag[k];
	}
	if (!(e > 0))
		return 0;
	s->total_e += e;
	cent /= e;
	for (int k = 1; k <= n; k++) {
		p = (double)mag[k] * mag[k];
		spread += p * (s->oct[k] - cent) * (s->oct[k] - cent);
		acc += p;
		if (!rolled && acc >= ROLLOFF * e) {
			roll = s->oct[k];
			rolled = 1;
		}
	}
	flat = 10.0 / M_LN10 * (logs / n - log(e / n));
	s->cent += cent;
	s->cent2 += cent * cent;
	s->spread += sqrt(spread / e);
	s->roll += roll;
	s->flat += flat;
	s->flat2 += flat * flat;
	if (s->have_prev && total > 0) {
		s->flux += rise / total;
		s->fluxes++;
	}
	return 1;
}

/*
 * One full frame: its level, then its spectrum unless it is silence. Only
 * magnitudes are needed, so the FFT's phases (an arctangent per bin) are
 * never computed.
 */
static void frame_done(struct analysis_spectrum *s)
{
	double ms = 0, db;

	for (int i = 0; i < FRAME; i++)
		ms += (double)s->frame[i] * s->frame[i];
	ms /= FRAME;
	if (ms >= SILENT) {
		for (int i = 0; i < FRAME; i++)
			s->in->data[i] = s->frame[i] * s->window[i];
		aubio_fft_do_complex(s->fft, s->in, s->complex);
		aubio_fft_get_norm(s->complex, s->spec);
	}
	if (ms < SILENT || !frame_shape(s, s->spec->norm)) {
		s->quiet++;
		s->have_prev = 0;
		return;
	}
	frame_chroma(s, s->spec->norm);
	memcpy(s->prev_mag, s->spec->norm, sizeof(s->prev_mag));
	s->have_prev = 1;
	db = 10.0 * log10(ms);
	s->lev += db;
	s->lev2 += db * db;
	s->frames++;
}

/* Beats become intervals, counted by the millisecond. */
static void tempo_step(struct analysis_spectrum *s)
{
	double t, ibi;
	long ms;

	aubio_tempo_do(s->tempo, s->tin, s->tout);
	if (s->tout->data[0] == 0)
		return;
	t = aubio_tempo_get_last_s(s->tempo);
	if (s->have_beat) {
		ibi = t - s->last_beat;
		ms = lround(ibi * 1000.0);
		if (ms >= IBI_MIN_MS && ms <= IBI_KEEP_MS) {
			s->ibi_count[ms]++;
			s->ibi_sum[ms] += ibi;
		}
		s->intervals++;
	}
	s->last_beat = t;
	s->have_beat = 1;
}

void analysis_spectrum_feed(struct analysis_spectrum *s, const float *x,
			    size_t n)
{
	size_t k;

	for (size_t i = 0; i < n; i++) {
		s->odd = !s->odd;
		if (s->odd) {
			s->half = x[i];
			continue;
		}
		s->tin->data[s->tfill++] = 0.5f * (s->half + x[i]);
		if (s->tfill == TEMPO_HOP) {
			tempo_step(s);
			s->tfill = 0;
		}
	}
	while (n) {
		k = FRAME - s->fill < n ? FRAME - s->fill : n;
		memcpy(s->frame + s->fill, x, k * sizeof(*x));
		s->fill += k;
		x += k;
		n -= k;
		if (s->fill == FRAME) {
			frame_done(s);
			memmove(s->frame, s->frame + HOP,
				(FRAME - HOP) * sizeof(*x));
			s->fill = FRAME - HOP;
		}
	}
}

/*
 * The period is the most common beat interval, give or take 3 %. Then
 * every interval near a whole number of periods counts as that many
 * beats: the tempo is their total count over their total time, so a
 * missed or extra beat changes nothing and the quantised beat times of
 * aubio average out over the track.
 */
static void tempo_finish(const struct analysis_spectrum *s,
			 struct analysis_spectrum_stats *out)
{
	long best = 0, count, from = 0, to = 0, beats = 0, near = 0, k;
	double period = 0, time = 0;

	for (long b = IBI_MIN_MS; b <= IBI_MAX_MS; b++) {
		long w = lround(b * 0.03);

		count = 0;
		for (long j = b - w; j <= b + w; j++)
			count += s->ibi_count[j];
		if (count > best) {
			best = count;
			from = b - w;
			to = b + w;
		}
	}
	if (best < 4)
		return;
	for (long j = from; j <= to; j++)
		period += s->ibi_sum[j];
	period /= best;
	for (long j = IBI_MIN_MS; j <= IBI_KEEP_MS; j++) {
		if (!s->ibi_count[j])
			continue;
		k = lround(s->ibi_sum[j] / s->ibi_count[j] / period);
		if (k < 1 || fabs(s->ibi_sum[j] / s->ibi_count[j] / k -
				  period) > 0.03 * period)
			continue;
		time += s->ibi_sum[j];
		beats += k * s->ibi_count[j];
		near += s->ibi_count[j];
	}
	out->bpm = 60.0 * beats / time;
	out->beat_share = (double)near / s->intervals;
}

/* Mean and standard deviation from a sum and a sum of squares. */
static void mean_sd(double sum, double sum2, long n, double *mean,
		    double *sd)
{
	double var;

	*mean = sum / n;
	var = sum2 / n - *mean * *mean;
	*sd = var > 0 ? sqrt(var) : 0;
}

void analysis_spectrum_finish(struct analysis_spectrum *s,
			      struct analysis_spectrum_stats *out)
{
	long n = s->frames;
	double unused;

	memset(out, 0, sizeof(*out));
	tempo_finish(s, out);
	out->frames = n;
	if (n + s->quiet)
		out->quiet_share = (double)s->quiet / (n + s->quiet);
	if (!n)
		return;
	for (int i = 0; i < 12; i++)
		out->chroma[i] = s->chroma[i] / n;
	out->chroma_change = s->changes ? s->chroma_change / s->changes : 0;
	mean_sd(s->cent, s->cent2, n, &out->centroid, &out->centroid_sd);
	out->spread = s->spread / n;
	out->rolloff = s->roll / n;
	mean_sd(s->flat, s->flat2, n, &out->flatness, &out->flatness_sd);
	out->flux = s->fluxes ? s->flux / s->fluxes : 0;
	for (int b = 0; b < ANALYSIS_BANDS; b++)
		out->band[b] = 10.0 * log10(s->band_e[b] / s->total_e + 1e-12);
	mean_sd(s->lev, s->lev2, n, &unused, &out->level_sd);
}

/* aubio's destructors do not take NULL, which a failed setup leaves. */
static void free_vec(fvec_t *v)
{
	if (v)
		del_fvec(v);
}

void analysis_spectrum_free(struct analysis_spectrum *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&aubio_lock);
	free_vec(s->in);
	free_vec(s->complex);
	free_vec(s->tin);
	free_vec(s->tout);
	if (s->spec)
		del_cvec(s->spec);
	if (s->fft)
		del_aubio_fft(s->fft);
	if (s->tempo)
		del_aubio_tempo(s->tempo);
	pthread_mutex_unlock(&aubio_lock);
	free(s);
}
