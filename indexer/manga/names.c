/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <string.h>

#include "common/bytes.h"
#include "common/utf8.h"
#include "indexer/manga/names.h"

/* Where a marker stands against its number. */
enum {
	KW_PREFIX = 1,		/* before it: "Tome 3", "Том 1" */
	KW_SUFFIX = 2,		/* after it: "1巻", "2 Глава" */
	KW_INSIDE = 4,		/* at the edge of a word, in scripts written
				 * without spaces: "漫画卷2", "เล่ม1" */
	KW_GLUED = 8,		/* only glued to its number: "S01", "SP02" */
};

/*
 * The words that class a number. A plural marker makes "Tomes 1 - 3" a
 * range; "then" is a second word the first needs ("hors" "serie"); a
 * season's volume is followed by its episodes. Words of other scripts
 * are as fold() leaves them (Cyrillic in lowercase).
 */
static const struct keyword {
	const char *word;
	enum names_kind kind;
	unsigned char where, plural, season;
	const char *then;
} keywords[] = {
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

/* The ordinal signs that may stand before a number and its suffix
 * marker, as in "第03卷" and "제3권"; the marker starts with them. */
static const char *const ordinals[] = { "第", "제" };

/* The words that say a volume's number is not known yet: "Vol.tbd". */
static const char *const unknown_numbers[] = { "tbd", "tba" };

/* The articles a title may start with, aside when titles are compared. */
static const char *const articles[] = {
	"the", "a", "an", "le", "la", "les", "l", "der", "die", "das",
};

/* Months in English and French, as fold() leaves them: a number next to
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

static const char *const volume_exts[] = {
	"cbz", "cbr", "cb7", "cbt", "zip", "rar", "7z", "pdf", "epub",
};

/*
 * U+00C0 to U+017F folded to their base letter, 16 a line; '*' marks the
 * ligatures ligature() spells out and ' ' the division sign. The
 * multiplication sign is an x, as in "Hunter×Hunter".
 */
static const char latin_fold[] =
	"aaaaaa*ceeeeiiii" "dnoooooxouuuuy**" "aaaaaa*ceeeeiiii"
	"dnooooo ouuuuy*y" "aaaaaaccccccccdd" "ddeeeeeeeeeegggg"
	"gggghhhhiiiiiiii" "ii**jjkkklllllll" "lllnnnnnnnnnoooo"
	"oo**rrrrrrssssss" "ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs";

_Static_assert(sizeof(latin_fold) == 0x180 - 0xc0 + 1, "latin_fold size");

/* One number found in a name, with the marker that classed it. */
struct hit {
	int found;
	int has_number;		/* a special may come without one */
	int absurd;		/* beyond NAMES_MAX_NUMBER */
	size_t start;		/* of its marker, or of a bare number */
	double first, last;
};

/* What one pass over a folded name found. */
struct scan {
	const char *w;
	size_t len;
	size_t end;		/* where the word being read must end */
	int brackets;		/* the pass over bracketed text: markers only */
	struct hit hits[4];	/* the first of each names_kind */
	struct hit season;	/* the first season, a volume of its own */
	struct hit bare;	/* the last number no marker claims */
	int bare_glued;		/* it is glued to a word that is no marker */
	int runs;		/* runs of bare numbers, parted by words */
	int in_run;		/* numbers in the last run */
	size_t run_start;
	int word_since;		/* a word since the last bare number */
	struct hit first;	/* the first number no marker claims */
	int first_glued;	/* it is glued to a word that is no marker */
	int first_run;		/* numbers in the first run */
	size_t me;		/* where the series ends in the name, or 0 */
	size_t stop;		/* a marker without a number: "Vol.tbd" */
};

/* Folded text holds only lowercase ASCII and whole UTF-8 sequences. */
static int is_word(char c)
{
	return (unsigned char)c >= 0x80 || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9');
}

/* ctype's answers depend on the locale; a name's digits do not. */
static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The letters and digits of folded ASCII: what "T05" is made of. */
static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c);
}

/* A byte of a letter of another script, as fold() leaves them. */
static int is_other(char c)
{
	return (unsigned char)c >= 0x80;
}

/* The letters the Latin tables only mark with '*'. */
static const char *ligature(unsigned int cp)
{
	switch (cp) {
	case 0xc6: case 0xe6:
		return "ae";
	case 0xde: case 0xfe:
		return "th";
	case 0xdf:
		return "ss";
	case 0x132: case 0x133:
		return "ij";
	default:
		return "oe";
	}
}

