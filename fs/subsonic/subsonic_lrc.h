/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_LRC_H
#define MEDIAMON_SUBSONIC_LRC_H
/*
 * Lyrics text into lines, for getLyricsBySongId (subsonic_lyrics.h): an
 * LRC file's, or lyrics embedded in a tag, which are often LRC too.
 *
 * A line starting with time tags, [mm:ss], [mm:ss.xx] or [mm:ss.xxx]
 * (seconds below 60, minutes up to 9999), is a synced line at each of
 * them ("[00:12.00][01:30.50]chorus" gives two); the ID tags [ar:],
 * [ti:], [la:] and [offset:] (milliseconds, + or -) say the artist, the
 * title, the language and the offset; any other line is an unsynced
 * one, [99:99.99] and what is no tag kept as text. When a line has a
 * time tag, the lyrics are synced: their lines sorted by start (equal
 * starts in the file's order) and the lines without one dropped;
 * otherwise every line is kept in order, without its ID tags. Line
 * breaks are \n, \r\n or \r; a line is cut to SUBSONIC_LRC_LINE_MAX
 * bytes, on a UTF-8 character's boundary, and at most
 * SUBSONIC_LRC_LINES lines are kept, of SUBSONIC_LRC_TEXT_MAX bytes in
 * all (a line's time tags repeat its text). Empty unsynced lines at the start
 * and end are dropped. Text is kept as bytes: the caller makes it
 * UTF-8.
 */
#include <stddef.h>

#define SUBSONIC_LRC_LINE_MAX	4096
#define SUBSONIC_LRC_LINES	10000
#define SUBSONIC_LRC_TEXT_MAX	(2 << 20)

struct subsonic_lrc_line {
	long long start;	/* milliseconds; -1 unsynced */
	char *text;
	size_t seq;		/* its place in the text */
};

struct subsonic_lrc {
	struct subsonic_lrc_line *lines;
	size_t nr, alloc;
	size_t bytes;		/* of the lines' text */
	int synced;
	long long offset;	/* milliseconds, from [offset:] */
	char *artist, *title;	/* from [ar:] and [ti:], or NULL */
	char lang[4];		/* from [la:] when 2 or 3 letters, or "" */
};

/* Parse the len bytes at s into *l (zeroed first): 0 or -ENOMEM. */
int subsonic_lrc_parse(const char *s, size_t len, struct subsonic_lrc *l);

/* Free what l holds and zero it. */
void subsonic_lrc_release(struct subsonic_lrc *l);

#endif
