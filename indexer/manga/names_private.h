/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_NAMES_PRIVATE_H
#define MEDIAMON_NAMES_PRIVATE_H

/*
 * What the name parser's files share, for them alone: the folded text
 * (names_text.c), the markers, numbers, ranges and dates read in it
 * (names_markers.c), and the pass over a name that weighs them
 * (names.c). Folded text holds lowercase ASCII and whole UTF-8
 * sequences of other scripts (names_fold()).
 */

#include <stddef.h>

#include "common/strbuf.h"
#include "indexer/manga/names.h"

/* Where a marker stands against its number. */
enum {
	KW_PREFIX = 1,		/* before it: "Tome 3", "Том 1" */
	KW_SUFFIX = 2,		/* after it: "1巻", "2 Глава" */
	KW_INSIDE = 4,		/* at the edge of a word, in scripts written
				 * without spaces: "漫画卷2", "เล่ม1" */
	KW_GLUED = 8,		/* only glued to its number: "S01", "SP02" */
};

/* A word that classes a number: "plural" makes "Tomes 1 - 3" a range;
 * "then" is a second word the first needs ("hors" "serie"); a season's
 * volume is followed by its episodes. */
struct keyword {
	const char *word;
	enum names_kind kind;
	unsigned char where, plural, season;
	const char *then;
};

/* One number found in a name, with the marker that classed it. */
struct hit {
	int found;
	int has_number;		/* a special may come without one */
	int absurd;		/* beyond NAMES_MAX_NUMBER */
	size_t start;		/* of its marker, or of a bare number */
	double first, last;
};

/* How a marker may be found in a word (names_keyword()). */
enum { WHOLE, STARTS, ENDS };

/* Folded text holds only lowercase ASCII and whole UTF-8 sequences. */
static inline int is_word(char c)
{
	return (unsigned char)c >= 0x80 || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9');
}

/* ctype's answers depend on the locale; a name's digits do not. */
static inline int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The letters and digits of folded ASCII: what "T05" is made of. */
static inline int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c);
}

/* A byte of a letter of another script, as names_fold() leaves them. */
static inline int is_other(char c)
{
	return (unsigned char)c >= 0x80;
}

/* names_text.c */

/* Append the folded form of the n bytes at s to out: lowercase ASCII
 * wherever it can be, ASCII punctuation kept, other scripts as they
 * are. */
void names_fold(const char *s, size_t n, struct strbuf *out);

/* Blank what stands in brackets in s, in place; inside, when not NULL,
 * gets the contents alone, everything else blanked. */
void names_blank_groups(char *s, size_t len, char *inside);

/* Make every run of non-word bytes of sb one space, trimmed. */
void names_squeeze(struct strbuf *sb);

/* Where the normalized title s ends in w when w holds it from i, else
 * 0; separators aside, long vowels either way. */
size_t names_match_at(const char *w, size_t len, size_t i, const char *s);

/* Where the word at p ends: runs of ASCII letters and digits, or of
 * letters of other scripts. */
size_t names_word_end(const char *w, size_t len, size_t p);

/* p stepped over the bytes in set. */
size_t names_skip(const char *w, size_t len, size_t p, const char *set);

/* Whether the whole word at p is word. */
int names_word_is(const char *w, size_t len, size_t p, const char *word);

/* names_markers.c */

/* The marker of class where the n folded bytes at s spell (WHOLE), or
 * begin or end with (STARTS, ENDS) when it may stand inside a word; the
 * longest one, or NULL. */
const struct keyword *names_keyword(const char *s, size_t n, int where,
				    int how);

/* Read the number at p (a digit), and a range after it, into h; kw is
 * the marker in front, NULL for a bare number. Returns where it ends,
 * or 0 (h untouched) when p holds no number. */
size_t names_read_number(const char *w, size_t len, size_t p,
			 const struct keyword *kw, struct hit *h);

/* Read the run of digits at p into *v (capped past NAMES_MAX_NUMBER)
 * and *n digits; returns where it ends. */
size_t names_digits(const char *w, size_t len, size_t p, long *v, size_t *n);

/* Whether v is a year from 1900 to 2099. */
int names_is_year_value(double v);

/* Where the date or time that starts with the digits at p ends, else
 * 0. */
size_t names_date_end(const char *w, size_t len, size_t p);

/* Whether the whole word at p names a month. */
int names_month_at(const char *w, size_t len, size_t p);

/* Where the day or year after a month's name ending at e ends, else 0. */
size_t names_month_number(const char *w, size_t len, size_t e);

#endif
