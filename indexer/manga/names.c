#include <errno.h>
#include <string.h>

#include "common/utf8.h"
#include "indexer/manga/names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The words that put a number in front of them in a class. A plural
 * marker makes "Tomes 1 - 3" a range; "then" is a second word the first
 * needs ("hors" "serie").
 */
static const struct keyword {
	const char *word;
	enum names_kind kind;
	int plural;
	const char *then;
} keywords[] = {
	{ "t", NAMES_VOLUME, 0, NULL },
	{ "tome", NAMES_VOLUME, 0, NULL },
	{ "tomes", NAMES_VOLUME, 1, NULL },
	{ "v", NAMES_VOLUME, 0, NULL },
	{ "vol", NAMES_VOLUME, 0, NULL },
	{ "vols", NAMES_VOLUME, 1, NULL },
	{ "volume", NAMES_VOLUME, 0, NULL },
	{ "volumes", NAMES_VOLUME, 1, NULL },
	{ "integrale", NAMES_VOLUME, 0, NULL },
	{ "c", NAMES_CHAPTER, 0, NULL },
	{ "ch", NAMES_CHAPTER, 0, NULL },
	{ "chap", NAMES_CHAPTER, 0, NULL },
	{ "chapter", NAMES_CHAPTER, 0, NULL },
	{ "chapters", NAMES_CHAPTER, 1, NULL },
	{ "chapitre", NAMES_CHAPTER, 0, NULL },
	{ "chapitres", NAMES_CHAPTER, 1, NULL },
	{ "hors", NAMES_SPECIAL, 0, "serie" },
	{ "hs", NAMES_SPECIAL, 0, NULL },
	{ "special", NAMES_SPECIAL, 0, NULL },
	{ "extra", NAMES_SPECIAL, 0, NULL },
	{ "extras", NAMES_SPECIAL, 0, NULL },
	{ "omake", NAMES_SPECIAL, 0, NULL },
	{ "artbook", NAMES_SPECIAL, 0, NULL },
	{ "fanbook", NAMES_SPECIAL, 0, NULL },
	{ "guide", NAMES_SPECIAL, 0, NULL },
	{ "databook", NAMES_SPECIAL, 0, NULL },
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
	struct hit hits[4];	/* the first of each names_kind */
	struct hit bare;	/* the last number with no marker */
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
 * Fold the character at s (n bytes left) into f, so that names compare
 * and parse as plain lowercase ASCII wherever they can. ASCII punctuation
 * stays (the parser needs "." and "-"), Unicode dashes become '-', other
 * punctuation and invalid bytes a space, combining accents nothing.
 * Returns the bytes of s used, at least 1, and sets *flen.
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
	} else if (cp < 0xc0 || (cp >= 0x2000 && cp <= 0x206f) ||
		   (cp >= 0x3000 && cp <= 0x303f)) {
		f[0] = cp >= 0x2010 && cp <= 0x2015 ? '-' : ' ';
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
 * bracket runs to the end.
 */
static void blank_groups(char *s, size_t len)
{
	size_t i;
	int depth = 0;

	for (i = 0; i < len; i++) {
		int close = depth && memchr(")]}", s[i], 3);

		if (memchr("([{", s[i], 3))
			depth++;
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
	blank_groups(out->buf, out->len);
	squeeze(out);
}

/*
 * Titles compare on their letters and digits alone, so that "Dr. Stone",
 * "Dr Stone" and "DrStone" are one series. Returns where the normalized
 * title s ends in w when w holds it from i, else 0 (s is not empty).
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
	}
	return i;
}

/* Both sides are normalized the same way, so the order of a and b does
 * not matter. */
int names_same_series(const char *a, const char *b)
{
	struct strbuf na = STRBUF_INIT, nb = STRBUF_INIT;
	int same;

	names_normalize(a, &na);
	names_normalize(b, &nb);
	same = na.len && nb.len && match_at(na.buf, na.len, 0, nb.buf) ==
	       na.len;
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

/* Words are runs of letters and digits, so "T05" is one and "T.05" two. */
static size_t word_end(const char *w, size_t len, size_t p)
{
	while (p < len && is_word(w[p]))
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

/* The marker the n folded letters at s spell, if any. */
static const struct keyword *keyword(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keywords); i++)
		if (strlen(keywords[i].word) == n &&
		    !memcmp(keywords[i].word, s, n))
			return &keywords[i];
	return NULL;
}

/*
 * Read the digits at p (there is one) and a one-digit decimal part, as
 * in "10.5" but not "T105.2023". Returns the position after them, or 0
 * when a letter follows ("2nd", "20th"), which makes it no number.
 */
static size_t read_value(const char *w, size_t len, size_t p, double *v,
			 int *absurd)
{
	long n = 0;

	for (; p < len && is_digit(w[p]); p++)
		if (n <= NAMES_MAX_NUMBER)
			n = n * 10 + (w[p] - '0');
	*v = n;
	if (p + 1 < len && w[p] == '.' && is_digit(w[p + 1]) &&
	    (p + 2 == len || !is_digit(w[p + 2]))) {
		*v += (w[p + 1] - '0') / 10.0;
		p += 2;
	}
	*absurd = *v > NAMES_MAX_NUMBER;	/* 9999.5 too */
	return p < len && is_word(w[p]) ? 0 : p;
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

/*
 * Read the number at p (there is a digit) into h, with the end of a range
 * after it when there is one. kw is the marker in front, NULL for a bare
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
		kw2 = keyword(w + q, k - q);
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
	if (!q || v <= h->first)
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

/* A number alone from 1900 to 2099 is a year, not volume 1999. */
static int is_year(const struct hit *h)
{
	return h->first == h->last && h->first >= 1900 && h->first <= 2099 &&
	       h->first == (long)h->first;
}

/*
 * Look at the word at i: a marker with its number, a bare number or
 * nothing of interest. Returns where to go on from, past i.
 */
static size_t scan_word(struct scan *sc, size_t i)
{
	const char *w = sc->w;
	size_t len = sc->len, e, k, p, end;
	const struct keyword *kw;
	struct hit h = { 0 };

	e = word_end(w, len, i);
	for (k = i; k < e && !is_digit(w[k]); k++)
		;
	for (p = k; p < e && is_digit(w[p]); p++)
		;
	if (p != e)
		return e;
	if (k == i) {
		end = read_number(w, len, i, NULL, &h);
		if (!end)
			return e;
		if (i && w[i - 1] == '#') {
			record(&sc->hits[NAMES_VOLUME], &h, i - 1);
		} else if (!h.absurd && !is_year(&h)) {
			sc->bare = h;
			sc->bare.found = 1;
			sc->bare.start = i;
		}
		return end;
	}
	kw = keyword(w + i, k - i);
	if (!kw || (kw->then && k < e))
		return e;
	if (k < e) {
		p = k;
	} else {
		if (kw->then) {
			p = skip(w, len, e, " -._");
			if (!word_is(w, len, p, kw->then))
				return e;
			e = word_end(w, len, p);
		}
		p = skip(w, len, e, " -._#");
	}
	end = p < len && is_digit(w[p]) ? read_number(w, len, p, kw, &h) : 0;
	if (!end && kw->kind != NAMES_SPECIAL)
		return e;
	record(&sc->hits[kw->kind], &h, i);
	return end ? end : e;
}

/*
 * Specials win over chapters and chapters over volumes: "Vol.03 Ch.015"
 * holds one chapter, and counting it as volume 3 would hide a gap. The
 * title ends at the first marker of any kind, so that "Mob Psycho 100
 * T05" is volume 5 of "mob psycho 100".
 */
static void choose(const struct scan *sc, struct names_result *out,
		   size_t *title_end)
{
	static const enum names_kind order[] = {
		NAMES_SPECIAL, NAMES_CHAPTER, NAMES_VOLUME,
	};
	const struct hit *h = NULL, *vol = &sc->hits[NAMES_VOLUME];
	size_t i;

	*title_end = sc->len;
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (!sc->hits[order[i]].found)
			continue;
		if (!h) {
			h = &sc->hits[order[i]];
			out->kind = order[i];
		}
		if (sc->hits[order[i]].start < *title_end)
			*title_end = sc->hits[order[i]].start;
	}
	if (!h && sc->bare.found) {
		h = &sc->bare;
		out->kind = NAMES_VOLUME;
		*title_end = h->start;
	}
	if (!h)
		return;
	if (!h->has_number && vol->found)
		h = vol;
	if (h->absurd) {
		out->kind = NAMES_NONE;
		return;
	}
	out->first = h->first;
	out->last = h->last;
	out->is_range = h->last > h->first;
}

/* Reset out to "nothing found", keeping the series buffer. */
static void clear(struct names_result *out)
{
	out->kind = NAMES_NONE;
	out->first = out->last = 0;
	out->is_range = 0;
	strbuf_reset(&out->series);
}

/*
 * Find the normalized series s in the folded name w, starting and ending
 * on word boundaries so that "One Piece" is not found in "One Pieces".
 * Sets [*start, *end) to the first place it is, or leaves them alone.
 */
static void find_series(const struct strbuf *w, const struct strbuf *s,
			size_t *start, size_t *end)
{
	size_t i, e;

	for (i = 0; s->len && i < w->len; i++) {
		if (!is_word(w->buf[i]) || (i && is_word(w->buf[i - 1])))
			continue;
		e = match_at(w->buf, w->len, i, s->buf);
		if (e && (e == w->len || !is_word(w->buf[e]))) {
			*start = i;
			*end = e;
			return;
		}
	}
}

/*
 * The name is folded once and every later step works on plain bytes;
 * the series' own words are stepped over, never read for numbers.
 */
int names_parse(const char *name, const char *series,
		struct names_result *out)
{
	struct strbuf w = STRBUF_INIT, s = STRBUF_INIT;
	struct scan sc = { 0 };
	size_t len, i, ms = 0, me = 0, title_end;

	if (!out)
		return -EINVAL;
	clear(out);
	if (!name || !*name)
		return -EINVAL;
	len = strlen(name);
	if (names_is_volume_file(name))
		len = strrchr(name, '.') - name;
	fold(name, len, &w);
	blank_groups(w.buf, w.len);
	names_normalize(series, &s);
	find_series(&w, &s, &ms, &me);
	sc.w = w.buf;
	sc.len = w.len;
	for (i = 0; i < w.len;) {
		if (i >= ms && i < me)
			i = me;
		else if (!is_word(w.buf[i]))
			i++;
		else
			i = scan_word(&sc, i);
	}
	choose(&sc, out, &title_end);
	strbuf_add(&out->series, w.buf, title_end);
	squeeze(&out->series);
	strbuf_release(&w);
	strbuf_release(&s);
	return 0;
}

/* Clearing lets the caller start over with the same struct. */
void names_release(struct names_result *out)
{
	strbuf_release(&out->series);
	clear(out);
}
