/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include <cmocka.h>
#include <ebur128.h>

#include "common/log.h"
#include "indexer/analysis/analysis.h"
#include "indexer/analysis/analysis_decode.h"
#include "indexer/analysis/analysis_peak.h"
#include "join.h"

/* Written by tests/data/make-analysis-fixtures.sh, where each is made. */
static const char *fixtures;

static void fixture_path(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/analysis/%s", fixtures, name);
}

/* Analyse one fixture, which must succeed. */
static void analyse(const char *name, struct analysis_result *r)
{
	char path[4096];
	int rc;

	fixture_path(path, sizeof(path), name);
	rc = analysis_run(path, r);
	if (rc)
		fail_msg("analysis of %s failed: %d", name, rc);
}

/* Analyse one fixture that must fail, with nothing left to release. */
static int analyse_bad(const char *name)
{
	struct analysis_result r;
	char path[4096];
	int rc;

	fixture_path(path, sizeof(path), name);
	memset(&r, 0xa5, sizeof(r));
	rc = analysis_run(path, &r);
	assert_true(rc < 0);
	assert_null(r.fingerprint);
	assert_int_equal(r.fingerprint_len, 0);
	analysis_result_release(&r);
	return rc;
}

static int shares_key(const struct analysis_result *a,
		      const struct analysis_result *b)
{
	uint32_t ka[32], kb[32];
	int na, nb;

	na = analysis_fingerprint_keys(a->fingerprint, a->fingerprint_len,
				       ka, 32);
	nb = analysis_fingerprint_keys(b->fingerprint, b->fingerprint_len,
				       kb, 32);
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
			if (ka[i] == kb[j])
				return 1;
	return 0;
}

static double match(const struct analysis_result *a,
		    const struct analysis_result *b)
{
	return analysis_fingerprint_match(a->fingerprint, a->fingerprint_len,
					  b->fingerprint, b->fingerprint_len);
}

static void test_tempo_120(void **state)
{
	struct analysis_result r;

	(void)state;
	analyse("click120.flac", &r);
	assert_true(fabs(r.bpm - 120.0) <= 1.0);
	assert_true(fabs(r.duration_s - 20.0) < 0.01);
	analysis_result_release(&r);
}

static void test_tempo_90(void **state)
{
	struct analysis_result r;

	(void)state;
	analyse("click90.flac", &r);
	assert_true(fabs(r.bpm - 90.0) <= 1.0);
	analysis_result_release(&r);
}

/* The noise was calibrated by the fixture script with sox's filters. */
static void check_loudness(const char *name, double lufs)
{
	struct analysis_result r;

	analyse(name, &r);
	if (fabs(r.loudness_lufs - lufs) > 0.5)
		fail_msg("%s: %.2f LUFS, want %.1f", name, r.loudness_lufs,
			 lufs);
	assert_true(fabs(r.gain_db - (ANALYSIS_REFERENCE_LUFS -
				      r.loudness_lufs)) < 1e-9);
	assert_true(r.peak > 0 && r.peak < 1.0);
	analysis_result_release(&r);
}

static void test_loudness_23(void **state)
{
	(void)state;
	check_loudness("pink23.flac", -23.0);
}

static void test_loudness_14(void **state)
{
	(void)state;
	check_loudness("pink14.flac", -14.0);
}

/* A sine at half of full scale: 0.5 peak, -6.02 LUFS in stereo. */
static void test_sine_peak(void **state)
{
	struct analysis_result r;

	(void)state;
	analyse("sine.flac", &r);
	assert_true(fabs(r.peak - 0.5) < 0.01);
	assert_true(fabs(r.loudness_lufs - 20.0 * log10(0.5)) < 0.2);
	analysis_result_release(&r);
}

/*
 * Between samples: a quarter-rate sine 45 degrees off its peaks, whose
 * samples are all 3 dB under its peak.
 */
static void test_peak_between_samples(void **state)
{
	struct analysis_peak *p = analysis_peak_new(1);
	float x[4000];

	(void)state;
	assert_non_null(p);
	for (int i = 0; i < 4000; i++)
		x[i] = (float)(0.5 * sin(M_PI / 2 * i + M_PI / 4));
	analysis_peak_feed(p, x, 1000);
	analysis_peak_feed(p, x + 1000, 3000);
	assert_true(fabs(20 * log10(analysis_peak_finish(p) / 0.5)) < 0.1);
	analysis_peak_free(p);
}