/*
 * What the ASCII or CJK punctuation cp becomes: '[' and ']' for the
 * brackets release groups use in CJK names ("【TFO汉化】"), '-' for
 * Unicode dashes, an apostrophe for the curly ones ("Batman ’89"), a
 * space for the rest. 0 when cp is no punctuation; the iteration marks
 * and the ideographic zero (U+3005 to U+3007) are letters.
 */
static char punctuation(unsigned int cp)
{
	switch (cp) {
	case 0x3010: case 0x3014: case 0x3016: case 0x3018:
		return '[';
	case 0x3011: case 0x3015: case 0x3017: case 0x3019:
		return ']';
	case 0x3005: case 0x3006: case 0x3007:
		return 0;
	case 0x2018: case 0x2019:
		return '\'';
	}
	if (cp >= 0x2010 && cp <= 0x2015)
		return '-';
	if ((cp >= 0x80 && cp < 0xc0) || (cp >= 0x2000 && cp <= 0x206f) ||
	    (cp >= 0x3000 && cp <= 0x303f))
		return ' ';
	return 0;
}

/*
 * Fold the character at s (n bytes left) into f, so that names compare
 * and parse as plain lowercase ASCII wherever they can: fullwidth forms
 * ("１巻") are ASCII, Cyrillic capitals lowercase. ASCII punctuation stays
 * (the parser needs "." and "-"), other punctuation is as punctuation()
 * says, invalid bytes a space, combining accents nothing. Returns the
 * bytes of s used, at least 1, and sets *flen.
 */
static size_t fold_char(const unsigned char *s, size_t n, char f[4],
			size_t *flen)
{
	unsigned int cp;
	size_t len = utf8_decode(s, n, &cp);

	*flen = 1;
	if (!len) {
		f[0] = ' ';
		return 1;
	}
	if (cp >= 0xff01 && cp <= 0xff5e)
		cp -= 0xfee0;
	if (cp < 0x80) {
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		f[0] = cp < 0x20 || cp == 0x7f ? ' ' : cp;
	} else if (cp >= 0x300 && cp <= 0x36f) {
		*flen = 0;
	} else if (cp >= 0xc0 && cp < 0x180) {
		f[0] = latin_fold[cp - 0xc0];
		if (f[0] == '*') {
			memcpy(f, ligature(cp), 2);
			*flen = 2;
		}
	} else if (punctuation(cp)) {
		f[0] = punctuation(cp);
	} else if (cp >= 0x400 && cp < 0x430) {
		cp += cp < 0x410 ? 0x50 : 0x20;
		f[0] = 0xc0 | cp >> 6;
		f[1] = 0x80 | (cp & 0x3f);
		*flen = 2;
	} else {
		memcpy(f, s, len);
		*flen = len;
	}
	return len;
}

/* Append the folded form of the n bytes at s to out. */
static void fold(const char *s, size_t n, struct strbuf *out)
{
	size_t used, flen;
	char f[4];

	while (n) {
		used = fold_char((const unsigned char *)s, n, f, &flen);
		strbuf_add(out, f, flen);
		s += used;
		n -= used;
	}
}

/*
 * Years, release groups and tags live in brackets ("(2023)", "[Team]"),
 * so their contents are blanked in place, nested ones too; an unclosed
 * bracket runs to the end. When inside is not NULL, it gets the
 * contents alone, everything else blanked, for a second look.
 */
static void blank_groups(char *s, size_t len, char *inside)
{
	size_t i;
	int depth = 0;

	for (i = 0; i < len; i++) {
		int open = memchr("([{", s[i], 3) != NULL;
		int close = depth && memchr(")]}", s[i], 3);

		if (inside)
			inside[i] = depth && !open && !close ? s[i] : ' ';
		depth += open;
		if (depth)
			s[i] = ' ';
		depth -= close;
	}
}

/* Make every run of non-word bytes one space, trimmed, in place. */
static void squeeze(struct strbuf *sb)
{
	size_t i, o = 0;
	int gap = 0;

	for (i = 0; i < sb->len; i++) {
		if (!is_word(sb->buf[i])) {
			gap = 1;
			continue;
		}
		if (gap && o)
			sb->buf[o++] = ' ';
		gap = 0;
		sb->buf[o++] = sb->buf[i];
	}
	sb->len = o;
	if (sb->alloc)
		sb->buf[o] = '\0';
}

