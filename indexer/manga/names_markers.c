/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The name parser's markers and numbers: the words that class a number,
 * a number with its decimals, half or range, dates and months. It weighs
 * nothing; names.c decides what a name gives.
 */
#include <string.h>

#include "common/bytes.h"
#include "indexer/manga/names_private.h"

/*
 * The words that class a number. A plural marker makes "Tomes 1 - 3" a
 * range; "then" is a second word the first needs ("hors" "serie"); a
 * season's volume is followed by its episodes. Words of other scripts
 * are as names_fold() leaves them (Cyrillic in lowercase).
 */
static const struct keyword keywords[] = {
	{ "t", NAMES_VOLUME, KW_PREFIX, 0, 0, NULL },
	{ "tome", NAMES_VOLUME, KW_PREFIX, 0, 0, NULL },
	{ "tomes", NAMES_VOLUME, KW_PREFIX, 1, 0, NULL },
	{ "v", NAMES_VOLUME, KW_PREFIX, 0, 0, NULL },
	{ "vol", NAMES_VOLUME, KW_PREFIX, 0, 0, NULL },
	{ "vols", NAMES_VOLUME, KW_PREFIX, 1, 0, NULL },
	{ "volume", NAMES_VOLUME, KW_PREFIX, 0, 0, NULL },
	{ "volumes", NAMES_VOLUME, KW_PREFIX, 1, 0, NULL },
	{ "integrale", NAMES_VOLUME, KW_PREFIX, 0, 0, NULL },
	{ "band", NAMES_VOLUME, KW_PREFIX, 0, 0, NULL },
	{ "ln", NAMES_VOLUME, KW_PREFIX, 0, 0, NULL },
	{ "book", NAMES_VOLUME, KW_PREFIX, 0, 0, NULL },
	{ "books", NAMES_VOLUME, KW_PREFIX, 1, 0, NULL },
	{ "disc", NAMES_VOLUME, KW_PREFIX, 0, 0, NULL },
	{ "discs", NAMES_VOLUME, KW_PREFIX, 1, 0, NULL },
	{ "s", NAMES_VOLUME, KW_PREFIX | KW_GLUED, 0, 1, NULL },
	{ "season", NAMES_VOLUME, KW_PREFIX, 0, 1, NULL },
	{ "saison", NAMES_VOLUME, KW_PREFIX, 0, 1, NULL },
	{ "c", NAMES_CHAPTER, KW_PREFIX, 0, 0, NULL },
	{ "ch", NAMES_CHAPTER, KW_PREFIX, 0, 0, NULL },
	{ "chs", NAMES_CHAPTER, KW_PREFIX, 1, 0, NULL },
	{ "chp", NAMES_CHAPTER, KW_PREFIX, 0, 0, NULL },
	{ "chps", NAMES_CHAPTER, KW_PREFIX, 1, 0, NULL },
	{ "chap", NAMES_CHAPTER, KW_PREFIX, 0, 0, NULL },
	{ "chaps", NAMES_CHAPTER, KW_PREFIX, 1, 0, NULL },
	{ "chapter", NAMES_CHAPTER, KW_PREFIX, 0, 0, NULL },
	{ "chapters", NAMES_CHAPTER, KW_PREFIX, 1, 0, NULL },
	{ "chapitre", NAMES_CHAPTER, KW_PREFIX, 0, 0, NULL },
	{ "chapitres", NAMES_CHAPTER, KW_PREFIX, 1, 0, NULL },
	{ "ep", NAMES_CHAPTER, KW_PREFIX, 0, 0, NULL },
	{ "episode", NAMES_CHAPTER, KW_PREFIX, 0, 0, NULL },
	{ "episodes", NAMES_CHAPTER, KW_PREFIX, 1, 0, NULL },
	{ "hors", NAMES_SPECIAL, KW_PREFIX, 0, 0, "serie" },
	{ "hs", NAMES_SPECIAL, KW_PREFIX, 0, 0, NULL },
	{ "sp", NAMES_SPECIAL, KW_PREFIX | KW_GLUED, 0, 0, NULL },
	{ "special", NAMES_SPECIAL, KW_PREFIX, 0, 0, NULL },
	{ "extra", NAMES_SPECIAL, KW_PREFIX, 0, 0, NULL },
	{ "extras", NAMES_SPECIAL, KW_PREFIX, 0, 0, NULL },
	{ "omake", NAMES_SPECIAL, KW_PREFIX, 0, 0, NULL },
	{ "artbook", NAMES_SPECIAL, KW_PREFIX, 0, 0, NULL },
	{ "fanbook", NAMES_SPECIAL, KW_PREFIX, 0, 0, NULL },
	{ "guide", NAMES_SPECIAL, KW_PREFIX, 0, 0, NULL },
	{ "databook", NAMES_SPECIAL, KW_PREFIX, 0, 0, NULL },
	/* Japanese, Chinese and Korean */
	{ "巻", NAMES_VOLUME, KW_PREFIX | KW_SUFFIX | KW_INSIDE, 0, 0, NULL },
	{ "卷", NAMES_VOLUME, KW_PREFIX | KW_SUFFIX | KW_INSIDE, 0, 0, NULL },
	{ "册", NAMES_VOLUME, KW_SUFFIX | KW_INSIDE, 0, 0, NULL },
	{ "冊", NAMES_VOLUME, KW_SUFFIX | KW_INSIDE, 0, 0, NULL },
	{ "권", NAMES_VOLUME, KW_SUFFIX | KW_INSIDE, 0, 0, NULL },
	{ "시즌", NAMES_VOLUME, KW_PREFIX | KW_INSIDE, 0, 1, NULL },
	{ "話", NAMES_CHAPTER, KW_SUFFIX | KW_INSIDE, 0, 0, NULL },
	{ "话", NAMES_CHAPTER, KW_SUFFIX | KW_INSIDE, 0, 0, NULL },
	{ "화", NAMES_CHAPTER, KW_SUFFIX | KW_INSIDE, 0, 0, NULL },
	{ "회", NAMES_CHAPTER, KW_SUFFIX | KW_INSIDE, 0, 0, NULL },
	{ "장", NAMES_CHAPTER, KW_SUFFIX | KW_INSIDE, 0, 0, NULL },
	/* Russian */
	{ "том", NAMES_VOLUME, KW_PREFIX, 0, 0, NULL },
	{ "тома", NAMES_VOLUME, KW_PREFIX, 1, 0, NULL },
	{ "глава", NAMES_CHAPTER, KW_PREFIX | KW_SUFFIX, 0, 0, NULL },
	{ "главы", NAMES_CHAPTER, KW_PREFIX | KW_SUFFIX, 1, 0, NULL },
	/* Thai */
	{ "เล่ม", NAMES_VOLUME, KW_PREFIX | KW_INSIDE, 0, 0, NULL },
	{ "เล่มที่", NAMES_VOLUME, KW_PREFIX | KW_INSIDE, 0, 0, NULL },
	{ "ตอน", NAMES_CHAPTER, KW_PREFIX | KW_INSIDE, 0, 0, NULL },
	{ "ตอนที่", NAMES_CHAPTER, KW_PREFIX | KW_INSIDE, 0, 0, NULL },
	{ "บทที่", NAMES_CHAPTER, KW_PREFIX | KW_INSIDE, 0, 0, NULL },
};

