/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_NAMES_H
#define MEDIAMON_NAMES_H

/*
 * The manga volume-name parser: what a file or folder name, or a search
 * result's title, says about the volume it holds. It is the one place
 * that knows how volumes are named, for the scanner and for search.
 *
 *	struct names_result r = NAMES_RESULT_INIT;
 *
 *	if (!names_parse("Mob Psycho 100 T05.cbz", "Mob Psycho 100", &r) &&
 *	    r.kind == NAMES_VOLUME)
 *		...	r.first == r.last == 5
 *	names_release(&r);
 *
 * The series name (the series folder's name) is found in the name
 * loosely, as names_same_series() compares, and its numbers never count:
 * "Eyeshield 21 v12" is volume 12, "Mob Psycho 100" alone is nothing.
 *
 * Volume markers: "T05", "T.05", "T 5", "Tome 3", "Vol. 10", "Volume 7",
 * "v12", "Intégrale 2", "Band 4", "Book 3", "Disc 2", "LN01" (a light
 * novel's), "#05", "# 1/2" or "#½" (a half); in other scripts "1巻",
 * "第03卷", "卷2", "第1册", "7.5권", "Том 1", "เล่ม 1", "เล่มที่ 5" (a
 * number glued to a CJK or Thai word is read apart from it). Seasons of
 * webtoons ("S01", "Season 2", "시즌34") stand for volumes; a number
 * after a season is its episode, a chapter ("Tower of God S01 014").
 * Ranges: "Tomes 1-3", "v01-03", "T01-T03", "Tomes 1 à 3", "Vol 1 to 3",
 * "Tomes 1 & 2", "1-3巻", "Тома 1-4"; chained, "v01-02-03" is 1-3. A
 * hyphen with spaces around it ("T01 - T03") only makes a range when the
 * marker is plural or repeated, since " - " usually separates a title;
 * an en or em dash, "&", "to" or "à" with spaces around it also does
 * when the range ends the name ("Book 1 – 3 (2019-2020)"). Decimals
 * keep one digit ("Vol 10.5" is 10.5, a volume of its own). Chapters:
 * "Chapter 150", "Ch.150", "Chp. 1", "Chapitre 12", "c150", "chs 01-02",
 * "Chaps 3-4", "Episode 406", "第25話", "106화", "13회", "13장", "Глава 3",
 * "2 Глава", "ตอนที่ 3", "บทที่ 112". Specials: "Hors-Série", "HS", "SP02",
 * "Special", "Extra", "Omake", "Artbook", "Fanbook", "Guide", "Databook". A
 * scan's revision after a number is dropped ("Chapter11v2", "Ch.5v.2" are
 * chapters 11 and 5). Markers glue to their numbers in every script ("LN01-02",
 * "Discs01-02", "Tome2", "Тома1-2"), and a chapter's to its volume's: "v2c6",
 * "T02ch06", "Vol.2Ch.6" are chapter 6 of volume 2.
 *
 * A number with no marker (a bare number) is the volume only when the
 * parser is sure of it: it is the one number of the name and, when the
 * series was found in the name, nothing but separators stands between
 * the series and it ("Berserk - 41 - La Marque" is 41, "Kaiju No. 8 036"
 * in "Kaiju No. 8" 36; "Berserk Part 2" and "Berserk 12 13" are
 * nothing). Alone, with no series known or found, two numbers are two
 * readings and give none ("Dorohedoro 2 05", reason "two numbers, no
 * marker"). With the series known (in its folder, or a release matched
 * against it), the first of several numbers is the volume when it alone
 * stands right after the series and words, or more than blanks, part it
 * from the others, which are its title ("Michel Vaillant 13 Mach 1 voor
 * Steve Warson" is 13, "Blacksad 6.1 - They All Fall Down Part 1" 6.1,
 * "Lucky Luke 3 - 2 Coeurs" 3); it is also a chapter's volume ("Berserk
 * 2 Chapter 13"). A number glued to a word that is no
 * marker ("2년") is never a volume; one glued to an apostrophe or by a
 * dash to a word ("Batman '89", "IG-88"), unless that word ends the
 * series, or with two decimals ("8.54"), is the title's. Otherwise the
 * name gives no volume, and reason says why, so that the file can be
 * listed for renaming.
 *
 * Ignored: a lone number or range from 1900 to 2099 (a year), dates and
 * times ("02-2005", "2021-08-04", "2009-11-00", "2005.03", "04.02.2005",
 * "00:00", a day or a year next to an English or French month's name:
 * "15 mars 2006", "March 5, 1999"), read as if they were not there
 * ("Strange Tales 2009-11-04 12" is 12) and cut from the end of the
 * title, the end of a range when it is a year ("Tomes
 * 1-2005" is 1), the extension when it is a volume file's, and what
 * stands in (), [], {} or 【】 ("(2023)", "[Digital]", "(Ch. 15-21)"),
 * unless the name holds no marker and no number outside them: then "#"
 * and the volume and chapter markers of two letters or more inside them
 * count ("Tonikaku Cawaii [Volume 11]", "X-Men, 2021-08-04 (#02)"). "Vol.tbd"
 * ends the title without giving a number. Invalid UTF-8 bytes count as
 * separators.
 */