/* Groups go before the squeeze, so "(2023)" leaves no stray space. */
void names_normalize(const char *s, struct strbuf *out)
{
	strbuf_reset(out);
	if (!s)
		return;
	fold(s, strlen(s), out);
	blank_groups(out->buf, out->len, NULL);
	squeeze(out);
}

/*
 * Titles compare on their letters and digits alone, so that "Dr. Stone",
 * "Dr Stone" and "DrStone" are one series, and a long vowel written
 * doubled is one letter ("shounen", "shonen" from "shōnen"; "yuusha").
 * Returns where the normalized title s ends in w when w holds it from i,
 * else 0 (s is not empty).
 */
static size_t match_at(const char *w, size_t len, size_t i, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ')
			continue;
		while (i < len && !is_word(w[i]))
			i++;
		if (i == len || w[i] != *s)
			return 0;
		i++;
		if (*s != 'o' && *s != 'u')
			continue;
		if (s[1] == 'u')
			s++;
		if (i < len && w[i] == 'u')
			i++;
	}
	return i;
}

/* Articles are whole words: "la" in "la rose", never in "lamu". */
const char *names_skip_article(const char *s)
{
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(articles); i++) {
		n = strlen(articles[i]);
		if (!strncmp(s, articles[i], n) && s[n] == ' ' && s[n + 1])
			return s + n + 1;
	}
	return s;
}

/* Both sides are normalized the same way, so the order of a and b does
 * not matter. */
int names_same_series(const char *a, const char *b)
{
	struct strbuf na = STRBUF_INIT, nb = STRBUF_INIT;
	const char *sa, *sb;
	int same;

	names_normalize(a, &na);
	names_normalize(b, &nb);
	sa = names_skip_article(na.buf);
	sb = names_skip_article(nb.buf);
	same = *sa && *sb && match_at(sa, strlen(sa), 0, sb) == strlen(sa);
	strbuf_release(&na);
	strbuf_release(&nb);
	return same;
}

/* Extensions are ASCII; a locale's idea of case has no say in them. */
static int ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if ((*a >= 'A' && *a <= 'Z' ? *a + 'a' - 'A' : *a) != *b)
			return 0;
	return !*a && !*b;
}

/* Only the last extension counts: "a.cbz.part" is still downloading. */
int names_is_volume_file(const char *filename)
{
	const char *dot;
	size_t i;

	if (!filename || !(dot = strrchr(filename, '.')))
		return 0;
	for (i = 0; i < ARRAY_SIZE(volume_exts); i++)
		if (ascii_caseeq(dot + 1, volume_exts[i]))
			return 1;
	return 0;
}

/*
 * Words are runs of ASCII letters and digits ("T05" is one, "T.05" two)
 * or runs of letters of other scripts, so that "1巻" is two: a number
 * glued to a CJK word is read apart from it.
 */
static size_t word_end(const char *w, size_t len, size_t p)
{
	int other;

	if (p >= len)
		return p;
	other = is_other(w[p]);
	while (p < len && is_word(w[p]) && is_other(w[p]) == other)
		p++;
	return p;
}

/* Step over the bytes in set; memchr, as strchr would match a NUL. */
static size_t skip(const char *w, size_t len, size_t p, const char *set)
{
	while (p < len && memchr(set, w[p], strlen(set)))
		p++;
	return p;
}

/* Whether the whole word at p is word. */
static int word_is(const char *w, size_t len, size_t p, const char *word)
{
	size_t n = strlen(word);

	return p + n <= len && !memcmp(w + p, word, n) &&
	       word_end(w, len, p) == p + n;
}

/* How a marker may be found in a word (keyword()). */
enum { WHOLE, STARTS, ENDS };

/*
 * The marker of class where that the n folded bytes at s spell, or, with
 * STARTS or ENDS, that they begin or end with when the marker may stand
 * inside a word; the longest one, or NULL.
 */