/* Months in English and French, as names_fold() leaves them: a number next to
 * one is a day or a year ("15 mars 2006", "March 5, 1999"). */
static const char *const months[] = {
	"january", "jan", "february", "feb", "march", "mar", "april", "apr",
	"may", "june", "jun", "july", "jul", "august", "aug", "september",
	"sep", "sept", "october", "oct", "november", "nov", "december", "dec",
	"janvier", "fevrier", "fev", "mars", "avril", "avr", "mai", "juin",
	"juillet", "juil", "aout", "septembre", "octobre", "novembre",
	"decembre",
};

/* The words between two numbers of a range: "Tomes 1 à 3", "1 to 3". */
static const char *const range_words[] = { "a", "et", "to" };

/*
 * The marker of class where that the n folded bytes at s spell, or, with
 * STARTS or ENDS, that they begin or end with when the marker may stand
 * inside a word; the longest one, or NULL.
 */
const struct keyword *names_keyword(const char *s, size_t n, int where,
				    int how)
{
	const struct keyword *best = NULL;
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(keywords); i++) {
		k = strlen(keywords[i].word);
		if (!(keywords[i].where & where) || k > n ||
		    (k < n && (how == WHOLE ||
			       !(keywords[i].where & KW_INSIDE))) ||
		    memcmp(how == ENDS ? s + n - k : s, keywords[i].word, k))
			continue;
		if (!best || k > strlen(best->word))
			best = &keywords[i];
	}
	return best;
}

/*
 * Whether a chapter's marker and its number are glued at p, as after a
 * volume's in "v2c6", "T02ch06", "Vol.2Ch.6".
 */