#include "common/strbuf.h"

/* The largest volume or chapter number believed; above it, nothing is. */
#define NAMES_MAX_NUMBER 9999

enum names_kind {
	NAMES_NONE,	/* no number, or one beyond NAMES_MAX_NUMBER */
	NAMES_VOLUME,
	NAMES_CHAPTER,	/* never fills or opens a gap in volumes */
	NAMES_SPECIAL,	/* neither; first is its number, else 0 */
};

struct names_result {
	enum names_kind kind;
	/* The volume or chapter number, or the range first..last (every
	 * whole volume in it counts); first == last when single, both 0
	 * for NAMES_NONE. */
	double first, last;
	int is_range;		/* last > first */
	/* The title in front of the first marker, normalized: "one piece"
	 * for "One Piece T105 FRENCH CBZ-TEAM", "" for "Tome 05". */
	struct strbuf series;
	/* The volume the name gives, whatever its kind: a chapter's or a
	 * special's own volume ("Vol.03 Ch.015" is chapter 15 of volume
	 * 3), first..last for NAMES_VOLUME; has_volume 0 and both 0 when
	 * the name gives none. */
	int has_volume;
	double volume_first, volume_last;
	/* For NAMES_NONE, why the name gives no volume, in a few words
	 * ("several numbers, none marked"); NULL otherwise. */
	const char *reason;
};

#define NAMES_RESULT_INIT { NAMES_NONE, 0, 0, 0, STRBUF_INIT, 0, 0, 0, NULL }

/*
 * Parse a volume file's or folder's name (its extension is dropped when
 * names_is_volume_file() says so), knowing its series name, which may be
 * NULL (search results). out must have been initialized with
 * NAMES_RESULT_INIT and can be reused from one name to the next. Returns
 * 0, or -EINVAL for a NULL or empty name (out then says NAMES_NONE).
 * Specials win over chapters and chapters over volumes ("Vol.03 Ch.015"
 * is chapter 15, and has_volume says volume 3); a special without its
 * own number takes the volume's, or the bare number the parser is sure
 * of ("Wonder Woman 001 Special Edition" is special 1).
 */
int names_parse(const char *name, const char *series,
		struct names_result *out);

/* Free out's series and make it NAMES_RESULT_INIT again. */
void names_release(struct names_result *out);

/*
 * Whether a release's title offers volumes of series: it parses (knowing
 * series) as a volume or a range of volumes, and its title part is
 * series as names_same_series() compares ("The Legend of Kamui v01-02"
 * for "Legend of Kamui"), so that chapters, specials, "Side Story" and
 * other series whose names hold this one never match. out is as for
 * names_parse() and says which volumes. Returns 1 or 0.
 */
int names_match_release(const char *title, const char *series,
			struct names_result *out);

/*
 * Set out to s made fit for loose comparison: lowercase (Cyrillic too),
 * accents of the Latin-1 Supplement and Latin Extended-A folded (é to e,
 * œ to oe, ß to ss; combining accents dropped), fullwidth forms made
 * ASCII, bracketed groups dropped, runs of punctuation, spaces and
 * invalid bytes made one space, trimmed. Other scripts are kept as they
 * are. A NULL s gives "".
 */
void names_normalize(const char *s, struct strbuf *out);

/*
 * The length of s without the bracketed groups that end it and the
 * spaces before them: "Dune (2020)" is "Dune", the words a search for
 * the series asks for (names_same_series() drops the groups too). All
 * of s when it is nothing else, or ends in an unclosed group.
 */
size_t names_title_len(const char *s);

/*
 * Whether a and b name the same series once normalized, spaces aside
 * ("Dr. Stone", "DrStone"), a leading article aside ("The", "A", "An",
 * "Le", "La", "Les", "L'", "Der", "Die", "Das") and long vowels spelled
 * either way ("Shōnen", "Shounen", "Shonen"; "Yūsha", "Yuusha"). An
 * empty name matches nothing.
 */
int names_same_series(const char *a, const char *b);

/*
 * Where the normalized title s starts once its leading article is
 * skipped ("legend of kamui" in "the legend of kamui"), or s itself when
 * it has none or is nothing else, so that a search finds titles with
 * and without it.
 */
const char *names_skip_article(const char *s);

/* Whether filename ends in a volume file's extension (.cbz, .cbr, .cb7,
 * .cbt, .zip, .rar, .7z, .pdf, .epub), in any case. */
int names_is_volume_file(const char *filename);

#endif
