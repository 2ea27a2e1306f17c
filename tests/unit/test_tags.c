/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
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

#include <cmocka.h>

#include "indexer/library/tags.h"

#define MB_TRACK "1a2b3c4d-0000-4000-8000-00000000000a"
#define MB_ALBUM "1a2b3c4d-0000-4000-8000-00000000000b"
#define MB_ARTIST "1a2b3c4d-0000-4000-8000-00000000000c"
#define MB_ALBUMARTIST "1a2b3c4d-0000-4000-8000-00000000000d"

static const char *fixtures;

typedef int reader_fn(int fd, struct tags *t);

/* Where t's fields came from, spelled out as the mount shows it. */
static void sources_of(const struct tags *t, char *buf, size_t size)
{
	char code[TAGS_NR_FIELDS + 1];

	tags_sources(t, code);
	tags_sources_text(code, buf, size);
}

/* Run a reader on one file of the fixture directory, as the scanner does. */
static int read_fixture(const char *name, reader_fn *reader, struct tags *t)
{
	char path[4096];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	memset(t, 0, sizeof(*t));
	ret = reader(fd, t);
	close(fd);
	return ret;
}

/* Bitrates and read counts are checked against the real file size. */
static uint64_t fixture_size(const char *name)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	if (stat(path, &st))
		fail_msg("cannot stat %s: %s", path, strerror(errno));
	return st.st_size;
}

/* cmocka's string check cannot take NULL, which means "not found" here. */
static void check_str(const char *got, const char *want)
{
	if (!want) {
		if (got)
			fail_msg("expected NULL, got \"%s\"", got);
		return;
	}
	if (!got)
		fail_msg("expected \"%s\", got NULL", want);
	assert_string_equal(got, want);
}

/* Durations are computed, so they are compared with a tolerance. */
static void check_near(double got, double want, double tolerance)
{
	if (fabs(got - want) > tolerance)
		fail_msg("expected %f (+/- %f), got %f", want, tolerance, got);
}

/* A file without usable tags must leave the text fields untouched. */
static void check_no_text(const struct tags *t)
{
	check_str(t->title, NULL);
	check_str(t->artist, NULL);
	check_str(t->album_artist, NULL);
	check_str(t->album, NULL);
	check_str(t->genre, NULL);
	check_str(t->mb_track_id, NULL);
	assert_int_equal(t->track, 0);
	assert_int_equal(t->year, 0);
}

/* The audio properties every readable fixture has. */
static void check_stream(const struct tags *t, double duration, int rate,
			 int channels)
{
	check_near(t->duration_s, duration, 0.01);
	assert_int_equal(t->sample_rate, rate);
	assert_int_equal(t->channels, channels);
}

/* The fixtures that carry MusicBrainz ids all carry the same four. */
static void check_mb_ids(const struct tags *t)
{
	check_str(t->mb_track_id, MB_TRACK);
	check_str(t->mb_album_id, MB_ALBUM);
	check_str(t->mb_artist_id, MB_ARTIST);
	check_str(t->mb_album_artist_id, MB_ALBUMARTIST);
}

/*
 * A STREAMINFO damaged to count one sample at 96 kHz, in a 64 MiB
 * (sparse) file, gives a duration too short for the size: no bitrate,
 * rather than one no int holds.
 */
static void test_flac_tiny_duration(void **state)
{
	unsigned char head[8 + 34] = "fLaC\x80\x00\x00\x22";
	unsigned char *si = head + 8;
	char path[] = "/tmp/test_tags.XXXXXX";
	struct tags t = { 0 };
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	/* 20 bits of rate, 3 of channels less one, 5 of bits less one,
	 * 36 of samples */
	si[10] = 96000 >> 12;
	si[11] = 96000 >> 4 & 0xff;
	si[12] = (96000 & 0xf) << 4 | (2 - 1) << 1;
	si[13] = (16 - 1) << 4;
	si[17] = 1;
	assert_int_equal(write(fd, head, sizeof(head)), (ssize_t)sizeof(head));
	assert_int_equal(ftruncate(fd, 64 << 20), 0);
	assert_int_equal(tags_read_flac(fd, &t), 0);
	close(fd);
	assert_int_equal(t.sample_rate, 96000);
	assert_int_equal(t.channels, 2);
	check_near(t.duration_s, 1 / 96000.0, 1e-9);
	assert_int_equal(t.bitrate_kbps, 0);
	tags_release(&t);
}

