/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The cover scaler of mediamon-analyse (scale.h): reading a picture from
 * a descriptor, decoding it under a cap of pixels, scaling it with
 * libswscale and encoding it to another descriptor, one thread. It opens
 * no file, starts no process and knows nothing of HTTP nor of the
 * confinement.
 */
#include "analyser/scale.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "common/fdio.h"
#include "common/log.h"

/* The JPEG answer's quality: FFmpeg's quantiser scale, 2 (best) to 31. */
#define JPEG_QSCALE 3

/* One picture being scaled. */
struct pic {
	uint8_t *data;		/* what was read, padded as FFmpeg wants */
	size_t len;
	enum AVCodecID codec;
	AVFrame *in, *out;
	AVPacket *pkt;
};

/* The codec of the picture by its first bytes, or AV_CODEC_ID_NONE. */
static enum AVCodecID codec_of(const uint8_t *d, size_t n)
{
	if (n >= 3 && !memcmp(d, "\xff\xd8\xff", 3))
		return AV_CODEC_ID_MJPEG;
	if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
		return AV_CODEC_ID_PNG;
	if (n >= 6 && (!memcmp(d, "GIF87a", 6) || !memcmp(d, "GIF89a", 6)))
		return AV_CODEC_ID_GIF;
	if (n >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4))
		return AV_CODEC_ID_WEBP;
	if (n >= 2 && !memcmp(d, "BM", 2))
		return AV_CODEC_ID_BMP;
	return AV_CODEC_ID_NONE;
}

/* Read in_fd to its end into p->data: 0, -EFBIG past SCALE_MAX_INPUT, or
 * -errno. */
