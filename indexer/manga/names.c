/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The name parser's pass over a name: the series stepped over, each
 * number read with its marker (names_markers.c), and the choice of what
 * the name gives. Folding and comparing text is names_text.c's.
 */
#include <errno.h>
#include <string.h>

#include "common/bytes.h"
#include "indexer/manga/names_private.h"

/* The ordinal signs that may stand before a number and its suffix
 * marker, as in "第03卷" and "제3권"; the marker starts with them. */
static const char *const ordinals[] = { "第", "제" };

/* The words that say a volume's number is not known yet: "Vol.tbd". */
static const char *const unknown_numbers[] = { "tbd", "tba" };

/* What one pass over a folded name found. */
struct names_pass {
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
	size_t first_end;	/* where it ends */
	int first_run;		/* numbers in the first run */
	size_t me;		/* where the series ends in the name, or 0 */
	size_t stop;		/* a marker without a number: "Vol.tbd" */
	size_t date, date_end;	/* the last date, to cut from the title */
};

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
static void mark(struct names_pass *sc, const struct keyword *kw,
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
	return names_is_year_value(h->first) && names_is_year_value(h->last);
}

/*
 * Count a number no marker claims. Runs of them parted by words tell a
 * title's own number ("Kaiju No. 8 036") from a name that gives several
 * ("Invincible 033.5 - Marvel Team-Up 14"), which says no volume.
 */
static void add_bare(struct names_pass *sc, const struct hit *h, size_t start,
		     size_t end, int glued)
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
			sc->first_end = end;
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
static const struct keyword *marker_after(const char *w, size_t len,
					  size_t p, size_t *after)
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
		q = names_skip(w, len, q, " ");
		how = WHOLE;
	}
	if (q == len || !is_other(w[q]))
		return NULL;
	e = names_word_end(w, len, q);
	kw = names_keyword(w + q, e - q, KW_SUFFIX, how);
	if (kw)
		*after = q + strlen(kw->word);
	return kw;
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
 * Where a number of the title that starts at i ends, else 0: glued to an
 * apostrophe ("Batman '89") or by a dash to a word ("IG-88"), unless
 * that word ends the series, or with two decimals ("8.54"). A comic's
 * issue "#-1" is no volume either: its number is never read as 1.
 */
static size_t title_number(const struct names_pass *sc, size_t i)
{
	const char *w = sc->w;
	size_t len = sc->len, q;
	long v;
	size_t n;

	q = names_digits(w, len, i, &v, &n);
	if (i && w[i - 1] == '\'')
		return q;
	if (i >= 2 && w[i - 1] == '-' && hash_before(w, i - 1) < i - 1)
		return q;
	if (i >= 2 && w[i - 1] == '-' && i - 1 != sc->me &&
	    w[i - 2] >= 'a' && w[i - 2] <= 'z')
		return q;
	if (q + 3 <= len && w[q] == '.' && is_digit(w[q + 1]) &&
	    is_digit(w[q + 2]) && (q + 3 == len || !is_alnum(w[q + 3])))
		return q + 3;
	return 0;
}

/*
 * Read the number at i, a word of digits: "#05" is a volume, a marker of
 * another script may follow it ("1巻", "1-3巻", "第03卷", "2 Глава"),
 * else it is bare. Returns where to go on from, past i.
 */
static size_t scan_number(struct names_pass *sc, size_t i)
{
	const char *w = sc->w;
	size_t len = sc->len, end, after;
	const struct keyword *kw;
	struct hit h = { 0 };

	end = names_date_end(w, len, i);
	if (end) {
		sc->date = i;
		sc->date_end = end;
		return end;
	}
	end = title_number(sc, i);
	if (end) {
		sc->word_since = 1;
		return end;
	}
	end = names_read_number(w, len, i, NULL, &h);
	if (!end) {
		sc->word_since = 1;
		return names_word_end(w, len, i);
	}
	if (hash_before(w, i) < i) {
		record(&sc->hits[NAMES_VOLUME], &h, hash_before(w, i));
		return end;
	}
	kw = marker_after(w, len, end, &after);
	if (kw) {
		mark(sc, kw, &h, ordinal_before(w, i));
		return after;
	}
	after = names_skip(w, len, end, " ,.-_");
	if (h.last == h.first && h.first <= 31 && after < len &&
	    names_month_at(w, len, after))
		return end;
	add_bare(sc, &h, i, end, (i && is_other(w[i - 1])) ||
		 (end < len && is_other(w[end])));
	return end;
}