/* Every Vorbis key the index uses, repeated ARTIST and "3/12" numbers. */
static void test_flac_full(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("full.flac", tags_read_flac, &t), 0);
	check_str(t.codec, "flac");
	check_str(t.title, "Full Title");
	check_str(t.artist, "Artist One; Artist Two");
	check_str(t.album_artist, "Album Artist");
	check_str(t.album, "\xc3\x86r\xc3\xb8 Sessions");
	check_str(t.genre, "Rock");
	assert_int_equal(t.track, 3);
	assert_int_equal(t.track_total, 12);
	assert_int_equal(t.disc, 1);
	assert_int_equal(t.disc_total, 2);
	assert_int_equal(t.year, 2019);
	check_mb_ids(&t);
	check_stream(&t, 2.0, 44100, 2);
	assert_int_equal(t.bitrate_kbps,
			 (int)(fixture_size("full.flac") * 8 / 2.0 / 1000 +
			       0.5));
	assert_int_equal(t.has_picture, 0);
	assert_int_equal(t.tag_error, 0);
	assert_true(t.bytes_read > 0);
	assert_true(t.bytes_read < fixture_size("full.flac"));
	tags_release(&t);
}

/* Keys in any case, "ALBUM ARTIST", TOTALTRACKS, YEAR; a mono 48 kHz file. */
static void test_flac_alt_keys(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("altkeys.flac", tags_read_flac, &t), 0);
	check_str(t.title, "Lower Case");
	check_str(t.album_artist, "Spaced Album Artist");
	check_str(t.artist, NULL);
	assert_int_equal(t.track, 7);
	assert_int_equal(t.track_total, 9);
	assert_int_equal(t.disc, 2);
	assert_int_equal(t.disc_total, 3);
	assert_int_equal(t.year, 1999);
	check_stream(&t, 1.5, 48000, 1);
	assert_int_equal(t.tag_error, 0);
	tags_release(&t);
}

/* A PICTURE block is noted but not loaded. */
static void test_flac_picture(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("picture.flac", tags_read_flac, &t), 0);
	check_str(t.title, "Pictured");
	assert_int_equal(t.has_picture, 1);
	assert_int_equal(t.tag_error, 0);
	check_stream(&t, 2.0, 44100, 2);
	tags_release(&t);
}

/* Cut inside a skipped picture: damage, but the comments are kept. */
static void test_flac_cut_in_picture(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("cutpicture.flac", tags_read_flac, &t),
			 0);
	check_str(t.title, "Before The Cut");
	assert_int_equal(t.has_picture, 1);
	assert_int_equal(t.tag_error, 1);
	check_stream(&t, 2.0, 44100, 2);
	tags_release(&t);
}

/* STREAMINFO alone is a valid FLAC file, not damage. */
static void test_flac_no_tags(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("notags.flac", tags_read_flac, &t), 0);
	check_no_text(&t);
	check_stream(&t, 2.0, 44100, 2);
	assert_int_equal(t.tag_error, 0);
	tags_release(&t);
}

/* Invalid UTF-8 becomes U+FFFD, so the database only sees valid text. */
static void test_flac_bad_utf8(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("badutf8.flac", tags_read_flac, &t), 0);
	check_str(t.title, "Bad\xef\xbf\xbd" "Byte");
	check_str(t.artist, "Good Artist");
	assert_int_equal(t.tag_error, 1);
	check_stream(&t, 2.0, 44100, 2);
	tags_release(&t);
}

/* "fLaC" and a block header, then nothing. */
static void test_flac_truncated(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("truncated.flac", tags_read_flac, &t),
			 0);
	check_str(t.codec, "flac");
	check_no_text(&t);
	assert_int_equal(t.sample_rate, 0);
	assert_int_equal(t.tag_error, 1);
	tags_release(&t);
}

