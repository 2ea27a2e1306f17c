/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_TAGS_FORMATS_H
#define MEDIAMON_TAGS_FORMATS_H
/*
 * Which tag reader (tags.h) reads a file: by its name's extension, the
 * kind the store keeps of it, and by that kind, its reader. The scanner
 * (scan_read.h) and getLyricsBySongId (fs/subsonic/subsonic_lyrics.h)
 * both pick a reader here.
 */
#include "indexer/library/tags.h"

/* The kind of the audio file named name by its extension, as the store
 * keeps it ("flac", "mp3", "ogg", "mp4", "wavpack", "ape", "wav",
 * "aiff"), or NULL when it is none of them. */
const char *tags_formats_kind(const char *name);

/* Read the tags of fd, a file of kind (tags_formats_kind()), with its
 * reader (tags_read_mp3() for a kind that is none). */
int tags_formats_read(int fd, const char *kind, struct tags *t);

#endif
