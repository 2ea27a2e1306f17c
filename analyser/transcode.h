/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TRANSCODE_H
#define MEDIAMON_TRANSCODE_H

/*
 * mediamon-analyse --transcode: one track re-encoded for a player
 * (Subsonic's stream with format and maxBitRate) with FFmpeg's
 * libraries, read from a descriptor the daemon opened as the account,
 * written to another (a pipe the HTTP answer reads). Stereo at most.
 *
 *	format	container	codec
 *	mp3	MPEG audio	libmp3lame, constant bit rate
 *	opus	Ogg		libopus
 *	aac	ADTS		FFmpeg's AAC encoder
 */

/* Whether name is a format transcode_run() makes. */
int transcode_known(const char *name);

/*
 * Decode the file open on in_fd from offset_s seconds on and write it
 * encoded as format at kbps kbit/s to out_fd, to its end. Returns 0, or
 * a negative errno value (logged): -EMEDIUMTYPE for no audio FFmpeg
 * reads, -EPIPE when out_fd's reader went away.
 */
int transcode_run(int in_fd, int out_fd, const char *format, unsigned kbps,
		  unsigned offset_s);

#endif
