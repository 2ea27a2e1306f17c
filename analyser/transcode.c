/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The transcoder of mediamon-analyse (transcode.h): demuxing and decoding
 * a descriptor, resampling to what the encoder takes, encoding and
 * muxing to another descriptor, one thread. It opens no file, starts no
 * process and knows nothing of HTTP nor of the confinement.
 */
#include "analyser/transcode.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/avutil.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>

#include "common/log.h"

#define IO_BUF 65536

/* share: the part of the bit rate asked that the codec is given, the
 * rest left to the container's headers (Ogg pages, ADTS frames), so
 * that the stream as sent stays within it; MP3's frames carry their
 * headers within their constant rate. */
static const struct {
	const char *name, *encoder, *muxer;
	double share;
} formats[] = {
	{ "mp3", "libmp3lame", "mp3", 1.0 },
	{ "opus", "libopus", "ogg", 0.96 },
	{ "aac", "aac", "adts", 0.96 },
};

/* One transcoding: the input's and output's contexts, between them. */
struct tc {
	AVFormatContext *in, *out;
	AVCodecContext *dec, *enc;
	SwrContext *swr;
	AVAudioFifo *fifo;
	AVFrame *frame;
	AVPacket *pkt;
	int idx;		/* the input's audio stream */
	int64_t skip_pts;	/* frames ending before it are dropped */
	int64_t next_pts;	/* of the next encoded frame, in samples */
	int in_fd, out_fd;
};

int transcode_known(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(*formats); i++)
		if (!strcmp(formats[i].name, name))
			return 1;
	return 0;
}

/* The input as it comes, by read and lseek of the descriptor. */
static int in_read(void *opaque, uint8_t *buf, int n)
{
	ssize_t got;

	do
		got = read(((struct tc *)opaque)->in_fd, buf, n);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return AVERROR(errno);
	return got ? (int)got : AVERROR_EOF;
}

static int64_t in_seek(void *opaque, int64_t off, int whence)
{
	int fd = ((struct tc *)opaque)->in_fd;
	off_t cur, end;

	if (whence & AVSEEK_SIZE) {
		cur = lseek(fd, 0, SEEK_CUR);
		end = lseek(fd, 0, SEEK_END);
		if (cur < 0 || end < 0 || lseek(fd, cur, SEEK_SET) < 0)
			return AVERROR(errno);
		return end;
	}
	cur = lseek(fd, off, whence & ~AVSEEK_FORCE);
	return cur < 0 ? AVERROR(errno) : cur;
}

/* The output, written whole to the descriptor (a pipe: no seek). */
static int out_write(void *opaque, uint8_t *buf, int n)
{
	int fd = ((struct tc *)opaque)->out_fd;
	ssize_t put;

	for (int done = 0; done < n; done += put) {
		put = write(fd, buf + done, n - done);
		if (put < 0 && errno == EINTR)
			put = 0;
		else if (put < 0)
			return AVERROR(errno);
	}
	return n;
}

/* An I/O context over t's descriptors, reading or writing. */
static AVIOContext *io_new(struct tc *t, int writing)
{
	unsigned char *buf = av_malloc(IO_BUF);
	AVIOContext *io;

	if (!buf)
		return NULL;
	io = avio_alloc_context(buf, IO_BUF, writing, t,
				writing ? NULL : in_read,
				writing ? out_write : NULL,
				writing ? NULL : in_seek);
	if (!io)
		av_free(buf);
	else if (writing)
		io->seekable = 0;
	return io;
}

/* The input's demuxer and its audio stream's decoder (one thread: the
 * confinement allows no other), sought to offset_s. */
