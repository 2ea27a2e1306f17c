/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_TRANSCODE_H
#define MEDIAMON_SUBSONIC_TRANSCODE_H
/*
 * stream's transcoding (fs/subsonic/subsonic.h): whether a request's
 * format (mp3, opus, aac; raw: the file), maxBitRate (kbit/s; 0 or none:
 * [http] transcode_bitrates' for the client c, else no limit),
 * timeOffset (seconds skipped) and estimateContentLength ask the track
 * re-encoded, and the answer that streams it from a mediamon-analyse
 * child (indexer/analysis/transcode_child.h) through a pipe, waited on
 * by the connection's own thread while empty (a pipe silent 60 s, or a
 * client gone, ends the answer and so the child). The
 * file as it is (ranges kept) when the format and bit rate asked are
 * the file's, or no more than they, with no timeOffset. At most [http]
 * max_transcodes children at once.
 *
 *	rc = subsonic_transcode_plan(c, &t, why, sizeof(why));
 *	0: the file as it is; 1: subsonic_transcode_open(c, path, &t,
 *	&r)
 */
#include <stddef.h>

#include <microhttpd.h>

struct config;

/* What a stream request asks. */
struct subsonic_transcode {
	char format[8];
	unsigned kbps;		/* bit rate asked */
	unsigned offset_s;	/* timeOffset */
	unsigned long long length;	/* Content-Length, 0: unknown */
};

/* Read [http] transcode_formats, transcode_bitrates, max_transcodes and
 * [analysis] user of cfg: 0, or -EINVAL for a transcode_bitrates item
 * that is no CLIENT=KBPS (logged, left out). */
int subsonic_transcode_load(const struct config *cfg);

/* Whether stream hears timeOffset (it transcodes at all). */
int subsonic_transcode_offsets(void);

/*
 * What the stream request on c asks for the song id: 0 the file as it
 * is, 1 a transcoding into *t, a Subsonic code (SUBSONIC_MISSING, or
 * SUBSONIC_NOT_FOUND for a song the caller may not see), or -EINVAL
 * with why (why_len bytes) saying which parameter is wrong.
 */
int subsonic_transcode_plan(struct MHD_Connection *c, const char *id,
			    struct subsonic_transcode *t, char *why,
			    size_t why_len);

/*
 * The answer of t for the library file at the mount path path, opened as
 * the caller this thread holds, into *out (for status 200): 0, -EBUSY
 * when max_transcodes run already, or a negative errno value (-EACCES,
 * -ENOENT...).
 */
int subsonic_transcode_open(struct MHD_Connection *c, const char *path,
			    const struct subsonic_transcode *t,
			    struct MHD_Response **out);

#endif