/* Whether the word at p says a number is not known yet ("Vol.tbd"). */
static int unknown_number(const char *w, size_t len, size_t p)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unknown_numbers); i++)
		if (names_word_is(w, len, p, unknown_numbers[i]))
			return 1;
	return 0;
}

/*
 * Look at the ASCII word at i: a marker with its number, a number, or a
 * word of the title. Returns where to go on from, past i.
 */
static size_t scan_ascii(struct names_pass *sc, size_t i)
{
	const char *w = sc->w;
	size_t len = sc->len, e, k, p, end;
	const struct keyword *kw;
	struct hit h = { 0 };
	int glued;

	if (is_digit(w[i]))
		return scan_number(sc, i);
	e = names_word_end(w, len, i);
	for (k = i; k < e && !is_digit(w[k]); k++)
		;
	if (k == e && names_month_at(w, len, i) &&
	    (p = names_month_number(w, len, e))) {
		sc->word_since = 1;
		return p;
	}
	kw = names_keyword(w + i, k - i, KW_PREFIX, WHOLE);
	if (!kw || (kw->then && k < e) || (sc->brackets && k - i < 2) ||
	    ((kw->where & KW_GLUED) && k == e)) {
		sc->word_since = 1;
		return e;
	}
	p = k;
	glued = k < e;
	if (!glued) {
		if (kw->then) {
			p = names_skip(w, len, e, " -._");
			if (!names_word_is(w, len, p, kw->then)) {
				sc->word_since = 1;
				return e;
			}
			e = names_word_end(w, len, p);
		}
		p = names_skip(w, len, e, " -._#");
		if (kw->kind == NAMES_VOLUME && unknown_number(w, len, p)) {
			if (i < sc->stop)
				sc->stop = i;
			return names_word_end(w, len, p);
		}
	}
	end = 0;
	if (p < len && is_digit(w[p]))
		end = names_read_number(w, len, p, kw, &h);
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
static size_t scan_other(struct names_pass *sc, size_t i)
{
	const char *w = sc->w;
	size_t len = sc->len, e = names_word_end(w, sc->end, i), p, end = 0;
	const struct keyword *kw;
	struct hit h = { 0 };

	kw = names_keyword(w + i, e - i, KW_PREFIX, ENDS);
	if (kw) {
		p = names_skip(w, len, e, " -._#");
		if (p < len && is_digit(w[p]))
			end = names_read_number(w, len, p, kw, &h);
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
static void read_folded(struct names_pass *sc, size_t ms, size_t me)
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
static int marked(const struct names_pass *sc)
{
	return sc->hits[NAMES_VOLUME].found || sc->hits[NAMES_CHAPTER].found ||
	       sc->hits[NAMES_SPECIAL].found || sc->season.found;
}

/* Whether a word stands from a to b; dates are none, so that a number
 * reads as if the date beside it were not there. */
static int word_between(const struct names_pass *sc, size_t a, size_t b)
{
	size_t e;

	while (a < b) {
		if (!is_word(sc->w[a])) {
			a++;
		} else if (is_digit(sc->w[a]) &&
			   (e = names_date_end(sc->w, sc->len, a))) {
			a = e;
		} else {
			return 1;
		}
	}
	return 0;
}

/*
 * Why the bare number is not sure to be the volume, or NULL when it is:
 * it is alone, or ends the one run of numbers when that stands before
 * the series found in the name (ending at me, else 0); alone, two
 * numbers are two readings ("Dorohedoro 2 05"). It is glued to no word
 * and follows the series with nothing but separators (dates aside)
 * between.
 */
static const char *unsure(const struct names_pass *sc, size_t me)
{
	if (!sc->bare.found)
		return sc->stop < sc->len ? "a volume marker without a number"
					  : "no volume number";
	if (sc->runs > 1)
		return "several numbers, none marked as the volume";
	if (sc->bare_glued)
		return "a number glued to a word that is no marker";
	if (!me && sc->in_run > 1)
		return "two numbers, no marker";
	if (!me || sc->run_start < me)
		return NULL;
	if (sc->in_run > 1)
		return "several numbers after the series name";
	if (word_between(sc, me, sc->run_start))
		return "a word between the series name and the number";
	return NULL;
}

/*
 * Whether the first bare number is parted from the next by more than
 * blanks ("3 - 2 Coeurs", "12, 2 Mondes"); "12 13" may be a range or a
 * volume and its chapter.
 */
static int first_parted(const struct names_pass *sc)
{
	size_t i;

	for (i = sc->first_end; i < sc->len && !is_word(sc->w[i]); i++)
		if (sc->w[i] != ' ' && sc->w[i] != '_')
			return 1;
	return 0;
}

/*
 * In a series folder, the first number right after the series is the
 * volume, the rest its title, when no marker says otherwise and it
 * stands alone: parted from other numbers by words or by more than
 * blanks ("Michel Vaillant 13 Mach 1 voor Steve Warson" is volume 13,
 * "Blue Lagoon 3 - 2 Coeurs" 3). NULL otherwise.
 */
static const struct hit *first_after_series(const struct names_pass *sc,
					    size_t me)
{
	if (!me || !sc->first.found || sc->first_glued ||
	    sc->first.start < me ||
	    (sc->first_run != 1 && !first_parted(sc)))
		return NULL;
	return word_between(sc, me, sc->first.start) ? NULL : &sc->first;
}

/*
 * Specials win over chapters and chapters over volumes: "Vol.03 Ch.015"
 * holds one chapter, and counting it as volume 3 would hide a gap; a
 * season with a number after it is that episode. The title ends at the
 * first marker of any kind, so that "Mob Psycho 100 T05" is volume 5 of
 * "mob psycho 100". Without a marker, the bare number when unsure()
 * finds nothing against it, else first_after_series(), which also gives
 * a chapter's volume ("Blue Lagoon 2 Chapter 13" in its folder). A special
 * without a number of its own takes the volume's, or the bare number
 * ("Wonder Woman 001 Special Edition" is special 1).
 */
static void choose(const struct names_pass *sc, size_t me,
		   struct names_result *out, size_t *title_end)
{
	static const enum names_kind order[] = {
		NAMES_SPECIAL, NAMES_CHAPTER, NAMES_VOLUME,
	};
	const struct hit *vol = &sc->hits[NAMES_VOLUME], *h = NULL, *m, *f;
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
		if (!h && !me && sc->runs == 1 && sc->in_run > 1)
			*title_end = sc->bare.start;
		if (!h)
			return;
		out->reason = NULL;
		out->kind = NAMES_VOLUME;
		*title_end = h->start;
	}
	f = first_after_series(sc, me);
	if (!vol->found && out->kind == NAMES_CHAPTER && f &&
	    f->start < h->start) {
		vol = f;
		*title_end = f->start;
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
		e = names_match_at(w->buf, w->len, i, s);
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
 * is read for markers only when nothing outside them gave a number. A
 * date that ends the title is no part of it ("Strange Tales, 2009-11-00
 * (#05)" is "strange tales").
 */
int names_parse(const char *name, const char *series,
		struct names_result *out)
{
	struct strbuf w = STRBUF_INIT, in = STRBUF_INIT, s = STRBUF_INIT;
	struct names_pass sc = { 0 }, br = { 0 };
	size_t len, ms = 0, me = 0, title_end, date, date_end;

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
	names_fold(name, len, &w);
	strbuf_add(&in, w.buf, w.len);
	names_blank_groups(w.buf, w.len, in.buf);
	names_normalize(series, &s);
	find_series(&w, s.buf, &ms, &me);
	if (!me)
		find_series(&w, names_skip_article(s.buf), &ms, &me);
	sc.w = w.buf;
	sc.len = sc.stop = w.len;
	read_folded(&sc, ms, me);
	date = sc.date;
	date_end = sc.date_end;
	if (!marked(&sc) && !sc.bare.found) {
		br.w = in.buf;
		br.len = in.len;
		br.stop = sc.stop;
		br.brackets = 1;
		read_folded(&br, 0, 0);
		if (marked(&br))
			sc = br;
	}
	choose(&sc, me, out, &title_end);
	if (date_end && date_end <= title_end &&
	    names_skip(w.buf, title_end, date_end, " ,.-_#") == title_end)
		title_end = date;
	strbuf_add(&out->series, w.buf, title_end);
	names_squeeze(&out->series);
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
