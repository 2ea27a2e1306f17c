/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The true peak of a signal, four times oversampled, fed in blocks
 * (analysis_peak.h). Pure arithmetic.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "indexer/analysis/analysis_peak.h"

/*
 * The interpolated points between x[i] and x[i + 1] use x[i - 5] to
 * x[i + 6]: the kernel reaches LOBES samples to either side.
 */
#define LOBES	6
#define TAPS	(2 * LOBES)
#define PHASES	3		/* points at 1/4, 2/4 and 3/4 */
#define CHUNK	256		/* frames deinterleaved at a time */

struct analysis_peak {
	unsigned channels;
	float coef[PHASES][TAPS];
	float peak;
	float *buf;		/* per channel: TAPS - 1 past samples, then
				 * up to CHUNK new ones */
};

/* The Lanczos kernel: a sinc windowed by the central lobe of a wider one. */
static double lanczos(double t)
{
	if (fabs(t) < 1e-9)
		return 1.0;
	if (fabs(t) >= LOBES)
		return 0.0;
	return LOBES * sin(M_PI * t) * sin(M_PI * t / LOBES) /
	       (M_PI * M_PI * t * t);
}

/* Each phase is normalised to a gain of 1 at 0 Hz, so a constant stays. */
static void make_coefs(struct analysis_peak *p)
{
	double f, sum, k[TAPS];

	for (int ph = 0; ph < PHASES; ph++) {
		f = (ph + 1) / 4.0;
		sum = 0;
		for (int j = 0; j < TAPS; j++) {
			k[j] = lanczos(f - (j - (LOBES - 1)));
			sum += k[j];
		}
		for (int j = 0; j < TAPS; j++)
			p->coef[ph][j] = (float)(k[j] / sum);
	}
}

struct analysis_peak *analysis_peak_new(unsigned channels)
{
	struct analysis_peak *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->channels = channels;
	p->buf = calloc((size_t)channels * (TAPS - 1 + CHUNK),
			sizeof(*p->buf));
	if (!p->buf) {
		free(p);
		return NULL;
	}
	make_coefs(p);
	return p;
}

/*
 * The n points that have all their neighbours in buf: each sample and
 * the three interpolated after it. Three separate sums per sample keep
 * the loop free of branches but the comparisons.
 */
static float chunk_peak(const struct analysis_peak *p, const float *buf,
			size_t n)
{
	const float *c0 = p->coef[0], *c1 = p->coef[1], *c2 = p->coef[2];
	float m = 0, a0, a1, a2, v;

	for (size_t i = 0; i < n; i++) {
		const float *x = buf + i;

		a0 = a1 = a2 = 0;
		for (int j = 0; j < TAPS; j++) {
			a0 += c0[j] * x[j];
			a1 += c1[j] * x[j];
			a2 += c2[j] * x[j];
		}
		v = fabsf(x[LOBES - 1]);
		m = v > m ? v : m;
		v = fabsf(a0);
		m = v > m ? v : m;
		v = fabsf(a1);
		m = v > m ? v : m;
		v = fabsf(a2);
		m = v > m ? v : m;
	}
	return m;
}

void analysis_peak_feed(struct analysis_peak *p, const float *x,
			size_t frames)
{
	unsigned ch = p->channels;
	size_t n, stride = TAPS - 1 + CHUNK;
	float m;

	while (frames) {
		n = frames < CHUNK ? frames : CHUNK;
		for (unsigned c = 0; c < ch; c++) {
			float *b = p->buf + c * stride;

			for (size_t i = 0; i < n; i++)
				b[TAPS - 1 + i] = x[i * ch + c];
			m = chunk_peak(p, b, n);
			if (m > p->peak)
				p->peak = m;
			memmove(b, b + n, (TAPS - 1) * sizeof(*b));
		}
		x += n * ch;
		frames -= n;
	}
}

/* The last samples' neighbours after the end are silence. */
double analysis_peak_finish(struct analysis_peak *p)
{
	size_t stride = TAPS - 1 + CHUNK;
	float m;

	for (unsigned c = 0; c < p->channels; c++) {
		float *b = p->buf + c * stride;

		memset(b + TAPS - 1, 0, LOBES * sizeof(*b));
		m = chunk_peak(p, b, LOBES);
		if (m > p->peak)
			p->peak = m;
	}
	return p->peak;
}

void analysis_peak_free(struct analysis_peak *p)
{
	if (!p)
		return;
	free(p->buf);
	free(p);
}
