/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Streamed decoding of the other formats with FFmpeg's libraries
 * (analysis_decode_av.h), from a descriptor, on one thread. No analysis
 * here.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>

#include "common/log.h"
#include "indexer/analysis/analysis_decode_av.h"

#define IO_BUF		65536

/* The descriptor FFmpeg reads through: never a path, which a confined
 * analyser could not open. */
struct av_io {
	int fd;
	int64_t pos, size;
};

/* FFmpeg's reads, by position, so that the caller's descriptor offset
 * is left alone. */
static int io_read(void *opaque, uint8_t *buf, int n)
{
	struct av_io *io = opaque;
	ssize_t got = pread(io->fd, buf, n, io->pos);

	if (got < 0)
		return AVERROR(errno);
	if (!got)
		return AVERROR_EOF;
	io->pos += got;
	return got;
}

/* FFmpeg's seeks move our position only; AVSEEK_SIZE asks the size,
 * which the MP4 and Ogg demuxers want to find their end. */
static int64_t io_seek(void *opaque, int64_t off, int whence)
{
	struct av_io *io = opaque;

	if (whence & AVSEEK_SIZE)
		return io->size;
	switch (whence & ~AVSEEK_FORCE) {
	case SEEK_SET:
		break;
	case SEEK_CUR:
		off += io->pos;
		break;
	case SEEK_END:
		off += io->size;
		break;
	default:
		return AVERROR(EINVAL);
	}
	if (off < 0)
		return AVERROR(EINVAL);
	io->pos = off;
	return off;
}

/* What one decoding shares between its frames. */
struct av_run {
	const char *path;
	analysis_pcm_fn fn;
	void *ctx;
	float *buf;
	size_t cap;
	unsigned rate, channels;
	uint64_t decoded;
	int chained;		/* Ogg: streams may follow the first */
	int ended;		/* the first of chained streams ended */
};

/* Sample i of channel c of frame f as a float in +-1.0, whatever its
 * sample format (planar or interleaved). */
static float sample(const AVFrame *f, unsigned ch, unsigned c, size_t i)
{
	enum AVSampleFormat fmt = f->format;
	int planar = av_sample_fmt_is_planar(fmt);
	const uint8_t *d = f->extended_data[planar ? c : 0];
	size_t k = planar ? i : i * ch + c;

	switch (av_get_packed_sample_fmt(fmt)) {
	case AV_SAMPLE_FMT_U8:
		return (d[k] - 128) / 128.0f;
	case AV_SAMPLE_FMT_S16:
		return ((const int16_t *)d)[k] / 32768.0f;
	case AV_SAMPLE_FMT_S32:
		return ((const int32_t *)d)[k] / 2147483648.0f;
	case AV_SAMPLE_FMT_FLT:
		return ((const float *)d)[k];
	case AV_SAMPLE_FMT_DBL:
		return ((const double *)d)[k];
	default:
		return 0;
	}
}

/* Hand one decoded frame to the callback, interleaved. The first stream
 * of a chained Ogg file is the track (as its tags and length are): a
 * change of format there ends it, not the analysis. */
static int take_frame(struct av_run *r, const AVFrame *f)
{
	unsigned ch = f->ch_layout.nb_channels;
	size_t n = f->nb_samples, need = n * ch;
	struct analysis_pcm pcm;

	if (r->ended)
		return 0;
	if (!r->rate && !r->channels) {
		r->rate = f->sample_rate;
		r->channels = ch;
	}
	if (r->chained && r->decoded && (ch != r->channels ||
					 (unsigned)f->sample_rate != r->rate)) {
		r->ended = 1;
		return 0;
	}
	if (ch != r->channels || (unsigned)f->sample_rate != r->rate ||
	    !r->rate || !ch || ch > ANALYSIS_MAX_CHANNELS)
		return log_error(-EBADMSG, "analysis: %s: frame format differs "
				 "from the stream's", r->path);
	if (need > r->cap) {
		float *nb = realloc(r->buf, need * sizeof(*nb));

		if (!nb)
			return log_error(-ENOMEM, "analysis: %s: no memory",
					 r->path);
		r->buf = nb;
		r->cap = need;
	}
	for (size_t i = 0; i < n; i++)
		for (unsigned c = 0; c < ch; c++)
			r->buf[i * ch + c] = sample(f, ch, c, i);
	r->decoded += n;
	pcm = (struct analysis_pcm){ r->buf, n, r->rate, ch };
	return r->fn(&pcm, r->ctx);
}