static const struct keyword *keyword(const char *s, size_t n, int where,
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
 * Read the digits at p (there is one), a one-digit decimal part, as in
 * "10.5" but not "T105.2023", or a half ("1/2", comics' issue ½), and a
 * scan's revision after them ("11v2", "5v.2").
 * Returns the position after them, or 0 when a letter follows ("2nd",
 * "20th"), which makes it no number.
 */
static size_t read_value(const char *w, size_t len, size_t p, double *v,
			 int *absurd)
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
	return p < len && is_alnum(w[p]) ? 0 : p;
}

/* Where a range word ("a", "et", "to") at p ends, else 0. */
static size_t range_word(const char *w, size_t len, size_t p)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(range_words); i++)
		if (word_is(w, len, p, range_words[i]))
			return p + strlen(range_words[i]);
	return 0;
}

/* A year from 1900 to 2099, which no volume number is. */
static int is_year_value(double v)
{
	return v >= 1900 && v <= 2099 && v == (long)v;
}

/*
 * Read the number at p (there is a digit) into h, with the end of a range
 * after it when there is one; a range whose end is a year is none
 * ("02-2005" is a date). kw is the marker in front, NULL for a bare
 * number or "#05". Returns the position after what was read, or 0 (h
 * untouched) when p holds no number.
 */
static size_t read_number(const char *w, size_t len, size_t p,
			  const struct keyword *kw, struct hit *h)
{
	const struct keyword *kw2;
	size_t end, q, e, k;
	int spaced, repeated = 0, absurd;
	double v;

	end = read_value(w, len, p, &v, &absurd);
	if (!end)
		return 0;
	h->first = h->last = v;
	h->absurd = absurd;
	h->has_number = 1;
	q = skip(w, len, end, " _");
	if (q < len && (w[q] == '-' || w[q] == '~')) {
		spaced = q > end || skip(w, len, q + 1, " _") > q + 1;
		q++;
	} else if (kw && (e = range_word(w, len, q))) {
		spaced = 0;
		q = e;
	} else {
		return end;
	}
	q = skip(w, len, q, " _");
	e = word_end(w, len, q);
	for (k = q; k < e && !is_digit(w[k]); k++)
		;
	if (k > q) {
		kw2 = keyword(w + q, k - q, KW_PREFIX, WHOLE);
		if (!kw || !kw2 || kw2->kind != kw->kind)
			return end;
		repeated = 1;
		q = k < e ? k : skip(w, len, e, " ._");
	}
	if (spaced && !repeated && !(kw && kw->plural))
		return end;
	if (q == len || !is_digit(w[q]))
		return end;
	q = read_value(w, len, q, &v, &absurd);
	if (!q || v <= h->first ||
	    (is_year_value(v) && !is_year_value(h->first)))
		return end;
	h->last = v;
	h->absurd |= absurd;
	return q;
}

/* Keep the first number of each kind: "T105 v2" is volume 105. */
static void record(struct hit *into, const struct hit *h, size_t start)
{
	if (into->found)
		return;
	*into = *h;
	into->found = 1;
	into->start = start;
}

/*
 * A number found with its marker kw, which starts at start. A season
 * is kept apart, as any other volume marker wins over it; specials in
 * brackets are names of editions ("{Special Edition}"), not specials.
 */
static void mark(struct scan *sc, const struct keyword *kw,
		 const struct hit *h, size_t start)
{
	sc->word_since = 1;
	if (sc->brackets && kw->kind == NAMES_SPECIAL)
		return;
	record(kw->season ? &sc->season : &sc->hits[kw->kind], h, start);
}

/* A number alone from 1900 to 2099 is a year, not volume 1999; so are
 * both ends of "2016-2019". */
static int is_year(const struct hit *h)
{
	return is_year_value(h->first) && is_year_value(h->last);
}

/*
 * Count a number no marker claims. Runs of them parted by words tell a
 * title's own number ("Kaiju No. 8 036") from a name that gives several
 * ("Invincible 033.5 - Marvel Team-Up 14"), which says no volume.
 */
static void add_bare(struct scan *sc, const struct hit *h, size_t start,
		     int glued)
{
	if (sc->brackets || is_year(h))
		return;
	if (!sc->runs || sc->word_since) {
		sc->runs++;
		sc->in_run = 0;
		sc->run_start = start;
	}
	sc->in_run++;
	sc->word_since = 0;
	if (sc->runs == 1) {
		if (sc->in_run == 1) {
			sc->first = *h;
			sc->first.found = 1;
			sc->first.start = start;
			sc->first_glued = glued;
		}
		sc->first_run = sc->in_run;
	}
	sc->bare = *h;
	sc->bare.found = 1;
	sc->bare.start = start;
	sc->bare_glued = glued;
}