/* No "fLaC" magic: damage, never an error or a crash. */
static void test_flac_not_flac(void **state)
{
	static const char *const names[] = { "random.flac", "empty.flac",
					     "v23.mp3" };
	struct tags t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(read_fixture(names[i], tags_read_flac, &t), 0);
		check_str(t.codec, "flac");
		check_no_text(&t);
		assert_int_equal(t.sample_rate, 0);
		assert_int_equal(t.tag_error, 1);
		tags_release(&t);
	}
}

/* UTF-16 text, "(17)Rock", TYER from mutagen, TXXX and UFID ids, TXXX
 * gains whatever the case of their names. */
static void test_mp3_v23_utf16(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("v23.mp3", tags_read_mp3, &t), 0);
	check_str(t.codec, "mp3");
	check_str(t.title, "Caf\xc3\xa9 \xce\xa9");
	check_str(t.artist, "Bj\xc3\xb6rk");
	check_str(t.album_artist, "Various Artists");
	check_str(t.album, "D\xc3\xa9" "but");
	check_str(t.genre, "Rock");
	assert_int_equal(t.track, 3);
	assert_int_equal(t.track_total, 12);
	assert_int_equal(t.disc, 1);
	assert_int_equal(t.disc_total, 2);
	assert_int_equal(t.year, 2019);
	check_mb_ids(&t);
	assert_int_equal(t.has_gain, 1);
	check_near(t.gain_db, -7.89, 1e-9);
	assert_int_equal(t.has_album_gain, 1);
	check_near(t.album_gain_db, 2.10, 1e-9);
	check_stream(&t, 2.0, 44100, 2);
	assert_int_equal(t.bitrate_kbps, 128);
	assert_int_equal(t.has_picture, 0);
	assert_int_equal(t.tag_error, 0);
	assert_true(t.bytes_read > 0);
	tags_release(&t);
}

/* Several strings in one v2.4 frame, of a gain the first; MPEG-2 mono
 * VBR with Xing. */
static void test_mp3_v24_utf8_multi(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("v24.mp3", tags_read_mp3, &t), 0);
	check_str(t.title, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	check_str(t.artist, "Artist A; Artist B");
	check_str(t.album, "Album 24");
	check_str(t.genre, "Electronic; Jazz");
	assert_int_equal(t.track, 4);
	assert_int_equal(t.track_total, 0);
	assert_int_equal(t.year, 2021);
	check_mb_ids(&t);
	assert_int_equal(t.has_gain, 1);
	check_near(t.gain_db, -1.50, 1e-9);
	assert_int_equal(t.has_album_gain, 0);
	check_stream(&t, 3.0, 22050, 1);
	assert_true(t.bitrate_kbps > 8 && t.bitrate_kbps < 160);
	assert_int_equal(t.tag_error, 0);
	tags_release(&t);
}

/* A MusicBrainz id in upper case is kept in lower case; one that is no
 * UUID (a word, one character too many) is left out, in every reader. */
static void test_mbids_checked(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("badmbid.flac", tags_read_flac, &t), 0);
	check_str(t.title, "Bad Ids");
	check_str(t.mb_track_id, MB_TRACK);
	check_str(t.mb_album_id, NULL);
	check_str(t.mb_artist_id, NULL);
	assert_int_equal(t.tag_error, 0);
	tags_release(&t);
	assert_int_equal(read_fixture("badmbid.mp3", tags_read_mp3, &t), 0);
	check_str(t.title, "Bad Ids");
	check_str(t.mb_track_id, NULL);
	check_str(t.mb_album_id, MB_ALBUM);
	assert_int_equal(t.tag_error, 0);
	tags_release(&t);
}