static int read_input(int in_fd, struct pic *p)
{
	size_t size = 0;
	uint8_t *more;
	ssize_t got;

	do {
		if (p->len == size) {
			size = size ? size * 2 : 1 << 16;
			if (size > SCALE_MAX_INPUT)
				size = SCALE_MAX_INPUT + 1;
			more = av_realloc(p->data, size +
					  AV_INPUT_BUFFER_PADDING_SIZE);
			if (!more)
				return -ENOMEM;
			p->data = more;
		}
		got = read(in_fd, p->data + p->len, size - p->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		p->len += got;
		if (p->len > SCALE_MAX_INPUT)
			return -EFBIG;
	} while (got > 0);
	memset(p->data + p->len, 0, AV_INPUT_BUFFER_PADDING_SIZE);
	return 0;
}

/* Decode p's picture into p->in, refusing more than max_pixels. */
static int decode_picture(struct pic *p, unsigned max_pixels)
{
	const AVCodec *codec = avcodec_find_decoder(p->codec);
	AVCodecContext *dec = codec ? avcodec_alloc_context3(codec) : NULL;
	int rc;

	if (!dec)
		return -EMEDIUMTYPE;
	dec->thread_count = 1;
	dec->max_pixels = max_pixels;
	p->pkt->data = p->data;
	p->pkt->size = (int)p->len;
	rc = avcodec_open2(dec, codec, NULL);
	if (rc >= 0)
		rc = avcodec_send_packet(dec, p->pkt);
	if (rc >= 0)
		rc = avcodec_send_packet(dec, NULL);
	if (rc >= 0 || rc == AVERROR_EOF)
		rc = avcodec_receive_frame(dec, p->in);
	avcodec_free_context(&dec);
	p->pkt->data = NULL;
	p->pkt->size = 0;
	if (rc < 0 || p->in->width <= 0 || p->in->height <= 0 ||
	    (uint64_t)p->in->width * p->in->height > max_pixels)
		return -EMEDIUMTYPE;
	return 0;
}

/* Whether the decoded picture has a pixel not quite opaque to keep: a
 * PNG's alpha channel, or its palette's. */
static int has_alpha(const struct pic *p)
{
	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(p->in->format);
	const uint32_t *palette = (const uint32_t *)p->in->data[1];

	if (p->codec != AV_CODEC_ID_PNG || !d)
		return 0;
	if (d->flags & AV_PIX_FMT_FLAG_ALPHA)
		return 1;
	if (p->in->format != AV_PIX_FMT_PAL8 || !palette)
		return 0;
	for (int i = 0; i < 256; i++)
		if (palette[i] >> 24 != 0xff)
			return 1;
	return 0;
}

/* p->in scaled into p->out, w x h of format fmt. */
static int scale_frame(struct pic *p, int w, int h, enum AVPixelFormat fmt)
{
	struct SwsContext *sws;
	int rc;

	p->out->width = w;
	p->out->height = h;
	p->out->format = fmt;
	p->out->color_range = AVCOL_RANGE_JPEG;
	if (av_frame_get_buffer(p->out, 0) < 0)
		return -ENOMEM;
	sws = sws_getContext(p->in->width, p->in->height, p->in->format, w, h,
			     fmt, SWS_AREA, NULL, NULL, NULL);
	if (!sws)
		return -EMEDIUMTYPE;
	rc = sws_scale(sws, (const uint8_t *const *)p->in->data,
		       p->in->linesize, 0, p->in->height, p->out->data,
		       p->out->linesize);
	sws_freeContext(sws);
	return rc == h ? 0 : -EMEDIUMTYPE;
}

/* Encode p->out as a JPEG, or a PNG (png), and write it to out_fd. */
static int encode_picture(struct pic *p, int png, int out_fd)
{
	const AVCodec *codec = avcodec_find_encoder(png ? AV_CODEC_ID_PNG :
						    AV_CODEC_ID_MJPEG);
	AVCodecContext *enc = codec ? avcodec_alloc_context3(codec) : NULL;
	int rc;

	if (!enc)
		return -ENOSYS;
	enc->width = p->out->width;
	enc->height = p->out->height;
	enc->pix_fmt = p->out->format;
	enc->color_range = AVCOL_RANGE_JPEG;
	enc->time_base = (AVRational){ 1, 1 };
	enc->thread_count = 1;
	if (!png) {
		enc->flags |= AV_CODEC_FLAG_QSCALE;
		enc->global_quality = FF_QP2LAMBDA * JPEG_QSCALE;
		p->out->quality = enc->global_quality;
	}
	rc = avcodec_open2(enc, codec, NULL);
	if (rc >= 0)
		rc = avcodec_send_frame(enc, p->out);
	if (rc >= 0)
		rc = avcodec_send_frame(enc, NULL);
	if (rc >= 0)
		rc = avcodec_receive_packet(enc, p->pkt);
	avcodec_free_context(&enc);
	if (rc < 0)
		return -EIO;
	return fdio_write_all(out_fd, p->pkt->data, p->pkt->size);
}

/* The picture of p made to fit size x size, to out_fd. */
static int scale_pic(struct pic *p, int out_fd, unsigned size,
		     unsigned max_pixels)
{
	int w, h, rc, png;

	rc = decode_picture(p, max_pixels);
	if (rc)
		return rc;
	w = p->in->width;
	h = p->in->height;
	if ((unsigned)w <= size && (unsigned)h <= size)
		return fdio_write_all(out_fd, p->data, p->len);
	if (w >= h) {
		h = (int)(((uint64_t)h * size + w / 2) / w);
		w = (int)size;
	} else {
		w = (int)(((uint64_t)w * size + h / 2) / h);
		h = (int)size;
	}
	png = has_alpha(p);
	rc = scale_frame(p, w ? w : 1, h ? h : 1, png ? AV_PIX_FMT_RGBA :
		   AV_PIX_FMT_YUVJ420P);
	return rc ? rc : encode_picture(p, png, out_fd);
}

int scale_run(int in_fd, int out_fd, unsigned size, unsigned max_pixels)
{
	struct pic p = { .in = av_frame_alloc(), .out = av_frame_alloc(),
			 .pkt = av_packet_alloc() };
	int rc = p.in && p.out && p.pkt ? 0 : -ENOMEM;

	av_log_set_level(AV_LOG_QUIET);
	if (!rc)
		rc = read_input(in_fd, &p);
	if (!rc) {
		p.codec = codec_of(p.data, p.len);
		rc = p.codec == AV_CODEC_ID_NONE ? -EMEDIUMTYPE : 0;
	}
	if (!rc)
		rc = scale_pic(&p, out_fd, size, max_pixels);
	av_free(p.data);
	av_frame_free(&p.in);
	av_frame_free(&p.out);
	av_packet_free(&p.pkt);
	if (rc)
		log_warn("mediamon-analyse: cover not scaled: %s",
			 rc == -EMEDIUMTYPE ? "no picture read, or one of "
			 "more pixels than allowed" : strerror(-rc));
	return rc;
}