static int open_input(struct tc *t, unsigned offset_s)
{
	const AVCodec *codec;
	AVStream *s;
	int rc;

	t->in = avformat_alloc_context();
	if (!t->in || !(t->in->pb = io_new(t, 0)))
		return -ENOMEM;
	t->in->flags |= AVFMT_FLAG_CUSTOM_IO;
	rc = avformat_open_input(&t->in, NULL, NULL, NULL);
	if (rc >= 0)
		rc = avformat_find_stream_info(t->in, NULL);
	if (rc >= 0)
		rc = av_find_best_stream(t->in, AVMEDIA_TYPE_AUDIO, -1, -1,
					 &codec, 0);
	if (rc < 0)
		return log_error(-EMEDIUMTYPE, "transcode: no audio stream: "
				 "%s", av_err2str(rc));
	t->idx = rc;
	s = t->in->streams[rc];
	t->dec = avcodec_alloc_context3(codec);
	if (!t->dec)
		return -ENOMEM;
	t->dec->thread_count = 1;
	rc = avcodec_parameters_to_context(t->dec, s->codecpar);
	if (rc >= 0)
		rc = avcodec_open2(t->dec, codec, NULL);
	if (rc < 0)
		return log_error(-EMEDIUMTYPE, "transcode: no decoder: %s",
				 av_err2str(rc));
	if (!offset_s)
		return 0;
	t->skip_pts = av_rescale_q((int64_t)offset_s * AV_TIME_BASE,
				   AV_TIME_BASE_Q, s->time_base);
	if (s->start_time != AV_NOPTS_VALUE)
		t->skip_pts += s->start_time;
	rc = av_seek_frame(t->in, t->idx, t->skip_pts, AVSEEK_FLAG_BACKWARD);
	if (rc < 0)
		log_info("transcode: cannot seek (%s): decoding from the start",
			 av_err2str(rc));
	return 0;
}

/* The encoder's sample rate: the input's when it takes it, else the
 * highest it takes up to 48 kHz. */
static int pick_rate(const AVCodec *codec, int want)
{
	const int *r = codec->supported_samplerates;
	int best = 0;

	if (!r)
		return want;
	for (; *r; r++) {
		if (*r == want)
			return want;
		if (*r <= 48000 && *r > best)
			best = *r;
	}
	return best ? best : 44100;
}

/* The format's encoder at kbps with at most two channels, its muxer on
 * out_fd and the header written. */
static int open_output(struct tc *t, size_t f, unsigned kbps)
{
	const AVCodec *codec = avcodec_find_encoder_by_name(
		formats[f].encoder);
	int ch = t->dec->ch_layout.nb_channels > 1 ? 2 : 1;
	AVStream *s;
	int rc;

	if (!codec)
		return log_error(-ENOSYS, "transcode: no encoder %s",
				 formats[f].encoder);
	rc = avformat_alloc_output_context2(&t->out, NULL, formats[f].muxer,
					    NULL);
	t->enc = avcodec_alloc_context3(codec);
	if (rc < 0 || !t->enc || !(t->out->pb = io_new(t, 1)))
		return -ENOMEM;
	t->out->flags |= AVFMT_FLAG_CUSTOM_IO;
	av_channel_layout_default(&t->enc->ch_layout, ch);
	t->enc->sample_rate = pick_rate(codec, t->dec->sample_rate);
	t->enc->sample_fmt = codec->sample_fmts ? codec->sample_fmts[0] :
			     AV_SAMPLE_FMT_FLTP;
	t->enc->bit_rate = (int64_t)(kbps * 1000 * formats[f].share);
	/* Opus's rate held, not only on average */
	av_opt_set(t->enc->priv_data, "vbr", "constrained", 0);
	t->enc->time_base = (AVRational){ 1, t->enc->sample_rate };
	t->enc->thread_count = 1;
	if (t->out->oformat->flags & AVFMT_GLOBALHEADER)
		t->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	rc = avcodec_open2(t->enc, codec, NULL);
	s = rc < 0 ? NULL : avformat_new_stream(t->out, NULL);
	if (s) {
		s->time_base = t->enc->time_base;
		rc = avcodec_parameters_from_context(s->codecpar, t->enc);
	}
	if (s && rc >= 0)
		rc = avformat_write_header(t->out, NULL);
	if (!s || rc < 0)
		return log_error(-EINVAL, "transcode: cannot encode %s at %u "
				 "kbit/s: %s", formats[f].name, kbps,
				 s ? av_err2str(rc) : "no stream");
	return 0;
}