/* Three-letter v2.2 frames, a PIC and a TXX gain. */
static void test_mp3_v22(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("v22.mp3", tags_read_mp3, &t), 0);
	check_str(t.title, "Old Title");
	check_str(t.artist, "Old Artist");
	check_str(t.genre, "Jazz");
	assert_int_equal(t.year, 1998);
	assert_int_equal(t.has_gain, 1);
	check_near(t.gain_db, 0.25, 1e-9);
	assert_int_equal(t.has_picture, 1);
	assert_int_equal(t.tag_error, 0);
	check_stream(&t, 2.0, 44100, 2);
	tags_release(&t);
}

/* Without an ID3v2 tag the ID3v1 tag at the end is used. */
static void test_mp3_v1_only(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("v1.mp3", tags_read_mp3, &t), 0);
	check_str(t.title, "V1 Title");
	check_str(t.artist, "V1 Artist");
	check_str(t.album, "V1 Album");
	check_str(t.genre, "Jazz");
	assert_int_equal(t.track, 5);
	assert_int_equal(t.year, 2001);
	assert_int_equal(t.tag_error, 0);
	check_stream(&t, 2.0, 44100, 2);
	assert_int_equal(t.bitrate_kbps, 128);
	tags_release(&t);
}

/* An untagged file is not damaged. */
static void test_mp3_no_tag(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("notag.mp3", tags_read_mp3, &t), 0);
	check_no_text(&t);
	assert_int_equal(t.tag_error, 0);
	check_stream(&t, 2.0, 44100, 2);
	assert_int_equal(t.bitrate_kbps, 128);
	tags_release(&t);
}

/* lame -t writes no Info frame, so the duration comes from the size. */
static void test_mp3_cbr_without_info(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("noinfo.mp3", tags_read_mp3, &t), 0);
	check_no_text(&t);
	assert_int_equal(t.tag_error, 0);
	check_stream(&t, fixture_size("noinfo.mp3") * 8 / 128000.0, 44100,
		     2);
	assert_int_equal(t.bitrate_kbps, 128);
	tags_release(&t);
}

/*
 * A file that shrank between the scanner's stat and the read: the size
 * it was given is past the end, by less and by more than the tail the
 * MP3 reader reads at once. The end is where the reads found it, so
 * the CBR duration is the one of the bytes there.
 */
static void test_mp3_shrunk_since_stat(void **state)
{
	static const int64_t more[] = { 1000, 1 << 20 };
	uint64_t size = fixture_size("noinfo.mp3");
	char path[4096];
	struct tags t;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/noinfo.mp3", fixtures);
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fail_msg("cannot open %s: %s", path, strerror(errno));
		memset(&t, 0, sizeof(t));
		t.file_size = size + more[i];
		assert_int_equal(tags_read_mp3(fd, &t), 0);
		close(fd);
		check_stream(&t, size * 8 / 128000.0, 44100, 2);
		tags_release(&t);
	}
}

/* Fraunhofer encoders give the frame count in a VBRI header. */
static void test_mp3_vbri(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("vbri.mp3", tags_read_mp3, &t), 0);
	assert_int_equal(t.tag_error, 0);
	check_stream(&t, 77 * 1152 / 44100.0, 44100, 2);
	tags_release(&t);
}

/* A 100 KB APIC after the text is stepped over, not read whole. */
static void test_mp3_picture_skipped(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("picture.mp3", tags_read_mp3, &t), 0);
	check_str(t.title, "Has Cover");
	assert_int_equal(t.has_picture, 1);
	assert_int_equal(t.tag_error, 0);
	check_stream(&t, 2.0, 44100, 2);
	assert_int_equal(t.bitrate_kbps, 128);
	assert_true(t.bytes_read < fixture_size("picture.mp3"));
	tags_release(&t);
}

/* Frames after a large picture are still found. */
static void test_mp3_picture_first(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("picfirst.mp3", tags_read_mp3, &t), 0);
	check_str(t.title, "After Picture");
	check_str(t.artist, "Late Artist");
	assert_int_equal(t.has_picture, 1);
	assert_int_equal(t.tag_error, 0);
	check_stream(&t, 2.0, 44100, 2);
	assert_true(t.bytes_read < fixture_size("picfirst.mp3"));
	tags_release(&t);
}