/* A whole decoded track in memory, for the reference measures. */
struct pcm_copy {
	float *x;
	size_t frames, cap;
	unsigned channels, rate;
};

static int keep_pcm(const struct analysis_pcm *pcm, void *ctx)
{
	struct pcm_copy *c = ctx;
	size_t need = (c->frames + pcm->frames) * pcm->channels;

	if (need > c->cap) {
		c->cap = 2 * need;
		c->x = realloc(c->x, c->cap * sizeof(*c->x));
		assert_non_null(c->x);
	}
	memcpy(c->x + c->frames * pcm->channels, pcm->samples,
	       pcm->frames * pcm->channels * sizeof(*c->x));
	c->frames += pcm->frames;
	c->channels = pcm->channels;
	c->rate = pcm->rate;
	return 0;
}

/* A Hann-windowed sinc reaching 64 samples to either side. */
static double long_sinc(double t)
{
	if (fabs(t) < 1e-12)
		return 1.0;
	if (fabs(t) >= 64)
		return 0.0;
	return sin(M_PI * t) / (M_PI * t) * (0.5 + 0.5 * cos(M_PI * t / 64));
}

/*
 * The true peak as nearly exact as it gets: 32 points between samples
 * from a 128-tap interpolator. Slow, so only next to the samples that
 * come within 2 dB of the largest peak found so far.
 */
static double exact_peak(const struct pcm_copy *c)
{
	static double kernel[32][128];
	unsigned ch = c->channels;
	double best = 0, a, b, v;

	for (int f = 1; f < 32; f++)
		for (int j = -63; j <= 64; j++)
			kernel[f][j + 63] = long_sinc(f / 32.0 - j);
	for (unsigned k = 0; k < ch; k++) {
		for (size_t i = 64; i + 64 < c->frames; i++) {
			a = fabs(c->x[i * ch + k]);
			b = fabs(c->x[(i + 1) * ch + k]);
			best = a > best ? a : best;
			if ((a > b ? a : b) < 0.8 * best)
				continue;
			for (int f = 1; f < 32; f++) {
				v = 0;
				for (int j = -63; j <= 64; j++)
					v += c->x[(i + j) * ch + k] *
					     kernel[f][j + 63];
				best = fabs(v) > best ? fabs(v) : best;
			}
		}
	}
	return best;
}

/*
 * Within 0.1 dB of the exact peak, and of libebur128's (4x oversampled
 * too, with another filter) within 0.3 dB.
 */
static void check_peak(const char *name)
{
	struct pcm_copy c = { 0 };
	struct analysis_peak *p;
	ebur128_state *st;
	double ours, exact, lib = 0, v;
	char path[4096];

	fixture_path(path, sizeof(path), name);
	assert_int_equal(analysis_decode(path, keep_pcm, &c), 0);
	p = analysis_peak_new(c.channels);
	st = ebur128_init(c.channels, c.rate, EBUR128_MODE_TRUE_PEAK);
	assert_non_null(p);
	assert_non_null(st);
	analysis_peak_feed(p, c.x, c.frames);
	ours = analysis_peak_finish(p);
	assert_int_equal(ebur128_add_frames_float(st, c.x, c.frames),
			 EBUR128_SUCCESS);
	for (unsigned k = 0; k < c.channels; k++) {
		assert_int_equal(ebur128_true_peak(st, k, &v),
				 EBUR128_SUCCESS);
		lib = v > lib ? v : lib;
	}
	exact = exact_peak(&c);
	if (fabs(20 * log10(ours / exact)) > 0.1 ||
	    fabs(20 * log10(ours / lib)) > 0.3)
		fail_msg("%s: true peak %.4f, exact %.4f, libebur128 %.4f",
			 name, ours, exact, lib);
	analysis_peak_free(p);
	ebur128_destroy(&st);
	free(c.x);
}

static void test_peak_as_reference(void **state)
{
	(void)state;
	check_peak("pink14.flac");
	check_peak("song.mp3");
	check_peak("third.mp3");
	check_peak("fourth.flac");
}

