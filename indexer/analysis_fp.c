#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <chromaprint.h>

#include "common/log.h"
#include "indexer/analysis.h"
#include "indexer/analysis_fp.h"

/*
 * An item covers about 0.124 s, so MAX_SHIFT items let two fingerprints
 * line up across some 6 s of silence added or cut at the start.
 */
#define MAX_SHIFT	48
/* Fewer aligned items than this say nothing about a match. */
#define MIN_OVERLAP	8
/* The bits of an item that make a key: its 12 highest. */
#define KEY_SHIFT	20
/* More keys than this would not find more candidates. */
#define MAX_KEYS	256

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

/* A fixed mixing of a key's bits, so the order it gives looks random. */
static uint32_t key_rank(uint32_t k)
{
	k ^= k >> 16;
	k *= 0x7feb352dU;
	k ^= k >> 15;
	k *= 0x846ca68bU;
	k ^= k >> 16;
	return k;
}

/*
 * The keys are the top bits of the items, and of the distinct values
 * found, the max that rank first (a bottom-k sample, as MinHash takes
 * it). The choice depends on which values occur, not where: two
 * fingerprints of one recording share most values whatever their
 * offset, so their first-ranked values overlap.
 */
int analysis_fingerprint_keys(const uint32_t *fp, int len, uint32_t *keys,
			      int max)
{
	uint32_t rank[MAX_KEYS];
	uint32_t k, r;
	int n = 0, j;

	if (max > MAX_KEYS)
		max = MAX_KEYS;
	for (int i = 0; fp && i < len && max > 0; i++) {
		k = fp[i] >> KEY_SHIFT;
		r = key_rank(k);
		for (j = 0; j < n && keys[j] != k; j++)
			;
		if (j < n || (n == max && r >= rank[n - 1]))
			continue;
		if (n < max)
			n++;
		for (j = n - 1; j > 0 && rank[j - 1] > r; j--) {
			rank[j] = rank[j - 1];
			keys[j] = keys[j - 1];
		}
		rank[j] = r;
		keys[j] = k;
	}
	return n;
}