/* Tag-wide unsynchronisation (v2.3) takes the whole-tag path. */
static void test_mp3_unsynchronised(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("unsync.mp3", tags_read_mp3, &t), 0);
	check_str(t.title, "Unsync \xc3\xbf\xc3\xa0");
	assert_int_equal(t.tag_error, 0);
	check_stream(&t, 2.0, 44100, 2);
	tags_release(&t);
}

/* A compressed frame of a whole-read tag is inflated. */
static void test_mp3_unsynchronised_compressed(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("unsynczip.mp3", tags_read_mp3, &t), 0);
	check_str(t.title, "Zipped Title");
	check_str(t.artist, "Plain Artist");
	assert_int_equal(t.tag_error, 0);
	check_stream(&t, 2.0, 44100, 2);
	tags_release(&t);
}

/* The most address space this process has held, in kB: an allocation
 * of gigabytes shows there even when its pages are never touched. */
static long vm_peak_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPeak: %ld kB", &kb) == 1)
			break;
	fclose(f);
	assert_true(kb > 0);
	return kb;
}

/* A compressed frame claiming 4 GB in a whole-read tag is inflated as
 * far as it really goes, into a bounded buffer, whatever it claims
 * (the fuzz corpus holds the inputs that found the claim taken at its
 * word): it is read, as mutagen reads it, and the false claim is damage.
 * Under a frame id that is not one, it is stepped over. The audio is
 * still read. */
static void test_mp3_unsynchronised_compression_bomb(void **state)
{
	static const struct {
		const char *name, *title;
	} cases[] = {
		{ "unsyncbomb.mp3", "Bomb" },
		{ "unsyncbombid.mp3", NULL },
	};
	struct tags t;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		long peak = vm_peak_kb();

		assert_int_equal(read_fixture(cases[i].name, tags_read_mp3,
					      &t), 0);
		assert_true(vm_peak_kb() - peak < 256 * 1024);
		assert_int_equal(t.tag_error, 1);
		check_str(t.title, cases[i].title);
		check_str(t.artist, "Plain Artist");
		check_stream(&t, 2.0, 44100, 2);
		tags_release(&t);
	}
}

/* Of RVA2 frames only a whole "track" or "album" one with a master
 * volume gives a gain, the first of each; the others are no damage. */
static void test_mp3_rva2(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("rva2.mp3", tags_read_mp3, &t), 0);
	check_str(t.title, "Relative Volume");
	assert_int_equal(t.has_gain, 1);
	check_near(t.gain_db, -3.25, 1e-9);
	assert_int_equal(t.has_album_gain, 0);
	assert_int_equal(t.tag_error, 0);
	tags_release(&t);
}

/* One frame that cannot be decoded costs only that frame. */
static void test_mp3_bad_frame(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("badframe.mp3", tags_read_mp3, &t), 0);
	check_str(t.title, "Good Title");
	check_str(t.artist, NULL);
	check_str(t.album, "Kept Album");
	assert_int_equal(t.tag_error, 1);
	check_stream(&t, 2.0, 44100, 2);
	tags_release(&t);
}

/* A tag size past the end: keep the frames, find the audio after them. */
static void test_mp3_tag_past_eof(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("tagpasteof.mp3", tags_read_mp3, &t),
			 0);
	check_str(t.title, "Cut Short");
	assert_int_equal(t.tag_error, 1);
	check_stream(&t, 2.0, 44100, 2);
	tags_release(&t);
}

/* No tag and no MPEG frame: damage, never an error or a crash. */
static void test_mp3_not_mp3(void **state)
{
	static const char *const names[] = { "random.mp3", "empty.mp3",
					     "full.flac" };
	struct tags t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(read_fixture(names[i], tags_read_mp3, &t), 0);
		check_str(t.codec, "mp3");
		check_no_text(&t);
		assert_int_equal(t.sample_rate, 0);
		check_near(t.duration_s, 0, 0);
		assert_int_equal(t.tag_error, 1);
		tags_release(&t);
	}
}

