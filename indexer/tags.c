#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "indexer/tags.h"
#include "indexer/tags_util.h"


/*
 * Tags come from any tool and any decade, so each byte sequence is checked
 * for well-formed UTF-8 (no overlong forms, surrogates or values past
 * U+10FFFF) before it reaches the database. Returns the length of the
 * valid sequence at s, or 0.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned int cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : s[0] < 0xf5 ? 4 : 0;
	if (!len || len > n)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Whether the len bytes at v are already one of the "; "-separated items
 * in the first n bytes of list, as "(17)Rock" gives "Rock" twice.
 */
static int has_item(const char *list, size_t n, const char *v, size_t len)
{
	const char *p, *sep, *end = list + n;

	for (p = list; p <= end; p = sep + 2) {
		for (sep = p; sep < end && memcmp(sep, "; ", 2); sep++)
			;
		if ((size_t)(sep - p) == len && !memcmp(p, v, len))
			return 1;
	}
	return 0;
}

/*
 * Several values for one field are kept as one "; "-joined string, which
 * is what the database and the file system views show. Invalid UTF-8
 * bytes become U+FFFD and mark the tag as damaged. Empty and repeated
 * values are dropped.
 */
int tags_add(struct tags *t, char **field, const char *s, size_t len)
{
	static const char repl[] = "\xef\xbf\xbd";
	const unsigned char *u = (const unsigned char *)s;
	size_t old, need = 0, i, k;
	char *p, *start;

	len = strnlen(s, len);
	for (i = 0; i < len; i += k ? k : 1) {
		k = utf8_len(u + i, len - i);
		need += k ? k : 3;
	}
	if (!need)
		return 0;
	old = *field ? strlen(*field) : 0;
	p = realloc(*field, old + 2 + need + 1);
	if (!p)
		return -ENOMEM;
	*field = p;
	p += old;
	if (old) {
		memcpy(p, "; ", 2);
		p += 2;
	}
	start = p;
	for (i = 0; i < len; i += k ? k : 1) {
		k = utf8_len(u + i, len - i);
		if (k) {
			memcpy(p, s + i, k);
			p += k;
		} else {
			memcpy(p, repl, 3);
			p += 3;
			t->tag_error = 1;
		}
	}
	*p = '\0';
	if (old && has_item(*field, old, start, p - start))
		(*field)[old] = '\0';
	return 0;
}

/* 0 means "no number", so junk such as "x" or "0" never sets a field. */
static int parse_uint(const char *s, char **end)
{
	long v = strtol(s, end, 10);

	return *end != s && v > 0 && v <= INT_MAX ? v : 0;
}

/*
 * Track and disc numbers come as "3" or "3/12"; total may be NULL for
 * fields such as TRACKTOTAL that only hold a count.
 */
void tags_parse_pos(const char *s, int *num, int *total)
{
	char *end;
	int v;

	v = parse_uint(s, &end);
	if (v)
		*num = v;
	if (total && *end == '/') {
		v = parse_uint(end + 1, &end);
		if (v)
			*total = v;
	}
}

/* Dates come as "2019", "2019-05-01" or "2019-05-01T10:00"; keep the year. */
void tags_parse_year(const char *s, int *year)
{
	int i, v = 0;

	for (i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return;
		v = v * 10 + s[i] - '0';
	}
	if (v)
		*year = v;
}

/* Zeroing lets the caller reuse the same struct for the next file. */
void tags_release(struct tags *t)
{
	free(t->title);
	free(t->artist);
	free(t->album_artist);
	free(t->album);
	free(t->genre);
	free(t->mb_track_id);
	free(t->mb_album_id);
	free(t->mb_artist_id);
	free(t->mb_album_artist_id);
	memset(t, 0, sizeof(*t));
}
