/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_ANALYSIS_DECODE_H
#define MEDIAMON_ANALYSIS_DECODE_H

/*
 * Decoding of an audio file (FLAC, MP3, and through analysis_decode_av.h
 * the other formats the scanner reads) into float PCM for the track
 * analysis, streamed: the decoder hands its blocks to a callback one at a
 * time, so memory stays bounded whatever the length of the track.
 *
 *	static int take(const struct analysis_pcm *pcm, void *ctx)
 *	{
 *		...	pcm->frames frames of pcm->channels interleaved samples
 *		return 0;
 *	}
 *	...
 *	int rc = analysis_decode("/music/a.flac", take, &state);
 *
 * The type is told by the content ("fLaC", or an ID3v2 tag or an MPEG
 * audio frame header; "OggS", "ftyp", "wvpk", "MAC ", RIFF/WAVE or
 * FORM/AIFF for FFmpeg), never by the file name.
 */

#include "indexer/analysis/analysis_pcm.h"

/*
 * Decode the file at path from start to end, calling fn with ctx for each
 * block of samples. Returns 0 once the whole stream was decoded; -ENOENT
 * or another -errno when the file cannot be opened or read (-EISDIR for
 * a directory); -EMEDIUMTYPE when it is none of those formats, or not a
 * regular file (a FIFO is never waited on); -EBADMSG when the stream is
 * damaged (a decoder error, fewer samples than its header announces, a
 * change of rate or channels midway, or no audio at all); -ENOMEM; or
 * the first nonzero value fn returned. Failures are logged here, except
 * fn's, which fn logs.
 */
int analysis_decode(const char *path, analysis_pcm_fn fn, void *ctx);

/*
 * The same for the file open on fd at its start (fd stays the caller's);
 * path only names it in messages. The file is never opened by name.
 */
int analysis_decode_fd(int fd, const char *path, analysis_pcm_fn fn,
		       void *ctx);

#endif