/* Where the ordinal sign glued in front of the number at i starts ("第"
 * of "第03卷"), or i when there is none. */
static size_t ordinal_before(const char *w, size_t i)
{
	size_t k, n;

	for (k = 0; k < ARRAY_SIZE(ordinals); k++) {
		n = strlen(ordinals[k]);
		if (i >= n && !memcmp(w + i - n, ordinals[k], n))
			return i - n;
	}
	return i;
}

/*
 * The marker after the number that ends at p, and where it ends: glued
 * to it ("1巻", "38-1화", the part number aside) or a word of its own
 * after spaces ("2 Глава"). NULL when there is none.
 */
static const struct keyword *suffix(const char *w, size_t len, size_t p,
				    size_t *after)
{
	const struct keyword *kw;
	size_t q = p, e;
	int how = STARTS;

	if (q + 1 < len && w[q] == '-' && is_digit(w[q + 1])) {
		for (q++; q < len && is_digit(w[q]); q++)
			;
		if (q == len || !is_other(w[q]))
			q = p;
	}
	if (q < len && !is_other(w[q])) {
		q = skip(w, len, q, " ");
		how = WHOLE;
	}
	if (q == len || !is_other(w[q]))
		return NULL;
	e = word_end(w, len, q);
	kw = keyword(w + q, e - q, KW_SUFFIX, how);
	if (kw)
		*after = q + strlen(kw->word);
	return kw;
}

/* Read the run of digits at p into *v (capped) and *n digits; returns
 * where it ends. */
static size_t digits(const char *w, size_t len, size_t p, long *v, size_t *n)
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
 * "00:00", "2021-08-04", "2005.03", "02-2005", "04.02.2005". Issue dates
 * stand where volume numbers do, and their parts would read as volumes
 * or as a range.
 */
static size_t date_end(const char *w, size_t len, size_t p)
{
	long v[3];
	size_t n[3], q, k = 1;
	char sep;

	q = digits(w, len, p, &v[0], &n[0]);
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
		q = digits(w, len, q + 1, &v[k], &n[k]), k++;
	if (q < len && is_alnum(w[q]))
		return 0;
	if (n[0] == 4 && is_year_value(v[0]) && n[1] <= 2 && v[1] >= 1 &&
	    v[1] <= 12 && (k == 2 || (n[2] <= 2 && v[2] >= 1 && v[2] <= 31)))
		return q;
	if (k == 2 && n[0] <= 2 && v[0] >= 1 && v[0] <= 12 && n[1] == 4 &&
	    is_year_value(v[1]))
		return q;
	if (k == 3 && n[0] <= 2 && n[1] <= 2 && v[0] >= 1 && v[0] <= 31 &&
	    v[1] >= 1 && v[1] <= 31 && n[2] == 4 && is_year_value(v[2]))
		return q;
	return 0;
}

/* Whether the whole word at p names a month. */
static int month_at(const char *w, size_t len, size_t p)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(months); i++)
		if (word_is(w, len, p, months[i]))
			return 1;
	return 0;
}

/* Where the day or year right after a month's name at e ends ("March 5",
 * "mars 2006"), else 0. */
static size_t month_number(const char *w, size_t len, size_t e)
{
	size_t p = skip(w, len, e, " ,.-_"), q, n;
	long v;

	if (p == len || !is_digit(w[p]))
		return 0;
	q = digits(w, len, p, &v, &n);
	if ((q < len && is_alnum(w[q])) || !((v >= 1 && v <= 31 && n <= 2) ||
					    (n == 4 && is_year_value(v))))
		return 0;
	return q;
}

/*
 * Where a number of the title that starts at i ends, else 0: glued to an
 * apostrophe ("Batman '89") or by a dash to a word ("IG-88"), unless
 * that word ends the series, or with two decimals ("8.54").
 */
static size_t title_number(const struct scan *sc, size_t i)
{
	const char *w = sc->w;
	size_t len = sc->len, q;
	long v;
	size_t n;

	q = digits(w, len, i, &v, &n);
	if (i && w[i - 1] == '\'')
		return q;
	if (i >= 2 && w[i - 1] == '-' && i - 1 != sc->me &&
	    w[i - 2] >= 'a' && w[i - 2] <= 'z')
		return q;
	if (q + 3 <= len && w[q] == '.' && is_digit(w[q + 1]) &&
	    is_digit(w[q + 2]) && (q + 3 == len || !is_alnum(w[q + 3])))
		return q + 3;
	return 0;
}