static int glued_chapter(const char *w, size_t len, size_t p)
{
	const struct keyword *kw;
	size_t k;

	for (k = p; k < len && w[k] >= 'a' && w[k] <= 'z'; k++)
		;
	kw = names_keyword(w + p, k - p, KW_PREFIX, WHOLE);
	if (k < len && w[k] == '.')
		k++;
	return kw && kw->kind == NAMES_CHAPTER && k < len && is_digit(w[k]);
}

/*
 * Read the digits at p (there is one), a one-digit decimal part, as in
 * "10.5" but not "T105.2023", or a half ("1/2", comics' issue ½), and a
 * scan's revision after them ("11v2", "5v.2").
 * Returns the position after them, or 0 when a letter follows ("2nd",
 * "20th"), which makes it no number, unless volume is set and the
 * letters are a chapter's marker with its number ("v2c6").
 */
static size_t read_value(const char *w, size_t len, size_t p, double *v,
			 int *absurd, int volume)
{
	long n = 0;
	size_t r, d;

	for (; p < len && is_digit(w[p]); p++)
		if (n <= NAMES_MAX_NUMBER)
			n = n * 10 + (w[p] - '0');
	*v = n;
	if (n == 1 && p + 1 < len && w[p] == '/' && w[p + 1] == '2' &&
	    (p + 2 == len || !is_digit(w[p + 2]))) {
		*v = 0.5;
		p += 2;
	} else if (p + 1 < len && w[p] == '.' && is_digit(w[p + 1]) &&
	    (p + 2 == len || !is_digit(w[p + 2]))) {
		*v += (w[p + 1] - '0') / 10.0;
		p += 2;
	}
	*absurd = *v > NAMES_MAX_NUMBER;	/* 9999.5 too */
	if (p < len && w[p] == 'v') {
		d = p + 1 < len && w[p + 1] == '.' ? p + 2 : p + 1;
		for (r = d; r < len && is_digit(w[r]); r++)
			;
		if (r > d && (r == len || !is_alnum(w[r])))
			p = r;
	}
	if (p < len && is_alnum(w[p]) &&
	    !(volume && glued_chapter(w, len, p)))
		return 0;
	return p;
}

/* Where a range word ("a", "et", "to") at p ends, else 0. */
static size_t range_word(const char *w, size_t len, size_t p)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(range_words); i++)
		if (names_word_is(w, len, p, range_words[i]))
			return p + strlen(range_words[i]);
	return 0;
}

/* A year from 1900 to 2099, which no volume number is. */
int names_is_year_value(double v)
{
	return v >= 1900 && v <= 2099 && v == (long)v;
}

/* Whether nothing but separators follows p: what stands in brackets is
 * blanked, so "1 - 3 (2019)" ends with its range. */
static int closes(const char *w, size_t len, size_t p)
{
	for (; p < len; p++)
		if (is_word(w[p]))
			return 0;
	return 1;
}

/*
 * Where the separator of a range at q ends ('-', '~' which an en or em
 * dash folds to, '&', "to", "à"), else 0. *spaced says whether blanks
 * or a word stand around it ("1 - 3", "1 to 3"), *soft whether it is
 * one that never parts a title (all but the hyphen).
 */
static size_t range_sep(const char *w, size_t len, size_t end, size_t q,
			int *spaced, int *soft)
{
	size_t e;

	*soft = 1;
	if (q < len && (w[q] == '-' || w[q] == '~' || w[q] == '&')) {
		*spaced = q > end || names_skip(w, len, q + 1, " _") > q + 1 ||
			  w[q] == '&';
		*soft = w[q] != '-';
		return q + 1;
	}
	e = range_word(w, len, q);
	*spaced = 1;
	return e;
}

/*
 * Read the number at p (there is a digit) into h, with the end of a range
 * after it when there is one; a range whose end is a year is none
 * ("02-2005" is a date). A range parted by blanks or a word ("1 - 3",
 * "1 to 3") is one when the marker is plural or repeated ("Tomes 1 à 3",
 * "T01 - T03"), or when it closes the name and is no hyphen ("Book 1 – 3
 * (2019)", "Vol 1 to 3"), since " - " usually parts a title. Chained ranges
 * ("01-02-03") give their first and last. kw is the marker in front, NULL for a
 * bare number or "#05". Returns the position after what was read, or 0 (h
 * untouched) when p holds no number.
 */
