/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The audio formats whose tags are read (tags_formats.h): their
 * extensions, the kinds the store keeps, and their readers. It reads
 * nothing itself.
 */
#include "indexer/library/tags_formats.h"

#include <string.h>
#include <strings.h>

#include "common/bytes.h"

/* The audio formats whose tags are read, by extension: the kind the
 * store keeps of their files, and the reader. */
static const struct audio_format {
	const char *ext;
	const char *kind;
	int (*read)(int fd, struct tags *t);
} audio_formats[] = {
	{ ".flac", "flac", tags_read_flac }, { ".mp3", "mp3", tags_read_mp3 },
	{ ".ogg", "ogg", tags_read_ogg }, { ".oga", "ogg", tags_read_ogg },
	{ ".opus", "ogg", tags_read_ogg }, { ".m4a", "mp4", tags_read_mp4 },
	{ ".m4b", "mp4", tags_read_mp4 }, { ".mp4", "mp4", tags_read_mp4 },
	{ ".wv", "wavpack", tags_read_wavpack },
	{ ".ape", "ape", tags_read_monkeys }, { ".wav", "wav", tags_read_wav },
	{ ".aif", "aiff", tags_read_aiff }, { ".aiff", "aiff", tags_read_aiff },
	{ ".aifc", "aiff", tags_read_aiff },
};

const char *tags_formats_kind(const char *name)
{
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < ARRAY_SIZE(audio_formats); i++)
		if (!strcasecmp(dot, audio_formats[i].ext))
			return audio_formats[i].kind;
	return NULL;
}

int tags_formats_read(int fd, const char *kind, struct tags *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(audio_formats); i++)
		if (!strcmp(audio_formats[i].kind, kind))
			return audio_formats[i].read(fd, t);
	return tags_read_mp3(fd, t);
}