/* Where the '#' before the number at i is, spaces between ("# 2"), or
 * i when there is none. */
static size_t hash_before(const char *w, size_t i)
{
	size_t k = i;

	while (k && w[k - 1] == ' ')
		k--;
	return k && w[k - 1] == '#' ? k - 1 : i;
}

/*
 * Read the number at i, a word of digits: "#05" is a volume, a marker of
 * another script may follow it ("1巻", "1-3巻", "第03卷", "2 Глава"),
 * else it is bare. Returns where to go on from, past i.
 */
static size_t scan_number(struct scan *sc, size_t i)
{
	const char *w = sc->w;
	size_t len = sc->len, end, after;
	const struct keyword *kw;
	struct hit h = { 0 };

	end = date_end(w, len, i);
	if (end)
		return end;
	end = title_number(sc, i);
	if (end) {
		sc->word_since = 1;
		return end;
	}
	end = read_number(w, len, i, NULL, &h);
	if (!end) {
		sc->word_since = 1;
		return word_end(w, len, i);
	}
	if (hash_before(w, i) < i) {
		record(&sc->hits[NAMES_VOLUME], &h, hash_before(w, i));
		return end;
	}
	kw = suffix(w, len, end, &after);
	if (kw) {
		mark(sc, kw, &h, ordinal_before(w, i));
		return after;
	}
	after = skip(w, len, end, " ,.-_");
	if (h.last == h.first && h.first <= 31 && after < len &&
	    month_at(w, len, after))
		return end;
	add_bare(sc, &h, i, (i && is_other(w[i - 1])) ||
		 (end < len && is_other(w[end])));
	return end;
}

/* Whether the word at p says a number is not known yet ("Vol.tbd"). */
static int unknown_number(const char *w, size_t len, size_t p)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unknown_numbers); i++)
		if (word_is(w, len, p, unknown_numbers[i]))
			return 1;
	return 0;
}

/*
 * Look at the ASCII word at i: a marker with its number, a number, or a
 * word of the title. Returns where to go on from, past i.
 */
static size_t scan_ascii(struct scan *sc, size_t i)
{
	const char *w = sc->w;
	size_t len = sc->len, e, k, p, end;
	const struct keyword *kw;
	struct hit h = { 0 };
	int glued;

	if (is_digit(w[i]))
		return scan_number(sc, i);
	e = word_end(w, len, i);
	for (k = i; k < e && !is_digit(w[k]); k++)
		;
	if (k == e && month_at(w, len, i) && (p = month_number(w, len, e))) {
		sc->word_since = 1;
		return p;
	}
	kw = keyword(w + i, k - i, KW_PREFIX, WHOLE);
	if (!kw || (kw->then && k < e) || (sc->brackets && k - i < 2) ||
	    ((kw->where & KW_GLUED) && k == e)) {
		sc->word_since = 1;
		return e;
	}
	p = k;
	glued = k < e;
	if (!glued) {
		if (kw->then) {
			p = skip(w, len, e, " -._");
			if (!word_is(w, len, p, kw->then)) {
				sc->word_since = 1;
				return e;
			}
			e = word_end(w, len, p);
		}
		p = skip(w, len, e, " -._#");
		if (kw->kind == NAMES_VOLUME && unknown_number(w, len, p)) {
			if (i < sc->stop)
				sc->stop = i;
			return word_end(w, len, p);
		}
	}
	end = p < len && is_digit(w[p]) ? read_number(w, len, p, kw, &h) : 0;
	if (!end && (kw->kind != NAMES_SPECIAL || glued)) {
		sc->word_since = 1;
		return e;
	}
	mark(sc, kw, &h, i);
	return end ? end : e;
}

/*
 * Look at the word of another script at i: a marker before its number,
 * a word of its own ("Том 1", "เล่ม 1") or, in scripts written without
 * spaces, the end of a word ("漫画卷2"). Returns where to go on from.
 */
static size_t scan_other(struct scan *sc, size_t i)
{
	const char *w = sc->w;
	size_t len = sc->len, e = word_end(w, sc->end, i), p, end = 0;
	const struct keyword *kw;
	struct hit h = { 0 };

	kw = keyword(w + i, e - i, KW_PREFIX, ENDS);
	if (kw) {
		p = skip(w, len, e, " -._#");
		if (p < len && is_digit(w[p]))
			end = read_number(w, len, p, kw, &h);
	}
	if (!end) {
		sc->word_since = 1;
		return e;
	}
	mark(sc, kw, &h, e - strlen(kw->word));
	return end;
}