size_t names_read_number(const char *w, size_t len, size_t p,
			 const struct keyword *kw, struct hit *h)
{
	const struct keyword *kw2;
	size_t end, q, e, k, n;
	int spaced, soft, repeated = 0, absurd;
	int volume = kw && kw->kind == NAMES_VOLUME;
	double v;

	end = read_value(w, len, p, &v, &absurd, volume);
	if (!end)
		return 0;
	h->first = h->last = v;
	h->absurd = absurd;
	h->has_number = 1;
	q = range_sep(w, len, end, names_skip(w, len, end, " _"), &spaced,
		      &soft);
	if (!q)
		return end;
	q = names_skip(w, len, q, " _");
	e = names_word_end(w, len, q);
	for (k = q; k < e && !is_digit(w[k]); k++)
		;
	if (k > q) {
		kw2 = names_keyword(w + q, k - q, KW_PREFIX, WHOLE);
		if (!kw || !kw2 || kw2->kind != kw->kind)
			return end;
		repeated = 1;
		q = k < e ? k : names_skip(w, len, e, " ._");
	}
	if (q == len || !is_digit(w[q]))
		return end;
	q = read_value(w, len, q, &v, &absurd, volume);
	if (!q || v <= h->first ||
	    (names_is_year_value(v) && !names_is_year_value(h->first)) ||
	    (spaced && !repeated && !(kw && kw->plural) &&
	     !(soft && closes(w, len, q) && !(kw && kw->season))))
		return end;
	h->last = v;
	h->absurd |= absurd;
	while (q + 1 < len && w[q] == '-' && is_digit(w[q + 1]) &&
	       (n = read_value(w, len, q + 1, &v, &absurd, volume)) &&
	       v > h->last &&
	       !names_is_year_value(v)) {
		h->last = v;
		h->absurd |= absurd;
		q = n;
	}
	return q;
}

/* Read the run of digits at p into *v (capped) and *n digits; returns
 * where it ends. */
size_t names_digits(const char *w, size_t len, size_t p, long *v,
		    size_t *n)
{
	size_t q;

	*v = 0;
	for (q = p; q < len && is_digit(w[q]); q++)
		if (*v <= NAMES_MAX_NUMBER)
			*v = *v * 10 + (w[q] - '0');
	*n = q - p;
	return q;
}

/*
 * Where the date or time that starts with the digits at p ends, else 0:
 * "00:00", "2021-08-04", "2009-11-00" (a month's issue), "2005.03",
 * "02-2005", "04.02.2005". Issue dates stand where volume numbers do,
 * and their parts would read as volumes or as a range.
 */
size_t names_date_end(const char *w, size_t len, size_t p)
{
	long v[3];
	size_t n[3], q, k = 1;
	char sep;

	q = names_digits(w, len, p, &v[0], &n[0]);
	if (q + 2 < len && w[q] == ':' && is_digit(w[q + 1])) {
		while (q + 2 < len && w[q] == ':' && is_digit(w[q + 1]) &&
		       is_digit(w[q + 2]) && (q + 3 == len ||
					      !is_digit(w[q + 3])))
			q += 3;
		return n[0] <= 2 && (q == len || !is_alnum(w[q])) ? q : 0;
	}
	if (q + 1 >= len || !memchr("-./_", w[q], 4) || !is_digit(w[q + 1]))
		return 0;
	sep = w[q];
	while (k < 3 && q + 1 < len && w[q] == sep && is_digit(w[q + 1]))
		q = names_digits(w, len, q + 1, &v[k], &n[k]), k++;
	if (q < len && is_alnum(w[q]))
		return 0;
	if (n[0] == 4 && names_is_year_value(v[0]) && n[1] <= 2 && v[1] >= 1 &&
	    v[1] <= 12 && (k == 2 || (n[2] <= 2 && v[2] <= 31)))
		return q;
	if (k == 2 && n[0] <= 2 && v[0] >= 1 && v[0] <= 12 && n[1] == 4 &&
	    names_is_year_value(v[1]))
		return q;
	if (k == 3 && n[0] <= 2 && n[1] <= 2 && v[0] >= 1 && v[0] <= 31 &&
	    v[1] >= 1 && v[1] <= 31 && n[2] == 4 && names_is_year_value(v[2]))
		return q;
	return 0;
}

/* Whether the whole word at p names a month. */
int names_month_at(const char *w, size_t len, size_t p)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(months); i++)
		if (names_word_is(w, len, p, months[i]))
			return 1;
	return 0;
}

/* Where the day or year right after a month's name at e ends ("March 5",
 * "mars 2006"), else 0. */
size_t names_month_number(const char *w, size_t len, size_t e)
{
	size_t p = names_skip(w, len, e, " ,.-_"), q, n;
	long v;

	if (p == len || !is_digit(w[p]))
		return 0;
	q = names_digits(w, len, p, &v, &n);
	if ((q < len && is_alnum(w[q])) || !((v >= 1 && v <= 31 && n <= 2) ||
					    (n == 4 && names_is_year_value(v))))
		return 0;
	return q;
}