/* A directory opens, but reading it fails: a real I/O error. */
static void test_read_error(void **state)
{
	struct tags t;
	int fd;

	(void)state;
	fd = open(fixtures, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	memset(&t, 0, sizeof(t));
	assert_int_equal(tags_read_mp3(fd, &t), -EISDIR);
	tags_release(&t);
	assert_int_equal(tags_read_flac(fd, &t), -EISDIR);
	tags_release(&t);
	close(fd);
}

/*
 * The odd files of tests/data/make-odd-tags.py (their values are
 * compared with mutagen's by tests/integration/test_odd_tags.py): where
 * each field came from, and why a damaged one is damaged.
 */
static void test_sources_and_reasons(void **state)
{
	static const struct {
		const char *name, *sources, *error;
	} cases[] = {
		{ "odd/v1-and-v2.mp3", "title=id3v2 artist=id3v2 album=id3v1 "
		  "genre=id3v1 track=id3v1 year=id3v1", "" },
		{ "odd/v2-and-ape.mp3", "title=id3v2 artist=ape album=ape "
		  "track=ape", "" },
		{ "odd/ape-and-v1.mp3", "title=ape artist=ape album=id3v1 "
		  "track=id3v1 year=id3v1", "" },
		{ "odd/v24-footer-end-v1.mp3", "title=id3v2 artist=id3v1 "
		  "album=id3v1 track=id3v1 year=id3v1", "" },
		{ "odd/no-tags.mp3", "title=name", "" },
		{ "odd/flac-keys-case.flac", "title=vorbis artist=vorbis "
		  "album_artist=vorbis album=vorbis track=vorbis disc=vorbis "
		  "year=vorbis", "" },
		{ "odd/flac-two-vc.flac", "title=vorbis album=vorbis",
		  "flac: a second VORBIS_COMMENT block is not read" },
		{ "odd/flac-vc-short-size.flac",
		  "title=vorbis artist=vorbis album=vorbis",
		  "flac: a VORBIS_COMMENT block's length is too short" },
		{ "odd/flac-not-flac.flac", "title=name",
		  "flac: no \"fLaC\" marker" },
		{ "odd/bad-tyer.mp3", "title=id3v2 artist=id3v2 album=id3v2 "
		  "track=id3v2", "id3v2: frame TYER holds no date" },
		{ "odd/bad-encoding.mp3", "title=id3v2 album=id3v2",
		  "id3v2: frame TPE1 cannot be read" },
		{ "odd/bad-frame-id.mp3", "title=id3v2 artist=id3v2 "
		  "album=id3v2 track=id3v2",
		  "id3v2: a frame has an invalid id" },
		{ "odd/utf16-no-bom.mp3", "title=id3v2 artist=id3v2 "
		  "album=id3v2", "id3v2: frame TIT2 holds UTF-16 without a "
		  "fitting byte order mark" },
		{ "odd/v24-plain-sizes.mp3", "title=id3v2 artist=id3v2",
		  "id3v2: frame sizes are not syncsafe" },
		{ "odd/two-v2-tags.mp3", "title=id3v2 artist=id3v2",
		  "id3v2: a second tag follows the first" },
		{ "odd/not-audio.mp3", "title=name",
		  "mp3: no MPEG audio frame found" },
	};
	char sources[TAGS_SOURCES_MAX];
	struct tags t;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *name = cases[i].name;
		reader_fn *reader = strstr(name, ".flac") ? tags_read_flac :
				    tags_read_mp3;

		assert_int_equal(read_fixture(name, reader, &t), 0);
		assert_int_equal(tags_title_from_name(&t, strchr(name, '/') +
						      1), 0);
		sources_of(&t, sources, sizeof(sources));
		assert_string_equal(sources, cases[i].sources);
		assert_string_equal(t.error, cases[i].error);
		assert_int_equal(t.tag_error, !!*cases[i].error);
		tags_release(&t);
	}
}

/* The duration of a file whose audio lies behind a second tag, and of
 * files whose tags are at their end, counts the audio alone. */