/* One recording as FLAC and as MP3 (after an ID3v2 tag, LAME's delay). */
static void test_same_recording(void **state)
{
	struct analysis_result flac, mp3;

	(void)state;
	analyse("song.flac", &flac);
	analyse("song.mp3", &mp3);
	assert_true(flac.fingerprint_len > 100);
	assert_true(match(&flac, &mp3) >= ANALYSIS_SAME);
	assert_true(match(&mp3, &flac) >= ANALYSIS_SAME);
	assert_true(shares_key(&flac, &mp3));
	assert_true(fabs(flac.duration_s - mp3.duration_s) < 0.01);
	assert_true(fabs(flac.loudness_lufs - mp3.loudness_lufs) < 1.0);
	assert_true(analysis_similarity(flac.vector, mp3.vector) > 0.95);
	analysis_result_release(&flac);
	analysis_result_release(&mp3);
}

/*
 * Late by 1.5 s, at 32 kbit/s and half the rate: still one recording.
 * (Without gapless information the decoder keeps the encoder's padding.)
 */
static void test_same_recording_degraded(void **state)
{
	struct analysis_result flac, low;

	(void)state;
	analyse("song.flac", &flac);
	analyse("song-low.mp3", &low);
	assert_true(fabs(low.duration_s - flac.duration_s - 1.5) < 0.1);
	assert_true(match(&flac, &low) >= ANALYSIS_SAME);
	assert_true(shares_key(&flac, &low));
	analysis_result_release(&flac);
	analysis_result_release(&low);
}

/* The fingerprint match of two fixtures, analysed for it. */
static double match_files(const char *a, const char *b)
{
	struct analysis_result ra, rb;
	double score;

	analyse(a, &ra);
	analyse(b, &rb);
	score = match(&ra, &rb);
	analysis_result_release(&ra);
	analysis_result_release(&rb);
	return score;
}

static void test_unrelated(void **state)
{
	(void)state;
	assert_true(match_files("other.flac", "third.mp3") < ANALYSIS_SAME);
	assert_true(match_files("song.flac", "other.flac") < ANALYSIS_SAME);
	assert_true(match_files("song.flac", "third.mp3") < ANALYSIS_SAME);
}

/* Click tracks are silence between clicks: equal silence is no match. */
static void test_silence_matches_nothing(void **state)
{
	(void)state;
	assert_true(match_files("click120.flac", "click90.flac") <
		    ANALYSIS_SAME);
}

/* Seconds cut from the start, or added: the best offset still matches. */
static void test_match_offset(void **state)
{
	struct analysis_result r;
	uint32_t *pad, flipped[64];
	int len;

	(void)state;
	analyse("song.flac", &r);
	len = r.fingerprint_len;
	assert_true(analysis_fingerprint_match(r.fingerprint + 20, len - 20,
					       r.fingerprint, len) > 0.99);
	pad = calloc(len + 30, sizeof(*pad));
	assert_non_null(pad);
	memcpy(pad + 30, r.fingerprint, len * sizeof(*pad));
	assert_true(analysis_fingerprint_match(r.fingerprint, len, pad,
					       len + 30) > 0.99);
	for (int i = 0; i < 64; i++)
		flipped[i] = ~r.fingerprint[i];
	assert_true(analysis_fingerprint_match(r.fingerprint, 64, flipped,
					       64) < ANALYSIS_SAME);
	assert_true(analysis_fingerprint_match(r.fingerprint, 3,
					       r.fingerprint, 3) == 0);
	assert_true(analysis_fingerprint_match(NULL, 0, pad, len) == 0);
	free(pad);
	analysis_result_release(&r);
}

static void test_keys(void **state)
{
	struct analysis_result r;
	uint32_t keys[32], few[4], later[32];
	int n, m, same = 0;

	(void)state;
	analyse("song.flac", &r);
	n = analysis_fingerprint_keys(r.fingerprint, r.fingerprint_len, keys,
				      32);
	assert_true(n > 4 && n <= 32);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			assert_true(keys[i] != keys[j]);
	/* The first keys of a longer list are the short list. */
	m = analysis_fingerprint_keys(r.fingerprint, r.fingerprint_len, few,
				      4);
	assert_int_equal(m, 4);
	assert_memory_equal(few, keys, sizeof(few));
	/* The keys hardly depend on where the fingerprint starts. */
	m = analysis_fingerprint_keys(r.fingerprint + 16,
				      r.fingerprint_len - 16, later, 32);
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++)
			same += later[i] == keys[j];
	assert_true(same >= n / 2);
	assert_int_equal(analysis_fingerprint_keys(NULL, 0, keys, 32), 0);
	assert_int_equal(analysis_fingerprint_keys(r.fingerprint,
						   r.fingerprint_len, keys,
						   0), 0);
	/* A fingerprint that holds one value (silence) has no key. */
	for (int i = 0; i < 32; i++)
		later[i] = r.fingerprint[0];
	assert_int_equal(analysis_fingerprint_keys(later, 32, keys, 32), 0);
	analysis_result_release(&r);
}

