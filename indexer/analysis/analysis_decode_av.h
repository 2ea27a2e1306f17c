/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ANALYSIS_DECODE_AV_H
#define MEDIAMON_ANALYSIS_DECODE_AV_H

/*
 * Decoding of the formats FLAC's and MP3's own decoders do not read (Ogg
 * Vorbis and Opus, MP4 AAC and ALAC, WavPack, Monkey's Audio, WAV,
 * AIFF) with FFmpeg's libavformat and libavcodec, for analysis_decode()
 * (which calls it; fn is given the blocks of analysis_pcm.h). The
 * file is read through its descriptor only, on one thread, so that it
 * runs inside the analyser's confinement.
 */

#include "indexer/analysis/analysis_pcm.h"

/*
 * Decode the file open on fd (path only names it in messages). Returns 0
 * once the whole stream was decoded (of a chained Ogg file, its first
 * stream: up to the first change of rate or channels); -EMEDIUMTYPE when FFmpeg
 * knows no format in it; -EBADMSG when it holds no audio stream, a decoder
 * error stops it, its rate or channels change midway, or no sample came out;
 * -ENOMEM; or the first nonzero value fn returned. Failures are logged
 * here, except fn's.
 */
int analysis_decode_av(int fd, const char *path, analysis_pcm_fn fn,
		       void *ctx);

#endif