/* Send pkt (NULL: the end) and take every frame it gives. */
static int decode_packet(struct av_run *r, AVCodecContext *dec,
			 const AVPacket *pkt, AVFrame *frame)
{
	int rc = avcodec_send_packet(dec, pkt);

	if (rc < 0 && rc != AVERROR_EOF)
		return log_error(-EBADMSG, "analysis: %s: %s", r->path,
				 av_err2str(rc));
	for (;;) {
		rc = avcodec_receive_frame(dec, frame);
		if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
			return 0;
		if (rc < 0)
			return log_error(-EBADMSG, "analysis: %s: %s", r->path,
					 av_err2str(rc));
		rc = take_frame(r, frame);
		av_frame_unref(frame);
		if (rc)
			return rc;
	}
}

/* The audio stream's decoder, opened with one thread: the analyser's
 * confinement allows no new thread. */
static int open_decoder(AVFormatContext *fmt, const char *path, int *idx,
			AVCodecContext **dec)
{
	const AVCodec *codec;
	int rc;

	rc = avformat_find_stream_info(fmt, NULL);
	if (rc >= 0)
		rc = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1,
					 &codec, 0);
	if (rc < 0)
		return log_error(-EBADMSG, "analysis: %s: no audio stream: %s",
				 path, av_err2str(rc));
	*idx = rc;
	*dec = avcodec_alloc_context3(codec);
	if (!*dec)
		return log_error(-ENOMEM, "analysis: %s: no memory", path);
	(*dec)->thread_count = 1;
	rc = avcodec_parameters_to_context(*dec,
					   fmt->streams[*idx]->codecpar);
	if (rc >= 0)
		rc = avcodec_open2(*dec, codec, NULL);
	if (rc < 0)
		return log_error(-EBADMSG, "analysis: %s: %s", path,
				 av_err2str(rc));
	return 0;
}

/* Read the packets of stream idx and decode them to the end. */
static int decode_all(struct av_run *r, AVFormatContext *fmt, int idx,
		      AVCodecContext *dec)
{
	AVPacket *pkt = av_packet_alloc();
	AVFrame *frame = av_frame_alloc();
	int rc = 0, got = 0;

	if (!pkt || !frame)
		rc = log_error(-ENOMEM, "analysis: %s: no memory", r->path);
	while (!rc && !r->ended && (got = av_read_frame(fmt, pkt)) >= 0) {
		if (pkt->stream_index == idx)
			rc = decode_packet(r, dec, pkt, frame);
		av_packet_unref(pkt);
	}
	if (!rc && !r->ended && got != AVERROR_EOF)
		rc = log_error(-EBADMSG, "analysis: %s: %s", r->path,
			       av_err2str(got));
	if (!rc)
		rc = decode_packet(r, dec, NULL, frame);
	if (!rc && !r->decoded)
		rc = log_error(-EBADMSG, "analysis: %s: no audio decoded",
			       r->path);
	av_frame_free(&frame);
	av_packet_free(&pkt);
	return rc;
}

/* FFmpeg reads through our I/O context: a confined analyser may open
 * nothing, and FFmpeg would open the path itself. */
int analysis_decode_av(int fd, const char *path, analysis_pcm_fn fn,
		       void *ctx)
{
	struct av_run r = { .path = path, .fn = fn, .ctx = ctx };
	struct av_io io = { .fd = fd };
	AVFormatContext *fmt = avformat_alloc_context();
	AVCodecContext *dec = NULL;
	AVIOContext *avio = NULL;
	unsigned char *buf = av_malloc(IO_BUF);
	struct stat st;
	int rc, idx = -1;

	av_log_set_level(AV_LOG_QUIET);
	if (fstat(fd, &st))
		return log_error(-errno, "analysis: %s: %s", path,
				 strerror(errno));
	io.size = st.st_size;
	if (fmt && buf)
		avio = avio_alloc_context(buf, IO_BUF, 0, &io, io_read, NULL,
					  io_seek);
	if (!avio) {
		av_free(buf);
		avformat_free_context(fmt);
		return log_error(-ENOMEM, "analysis: %s: no memory", path);
	}
	fmt->pb = avio;
	fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
	rc = avformat_open_input(&fmt, NULL, NULL, NULL);
	if (rc < 0) {
		rc = log_error(-EMEDIUMTYPE, "analysis: %s: not a format "
			       "FFmpeg reads: %s", path, av_err2str(rc));
	} else {
		r.chained = !strcmp(fmt->iformat->name, "ogg");
		rc = open_decoder(fmt, path, &idx, &dec);
		if (!rc)
			rc = decode_all(&r, fmt, idx, dec);
	}
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	av_freep(&avio->buffer);
	avio_context_free(&avio);
	free(r.buf);
	return rc;
}
