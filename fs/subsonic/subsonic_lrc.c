/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Lyrics text into lines (subsonic_lrc.h): the LRC time and ID tags of
 * each line. It reads no file and makes no answer.
 */
#include "fs/subsonic/subsonic_lrc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"

#define TIMES_MAX	64		/* time tags kept on one line */
#define OFFSET_MAX	(24LL * 3600 * 1000)

/* The number of the n digits at s (n <= 4), or -1 when one is no
 * digit. */
static long long digits(const char *s, size_t n)
{
	long long v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The milliseconds of the time tag's content, n bytes at s (between the
 * brackets): mm:ss, mm:ss.x, mm:ss.xx or mm:ss.xxx, or -1 for none. */
static long long time_tag(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	long long min, sec, frac = 0;
	size_t m, f;

	if (!colon || colon == s || colon - s > 4)
		return -1;
	m = colon - s;
	min = digits(s, m);
	if (min < 0 || n < m + 3)
		return -1;
	sec = digits(colon + 1, 2);
	if (sec < 0 || sec > 59)
		return -1;
	f = n - m - 3;
	if (f) {
		if ((colon[3] != '.' && colon[3] != ':') || f < 2 || f > 4)
			return -1;
		frac = digits(colon + 4, f - 1);
		if (frac < 0)
			return -1;
		frac *= f == 2 ? 100 : f == 3 ? 10 : 1;
	}
	return (min * 60 + sec) * 1000 + frac;
}

/* A copy of the n bytes at s, cut to SUBSONIC_LRC_LINE_MAX on a
 * character's boundary, into *out: 0 or -ENOMEM. */
static int copy_text(const char *s, size_t n, char **out)
{
	n = utf8_fit(s, n, SUBSONIC_LRC_LINE_MAX);
	*out = strndup(s, n);
	return *out ? 0 : -ENOMEM;
}

/* Add the line text (n bytes) starting at start (-1: unsynced). */
static int add_lrc_line(struct subsonic_lrc *l, long long start, const char *s,
		    size_t n)
{
	struct subsonic_lrc_line *more;

	if (l->nr >= SUBSONIC_LRC_LINES ||
	    l->bytes + n > SUBSONIC_LRC_TEXT_MAX)
		return 0;
	if (l->nr == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 32;
		more = realloc(l->lines, l->alloc * sizeof(*more));
		if (!more)
			return -ENOMEM;
		l->lines = more;
	}
	l->lines[l->nr].start = start;
	l->lines[l->nr].seq = l->nr;
	if (copy_text(s, n, &l->lines[l->nr].text))
		return -ENOMEM;
	l->bytes += strlen(l->lines[l->nr].text);
	l->nr++;
	l->synced |= start >= 0;
	return 0;
}

/* Take the ID tag of n bytes at s ("ar:NAME"): 1 when it is one, 0 when
 * not, or -ENOMEM. */
static int id_tag(struct subsonic_lrc *l, const char *s, size_t n)
{
	char num[24];
	char *end;
	long long v;

	if (n >= 3 && !strncmp(s, "ar:", 3))
		return l->artist || !copy_text(s + 3, n - 3, &l->artist) ?
		       1 : -ENOMEM;
	if (n >= 3 && !strncmp(s, "ti:", 3))
		return l->title || !copy_text(s + 3, n - 3, &l->title) ?
		       1 : -ENOMEM;
	if (n >= 3 && !strncmp(s, "la:", 3)) {
		if ((n == 5 || n == 6) && strspn(s + 3, "abcdefghijklmnopqrs"
		    "tuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") >= n - 3) {
			memcpy(l->lang, s + 3, n - 3);
			l->lang[n - 3] = '\0';
		}
		return 1;
	}
	if (n < 7 || strncmp(s, "offset:", 7))
		return 0;
	if (n - 7 >= sizeof(num))
		return 1;
	memcpy(num, s + 7, n - 7);
	num[n - 7] = '\0';
	v = strtoll(num, &end, 10);
	if (end != num && !*end && v >= -OFFSET_MAX && v <= OFFSET_MAX)
		l->offset = v;
	return 1;
}

/* One line of n bytes at s: its tags, then its text. */
static int parse_line(struct subsonic_lrc *l, const char *s, size_t n)
{
	long long times[TIMES_MAX], t;
	const char *close;
	size_t nr = 0, ids = 0;
	int rc = 0;

	while (n && *s == '[' && (close = memchr(s, ']', n))) {
		t = time_tag(s + 1, close - s - 1);
		if (t >= 0 && !ids) {
			if (nr < TIMES_MAX)
				times[nr++] = t;
		} else if (!nr && (rc = id_tag(l, s + 1, close - s - 1))) {
			if (rc < 0)
				return rc;
			rc = 0;
			ids++;
		} else {
			break;
		}
		n -= close + 1 - s;
		s = close + 1;
	}
	for (size_t i = 0; !rc && i < nr; i++)
		rc = add_lrc_line(l, times[i], s, n);
	if (!nr && !ids)
		rc = add_lrc_line(l, -1, s, n);
	return rc;
}

static int by_start(const void *a, const void *b)
{
	const struct subsonic_lrc_line *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Synced: the unsynced lines dropped, the others by start. Unsynced:
 * the empty lines at both ends dropped. */
static void tidy(struct subsonic_lrc *l)
{
	size_t kept = 0;

	for (size_t i = 0; i < l->nr; i++) {
		struct subsonic_lrc_line *x = &l->lines[i];

		if (l->synced ? x->start < 0 : !kept && !*x->text)
			free(x->text);
		else
			l->lines[kept++] = *x;
	}
	l->nr = kept;
	while (!l->synced && l->nr && !*l->lines[l->nr - 1].text)
		free(l->lines[--l->nr].text);
	if (l->synced)
		qsort(l->lines, l->nr, sizeof(*l->lines), by_start);
}

int subsonic_lrc_parse(const char *s, size_t len, struct subsonic_lrc *l)
{
	const char *end = s + len, *eol;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	while (!rc && s < end) {
		eol = s;
		while (eol < end && *eol != '\n' && *eol != '\r')
			eol++;
		rc = parse_line(l, s, eol - s);
		if (eol < end && *eol == '\r' && eol + 1 < end &&
		    eol[1] == '\n')
			eol++;
		s = eol + 1;
	}
	if (rc) {
		subsonic_lrc_release(l);
		return rc;
	}
	tidy(l);
	return 0;
}

void subsonic_lrc_release(struct subsonic_lrc *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->lines[i].text);
	free(l->lines);
	free(l->artist);
	free(l->title);
	memset(l, 0, sizeof(*l));
}
