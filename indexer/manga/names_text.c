/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The name parser's text: names folded to plain lowercase, normalized
 * and compared as series, cut into words. It reads no numbers; that is
 * names_markers.c's.
 */
#include <string.h>

#include "common/bytes.h"
#include "common/utf8.h"
#include "indexer/manga/names_private.h"

/* The articles a title may start with, aside when titles are compared. */
static const char *const articles[] = {
	"the", "a", "an", "le", "la", "les", "l", "der", "die", "das",
};

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
 * brackets release groups use in CJK names ("【TFO汉化】"), '~' for the
 * en and em dashes, which join ranges ("1 – 3") where a hyphen with
 * blanks around it parts a title, '-' for the other Unicode dashes, an
 * apostrophe for the curly ones ("Batman ’89"), a space for the rest. 0 when cp
 * is no punctuation; the iteration marks and the ideographic zero (U+3005 to
 * U+3007) are letters.
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
	case 0x2013: case 0x2014:
		return '~';
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

/* Whether the last byte of out but blanks is '#'. */
static int after_hash(const struct strbuf *out)
{
	size_t i = out->len;

	while (i && out->buf[i - 1] == ' ')
		i--;
	return i && out->buf[i - 1] == '#';
}

/*
 * Append the folded form of the n bytes at s to out. "½" after a "#" is
 * the half issue, "1/2" ("Hellboy #½"); elsewhere it belongs to a title
 * ("Ranma ½") and is punctuation, so that a series' words stay the ones
 * a catalog search asks for.
 */
void names_fold(const char *s, size_t n, struct strbuf *out)
{
	size_t used, flen;
	char f[4];

	while (n) {
		used = fold_char((const unsigned char *)s, n, f, &flen);
		if (used == 2 && !memcmp(s, "\xc2\xbd", 2) && after_hash(out)) {
			memcpy(f, "1/2", 3);
			flen = 3;
		}
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
void names_blank_groups(char *s, size_t len, char *inside)
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

size_t names_title_len(const char *s)
{
	size_t len = strlen(s), end = len;
	int depth = 0;

	/* step back over whole groups and the spaces between them */
	for (size_t i = len; i > 0; i--) {
		char c = s[i - 1];

		if (memchr(")]}", c, 3))
			depth++;
		else if (depth && memchr("([{", c, 3) && !--depth)
			end = i - 1;
		else if (!depth && c != ' ')
			break;
	}
	while (end > 0 && s[end - 1] == ' ')
		end--;
	return end && !depth ? end : len;
}

/* Make every run of non-word bytes one space, trimmed, in place. */
void names_squeeze(struct strbuf *sb)
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
	names_fold(s, strlen(s), out);
	names_blank_groups(out->buf, out->len, NULL);
	names_squeeze(out);
}

/*
 * Titles compare on their letters and digits alone, so that "Dr. Stone",
 * "Dr Stone" and "DrStone" are one series, and a long vowel written
 * doubled is one letter ("shounen", "shonen" from "shōnen"; "yuusha").
 * Returns where the normalized title s ends in w when w holds it from i,
 * else 0 (s is not empty).
 */
size_t names_match_at(const char *w, size_t len, size_t i, const char *s)
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
	same = *sa && *sb &&
	       names_match_at(sa, strlen(sa), 0, sb) == strlen(sa);
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
size_t names_word_end(const char *w, size_t len, size_t p)
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
size_t names_skip(const char *w, size_t len, size_t p, const char *set)
{
	while (p < len && memchr(set, w[p], strlen(set)))
		p++;
	return p;
}

/* Whether the whole word at p is word. */
int names_word_is(const char *w, size_t len, size_t p, const char *word)
{
	size_t n = strlen(word);

	return p + n <= len && !memcmp(w + p, word, n) &&
	       names_word_end(w, len, p) == p + n;
}
