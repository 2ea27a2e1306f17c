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
 * loosely, as names_normalize() compares, and its numbers never count:
 * "Eyeshield 21 v12" is volume 12, "Mob Psycho 100" alone is nothing.
 *
 * Volume markers: "T05", "T.05", "T 5", "Tome 3", "Vol. 10", "Volume 7",
 * "v12", "Intégrale 2", "#05", else the last number standing alone
 * ("Billy Bat 12"). Ranges: "Tomes 1-3", "v01-03", "T01-T03", "Tomes 1 à
 * 3"; a dash with spaces around it ("T01 - T03") only makes a range when
 * the marker is plural or repeated, since " - " usually separates a
 * title. Decimals keep one digit ("Vol 10.5" is 10.5, a volume of its
 * own). Chapters: "Chapter 150", "Ch.150", "Chapitre 12", "c150".
 * Specials: "Hors-Série", "HS", "Special", "Extra", "Omake", "Artbook",
 * "Fanbook", "Guide", "Databook".
 *
 * Ignored: anything in (), [] or {} ("(2023)", "[Digital]", "(Ch.
 * 15-21)"), a lone number from 1900 to 2099 (a year), and the extension
 * when it is a volume file's. Invalid UTF-8 bytes count as separators.
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
};

#define NAMES_RESULT_INIT { NAMES_NONE, 0, 0, 0, STRBUF_INIT }

/*
 * Parse a volume file's or folder's name (its extension is dropped when
 * names_is_volume_file() says so), knowing its series name, which may be
 * NULL (search results). out must have been initialized with
 * NAMES_RESULT_INIT and can be reused from one name to the next. Returns
 * 0, or -EINVAL for a NULL or empty name (out then says NAMES_NONE).
 * Specials win over chapters and chapters over volumes ("Vol.03 Ch.015"
 * is chapter 15); a special without its own number takes the volume's.
 */
int names_parse(const char *name, const char *series,
		struct names_result *out);

/* Free out's series and make it NAMES_RESULT_INIT again. */
void names_release(struct names_result *out);

/*
 * Set out to s made fit for loose comparison: lowercase, accents of the
 * Latin-1 Supplement and Latin Extended-A folded (é to e, œ to oe, ß to
 * ss; combining accents dropped), bracketed groups dropped, runs of
 * punctuation, spaces and invalid bytes made one space, trimmed. Other
 * scripts are kept as they are. A NULL s gives "".
 */
void names_normalize(const char *s, struct strbuf *out);

/*
 * Whether a and b name the same series once normalized, spaces aside
 * ("Dr. Stone", "DrStone"). An empty name matches nothing.
 */
int names_same_series(const char *a, const char *b);

/* Whether filename ends in a volume file's extension (.cbz, .cbr, .cb7,
 * .cbt, .zip, .rar, .7z, .pdf, .epub), in any case. */
int names_is_volume_file(const char *filename);

#endif