/* Keys are selective: unrelated recordings share none. */
static void test_keys_unrelated(void **state)
{
	static const char *const names[] = {
		"song.flac", "other.flac", "third.mp3", "fourth.flac",
		"song-pitch.flac",
	};
	struct analysis_result r[5];

	(void)state;
	for (int i = 0; i < 5; i++)
		analyse(names[i], &r[i]);
	for (int i = 0; i < 5; i++)
		for (int j = i + 1; j < 5; j++)
			if (shares_key(&r[i], &r[j]))
				fail_msg("%s and %s share a key", names[i],
					 names[j]);
	for (int i = 0; i < 5; i++)
		analysis_result_release(&r[i]);
}

/* A copy pitched up two semitones is nearer than any unrelated track. */
static void test_similar_pitch_shift(void **state)
{
	static const char *const others[] = {
		"other.flac", "third.mp3", "fourth.flac", "pink23.flac",
		"click120.flac", "sine.flac",
	};
	struct analysis_result song, pitch, o;
	double near, far;

	(void)state;
	analyse("song.flac", &song);
	analyse("song-pitch.flac", &pitch);
	near = analysis_similarity(song.vector, pitch.vector);
	for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++) {
		analyse(others[i], &o);
		far = analysis_similarity(song.vector, o.vector);
		if (far >= near)
			fail_msg("%s: %.3f, the pitched copy %.3f", others[i],
				 far, near);
		analysis_result_release(&o);
	}
	analysis_result_release(&song);
	analysis_result_release(&pitch);
}

static void test_vector_unit(void **state)
{
	struct analysis_result r;
	float neg[ANALYSIS_VECTOR_LEN], zero[ANALYSIS_VECTOR_LEN] = { 0 };
	double sum = 0;

	(void)state;
	analyse("third.mp3", &r);
	for (int i = 0; i < ANALYSIS_VECTOR_LEN; i++) {
		sum += (double)r.vector[i] * r.vector[i];
		neg[i] = -r.vector[i];
	}
	assert_true(fabs(sum - 1.0) < 1e-4);
	assert_true(fabs(analysis_similarity(r.vector, r.vector) - 1) < 1e-6);
	assert_true(fabs(analysis_similarity(r.vector, neg) + 1) < 1e-6);
	assert_true(analysis_similarity(r.vector, zero) == 0);
	analysis_result_release(&r);
}

static void test_album_gain(void **state)
{
	const double lufs[] = { -20.0, -10.0, -30.0 };
	const double secs[] = { 100.0, 100.0, 0.0 };
	const double secs3[] = { 300.0, 100.0, 0.0 };

	(void)state;
	assert_true(analysis_album_gain(lufs, secs, 0) == 0);
	assert_true(fabs(analysis_album_gain(lufs, secs, 1) - 2.0) < 1e-9);
	/* Energies 0.01 and 0.1 over equal times: -12.596 LUFS. */
	assert_true(fabs(analysis_album_gain(lufs, secs, 2) + 5.4036) < 1e-3);
	/* A track of no length weighs nothing. */
	assert_true(fabs(analysis_album_gain(lufs, secs, 3) + 5.4036) < 1e-3);
	/* Three times as long at -20: (0.03 + 0.1) / 4, -14.881 LUFS. */
	assert_true(fabs(analysis_album_gain(lufs, secs3, 2) + 3.1190) < 1e-3);
}

/* What one of the concurrent analyses found. */
struct concurrent {
	const char *name;
	struct analysis_result r;
	int rc;
};

static void *analyse_thread(void *arg)
{
	struct concurrent *c = arg;
	char path[4096];

	fixture_path(path, sizeof(path), c->name);
	c->rc = analysis_run(path, &c->r);
	return NULL;
}

/*
 * Workers analyse at once (aubio's FFT plans are made under a lock):
 * each finds what an analysis alone finds.
 */