static void test_mp3_audio_between_tags(void **state)
{
	static const char *const names[] = {
		"odd/two-v2-tags.mp3", "odd/v24-footer-end-v1.mp3",
		"odd/ape-and-v1.mp3", "odd/no-tags.mp3",
	};
	struct tags t;
	double first = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		assert_int_equal(read_fixture(names[i], tags_read_mp3, &t), 0);
		assert_int_equal(t.sample_rate, 22050);
		if (!i)
			first = t.duration_s;
		check_near(t.duration_s, first, 0.001);
		assert_true(t.duration_s > 0.3 && t.duration_s < 0.4);
		tags_release(&t);
	}
}

/* A source's value never replaces a better source's, and the name is
 * the title's last resort only. */
static void test_sources_fill_only_gaps(void **state)
{
	char sources[TAGS_SOURCES_MAX], code[TAGS_NR_FIELDS + 1];
	struct tags t = { 0 };

	(void)state;
	t.title = strdup("Tagged");
	t.source[TAGS_TITLE] = TAGS_ID3V2;
	t.year = 2001;
	t.source[TAGS_YEAR] = TAGS_ID3V2;
	tags_sources(&t, code);
	assert_string_equal(code, "2------2");
	sources_of(&t, sources, sizeof(sources));
	assert_string_equal(sources, "title=id3v2 year=id3v2");
	assert_int_equal(tags_title_from_name(&t, "name.mp3"), 0);
	assert_string_equal(t.title, "Tagged");
	sources_of(&t, sources, 12);
	assert_string_equal(sources, "title=id3v2");
	tags_release(&t);
	tags_sources(&t, code);
	assert_string_equal(code, "");
	sources_of(&t, sources, sizeof(sources));
	assert_string_equal(sources, "");
	/* what stores of schema 16 kept is given as it is */
	tags_sources_text("title=ape", sources, sizeof(sources));
	assert_string_equal(sources, "title=ape");
}

/* A released struct must read as empty, whoever looks at it next. */
/* A file name is bytes: the title made of it must be text all the same,
 * and only a damaged tag, not an odd name, counts as a tag error. */
static void test_title_from_name(void **state)
{
	static const struct {
		const char *name, *title;
	} cases[] = {
		{ "01 - Song.flac", "01 - Song" },
		{ "no extension", "no extension" },
		{ ".hidden", ".hidden" },
		{ "a.b.mp3", "a.b" },
		{ "new\nline.flac", "new\nline" },
		{ "bad\xff\xfename.flac", "bad\xef\xbf\xbd\xef\xbf\xbdname" },
		{ "cut\xc3.flac", "cut\xef\xbf\xbd" },
	};
	struct tags t = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(tags_title_from_name(&t, cases[i].name), 0);
		assert_string_equal(t.title, cases[i].title);
		assert_int_equal(t.tag_error, 0);
		tags_release(&t);
	}
	/* a title from the tags stays, an empty one is replaced */
	t.title = strdup("Tagged");
	t.tag_error = 1;
	assert_int_equal(tags_title_from_name(&t, "x\xff.flac"), 0);
	assert_string_equal(t.title, "Tagged");
	assert_int_equal(t.tag_error, 1);
	t.title[0] = '\0';
	assert_int_equal(tags_title_from_name(&t, "x\xff.flac"), 0);
	assert_string_equal(t.title, "x\xef\xbf\xbd");
	assert_int_equal(t.tag_error, 1);
	tags_release(&t);
}

/* Write one Ogg page of serial 1 holding a single packet. */
static void put_ogg_page(int fd, int flags, int64_t granule,
			 const void *packet, unsigned char len)
{
	unsigned char head[28] = "OggS";
	uint64_t g = (uint64_t)granule;

	head[5] = flags;
	for (int i = 0; i < 8; i++)
		head[6 + i] = g >> (8 * i) & 0xff;
	head[14] = 1;
	head[26] = 1;
	head[27] = len;
	assert_int_equal(write(fd, head, sizeof(head)), (ssize_t)sizeof(head));
	assert_int_equal(write(fd, packet, len), (ssize_t)len);
}