/*
 * Read the folded name, the series' own words (from ms to me) stepped
 * over. A word of another script stops where the series starts, since
 * those scripts may glue the two.
 */
static void scan(struct scan *sc, size_t ms, size_t me)
{
	size_t i = 0;

	sc->me = me;
	while (i < sc->len) {
		sc->end = i < ms ? ms : sc->len;
		if (i >= ms && i < me)
			i = me;
		else if (!is_word(sc->w[i]))
			i++;
		else if (is_other(sc->w[i]))
			i = scan_other(sc, i);
		else
			i = scan_ascii(sc, i);
	}
}

/* Whether a pass found a marker of any kind. */
static int marked(const struct scan *sc)
{
	return sc->hits[NAMES_VOLUME].found || sc->hits[NAMES_CHAPTER].found ||
	       sc->hits[NAMES_SPECIAL].found || sc->season.found;
}

/*
 * Why the bare number is not sure to be the volume, or NULL when it is:
 * it is alone or ends the one run of numbers, is glued to no word, and,
 * when the series was found in the name (ending at me, else 0), follows
 * it with nothing but separators between.
 */
static const char *unsure(const struct scan *sc, size_t me)
{
	size_t i;

	if (!sc->bare.found)
		return sc->stop < sc->len ? "a volume marker without a number"
					  : "no volume number";
	if (sc->runs > 1)
		return "several numbers, none marked as the volume";
	if (sc->bare_glued)
		return "a number glued to a word that is no marker";
	if (!me || sc->run_start < me)
		return NULL;
	if (sc->in_run > 1)
		return "several numbers after the series name";
	for (i = me; i < sc->run_start; i++)
		if (is_word(sc->w[i]))
			return "a word between the series name and the number";
	return NULL;
}

/*
 * In a series folder, a name with several numbers and no marker gives
 * the first when it stands alone right after the series, parted from
 * the rest by words: "Michel Vaillant 13 Mach 1 voor Steve Warson" is
 * volume 13, the rest its title. NULL otherwise.
 */
static const struct hit *first_after_series(const struct scan *sc, size_t me)
{
	size_t i;

	if (!me || !sc->first.found || sc->first_run != 1 || sc->first_glued ||
	    sc->first.start < me)
		return NULL;
	for (i = me; i < sc->first.start; i++)
		if (is_word(sc->w[i]))
			return NULL;
	return &sc->first;
}

/*
 * Specials win over chapters and chapters over volumes: "Vol.03 Ch.015"
 * holds one chapter, and counting it as volume 3 would hide a gap; a
 * season with a number after it is that episode. The title ends at the
 * first marker of any kind, so that "Mob Psycho 100 T05" is volume 5 of
 * "mob psycho 100". Without a marker, the bare number when unsure()
 * finds nothing against it, else first_after_series(). A special
 * without a number of its own takes the volume's, or the bare number
 * ("Wonder Woman 001 Special Edition" is special 1).
 */
static void choose(const struct scan *sc, size_t me,
		   struct names_result *out, size_t *title_end)
{
	static const enum names_kind order[] = {
		NAMES_SPECIAL, NAMES_CHAPTER, NAMES_VOLUME,
	};
	const struct hit *vol = &sc->hits[NAMES_VOLUME], *h = NULL, *m;
	size_t i;

	if (!vol->found)
		vol = &sc->season;
	*title_end = sc->stop;
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		m = order[i] == NAMES_VOLUME ? vol : &sc->hits[order[i]];
		if (!m->found)
			continue;
		if (!h) {
			h = m;
			out->kind = order[i];
		}
		if (m->start < *title_end)
			*title_end = m->start;
	}
	if (sc->season.found && sc->season.start < *title_end)
		*title_end = sc->season.start;
	if (h == &sc->season && sc->bare.found && sc->bare.start > h->start) {
		h = &sc->bare;
		out->kind = NAMES_CHAPTER;
	}
	if (!h) {
		out->reason = unsure(sc, me);
		h = out->reason ? first_after_series(sc, me) : &sc->bare;
		if (!h)
			return;
		out->reason = NULL;
		out->kind = NAMES_VOLUME;
		*title_end = h->start;
	}
	if (!h->has_number && vol->found) {
		h = vol;
	} else if (!h->has_number && !unsure(sc, me)) {
		h = &sc->bare;
		vol = h;
		if (h->start < *title_end)
			*title_end = h->start;
	}
	if (h->absurd) {
		out->kind = NAMES_NONE;
		out->reason = "a number too large to be a volume";
		return;
	}
	out->first = h->first;
	out->last = h->last;
	out->is_range = h->last > h->first;
	if (!vol->found && out->kind == NAMES_VOLUME)
		vol = h;
	if (vol->found && vol->has_number && !vol->absurd) {
		out->has_volume = 1;
		out->volume_first = vol->first;
		out->volume_last = vol->last;
	}
}

