/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Streamed decoding of FLAC and MP3 to float PCM (analysis_decode.h),
 * handing the other formats to analysis_decode_av.c. No analysis here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <FLAC/stream_decoder.h>
#include <mpg123.h>

#include "common/log.h"
#include "indexer/analysis/analysis_decode.h"
#include "indexer/analysis/analysis_decode_av.h"

enum kind { KIND_NONE, KIND_FLAC, KIND_MP3, KIND_AV };

/* What the FLAC callbacks share while one file decodes. */
struct flac_run {
	const char *path;
	analysis_pcm_fn fn;
	void *ctx;
	float *buf;
	size_t cap;		/* samples buf holds */
	unsigned rate, channels;
	uint64_t total;		/* STREAMINFO's sample count, 0 unknown */
	uint64_t decoded;
	int err;
};

/*
 * A frame header is told from random bytes by its fixed fields: the sync
 * bits, and a version, layer, bitrate and rate that are not reserved.
 */
static int is_mpeg_header(const unsigned char *b)
{
	return b[0] == 0xff && (b[1] & 0xe0) == 0xe0 &&
	       ((b[1] >> 3) & 3) != 1 && ((b[1] >> 1) & 3) != 0 &&
	       (b[2] >> 4) != 0xf && ((b[2] >> 2) & 3) != 3;
}

/* The first 12 bytes of the formats FFmpeg decodes for the analysis. */
static int is_other_audio(const unsigned char *b)
{
	return !memcmp(b, "OggS", 4) || !memcmp(b + 4, "ftyp", 4) ||
	       !memcmp(b, "wvpk", 4) || !memcmp(b, "MAC ", 4) ||
	       (!memcmp(b, "RIFF", 4) && !memcmp(b + 8, "WAVE", 4)) ||
	       (!memcmp(b, "FORM", 4) && (!memcmp(b + 8, "AIFF", 4) ||
					  !memcmp(b + 8, "AIFC", 4)));
}

/*
 * The content decides the decoder. An ID3v2 tag usually opens an MP3 but
 * may stand before a FLAC stream too (libFLAC skips it), so the bytes
 * after the tag decide; a tag followed by neither is left to libmpg123,
 * which reports the damage.
 */
static int sniff(int fd, enum kind *kind)
{
	unsigned char b[12];
	ssize_t n = pread(fd, b, sizeof(b), 0);
	off_t skip;

	*kind = KIND_NONE;
	if (n < 0)
		return -errno;
	if (n >= 4 && !memcmp(b, "fLaC", 4)) {
		*kind = KIND_FLAC;
	} else if (n >= 10 && !memcmp(b, "ID3", 3)) {
		skip = 10 + ((off_t)(b[6] & 0x7f) << 21) +
		       ((b[7] & 0x7f) << 14) + ((b[8] & 0x7f) << 7) +
		       (b[9] & 0x7f) + ((b[5] & 0x10) ? 10 : 0);
		n = pread(fd, b, 4, skip);
		if (n < 0)
			return -errno;
		*kind = n == 4 && !memcmp(b, "fLaC", 4) ? KIND_FLAC : KIND_MP3;
	} else if (n >= 3 && is_mpeg_header(b)) {
		*kind = KIND_MP3;
	} else if (n == 12 && is_other_audio(b)) {
		*kind = KIND_AV;
	}
	return 0;
}

/* STREAMINFO tells the format and length the frames must then match. */
static void flac_meta(const FLAC__StreamDecoder *d,
		      const FLAC__StreamMetadata *m, void *data)
{
	struct flac_run *fr = data;

	(void)d;
	if (m->type != FLAC__METADATA_TYPE_STREAMINFO)
		return;
	fr->rate = m->data.stream_info.sample_rate;
	fr->channels = m->data.stream_info.channels;
	fr->total = m->data.stream_info.total_samples;
}

/* Any decoder error (lost sync, a bad header, a CRC mismatch) is damage. */
static void flac_error(const FLAC__StreamDecoder *d,
		       FLAC__StreamDecoderErrorStatus status, void *data)
{
	struct flac_run *fr = data;
	const char *what = FLAC__StreamDecoderErrorStatusString[status];

	(void)d;
	if (!fr->err)
		fr->err = log_error(-EBADMSG, "analysis: %s: flac: %s",
				    fr->path, what);
}

/*
 * libFLAC gives one planar block of integers per frame; the analysis
 * wants interleaved floats, scaled by the frame's own sample size.
 */