/*
 * A last page whose granule is the most negative one (found by the
 * fuzzer) leaves the duration unknown instead of overflowing when the
 * pre-skip is taken off; one below the pre-skip does too.
 */
static void test_ogg_granule_below_pre_skip(void **state)
{
	static const int64_t granules[] = { INT64_MIN, 100, 312 };
	unsigned char opus_head[19] = "OpusHead\x01\x02\x38\x01";
	static const char opus_tags[] = "OpusTags\0\0\0\0\0\0\0\0";

	(void)state;
	for (size_t i = 0; i < sizeof(granules) / sizeof(*granules); i++) {
		char path[] = "/tmp/test_tags.XXXXXX";
		struct tags t = { 0 };
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		unlink(path);
		put_ogg_page(fd, 2, 0, opus_head, sizeof(opus_head));
		put_ogg_page(fd, 0, 0, opus_tags, sizeof(opus_tags) - 1);
		put_ogg_page(fd, 4, granules[i], "x", 1);
		assert_int_equal(tags_read_ogg(fd, &t), 0);
		close(fd);
		assert_string_equal(t.codec, "opus");
		assert_int_equal(t.channels, 2);
		assert_int_equal(t.sample_rate, 48000);
		assert_true(t.duration_s == 0);
		tags_release(&t);
	}
}

static void test_release_zeroes(void **state)
{
	struct tags t;

	(void)state;
	assert_int_equal(read_fixture("full.flac", tags_read_flac, &t), 0);
	tags_release(&t);
	check_no_text(&t);
	assert_null(t.codec);
	assert_int_equal(t.sample_rate, 0);
	assert_int_equal(t.bytes_read, 0);
}

/* The fixtures are made by a script, so without them nothing can run. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flac_full),
		cmocka_unit_test(test_title_from_name),
		cmocka_unit_test(test_flac_alt_keys),
		cmocka_unit_test(test_flac_picture),
		cmocka_unit_test(test_flac_cut_in_picture),
		cmocka_unit_test(test_flac_no_tags),
		cmocka_unit_test(test_flac_bad_utf8),
		cmocka_unit_test(test_flac_truncated),
		cmocka_unit_test(test_flac_not_flac),
		cmocka_unit_test(test_flac_tiny_duration),
		cmocka_unit_test(test_ogg_granule_below_pre_skip),
		cmocka_unit_test(test_mp3_v23_utf16),
		cmocka_unit_test(test_mp3_v24_utf8_multi),
		cmocka_unit_test(test_mbids_checked),
		cmocka_unit_test(test_mp3_v22),
		cmocka_unit_test(test_mp3_v1_only),
		cmocka_unit_test(test_mp3_no_tag),
		cmocka_unit_test(test_mp3_cbr_without_info),
		cmocka_unit_test(test_mp3_shrunk_since_stat),
		cmocka_unit_test(test_mp3_vbri),
		cmocka_unit_test(test_mp3_picture_skipped),
		cmocka_unit_test(test_mp3_picture_first),
		cmocka_unit_test(test_mp3_unsynchronised),
		cmocka_unit_test(test_mp3_unsynchronised_compressed),
		cmocka_unit_test(test_mp3_unsynchronised_compression_bomb),
		cmocka_unit_test(test_mp3_rva2),
		cmocka_unit_test(test_mp3_bad_frame),
		cmocka_unit_test(test_mp3_tag_past_eof),
		cmocka_unit_test(test_mp3_not_mp3),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_sources_and_reasons),
		cmocka_unit_test(test_mp3_audio_between_tags),
		cmocka_unit_test(test_sources_fill_only_gaps),
		cmocka_unit_test(test_release_zeroes),
	};

	fixtures = getenv("MEDIAMON_FIXTURES");
	if (!fixtures || !*fixtures) {
		fprintf(stderr, "test_tags: MEDIAMON_FIXTURES is not set; "
			"make it the directory written by "
			"tests/data/make-fixtures.sh\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
