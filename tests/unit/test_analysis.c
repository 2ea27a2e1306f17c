#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "indexer/analysis.h"

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

static void test_unrelated(void **state)
{
	struct analysis_result song, other, third;

	(void)state;
	analyse("song.flac", &song);
	analyse("other.flac", &other);
	analyse("third.mp3", &third);
	assert_true(match(&other, &third) < ANALYSIS_SAME);
	assert_true(match(&song, &other) < ANALYSIS_SAME);
	assert_true(match(&song, &third) < ANALYSIS_SAME);
	analysis_result_release(&song);
	analysis_result_release(&other);
	analysis_result_release(&third);
}

/* Click tracks are silence between clicks: equal silence is no match. */
static void test_silence_matches_nothing(void **state)
{
	struct analysis_result a, b;

	(void)state;
	analyse("click120.flac", &a);
	analyse("click90.flac", &b);
	assert_true(match(&a, &b) < ANALYSIS_SAME);
	analysis_result_release(&a);
	analysis_result_release(&b);
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
	analysis_result_release(&r);
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
	assert_int_equal(analyse_bad("short.flac"), -EBADMSG);
	assert_true(analyse_bad(".") < 0);
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
		cmocka_unit_test(test_same_recording),
		cmocka_unit_test(test_unrelated),
		cmocka_unit_test(test_silence_matches_nothing),
		cmocka_unit_test(test_match_offset),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_similar_pitch_shift),
		cmocka_unit_test(test_vector_unit),
		cmocka_unit_test(test_album_gain),
		cmocka_unit_test(test_id3_before_flac),
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