/* The resampler from the decoder's samples to the encoder's, and the
 * queue that cuts them into the encoder's frames. */
static int open_convert(struct tc *t)
{
	AVChannelLayout in;
	int rc;

	if (t->dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
		av_channel_layout_default(&in, t->dec->ch_layout.nb_channels);
	else if (av_channel_layout_copy(&in, &t->dec->ch_layout))
		return -ENOMEM;
	rc = swr_alloc_set_opts2(&t->swr, &t->enc->ch_layout,
				 t->enc->sample_fmt, t->enc->sample_rate,
				 &in, t->dec->sample_fmt,
				 t->dec->sample_rate, 0, NULL);
	av_channel_layout_uninit(&in);
	if (rc >= 0)
		rc = swr_init(t->swr);
	if (rc < 0)
		return log_error(-EINVAL, "transcode: no resampler: %s",
				 av_err2str(rc));
	t->fifo = av_audio_fifo_alloc(t->enc->sample_fmt,
				      t->enc->ch_layout.nb_channels,
				      t->enc->frame_size > 0 ?
				      t->enc->frame_size : 1152);
	t->frame = av_frame_alloc();
	t->pkt = av_packet_alloc();
	return t->fifo && t->frame && t->pkt ? 0 : -ENOMEM;
}

/* Send frame (NULL: the end) to the encoder and mux what it gives. */
static int encode(struct tc *t, AVFrame *frame)
{
	int rc = avcodec_send_frame(t->enc, frame);

	while (rc >= 0) {
		rc = avcodec_receive_packet(t->enc, t->pkt);
		if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
			return 0;
		if (rc < 0)
			break;
		t->pkt->stream_index = 0;
		av_packet_rescale_ts(t->pkt, t->enc->time_base,
				     t->out->streams[0]->time_base);
		rc = av_interleaved_write_frame(t->out, t->pkt);
	}
	if (rc == AVERROR(EPIPE))
		return -EPIPE;
	return log_error(-EIO, "transcode: encoding: %s", av_err2str(rc));
}

/* Encode the queue's samples a frame at a time; all of them at the
 * end (the last frame shorter). */
static int drain_fifo(struct tc *t, int end)
{
	int size = t->enc->frame_size > 0 ? t->enc->frame_size : 1152;
	int n, rc = 0;
	AVFrame *f;

	while (!rc && (n = av_audio_fifo_size(t->fifo)) >= (end ? 1 : size)) {
		f = av_frame_alloc();
		if (!f)
			return -ENOMEM;
		f->nb_samples = n < size ? n : size;
		f->format = t->enc->sample_fmt;
		f->sample_rate = t->enc->sample_rate;
		rc = av_channel_layout_copy(&f->ch_layout, &t->enc->ch_layout);
		if (!rc)
			rc = av_frame_get_buffer(f, 0) < 0 ? -ENOMEM : 0;
		if (!rc && av_audio_fifo_read(t->fifo, (void **)f->data,
					      f->nb_samples) < f->nb_samples)
			rc = -EIO;
		if (!rc) {
			f->pts = t->next_pts;
			t->next_pts += f->nb_samples;
			rc = encode(t, f);
		}
		av_frame_free(&f);
	}
	return rc;
}

/* Resample frame (NULL: what the resampler holds) into the queue. */
static int convert(struct tc *t, const AVFrame *frame)
{
	int room = swr_get_out_samples(t->swr, frame ? frame->nb_samples :
				       0);
	uint8_t **out = NULL;
	int n;

	if (room <= 0)
		return 0;
	if (av_samples_alloc_array_and_samples(&out, NULL,
					       t->enc->ch_layout.nb_channels,
					       room, t->enc->sample_fmt,
					       0) < 0)
		return -ENOMEM;
	n = swr_convert(t->swr, out, room,
			frame ? (const uint8_t **)frame->extended_data : NULL,
			frame ? frame->nb_samples : 0);
	if (n > 0 && av_audio_fifo_write(t->fifo, (void **)out, n) < n)
		n = AVERROR(ENOMEM);
	av_freep(&out[0]);
	av_freep(&out);
	return n < 0 ? -ENOMEM : 0;
}

/* Whether frame ends before the offset asked. */
static int before_offset(const struct tc *t, const AVFrame *frame)
{
	AVRational tb = t->in->streams[t->idx]->time_base;
	int64_t len;

	if (!t->skip_pts || frame->pts == AV_NOPTS_VALUE)
		return 0;
	len = av_rescale_q(frame->nb_samples,
			   (AVRational){ 1, frame->sample_rate }, tb);
	return frame->pts + len <= t->skip_pts;
}

/* Decode pkt (NULL: the end) and pass its frames on. */
static int decode_packet_in(struct tc *t, const AVPacket *pkt)
{
	int rc = avcodec_send_packet(t->dec, pkt);

	if (rc < 0 && rc != AVERROR_EOF)
		return 0;	/* a damaged packet: the next may do */
	for (;;) {
		rc = avcodec_receive_frame(t->dec, t->frame);
		if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
			return 0;
		if (rc < 0)
			return log_error(-EBADMSG, "transcode: decoding: %s",
					 av_err2str(rc));
		rc = before_offset(t, t->frame) ? 0 : convert(t, t->frame);
		av_frame_unref(t->frame);
		if (!rc)
			rc = drain_fifo(t, 0);
		if (rc)
			return rc;
	}
}

/* The whole input through, then what every stage holds, the trailer. */
static int pump(struct tc *t)
{
	AVPacket *in = av_packet_alloc();
	int rc = in ? 0 : -ENOMEM, got = 0;

	while (!rc && (got = av_read_frame(t->in, in)) >= 0) {
		if (in->stream_index == t->idx)
			rc = decode_packet_in(t, in);
		av_packet_unref(in);
	}
	av_packet_free(&in);
	if (!rc)
		rc = decode_packet_in(t, NULL);
	if (!rc)
		rc = convert(t, NULL);
	if (!rc)
		rc = drain_fifo(t, 1);
	if (!rc)
		rc = encode(t, NULL);
	if (!rc && av_write_trailer(t->out) < 0)
		rc = -EIO;
	if (!rc)
		avio_flush(t->out->pb);
	return rc;
}

/* Free what t holds, the I/O contexts' buffers too. */
static void release_contexts(struct tc *t)
{
	AVIOContext *in = t->in ? t->in->pb : NULL;

	if (t->out && t->out->pb) {
		av_freep(&t->out->pb->buffer);
		avio_context_free(&t->out->pb);
	}
	avformat_free_context(t->out);
	avformat_close_input(&t->in);
	if (in) {
		av_freep(&in->buffer);
		avio_context_free(&in);
	}
	avcodec_free_context(&t->dec);
	avcodec_free_context(&t->enc);
	swr_free(&t->swr);
	if (t->fifo)
		av_audio_fifo_free(t->fifo);
	av_frame_free(&t->frame);
	av_packet_free(&t->pkt);
}

int transcode_run(int in_fd, int out_fd, const char *format, unsigned kbps,
		  unsigned offset_s)
{
	struct tc t = { .in_fd = in_fd, .out_fd = out_fd };
	size_t f;
	int rc;

	for (f = 0; f < sizeof(formats) / sizeof(*formats); f++)
		if (!strcmp(formats[f].name, format))
			break;
	if (f == sizeof(formats) / sizeof(*formats))
		return log_error(-EINVAL, "transcode: no format %s", format);
	av_log_set_level(AV_LOG_QUIET);
	rc = open_input(&t, offset_s);
	if (!rc)
		rc = open_output(&t, f, kbps);
	if (!rc)
		rc = open_convert(&t);
	if (!rc)
		rc = pump(&t);
	release_contexts(&t);
	if (rc == -ENOMEM)
		log_error(rc, "transcode: no memory");
	return rc;
}
