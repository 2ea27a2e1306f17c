/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_COMICINFO_H
#define MEDIAMON_COMICINFO_H

/*
 * The ComicInfo.xml reader: what the ComicRack metadata file inside a
 * volume archive says about the series and volume it holds. When it
 * gives both Series and Volume, they win over what names_parse() reads
 * in the file name.
 *
 *	struct comicinfo ci;
 *
 *	if (!comicinfo_read(fd, &ci) && ci.series && ci.volume)
 *		...	the volume is ci.volume of ci.series
 *	comicinfo_release(&ci);
 *
 * Archives are read with libarchive, in the formats comic archives come
 * in and no others: zip (.cbz, .zip, .epub), rar and rar5 (.cbr, .rar),
 * 7z (.cb7, .7z) and plain tar (.cbt). A PDF or anything else is simply
 * "not an archive".
 *
 * The entry is the one named ComicInfo.xml, in any case. One at the top
 * level wins; otherwise one in a folder is taken when it is the only
 * one, as several mean an archive of several volumes, none of which
 * describes the whole; one whose path climbs out of the archive
 * ("../ComicInfo.xml") describes none of it and is not taken either.
 * Entries larger than COMICINFO_MAX_SIZE are not
 * read, nor one behind more than COMICINFO_MAX_SKIP bytes of a solid
 * archive.
 *
 * The XML is parsed with libxml2, without network access, entity
 * expansion or DTD loading; a document with a DOCTYPE is refused, as no
 * tagger writes one and it is where entity attacks live. libxml2's
 * messages are never printed. The root element must be ComicInfo; of
 * its children (names matched in any case, the first of each kept):
 *
 *   Series   the text, trimmed; UTF-8, NULL when absent or blank.
 *   Volume   a plain decimal ("3", "10.5"; the first decimal digit kept)
 *            from 1 to NAMES_MAX_NUMBER; anything else is 0, and so is a
 *            number from 1900 to 2099, which western comics put there
 *            as the year of the run.
 *   Number   the issue or chapter, a plain decimal above 0 and up to
 *            NAMES_MAX_NUMBER, else 0.
 *   Summary, Writer
 *            the text, trimmed, cut to COMICINFO_MAX_TEXT bytes on a
 *            character's start; NULL when absent or blank.
 *   Year, Month, Day
 *            whole numbers (1000 to 2999, 1 to 12, 1 to 31), as issued:
 *            a month without a valid year, or a day without a valid
 *            month, is dropped.
 *
 * The same walk counts the archive's pages and finds the first one's
 * format (pages.h), which the OPDS catalog announces without opening
 * the archive again; an archive that holds no ComicInfo.xml has them
 * too.
 *
 * Safe to call from several threads at once: libxml2 is set up on first
 * use under pthread_once().
 */

struct strbuf;

/* The most bytes of a Summary or Writer kept. */
#define COMICINFO_MAX_TEXT 4096

/* The largest ComicInfo.xml read; a bigger one is "not found". */
#define COMICINFO_MAX_SIZE (1 << 20)

/* The most bytes of other entries unpacked to reach it in a solid 7z or
 * RAR archive, where passing over an entry means unpacking it: a
 * ComicInfo.xml behind more is "not found", and a bomb of zeros costs
 * the scan no more than these bytes' worth of CPU. */
#define COMICINFO_MAX_SKIP (64 << 20)

struct comicinfo {
	char *series;		/* malloc'd; NULL when absent */
	char *summary;		/* malloc'd, up to COMICINFO_MAX_TEXT bytes */
	char *writer;		/* malloc'd, up to COMICINFO_MAX_TEXT bytes */
	/* Year, Month and Day as a date: "2021", "2021-04" or
	 * "2021-04-07"; "" when there is no year */
	char issued[11];
	double volume;		/* 0 when absent or not a volume */
	double number;		/* the issue or chapter; 0 when absent */
	int found;		/* a ComicInfo.xml was found and parsed */
	size_t pages;		/* its pages (pages.h), 0 when none */
	const char *cover;	/* its first page's extension; NULL: none */
	size_t refused;		/* entries refused as pages (pages.h) */
	int too_many;		/* past PAGES_MAX_ENTRIES entries: no pages */
};

/*
 * Read ComicInfo.xml from the archive open at fd, which the caller owns
 * and which is only read with pread(), so its offset does not move.
 * out is filled from scratch. Returns 0 whether a ComicInfo.xml was
 * found or not: a file that is not an archive, no ComicInfo.xml, one too
 * big, encrypted or damaged, and XML that is not well-formed all leave
 * out zeroed, found included (but for the pages). A damaged archive still gives
 * what comes before the damage (a cut .cbz, its ComicInfo.xml when stored
 * first). Returns a negative errno value only when the file cannot be read (an
 * I/O error) or memory runs out; out is then zeroed.
 */
int comicinfo_read(int fd, struct comicinfo *out);

/* Free the texts of ci and zero it. */
void comicinfo_release(struct comicinfo *ci);

/* What the source of a series' count said of it (monitor/series_meta.h),
 * for the ComicInfo.xml of its volumes; each NULL when it said nothing. */
struct comicinfo_said {
	const char *summary;	/* paragraphs apart by blank lines */
	const char *writer;	/* names, ", " between them */
	const char *genre;	/* genres, ", " between them */
	const char *web;	/* the series' page there */
	const char *language;	/* the edition's code ("en") */
};

/*
 * A ComicInfo.xml (schema 2.0) for volumes first to last of series, into
 * out: Series, Title ("Volume 5", "Volumes 5-6"), Number and Volume (the
 * first), then what said gives (Summary, Writer, Genre, Web, LanguageISO;
 * said may be NULL), Manga "Yes"; the text escaped as XML wants, a byte
 * that is not UTF-8 made U+FFFD and a control character a space (but the
 * summary's line ends). Returns 0 or -ENOMEM (logged).
 */
int comicinfo_build(const char *series, double first, double last,
		    const struct comicinfo_said *said, struct strbuf *out);

#endif