static void test_concurrent(void **state)
{
	static const char *const names[] = {
		"song.flac", "song.mp3", "other.flac", "third.mp3",
	};
	struct concurrent c[8];
	struct analysis_result alone;
	pthread_t t[8];

	(void)state;
	for (int i = 0; i < 8; i++) {
		c[i].name = names[i % 4];
		assert_int_equal(pthread_create(&t[i], NULL, analyse_thread,
						&c[i]), 0);
	}
	for (int i = 0; i < 8; i++)
		assert_int_equal(join_within(t[i], JOIN_S, NULL), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(c[i].rc, 0);
		analyse(c[i].name, &alone);
		assert_true(alone.bpm == c[i].r.bpm);
		assert_true(alone.peak == c[i].r.peak);
		assert_memory_equal(alone.vector, c[i].r.vector,
				    sizeof(alone.vector));
		assert_int_equal(alone.fingerprint_len,
				 c[i].r.fingerprint_len);
		assert_memory_equal(alone.fingerprint, c[i].r.fingerprint,
				    alone.fingerprint_len *
				    sizeof(*alone.fingerprint));
		analysis_result_release(&alone);
		analysis_result_release(&c[i].r);
	}
}

/* libFLAC skips an ID3v2 tag before "fLaC"; the sniffing must too. */
static void test_id3_before_flac(void **state)
{
	static const unsigned char id3[] = "ID3\x04\x00\x00\x00\x00\x00\x0a";
	char src[4096], path[] = "/tmp/test_analysis_XXXXXX";
	struct analysis_result r;
	unsigned char buf[65536];
	FILE *in, *out;
	size_t n;
	int fd;

	(void)state;
	fixture_path(src, sizeof(src), "song.flac");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	out = fdopen(fd, "wb");
	in = fopen(src, "rb");
	assert_non_null(out);
	assert_non_null(in);
	memset(buf, 0, 20);
	memcpy(buf, id3, 10);
	assert_int_equal(fwrite(buf, 1, 20, out), 20);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(analysis_run(path, &r), 0);
	assert_true(fabs(r.duration_s - 24.0) < 0.01);
	analysis_result_release(&r);
	unlink(path);
}

/* A FIFO where a track was must not hang a worker. */
static void test_fifo(void **state)
{
	char path[64] = "/tmp/test_analysis_fifo_XXXXXX";
	struct analysis_result r;

	(void)state;
	assert_non_null(mkdtemp(path));
	strcat(path, "/a.flac");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(analysis_run(path, &r), -EMEDIUMTYPE);
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
}

static void test_bad_input(void **state)
{
	struct analysis_result r;

	(void)state;
	assert_int_equal(analyse_bad("missing.flac"), -ENOENT);
	assert_int_equal(analyse_bad("notes.txt"), -EMEDIUMTYPE);
	assert_int_equal(analyse_bad("empty.flac"), -EMEDIUMTYPE);
	assert_int_equal(analyse_bad("cut.flac"), -EBADMSG);
	assert_int_equal(analyse_bad("cut.mp3"), -EBADMSG);
	assert_int_equal(analyse_bad("garbage.mp3"), -EBADMSG);
	assert_int_equal(analyse_bad("short.flac"), -ENODATA);
	assert_int_equal(analyse_bad("."), -EISDIR);
	/* A failed run left nothing; releasing twice is harmless. */
	analyse("sine.flac", &r);
	analysis_result_release(&r);
	analysis_result_release(&r);
	assert_null(r.fingerprint);
}

/* The fixtures are made by a script, so without them nothing can run. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tempo_120),
		cmocka_unit_test(test_tempo_90),
		cmocka_unit_test(test_loudness_23),
		cmocka_unit_test(test_loudness_14),
		cmocka_unit_test(test_sine_peak),
		cmocka_unit_test(test_peak_between_samples),
		cmocka_unit_test(test_peak_as_reference),
		cmocka_unit_test(test_same_recording),
		cmocka_unit_test(test_same_recording_degraded),
		cmocka_unit_test(test_unrelated),
		cmocka_unit_test(test_silence_matches_nothing),
		cmocka_unit_test(test_match_offset),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_keys_unrelated),
		cmocka_unit_test(test_similar_pitch_shift),
		cmocka_unit_test(test_vector_unit),
		cmocka_unit_test(test_album_gain),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_id3_before_flac),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_bad_input),
	};

	fixtures = getenv("MEDIAMON_FIXTURES");
	if (!fixtures || !*fixtures) {
		fprintf(stderr, "test_analysis: MEDIAMON_FIXTURES is not set; "
			"make it the directory written by "
			"tests/data/make-fixtures.sh\n");
		return 1;
	}
	log_set_stderr(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
