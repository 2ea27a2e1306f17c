/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Chromaprint fingerprints of a mono signal fed in blocks
 * (analysis_fp.h). Matching them is analysis_match.c's.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <chromaprint.h>

#include "common/log.h"
#include "indexer/analysis/analysis_fp.h"

struct analysis_fp {
	ChromaprintContext *cp;
	size_t left;		/* samples still wanted */
};

struct analysis_fp *analysis_fp_new(unsigned rate)
{
	struct analysis_fp *fp = calloc(1, sizeof(*fp));

	if (!fp)
		return NULL;
	fp->cp = chromaprint_new(CHROMAPRINT_ALGORITHM_DEFAULT);
	if (!fp->cp || !chromaprint_start(fp->cp, (int)rate, 1)) {
		analysis_fp_free(fp);
		return NULL;
	}
	fp->left = (size_t)rate * ANALYSIS_FP_SECONDS;
	return fp;
}

int analysis_fp_feed(struct analysis_fp *fp, const float *x, size_t n)
{
	int16_t pcm[2048];
	size_t k;
	float v;

	while (n && fp->left) {
		k = n < 2048 ? n : 2048;
		if (k > fp->left)
			k = fp->left;
		for (size_t i = 0; i < k; i++) {
			v = x[i] * 32767.0f;
			pcm[i] = v > 32767.0f ? 32767 :
				 v < -32768.0f ? -32768 : (int16_t)lrintf(v);
		}
		if (!chromaprint_feed(fp->cp, pcm, (int)k))
			return log_error(-EIO, "analysis: chromaprint refused "
					 "samples");
		x += k;
		n -= k;
		fp->left -= k;
	}
	return 0;
}

int analysis_fp_finish(struct analysis_fp *fp, uint32_t **items, int *len)
{
	uint32_t *raw = NULL;
	int n = 0;

	*items = NULL;
	*len = 0;
	if (!chromaprint_finish(fp->cp) ||
	    !chromaprint_get_raw_fingerprint(fp->cp, &raw, &n))
		return log_error(-EIO, "analysis: chromaprint failed");
	if (n <= 0) {
		chromaprint_dealloc(raw);
		return -EBADMSG;
	}
	*items = malloc((size_t)n * sizeof(**items));
	if (!*items) {
		chromaprint_dealloc(raw);
		return log_error(-ENOMEM, "analysis: no memory");
	}
	memcpy(*items, raw, (size_t)n * sizeof(**items));
	chromaprint_dealloc(raw);
	*len = n;
	return 0;
}

void analysis_fp_free(struct analysis_fp *fp)
{
	if (!fp)
		return;
	if (fp->cp)
		chromaprint_free(fp->cp);
	free(fp);
}