static FLAC__StreamDecoderWriteStatus flac_write(const FLAC__StreamDecoder *d,
						 const FLAC__Frame *frame,
						 const FLAC__int32 *const in[],
						 void *data)
{
	struct flac_run *fr = data;
	unsigned ch = frame->header.channels;
	unsigned bps = frame->header.bits_per_sample;
	size_t n = frame->header.blocksize, need = n * ch;
	struct analysis_pcm pcm;
	float scale;

	(void)d;
	if (fr->err)
		return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
	if (!fr->rate && !fr->channels) {
		fr->rate = frame->header.sample_rate;
		fr->channels = ch;
	}
	if (ch != fr->channels || frame->header.sample_rate != fr->rate ||
	    !fr->rate || ch > ANALYSIS_MAX_CHANNELS || bps < 4 || bps > 32) {
		fr->err = log_error(-EBADMSG, "analysis: %s: flac: frame "
				    "format differs from the stream's",
				    fr->path);
		return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
	}
	if (need > fr->cap) {
		float *nb = realloc(fr->buf, need * sizeof(*nb));

		if (!nb) {
			fr->err = log_error(-ENOMEM, "analysis: %s: no memory",
					    fr->path);
			return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
		}
		fr->buf = nb;
		fr->cap = need;
	}
	scale = 1.0f / (float)(1ull << (bps - 1));
	for (unsigned c = 0; c < ch; c++)
		for (size_t i = 0; i < n; i++)
			fr->buf[i * ch + c] = (float)in[c][i] * scale;
	fr->decoded += n;
	pcm = (struct analysis_pcm){ fr->buf, n, fr->rate, ch };
	fr->err = fr->fn(&pcm, fr->ctx);
	return fr->err ? FLAC__STREAM_DECODER_WRITE_STATUS_ABORT :
			 FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

/*
 * The FLAC stream decoder, checked against STREAMINFO's sample count. It
 * reads a stream of its own over a copy of the descriptor, never the
 * file by name again (a confined analyser may open nothing). The decoder
 * owns the stream once it is given: the only failure left to its init
 * here, no memory, leaves it to FLAC__stream_decoder_delete() to close.
 */
static int decode_flac(int fd, const char *path, analysis_pcm_fn fn,
		       void *ctx)
{
	struct flac_run fr = { .path = path, .fn = fn, .ctx = ctx };
	FLAC__StreamDecoder *d = FLAC__stream_decoder_new();
	FLAC__StreamDecoderInitStatus st;
	int copy = -1, rc = 0;
	FLAC__bool ok;
	FILE *in;

	if (!d)
		return log_error(-ENOMEM, "analysis: %s: no memory", path);
	copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	in = copy >= 0 ? fdopen(copy, "rb") : NULL;
	if (!in) {
		rc = -errno;
		if (copy >= 0)
			close(copy);
		FLAC__stream_decoder_delete(d);
		return log_error(rc, "analysis: %s: %s", path, strerror(-rc));
	}
	st = FLAC__stream_decoder_init_FILE(d, in, flac_write, flac_meta,
					    flac_error, &fr);
	if (st != FLAC__STREAM_DECODER_INIT_STATUS_OK) {
		FLAC__stream_decoder_delete(d);
		return log_error(-ENOMEM, "analysis: %s: flac: %s", path,
				 FLAC__StreamDecoderInitStatusString[st]);
	}
	ok = FLAC__stream_decoder_process_until_end_of_stream(d);
	if (fr.err)
		rc = fr.err;
	else if (!ok || FLAC__stream_decoder_get_state(d) !=
				FLAC__STREAM_DECODER_END_OF_STREAM)
		rc = log_error(-EBADMSG, "analysis: %s: flac: %s", path,
			FLAC__stream_decoder_get_resolved_state_string(d));
	else if (!fr.decoded || (fr.total && fr.decoded != fr.total))
		rc = log_error(-EBADMSG, "analysis: %s: flac: %llu of %llu "
			       "samples (truncated)", path,
			       (unsigned long long)fr.decoded,
			       (unsigned long long)fr.total);
	FLAC__stream_decoder_delete(d);
	free(fr.buf);
	return rc;
}

/*
 * libmpg123 decodes every rate and channel layout it knows to 32-bit
 * floats; nothing is resampled, since loudness is measured at the native
 * rate.
 */
static int mp3_setup(mpg123_handle *mh)
{
	const long *rates;
	size_t nrates;
	int rc;

	rc = mpg123_param(mh, MPG123_FLAGS, MPG123_QUIET | MPG123_GAPLESS |
			  MPG123_FORCE_FLOAT, 0);
	if (rc == MPG123_OK)
		rc = mpg123_format_none(mh);
	mpg123_rates(&rates, &nrates);
	for (size_t i = 0; rc == MPG123_OK && i < nrates; i++)
		rc = mpg123_format(mh, rates[i], MPG123_MONO | MPG123_STEREO,
				   MPG123_ENC_FLOAT_32);
	return rc;
}

/*
 * One frame after another until the stream ends. A stream with a LAME
 * tag (an encoder delay is known) announces its exact length, and must
 * deliver all of it: a cut file or frames overwritten with garbage come
 * up short. Without the tag the length is an estimate from the file size,
 * which other tags at the end throw off, so it is not held against it.
 */
static int mp3_frames(mpg123_handle *mh, const char *path,
		      analysis_pcm_fn fn, void *ctx)
{
	struct analysis_pcm pcm = { 0 };
	unsigned char *audio;
	uint64_t decoded = 0;
	long rate, delay;
	int ch, enc, rc;
	double unused;
	size_t bytes;
	off_t num, expect = 0;

	for (;;) {
		rc = mpg123_decode_frame(mh, &num, &audio, &bytes);
		if (rc == MPG123_DONE)
			break;
		if (rc == MPG123_NEW_FORMAT) {
			mpg123_getformat(mh, &rate, &ch, &enc);
			if (pcm.rate && ((long)pcm.rate != rate ||
					 pcm.channels != (unsigned)ch))
				return log_error(-EBADMSG, "analysis: %s: mp3: "
						 "format changes midway", path);
			if (!pcm.rate && mpg123_getstate(mh, MPG123_ENC_DELAY,
							 &delay, &unused) ==
					 MPG123_OK && delay >= 0)
				expect = mpg123_length(mh);
			pcm.rate = rate;
			pcm.channels = ch;
			continue;
		}
		if (rc != MPG123_OK) {
			rc = mpg123_errcode(mh) == MPG123_OUT_OF_MEM ?
			     -ENOMEM : -EBADMSG;
			return log_error(rc, "analysis: %s: mp3: %s", path,
					 mpg123_strerror(mh));
		}
		if (!bytes || !pcm.channels)
			continue;
		pcm.samples = (const float *)(void *)audio;
		pcm.frames = bytes / (sizeof(float) * pcm.channels);
		decoded += pcm.frames;
		rc = fn(&pcm, ctx);
		if (rc)
			return rc;
	}
	if (!decoded || (expect > 0 && decoded < (uint64_t)expect))
		return log_error(-EBADMSG, "analysis: %s: mp3: %llu of %lld "
				 "samples (truncated or damaged)", path,
				 (unsigned long long)decoded,
				 (long long)expect);
	return 0;
}

/* libmpg123 over the descriptor already open, which stays the caller's. */
static int decode_mp3(int fd, const char *path, analysis_pcm_fn fn,
		      void *ctx)
{
	mpg123_handle *mh;
	int err, rc;

	mh = mpg123_new(NULL, &err);
	if (!mh)
		return log_error(-ENOMEM, "analysis: %s: mp3: %s", path,
				 mpg123_plain_strerror(err));
	if (mp3_setup(mh) != MPG123_OK) {
		rc = log_error(-ENOMEM, "analysis: %s: mp3: %s", path,
			       mpg123_strerror(mh));
	} else if (mpg123_open_fd(mh, fd) != MPG123_OK) {
		rc = log_error(-EBADMSG, "analysis: %s: mp3: %s", path,
			       mpg123_strerror(mh));
	} else {
		rc = mp3_frames(mh, path, fn, ctx);
		mpg123_close(mh);
	}
	mpg123_delete(mh);
	return rc;
}

/* Only a regular file is read, whoever opened the descriptor. */
int analysis_decode_fd(int fd, const char *path, analysis_pcm_fn fn,
		       void *ctx)
{
	enum kind kind;
	struct stat st;
	int rc;

	rc = fstat(fd, &st) ? -errno : 0;
	if (!rc && !S_ISREG(st.st_mode))
		rc = S_ISDIR(st.st_mode) ? -EISDIR : -EMEDIUMTYPE;
	if (!rc)
		rc = sniff(fd, &kind);
	if (rc < 0)
		rc = log_error(rc, "analysis: %s: %s", path, strerror(-rc));
	else if (kind == KIND_NONE)
		rc = log_error(-EMEDIUMTYPE, "analysis: %s: not an audio "
			       "format the analysis decodes", path);
	else if (kind == KIND_AV)
		rc = analysis_decode_av(fd, path, fn, ctx);
	else if (kind == KIND_FLAC)
		rc = decode_flac(fd, path, fn, ctx);
	else
		rc = decode_mp3(fd, path, fn, ctx);
	return rc;
}

/*
 * Opened without blocking, so that a FIFO that stands where a track was
 * cannot hang a worker.
 */
int analysis_decode(const char *path, analysis_pcm_fn fn, void *ctx)
{
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		return log_error(rc, "analysis: %s: %s", path, strerror(-rc));
	}
	rc = analysis_decode_fd(fd, path, fn, ctx);
	close(fd);
	return rc;
}