/* Reset out to "nothing found", keeping the series buffer. */
static void clear(struct names_result *out)
{
	out->kind = NAMES_NONE;
	out->first = out->last = 0;
	out->is_range = 0;
	strbuf_reset(&out->series);
	out->has_volume = 0;
	out->volume_first = out->volume_last = 0;
	out->reason = NULL;
}

/*
 * Whether a word may start or end at p in w: next to a separator,
 * between ASCII and another script, or between two letters of another
 * script, as CJK and Thai glue their words.
 */
static int boundary(const char *w, size_t len, size_t p)
{
	if (!p || p >= len || !is_word(w[p - 1]) || !is_word(w[p]))
		return 1;
	if (is_other(w[p - 1]) != is_other(w[p]))
		return 1;
	return (unsigned char)w[p] >= 0xc0;
}

/*
 * Find the normalized series s in the folded name w, starting and ending
 * on word boundaries so that "One Piece" is not found in "One Pieces".
 * Sets [*start, *end) to the first place it is, or leaves them alone.
 */
static void find_series(const struct strbuf *w, const char *s,
			size_t *start, size_t *end)
{
	size_t i, e;

	for (i = 0; *s && i < w->len; i++) {
		if (!is_word(w->buf[i]) || !boundary(w->buf, w->len, i))
			continue;
		e = match_at(w->buf, w->len, i, s);
		if (e && boundary(w->buf, w->len, e)) {
			*start = i;
			*end = e;
			return;
		}
	}
}

/*
 * The name is folded once and every later step works on plain bytes;
 * the series' own words are stepped over, never read for numbers, its
 * leading article aside when the name has none. What stands in brackets
 * is read for markers only when nothing outside them gave a number.
 */
int names_parse(const char *name, const char *series,
		struct names_result *out)
{
	struct strbuf w = STRBUF_INIT, in = STRBUF_INIT, s = STRBUF_INIT;
	struct scan sc = { 0 }, br = { 0 };
	size_t len, ms = 0, me = 0, title_end;

	if (!out)
		return -EINVAL;
	clear(out);
	if (!name || !*name) {
		out->reason = "no name";
		return -EINVAL;
	}
	len = strlen(name);
	if (names_is_volume_file(name))
		len = strrchr(name, '.') - name;
	fold(name, len, &w);
	strbuf_add(&in, w.buf, w.len);
	blank_groups(w.buf, w.len, in.buf);
	names_normalize(series, &s);
	find_series(&w, s.buf, &ms, &me);
	if (!me)
		find_series(&w, names_skip_article(s.buf), &ms, &me);
	sc.w = w.buf;
	sc.len = sc.stop = w.len;
	scan(&sc, ms, me);
	if (!marked(&sc) && !sc.bare.found) {
		br.w = in.buf;
		br.len = in.len;
		br.stop = sc.stop;
		br.brackets = 1;
		scan(&br, 0, 0);
		if (marked(&br))
			sc = br;
	}
	choose(&sc, me, out, &title_end);
	strbuf_add(&out->series, w.buf, title_end);
	squeeze(&out->series);
	strbuf_release(&w);
	strbuf_release(&in);
	strbuf_release(&s);
	return 0;
}

/* Clearing lets the caller start over with the same struct. */
void names_release(struct names_result *out)
{
	strbuf_release(&out->series);
	clear(out);
}

/* The series is given to the parser, so that its numbers never count
 * ("Mob Psycho 100 05" is volume 5). */
int names_match_release(const char *title, const char *series,
			struct names_result *out)
{
	return !names_parse(title, series, out) &&
	       out->kind == NAMES_VOLUME &&
	       names_same_series(out->series.buf, series);
}
